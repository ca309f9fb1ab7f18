"""The case of one order (issue 13) without a browser: facts with their source, the path, the merged timeline,
withdrawing an action, one warning per order per moment, and events written by other processes."""

import asyncio
import json
import time
from datetime import datetime, timedelta, timezone

import pytest

from conftest import EXT_ORIGIN
from fakeclock import FakeClock
from helper.api import keys
from helper.core.clock import CHINA, iso
from helper.core.config import Config
from helper.escalation import all_actions, actions_of, record_action, withdraw_action
from helper.escalation.rules import path
from helper.escalation.scheduler import Scheduler
from helper.core.errors import BadRequest, NotFound
from helper.package.case import find_line
from helper.store import Store

PAID = datetime(2026, 11, 20, 14, 0, tzinfo=CHINA)
W = timedelta(days=3)


@pytest.fixture
def config(tmp_path) -> Config:
    """conftest's config with background OCR off: no test here is about OCR (tests/test_ocr_helper.py is), and
    reading test_thumbnail_route's 1280x20000 screenshot cost about 18 s of CPU while the test was tearing down."""
    return Config(data_dir=tmp_path / "data", ocr_background=False)


def order(**kw):
    base = {"id": 1, "order_no": "A1", "amount": "58.00", "status_code": "paid", "promise_text": "5分钟内发货",
            "promise_seconds": 300, "paid_at": iso(PAID), "deadline": iso(PAID + timedelta(minutes=5))}
    return {**base, **kw}


def test_find_line_knows_how_pages_print_times_and_amounts():
    lines = ["星辰数卡", "订单号：A5C7", "付款时间：2026/11/20 14:00", "金额：58 元"]
    assert find_line(lines, "paid_at", iso(PAID)) == (3, "付款时间：2026/11/20 14:00")
    assert find_line(lines, "amount", "58.00") == (4, "金额：58 元")
    assert find_line(lines, "order_no", "A5C7") == (2, "订单号：A5C7")
    assert find_line(lines, "product", "不存在") is None
    assert find_line([], "amount", None) is None


def test_path_marks_done_now_and_next_with_due_times():
    deadline = PAID + timedelta(minutes=5)
    contacted = deadline + timedelta(minutes=30)
    steps = path(order(), [{"action": "contacted_merchant", "at": iso(contacted), "seq": 7}],
                 contacted + timedelta(hours=1), platform_window=W)
    assert [(s["code"], s["state"]) for s in steps] == [
        ("deadline", "missed"), ("contact_merchant", "done"), ("platform_complaint", "now"),
        ("platform_management", "next"), ("regulators", "next"), ("police_or_court", "next")]
    assert steps[1]["done_at"] == iso(contacted) and steps[1]["done_by"][0]["seq"] == 7
    assert steps[2]["due_at"] == iso(contacted + timedelta(hours=48)) and not steps[2]["estimated"]
    # Expected due times of later steps: as if each earlier step were done when due.
    assert steps[3]["due_at"] == iso(contacted + timedelta(hours=48) + W + timedelta(days=2)) and steps[3]["estimated"]
    before = path(order(), [], PAID, platform_window=W)
    assert before[0]["state"] == "now" and all(s["state"] == "next" for s in before[1:])
    resolved = path(order(), [{"action": "delivered", "at": iso(PAID)}], PAID + timedelta(days=1), platform_window=W)
    assert {s["state"] for s in resolved} == {"resolved"}
    claimed = path(order(status_code="delivered"), [], PAID + timedelta(days=1), platform_window=W)
    assert "resolved" not in {s["state"] for s in claimed}  # a status alone only asks the buyer to confirm


def _case(store, now):
    from helper.package.case import case_for_store

    return case_for_store(store, 1, now, platform_window=W)


