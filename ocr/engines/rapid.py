"""RapidOCR (PP-OCR models on onnxruntime). The models ship inside the rapidocr wheel; their paths are set
explicitly so the library never tries to download anything."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from ..errors import OcrError

from . import RawLine
from .gaps import gap_function

MODELS = {
    "Det.model_path": "PP-OCRv6_det_small.onnx",
    "Rec.model_path": "PP-OCRv6_rec_small.onnx",
    "Cls.model_path": "ch_ppocr_mobile_v2.0_cls_mobile.onnx",
}


class RapidEngine:
    name = "rapidocr"
    # Measured on bench/bench_ocr.py: text scaled to ~16 px lines and detection at that scale (no further
    # resizing inside rapidocr) reads as well as the library defaults at about 60 % of the CPU time.
    target_height = 16.0
    band = 1280
    overlap = 200

    def __init__(self):
        try:
            import rapidocr
            from rapidocr import RapidOCR
        except ImportError as e:
            raise OcrError(f"未安装 rapidocr / rapidocr not installed: {e}") from e
        models = Path(rapidocr.__file__).parent / "models"
        params = {"Global.log_level": "warning", "Global.use_cls": False, "Global.return_word_box": True,
                  "Global.return_single_char_box": True,
                  "Det.limit_type": "max", "Det.limit_side_len": 2400,
                  # One onnxruntime thread. With its default (a thread per core) the extra thread spins while it
                  # waits for work: on a 2-core machine reading the demo's three screenshots took 11-13 s of CPU
                  # instead of 6.7 s, with the same lines, boxes and confidences, and no quicker whenever anything
                  # else (a capture, the browser) wanted the other core. OCR runs in the background anyway.
                  "EngineConfig.onnxruntime.intra_op_num_threads": 1}
        for key, fname in MODELS.items():
            path = models / fname
            if not path.is_file():
                raise OcrError(f"rapidocr 模型缺失 / rapidocr model missing: {path}")
            params[key] = str(path)
        try:
            self._ocr = RapidOCR(params=params)
        except Exception as e:  # the library raises plain exceptions of many kinds
            raise OcrError(f"rapidocr 无法启动 / rapidocr failed to start: {e}") from e

    def read(self, image: Image.Image) -> list[RawLine]:
        gray = np.asarray(image.convert("L"))
        out = self._ocr(np.stack([gray] * 3, axis=-1))
        if out.txts is None or out.boxes is None:
            return []
        words = out.word_results if out.word_results is not None else [None] * len(out.txts)
        lines = []
        for text, score, poly, chars in zip(out.txts, out.scores, out.boxes, words):
            xs = [p[0] for p in poly]
            ys = [p[1] for p in poly]
            x0, y0 = int(min(xs)), int(min(ys))
            box = (x0, y0, int(max(xs)) - x0, int(max(ys)) - y0)
            gap_at = None
            centres = _centres(text, chars)
            if centres:
                gap_at = gap_function(gray, box, centres)
            lines.append(RawLine(text, box, float(score), gap_at))
        return lines


def _centres(text: str, chars) -> list[float] | None:
    """x centre of each character of `text` from rapidocr's single-character boxes (which skip spaces)."""
    if not chars:
        return None
    xs = [(c[2][0][0] + c[2][1][0]) / 2 for c in chars]
    if len(xs) != sum(1 for ch in text if not ch.isspace()):
        return None
    out: list[float] = []
    k = 0
    for ch in text:
        if ch.isspace():
            out.append(out[-1] if out else xs[0])
        else:
            out.append(xs[k])
            k += 1
    return out
