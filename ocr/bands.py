"""Tall images are read in overlapping horizontal bands (the overlap is several text lines high, so every line
is whole in at least one band). Lines cut by a band edge are dropped; a line read in two bands is kept once,
from the band where it sits furthest from a cut (boxes of the same line differ by a pixel or two between
bands, so a fixed ownership boundary would lose or double lines lying on it)."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Band:
    top: int  # rows [top, bottom) are read
    bottom: int


def split(height: int, band: int, overlap: int) -> list[Band]:
    """As few bands as keep at least `overlap` rows shared between neighbours, spread evenly."""
    if band <= overlap:
        raise ValueError("band must be taller than the overlap")
    if height <= band:
        return [Band(0, height)]
    n = math.ceil((height - overlap) / (band - overlap))
    tops = [round(i * (height - band) / (n - 1)) for i in range(n)]
    return [Band(t, t + band) for t in tops]


def margin(band: Band, height: int, y: float, h: float) -> float:
    """Distance (px) from the line to the nearest edge where the band cuts the image; negative if cut."""
    top = y - band.top if band.top > 0 else float("inf")
    bottom = band.bottom - (y + h) if band.bottom < height else float("inf")
    return min(top, bottom) - 1  # a line touching the cut may be clipped


def _iou(a, b) -> float:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    iw = min(ax + aw, bx + bw) - max(ax, bx)
    ih = min(ay + ah, by + bh) - max(ay, by)
    if iw <= 0 or ih <= 0:
        return 0.0
    inter = iw * ih
    return inter / (aw * ah + bw * bh - inter)


def dedupe(cands: list[tuple[float, tuple[int, int, int, int], object]]) -> list[object]:
    """`cands`: (margin, absolute box, item). Keeps uncut items, one per place, best margin first."""
    kept: list[tuple[tuple[int, int, int, int], object]] = []
    for m, box, item in sorted(cands, key=lambda c: -c[0]):
        if m < 0:
            continue
        if any(_iou(box, kb) > 0.3 for kb, _ in kept):
            continue
        kept.append((box, item))
    return [item for _, item in kept]
