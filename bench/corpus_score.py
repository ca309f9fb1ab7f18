"""The corpus of issue 12 (tests/corpus/): loading its pages and scoring an extract() result against a page's
expected values. Used by bench/bench_extract.py and tests/test_corpus.py; it imports nothing from helper/, so the
yardstick does not depend on the code it measures.

A page is NAME.html with NAME.expect.json next to it:
    {"system": "...", "variant": "...", "source": "owner/repo path ...", "url": "...", "now": "ISO 8601",
     "fields": {"page_kind": ..., "order_no": ..., "amount": "12.50", "status_code": ..., "ordered_at": ...,
                "paid_at": ..., "product": ..., "payment_method": ..., "promise": {"within_seconds": ...},
                "deadline": ..., "messages": [{"text": "a snippet", "role": "buyer", "time": ...}, ...]}}
Only the fields listed are checked; a listed null means "must be null". Comparison rules (README.md there):
times compare as instants, amounts as decimals, products without whitespace, payment methods by channel,
messages are matched to the output by their text snippet, in order.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "corpus"
HALVES = ("tuning", "test")
SOURCE_NOTE = re.compile(r"^\s*<!--\s*structure:\s*[\w.-]+/[\w.-]+\s+\S+", re.S)
PAYMENT_CHANNELS = (
    ("alipay", ("支付宝", "alipay")),
    ("wechat", ("微信", "wxpay", "wechat", "weixin")),
    ("qqpay", ("qq钱包", "qqpay", "qq支付")),
    ("usdt", ("usdt",)),
    ("unionpay", ("银联", "云闪付", "unionpay")),
    ("balance", ("余额",)),
)
ORDER_KEYS = ("order_no", "amount", "status_code", "ordered_at", "paid_at", "product", "payment_method")


@dataclass
class Page:
    name: str
    half: str
    html_path: Path
    expect: dict

    @property
    def system(self) -> str:
        return self.expect["system"]

    @property
    def now(self) -> datetime:
        return datetime.fromisoformat(self.expect["now"])

    @property
    def url(self) -> str | None:
        return self.expect.get("url")


@dataclass
class Score:
    checks: list[tuple[str, bool, object, object]] = field(default_factory=list)  # (field, ok, expected, got)

    def add(self, name: str, ok: bool, expected, got) -> None:
        self.checks.append((name, ok, expected, got))

    @property
    def right(self) -> int:
        return sum(1 for c in self.checks if c[1])

    @property
    def total(self) -> int:
        return len(self.checks)


def load_corpus(root: Path = CORPUS, halves: tuple[str, ...] = HALVES) -> list[Page]:
    pages = []
    for half in halves:
        for html_path in sorted((root / half).glob("*.html")):
            expect_path = html_path.with_name(html_path.stem + ".expect.json")
            expect = json.loads(expect_path.read_text("utf-8")) if expect_path.exists() else None
            pages.append(Page(html_path.stem, half, html_path, expect))
    return pages


# --- comparison ------------------------------------------------------------------------------------------------


def _instant(value) -> datetime | None:
    if not value:
        return None
    try:
        dt = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return dt if dt.tzinfo else None


def same_time(expected, got) -> bool:
    if expected is None or got is None:
        return expected is None and got is None
    a, b = _instant(expected), _instant(got)
    return a is not None and b is not None and a == b


def same_amount(expected, got) -> bool:
    if expected is None or got is None:
        return expected is None and got is None
    try:
        return Decimal(str(expected)) == Decimal(str(got))
    except InvalidOperation:
        return False


def _bare(text) -> str:
    return re.sub(r"\s+", "", str(text))


def same_text(expected, got) -> bool:
    if expected is None or got is None:
        return expected is None and got is None
    return _bare(expected) == _bare(got)


def channel(text) -> str | None:
    low = _bare(text).lower()
    for name, words in PAYMENT_CHANNELS:
        if any(w in low for w in words):
            return name
    return None


def same_payment(expected, got) -> bool:
    if expected is None or got is None:
        return expected is None and got is None
    want = channel(expected)
    return want == channel(got) if want else same_text(expected, got)


def _order_value(order: dict, key: str):
    if key == "order_no":
        return order.get("order_no", order.get("order_id"))
    return order.get(key)


_COMPARE = {"amount": same_amount, "ordered_at": same_time, "paid_at": same_time, "product": same_text,
            "payment_method": same_payment}


def score(result: dict, fields: dict) -> Score:
    """Checked fields of one page: each listed expectation against the extract() result."""
    s = Score()
    order = result.get("order") or {}
    for key, want in fields.items():
        if key == "page_kind":
            s.add(key, result.get("page_kind") == want, want, result.get("page_kind"))
        elif key in ORDER_KEYS:
            got = _order_value(order, key)
            s.add(key, _COMPARE.get(key, lambda a, b: a == b)(want, got), want, got)
        elif key == "promise":
            got = (result.get("promise") or {}).get("within_seconds")
            s.add("promise.within_seconds", got == want["within_seconds"], want["within_seconds"], got)
        elif key == "deadline":
            s.add(key, same_time(want, result.get("deadline")), want, result.get("deadline"))
        elif key == "messages":
            _score_messages(s, want, result.get("messages") or [])
        else:
            raise KeyError(f"unknown expected field {key!r}")
    return s


def _score_messages(s: Score, wanted: list[dict], got: list[dict]) -> None:
    s.add("messages.count", len(got) == len(wanted), len(wanted), len(got))
    start = 0
    for w in wanted:
        hit = next((i for i in range(start, len(got)) if _bare(w["text"]) in _bare(got[i].get("text") or "")), None)
        if hit is None:
            s.add("message.role", False, w["role"], None)
            s.add("message.time", False, w["time"], None)
            continue
        start = hit + 1
        role = got[hit].get("role", got[hit].get("sender"))
        s.add("message.role", role == w["role"], w["role"], role)
        s.add("message.time", same_time(w["time"], got[hit].get("time")), w["time"], got[hit].get("time"))
