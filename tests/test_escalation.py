"""Escalation path: placement rules (pure), recorded actions, reminders fired once by the scheduler."""

import asyncio
from datetime import datetime, timedelta, timezone

import pytest

from conftest import EXT_ORIGIN
from fakeclock import FakeClock
from helper.api import keys
from helper.core.clock import CHINA, iso
from helper.escalation.reminders import reminders_for
from helper.escalation.rules import STEPS, place

PAID = datetime(2026, 11, 20, 14, 0, tzinfo=CHINA)
W = timedelta(days=3)


def order(**kw):
    base = {"id": 1, "order_no": "A1", "amount": "58.00", "status_code": "paid", "promise_text": "5分钟内发货",
            "promise_seconds": 300, "deadline": iso(PAID + timedelta(minutes=5))}
    return {**base, **kw}


def act(action, at):
    return {"action": action, "at": iso(at)}


def test_steps_are_one_table():
    assert [s.code for s in STEPS] == ["contact_merchant", "platform_complaint", "platform_management", "regulators",
                                       "police_or_court"]


def test_before_the_deadline():
    p = place(order(), [], PAID + timedelta(minutes=1), platform_window=W)
    assert p.stage == "awaiting_delivery" and p.due_at == PAID + timedelta(minutes=5)
    assert "5分钟内发货" in p.zh


def test_without_deadline():
    assert place(order(deadline=None), [], PAID, platform_window=W).stage == "no_deadline"


def test_overdue_walks_the_path():
    deadline = PAID + timedelta(minutes=5)
    p = place(order(), [], deadline + timedelta(minutes=1), platform_window=W)
    assert p.stage == "contact_merchant" and p.due_at == deadline + timedelta(hours=2)
    contacted = deadline + timedelta(minutes=30)
    acts = [act("contacted_merchant", contacted)]
    p = place(order(), acts, contacted + timedelta(hours=1), platform_window=W)
    # The merchant has 24 h to answer before the platform complaint is due.
    assert p.stage == "platform_complaint" and p.started_at == contacted + timedelta(hours=24)
    filed = contacted + timedelta(hours=25)
    acts.append(act("platform_complaint_filed", filed))
    p = place(order(), acts, filed + timedelta(days=1), platform_window=W)
    assert p.stage == "platform_management" and p.started_at == filed + W
    p = place(order(), acts, filed + timedelta(days=1), platform_window=timedelta(days=5))
    assert p.started_at == filed + timedelta(days=5)
    acts.append(act("platform_management_contacted", filed + timedelta(days=4)))
    p = place(order(), acts, filed + timedelta(days=4), platform_window=W)
    assert p.stage == "regulators" and "12315" in p.zh and "黑猫" in p.zh
    assert p.also == ()


def test_large_amounts_and_fraud_signs_add_police_advice():
    late = PAID + timedelta(hours=1)
    assert place(order(amount="5200.00"), [], late, platform_window=W).also[0].code == "police_or_court"
    assert place(order(amount="5000.00"), [], late, platform_window=W).also == ()
    assert place(order(), [act("fraud_sign", late)], late, platform_window=W).also[0].code == "police_or_court"


@pytest.mark.parametrize("code", ["delivered", "refunded"])
def test_only_the_buyers_action_stops_reminders_a_status_asks_to_confirm(code):
    late = PAID + timedelta(days=2)
    claimed = place(order(status_code=code), [], late, platform_window=W)
    assert claimed.stage == place(order(), [], late, platform_window=W).stage != "resolved"
    assert claimed.awaiting_confirmation == code and claimed.to_json(late)["confirmation"]["action"] == code
    assert reminders_for(order(status_code=code), [], late, platform_window=W) != []
    confirmed = place(order(status_code=code), [act(code, late)], late, platform_window=W)
    assert confirmed.stage == "resolved" and confirmed.to_json(late)["awaiting_confirmation"] is None
    assert reminders_for(order(status_code=code), [act(code, late)], late, platform_window=W) == []
    assert reminders_for(order(), [act("refunded", late)], late, platform_window=W) == []


