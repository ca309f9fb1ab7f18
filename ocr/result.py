"""What OCR returns: lines with boxes and confidences, and the text they make."""

from __future__ import annotations

from dataclasses import dataclass

Box = tuple[int, int, int, int]  # x, y, w, h in pixels of the input image


@dataclass(frozen=True)
class Line:
    text: str
    box: Box
    conf: float  # 0..1

    def to_json(self) -> dict:
        return {"text": self.text, "box": list(self.box), "conf": round(self.conf, 3)}


@dataclass
class OcrResult:
    engine: str
    text: str
    lines: list[Line]
    width: int = 0
    height: int = 0

    def to_json(self) -> dict:
        return {
            "engine": self.engine,
            "text": self.text,
            "lines": [ln.to_json() for ln in self.lines],
        }
