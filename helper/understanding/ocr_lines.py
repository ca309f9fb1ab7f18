"""What OCR lines say, by the same rules as page text: timestamps with the box they were read in, and the
JSON shape `witness ocr --json` and the stored OCR rows have always had. Lines are duck-typed (anything with
`.text` and `.box` = (x, y, w, h)), so this module needs nothing from the OCR package.

Date separators in a thread ("2026-11-20", "11月23日", "今天") give their date to the bare times below them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..core.clock import iso
from .times import find_date_separator, find_timestamps

Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class Timestamp:
    """A timestamp as written (`text`), its normalised value, and where it was read."""

    text: str
    dt: datetime
    has_date: bool
    box: Box
    line: int  # index into the lines

    @property
    def iso(self) -> str:
        return iso(self.dt)

    def to_json(self) -> dict:
        return {"text": self.text, "iso": self.iso, "box": list(self.box), "has_date": self.has_date}


def _sub_box(box: Box, text: str, start: int, end: int) -> Box:
    """The part of the line box under characters [start, end), by character share (engines give no finer box)."""
    x, y, w, h = box
    n = max(1, len(text))
    x0 = x + round(w * start / n)
    x1 = x + round(w * end / n)
    return (x0, y, max(1, x1 - x0), h)


def timestamps_in_lines(lines, now: datetime) -> list[Timestamp]:
    """Every timestamp in the lines, normalised against `now` (the capture time)."""
    out: list[Timestamp] = []
    day = None
    for i, line in enumerate(lines):
        sep = find_date_separator(line.text, now)
        if sep is not None:
            day = sep
        for m in find_timestamps(line.text, now, day=day):
            out.append(Timestamp(m.text, m.dt, m.has_date, _sub_box(tuple(line.box), line.text, m.start, m.end), i))
    return out


def read_ocr(result, now: datetime) -> dict:
    """An OCR result (engine, text, lines) with its timestamps read: {"engine", "text", "lines", "timestamps"}."""
    out = result.to_json()
    out["timestamps"] = [t.to_json() for t in timestamps_in_lines(result.lines, now)]
    return out
