"""Capture engine through the real API: real headless Chromium against the demo shop, real store.

One helper (and so one browser) and one demo shop serve the whole module.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import io
import json
from datetime import datetime

import pytest
import pytest_asyncio
from aiohttp import ClientSession, web
from PIL import Image

import ocr
from helper.api import create_app
from helper.api import keys
from helper.capture.browser import launch_browser
from helper.api.captures import CAPTURER
from helper.capture.stamp import STRIP_BG, STRIP_RULE
from helper.core.clock import china
from helper.core.config import Config
from helper.demoshop import FIRST_MESSAGE, LAST_MESSAGE, REFERENCE_NOW, create_shop_app
from helper.demoshop.testpages import LAZY_COLOR, band_color

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.browser]
ARTIFACTS = {"page.png", "stamped.png", "page.mhtml", "dom.html", "text.txt", "layout.json", "meta.json"}


async def _serve(app) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def shop():
    runner, url = await _serve(create_shop_app(now=lambda: REFERENCE_NOW))
    yield url
    await runner.cleanup()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def helper(tmp_path_factory):
    config = Config(data_dir=tmp_path_factory.mktemp("capture") / "data", capture_timeout_s=8, capture_queue=4,
                    ocr_background=False)  # OCR has its own tests; here it would only compete for the 2 cores
    app = create_app(config)
    runner, url = await _serve(app)
    async with ClientSession() as http:
        yield {"url": url, "app": app, "http": http, "auth": {"Authorization": f"Bearer {app[keys.TOKEN]}"},
               "store": app[keys.STORE], "config": config}
    await runner.cleanup()


async def post(h, body):
    async with h["http"].post(h["url"] + "/api/captures", json=body, headers=h["auth"]) as resp:
        return resp.status, await resp.json(), resp.headers


async def capture(h, body) -> dict:
    status, data, _ = await post(h, body)
    assert status == 200, data
    return data["capture"]


def blob(h, cap, name) -> bytes:
    art = next(a for a in cap["artifacts"] if a["name"] == name)
    return h["store"].artifact_path(art).read_bytes()


def evidence_files(h) -> set:
    return {p for p in h["config"].evidence_dir.rglob("*") if p.is_file()}


async def test_each_kind_is_stored_with_hashed_artifacts_and_provenance(helper, shop):
    pages = {"order": "/detail-order-sn/D8K2M4Q7X1N5R9T3", "chat": "/chat/short", "rules": "/rules",
             "payment": "/pay/result/D8K2M4Q7X1N5R9T3", "other": "/"}
    port = int(shop.rsplit(":", 1)[1])
    for kind, path in pages.items():
        cap = await capture(helper, {"kind": kind, "url": shop + path})
        assert cap["kind"] == kind and cap["source"] == "url" and cap["url"] == shop + path
        assert {a["name"] for a in cap["artifacts"]} == ARTIFACTS
        for a in cap["artifacts"]:
            assert hashlib.sha256(blob(helper, cap, a["name"])).hexdigest() == a["sha256"]
        meta = json.loads(blob(helper, cap, "meta.json"))
        assert meta == cap["meta"]
        http = meta["http"]
        assert http["status"] == 200 and http["server"] == {"ip": "127.0.0.1", "port": port}
        assert any(k.lower() == "content-type" and "text/html" in v for k, v in http["headers"])
        assert http["tls"] is None  # plain http
        for name in ("page.png", "layout.json"):
            assert meta["hashes"][name] == hashlib.sha256(blob(helper, cap, name)).hexdigest()
        assert meta["clock"]["status"] == "not checked"
        assert "sha256" in meta["environment"]["hosts"] and "proxy" in meta["environment"]
        assert meta["browser"]["user_agent"] and meta["browser"]["version"]
    text = blob(helper, cap, "text.txt").decode()
    assert "演示商城" in text


async def test_order_capture_is_linked_and_stamped(helper, shop):
    async with helper["http"].post(helper["url"] + "/api/orders", headers=helper["auth"],
                                   json={"url": shop + "/detail-order-sn/H2J4K6L8Z1X3C5V7", "order_no": "H2J4K6L8Z1X3C5V7"}) as r:
        order = (await r.json())["order"]
    cap = await capture(helper, {"kind": "order", "url": shop + "/detail-order-sn/H2J4K6L8Z1X3C5V7", "order_id": order["id"]})
    assert cap["order_id"] == order["id"] and cap["meta"]["order_no"] == "H2J4K6L8Z1X3C5V7"
    page = Image.open(io.BytesIO(blob(helper, cap, "page.png")))
    stamped = Image.open(io.BytesIO(blob(helper, cap, "stamped.png")))
    assert stamped.width == page.width and stamped.height > page.height + 60
    # The page is unchanged above the strip; the strip (rule + background) lies below it.
    assert stamped.crop((0, 0, page.width, page.height)).tobytes() == page.convert("RGB").tobytes()
    assert stamped.getpixel((page.width // 2, page.height)) == STRIP_RULE
    assert stamped.getpixel((page.width - 3, stamped.height - 3)) == STRIP_BG
    strip = stamped.crop((0, page.height, page.width, stamped.height))
    assert len(strip.getcolors(maxcolors=1 << 16) or []) > 10  # text drawn on it
    # The strip reads back with the real OCR engine: China time, address and order number.
    read = await asyncio.to_thread(ocr.recognise, strip, "rapidocr")
    flat = "".join(read.text.split())
    captured = datetime.fromisoformat(cap["captured_at"])
    assert china(captured).replace(" ", "") in flat, read.text
    assert "北京时间" in flat and "H2J4K6L8Z1X3C5V7" in flat, read.text
    assert (shop + "/detail-order-sn/H2J4K6L8Z1X3C5V7").split("://")[1] in flat, read.text
    status, data, _ = await post(helper, {"kind": "order", "url": shop + "/", "order_id": 9999})
    assert status == 404


async def test_page_of_40000_px_is_whole_and_correct(helper, shop):
    cap = await capture(helper, {"kind": "other", "url": shop + "/tall?height=40000"})
    Image.MAX_IMAGE_PIXELS = None
    im = Image.open(io.BytesIO(blob(helper, cap, "page.png")))
    assert im.size == (1280, 40000)
    im = im.convert("RGB")
    for i in range(40):
        assert im.getpixel((900, 1000 * i + 500)) == band_color(i), f"band {i}"
        assert im.getpixel((640, 1000 * i + 5)) == band_color(i)
    for i in (2, 4, 17, 19, 37, 39):  # lazy images (loading=lazy and IntersectionObserver), down to the end
        assert im.getpixel((140, 1000 * i + 110)) == LAZY_COLOR, f"lazy image in band {i}"
    assert cap["meta"]["page"]["image"]["truncated"] is False


async def test_inner_scroll_chat_is_captured_in_full(helper, shop):
    cap = await capture(helper, {"kind": "chat", "url": shop + "/chat/demo"})
    text = blob(helper, cap, "text.txt").decode()
    assert FIRST_MESSAGE in text and LAST_MESSAGE in text
    assert cap["meta"]["page"]["expanded_scroll_panes"] >= 1
    im = Image.open(io.BytesIO(blob(helper, cap, "page.png"))).convert("L")
    assert im.height > 3 * 800  # the whole history, not one viewport
    import pytesseract

    def ocr(box):  # binarised so the text in green bubbles reads too
        crop = im.crop(box).point(lambda v: 255 if v > 140 else 0)
        return "".join(pytesseract.image_to_string(crop, lang="chi_sim").split())

    # First message at the top of the pane, last one just above the input box (132 px) at the bottom.
    assert "第一次在贵店" in ocr((240, 60, 1280, 260))
    assert "再不发货" in ocr((240, im.height - 330, 1280, im.height - 132))


async def test_mhtml_reopens_in_chromium(helper, shop, tmp_path):
    cap = await capture(helper, {"kind": "order", "url": shop + "/detail-order-sn/D8K2M4Q7X1N5R9T3"})
    path = tmp_path / "page.mhtml"
    path.write_bytes(blob(helper, cap, "page.mhtml"))
    browser = await helper["app"][CAPTURER].clean_browser()
    page = await browser.new_page()
    try:
        await page.goto(path.as_uri())
        body = await page.inner_text("body")
    finally:
        await page.close()
    assert "D8K2M4Q7X1N5R9T3" in body and "处理中" in body


@pytest.mark.parametrize("url", ["file:///etc/passwd", "chrome://settings", "data:text/html,<b>x</b>",
                                 "javascript:alert(1)", "about:blank", "ftp://example.com/x", "http://"])
async def test_refused_schemes(helper, url):
    before = len(helper["store"].list_captures())
    for body in ({"kind": "order", "url": url}, {"kind": "order", "tab": {"url": url, "title": "x"}}):
        status, data, _ = await post(helper, body)
        assert status == 400 and data["error"]["code"] in ("bad_scheme", "bad_url"), data
    assert len(helper["store"].list_captures()) == before


async def test_bad_requests(helper, shop):
    for body in ({"kind": "order"}, {"kind": "nonsense", "url": shop + "/"}, {"kind": "desktop", "url": shop + "/"},
                 {"url": shop + "/"}, {"kind": "order", "url": shop + "/", "extra": 1},
                 {"kind": "order", "tab": {"url": shop + "/", "title": "t", "x": 1}}):
        status, data, _ = await post(helper, body)
        assert status == 400, (body, data)


@pytest.mark.parametrize("path", ["/hang", "/hang-image"])
async def test_hanging_page_times_out_and_stores_nothing(helper, shop, path, monkeypatch):
    capturer = helper["app"][CAPTURER]  # the page never loads: a shorter load bound ends the test sooner
    monkeypatch.setattr(capturer, "config", dataclasses.replace(capturer.config, capture_timeout_s=3))
    before_rows, before_files = len(helper["store"].list_captures()), evidence_files(helper)
    status, data, _ = await post(helper, {"kind": "order", "url": shop + path})
    assert status == 502 and data["error"]["code"] == "capture_timeout", data
    assert "未保存" in data["error"]["message"]
    assert len(helper["store"].list_captures()) == before_rows
    assert {p for p in evidence_files(helper) if "tmp" not in p.parts} == {p for p in before_files if "tmp" not in p.parts}
    async with helper["http"].get(helper["url"] + "/api/health") as r:
        assert r.status == 200


async def test_twenty_concurrent_requests_end_stored_or_busy(helper, shop):
    before = len(helper["store"].list_captures())
    results = await asyncio.gather(*[
        post(helper, {"kind": "order", "url": shop + "/detail-order-sn/A5C7E9G1J3L6P8S0"}) for _ in range(20)
    ])
    statuses = [s for s, _, _ in results]
    assert set(statuses) <= {200, 429}, statuses
    assert statuses.count(200) >= 1 and statuses.count(429) >= 1
    for status, data, headers in results:
        if status == 429:
            assert data["error"]["code"] == "busy" and int(headers["Retry-After"]) >= 1
    assert len(helper["store"].list_captures()) == before + statuses.count(200)
    async with helper["http"].get(helper["url"] + "/api/health") as r:
        assert r.status == 200
    await capture(helper, {"kind": "order", "url": shop + "/detail-order-sn/A5C7E9G1J3L6P8S0"})
    async with helper["http"].post(helper["url"] + "/api/verify", headers=helper["auth"]) as r:
        report = await r.json()
    assert report["ok"], report["problems"]


async def test_a_page_that_stalls_animation_frames_is_still_captured(helper, shop, tmp_path):
    """A hostile page can break requestAnimationFrame in its own world; the capture runs in an isolated world
    where the page's globals do not reach, so it walks and settles as usual and is complete."""
    browser = await helper["app"][CAPTURER].clean_browser()
    from helper.capture.engine import capture_page

    context = await browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = await context.new_page()
        await page.goto(shop + "/tall?height=30000")
        await page.evaluate("() => { window.requestAnimationFrame = () => 0; }")
        cap = await capture_page(page, kind="other", source="url", environment={}, clock_check={}, lazy_budget_ms=300)
    finally:
        await context.close()
    assert isinstance(cap.meta["page"]["lazy_scroll_steps"], int) and not cap.meta["page"]["page_stalled_waits"]
    im = Image.open(io.BytesIO(cap.files["page.png"])).convert("RGB")
    assert im.size == (1280, 30000) and im.getpixel((900, 29500)) == band_color(29)


