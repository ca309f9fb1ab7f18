"""Timestamps in OCR lines, through the project's one normaliser (helper.understanding.times). Date
separators in a thread ("2026-11-20", "11月23日", "今天") give their date to the bare times below them."""

from __future__ import annotations

from datetime import datetime

from .result import Line, Timestamp


def _sub_box(line: Line, start: int, end: int) -> tuple[int, int, int, int]:
    """The part of the line box under characters [start, end), by character share (engines give no finer box)."""
    x, y, w, h = line.box
    n = max(1, len(line.text))
    x0 = x + round(w * start / n)
    x1 = x + round(w * end / n)
    return (x0, y, max(1, x1 - x0), h)


def find_in_lines(lines: list[Line], now: datetime) -> list[Timestamp]:
    from helper.understanding.times import find_date_separator, find_timestamps

    out: list[Timestamp] = []
    day = None
    for i, line in enumerate(lines):
        sep = find_date_separator(line.text, now)
        if sep is not None:
            day = sep
        for m in find_timestamps(line.text, now, day=day):
            out.append(Timestamp(m.text, m.dt, m.has_date, _sub_box(line, m.start, m.end), i))
    return out
