"""What OCR returns: lines with boxes and confidences, the text, and the timestamps found in it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from helper.clock import iso

Box = tuple[int, int, int, int]  # x, y, w, h in pixels of the input image


@dataclass(frozen=True)
class Line:
    text: str
    box: Box
    conf: float  # 0..1

    def to_json(self) -> dict:
        return {"text": self.text, "box": list(self.box), "conf": round(self.conf, 3)}


@dataclass(frozen=True)
class Timestamp:
    """A timestamp as written (`text`), its normalised value, and where it was read."""

    text: str
    dt: datetime
    has_date: bool
    box: Box
    line: int  # index into OcrResult.lines

    @property
    def iso(self) -> str:
        return iso(self.dt)

    def to_json(self) -> dict:
        return {"text": self.text, "iso": self.iso, "box": list(self.box), "has_date": self.has_date}


@dataclass
class OcrResult:
    engine: str
    text: str
    lines: list[Line]
    timestamps: list[Timestamp] = field(default_factory=list)
    width: int = 0
    height: int = 0

    def to_json(self) -> dict:
        return {
            "engine": self.engine,
            "text": self.text,
            "lines": [ln.to_json() for ln in self.lines],
            "timestamps": [t.to_json() for t in self.timestamps],
        }
