"""A page never stops the reminders on its own (issue 15): an order page that says 已完成 (with card keys) moves the
order's status, recorded as `order.updated`, but the escalation only asks the buyer to confirm; the reminders go
on until the buyer's `delivered` action, and come back when that action is withdrawn."""

import asyncio
from datetime import datetime, timedelta, timezone

import pytest

from fakeclock import FakeClock
from helper.api import keys
from helper.core.clock import iso
from helper.orders.tracking import analyse, record
from test_escalation import caught_up, reminders, timed  # noqa: F401  (timed: the real app on this file's fake clock)

START = datetime(2026, 11, 27, 4, 0, tzinfo=timezone.utc)
URL = "http://127.0.0.1:8101/detail-order-sn/K7Q2M9X4T1B8C3D5"

ORDER_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>星辰卡铺 - 订单详情</title></head><body>
<div class="order"><p><label>订单号：</label><span>K7Q2M9X4T1B8C3D5</span></p>
<p><label>订单名称：</label><span>王者荣耀 648 点券</span></p>
<p><label>订单创建时间：</label><span>2026-11-27 11:58:02</span></p>
<p><label>实际支付价格：</label><span>¥ 588.00</span></p>
<p><label>订单状态：</label><span>{status}</span></p>{keys}</div>
<footer>粤ICP备2024051234号-1</footer></body></html>"""
CARD_KEYS = "<p><label>卡密：</label><span>QWER-TYUI-5566-7788</span></p>"


@pytest.fixture
def fake():
    return FakeClock(START)


async def capture_page(client, html: str, now: datetime) -> dict:
    """What the after-capture step does with a stored order page: analyse once, store, track the order."""
    store = client.app[keys.STORE]
    result = analyse(html, URL, now)
    cap = await asyncio.to_thread(store.add_capture, kind="order", source="evidence_browser", url=URL, title="t",
                                  files={"dom.html": html.encode()}, messages=result["messages"])
    return await asyncio.to_thread(record, store, cap, result, html)


async def escalation(client, auth, oid) -> dict:
    r = await client.get(f"/api/orders/{oid}", headers=auth)
    assert r.status == 200
    return (await r.json())["order"]["escalation"]


async def test_a_page_saying_delivered_does_not_stop_reminders_until_the_buyer_confirms(timed, auth, fake):
    client = timed
    r = await client.post("/api/orders", json={"url": URL, "order_no": "K7Q2M9X4T1B8C3D5", "promise_text": "10分钟内发货",
                                                "promise_seconds": 600, "deadline": iso(START + timedelta(minutes=10))},
                          headers=auth)
    oid = (await r.json())["order"]["id"]
    assert (await capture_page(client, ORDER_PAGE.format(status="处理中", keys=""), fake()))["id"] == oid
    await caught_up(client, fake.advance(minutes=11))
    assert [e["type"] for e in reminders(client, oid)] == ["order.overdue"]  # due soon folded in (one moment)

    # The shop's page now says 已完成 and shows a card key: the status change is recorded, nothing hidden ...
    order = await capture_page(client, ORDER_PAGE.format(status="已完成", keys=CARD_KEYS), fake())
    assert order["id"] == oid and order["status_code"] == "delivered"
    updated = [e for e in client.app[keys.STORE].events(order_id=oid) if e["type"] == "order.updated"][-1]
    assert updated["data"]["changes"]["status"] == ["处理中", "已完成"]
    # ... but the order stays on the path, waiting for the buyer, and says so in Chinese.
    esc = await escalation(client, auth, oid)
    assert esc["stage"] == "contact_merchant" and esc["awaiting_confirmation"] == "delivered"
    assert "请确认你已收到卡密" in esc["confirmation"]["zh"] and "在你确认前提醒不会停止" in esc["confirmation"]["zh"]
    r = await client.get(f"/api/orders/{oid}/case", headers=auth)
    case = await r.json()
    assert case["order"]["escalation"]["awaiting_confirmation"] == "delivered"
    assert "resolved" not in {s["state"] for s in case["path"]}
    # The reminders keep firing: two hours after the deadline the first step is due.
    await caught_up(client, fake.advance(minutes=120))
    assert [e["type"] for e in reminders(client, oid)][-1] == "escalation.step_due"
    r = await client.post(f"/api/orders/{oid}/actions", json={"action": "contacted_merchant"}, headers=auth)
    assert (await r.json())["order"]["escalation"]["stage"] == "platform_complaint"  # due 48 h from now
    fired = len(reminders(client, oid))

    # The buyer confirms: resolved, and nothing more fires however long we wait.
    r = await client.post(f"/api/orders/{oid}/actions", json={"action": "delivered"}, headers=auth)
    assert r.status == 200
    body = await r.json()
    seq = body["event"]["seq"]
    assert body["order"]["escalation"]["stage"] == "resolved"
    assert body["order"]["escalation"]["awaiting_confirmation"] is None
    await caught_up(client, fake.advance(hours=50))
    assert len(reminders(client, oid)) == fired

    # A withdrawn confirmation brings the reminders back (the next step fell due meanwhile).
    r = await client.post(f"/api/orders/{oid}/actions/{seq}/withdraw", json={"note": "卡密无效"}, headers=auth)
    assert r.status == 200
    assert (await r.json())["order"]["escalation"]["awaiting_confirmation"] == "delivered"
    await caught_up(client, fake.advance(seconds=1))
    assert len(reminders(client, oid)) == fired + 1
    assert reminders(client, oid)[-1]["data"]["escalation"]["awaiting_confirmation"] == "delivered"


async def test_a_page_saying_refunded_asks_for_the_refunded_action(timed, auth, fake):
    client = timed
    r = await client.post("/api/orders", json={"url": URL, "order_no": "K7Q2M9X4T1B8C3D5",
                                                "deadline": iso(START + timedelta(minutes=10))}, headers=auth)
    oid = (await r.json())["order"]["id"]
    order = await capture_page(client, ORDER_PAGE.format(status="已退款", keys=""), fake())
    assert order["status_code"] == "refunded"
    esc = await escalation(client, auth, oid)
    assert esc["stage"] == "awaiting_delivery" and esc["awaiting_confirmation"] == "refunded"
    assert "已退款" in esc["confirmation"]["zh"] and esc["confirmation"]["action"] == "refunded"
    await caught_up(client, fake.advance(minutes=10))
    assert "order.overdue" in [e["type"] for e in reminders(client, oid)]
