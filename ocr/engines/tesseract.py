"""Tesseract (chi_sim+eng) through pytesseract. Always available where the project is set up."""

from __future__ import annotations

import pytesseract
from PIL import Image

from ..errors import OcrError

from . import RawLine

LANG = "chi_sim+eng"


class TesseractEngine:
    name = "tesseract"
    target_height = 34.0
    band = 2400
    flatten = True
    min_word_conf = 0.0
    overlap = 300

    def __init__(self, psm: int = 3):
        try:
            langs = set(pytesseract.get_languages(config=""))
        except (pytesseract.TesseractNotFoundError, OSError) as e:
            raise OcrError(f"找不到 Tesseract / Tesseract not found: {e}") from e
        missing = {"chi_sim", "eng"} - langs
        if missing:
            raise OcrError(f"Tesseract 缺少语言包 / Tesseract lacks language data: {', '.join(sorted(missing))}")
        self.config = f"--oem 1 --psm {psm} -c preserve_interword_spaces=1"

    def read(self, image: Image.Image) -> list[RawLine]:
        try:
            data = pytesseract.image_to_data(image, lang=LANG, config=self.config, output_type=pytesseract.Output.DICT)
        except pytesseract.TesseractError as e:
            raise OcrError(f"Tesseract 识别失败 / Tesseract failed: {e}") from e
        groups: dict[tuple, list[int]] = {}
        for i, word in enumerate(data["text"]):
            if data["level"][i] != 5 or not word.strip() or float(data["conf"][i]) < self.min_word_conf:
                continue
            key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
            groups.setdefault(key, []).append(i)
        lines = []
        for idx in groups.values():
            idx.sort(key=lambda i: data["left"][i])
            x0 = min(data["left"][i] for i in idx)
            y0 = min(data["top"][i] for i in idx)
            x1 = max(data["left"][i] + data["width"][i] for i in idx)
            y1 = max(data["top"][i] + data["height"][i] for i in idx)
            text = _join_words([(data["text"][i].strip(), data["left"][i], data["width"][i]) for i in idx], y1 - y0)
            confs = [float(data["conf"][i]) for i in idx if float(data["conf"][i]) >= 0]
            conf = sum(confs) / len(confs) / 100 if confs else 0.0
            lines.append(RawLine(text, (x0, y0, x1 - x0, y1 - y0), conf))
        return lines


def _join_words(words: list[tuple[str, int, int]], height: int, factor: float = 0.22) -> str:
    """Tesseract splits Chinese into one "word" per character or two; keep a space only where the ink gap
    between two words is as wide as a real space."""
    out = ""
    prev_right = None
    for text, left, width in words:
        if prev_right is not None and left - prev_right >= factor * height:
            out += " "
        out += text
        prev_right = left + width
    return out