def test_case_names_the_source_of_each_fact_and_merges_the_chat(tmp_path):
    store = Store(tmp_path)
    cap = store.add_capture(kind="order", source="tab", url="https://shop.example/o/A1", title="订单详情",
                            files={"text.txt": "星辰数卡\n订单号 A1\n金额 58.00 元\n".encode()})
    store.upsert_order("shop.example", "A1", {"url": "https://shop.example/o/A1", "amount": "58.00",
                                               "paid_at": iso(PAID), "promise_text": "5分钟内发货", "promise_seconds": 300,
                                               "deadline": iso(PAID + timedelta(minutes=5))}, capture_id=cap["id"])
    store.link_capture(cap["id"], 1)
    chat = store.add_capture(kind="chat", source="buyer_tab", url="https://shop.example/chat", title="客服",
                             files={"page.png": b"\x89PNG fake"}, order_id=1,
                             messages=[{"sender": "buyer", "name": None, "time": iso(PAID + timedelta(minutes=20)), "text": "在吗？"},
                                       {"sender": "buyer", "name": None, "time": iso(PAID - timedelta(days=3)), "text": "上周的闲聊"}])
    store.upsert_order("shop.example", "A1", {"status": "处理中"})  # entered by hand
    record_action(store, 1, "contacted_merchant", note="QQ 留言", now=PAID + timedelta(minutes=30))
    c = _case(store, PAID + timedelta(hours=1))
    facts = {f["field"]: f for f in c["facts"]}
    assert facts["amount"]["source"] == {"type": "capture", "seq": facts["amount"]["source"]["seq"], "capture_id": cap["id"],
                                         "kind": "order", "captured_at": cap["captured_at"], "line_no": 3, "line": "金额 58.00 元"}
    assert facts["status"]["source"]["type"] == "manual"
    assert facts["deadline"]["source"]["type"] == "derived" and "5分钟" in facts["deadline"]["source"]["zh"]
    cards = {x["id"]: x for x in c["captures"]}
    assert cards[chat["id"]]["image"] == "page.png" and cards[chat["id"]]["source"] == "buyer_tab"
    assert cards[cap["id"]]["source"] == "evidence_browser"  # the old stored "tab"
    assert cards[cap["id"]]["page_state"] == "ok"
    kinds = [x["kind"] for x in c["timeline"]]
    assert "message" in kinds and "action" in kinds and "fact" in kinds
    texts = [x.get("text") for x in c["timeline"]]
    assert "在吗？" in texts and "上周的闲聊" not in texts  # chat from days before the order is summarised
    assert any("更早的 1 条" in x["zh"] for x in c["timeline"])
    ats = [x["at"] for x in c["timeline"]]
    assert [datetime.fromisoformat(a) for a in ats] == sorted(datetime.fromisoformat(a) for a in ats)
    assert [s["state"] for s in c["path"]][:3] == ["missed", "done", "now"]
    assert len(c["action_codes"]) == 12
    json.dumps(c)  # plain JSON


def test_withdrawing_an_action_is_a_new_event_and_moves_the_order_back(tmp_path):
    store = Store(tmp_path)
    store.upsert_order("shop.example", "A1", {"url": "https://shop.example/o", "deadline": iso(PAID)})
    ev = record_action(store, 1, "refunded", now=PAID + timedelta(hours=1))
    assert actions_of(store, 1)[0]["action"] == "refunded"
    w = withdraw_action(store, 1, ev["seq"], note="点错了")
    assert w["type"] == "action.withdrawn" and w["data"]["action_seq"] == ev["seq"] and w["data"]["note"] == "点错了"
    assert actions_of(store, 1) == []
    assert all_actions(store, 1)[0]["withdrawn"]["seq"] == w["seq"]
    assert [e["type"] for e in store.events(order_id=1)][-2:] == ["action.recorded", "action.withdrawn"]  # nothing deleted
    with pytest.raises(BadRequest):
        withdraw_action(store, 1, ev["seq"])
    with pytest.raises(NotFound):
        withdraw_action(store, 1, w["seq"])  # not an action
    with pytest.raises(NotFound):
        withdraw_action(store, 1, 999)


