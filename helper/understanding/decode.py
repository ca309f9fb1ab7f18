"""Bytes of a saved page to text: BOM, then the page's own charset declaration, then UTF-8, then GB18030.

GB18030 is a superset of GBK and GB2312, the encodings older Chinese shops still serve. Undecodable bytes
are replaced, never raised: a damaged page still yields what can be read.
"""

from __future__ import annotations

import codecs
import re

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "x-gbk", "cp936", "euc-cn", "hz-gb-2312"}


def _normalise(name: str) -> str | None:
    name = name.strip().lower()
    if name in _GB_FAMILY:
        return "gb18030"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_html(data: bytes) -> str:
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(enc, errors="replace")
    m = _META.search(data[:4096])
    declared = _normalise(m.group(1).decode("ascii", "ignore")) if m else None
    if declared:
        try:
            return data.decode(declared)
        except UnicodeDecodeError:
            pass  # pages lie about their charset; fall through to detection
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        return data.decode(declared or "utf-8", errors="replace")
