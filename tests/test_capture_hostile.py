"""Hostile pages against the one capture engine (issue 15 items 1, 2, 4): a page that swaps in a fake status
and card key when it notices the capture is caught (or cannot notice), a page that freezes when scrolled is
bounded and the service goes on, a lying devicePixelRatio changes nothing."""

from __future__ import annotations

import io
import resource
import time

import pytest
from PIL import Image

from helper.api.captures import CAPTURER
from helper.capture import fullpage
from helper.demoshop.hostile import FAKE_KEY
from test_capture import blob, capture, helper, post, shop  # noqa: F401 - module fixtures

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.browser]

SN = "D8K2M4Q7X1N5R9T3"  # 处理中 in the demo shop


async def test_a_page_that_swaps_in_a_fake_when_it_notices_the_capture_is_caught(helper, shop):
    status, data, _ = await post(helper, {"kind": "order", "url": shop + f"/hostile/swap/{SN}"})
    assert status == 200, data
    cap, after = data["capture"], data["after_capture"]
    page = cap["meta"]["page"]
    assert page["changed_during_capture"] is True and after["changed_during_capture"] is True
    assert page["changed_facts"]["status"] == {"before": "处理中", "captured": "已完成"}
    assert "card_key_area" in page["changed_facts"]
    before = blob(helper, cap, "text.before.txt").decode("utf-8")
    assert "处理中" in before and FAKE_KEY not in before  # both states are kept
    # The order follows what the page showed before the capture touched it, not the fake.
    [order] = [o for o in helper["store"].list_orders() if o["order_no"] == SN]
    assert order["status_code"] == "processing" and cap["order_id"] == order["id"]


async def test_the_page_cannot_see_the_capture_where_it_needs_no_scrolling(helper, shop):
    """No globals (isolated world), no style change the page can observe (the extension's UI is hidden inside its
    closed shadow root), no resize: a page shorter than the screen never notices."""
    browser = await helper["app"][CAPTURER].clean_browser()
    from helper.capture.engine import capture_page

    context = await browser.new_context(viewport={"width": 1280, "height": 1000})
    try:
        page = await context.new_page()
        await page.goto(shop + f"/hostile/swap/{SN}?filler=0")
        await page.evaluate("""() => {
          const host = document.createElement('order-witness-ui');
          host.setAttribute('style', 'all: initial !important; position: fixed !important; top: 0 !important;');
          host.attachShadow({mode: 'closed'}).innerHTML = '<div style="position:fixed;right:0;bottom:0;width:200px;height:60px;background:#c42b1c">保存证据</div>';
          document.documentElement.appendChild(host);
        }""")
        cap = await capture_page(page, kind="order", environment={}, clock_check={})
        swaps = await page.evaluate("[window.__swaps, window.__why || null]")
    finally:
        await context.close()
    assert swaps == [0, None]
    assert cap.meta["page"]["changed_during_capture"] is False and cap.meta["page"]["hidden_extension_ui"] == 1
    text = cap.files["text.txt"].decode("utf-8")
    assert "处理中" in text and FAKE_KEY not in text
    im = Image.open(io.BytesIO(cap.files["page.png"])).convert("RGB")
    assert im.getpixel((im.width - 100, im.height - 30)) != (196, 43, 28)  # the button is not in the evidence


async def test_a_page_that_freezes_when_scrolled_is_bounded_and_the_next_capture_succeeds(helper, shop, monkeypatch):
    # The walk's bound (lazy budget + 1.5 s) and the probe decide when a hung page is given up. Which bound is not
    # the subject: a 1 s budget (2.5 s in the product) spares the spinning renderer 1.5 s of a core.
    monkeypatch.setattr(fullpage, "LAZY_BUDGET_MS", 1000)
    t0 = time.monotonic()
    status, data, _ = await post(helper, {"kind": "other", "url": shop + "/hostile/freeze"})
    took = time.monotonic() - t0
    # page_unresponsive, not capture_timeout: the engine's own probe ended it, before the capture's overall bound
    # (3 × capture_timeout_s + 30 s). How long it took is a figure (27 s seen on a shared machine), not asserted.
    print(f"frozen page answered after {took:.1f} s")
    assert status == 502 and data["error"]["code"] == "page_unresponsive", data
    failed = [e for e in helper["store"].events() if e["type"] == "capture.failed"]
    assert failed and failed[-1]["data"]["code"] == "page_unresponsive"
    assert failed[-1]["data"]["url"] == shop + "/hostile/freeze"
    assert helper["app"][CAPTURER].pending == 0  # the slot is free
    cap = await capture(helper, {"kind": "order", "url": shop + "/detail-order-sn/A5C7E9G1J3L6P8S0"})
    assert cap["page_state"] == "ok" and "A5C7E9G1J3L6P8S0" in blob(helper, cap, "text.txt").decode("utf-8")


@pytest.mark.parametrize("ratio", [24, 48])
async def test_a_lying_device_pixel_ratio_changes_nothing(helper, shop, ratio):
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    cap = await capture(helper, {"kind": "other", "url": shop + f"/hostile/dpr?ratio={ratio}"})
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before) / 1024
    page = cap["meta"]["page"]
    assert page["device_scale"] == 1 and page["image"]["scale"] == 1
    assert page["image"]["width"] == 1280 and page["image"]["height"] < 7000
    assert grown_mib < 150, grown_mib
