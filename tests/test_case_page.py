"""The whole case in the browser (issue 13): the case page, the drafts view, the export, the welcome page and
quieter warnings, with the real extension in headless Chromium, a real helper and the demo shop.

Tests wait for events (chain events in the store, the extension's event cursor), never for fixed times.
Screenshots go to test-artifacts/case-page/ for a person to look at.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import sys
from datetime import datetime
from pathlib import Path

import pytest

from conftest import ROOT, run_witness
from fakeclock import FakeClock
from helper.core.clock import utcnow
from helper.core.config import EXTENSION_ID
from helper.escalation import ACTIONS
from test_extension import EXT_BASE, ORDER_PAGE, badge, free_port, harness, notifications, poll

# The tests share one browser (the shared_browser fixture, reset after each test), so they run in one event loop.
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.asyncio(loop_scope="module")]

ARTIFACTS = ROOT / "test-artifacts" / "case-page"
OVERDUE_ORDER = {"order_no": "D8K2M4Q7X1N5R9T3", "product": "Steam钱包充值卡 100元", "amount": "98.50", "status": "处理中",
                 "paid_at": "2026-11-27T10:00:12+08:00", "promise_text": "付款后5分钟内自动发货", "promise_seconds": 300,
                 "deadline": "2026-11-27T10:05:12+08:00"}


async def track(h, **fields) -> int:
    status, body = await h.api("POST", "/api/orders", {"url": h.shop_url + ORDER_PAGE, **OVERDUE_ORDER, **fields})
    assert status == 200, body
    return body["order"]["id"]


async def open_page(h, name: str, order_id: int, *, size=(1280, 900)):
    page = await h.ctx.new_page()
    await page.set_viewport_size({"width": size[0], "height": size[1]})
    await page.goto(f"{EXT_BASE}/{name}.html?order={order_id}")
    await page.wait_for_selector("body[data-ready='1']", timeout=20000)
    return page


def now_(check):
    """A plain check for poll(), which awaits its check."""
    async def run():
        return check()
    return run


def events_of(h, order_id: int, type_: str) -> list[dict]:
    return [e for e in h.store.events(order_id=order_id) if e["type"] == type_]


async def handled_up_to(h, seq: int) -> bool:
    """The extension has handled every event up to `seq` (its cursor passed it): a barrier for 'nothing more'."""
    cursor = await h.sw_eval("async () => (await chrome.storage.local.get('eventCursor')).eventCursor || null")
    return bool(cursor and cursor.get("lastSeq") is not None and cursor["lastSeq"] >= seq)


async def barrier(h) -> None:
    event = h.store.append_event("verify.run", {"ok": True, "barrier": True})
    await poll(lambda: handled_up_to(h, event["seq"]), timeout=30, what=f"the extension to handle event {event['seq']}")


async def test_every_action_is_recorded_from_the_case_page_and_one_is_withdrawn(tmp_path, shared_browser):
    async with harness(tmp_path, browser=shared_browser) as h:
        order_id = await track(h)
        page = await open_page(h, "case", order_id)
        codes = await page.eval_on_selector_all("#action-buttons button", "bs => bs.map((b) => b.dataset.action)")
        assert codes == list(ACTIONS)
        assert "已逾期" in await page.inner_text("#clock")
        for n, code in enumerate(codes, 1):
            if code == "platform_complaint_filed":
                await page.fill("#act-reference", "TS20261127001")
                await page.fill("#act-note", "平台工单")
            await page.click(f"#action-buttons button[data-action='{code}']")
            await poll(now_(lambda: len(events_of(h, order_id, "action.recorded")) == n), what=f"the {code} event")
            event = events_of(h, order_id, "action.recorded")[-1]
            assert event["data"]["action"] == code
            await page.wait_for_selector(f"#actions li[data-seq='{event['seq']}']")
        filed = next(e for e in events_of(h, order_id, "action.recorded") if e["data"]["action"] == "platform_complaint_filed")
        assert filed["data"]["reference"] == "TS20261127001" and filed["data"]["note"] == "平台工单"
        assert "TS20261127001" in await page.inner_text(f"#actions li[data-seq='{filed['seq']}']")
        # Withdraw the mistaken "refunded": two clicks (ask, confirm), a new chain event, nothing deleted.
        refunded = next(e for e in events_of(h, order_id, "action.recorded") if e["data"]["action"] == "refunded")
        button = f"#actions li[data-seq='{refunded['seq']}'] button.withdraw"
        await page.click(button)
        assert events_of(h, order_id, "action.withdrawn") == []
        await page.click(button)
        await poll(now_(lambda: events_of(h, order_id, "action.withdrawn")), what="the withdrawal event")
        withdrawn = events_of(h, order_id, "action.withdrawn")[0]
        assert withdrawn["data"]["action_seq"] == refunded["seq"]
        await page.wait_for_selector(f"#actions li.withdrawn[data-seq='{refunded['seq']}']")
        assert len(events_of(h, order_id, "action.recorded")) == len(ACTIONS)
        assert "撤回" in await page.inner_text("#timeline")


async def test_case_page_of_a_captured_order_and_the_drafts_view(tmp_path, shared_browser):
    # A draft names the moment it was made (生成时间, 截至…, how long overdue): on the wall clock the page's fetch
    # and the test's could fall in different seconds and never match. The helper's clock stands still here.
    async with harness(tmp_path, browser=shared_browser, clock=FakeClock(utcnow())) as h:
        await h.settings(chatAutoSnapshot=False)
        # The buyer captures the order page and the chat with the extension's button, as in real use.
        for path, kind in ((ORDER_PAGE, "order"), ("/chat/demo", "chat")):
            page = await h.open_shop_page(path)
            ow = await h.isolated(page)
            assert await h.watch_state(ow) == "watched"
            await h.click_capture(page, ow)
            await poll(lambda: ow("globalThis.__orderWitness.ui.status.innerText.includes('已保存')"), timeout=60,
                       what=f"the {kind} capture")
        order = h.store.find_order(f"127.0.0.1:{h.shop_port}", "D8K2M4Q7X1N5R9T3")
        assert order and h.store.list_captures(order_id=order["id"]), "the capture did not track the order"
        # The chat page names no order; it belongs to the shop's one open order, and its stamp says so.
        chat = h.store.list_captures(order_id=order["id"])[-1]
        assert chat["kind"] == "chat" and chat["meta"]["order_no"] == "D8K2M4Q7X1N5R9T3"
        assert chat["meta"]["order_no_source"] == "request"
        status, _ = await h.api("POST", f"/api/orders/{order['id']}/actions",
                                {"action": "contacted_merchant", "note": "在线客服留言多次，未回复"})
        assert status == 200
        page = await open_page(h, "case", order["id"], size=(1280, 1180))
        # Facts name the capture and the line they came from; thumbnails load; the chat is in the timeline.
        amount = await page.inner_text("#facts tr[data-field='amount']")
        assert "取证 #1" in amount and "行" in amount
        await poll(lambda: page.evaluate("() => document.querySelectorAll('#captures img[src^=\"blob:\"]').length >= 2"),
                   timeout=20, what="the thumbnails")  # (wait_for_function evaluates a string: the page's CSP forbids it)
        assert await page.locator("#timeline li.message").count() > 3
        assert await page.locator("#path li.step.now").count() == 1
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / "case-page.png"))
        # A thumbnail opens the viewer, which re-hashes the image.
        async with h.ctx.expect_page() as viewer_info:
            await page.click("#captures figure.capture button.thumb")
        viewer = await viewer_info.value
        await viewer.wait_for_selector("#check.ok", timeout=20000)

        # Drafts: the payment channel, copy a field and the whole text (clipboard checked), the live count.
        await h.ctx.grant_permissions(["clipboard-read", "clipboard-write"])
        drafts = await open_page(h, "drafts", order["id"])
        await drafts.click("#channels button[data-channel='payment']")
        await drafts.wait_for_selector("body[data-channel='payment'] .field[data-label='商户订单号']")
        status, expected = await h.api("GET", f"/api/orders/{order['id']}/drafts/payment")
        assert status == 200
        await drafts.click(".field[data-label='商户订单号'] button.copy")
        await poll(lambda: _clipboard_is(drafts, expected["fields"]["商户订单号"]), what="the field on the clipboard")
        await drafts.click("#copy-all")
        await poll(lambda: _clipboard_is(drafts, expected["text"]), what="the whole draft on the clipboard")
        assert await drafts.locator(".field mark.blank").count() >= 2  # 【请填写：手机号】, 交易单号 …
        assert "支付宝" in await drafts.inner_text("#where") and "账单" in await drafts.inner_text("#where")
        description = ".field[data-label='问题描述（300字以内）']"
        text = expected["fields"]["问题描述（300字以内）"]
        assert f"{len(text)} / 300" in await drafts.inner_text(f"{description} .counter")
        await drafts.fill(f"{description} textarea", text + "补充" * 200)
        assert f"{len(text) + 400} / 300" in await drafts.inner_text(f"{description} .counter.over")
        await drafts.fill(f"{description} textarea", text)
        await drafts.screenshot(path=str(ARTIFACTS / "drafts.png"))
        await drafts.click("#channels button[data-channel='12315']")
        await drafts.wait_for_selector("body[data-channel='12315']")
        assert "12315.cn" in await drafts.inner_text("#where")


async def _clipboard_is(page, expected: str) -> bool:
    return await page.evaluate("() => navigator.clipboard.readText()") == expected


async def test_export_from_the_case_page_verifies_and_downloads(tmp_path, shared_browser):
    async with harness(tmp_path, browser=shared_browser) as h:
        page = await h.open_shop_page(ORDER_PAGE)
        ow = await h.isolated(page)
        assert await h.watch_state(ow) == "watched"
        await h.click_capture(page, ow)
        await poll(lambda: ow("globalThis.__orderWitness.ui.status.innerText.includes('已保存')"), timeout=60, what="the capture")
        order = h.store.find_order(f"127.0.0.1:{h.shop_port}", "D8K2M4Q7X1N5R9T3")
        case = await open_page(h, "case", order["id"])
        await case.click("#export-btn")
        await case.wait_for_selector("#export-steps li[data-step='expVerifying'].done", timeout=120000)
        assert "未取得" in await case.inner_text("#export-steps li[data-step='expTimestamp']")  # no TSA configured here
        assert int(await case.get_attribute("body", "data-progress-lines")) >= 3  # the helper's progress lines arrived
        path = Path(await case.inner_text("#export-result .path"))
        assert path.parent == h.config.data_dir / "exports" and path.is_file()
        report = run_witness("verify-package", "--json", str(path), data_dir=h.config.data_dir)
        assert json.loads(report.stdout)["ok"] is True, report.stdout
        async with case.expect_download() as info:
            await case.click("#export-result button.download")
        download = await info.value
        saved = tmp_path / download.suggested_filename
        await download.save_as(saved)
        assert saved.read_bytes() == path.read_bytes()
        assert events_of(h, order["id"], "export.made")


async def test_an_order_first_seen_overdue_raises_one_notification_and_a_restart_none(tmp_path, shared_browser):
    async with harness(tmp_path, browser=shared_browser) as h:
        await poll(lambda: h.sw_eval("() => eventsStatus().open"), what="the event stream")
        await h.sw_eval("() => { globalThis.__shown = []; const create = chrome.notifications.create.bind(chrome.notifications);"
                        " chrome.notifications.create = (id, o) => { __shown.push([id, o.title, o.message]); return create(id, o); }; }")
        # Paid 3 h ago with a 5-minute promise: the deadline and the first step's window have both passed.
        page = await h.open_shop_page(ORDER_PAGE)
        ow = await h.isolated(page)
        assert await h.watch_state(ow) == "watched"
        await h.click_capture(page, ow)
        await poll(lambda: ow("globalThis.__orderWitness.ui.status.innerText.includes('已保存')"), timeout=60, what="the capture")
        order = h.store.find_order(f"127.0.0.1:{h.shop_port}", "D8K2M4Q7X1N5R9T3")
        await poll(lambda: notifications(h), what="the warning")
        await barrier(h)
        warnings = [e for e in h.store.events(order_id=order["id"])
                    if e["type"] in ("order.overdue", "order.due_soon", "escalation.step_due")]
        assert [e["type"] for e in warnings] == ["order.overdue"]
        shown = await notifications(h)
        assert list(shown) == [f"ow-event-{warnings[0]['seq']}"]
        # The one notification names both the delay and the next step.
        (nid, title, message), = await h.sw_eval("() => __shown")
        assert "D8K2M4Q7X1N5R9T3" in title and "已超过承诺时限" in message and "下一步" in message
        # The banner is on every page of this order: the order page and the shop's chat page.
        chat = await h.open_shop_page("/chat/demo")
        chat_ow = await h.isolated(chat)
        assert await h.watch_state(chat_ow) == "watched"
        banner = await poll(lambda: chat_ow("(() => { const b = globalThis.__orderWitness.ui.banner;"
                                            " return b.hidden ? null : b.innerText; })()"), what="the banner on the chat page")
        assert "D8K2M4Q7X1N5R9T3" in banner and "下一步" in banner
        await h.ctx.new_page()  # keep a page open while the others close
        await h.sw_eval("() => new Promise((r) => chrome.notifications.getAll((all) => "
                        "Promise.all(Object.keys(all).map((id) => chrome.notifications.clear(id))).then(r)))")
        sent_before = len(events_of(h, order["id"], "notification.sent"))
        # The helper restarts on another port: the first connection to it replays recent warnings; none shows again.
        await h.stop_helper()
        h.config = dataclasses.replace(h.config, port=free_port())
        h.helper_url = f"http://127.0.0.1:{h.config.port}"
        await h.start_helper()
        await h.pair()
        await poll(lambda: h.sw_eval("() => eventsStatus().open"), what="the event stream to the new port")
        await barrier(h)
        assert await notifications(h) == {}
        assert len(events_of(h, order["id"], "notification.sent")) == sent_before
        assert await badge(h) == "1"


async def test_a_capture_by_the_cli_reaches_the_extension_over_the_open_stream(tmp_path, shared_browser):
    """Another process's write is pushed to the extension over the socket that was open before it (the helper's
    foreign-write watch), not found later by a reconnection's replay. The delay is printed, not asserted (it was
    asserted < 1 s: house rule, no timed assertion in a test)."""
    async with harness(tmp_path, browser=shared_browser) as h:
        await poll(lambda: h.sw_eval("() => eventsStatus().open"), what="the event stream")
        await h.sw_eval("() => { globalThis.__received = []; globalThis.__socket = socket; const old = handleEvent;"
                        " handleEvent = async (e) => { __received.push([e.seq, e.type, Date.now()]); return old(e); }; }")
        # A separate process (the helper keeps serving meanwhile: the test's loop is not blocked).
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "helper.cli", "--data-dir", str(h.config.data_dir), "capture", h.shop_url + "/rules",
            "--kind", "rules", "--json", cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await asyncio.wait_for(proc.communicate(), timeout=120)
        assert proc.returncode == 0, err.decode()
        capture = json.loads(out)["capture"]
        stored = next(e for e in h.store.events() if e["type"] == "capture.stored" and e["capture_id"] == capture["id"])

        async def received():
            got = await h.sw_eval("() => globalThis.__received")
            return next((r for r in got if r[0] == stored["seq"]), None)

        seq, type_, at_ms = await poll(received, interval=0.05, what="the CLI's capture event in the extension")
        committed = datetime.fromisoformat(stored["at"]).timestamp() * 1000
        latency = (at_ms - committed) / 1000
        print(f"capture.stored from `witness capture` reached the extension {latency:.2f} s after it was written")
        assert type_ == "capture.stored"
        assert await h.sw_eval("() => socket === globalThis.__socket && eventsStatus().open")  # no reconnection


async def test_the_evidence_browser_opens_on_the_welcome_page(tmp_path):
    from helper.api.server import helper_session
    from helper.core.config import Config

    config = Config(data_dir=tmp_path / "data", port=0, ocr_background=False)
    async with helper_session(config, headless=True) as s:
        await s.evidence.show_welcome()
        pages = s.evidence.context.pages
        welcome = next(p for p in pages if p.url.endswith("/extension/welcome.html"))
        await welcome.wait_for_selector("body[data-ready='1']", timeout=20000)
        text = await welcome.inner_text("body")
        for words in ("欢迎使用订单证人", "固定", "登录", "保存证据", "助手运行中"):
            assert words in text, words
        assert not any(p.url == "about:blank" for p in pages)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        await welcome.set_viewport_size({"width": 1100, "height": 1000})
        await welcome.screenshot(path=str(ARTIFACTS / "welcome.png"), full_page=True)


async def test_the_dock_stays_where_it_was_placed(tmp_path, shared_browser):
    async with harness(tmp_path, browser=shared_browser) as h:
        page = await h.open_shop_page(ORDER_PAGE)
        ow = await h.isolated(page)
        assert await h.watch_state(ow) == "watched"
        spot = await ow("globalThis.__orderWitness.ui.spot")
        assert spot and spot in await ow("globalThis.__orderWitness.ui.dock.className")
        # A capture hides the dock and resizes the page; panels appear and disappear: the dock does not move.
        await h.click_capture(page, ow)
        await poll(lambda: ow("globalThis.__orderWitness.ui.status.innerText.includes('已保存')"), timeout=60, what="the capture")
        await ow("(() => { const u = globalThis.__orderWitness.ui; u.setChatState('已保存聊天快照'); u.setChatState('');"
                 " u.place(); })()")
        await page.set_viewport_size({"width": 1000, "height": 700})
        await page.set_viewport_size({"width": 1100, "height": 760})
        assert await ow("globalThis.__orderWitness.ui.spot") == spot
        assert spot in await ow("globalThis.__orderWitness.ui.dock.className")


async def test_a_stale_due_soon_is_an_overdue_warning_everywhere(tmp_path, shared_browser):
    async with harness(tmp_path, browser=shared_browser) as h:
        await poll(lambda: h.sw_eval("() => eventsStatus().open"), what="the event stream")
        await h.sw_eval("() => { globalThis.__shown = []; const create = chrome.notifications.create.bind(chrome.notifications);"
                        " chrome.notifications.create = (id, o) => { __shown.push([id, o.title, o.message]); return create(id, o); }; }")
        order_id = await track(h, paid_at=None, promise_seconds=None, deadline=None)  # no reminder of its own
        # A due-soon warning handled after its deadline (the worker slept, or it was replayed).
        summary = {"id": order_id, "order_no": OVERDUE_ORDER["order_no"], "product": OVERDUE_ORDER["product"],
                   "url": h.shop_url + ORDER_PAGE, "promise_text": OVERDUE_ORDER["promise_text"],
                   "deadline": OVERDUE_ORDER["deadline"]}
        stale = h.store.append_event("order.due_soon", {"key": "due_soon:x", "order": summary, "seconds_left": 0,
                                                        "next_step": {"code": "contact_merchant", "zh": "联系商家", "en": "contact"}},
                                     order_id=order_id)
        await barrier(h)
        (nid, title, message), = await h.sw_eval("() => __shown")
        assert nid == f"ow-event-{stale['seq']}"
        assert "已逾期" in title and "还有" not in message and "已超过承诺时限" in message
        assert await badge(h) == "1"
        warning = await h.sw_eval("(id) => warningForOrder(id)", order_id)
        assert warning["type"] == "order.overdue"  # what the order's banner shows


async def test_the_case_page_is_reached_from_the_popup_and_a_notification_and_follows_the_chain(tmp_path, shared_browser):
    async with harness(tmp_path, browser=shared_browser) as h:
        order_id = await track(h)
        popup = await h.ctx.new_page()
        await popup.goto(f"{EXT_BASE}/popup.html")
        async with h.ctx.expect_page() as opened:
            await popup.click(f"article.order[data-order-id='{order_id}'] a.case-link")
        case = await opened.value
        await case.wait_for_selector("body[data-ready='1']", timeout=20000)
        assert case.url.endswith(f"/extension/case.html?order={order_id}")
        # An action recorded elsewhere (the popup, the CLI) shows on the open case page without a reload.
        status, body = await h.api("POST", f"/api/orders/{order_id}/actions", {"action": "contacted_merchant"})
        assert status == 200
        await case.wait_for_selector(f"#actions li[data-seq='{body['event']['seq']}']", timeout=15000)
        assert await case.locator("#path li.step.done[data-code='contact_merchant']").count() == 1
        # A warning's notification opens the case page too.
        async with h.ctx.expect_page() as opened:
            await h.sw_eval("(id) => chrome.storage.session.set({notificationOrders: {'ow-event-999': id}})"
                            ".then(() => onNotificationClicked('ow-event-999'))", order_id)
        assert (await opened.value).url.endswith(f"/extension/case.html?order={order_id}")
        # The options page explains pairing step by step.
        options = await h.ctx.new_page()
        await options.goto(f"{EXT_BASE}/options.html")
        await options.wait_for_selector("#pair-steps li:not(:empty)")  # the page's strings come from the worker
        steps = await options.inner_text("#pair-steps")
        assert "witness serve" in steps and "witness token" in steps and "保存并测试" in steps


async def test_the_banner_shows_on_the_orders_ticket_page(tmp_path, shared_browser):
    async with harness(tmp_path, browser=shared_browser) as h:
        # The ticket is a chat: an automatic snapshot of the buyer's tab hides the extension's UI while it runs,
        # and the banner's link would be clicked then. The banner is the subject here.
        await h.settings(chatAutoSnapshot=False)
        await poll(lambda: h.sw_eval("() => eventsStatus().open"), what="the event stream")
        trade_no = "137261127105830706"  # acg-faka order whose ticket is /user/ticket/52013
        page = await h.open_shop_page(f"/user/index/query?tradeNo={trade_no}")
        ow = await h.isolated(page)
        assert await h.watch_state(ow) == "watched"
        await h.click_capture(page, ow)
        await poll(lambda: ow("globalThis.__orderWitness.ui.status.innerText.includes('已保存')"), timeout=60, what="the capture")
        order = h.store.find_order(f"127.0.0.1:{h.shop_port}", trade_no)
        assert order, "the capture did not track the order"
        warning = h.store.append_event("order.overdue", {
            "order": {"id": order["id"], "order_no": trade_no, "product": order["product"], "url": order["url"],
                      "promise_text": "测试承诺", "deadline": "2026-11-27T10:10:00+08:00"},
            "overdue_seconds": 600, "next_step": {"code": "contact_merchant", "zh": "联系商家", "en": "contact"}},
            order_id=order["id"])
        await poll(lambda: handled_up_to(h, warning["seq"]), what="the warning")
        ticket = await h.open_shop_page("/user/ticket/52013")
        ticket_ow = await h.isolated(ticket)
        assert await h.watch_state(ticket_ow) == "watched"
        banner = await poll(lambda: ticket_ow("(() => { const b = globalThis.__orderWitness.ui.banner;"
                                              " return b.hidden ? null : b.innerText; })()"), what="the banner on the ticket page")
        assert trade_no in banner and "案件详情" in banner
        # The banner's link opens this order's case page (a real click: page scripts cannot press it).
        box = await ticket_ow("(() => { const r = globalThis.__orderWitness.ui.banner.querySelector('a.case')"
                              ".getBoundingClientRect(); return {x: r.x + r.width / 2, y: r.y + r.height / 2}; })()")
        async with h.ctx.expect_page() as opened:
            await ticket.mouse.click(box["x"], box["y"])
        assert (await opened.value).url.endswith(f"/extension/case.html?order={order['id']}")


async def test_a_chat_opened_before_its_order_was_tracked_gets_linked(tmp_path, shared_browser):
    """Regression (failed once under load: the chat capture's meta.order_no was None): order.created makes the
    order tab and the chat tab analyse themselves again at once, and the service worker's tab table was a
    read-modify-write per tab, so one tab's answer could write back a copy without the other's link."""
    async with harness(tmp_path, browser=shared_browser) as h:
        await h.settings(chatAutoSnapshot=False)
        await poll(lambda: h.sw_eval("() => eventsStatus().open"), what="the event stream")
        # Entries written at once are all kept (tab ids no real tab has; removed again).
        kept = await h.sw_eval("async () => { await Promise.all([registerPage(90001, {url: 'http://a.test/1', orderId: 1}),"
                               " registerPage(90002, {url: 'http://a.test/2', orderId: 2}), forgetTab(90003)]);"
                               " const got = [await pageOfTab(90001), await pageOfTab(90002)];"
                               " await Promise.all([forgetTab(90001), forgetTab(90002)]);"
                               " return got.map((p) => p && p.orderId); }")
        assert kept == [1, 2]
        chat = await h.open_shop_page("/chat/demo")
        chat_ow = await h.isolated(chat)
        assert await h.watch_state(chat_ow) == "watched"
        assert await chat_ow("globalThis.__orderWitness.page().tracked_order") is None  # no order yet
        page = await h.open_shop_page(ORDER_PAGE)
        ow = await h.isolated(page)
        assert await h.watch_state(ow) == "watched"
        await h.click_capture(page, ow)
        await poll(lambda: ow("globalThis.__orderWitness.ui.status.innerText.includes('已保存')"), timeout=60, what="the capture")
        # order.created reaches the chat tab, which asks again which order it belongs to.
        await poll(lambda: chat_ow("(globalThis.__orderWitness.page().tracked_order || {}).order_no"),
                   what="the chat page linked to the new order")
        assert "已逾期" in await h.ui_text(chat_ow, "order")
        await chat.bring_to_front()
        await h.click_capture(chat, chat_ow)
        await poll(lambda: chat_ow("globalThis.__orderWitness.ui.status.innerText.includes('已保存')"), timeout=60,
                   what="the chat capture")
        capture = (await h.captures("chat"))[0]
        assert capture["meta"]["order_no"] == "D8K2M4Q7X1N5R9T3" and capture["meta"]["order_no_source"] == "request"


async def test_a_delivered_status_asks_the_buyer_to_confirm_on_the_case_page(tmp_path, shared_browser):
    """Issue 15: the shop's page saying delivered is not the buyer's word; the case page says so until the buyer
    records `delivered`."""
    async with harness(tmp_path, browser=shared_browser) as h:
        order_id = await track(h, status="已完成", status_code="delivered")
        page = await open_page(h, "case", order_id)
        note = page.locator("#confirm-note")
        await note.wait_for(state="visible", timeout=20000)
        assert "在你确认前提醒不会停止" in await note.inner_text()
        assert "已逾期" in await page.inner_text("#clock")
        await page.click("#action-buttons button[data-action='delivered']")
        await note.wait_for(state="hidden", timeout=20000)
        assert "已逾期" not in await page.inner_text("#clock")
        await page.close()