async def test_clock_is_checked_against_a_time_source_and_never_blocks(shop):
    from helper.capture.environment import check_clock

    checked = await check_clock(shop + "/")
    assert checked["status"] == "checked" and checked["server_date"].endswith("GMT")
    # One machine, one clock: the offset is within the measurement's own uncertainty (half the round trip plus the
    # Date header's 1 s resolution), however slow the round trip was on a busy machine.
    assert abs(checked["offset_s"]) <= checked["round_trip_s"] / 2 + checked["resolution_s"] + 0.002, checked
    down = await check_clock("http://127.0.0.1:9/", timeout=1)
    assert down["status"] == "not checked" and "unreachable" in down["reason"]
    assert (await check_clock(None))["status"] == "not checked"


async def test_tls_details_of_an_https_page(helper, tmp_path):
    """response_record reads protocol, issuer, subject and validity from a real TLS connection."""
    import shutil
    import ssl
    import subprocess

    from helper.capture.engine import response_record

    if not shutil.which("openssl"):
        pytest.skip("needs openssl")
    key, cert = tmp_path / "k.pem", tmp_path / "c.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=witness-test.local",
                    "-days", "2", "-keyout", str(key), "-out", str(cert),
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    async def index(request):
        return web.Response(text="<title>t</title>安全页面", content_type="text/html")

    app = web.Application()
    app.router.add_get("/", index)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0, ssl_context=ctx).start()
    browser = await helper["app"][CAPTURER].clean_browser()
    context = await browser.new_context(ignore_https_errors=True)  # self-signed, for this test only
    try:
        page = await context.new_page()
        response = await page.goto(f"https://127.0.0.1:{runner.addresses[0][1]}/")
        record = await response_record(response)
    finally:
        await context.close()
        await runner.cleanup()
    tls = record["tls"]
    assert tls["protocol"].startswith("TLS") and tls["subject"] == "witness-test.local"
    assert tls["issuer"] == "witness-test.local" and tls["valid_from"] < tls["valid_to"]
    assert record["server"]["ip"] == "127.0.0.1" and record["status"] == 200


