"""Order facts from OCR text, through page understanding (one set of rules for pages and screenshots)."""

from __future__ import annotations

from datetime import datetime

from .result import OcrResult


def fields(result: OcrResult, now: datetime, url: str | None = None) -> dict:
    """Order number, amount, times, status, promise … read from the OCR text by
    helper.understanding.extract_text. `url` (if the screenshot is of a known shop) selects its labels."""
    from helper.understanding import extract_text

    return extract_text(result.text, now, url=url)
