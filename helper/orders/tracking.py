"""From a captured page to a tracked order: the glue between page understanding and the store.

An order page creates or updates its order (keyed by shop host + order number) with the facts, the promise
and the deadline, and the capture is linked to it. A chat or other page from the same shop is linked to the
order it names, or to the shop's one open order; a chat read from a screenshot (no address) to the capture's
order or the order it names. A promise found in a chat replaces the order's when it was made later (the
merchant's "今天21点前给你处理" said after payment replaces the product page's "5分钟内发货", and a later
"明天中午前" replaces that: understanding.deadlines.supersedes); the deadline comes from the one computation,
understanding.deadlines.deadline. Changes are recorded by the store as `order.updated` events (old and new).
"""

from __future__ import annotations

import re
from datetime import datetime

from helper.core.clock import parse_iso
from helper.store import Store
from helper.understanding import deadlines, extract, promises, shop_host

from .offers import link_offers

OPEN_EXCLUDED = {"delivered", "refunded", "expired", "failed"}
SHOP_KINDS = ("order", "chat", "product", "payment")  # page kinds that make a site a card shop to watch


def analyse(html: str | bytes, url: str | None, now: datetime) -> dict:
    """What the page is, plus whether it looks like a card shop (for the extension's default watch list)."""
    result = extract(html, url, now=now)
    result["is_shop"] = is_card_shop(result)
    return result


def is_card_shop(result: dict) -> bool:
    return (
        result["page_kind"] in SHOP_KINDS
        or bool(result["order"]["order_no"])
        or bool(result["promise"] and result["promise"].get("text"))
    )


def order_facts(result: dict, url: str | None) -> dict:
    o = result["order"]
    promise = result.get("promise") or {}
    return {
        "url": url,
        "product": o.get("product"),
        "amount": o.get("amount"),
        "currency": o.get("currency"),
        "status": o.get("status"),
        "status_code": o.get("status_code") if o.get("status_code") != "unknown" else None,
        "ordered_at": o.get("ordered_at"),
        "paid_at": o.get("paid_at"),
        "merchant": o.get("merchant"),
        "delivery_mode": o.get("delivery_mode"),
        "contact": o.get("contact"),
        "promise_text": promise.get("text"),
        "promise_seconds": promise.get("within_seconds"),
        "promise_source": promise.get("source"),
        "deadline": result.get("deadline"),
        "shop_name": (result.get("shop") or {}).get("name"),
        "shop_icp": (result.get("shop") or {}).get("icp"),
    }


def find_order_for(store: Store, host: str | None, text: str) -> dict | None:
    """The shop's order this page names; else the shop's single open order. With no host (a screenshot) only an
    order the text names, of any shop."""
    orders = [o for o in store.list_orders() if host is None or o["shop_host"] == host]
    flat = re.sub(r"\s+", "", text)
    named = [o for o in orders if o["order_no"] and o["order_no"] in flat]
    if len(named) == 1:
        return named[0]
    if named or host is None:
        return None
    open_orders = [o for o in orders if o["status_code"] not in OPEN_EXCLUDED]
    return open_orders[0] if len(open_orders) == 1 else None


def _page_words(result: dict, page_text: str) -> str:
    return page_text + " " + " ".join(m["text"] for m in result.get("messages") or [])


def order_for_capture(store: Store, url: str | None, result: dict, page_text: str) -> dict | None:
    """The tracked order a capture of a page showing no order number of its own belongs to, as `record` links
    it: the shop's order its text names, else the shop's one open order. The capture engine asks this before
    it draws the stamp, so the stamp and the stored capture name the order known at capture time."""
    host = shop_host(url)
    return find_order_for(store, host, _page_words(result, page_text)) if host else None


def page_order(store: Store, host: str, result: dict, page_text: str) -> dict | None:
    """The tracked order a page of the shop belongs to (its banner and its captures' stamp): the order it
    shows; for a chat or ticket page, the order it names or the shop's one open order."""
    order_no = result["order"].get("order_no")
    found = store.find_order(host, order_no) if order_no else None
    if found is None and result["page_kind"] in ("chat", "order"):
        found = find_order_for(store, host, _page_words(result, page_text))
    return found


def _when(value: str | None) -> datetime | None:
    return parse_iso(value) if value else None


def _stored_promise(store: Store, order: dict) -> tuple[dict, datetime | None]:
    """The order's promise as understanding describes one, and when it was made."""
    promise = {"text": order["promise_text"], "within_seconds": order["promise_seconds"], "source": order["promise_source"]}
    said = deadlines.said_at(promise, store.messages(order_id=order["id"]))
    made = deadlines.made_at(promise, said_at=said, paid_at=_when(order["paid_at"]), ordered_at=_when(order["ordered_at"]))
    return promise, made


