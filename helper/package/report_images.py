"""Screenshots in report.pdf within a pixel budget, so any stored case can be printed.

The package always holds every original file; the report shows each capture's screenshot as it is when it
fits its share of the budget, else a scaled preview (JPEG) with a note naming the original in the package,
and for an image too large to decode safely only that note. The printer is handed at most
`TOTAL_PIXELS` pixels (and the PDF is streamed to disk) whatever the case holds (87 captures, 337 MB of noise made the renderer run out of
memory before)."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

TOTAL_PIXELS = 100_000_000  # every screenshot of one report together
FULL_PIXELS = 12_000_000  # one screenshot shown as it is at most (1280 x 9375)
FULL_BYTES = 4 * 1024 * 1024  # ... and its file at most this large (noise does not compress: a preview then)
MIN_SHARE = 1_000_000  # a preview is never smaller than this (1280 x 780)
DECODE_PIXELS = 100_000_000  # larger images are never decoded for a preview (400 MB as RGBA)
PREVIEW_QUALITY = 82


@dataclass(frozen=True)
class Shown:
    path: Path | None  # the file the report loads (in the report's own folder), or None
    note: str | None  # why it is not the original, for the caption


def share(n_images: int) -> int:
    """Pixels one screenshot may take in a report of `n_images`."""
    return max(MIN_SHARE, min(FULL_PIXELS, TOTAL_PIXELS // max(1, n_images)))


def _size(path: Path) -> tuple[int, int] | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as im:
                return im.size
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, ValueError):
        return None


def for_report(path: Path, *, budget: int, package_path: str) -> Shown:
    """`path` (already in the report's folder) as it is, or a preview beside it, or nothing."""
    size = _size(path)
    if size is None:
        return Shown(None, f"无法作为图片显示，原文件见证据包 {package_path} / not shown; see {package_path}")
    w, h = size
    if w * h <= budget and path.stat().st_size <= FULL_BYTES:
        return Shown(path, None)
    budget = min(budget, w * h)
    if w * h > DECODE_PIXELS:
        return Shown(None, f"截图过大（{w}×{h}），未放入报告，原图见证据包 {package_path} / too large for the report; "
                           f"the original is {package_path}")
    scale = math.sqrt(budget / (w * h))
    preview = path.with_name(path.stem + ".preview.jpg")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        with Image.open(path) as im:
            # thumbnail() decodes once and reduces in place: the peak is one decoded original
            im.thumbnail((max(1, int(w * scale)), max(1, int(h * scale))), Image.Resampling.LANCZOS, reducing_gap=2.0)
            small = im.convert("RGB")
    small.save(preview, "JPEG", quality=PREVIEW_QUALITY, optimize=True)
    return Shown(preview, f"报告中为缩小的预览（{small.width}×{small.height}，原图 {w}×{h}），原图见证据包 {package_path} / "
                          f"a reduced preview; the original ({w}x{h}) is {package_path}")
