"""Chats from screenshots, end to end (issue 12): `witness import IMAGE --kind chat` and `witness capture --desktop`
of a QQ-style window store the messages read by OCR (a `messages.extracted` event), link the capture to the order
the chat names, and the merchant's latest promise becomes the order's deadline (an `order.updated` event with old
and new). Real OCR, real store, real Chromium; the desktop under a real X server (Xvfb)."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
from datetime import datetime, timedelta

import pytest

from chatshots import CONVERSATION, EXPECTED, STYLES, page, render
from conftest import ROOT, run_witness
from xscreen import chromium_screen
from helper.core.clock import CHINA, parse_iso
from helper.store import Store, verify

NOW = datetime(2026, 11, 27, 22, 0, tzinfo=CHINA)  # a Friday night
ORDER_NO = "502261123211012345"  # named in the buyer's first message
pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def shots():
    return asyncio.run(render([STYLES["phone_wechat"], STYLES["wechat_pc"]]))


def tracked_order(store: Store) -> dict:
    order, _ = store.upsert_order("shop.example", ORDER_NO, {
        "paid_at": "2026-11-23T21:00:00.000+08:00", "status_code": "paid", "status": "已付款",
        "promise_text": "付款后5分钟内自动发货", "promise_seconds": 300, "promise_source": "product",
        "deadline": "2026-11-23T21:05:00.000+08:00"})
    return order


def test_imported_chat_screenshot_gives_messages_linked_to_the_order_and_its_promise(tmp_path, shots):
    from helper.orders.importer import import_image
    from helper.orders.ocr_jobs import read_capture

    store = Store(tmp_path)
    order = tracked_order(store)
    cap = import_image(store, shots["phone_wechat"], "微信聊天.png", kind="chat", now=NOW)
    read_capture(store, cap["id"])

    messages = store.messages(capture_id=cap["id"])
    assert [(m["sender"], m["time"][:16]) for m in messages] == [(s, t) for s, _, t, _ in EXPECTED]
    assert store.get_capture(cap["id"])["order_id"] == order["id"]
    extracted = [e for e in store.events(order_id=order["id"]) if e["type"] == "messages.extracted"]
    assert len(extracted) == 1 and extracted[0]["data"]["messages"]["count"] == len(EXPECTED)

    # The merchant's latest promise ("今天21点前给你处理", Friday 14:00) replaces the product page's.
    updated = store.get_order(order["id"])
    assert updated["promise_text"] == "今天21点前给你处理" and updated["promise_source"] == "chat"
    assert updated["deadline"] == "2026-11-27T21:00:00.000+08:00"
    change = [e for e in store.events(order_id=order["id"]) if e["type"] == "order.updated"][-1]["data"]["changes"]
    assert change["deadline"] == ["2026-11-23T21:05:00.000+08:00", "2026-11-27T21:00:00.000+08:00"]
    assert change["promise_text"] == ["付款后5分钟内自动发货", "今天21点前给你处理"]
    assert verify(store)["ok"]


def test_screenshot_that_is_not_a_chat_gives_no_messages(tmp_path):
    from helper.orders.ocr_jobs import read_capture

    html = ("<body style='font:16px \"Noto Sans CJK SC\";padding:30px'><h2>订单详情</h2><p>订单号：502261123211012345</p>"
            "<p>商品名称：王者荣耀 648 点券</p><p>订单金额：¥612.00</p><p>订单状态：已付款</p></body>")
    png = asyncio.run(_render_html(html, 800, 400))
    store = Store(tmp_path)
    cap = store.add_capture(kind="desktop", source="desktop", files={"page.png": png}, captured_at=NOW)
    assert read_capture(store, cap["id"])["status"] == "done"
    assert store.messages(capture_id=cap["id"]) == []


async def _render_html(html: str, width: int, height: int) -> bytes:
    from playwright.async_api import async_playwright

    from helper.capture.browser import launch_browser

    async with async_playwright() as pw:
        browser = await launch_browser(pw)
        try:
            pg = await browser.new_page(viewport={"width": width, "height": height})
            await pg.set_content(html)
            await pg.evaluate("document.fonts.ready")
            return await pg.screenshot(type="png")
        finally:
            await browser.close()


def test_import_command_reads_the_chat(tmp_path, shots):
    shot = tmp_path / "wechat.png"
    shot.write_bytes(shots["wechat_pc"])
    (tmp_path / "data").mkdir()  # import starts a store only in the default folder or an empty one made on purpose
    proc = run_witness("import", str(shot), "--kind", "chat", "--json", data_dir=tmp_path / "data", check=True)
    out = json.loads(proc.stdout)
    assert [m["sender"] for m in out["messages"]] == [s for s, _, _, _ in EXPECTED]
    store = Store(tmp_path / "data")
    assert [m["sender"] for m in store.messages(capture_id=out["capture"]["id"])] == [s for s, _, _, _ in EXPECTED]
    store.close()


# --- the desktop: a QQ-style window under Xvfb --------------------------------------------------------------------

QQ = STYLES["qq_pc"]
DESKTOP_CONVERSATION = CONVERSATION[:-1]  # the window is a little shorter than the page: no last reply to cut
DESKTOP_EXPECTED = EXPECTED[:-1]


@pytest.fixture(scope="module")
def chat_window(tmp_path_factory):
    """Xvfb showing the QQ-style chat in a Chromium window, ready when the pane's ground colour (#f2f2f2) shows."""
    if not shutil.which("Xvfb"):
        pytest.fail("Xvfb is needed (scripts/setup.sh installs it)")
    folder = tmp_path_factory.mktemp("desktop")
    (folder / "chat.html").write_text(page(QQ, DESKTOP_CONVERSATION), "utf-8")
    with chromium_screen(folder / "chat.html", QQ.width, QQ.height, (400, 300, (242, 242, 242))) as env:
        yield env


