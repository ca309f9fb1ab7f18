"""The offer as sold (issue 16): snapshots of a shop's product or checkout page taken before payment, kept with
their capture time, deduplicated by content, and linked to the order when its order page appears.

A snapshot is a capture of kind `product`, source `offer`: `dom.html` (the page as the browser had it),
`text.txt` (its visible text) and `offer.json` (goods, price, face value, the shop's promise, the shop, the
content hash). An unchanged offer seen again (the buyer goes to pay) is not stored twice: an `offer.seen` chain
event records the moment against the first snapshot. When an order page of the same shop and goods is tracked,
the snapshots taken before payment are linked to it (`capture.linked`), and an order whose page shows no promise
of its own takes the promise of the latest such snapshot (`promise_source` = `offer_snapshot`, an
`order.updated` event), so its deadline, drafts and report rest on the offer as it was sold.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from helper.core.clock import china, parse_iso
from helper.core.errors import BadRequest, Busy
from helper.store import Store
from helper.understanding import deadlines, shop_host
from helper.understanding.risk import offer_facts, same_goods

SOURCE = "offer"
REASONS = ("opened", "pay", "checkout")
PROMISE_SOURCE = "offer_snapshot"
# A snapshot counts as "before payment" up to this long after the shop's payment time (the shop's clock and the
# buyer's differ a little), and is not older than LOOKBACK.
SLACK = timedelta(minutes=10)
LOOKBACK = timedelta(days=30)
# A page that changes its text on every look must not fill the store: new snapshots per shop and hour.
MAX_NEW_PER_HOUR = 30


def buyer_history(store: Store) -> list[dict]:
    """Every tracked order, marked `was_overdue` when an overdue reminder fired for it while the shop still had it
    open (the risk check's input). A reminder that fired while the order's page already said delivered or refunded
    (`escalation.awaiting_confirmation`: it only asks the buyer to confirm) says nothing about the shop's delay:
    counting it made the answer depend on whether the scheduler's start-up look had run before the request."""
    overdue = {r["order_id"] for r in store.query(
        "SELECT DISTINCT order_id FROM events WHERE type='order.overdue' "
        "AND json_extract(data, '$.escalation.awaiting_confirmation') IS NULL")}
    return [{**o, "was_overdue": o["id"] in overdue} for o in store.list_orders()]


def find_snapshot(store: Store, host: str, content_sha256: str) -> dict | None:
    rows = store.query(
        "SELECT id FROM captures WHERE kind='product' AND source=? AND json_extract(meta, '$.content_sha256')=? "
        "AND json_extract(meta, '$.offer.shop.host')=? ORDER BY id LIMIT 1", (SOURCE, content_sha256, host))
    return store.get_capture(rows[0]["id"]) if rows else None


def keep_offer(store: Store, *, html: str, url: str, title: str | None, reason: str, now: datetime) -> dict:
    """Store a snapshot of the offer, or record that an unchanged one was seen again. Returns
    {"snapshot": {id, captured_at, sha256 (of dom.html), content_sha256, reused, reason, offer}}."""
    if reason not in REASONS:
        raise BadRequest(f"reason must be one of {', '.join(REASONS)}")
    host = shop_host(url)
    if not host:
        raise BadRequest("url must be an http(s) address of the shop")
    facts = offer_facts(html, url, now=now)
    text = facts.pop("text")
    existing = find_snapshot(store, host, facts["content_sha256"])
    if existing is not None:
        store.append_event("offer.seen", {"capture_id": existing["id"], "reason": reason,
                                          "content_sha256": facts["content_sha256"]},
                           capture_id=existing["id"], order_id=existing.get("order_id"))
        return {"snapshot": view(existing, reused=True, reason=reason)}
    _check_rate(store, host, now)
    meta = {"reason": reason, "content_sha256": facts["content_sha256"], "offer": facts,
            "page": {"url": url, "title": title}}
    capture = store.add_capture(
        kind="product", source=SOURCE, url=url, title=title, captured_at=now, meta=meta,
        files={"dom.html": html.encode("utf-8"), "text.txt": text.encode("utf-8"),
               "offer.json": json.dumps(facts, ensure_ascii=False, indent=2).encode("utf-8")})
    return {"snapshot": view(capture, reused=False, reason=reason)}


def _check_rate(store: Store, host: str, now: datetime) -> None:
    rows = store.query("SELECT captured_at FROM captures WHERE kind='product' AND source=? AND "
                       "json_extract(meta, '$.offer.shop.host')=? ORDER BY id DESC LIMIT ?", (SOURCE, host, MAX_NEW_PER_HOUR))
    if len(rows) >= MAX_NEW_PER_HOUR and parse_iso(rows[-1]["captured_at"]) > now - timedelta(hours=1):
        raise Busy(f"这家店一小时内已保存 {MAX_NEW_PER_HOUR} 个不同的商品页快照，暂停保存 / {MAX_NEW_PER_HOUR} different offer "
                   f"snapshots of {host} within an hour; not keeping more for now", retry_after=600)


def dom_sha256(capture: dict) -> str | None:
    return next((a["sha256"] for a in capture.get("artifacts", []) if a["name"] == "dom.html"), None)


def view(capture: dict, *, reused: bool, reason: str) -> dict:
    meta = capture.get("meta") or {}
    return {"id": capture["id"], "captured_at": capture["captured_at"], "url": capture.get("url"),
            "sha256": dom_sha256(capture), "content_sha256": meta.get("content_sha256"), "reused": reused,
            "reason": reason, "order_id": capture.get("order_id"), "offer": meta.get("offer")}


def snapshots_before(store: Store, order: dict, now: datetime) -> list[dict]:
    """Unlinked snapshots of this shop and goods taken before the order was paid (oldest first)."""
    paid = order.get("paid_at") or order.get("ordered_at")
    until = (parse_iso(paid) if paid else now) + SLACK
    rows = store.query("SELECT id FROM captures WHERE kind='product' AND source=? AND order_id IS NULL "
                       "AND json_extract(meta, '$.offer.shop.host')=? ORDER BY captured_at, id", (SOURCE, order["shop_host"]))
    out = []
    for r in rows:
        cap = store.get_capture(r["id"])
        at = parse_iso(cap["captured_at"])
        if until - LOOKBACK <= at <= until and same_goods(cap["meta"]["offer"].get("product"), order.get("product")):
            out.append(cap)
    return out


def link_offers(store: Store, order: dict, now: datetime) -> dict:
    """Link the offer snapshots taken before payment to `order`; give an order without a promise of its own the
    promise of the latest one that states one. Returns the order (updated or not)."""
    snaps = snapshots_before(store, order, now)
    for cap in snaps:
        store.link_capture(cap["id"], order["id"])
    if order.get("promise_text") and order.get("promise_source") not in (None, "auto_delivery"):
        return order
    with_promise = [c for c in snaps if (c["meta"]["offer"].get("promise") or {}).get("within_seconds") is not None]
    if not with_promise:
        return order
    promise = with_promise[-1]["meta"]["offer"]["promise"]
    when = lambda v: parse_iso(v) if v else None  # noqa: E731
    # the shop's own words on its product page: counted from payment, by the one deadline rule
    deadline = deadlines.deadline({**promise, "source": "product"}, paid_at=when(order.get("paid_at")),
                                  ordered_at=when(order.get("ordered_at")), status_code=order.get("status_code"))
    updated, _ = store.upsert_order(order["shop_host"], order["order_no"], {
        "promise_text": promise["text"], "promise_seconds": promise["within_seconds"],
        "promise_source": PROMISE_SOURCE, "deadline": deadline}, capture_id=with_promise[-1]["id"])
    return updated


def promise_snapshot(captures: list[dict], order: dict) -> dict | None:
    """The snapshot an order's promise was taken from (for drafts and the report to quote), or None."""
    if order.get("promise_source") != PROMISE_SOURCE:
        return None
    found = [c for c in captures if c.get("source") == SOURCE
             and (((c.get("meta") or {}).get("offer") or {}).get("promise") or {}).get("text") == order.get("promise_text")]
    return found[-1] if found else None


def promise_quote(captures: list[dict], order: dict) -> str | None:
    """“付款后5分钟内自动发货”（商品页快照 #3，取证时间 …，SHA-256 …）, when the promise comes from a snapshot."""
    cap = promise_snapshot(captures, order)
    if cap is None:
        return None
    return (f"“{order['promise_text']}”（商品页快照 #{cap['id']}，取证时间 {china(cap['captured_at'])}，"
            f"页面文件 dom.html 的 SHA-256 {dom_sha256(cap)}）")
