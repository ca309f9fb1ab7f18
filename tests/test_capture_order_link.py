"""A capture names the order known when it is taken: a chat page shows no order number, and its capture is
stored with the shop's tracked order and stamped with its number once that order is tracked; before that its
stamp says 未关联 and stays so (the stamp is evidence, never redrawn).

Regression: the demo's chat capture was stamped "订单号 未关联" although its order was tracked: the engine
drew the stamp from the request and the page alone, and the after-capture step linked the capture later.
Real API, real headless Chromium against the demo shop, real store.
"""

from __future__ import annotations

import asyncio
import io

import pytest
from aiohttp import ClientSession, web
from PIL import Image

import ocr
from helper.api import create_app, keys
from helper.core.config import Config
from helper.demoshop import REFERENCE_NOW, create_shop_app

pytestmark = [pytest.mark.browser]
ORDER_NO = "D8K2M4Q7X1N5R9T3"


async def _serve(app) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}"


async def test_a_chat_capture_names_the_order_tracked_when_it_is_taken(tmp_path):
    config = Config(data_dir=tmp_path / "data", capture_timeout_s=30, ocr_background=False)
    app = create_app(config)
    shop_runner, shop = await _serve(create_shop_app(now=lambda: REFERENCE_NOW))
    runner, url = await _serve(app)
    store = app[keys.STORE]
    try:
        async with ClientSession() as http:
            async def capture(kind: str, path: str) -> dict:
                async with http.post(url + "/api/captures", json={"kind": kind, "url": shop + path},
                                     headers={"Authorization": f"Bearer {app[keys.TOKEN]}"}) as r:
                    body = await r.json()
                    assert r.status == 200, body
                    return body["capture"]

            early = await capture("chat", "/chat/demo")  # no order tracked yet
            assert early["order_id"] is None and early["meta"]["order_no"] is None
            assert early["meta"]["order_no_source"] is None
            await capture("order", f"/detail-order-sn/{ORDER_NO}")
            order = store.find_order(shop.split("://")[1], ORDER_NO)
            assert order is not None
            chat = await capture("chat", "/chat/demo")
        # The shop's one open order, found before the stamp was drawn: stored with it, in the same chain event.
        assert chat["meta"]["order_no"] == ORDER_NO and chat["meta"]["order_no_source"] == "tracked"
        assert chat["order_id"] == order["id"]
        events = store.events()
        stored = next(e for e in events if e["type"] == "capture.stored" and e["capture_id"] == chat["id"])
        assert stored["order_id"] == order["id"]
        assert not [e for e in events if e["type"] == "capture.linked" and e["capture_id"] == chat["id"]]
        # The earlier capture keeps its record: nothing was known when it was stamped.
        assert store.get_capture(early["id"])["meta"]["order_no"] is None
        art = next(a for a in chat["artifacts"] if a["name"] == "stamped.png")
        stamped = Image.open(io.BytesIO(store.artifact_path(art).read_bytes())).convert("RGB")
    finally:
        await runner.cleanup()
        await shop_runner.cleanup()
    # The stamp strip (below the page image) reads back with the order's number.
    strip = stamped.crop((0, chat["meta"]["page"]["image"]["height"], stamped.width, stamped.height))
    read = await asyncio.to_thread(ocr.recognise, strip, "rapidocr")
    assert ORDER_NO in "".join(read.text.split()), read.text
