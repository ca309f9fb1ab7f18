"""OCR engines behind one small interface. An engine reads one prepared band (a PIL "L" image, dark text on a
light ground) and returns raw lines in band coordinates; ocr.recognise does the rest (loading, preparation,
banding, clean-up)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from PIL import Image

from ..errors import OcrError


@dataclass
class RawLine:
    text: str
    box: tuple[int, int, int, int]  # x, y, w, h in band pixels
    conf: float  # 0..1
    gap_at: Callable[[int], float] | None = None  # ink gap before character i of `text`, when known


class Engine(Protocol):
    name: str
    target_height: float | None  # text line height (px) to scale to; None keeps the input scale
    band: int  # band height in prepared pixels
    overlap: int

    def read(self, image: Image.Image) -> list[RawLine]: ...


DEFAULT_ORDER = ("rapidocr", "tesseract")  # best measured first (bench/bench_ocr.py)
_cache: dict[str, Engine] = {}
_lock = threading.Lock()  # background OCR jobs may ask for an engine from several threads


def _make(name: str) -> Engine:
    if name == "tesseract":
        from .tesseract import TesseractEngine

        return TesseractEngine()
    if name == "rapidocr":
        from .rapid import RapidEngine

        return RapidEngine()
    raise OcrError(f"未知的 OCR 引擎 / unknown OCR engine: {name} (choose from {', '.join(DEFAULT_ORDER)})")


def get_engine(name: str | None = None) -> Engine:
    """The named engine, or the best available one. Engines are built once per process (model loading)."""
    with _lock:
        return _get(name)


def _get(name: str | None) -> Engine:
    names = [name] if name else list(DEFAULT_ORDER)
    last: Exception | None = None
    for n in names:
        if n in _cache:
            return _cache[n]
        try:
            eng = _make(n)
        except OcrError as e:
            last = e
            if name:
                raise
            continue
        _cache[n] = eng
        return eng
    raise OcrError(f"没有可用的 OCR 引擎 / no OCR engine available: {last}")


def available() -> list[str]:
    out = []
    for n in DEFAULT_ORDER:
        try:
            get_engine(n)
        except OcrError:
            continue
        out.append(n)
    return out