def test_reminders_have_stable_keys():
    r = reminders_for(order(), [], PAID, platform_window=W)
    assert [x.type for x in r] == ["order.due_soon", "order.overdue"]
    assert r[0].when == PAID + timedelta(minutes=2, seconds=30)  # half of a 5-minute promise
    later = reminders_for(order(), [], PAID + timedelta(hours=1), platform_window=W)
    assert [x.type for x in later] == ["order.overdue", "escalation.step_due"]
    assert later[0].key == r[1].key


async def test_actions_route_and_bad_input(client, auth):
    r = await client.post("/api/orders", json={"url": "https://shop.example/o", "order_no": "A1", "amount": "58.00",
                                                "deadline": "2026-11-20T14:05:00+08:00"}, headers=auth)
    oid = (await r.json())["order"]["id"]
    r = await client.get("/api/orders", headers=auth)
    assert (await r.json())["orders"][0]["escalation"]["stage"] == "contact_merchant"
    r = await client.post(f"/api/orders/{oid}/actions", json={"action": "contacted_merchant", "note": "QQ 留言"}, headers=auth)
    assert r.status == 200
    body = await r.json()
    assert body["event"]["type"] == "action.recorded" and body["order"]["escalation"]["stage"] == "platform_complaint"
    for payload, status in [({"action": "dance"}, 400), ({"action": "refunded", "at": "yesterday"}, 400),
                            ({"action": "refunded", "at": "2999-01-01T00:00:00+08:00"}, 400), ({}, 400)]:
        r = await client.post(f"/api/orders/{oid}/actions", json=payload, headers=auth)
        assert r.status == status, payload
    r = await client.post("/api/orders/999/actions", json={"action": "refunded"}, headers=auth)
    assert r.status == 404
    r = await client.get(f"/api/orders/{oid}", headers=auth)
    assert [a["action"] for a in (await r.json())["actions"]] == ["contacted_merchant"]


START = datetime(2026, 11, 20, 6, 0, tzinfo=timezone.utc)
REMINDERS = ("order.due_soon", "order.overdue", "escalation.step_due")


@pytest.fixture
def fake():
    return FakeClock(START)


@pytest.fixture
async def timed(aiohttp_client, config, token, fake):
    """The real app on a fake clock: reminders fire when the test moves the clock, never by waiting."""
    from helper.api import create_app

    return await aiohttp_client(create_app(config, now=fake, sleep=fake.sleep))


async def caught_up(client, at) -> None:
    await asyncio.wait_for(client.app[keys.SCHEDULER].caught_up(at), timeout=30)


def reminders(client, order_id=None) -> list[dict]:
    return [e for e in client.app[keys.STORE].events(order_id=order_id) if e["type"] in REMINDERS]


async def track(client, auth, deadline, order_no="B2", promise_seconds=600):
    r = await client.post("/api/orders", json={"url": "https://shop.example/o", "order_no": order_no, "amount": "30.00",
                                                "promise_text": "10分钟内发货", "promise_seconds": promise_seconds,
                                                "deadline": iso(deadline)}, headers=auth)
    assert r.status == 200
    return (await r.json())["order"]["id"]