def test_an_order_first_seen_long_overdue_gets_one_warning(tmp_path):
    async def run():
        store = Store(tmp_path)
        now = PAID + timedelta(hours=5)  # deadline and the first step's window both passed
        store.upsert_order("shop.example", "A1", {"url": "https://shop.example/o", "promise_text": "5分钟内发货",
                                                   "promise_seconds": 300, "deadline": iso(PAID + timedelta(minutes=5))})
        Scheduler(store, platform_window=W, now=lambda: now).tick()
        warnings = [e for e in store.events() if e["type"] in ("order.overdue", "order.due_soon", "escalation.step_due")]
        assert [e["type"] for e in warnings] == ["order.overdue"]
        data = warnings[0]["data"]
        assert data["overdue_seconds"] == 5 * 3600 - 300 and data["next_step"]["code"] == "contact_merchant"
        assert len(data["keys"]) == 2
        # A restarted helper knows both reminders were given.
        Scheduler(store, platform_window=W, now=lambda: now + timedelta(minutes=1)).tick()
        assert [e["type"] for e in store.events()].count("order.overdue") == 1
        assert not any(e["type"] == "escalation.step_due" for e in store.events())
        store.close()

    asyncio.run(run())


def test_events_from_another_connection_are_noticed(tmp_path):
    mine, other = Store(tmp_path), Store(tmp_path)
    seen = []
    mine.subscribe(seen.append)
    assert mine.poll_foreign_writes() == []
    own = mine.append_event("verify.run", {"ok": True})
    theirs = other.append_event("verify.run", {"ok": True, "by": "cli"})
    also_mine = mine.append_event("verify.run", {"ok": True})
    got = mine.poll_foreign_writes()
    assert [e["seq"] for e in got] == [theirs["seq"]]
    assert [e["seq"] for e in seen] == [own["seq"], also_mine["seq"], theirs["seq"]]  # own ones once, when written
    assert mine.poll_foreign_writes() == []
    other.close()
    mine.close()


async def test_a_write_by_another_process_reaches_the_event_stream_and_wakes_the_reminders(aiohttp_client, config, token):
    """Another process's write reaches the event stream through the foreign-write watch (every FOREIGN_POLL_S), and
    the overdue reminder of the order it created fires at once, not at the scheduler's next minute: on a fake clock
    that never moves the scheduler sleeps until woken, so only the write can wake it. The delays are printed, not
    asserted (they asserted < 1 s and failed on a busy machine)."""
    from helper.api import create_app

    fake = FakeClock(PAID + timedelta(hours=1))
    client = await aiohttp_client(create_app(config, now=fake, sleep=fake.sleep))
    await asyncio.wait_for(client.app[keys.SCHEDULER].caught_up(fake()), timeout=30)  # asleep, nothing to do
    ws = await client.ws_connect("/api/events", headers={"Origin": EXT_ORIGIN})
    await ws.send_json({"type": "auth", "token": token, "since": None})
    assert (await ws.receive_json(timeout=30))["type"] == "ready"
    other = Store(config.data_dir, now=fake)  # what a `witness` command opens
    other.upsert_order("shop.example", "CLI1", {"url": "https://shop.example/o", "promise_text": "5分钟内发货",
                                                 "deadline": iso(PAID + timedelta(minutes=5))})
    t0 = time.monotonic()
    arrived = []
    while "order.overdue" not in [t for t, _ in arrived]:
        msg = await ws.receive_json(timeout=30)
        arrived.append((msg["event"]["type"], round(time.monotonic() - t0, 3)))
    print("foreign write -> event stream (s):", arrived)
    assert [t for t, _ in arrived] == ["order.created", "order.overdue"]
    assert fake.moves == 0  # the clock never moved: the write woke the scheduler
    other.close()
    await ws.close()


