"""OCR of screenshots, standing alone: `recognise(image)` -> OcrResult (text, lines with boxes and
confidences, engine name, image size). Engines: RapidOCR (PP-OCR, bundled models) and Tesseract
chi_sim+eng. What the lines mean (timestamps, order fields, chat messages) is read by the helper's page
understanding (helper/understanding/ocr_lines.py); this package imports nothing from the helper."""

from .errors import OcrError
from .recognise import recognise
from .result import Line, OcrResult

__all__ = ["recognise", "OcrResult", "OcrError", "Line"]
