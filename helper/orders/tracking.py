"""From a captured page to a tracked order: the glue between page understanding and the store.

An order page creates or updates its order (keyed by shop host + order number) with the facts, the promise
and the deadline, and the capture is linked to it. A chat or other page from the same shop is linked to the
order it names, or to the shop's one open order. A merchant's promise found in a chat gives an order that
has none its promise and deadline. Changes are recorded by the store as `order.updated` events.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from helper.core.clock import iso, parse_iso
from helper.store import Store
from helper.understanding import extract, shop_host

OPEN_EXCLUDED = {"delivered", "refunded", "expired", "failed"}


def analyse(html: str | bytes, url: str | None, now: datetime) -> dict:
    """What the page is, plus whether it looks like a card shop (for the extension's default watch list)."""
    result = extract(html, url, now=now)
    result["is_shop"] = is_card_shop(result)
    return result


def is_card_shop(result: dict) -> bool:
    return (
        result["page_kind"] in ("order", "chat", "product", "payment")
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


def find_order_for(store: Store, host: str, text: str) -> dict | None:
    """The shop's order this page names; else the shop's single open order."""
    orders = [o for o in store.list_orders() if o["shop_host"] == host]
    named = [o for o in orders if o["order_no"] and o["order_no"] in text]
    if len(named) == 1:
        return named[0]
    if named:
        return None
    open_orders = [o for o in orders if o["status_code"] not in OPEN_EXCLUDED]
    return open_orders[0] if len(open_orders) == 1 else None


def page_order(store: Store, host: str, result: dict, page_text: str) -> dict | None:
    """The tracked order a page of the shop belongs to (its banner and its captures' stamp): the order it
    shows; for a chat or ticket page, the order it names or the shop's one open order."""
    order_no = result["order"].get("order_no")
    found = store.find_order(host, order_no) if order_no else None
    if found is None and result["page_kind"] in ("chat", "order"):
        found = find_order_for(store, host, page_text + " " + " ".join(m["text"] for m in result.get("messages") or []))
    return found


def record(store: Store, capture: dict, result: dict, page_text: str = "") -> dict | None:
    """Create/update/link the order for a stored capture. Returns the order, or None when none applies."""
    host = shop_host(capture.get("url"))
    if not host:
        return None
    order_no = result["order"].get("order_no")
    if result["page_kind"] == "order" and order_no:
        order, _ = store.upsert_order(host, order_no, order_facts(result, capture["url"]), capture_id=capture["id"])
    else:
        order = find_order_for(store, host, page_text + " " + " ".join(m["text"] for m in result.get("messages") or []))
        if order is None:
            return None
        promise = result.get("promise") or {}
        if not order["promise_text"] and promise.get("text") and promise.get("within_seconds") is not None:
            base = order["paid_at"] or order["ordered_at"]
            deadline = iso(parse_iso(base) + timedelta(seconds=promise["within_seconds"])) if base else result.get("deadline")
            order, _ = store.upsert_order(host, order["order_no"], {
                "promise_text": promise["text"], "promise_seconds": promise["within_seconds"],
                "promise_source": promise.get("source"), "deadline": deadline,
            }, capture_id=capture["id"])
    if capture.get("order_id") is None:
        store.link_capture(capture["id"], order["id"])
    return store.get_order(order["id"])


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
