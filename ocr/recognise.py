"""recognise(image) -> OcrResult: load, prepare, read in bands, clean up."""

from __future__ import annotations

from .errors import OcrError

from .bands import dedupe, margin, split
from .engines import get_engine
from .image_io import load_image
from .preprocess import prepare
from .result import Line, OcrResult
from .textnorm import normalise, restore_spaces


def read_lines(image, engine=None) -> tuple[list[Line], str, tuple[int, int]]:
    im = load_image(image)
    eng = engine if engine is not None and not isinstance(engine, str) else get_engine(engine)
    prep = prepare(im, target_height=eng.target_height, flat=getattr(eng, "flatten", False))
    page = prep.image
    s = prep.scale
    cands = []
    for band in split(page.height, eng.band, eng.overlap):
        crop = page.crop((0, band.top, page.width, band.bottom))
        for raw in eng.read(crop):
            x, y, w, h = raw.box
            text = raw.text
            if raw.gap_at is not None:
                text = restore_spaces(text, raw.gap_at, h)
                # restore_spaces inserted characters: gap indexes no longer match, so no gap_at below
                text = normalise(text, raw.gap_at if text == raw.text else None)
            else:
                text = normalise(text)
            if not text:
                continue
            box = (round(x / s), round((y + band.top) / s), round(w / s), round(h / s))
            cands.append((margin(band, page.height, y + band.top, h), box, Line(text, box, raw.conf)))
    lines = dedupe(cands)
    lines.sort(key=lambda ln: (ln.box[1] + ln.box[3] / 2, ln.box[0]))
    return _rows(lines), eng.name, im.size


def _rows(lines: list[Line]) -> list[Line]:
    """Reading order: top to bottom; boxes sharing most of their height form one row, left to right."""
    rows: list[list[Line]] = []
    for ln in lines:
        y, h = ln.box[1], ln.box[3]
        if rows:
            last = rows[-1]
            ry0 = min(r.box[1] for r in last)
            ry1 = max(r.box[1] + r.box[3] for r in last)
            overlap = min(ry1, y + h) - max(ry0, y)
            if overlap >= 0.5 * min(h, ry1 - ry0):
                last.append(ln)
                continue
        rows.append([ln])
    out = []
    for row in rows:
        out.extend(sorted(row, key=lambda ln: ln.box[0]))
    return out


def text_of(lines: list[Line]) -> str:
    """Lines of one row joined by a space, rows by newlines."""
    out: list[str] = []
    prev = None
    for ln in lines:
        if prev is not None:
            y, h = ln.box[1], ln.box[3]
            py, ph = prev.box[1], prev.box[3]
            same = min(py + ph, y + h) - max(py, y) >= 0.5 * min(h, ph) and ln.box[0] >= prev.box[0]
            out.append(" " if same else "\n")
        out.append(ln.text)
        prev = ln
    return "".join(out)


def recognise(image, engine=None) -> OcrResult:
    """OCR one screenshot. `image`: a path, the file's bytes, or a PIL Image. Raises OcrError for
    unreadable input or when no engine can run."""
    lines, name, (w, h) = read_lines(image, engine)
    return OcrResult(engine=name, text=text_of(lines), lines=lines, width=w, height=h)
