"""Image preparation for OCR: grayscale, dark-theme inversion, contrast, and scaling so that text lines come
out at the height an engine reads best (Tesseract: about 30-40 px)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageChops, ImageFilter, ImageOps

DARK_MEDIAN = 110  # a median luminance below this is a dark theme


@dataclass(frozen=True)
class Prepared:
    image: Image.Image  # "L" mode, dark text on light ground, scaled
    scale: float  # prepared px per input px
    inverted: bool
    text_height: float | None  # estimated line ink height in input px


def gray_array(im: Image.Image) -> np.ndarray:
    return np.asarray(im.convert("L"), dtype=np.uint8)


def is_dark(gray: np.ndarray) -> bool:
    return float(np.median(gray)) < DARK_MEDIAN


def estimate_text_height(gray: np.ndarray) -> float | None:
    """Median height of runs of rows that hold text, found by counting horizontal contrast edges per row.
    Bubble and card backgrounds only add two edges a row, so they do not count as text."""
    g = gray.astype(np.int16)
    edges = np.abs(np.diff(g, axis=1)) > 40
    per_row = edges.sum(axis=1)
    text_rows = per_row >= 4
    heights = []
    run = 0
    for flag in text_rows:
        if flag:
            run += 1
        elif run:
            heights.append(run)
            run = 0
    if run:
        heights.append(run)
    heights = [h for h in heights if 5 <= h <= 400]
    if not heights:
        return None
    return float(np.median(heights))


def scale_for(text_height: float | None, target: float, *, lo: float = 0.5, hi: float = 4.0) -> float:
    if not text_height:
        return 1.0
    s = target / text_height
    if 0.85 <= s <= 1.15:  # close enough: skip a resampling pass
        return 1.0
    return max(lo, min(hi, s))


def flatten(gray_im: Image.Image, window: float) -> Image.Image:
    """Dark ink on white whatever the local ground: each pixel's distance from the median of a window
    about `window` px wide (the bubble, card or page around it). Bubbles, avatars and light-on-dark text
    (a blue "mine" bubble with white text) all come out as black text on a plain white page."""
    f = 4
    small = gray_im.resize((max(1, gray_im.width // f), max(1, gray_im.height // f)), Image.BILINEAR)
    k = max(3, int(window / f) | 1)
    ground = small.filter(ImageFilter.MedianFilter(k)).resize(gray_im.size, Image.BILINEAR)
    ink = ImageChops.difference(gray_im, ground)
    ink = ImageOps.autocontrast(ink, cutoff=(0, 0.5))
    return ImageOps.invert(ink)


def prepare(
    im: Image.Image, *, target_height: float | None = 34.0, max_width: int = 4000, flat: bool = False
) -> Prepared:
    gray_im = im.convert("L")
    gray = np.asarray(gray_im, dtype=np.uint8)
    inverted = is_dark(gray)
    if inverted:
        gray_im = ImageOps.invert(gray_im)
        gray = 255 - gray
    th = estimate_text_height(gray)
    scale = scale_for(th, target_height) if target_height else 1.0
    if im.width * scale > max_width:
        scale = max_width / im.width
    gray_im = ImageOps.autocontrast(gray_im, cutoff=(1, 0))
    if scale != 1.0:
        size = (max(1, round(im.width * scale)), max(1, round(im.height * scale)))
        gray_im = gray_im.resize(size, Image.LANCZOS if scale < 1 else Image.BICUBIC)
    if flat:
        gray_im = flatten(gray_im, 1.6 * (target_height or (th or 20) * scale))
    return Prepared(gray_im, scale, inverted, th)
