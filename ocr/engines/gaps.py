"""Ink gaps between characters, measured on the image, for engines that report character positions but
not spaces."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def gap_function(gray: np.ndarray, box: tuple[int, int, int, int], centres: list[float]) -> Callable[[int], float]:
    """`gray`: band pixels (dark ink on light ground); `centres`: x centre of each character of the line text
    in band pixels. Returns gap_at(i): the widest run of inkless columns between characters i-1 and i."""
    x, y, w, h = box
    crop = gray[max(0, y) : y + h, max(0, x) : x + w].astype(np.int16)
    if crop.size == 0:
        return lambda i: 0.0
    bg = np.median(crop)
    ink_cols = (np.abs(crop - bg) > 60).any(axis=0)

    def gap_at(i: int) -> float:
        if i <= 0 or i >= len(centres):
            return 0.0
        a, b = int(centres[i - 1]) - x, int(centres[i]) - x
        a, b = max(0, a), min(len(ink_cols), b)
        best = run = 0
        for ink in ink_cols[a:b]:
            run = 0 if ink else run + 1
            best = max(best, run)
        return float(best)

    return gap_at