def test_desktop_capture_of_a_chat_window_gives_its_messages(tmp_path, chat_window):
    cmd = [sys.executable, "-m", "helper.cli", "--data-dir", str(tmp_path), "capture", "--desktop", "--json"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=180, cwd=ROOT,
                          env={**chat_window, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr
    capture = json.loads(proc.stdout)["capture"]
    store = Store(tmp_path)
    messages = store.messages(capture_id=capture["id"])
    store.close()
    # Times are read against the capture's own time: "14:00" is that day, "昨天 09:05" the day before,
    # "星期一 21:10" the last Monday before that day.
    day = parse_iso(capture["captured_at"]).astimezone(CHINA).date()
    monday = day - timedelta(days=(day.weekday() - 0) % 7 or 7)
    when = {"2026-11-23T21:10": f"{monday}T21:10", "2026-11-26T09:05": f"{day - timedelta(days=1)}T09:05",
            "2026-11-27T14:00": f"{day}T14:00"}
    assert [(m["sender"], m["name"], m["time"][:16]) for m in messages] == [
        (s, n, when[t]) for s, n, t, _ in DESKTOP_EXPECTED]
    assert [m["text"] for m in messages if m["sender"] == "merchant"][-1].replace(" ", "") == "今天21点前给你处理"


async def test_chat_imported_through_the_api_is_read_in_the_background(shots, client, auth):
    import aiohttp

    from helper.api import keys

    r = await client.post("/api/orders", json={"url": "https://shop.example/o", "order_no": ORDER_NO,
                                                "paid_at": "2026-11-23T21:00:00+08:00"}, headers=auth)
    oid = (await r.json())["order"]["id"]
    form = aiohttp.FormData()
    form.add_field("file", shots["phone_wechat"], filename="IMG_2077.PNG", content_type="image/png")
    form.add_field("kind", "chat")
    r = await client.post("/api/import", data=form, headers=auth)
    assert r.status == 200
    cap = (await r.json())["capture"]
    store = client.server.app[keys.STORE]
    for _ in range(900):  # OCR runs in the background: wait for the messages' event, at most 90 s
        if any(e["type"] == "messages.extracted" for e in store.events(order_id=oid)):
            break
        await asyncio.sleep(0.1)
    messages = store.messages(capture_id=cap["id"])
    assert [m["sender"] for m in messages] == [s for s, _, _, _ in EXPECTED]
    day = parse_iso(cap["captured_at"]).astimezone(CHINA).date()
    order = store.get_order(oid)
    assert order["promise_text"] == "今天21点前给你处理" and order["deadline"] == f"{day}T21:00:00.000+08:00"


def test_ocr_command_reads_a_chat_against_the_given_time(tmp_path, shots):
    shot = tmp_path / "phone.png"
    shot.write_bytes(shots["phone_wechat"])
    proc = run_witness("ocr", str(shot), "--chat", "--now", "2026-11-27T22:00+08:00", "--json", check=True)
    chat = json.loads(proc.stdout)["chat"]
    assert chat["title"] == "星辰卡铺-店长" and chat["looks_like_chat"]
    assert [(m["sender"], m["time"][:16]) for m in chat["messages"]] == [(s, t) for s, _, t, _ in EXPECTED]
    text = run_witness("ocr", str(shot), "--chat", "--now", "2026-11-27T22:00+08:00", check=True).stdout
    assert "2026-11-27 14:00  对方 merchant（星辰卡铺-店长）: 今天21点前给你处理" in text


def test_a_capture_read_twice_keeps_one_reading_and_one_set_of_messages(tmp_path, shots):
    """`witness capture --desktop` reads its capture at once while a running helper's worker may pick the same
    capture up: the second reading gives way to the first."""
    from helper.orders.importer import import_image
    from helper.orders.ocr_jobs import read_capture

    store = Store(tmp_path)
    cap = import_image(store, shots["phone_wechat"], "chat.png", kind="chat", now=NOW)
    first = read_capture(store, cap["id"])
    again = read_capture(store, cap["id"])
    assert again["id"] == first["id"] and len(store.ocr_of(cap["id"])) == 1
    assert len(store.messages(capture_id=cap["id"])) == len(EXPECTED)


def test_the_same_screenshot_stored_again_is_read_once_against_its_own_time(tmp_path, shots, monkeypatch):
    """An automatic snapshot of a chat that has not changed stores the same image again: the engine reads it
    once, and each capture's times are still read against its own capture time."""
    import ocr
    from helper.orders import ocr_jobs
    from helper.orders.importer import import_image

    calls = []
    real = ocr.recognise
    monkeypatch.setattr(ocr, "recognise", lambda *a, **k: calls.append(a) or real(*a, **k))
    ocr_jobs._recognise.cache_clear()
    store = Store(tmp_path)
    first = import_image(store, shots["phone_wechat"], "chat.png", kind="chat", now=NOW)
    later = import_image(store, shots["phone_wechat"], "chat.png", kind="chat", now=NOW + timedelta(days=1))
    a, b = (ocr_jobs.read_capture(store, c["id"]) for c in (first, later))
    assert len(calls) == 1
    assert a["status"] == b["status"] == "done" and a["text"] == b["text"]
    times = {c["id"]: [m["time"][:16] for m in store.messages(capture_id=c["id"])] for c in (first, later)}
    assert times[first["id"]] == [t for _, _, t, _ in EXPECTED]
    assert times[later["id"]][-1] == "2026-11-28T14:00"  # "14:00" on the day of the later capture