async def test_deadline_passing_is_pushed_once_and_notifications_are_recorded(timed, auth, token, fake):
    client = timed
    ws = await client.ws_connect("/api/events", headers={"Origin": EXT_ORIGIN})
    await ws.send_json({"type": "auth", "token": token, "since": 0})
    assert (await ws.receive_json(timeout=30))["type"] == "ready"
    deadline = START + timedelta(minutes=10)
    oid = await track(client, auth, deadline)
    # Nothing is due yet; due soon at half the promise before the deadline (5 minutes).
    await caught_up(client, fake())
    assert reminders(client) == []
    await caught_up(client, fake.advance(minutes=4, seconds=59))
    assert reminders(client) == []
    await caught_up(client, fake.advance(seconds=1))
    assert [e["type"] for e in reminders(client)] == ["order.due_soon"]
    assert reminders(client)[0]["data"]["seconds_left"] == 300
    await caught_up(client, fake.advance(minutes=4, seconds=59))
    assert [e["type"] for e in reminders(client)] == ["order.due_soon"]
    fake.advance(seconds=1)  # the deadline: the overdue warning is pushed over the event stream
    seen = []
    while not any(e["type"] == "order.overdue" for e in seen):
        seen.append((await ws.receive_json(timeout=30))["event"])
    overdue = next(e for e in seen if e["type"] == "order.overdue")
    assert datetime.fromisoformat(overdue["at"]) == deadline and overdue["data"]["overdue_seconds"] == 0
    assert overdue["data"]["order"]["order_no"] == "B2" and overdue["data"]["next_step"]["code"] == "contact_merchant"
    # Fired once: later looks (the clock moving on, the order changing) do not repeat it.
    await caught_up(client, fake.advance(minutes=30))
    await track(client, auth, deadline)
    await caught_up(client, fake.advance(seconds=1))
    assert [e["type"] for e in reminders(client)] == ["order.due_soon", "order.overdue"]
    # Two hours after the deadline, the first escalation step (contact the merchant) is due.
    await caught_up(client, fake.advance(minutes=89, seconds=58))
    assert "escalation.step_due" not in [e["type"] for e in reminders(client)]
    await caught_up(client, fake.advance(seconds=1))
    assert [e["type"] for e in reminders(client)] == ["order.due_soon", "order.overdue", "escalation.step_due"]
    r = await client.post("/api/notifications", json={"event_seq": overdue["seq"], "channel": "system"}, headers=auth)
    assert r.status == 200
    r = await client.post("/api/notifications", json={"event_seq": 9999, "channel": "system"}, headers=auth)
    assert r.status == 404
    r = await client.post("/api/notifications", json={"event_seq": 1, "channel": "carrier-pigeon"}, headers=auth)
    assert r.status == 400
    r = await client.get(f"/api/orders/{oid}", headers=auth)
    types = [e["type"] for e in (await r.json())["events"]]
    assert types.count("order.overdue") == 1 and "notification.sent" in types
    await ws.close()


async def test_a_changed_deadline_gets_its_own_warning(timed, auth, fake):
    client = timed
    await track(client, auth, START + timedelta(minutes=1), promise_seconds=None)
    await caught_up(client, fake.advance(minutes=1))
    assert [e["type"] for e in reminders(client)][-1] == "order.overdue"
    before = len(reminders(client))
    await track(client, auth, START + timedelta(minutes=20), promise_seconds=None)  # the shop promised more time
    await caught_up(client, fake())
    assert len(reminders(client)) == before
    await caught_up(client, fake.advance(minutes=19))
    assert reminders(client)[-1]["type"] == "order.overdue"
    assert reminders(client)[-1]["data"]["order"]["deadline"] == iso(START + timedelta(minutes=20))


async def test_reminders_missed_while_the_helper_was_closed_fire_at_start_up(aiohttp_client, config, token, auth):
    from helper.api import create_app

    fake = FakeClock(START)
    first = await aiohttp_client(create_app(config, now=fake, sleep=fake.sleep))
    oid = await track(first, auth, START + timedelta(minutes=10))
    await caught_up(first, fake())
    await first.close()  # the helper is closed while the deadline passes
    fake.advance(hours=3)
    second = await aiohttp_client(create_app(config, now=fake, sleep=fake.sleep))
    await caught_up(second, fake())
    fired = reminders(second, oid)
    assert "order.overdue" in [e["type"] for e in fired]
    assert all(datetime.fromisoformat(e["at"]) == fake() for e in fired)
    overdue = next(e for e in fired if e["type"] == "order.overdue")
    assert overdue["data"]["overdue_seconds"] == 3 * 3600 - 600
    await second.close()
    # Fired once: a further restart (later still) repeats nothing already fired.
    fake.advance(minutes=1)
    third = await aiohttp_client(create_app(config, now=fake, sleep=fake.sleep))
    await caught_up(third, fake())
    assert reminders(third, oid) == fired
    await third.close()