async def test_case_and_withdraw_routes(client, auth):
    r = await client.post("/api/orders", json={"url": "https://shop.example/o", "order_no": "R1", "amount": "9.90",
                                                "deadline": "2026-11-20T14:05:00+08:00"}, headers=auth)
    oid = (await r.json())["order"]["id"]
    r = await client.post(f"/api/orders/{oid}/actions", json={"action": "contacted_merchant", "reference": "QQ-1"}, headers=auth)
    seq = (await r.json())["event"]["seq"]
    r = await client.get(f"/api/orders/{oid}/case", headers=auth)
    assert r.status == 200
    case = await r.json()
    assert case["actions"][0]["reference"] == "QQ-1" and case["actions"][0]["withdrawn"] is None
    assert case["path"][1]["state"] == "done"
    r = await client.post(f"/api/orders/{oid}/actions/{seq}/withdraw", json={"note": "记错了"}, headers=auth)
    assert r.status == 200
    body = await r.json()
    assert body["event"]["type"] == "action.withdrawn" and body["order"]["escalation"]["stage"] == "contact_merchant"
    for path, payload, status in [(f"/api/orders/{oid}/actions/{seq}/withdraw", {}, 400),
                                  (f"/api/orders/{oid}/actions/999/withdraw", {}, 404),
                                  (f"/api/orders/{oid}/actions/x/withdraw", {}, 400),
                                  (f"/api/orders/{oid}/actions/{seq}/withdraw", {"note": 5}, 400),
                                  (f"/api/orders/{oid}/actions/{seq}/withdraw", {"why": "x"}, 400)]:
        r = await client.post(path, json=payload, headers=auth)
        assert r.status == status, (path, payload)
    r = await client.get("/api/orders/999/case", headers=auth)
    assert r.status == 404
    r = await client.get(f"/api/orders/{oid}/case")
    assert r.status == 401


async def test_package_routes_refuse_bad_names(client, auth):
    for name, status in [("x.zip", 404), ("..%2Fwitness.db", 400), ("a.txt", 400), ("%2Fetc%2Fpasswd.zip", 400),
                         ("evil.zip%0A", 400)]:
        r = await client.get(f"/api/packages/{name}", headers=auth)
        assert r.status == status, name
        r = await client.post(f"/api/packages/{name}/verify", json={}, headers=auth)
        assert r.status == status, name


def test_witness_orders_lists_status_deadline_delay_and_next_step(tmp_path):
    from conftest import run_witness

    data = tmp_path / "data"
    assert run_witness("orders", data_dir=data).returncode == 2  # no evidence database yet
    store = Store(data)
    store.upsert_order("shop.example", "ORD1", {"url": "https://shop.example/o", "product": "点券", "amount": "58.00",
                                                 "status": "处理中", "promise_text": "5分钟内发货",
                                                 "deadline": iso(datetime.now(timezone.utc) - timedelta(hours=3))})
    store.upsert_order("shop.example", "ORD2", {"url": "https://shop.example/p", "status_code": "refunded"})
    store.close()
    out = run_witness("orders", data_dir=data, check=True).stdout
    blocks = {}
    for line in out.splitlines():
        if line.startswith("#"):
            key = line.split()[0]
        blocks[key] = blocks.get(key, "") + line + "\n"
    first, second = blocks["#1"], blocks["#2"]
    assert "ORD1" in first and "已逾期 3小时" in first and "下一步 / next step: 联系商家" in first
    assert "已超时" in first and "case.html?order=1" in first
    assert "ORD2" in second and "在你确认前提醒不会停止" in second  # a refunded status alone is not the buyer's word
    orders = json.loads(run_witness("orders", "--json", data_dir=data, check=True).stdout)["orders"]
    assert {o["order_no"] for o in orders} == {"ORD1", "ORD2"}
    assert next(o for o in orders if o["order_no"] == "ORD1")["escalation"]["stage"] == "contact_merchant"