async def test_extension_ui_is_not_in_the_evidence_and_the_stamp_names_the_pages_order(helper, shop):
    """Regression: the extension's floating 保存证据 button showed in captured screenshots, and the stamp said
    'not linked' for an order page captured without an order id although the page shows its number."""
    browser = await helper["app"][CAPTURER].clean_browser()
    from helper.capture.engine import capture_page

    context = await browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = await context.new_page()
        await page.goto(shop + "/detail-order-sn/D8K2M4Q7X1N5R9T3")
        # What the content script adds: a fixed host element (its shadow content is closed to the page).
        await page.evaluate("""() => {
          const host = document.createElement('order-witness-ui');
          host.setAttribute('style', 'all: initial !important; position: fixed !important; top: 0 !important;'
                                   + ' left: 0 !important; z-index: 2147483647 !important;');
          const root = host.attachShadow({mode: 'closed'});
          root.innerHTML = '<div style="position:fixed;left:0;top:0;width:300px;height:300px;background:#ff00ff"></div>';
          document.documentElement.appendChild(host);
        }""")
        before = await page.screenshot()
        cap = await capture_page(page, kind="order", source="tab", environment={}, clock_check={})
        after = await page.screenshot()
    finally:
        await context.close()
    assert Image.open(io.BytesIO(before)).convert("RGB").getpixel((150, 150)) == (255, 0, 255)
    im = Image.open(io.BytesIO(cap.files["page.png"])).convert("RGB")
    assert im.getpixel((150, 150)) != (255, 0, 255)
    assert cap.meta["page"]["hidden_extension_ui"] == 1
    assert Image.open(io.BytesIO(after)).convert("RGB").getpixel((150, 150)) == (255, 0, 255)  # put back
    assert cap.meta["order_no"] == "D8K2M4Q7X1N5R9T3" and cap.meta["order_no_source"] == "page"
