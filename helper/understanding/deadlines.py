"""The one deadline computation, used by page understanding, tracked orders, offers and the case page: what a
promise counts from, when it was made, which of two promises stands, and how to say it.

A promise is counted from its *anchor*:
- a chat message (the merchant's words) counts from when it was said, unless it says it counts from payment
  ("付款后30分钟内发货"), or its time is unknown;
- the shop's own texts (order notes, product descriptions, rules) count from payment, else from the order time.

A clock-time promise ("今天21点前", clock_promises.py) is placed against its anchor, and its `within_seconds` is
the time from the anchor to the promised time, so that one rule, deadline = anchor + within_seconds, serves
every promise (and a stored order can be re-timed from its row).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from helper.core.clock import iso

from .clock_promises import find_clock_promises

NO_DEADLINE_STATUSES = ("unpaid", "expired", "refunded")  # nothing is owed
_FROM_PAYMENT = re.compile(r"(?:付款|支付|下单|拍下|购买|付清)(?:成功|完成)?(?:之?后|起)")


def anchor(source: str | None, text: str | None, *, said_at: datetime | None, paid_at: datetime | None,
           ordered_at: datetime | None) -> datetime | None:
    """What a promise counts from: see the module doc."""
    base = paid_at or ordered_at
    if source == "chat" and said_at is not None and not (base and _FROM_PAYMENT.search(text or "")):
        return said_at
    return base or (said_at if source == "chat" else None)


def deadline(promise: dict | None, *, paid_at: datetime | None, ordered_at: datetime | None,
             said_at: datetime | None = None, status_code: str | None = None) -> str | None:
    """The deadline of an order's promise ({"text", "within_seconds", "source"}): anchor + within_seconds, as
    ISO text; None when nothing is owed (unpaid, expired, refunded) or the anchor is unknown."""
    if not promise or promise.get("within_seconds") is None or status_code in NO_DEADLINE_STATUSES:
        return None
    start = anchor(promise.get("source"), promise.get("text"), said_at=said_at, paid_at=paid_at, ordered_at=ordered_at)
    return iso(start + timedelta(seconds=promise["within_seconds"])) if start is not None else None


def made_at(promise: dict | None, *, said_at: datetime | None, paid_at: datetime | None,
            ordered_at: datetime | None) -> datetime | None:
    """When a promise was made: a merchant's chat message when it was said; the shop's own texts (order notes,
    product, rules, auto delivery) with the order (paid_at, else ordered_at)."""
    if not promise or not promise.get("text"):
        return None
    return said_at if promise.get("source") == "chat" else (paid_at or ordered_at)


def supersedes(new: dict | None, new_made: datetime | None, old: dict | None, old_made: datetime | None) -> bool:
    """Does promise `new` replace `old`? A promise replaces no promise; otherwise only one made strictly later
    ("今天21点前" said at 14:00, then "明天中午前" at 21:30: the second is the one the buyer now waits on; the first
    stays in the order's history as the old value of its `order.updated` event)."""
    if not new or not new.get("text") or new.get("within_seconds") is None:
        return False
    if not old or not old.get("text"):
        return True
    return new_made is not None and old_made is not None and new_made > old_made


def explain(promise: dict, *, paid: bool) -> dict:
    """How a deadline was reached, in words for the case page and drafts: {"zh", "en"} (the rules of `anchor`,
    taking a chat promise's time as known)."""
    text = promise.get("text") or ""
    if promise.get("source") == "chat" and not (paid and _FROM_PAYMENT.search(text)):
        zh, en = "商家说这句话的时间", "when the merchant said it"
    else:
        zh, en = ("付款时间", "paid time") if paid else ("下单时间", "ordered time")
    if find_clock_promises(text):
        return {"zh": f"商家承诺的时刻（按{zh}定日期）", "en": f"the time the merchant named, dated from {en}"}
    minutes = round((promise.get("within_seconds") or 0) / 60)
    return {"zh": f"由{zh} + 承诺时长（{minutes}分钟）算出", "en": f"{en} + the promised {minutes} min"}


def said_at(promise: dict | None, messages: list[dict]) -> datetime | None:
    """When a chat promise was said: the time of the last merchant message holding its text."""
    if not promise or promise.get("source") != "chat" or not promise.get("text"):
        return None
    times = [m["time"] for m in messages
             if m.get("sender") == "merchant" and m.get("time") and promise["text"] in (m.get("text") or "")]
    return max(datetime.fromisoformat(t) for t in times) if times else None
