"""A streaming PNG encoder for full-page captures.

Tiles arrive top to bottom; each is filtered (PNG "Up" filter, numpy) and fed to one zlib stream, so the
whole page is never held decoded in memory. `finish(tail)` writes page.png and, from a copy of the same
zlib state, the stamped image (page rows + a strip below them) without compressing the page twice.
"""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
from PIL import Image

from ..core.errors import CaptureError

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
IDAT_CHUNK = 1 << 20
# Level 1 costs a fifth of level 6 on screenshots (flat colour, text); the Up filter keeps files small.
COMPRESS_LEVEL = 1


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_bytes(width: int, height: int, idat: bytes) -> bytes:
    """An 8-bit RGB PNG from its compressed, filtered scanlines."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    parts = [PNG_SIGNATURE, _chunk(b"IHDR", ihdr)]
    for i in range(0, len(idat), IDAT_CHUNK):
        parts.append(_chunk(b"IDAT", idat[i:i + IDAT_CHUNK]))
    parts.append(_chunk(b"IEND", b""))
    return b"".join(parts)


def decode_rgb(png: bytes) -> np.ndarray:
    """A screenshot's pixels as an H×W×3 uint8 array."""
    try:
        im = Image.open(io.BytesIO(png))
        im.load()
    except (OSError, ValueError) as e:
        raise CaptureError(f"浏览器返回的截图无法解码 / the browser returned an unreadable screenshot: {e}") from e
    if im.mode != "RGB":
        im = im.convert("RGB")
    return np.asarray(im)


def _unfilter_first_row(ftype: int, row: np.ndarray, bpp: int) -> np.ndarray:
    """The raw bytes of an image's first scanline (the row above counts as zeros)."""
    if ftype in (0, 2):  # None; Up against zeros
        return row
    if ftype in (1, 4):  # Sub; Paeth against zeros predicts from the left pixel, as Sub does
        px = row.reshape(-1, bpp).astype(np.uint32)
        return (np.cumsum(px, axis=0) % 256).astype(np.uint8).reshape(-1)
    if ftype == 3:  # Average against zeros: raw[i] = filt[i] + raw[i - bpp] // 2 (sequential)
        out = bytearray(row.tobytes())
        for i in range(bpp, len(out)):
            out[i] = (out[i] + (out[i - bpp] >> 1)) & 0xFF
        return np.frombuffer(bytes(out), np.uint8)
    raise ValueError(f"bad PNG filter type {ftype}")


def _rgb_scanlines(png: bytes, width: int) -> tuple[bytes, int] | None:
    """(filtered scanlines whose first row uses filter 0, height) of an 8-bit RGB PNG of `width`, else None."""
    if not png.startswith(PNG_SIGNATURE):
        return None
    pos, idat, ihdr = 8, [], None
    try:
        while pos < len(png):
            length, kind = struct.unpack(">I4s", png[pos:pos + 8])
            body = png[pos + 8:pos + 8 + length]
            if kind == b"IHDR":
                ihdr = struct.unpack(">IIBBBBB", body)
            elif kind == b"IDAT":
                idat.append(body)
            elif kind == b"IEND":
                break
            pos += 12 + length
        if ihdr is None or ihdr[0] != width or ihdr[2:] != (8, 2, 0, 0, 0):
            return None
        height, stride = ihdr[1], width * 3 + 1
        data = zlib.decompress(b"".join(idat))
        if len(data) != height * stride:
            return None
        first = np.frombuffer(data, np.uint8, count=stride)
        fixed = _unfilter_first_row(int(first[0]), first[1:], 3)
        return b"\x00" + fixed.tobytes() + data[stride:], height
    except (struct.error, zlib.error, ValueError):
        return None


class PngStream:
    """Add RGB row blocks with `add`, then `finish()` for the PNG bytes (and optionally a stamped variant)."""

    def __init__(self, width: int, *, level: int = COMPRESS_LEVEL):
        if width <= 0:
            raise CaptureError("empty capture (width 0)")
        self.width = width
        self.height = 0
        self._z = zlib.compressobj(level, zlib.DEFLATED, 15, 9)
        self._out: list[bytes] = []

    def _filtered(self, rows: np.ndarray) -> np.ndarray:
        h, stride = rows.shape
        f = np.empty((h, stride + 1), np.uint8)
        f[:, 0] = 2  # Up: each byte minus the byte above it
        f[0, 0] = 0  # the first row of a block is stored as is (blocks never depend on each other)
        f[0, 1:] = rows[0]
        if h > 1:
            np.subtract(rows[1:], rows[:-1], out=f[1:, 1:])
        return f

    def _fit(self, rgb: np.ndarray) -> np.ndarray:
        """Crop or pad (white) a block whose width differs by rounding from the first one."""
        if rgb.ndim != 3 or rgb.shape[2] != 3:
            raise CaptureError(f"unexpected pixel layout {rgb.shape}")
        w = rgb.shape[1]
        if w == self.width:
            return rgb
        if w > self.width:
            return rgb[:, : self.width]
        pad = np.full((rgb.shape[0], self.width - w, 3), 255, np.uint8)
        return np.concatenate([rgb, pad], axis=1)

    def add(self, rgb: np.ndarray) -> None:
        rgb = np.ascontiguousarray(self._fit(rgb))
        rows = rgb.reshape(rgb.shape[0], self.width * 3)
        if rows.shape[0] == 0:
            return
        self._out.append(self._z.compress(self._filtered(rows)))
        self.height += rows.shape[0]

    def add_png(self, png: bytes) -> None:
        """Add a whole PNG (a screenshot tile). An 8-bit RGB, non-interlaced tile of the stream's width goes
        in without decoding: its scanlines are inflated, its first row made independent of the row above,
        and deflated into the stream. Anything else is decoded with Pillow."""
        parsed = _rgb_scanlines(png, self.width)
        if parsed is None:
            self.add(decode_rgb(png))
            return
        data, height = parsed
        self._out.append(self._z.compress(data))
        self.height += height

    def finish(self, tail: np.ndarray | None = None) -> tuple[bytes, bytes | None]:
        """(page PNG, page-plus-tail PNG or None). The stream can still take a tail afterwards."""
        if self.height == 0:
            raise CaptureError("empty capture (height 0)")
        head = b"".join(self._out)
        page = png_bytes(self.width, self.height, head + self._z.copy().flush())
        if tail is None:
            return page, None
        return page, self.with_tail(tail, head)

    def with_tail(self, tail: np.ndarray, head: bytes | None = None) -> bytes:
        tail = np.ascontiguousarray(self._fit(tail))
        rows = tail.reshape(tail.shape[0], self.width * 3)
        z = self._z.copy()
        body = z.compress(self._filtered(rows)) + z.flush()
        head = b"".join(self._out) if head is None else head
        return png_bytes(self.width, self.height + rows.shape[0], head + body)