def apply_promise(store: Store, order: dict, promise: dict, said_at: datetime | None, capture_id: int) -> dict:
    """Give the order `promise` (found in a linked capture) when it replaces the order's own."""
    paid, ordered = _when(order["paid_at"]), _when(order["ordered_at"])
    made = deadlines.made_at(promise, said_at=said_at, paid_at=paid, ordered_at=ordered)
    if not deadlines.supersedes(promise, made, *_stored_promise(store, order)):
        return order
    deadline = deadlines.deadline(promise, said_at=said_at, paid_at=paid, ordered_at=ordered, status_code=order["status_code"])
    order, _ = store.upsert_order(order["shop_host"], order["order_no"], {
        "promise_text": promise["text"], "promise_seconds": promise["within_seconds"],
        "promise_source": promise.get("source"), "deadline": deadline,
    }, capture_id=capture_id)
    return order


def _keep_later_chat_promise(store: Store, order: dict, facts: dict, messages: list[dict]) -> dict:
    """An order page captured again does not undo a merchant's promise made in chat after the page's."""
    old, old_made = _stored_promise(store, order)
    if old["source"] != "chat":
        return facts
    paid, ordered = _when(facts["paid_at"] or order["paid_at"]), _when(facts["ordered_at"] or order["ordered_at"])
    new = {"text": facts["promise_text"], "within_seconds": facts["promise_seconds"], "source": facts["promise_source"]}
    new_made = deadlines.made_at(new, said_at=deadlines.said_at(new, messages), paid_at=paid, ordered_at=ordered)
    if not deadlines.supersedes(old, old_made, new, new_made):
        return facts
    kept = deadlines.deadline(old, said_at=deadlines.said_at(old, store.messages(order_id=order["id"])), paid_at=paid,
                              ordered_at=ordered, status_code=facts["status_code"] or order["status_code"])
    return {**facts, "promise_text": None, "promise_seconds": None, "promise_source": None, "deadline": kept}


def record(store: Store, capture: dict, result: dict, page_text: str = "") -> dict | None:
    """Create/update/link the order for a stored capture. Returns the order, or None when none applies."""
    host = shop_host(capture.get("url"))
    if not host:
        return None
    order_no = result["order"].get("order_no")
    messages = result.get("messages") or []
    if result["page_kind"] == "order" and order_no:
        facts = order_facts(result, capture["url"])
        existing = store.find_order(host, order_no)
        if existing is not None:
            facts = _keep_later_chat_promise(store, existing, facts, messages)
        order, _ = store.upsert_order(host, order_no, facts, capture_id=capture["id"])
        order = link_offers(store, order, parse_iso(capture["captured_at"]))  # the offer as sold, kept before paying
    else:  # the order the capture was stored with (asked for, or found at capture time), else the one it names
        order = store.get_order(capture["order_id"]) if capture.get("order_id") is not None else \
            find_order_for(store, host, _page_words(result, page_text))
        if order is None:
            return None
        promise = result.get("promise") or {}
        order = apply_promise(store, order, promise, deadlines.said_at(promise, messages), capture["id"])
    if capture.get("order_id") is None:
        store.link_capture(capture["id"], order["id"])
    return store.get_order(order["id"])


def record_chat(store: Store, capture: dict, messages: list[dict]) -> dict | None:
    """Messages read from a chat screenshot (an import, a desktop capture): linked to the capture's order, else to
    the order they name; stored as the capture's messages; the merchant's latest promise applied."""
    if capture.get("order_id") is not None:
        order = store.get_order(capture["order_id"])
    else:
        order = find_order_for(store, None, " ".join(m["text"] for m in messages))
        if order is not None:
            store.link_capture(capture["id"], order["id"])
    promise = promises.latest_in_chat(messages)
    if order is not None and promise is not None:
        order = apply_promise(store, order, promise, deadlines.said_at(promise, messages), capture["id"])
    if not capture.get("message_count"):  # last, as for a page (record, then messages): whoever sees the messages'
        store.add_messages(capture["id"], messages)  # event sees the order linked and its promise applied
    return store.get_order(order["id"]) if order is not None else None


def on_capture_stored(store: Store, capture: dict, analysis: dict | None, html: str | None) -> dict | None:
    """The after-capture step the capture service is given: with the page's analysis (taken once, by the
    capture), keep its chat messages and track its order."""
    if not html or analysis is None:
        return None
    result = {**analysis, "is_shop": is_card_shop(analysis)}
    order = record(store, capture, result, html if isinstance(html, str) else "")
    if result["messages"] and not capture.get("message_count"):
        store.add_messages(capture["id"], result["messages"])  # after linking, so the event names the order
    return {"analysis": result, "order_id": order["id"] if order else None}


# What the capture service is given (the API's and the CLI's): CaptureService(config, store, **CAPTURE_HOOKS).
CAPTURE_HOOKS = {"after_capture": on_capture_stored, "order_for": order_for_capture}
