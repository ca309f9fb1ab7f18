"""Clean-up of engine text. Chinese OCR puts spaces between CJK characters (Tesseract) or drops every space
(PP-OCR models); timestamps and Latin words need the spaces that were really there.

Rules: remove spaces between two CJK characters (ideographs, CJK punctuation, full-width forms); keep one
space between Latin words; turn a full-width colon or digits inside a time into ASCII; split a date and a time
that an engine glued together ("2026-11-2014:32" -> "2026-11-20 14:32"), choosing the split at the widest
ink gap when the digits allow more than one.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_CJK = (
    "\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3200-\u32ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
)
_CJK_SPACE = re.compile(rf"(?<=[{_CJK}])[ \t\u3000]+(?=[{_CJK}])")
_SPACES = re.compile(r"[ \t\u3000\u00a0]+")
_FULLWIDTH = str.maketrans("０１２３４５６７８９：", "0123456789:")
_FW_TIME = re.compile(r"[０-９\d][：:][０-９\d]")

# A date followed directly by day+hour digits and ":MM": the day and hour digits ran together.
_GLUED = re.compile(r"(?<!\d)(\d{4}[-/.]\d{1,2}[-/.])(\d{2,4})(?=:\d{2})|(?<![\d:])(\d{1,2}[-/])(\d{3,4})(?=:\d{2})")


def is_cjk(ch: str) -> bool:
    return bool(re.match(rf"[{_CJK}]", ch))


def _fix_fullwidth_times(text: str) -> str:
    return re.sub(r"[０-９\d][０-９\d：:]*[：:][０-９\d]+", lambda m: m.group(0).translate(_FULLWIDTH), text)


def split_glued_datetime(text: str, gap_at: Callable[[int], float] | None = None) -> str:
    """`gap_at(i)` gives the ink gap (px) between character i-1 and i of `text`, when the engine knows it."""

    def fix(m: re.Match) -> str:
        g = 2 if m.group(2) else 4
        head, digits, start = m.group(g - 1), m.group(g), m.start(g)
        choices = []
        for k in (1, 2):
            day, hour = digits[:k], digits[k:]
            if len(hour) in (1, 2) and 1 <= int(day) <= 31 and int(hour) <= 23:
                choices.append(k)
        if not choices:
            return m.group(0)
        if len(choices) == 1:
            k = choices[0]
        elif gap_at is not None:
            k = max(choices, key=lambda k: gap_at(start + k))
        else:
            return m.group(0)  # ambiguous: helper.understanding.times applies its own rule
        return head + digits[:k] + " " + digits[k:]

    return _GLUED.sub(fix, text)


def normalise(text: str, gap_at: Callable[[int], float] | None = None) -> str:
    """One line of engine text, cleaned. `gap_at` indexes the text as given."""
    text = split_glued_datetime(text, gap_at)  # first: gap_at indexes the raw text
    text = _fix_fullwidth_times(text)
    text = _SPACES.sub(" ", text)
    text = _CJK_SPACE.sub("", text)
    return text.strip()


_CJK_PUNCT = re.compile(r"[\u3000-\u303f\uff00-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65]")


def _is_cjk_punct(ch: str) -> bool:
    return bool(_CJK_PUNCT.match(ch))


_NUM_PUNCT = set(":.-/+,")  # inside numbers, dates and times: wide side bearings, never a space


def restore_spaces(
    text: str, gap_at: Callable[[int], float], height: float, *, factor: float = 0.22, cjk_factor: float = 0.25
) -> str:
    """Put back the spaces an engine dropped: between characters whose ink gap is wider than
    `factor` x the line height. Not between two CJK characters (no spaces there) nor between two digits
    (a narrow "1" leaves gaps as wide as a space; date/time gluing is handled by split_glued_datetime),
    nor next to CJK punctuation (full-width, with its own blank half); between a CJK character and a Latin
    letter or digit only at a wider gap (`cjk_factor`, as ideographs have larger side bearings); nor around
    the punctuation inside numbers and times ("21:25", "30.00")."""
    if not text:
        return text
    limit = factor * height
    out = [text[0]]
    for i in range(1, len(text)):
        a, b = text[i - 1], text[i]
        before = text[i - 2] if i >= 2 else ""
        if (
            not a.isspace()
            and not b.isspace()
            and not (is_cjk(a) and is_cjk(b))
            and not (a.isdigit() and b.isdigit())
            and not (b in _NUM_PUNCT and a.isdigit())
            and not (a in _NUM_PUNCT and before.isdigit())
            and not _is_cjk_punct(a)
            and not _is_cjk_punct(b)
            and gap_at(i) >= (cjk_factor * height if is_cjk(a) or is_cjk(b) else limit)
        ):
            out.append(" ")
        out.append(b)
    return "".join(out)
