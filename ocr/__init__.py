"""OCR of screenshots: `recognise(image, now=...)` -> OcrResult (text, lines with boxes and confidences,
normalised timestamps, engine name). Engines: RapidOCR (PP-OCR, bundled models) and Tesseract chi_sim+eng."""

from helper.errors import OcrError

from .fields import fields
from .recognise import recognise
from .result import Line, OcrResult, Timestamp

__all__ = ["recognise", "fields", "OcrResult", "OcrError", "Line", "Timestamp"]
