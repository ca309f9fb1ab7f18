"""What a capture shows (issue 11): a sign-in page fetched without cookies is stored as `login_required`, told to
the buyer and kept out of the order's evidence; a page that shows a loading screen before its XHR data arrives is
captured with its data (image, DOM and text of one state)."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from PIL import Image

from helper.capture import engine
from test_capture import blob, capture, helper, post, shop  # noqa: F401 - module fixtures

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.browser]

SN = "D8K2M4Q7X1N5R9T3"


def ocr_text(png: bytes) -> str:
    from ocr import recognise

    return recognise(Image.open(io.BytesIO(png)).convert("RGB")).text.replace(" ", "")


async def test_a_login_gated_url_fetched_without_cookies_is_a_login_page_not_evidence(helper, shop):
    async with helper["http"].post(helper["url"] + "/api/orders", headers=helper["auth"],
                                   json={"url": shop + f"/member/order/{SN}", "order_no": SN}) as r:
        order = (await r.json())["order"]
    status, data, _ = await post(helper, {"kind": "order", "url": shop + f"/member/order/{SN}", "order_id": order["id"]})
    assert status == 200, data
    cap, after = data["capture"], data["after_capture"]
    assert cap["source"] == "url" and cap["page_state"] == "login_required" and cap["meta"]["page_state"] == "login_required"
    assert cap["order_id"] is None and data["order"] is None  # stored, not filed as this order's evidence
    assert after["skipped"] == "login_required" and "这是登录页" in after["message"]
    assert "登录会话过期" in blob(helper, cap, "text.txt").decode("utf-8")
    assert SN not in blob(helper, cap, "text.txt").decode("utf-8")
    # The stamp says where the page came from and what it is.
    stamp = ocr_text(blob(helper, cap, "stamped.png"))
    assert "独立重新打开的网址" in stamp and "登录页" in stamp
    assert helper["store"].list_captures(order_id=order["id"]) == []
    async with helper["http"].post(helper["url"] + f"/api/orders/{order['id']}/export", headers=helper["auth"],
                                   json={"name": "login-gated.zip"}) as r:
        assert r.status == 200, await r.text()
    path = helper["config"].data_dir / "exports" / "login-gated.zip"
    with zipfile.ZipFile(path) as z:
        manifest = json.loads(z.read("manifest.json"))
        assert manifest["captures"] == [] and not any(n.startswith("captures/") for n in z.namelist())


async def test_a_loading_screen_is_waited_out_and_the_data_is_captured(helper, shop):
    cap = await capture(helper, {"kind": "order", "url": shop + f"/member/spa/order/{SN}?ms=1500"})
    assert cap["page_state"] == "ok" and cap["meta"]["page"]["waited_for_loading"]
    assert cap["meta"]["timings_ms"]["settle_ms"] >= 1000
    text = blob(helper, cap, "text.txt").decode("utf-8")
    assert SN in text and "正在打开订单" not in text
    assert SN in blob(helper, cap, "dom.html").decode("utf-8")
    assert SN in ocr_text(blob(helper, cap, "page.png"))
    assert cap["order_id"] is not None  # an ok order page is tracked


async def test_a_page_that_never_stops_loading_is_stored_as_loading(helper, shop, monkeypatch):
    monkeypatch.setattr(engine, "SETTLE_BOUND_S", 3.0)  # the data comes after 10 s; 8 s in the product
    cap = await capture(helper, {"kind": "order", "url": shop + f"/member/spa/order/{SN}?ms=10000"})
    assert cap["page_state"] == "loading" and cap["order_id"] is None
    assert "正在打开订单" in blob(helper, cap, "text.txt").decode("utf-8")
