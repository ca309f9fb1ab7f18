"""Hostile values against the real aiohttp app and the reminder scheduler (issue 15, breaks 5, 3 and 10).

Each test names the break it pins; each failed on the code before the fix."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest

from helper.core import clock
from helper.store import Store

MARKUP = "<iframe src=file:///etc/passwd>"


@pytest.mark.parametrize("field, value", [
    ("ordered_at", MARKUP),
    ("deadline", "2026-11-27 10:00:00"),  # no offset: ambiguous
    ("paid_at", "tomorrow"),
    ("deadline", "2026-11-27T10:00:00"),
])
async def test_break5_order_times_must_be_iso_8601_with_offset(client, auth, field, value):
    """Break 5: POST /api/orders accepted any string as ordered_at / deadline."""
    body = {"url": "https://shop.example/order/1", "order_no": "A1", field: value}
    r = await client.post("/api/orders", json=body, headers=auth)
    assert r.status == 400, await r.text()
    assert field in (await r.json())["error"]["message"]
    ok = {**body, field: "2026-11-27T10:00:00+08:00"}
    assert (await client.post("/api/orders", json=ok, headers=auth)).status == 200


def _plant(config, **values):
    """A bad stored value as an old version or a hand edit left it (the API no longer takes one)."""
    conn = sqlite3.connect(config.data_dir / "witness.db")
    sets = ", ".join(f"{k}=?" for k in values)
    conn.execute(f"UPDATE orders SET {sets} WHERE order_no='BAD'", tuple(values.values()))
    conn.commit()
    conn.close()


async def test_break5_order_list_and_reminders_survive_any_stored_value(client, auth, config):
    """Break 5: one bad stored deadline made GET /api/orders 500 and the reminder tick fail for every order."""
    from helper.escalation.scheduler import Scheduler

    past = clock.iso(clock.utcnow() - timedelta(hours=2))
    for no, deadline in (("BAD", None), ("GOOD", past)):
        r = await client.post("/api/orders", json={"url": "https://shop.example/o", "order_no": no, "deadline": deadline,
                                                   "promise_seconds": 300}, headers=auth)
        assert r.status == 200
    _plant(config, deadline=MARKUP, ordered_at="yesterday", promise_seconds="lots")
    r = await client.get("/api/orders", headers=auth)
    assert r.status == 200, await r.text()
    bad = next(o for o in (await r.json())["orders"] if o["order_no"] == "BAD")
    assert bad["deadline"] == MARKUP  # shown as stored (escaped by whoever prints it), not acted on

    store = Store(config.data_dir)
    try:
        Scheduler(store, platform_window=timedelta(days=3)).tick()  # the app's own scheduler may have fired first
        fired = {e["data"]["order"]["order_no"] for e in store.events() if e["type"] == "order.overdue"}
        assert fired == {"GOOD"}
    finally:
        store.close()