async def test_export_streams_its_progress(client, auth, config):
    store = client.server.app[keys.STORE]
    cap = store.add_capture(kind="order", source="url", url="https://shop.example/o", title="订单",
                            files={"page.png": _png(), "text.txt": "订单号 P1\n".encode()})
    store.upsert_order("shop.example", "P1", {"url": "https://shop.example/o", "amount": "9.90"}, capture_id=cap["id"])
    store.link_capture(cap["id"], 1)
    r = await client.post("/api/orders/1/export", json={"name": "p1.zip"},
                          headers={**auth, "Accept": "application/x-ndjson"})
    assert r.status == 200 and r.headers["Content-Type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in (await r.text()).splitlines()]
    progress = [x["progress"] for x in lines if "progress" in x]
    assert len(progress) >= 3 and progress[-1]["done"] == progress[-1]["total"]
    assert lines[-1]["result"]["path"].endswith("p1.zip")
    # The same name again: the error is the stream's last line.
    r = await client.post("/api/orders/1/export", json={"name": "p1.zip"}, headers={**auth, "Accept": "application/x-ndjson"})
    last = json.loads((await r.text()).splitlines()[-1])
    assert last["error"]["code"] == "package_error"
    r = await client.get("/api/packages/p1.zip", headers=auth)
    assert r.status == 200 and (await r.read())[:2] == b"PK"
    r = await client.post("/api/packages/p1.zip/verify", json={}, headers=auth)
    assert (await r.json())["ok"] is True


def _png(width: int = 40, height: int = 30) -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(buf, "PNG")
    return buf.getvalue()


def test_png_top_cuts_the_first_rows_exactly(tmp_path):
    import io

    import numpy as np
    from PIL import Image

    from helper.package.thumbs import png_top, thumbnail

    rng = np.random.default_rng(7)
    pixels = rng.integers(0, 255, (3000, 500, 3), dtype=np.uint8)
    pixels[:, :250] = 200  # flat areas make Pillow pick different filters per row
    for mode, arr in (("RGB", pixels), ("RGBA", np.dstack([pixels, pixels[:, :, :1]]))):
        path = tmp_path / f"tall-{mode}.png"
        Image.fromarray(arr, mode).save(path)
        with open(path, "rb") as f:
            top = png_top(f, lambda w: 123)
        assert np.array_equal(np.asarray(Image.open(io.BytesIO(top))), arr[:123])
    small = Image.open(io.BytesIO(thumbnail(tmp_path / "tall-RGB.png")))
    assert small.size == (360, 240)
    # Not a plain PNG: decoded the ordinary way (JPEG), or refused.
    Image.fromarray(pixels[:600]).save(tmp_path / "bill.jpg")
    assert Image.open(io.BytesIO(thumbnail(tmp_path / "bill.jpg"))).size == (360, 240)
    (tmp_path / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    with open(tmp_path / "broken.png", "rb") as f:
        assert png_top(f, lambda w: 10) is None


async def test_thumbnail_route(client, auth):
    store = client.server.app[keys.STORE]
    tall = store.add_capture(kind="chat", source="url", url="https://shop.example/c", title="聊天",
                             files={"page.png": _png(1280, 20000)})
    text_only = store.add_capture(kind="other", source="url", url="https://shop.example/t", title="t",
                                  files={"text.txt": b"x"})
    broken = store.add_capture(kind="other", source="url", url="https://shop.example/b", title="b",
                               files={"page.png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 40})
    r = await client.get(f"/api/captures/{tall['id']}/thumbnail", headers=auth)
    assert r.status == 200 and r.content_type == "image/png"
    assert r.headers["X-Source-SHA256"] == tall["artifacts"][0]["sha256"]
    import io

    from PIL import Image

    assert Image.open(io.BytesIO(await r.read())).size == (360, 240)
    for cap in (text_only, broken):
        r = await client.get(f"/api/captures/{cap['id']}/thumbnail", headers=auth)
        assert r.status == 404, cap
    r = await client.get("/api/captures/999/thumbnail", headers=auth)
    assert r.status == 404
