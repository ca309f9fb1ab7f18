"""Delivery promises ("5分钟内发货", "付款后2小时内处理完成", "48 小时内完成", "即时发货") and which one applies.

Candidates come with the place they were found (`source`): "chat" (a merchant's message), "order_note"
(the order page's own notes), "product" (a product description), "rules" (shop or platform rules) and
"auto_delivery" (implied by an auto-delivery order type, within 0 seconds). One is chosen:

1. drop candidates that name another delivery mode or product class than this order's (a "代开类商品"
   clause does not apply to a game card; "人工处理" clauses do not apply to an auto order), unless that would
   drop them all;
2. then by source: order_note (written on this order's page), chat (a merchant's word counts, but a
   general "自动发货商品即时发货" in a widget does not override the order page), product, rules, auto_delivery;
3. within chat the latest message, elsewhere the first in the page; a clause naming this product's class
   beats a generic one.

Clock-time promises ("今天21点前给你处理", "周五前") come from clock_promises.py and carry their `clock`; `describe`
places them on the calendar. Outside a merchant's chat message, reported speech ("商品写着 1 小时内到账",
"你们说好的24小时内") is somebody quoting a promise, not making one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from . import clock_promises, deadlines

SOURCES = ("order_note", "chat", "product", "rules", "auto_delivery")

_CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {
    "秒": 1, "秒钟": 1, "s": 1,
    "分": 60, "分钟": 60, "min": 60, "mins": 60,
    "小时": 3600, "个小时": 3600, "钟头": 3600, "个钟头": 3600, "h": 3600, "hr": 3600, "hrs": 3600,
    "天": 86400, "日": 86400, "个工作日": 86400, "工作日": 86400,
}
_NUM = r"\d+(?:\.\d+)?|[零一二两三四五六七八九十百半]+"
_DURATION = re.compile(
    rf"(?:(?:{_NUM})\s*[-~～至到]\s*)?(?P<num>{_NUM})\s*(?P<unit>个小时|个钟头|个工作日|工作日|小时|钟头|分钟|秒钟|mins?|hrs?|[分秒天日hs])"
    r"\s*(?:之内|以内|内)",
    re.I,
)
_INSTANT = re.compile(r"即时发货|立即发货|秒发货?|即时到账|秒到账|即买即发|自动秒发")
_CLAUSE_END = "。！!？?；;\n·•|"
_DELIVERY_WORDS = re.compile(r"发货|处理|完成|到账|交付|充值|发送|发卡|出货|安排|补单|给你|给您|发给|发出|上号|代开|开通|激活")
_FOR_THE_BUYER = re.compile(r"^.{0,4}?(?:发货|处理|到账|开通)|^\s*(?:给你|给您|帮你|帮您)")  # "3天内给您换新卡或退款"
_NOT_DELIVERY_AFTER = re.compile(r"^.{0,8}?(?:支付|付款|下单|确认收货|申请|评价|投诉|有效|退款|失效)")
_MISSED = re.compile(r"^\s*(?:未|没有?|不)(?:发货|处理|到账|完成|收到|到|发)")
_AUTO_HINT = re.compile(r"自动")
_MANUAL_HINT = re.compile(r"人工|手动|代充|代开|代刷|手工")
_CLASS = re.compile(r"([\u4e00-\u9fa5A-Za-z]{1,6})类")
_QUOTED = re.compile(r"写着|写的|说好|说过|不是说|你们说|你说|你们承诺|你承诺|答应过?|标着|标的")


@dataclass(frozen=True)
class Promise:
    text: str
    within_seconds: int
    source: str
    position: int = 0
    at: datetime | None = None  # when it was said (chat messages)
    scope: str = ""  # the comma-delimited part holding the window, for mode/class hints
    clock: clock_promises.ClockSpec | None = None  # a clock-time promise; within_seconds comes from describe()

    def as_dict(self) -> dict:
        return {"text": self.text, "within_seconds": self.within_seconds, "source": self.source}


def _number(s: str) -> float | None:
    try:
        return float(s)
    except ValueError:
        pass
    if s == "半":
        return 0.5
    total, cur = 0, 0
    for ch in s:
        if ch in _CN_DIGITS:
            cur = _CN_DIGITS[ch]
        elif ch == "十":
            total += (cur or 1) * 10
            cur = 0
        elif ch == "百":
            total += (cur or 1) * 100
            cur = 0
        elif ch == "半":
            return total + cur + 0.5 if (total or cur) else 0.5
        else:
            return None
    total += cur
    return float(total) if total else None


_LEAD_LABEL = re.compile(r"^(?:购买提示|温馨提示|友情提示|提示|注意|注意事项|公告|通知|说明|备注|发货说明|购买须知|重要提示)\s*[:：]\s*")


def _clause(text: str, start: int, end: int, ends: str = _CLAUSE_END) -> str:
    a = max(text.rfind(c, 0, start) for c in ends) + 1
    bs = [i for i in (text.find(c, end) for c in ends) if i != -1]
    b = min(bs) if bs else len(text)
    clause = text[a:b].strip()
    if a < start - 1:
        clause = _LEAD_LABEL.sub("", clause)  # "购买提示：付款后5分钟内…" -> "付款后5分钟内…"
    return clause[:120]


def _scope(text: str, start: int, end: int) -> str:
    return _clause(text, start, end, _CLAUSE_END + "，,、")


def find_promises(text: str, source: str, *, position: int = 0, at: datetime | None = None) -> list[Promise]:
    """Delivery promises in one piece of text found in `source`. Payment windows ("10分钟内完成支付") are not
    promises; "24小时内未发货可退款" is (it states the delivery window)."""
    out: list[Promise] = []
    if not text:
        return out
    for start, end, spec in clock_promises.find_clock_promises(text):
        out.append(Promise(_clause(text, start, end), 0, source, position + start, at, _scope(text, start, end), spec))
    for m in _DURATION.finditer(text):
        after = text[m.end(): m.end() + 12]
        before = text[max(0, m.start() - 12): m.start()]
        if not _MISSED.match(after):
            if _NOT_DELIVERY_AFTER.match(after) and not _FOR_THE_BUYER.match(after):
                continue
            clause = _clause(text, m.start(), m.end())
            if source != "chat" and not _DELIVERY_WORDS.search(clause):
                continue
            if re.search(r"(?:请|需|须)在\s*$", before) and _NOT_DELIVERY_AFTER.match(after):
                continue
        num = _number(m.group("num"))
        unit = _UNITS.get(m.group("unit").lower())
        if num is None or unit is None:
            continue
        seconds = int(round(num * unit))
        if seconds <= 0 or seconds > 60 * 86400:
            continue
        out.append(Promise(_clause(text, m.start(), m.end()), seconds, source, position + m.start(), at,
                           _scope(text, m.start(), m.end())))
    for m in _INSTANT.finditer(text):
        if any(p.position <= position + m.start() < p.position + len(p.text) + 12 for p in out):
            continue  # "付款后5分钟内自动秒发" already has its window
        out.append(Promise(_clause(text, m.start(), m.end()), 0, source, position + m.start(), at,
                           _scope(text, m.start(), m.end())))
    if source != "chat":
        out = [p for p in out if not _quoted(text, p.position - position)]
    return out


def in_messages(messages: list[dict]) -> list[Promise]:
    """The promises of a chat: the merchant's messages only (a buyer quoting one makes none)."""
    out: list[Promise] = []
    for i, m in enumerate(messages):
        if m.get("sender") == "merchant" and m.get("text"):
            at = datetime.fromisoformat(m["time"]) if m.get("time") else None
            out += find_promises(m["text"], "chat", position=i, at=at)
    return out


