"""Thumbnails for the case page: the top of a capture's image, small.

Full-page screenshots can be tens of thousands of pixels tall (and are never decoded whole). A PNG's first
rows are self-contained: the filtered scanlines of rows 0..n-1 refer only to each other, so the top of the
image is cut out as a new small PNG from the start of the compressed stream (only as much is inflated as
those rows need), then decoded and scaled. Other formats (imported JPEG / WebP bills) go through Pillow's
own reduced decoding. Thumbnails are derived data, cached under <data-dir>/thumbs/ by the source's SHA-256.
"""

from __future__ import annotations

import io
import os
import struct
import zlib
from pathlib import Path

from PIL import Image

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
CHANNELS = {0: 1, 2: 3, 4: 2, 6: 4}  # PNG colour type → samples per pixel (8-bit, no palette)
WIDTH, HEIGHT = 360, 240  # 3:2, the case page's thumbnail box


def _chunks(f):
    """(kind, body) of each chunk, read from the open file as needed."""
    while True:
        head = f.read(8)
        if len(head) < 8:
            return
        length, kind = struct.unpack(">I4s", head)
        body = f.read(length)
        f.read(4)  # CRC
        yield kind, body


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def png_top(f, rows_for_width) -> bytes | None:
    """A PNG of the first rows of the PNG in the open binary file `f` (how many: `rows_for_width(width)`),
    or None when it is not a plain 8-bit non-interlaced PNG (the caller then decodes it the ordinary way)."""
    if f.read(len(PNG_SIGNATURE)) != PNG_SIGNATURE:
        return None
    chunks = _chunks(f)
    kind, ihdr = next(chunks, (None, b""))
    if kind != b"IHDR" or len(ihdr) != 13:
        return None
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", ihdr)
    if depth != 8 or colour not in CHANNELS or interlace or not width or not height:
        return None
    rows = min(height, max(1, rows_for_width(width)))
    need = rows * (1 + width * CHANNELS[colour])
    inflate, raw = zlib.decompressobj(), b""
    try:
        for kind, body in chunks:
            if kind == b"IDAT":
                raw += inflate.decompress(body, need - len(raw))
                if len(raw) >= need:
                    break
            elif kind == b"IEND":
                break
    except zlib.error:
        return None
    if len(raw) < need:
        return None
    out_ihdr = struct.pack(">IIBBBBB", width, rows, 8, colour, 0, 0, 0)
    return PNG_SIGNATURE + _chunk(b"IHDR", out_ihdr) + _chunk(b"IDAT", zlib.compress(raw[:need], 1)) + _chunk(b"IEND", b"")


def thumbnail(path: Path, width: int = WIDTH, height: int = HEIGHT) -> bytes:
    """PNG bytes of the image's top, cropped to width:height and scaled to `width` wide (never enlarged)."""
    with open(path, "rb") as f:
        top = png_top(f, lambda w: -(-w * height // width))
    image = Image.open(io.BytesIO(top) if top else path)
    if top is None:
        image.draft("RGB", (width * 2, height * 2))  # JPEG: decode at a reduced size
    image = image.convert("RGB")
    crop_h = min(image.height, round(image.width * height / width))
    image = image.crop((0, 0, image.width, crop_h))
    if image.width > width:
        image = image.resize((width, max(1, round(crop_h * width / image.width))), Image.LANCZOS)
    buf = io.BytesIO()
    image.save(buf, "PNG", optimize=True)
    return buf.getvalue()


def cached_thumbnail(cache_dir: Path, sha256: str, source: Path) -> bytes:
    """The thumbnail of the file `source` (whose hash is `sha256`), made once."""
    path = cache_dir / f"{sha256}.png"
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    data = thumbnail(source)
    cache_dir.mkdir(mode=0o700, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return data