def latest_in_chat(messages: list[dict]) -> dict | None:
    """The merchant's latest promise in a chat read on its own (a screenshot), described as understanding reports
    it, else None."""
    chosen = choose(in_messages(messages), product=None, mode=None)
    return describe(chosen, paid_at=None, ordered_at=None) if chosen else None


def _quoted(text: str, start: int) -> bool:
    """Reported speech before the promise in its clause: "商品写着 1 小时内到账" quotes a promise."""
    a = max(text.rfind(c, 0, start) for c in _CLAUSE_END + "，,") + 1
    return bool(_QUOTED.search(text[a:start]))


def describe(p: Promise, *, paid_at: datetime | None, ordered_at: datetime | None) -> dict:
    """The promise as understanding reports it: {"text", "within_seconds", "source"}. A clock-time promise's
    within_seconds runs from its anchor (deadlines.anchor) to the promised time; None when the anchor is unknown."""
    within: int | None = p.within_seconds
    if p.clock is not None:
        start = deadlines.anchor(p.source, p.text, said_at=p.at, paid_at=paid_at, ordered_at=ordered_at)
        within = int((clock_promises.resolve(p.clock, start) - start).total_seconds()) if start else None
    return {"text": p.text, "within_seconds": within, "source": p.source}


def _mode_hint(p: Promise) -> str | None:
    scope = p.scope or p.text
    if _MANUAL_HINT.search(scope):
        return "manual"
    if _AUTO_HINT.search(scope):
        return "auto"
    return None


def _applies(p: Promise, product: str | None, mode: str | None) -> int:
    """2 names this order's class, 1 generic, 0 names another mode or class."""
    hint = _mode_hint(p)
    if hint and mode and hint != mode:
        return 0
    classes = [c for c in _CLASS.findall(p.scope or p.text) if c not in ("各", "此", "该", "这", "本", "同")]
    if classes:
        if product and any(c[-2:] in product for c in classes):
            return 2
        if hint and mode and hint == mode:
            return 2  # "代充类商品…" on a manual order: the class is the order's delivery mode
        return 0 if product else 1
    return 1


def choose(candidates: list[Promise], *, product: str | None, mode: str | None) -> Promise | None:
    if not candidates:
        return None
    scored = [(p, _applies(p, product, mode)) for p in candidates]
    if any(s > 0 for _, s in scored):
        scored = [(p, s) for p, s in scored if s > 0]
    rank = {s: i for i, s in enumerate(SOURCES)}

    def key(item):
        p, s = item
        latest = -(p.at.timestamp() if p.at else 0) if p.source == "chat" else 0
        return (rank.get(p.source, len(SOURCES)), -s, latest, -p.position if p.source == "chat" else p.position)

    return min(scored, key=key)[0]
