"""The demo shop: every listed page serves its key texts, number formats, chat hooks, test pages, 404s."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from helper.demoshop import FIRST_MESSAGE, HANGING_PAGES, LAST_MESSAGE, PAGES, REFERENCE_NOW, STATE, create_shop_app
from helper.demoshop.layout import SHOPS
from helper.demoshop.orders import ACG_FAKA, CAIHONG, DUJIAOKA, ID_FORMATS, STATUSES, seed_orders
from helper.demoshop.testpages import LAZY_COLOR, band_color

NOW = REFERENCE_NOW


@pytest.fixture
async def client(aiohttp_client):
    return await aiohttp_client(create_shop_app(now=lambda: NOW))


async def test_every_listed_page_serves_its_key_texts(client):
    assert len({p.path for p in PAGES}) == len(PAGES)
    for page in PAGES:
        resp = await client.get(page.path)
        assert resp.status == 200, page.path
        assert resp.content_type == "text/html"
        text = await resp.text()
        missing = [x for x in page.expect if x not in text]
        assert not missing, (page.path, missing)
        title = re.search(r"<title>([^<]+)</title>", text).group(1)
        assert any(shop.name in title for shop in SHOPS.values()), (page.path, title)
        assert "Noto Sans CJK SC" in text, page.path
        if page.kind not in ("tall",):
            assert re.search(r"[京粤浙湘豫鲁]ICP备\d+号-\d", text), page.path


async def test_pages_json_lists_every_page(client):
    data = await (await client.get("/demo/pages.json")).json()
    assert [r["path"] for r in data["pages"]] == [p.path for p in PAGES + HANGING_PAGES]


async def test_every_route_is_documented_in_the_readme(client):
    from pathlib import Path

    import helper.demoshop

    readme = (Path(helper.demoshop.__file__).parent / "README.md").read_text(encoding="utf-8")
    documented = re.sub(r"\{[^}]+\}", "{}", readme)
    for resource in client.app.router.resources():
        path = re.sub(r"\{[^}]+\}", "{}", resource.canonical)
        assert re.search(r"(?<=[`\s])" + re.escape(path) + r"(?=[`?\s])", documented), path


async def test_seeded_order_numbers_have_the_system_formats():
    orders = seed_orders()
    assert {o.system for o in orders} == {DUJIAOKA, ACG_FAKA, CAIHONG}
    for o in orders:
        assert ID_FORMATS[o.system].match(o.order_id), o.order_id
        assert o.status in STATUSES[o.system]
        created = o.created(REFERENCE_NOW).astimezone(REFERENCE_NOW.tzinfo)
        if o.system == ACG_FAKA:  # 3 random + yymmddHHMMSS + 3 random
            assert o.order_id[3:15] == created.strftime("%y%m%d%H%M%S")
        if o.system == CAIHONG:  # YYYYmmddHHMMSS + 3
            assert o.order_id[:14] == created.strftime("%Y%m%d%H%M%S")
    assert set(STATUSES[DUJIAOKA]) == {o.status for o in orders if o.system == DUJIAOKA}


async def test_times_follow_now_at_request_time(aiohttp_client):
    clock = {"now": NOW}
    client = await aiohttp_client(create_shop_app(now=lambda: clock["now"]))
    text = await (await client.get("/detail-order-sn/D8K2M4Q7X1N5R9T3")).text()
    assert "2026-11-27 10:59:00" in text  # created 3 h 1 min before now
    clock["now"] = NOW + timedelta(days=1)
    text = await (await client.get("/detail-order-sn/D8K2M4Q7X1N5R9T3")).text()
    assert "2026-11-28 10:59:00" in text


async def test_completed_dujiaoka_order_shows_keys_in_textarea_with_copy(client):
    text = await (await client.get("/detail-order-sn/A5C7E9G1J3L6P8S0")).text()
    m = re.search(r"<textarea[^>]*>([^<]*)</textarea>", text)
    assert m and "TXVIP-7QK2-M8ZD-4HNA-31XP" in m.group(1)
    assert ">复制</button>" in text
    themes_b = await (await client.get("/b/detail-order-sn/A5C7E9G1J3L6P8S0")).text()
    assert re.search(r"<ul class=\"order-info\"><li><strong>订单号：</strong>A5C7E9G1J3L6P8S0</li>", themes_b)


async def test_chat_history_is_long_with_separators_first_and_last(client):
    data = await (await client.get("/demo/chat/demo/messages.json")).json()
    msgs = data["messages"]
    assert len(msgs) >= 80 and data["last_id"] == len(msgs)
    assert msgs[0]["text"] == FIRST_MESSAGE and msgs[-1]["text"] == LAST_MESSAGE
    assert [m["id"] for m in msgs] == list(range(1, len(msgs) + 1))
    assert {m["day_label"] for m in msgs} >= {"今天", "昨天"}
    assert any(re.fullmatch(r"\d{4}-\d{2}-\d{2}", m["day_label"]) for m in msgs)
    assert any("付款后5分钟内发货" in m["text"] and m["sender"] == "merchant" for m in msgs[:10])
    last_merchant = max(i for i, m in enumerate(msgs) if m["sender"] == "merchant")
    assert len(msgs) - last_merchant > 20  # the buyer is left unanswered
    page = await (await client.get("/chat/demo")).text()
    assert 'class="date-sep"><span>今天</span>' in page
    assert re.search(r'class="time" title="2026-11-27 \d\d:\d\d:\d\d">\d\d:\d\d<', page)
    assert "overflow-y:auto" in page and "overflow:hidden" in page


async def test_chat_say_then_poll(client):
    before = (await (await client.get("/demo/chat/demo/messages.json")).json())["last_id"]
    resp = await client.post("/demo/chat/demo/say", json={"sender": "merchant", "text": "  抱歉久等，马上发货  "})
    assert resp.status == 201
    said = await resp.json()
    assert said["id"] == before + 1 and said["text"] == "抱歉久等，马上发货"
    assert said["time"] == "2026-11-27 14:00:00" and said["day_label"] == "今天"
    polled = await (await client.get(f"/demo/chat/demo/messages.json?after={before}")).json()
    assert [m["text"] for m in polled["messages"]] == ["抱歉久等，马上发货"]
    assert polled["messages"][0]["name"] == "星辰数卡-客服小美"
    empty = await (await client.get(f"/demo/chat/demo/messages.json?after={before + 1}")).json()
    assert empty["messages"] == []
    page = await (await client.get("/chat/demo")).text()
    assert "抱歉久等，马上发货" in page


@pytest.mark.parametrize(
    "body, code",
    [
        (b"not json", "bad_json"),
        (b"[1, 2]", "bad_request"),
        (b'{"sender": "admin", "text": "hi"}', "bad_sender"),
        (b'{"sender": "buyer", "text": "   "}', "bad_text"),
        (b'{"sender": "buyer", "text": 5}', "bad_text"),
        ('{"sender": "buyer", "text": "%s"}' % ("长" * 2001), "bad_text"),
    ],
)
async def test_chat_say_rejects_bad_input(client, body, code):
    before = (await (await client.get("/demo/chat/short/messages.json")).json())["last_id"]
    data = body.encode() if isinstance(body, str) else body
    resp = await client.post("/demo/chat/short/say", data=data, headers={"Content-Type": "application/json"})
    assert resp.status == 400
    assert (await resp.json())["error"]["code"] == code
    after = (await (await client.get("/demo/chat/short/messages.json")).json())["last_id"]
    assert after == before  # nothing half-written


async def test_chat_api_errors(client):
    for path in ("/demo/chat/short/messages.json?after=-1", "/demo/chat/short/messages.json?after=x"):
        resp = await client.get(path)
        assert resp.status == 400 and (await resp.json())["error"]["code"] == "bad_request"
    resp = await client.post("/demo/chat/nope/say", json={"sender": "buyer", "text": "hi"})
    assert resp.status == 404 and (await resp.json())["error"]["code"] == "not_found"
    resp = await client.get("/demo/chat/nope/messages.json")
    assert resp.status == 404
    resp = await client.get("/chat/demo?auto=abc")
    assert resp.status == 400


async def test_tall_page_has_bands_at_known_offsets(client):
    text = await (await client.get("/tall?height=3500")).text()
    assert 'data-height="3500"' in text
    for i in range(4):
        r, g, b = band_color(i)
        assert f'id="band-{i}" data-index="{i}" data-offset="{i * 1000}"' in text
        assert f"background:rgb({r},{g},{b})" in text
        assert f"第 {i} 段 · 偏移 {i * 1000} px" in text
    assert 'id="band-4"' not in text
    assert "top:3000px;height:500px" in text
    assert 'loading="lazy" src="/tall/img/2.svg"' in text
    colors = [band_color(i) for i in range(200)]
    assert all(a != b for a, b in zip(colors, colors[1:]))
    assert (await (await client.get("/demo/tall/images.json")).json()) == {"served": {}}
    img = await client.get("/tall/img/2.svg")
    assert img.status == 200 and img.content_type == "image/svg+xml"
    assert (await (await client.get("/demo/tall/images.json")).json()) == {"served": {"2": 1}}


@pytest.mark.parametrize("query", ["height=abc", "height=999", "height=200001"])
async def test_tall_rejects_bad_height(client, query):
    resp = await client.get(f"/tall?{query}")
    assert resp.status == 400
    assert "height" in await resp.text()


async def test_slow_and_hang(client):
    assert (await client.get("/slow?ms=-5")).status == 400
    assert (await client.get("/slow?ms=0")).status == 200
    resp = await client.get("/hang")
    assert resp.status == 200
    first = await resp.content.read(200)
    assert "<!DOCTYPE html>".encode() in first
    resp.close()  # the server notices the client went away and ends the handler


@pytest.mark.parametrize(
    "path",
    [
        "/detail-order-sn/NOTANORDER",
        "/detail-order-sn/AAAAAAAAAAAAAAAA",
        "/b/detail-order-sn/aaaa",
        "/buy/99",
        "/buy/x",
        "/chat/nope",
        "/no/such/page",
        "/user/index/query?tradeNo=123",
        "/user/index/query?tradeNo=999999999999999999",
        "/user/ticket/99999",
        "/user/ticket/abc",
        "/?mod=query&data=20260101000000000",
        "/?mod=query&data=nobody",
        "/?mod=workorder&id=1",
        "/?mod=nope",
        "/pay/result/W3E5R7T9Y2U4I6O8",
        "/pay/result/nope",
    ],
)
async def test_bad_ids_get_a_404_page(client, path):
    resp = await client.get(path)
    assert resp.status == 404
    assert resp.content_type == "text/html"
    text = await resp.text()
    assert any(word in text for word in ("404", "不存在", "未查询到")), text[-300:]


async def test_unknown_demo_api_path_is_json_404(client):
    resp = await client.get("/demo/nothing")
    assert resp.status == 404
    assert (await resp.json())["error"]["code"] == "not_found"


async def test_create_order_hook(client):
    resp = await client.post(
        "/demo/orders",
        json={"system": "dujiaoka", "status": "处理中", "paid_offset_seconds": 297, "amount": 98.5,
              "promise": "付款后5分钟内自动发货", "product": "测试商品"},
    )
    assert resp.status == 201
    data = await resp.json()
    assert re.fullmatch(r"[A-Z0-9]{16}", data["order_id"])
    assert data["url"] == f"/detail-order-sn/{data['order_id']}"
    assert data["paid_at"] == "2026-11-27T13:55:03.000+08:00"
    page = await (await client.get(data["url"])).text()
    assert "测试商品" in page and "98.50" in page and "付款后5分钟内自动发货" in page
    assert "2026-11-27 13:54:03" in page  # created 60 s before payment


@pytest.mark.parametrize(
    "body, code",
    [
        ({"system": "taobao"}, "bad_system"),
        ({"system": "dujiaoka", "status": "已付款"}, "bad_status"),
        ({"system": "dujiaoka", "paid_offset_seconds": -1}, "bad_request"),
        ({"system": "dujiaoka", "paid_offset_seconds": "10"}, "bad_request"),
        ({"system": "dujiaoka", "status": "待支付", "paid_offset_seconds": 10}, "bad_request"),
        ({"system": "dujiaoka", "amount": 0}, "bad_request"),
        ({"system": "dujiaoka", "amount": "abc"}, "bad_request"),
        ({"system": "dujiaoka", "quantity": 0}, "bad_request"),
        ({"system": "dujiaoka", "order_type": "在线发货"}, "bad_request"),
        ({"system": "dujiaoka", "keys": "K1"}, "bad_request"),
        ({"system": "dujiaoka", "colour": "red"}, "bad_request"),
        ({"system": "dujiaoka", "paid_offset_seconds": 100, "created_offset_seconds": 50}, "bad_request"),
        ({"system": "caihong", "theme": "b"}, "bad_request"),
    ],
)
async def test_create_order_rejects_bad_input(client, body, code):
    before = len(client.app[STATE].orders)
    resp = await client.post("/demo/orders", json=body)
    assert resp.status == 400
    assert (await resp.json())["error"]["code"] == code
    assert len(client.app[STATE].orders) == before


async def test_create_order_rejects_non_json(client):
    resp = await client.post("/demo/orders", data=b"system=dujiaoka")
    assert resp.status == 400
    assert (await resp.json())["error"]["code"] == "bad_json"


async def test_naive_clock_is_refused(aiohttp_client):
    client = await aiohttp_client(create_shop_app(now=lambda: NOW.replace(tzinfo=None)))
    resp = await client.get("/detail-order-sn/D8K2M4Q7X1N5R9T3")
    assert resp.status == 500


async def test_acg_and_caihong_pages_show_numbers_in_their_formats(client):
    acg = await (await client.get("/user/index/query?tradeNo=137261127105830706")).text()
    assert re.search(r"<th>订单号</th><td>(\d{18})</td>", acg).group(1) == "137261127105830706"
    assert "2026-11-27 10:58:30" in acg and "2026-11-27 11:00:00" in acg  # 下单时间, 付款时间
    ch = await (await client.get("/?mod=query&data=20261127073947250")).text()
    m = re.search(r'<td class="warning">订单编号</td><td>(\d{17})</td>', ch)
    assert m and m.group(1) == "20261127073947250"
    assert '<td class="warning">订单金额</td><td>96.00元</td>' in ch
    assert '<td class="warning">购买时间</td><td>2026-11-27 07:39:47</td>' in ch


async def test_ticket_thread_takes_live_messages_and_updates_status(client):
    page = await (await client.get("/user/ticket/52013")).text()
    assert 'id="ticket-status" class="t-st s-wait-cs">待客服回复' in page
    resp = await client.post("/demo/chat/ticket-52013/say", json={"sender": "merchant", "text": "已为您加急处理"})
    assert resp.status == 201
    page = await (await client.get("/user/ticket/52013")).text()
    assert "已为您加急处理" in page and ">待我回复<" in page
    assert page.count('<span class="badge-staff">官方客服</span>') == 2


@pytest.mark.parametrize(
    "system, pattern, url_prefix",
    [
        ("acg-faka", r"\d{18}", "/user/index/query?tradeNo="),
        ("caihong", r"\d{17}", "/?mod=query&data="),
    ],
)
async def test_created_orders_in_other_systems(client, system, pattern, url_prefix):
    resp = await client.post("/demo/orders", json={"system": system, "paid_offset_seconds": 3600, "amount": "7.5"})
    assert resp.status == 201
    data = await resp.json()
    assert re.fullmatch(pattern, data["order_id"])
    assert data["url"] == url_prefix + data["order_id"]
    page = await client.get(data["url"])
    assert page.status == 200
    assert data["order_id"] in await page.text()
    created = REFERENCE_NOW - timedelta(seconds=3660)
    stamp = created.strftime("%y%m%d%H%M%S" if system == "acg-faka" else "%Y%m%d%H%M%S")
    assert stamp in data["order_id"]
    pay = await client.get(f"/pay/result/{data['order_id']}")
    assert pay.status == 200 and "7.50" in await pay.text()


async def test_create_chat_thread(client):
    resp = await client.post(
        "/demo/chat",
        json={"title": "测试客服", "merchant_name": "店主", "messages": [
            {"sender": "merchant", "text": "付款后5分钟内发货", "offset_seconds": 600},
            {"sender": "buyer", "text": "已付款", "offset_seconds": 300},
        ]},
    )
    assert resp.status == 201
    data = await resp.json()
    assert data["messages"] == 2
    page = await client.get(data["url"])
    assert page.status == 200
    text = await page.text()
    assert "测试客服" in text and "付款后5分钟内发货" in text and 'title="2026-11-27 13:50:00"' in text
    polled = await (await client.get(f"/demo/chat/{data['thread']}/messages.json")).json()
    assert [m["name"] for m in polled["messages"]] == ["店主", "我"]


@pytest.mark.parametrize(
    "body",
    [
        {"colour": "red"},
        {"title": ""},
        {"messages": "hi"},
        {"messages": [{"sender": "bot", "text": "x"}]},
        {"messages": [{"sender": "buyer", "text": "x", "offset_seconds": -1}]},
        {"messages": [{"sender": "buyer", "text": "a", "offset_seconds": 5},
                      {"sender": "buyer", "text": "b", "offset_seconds": 50}]},
    ],
)
async def test_create_chat_thread_rejects_bad_input(client, body):
    before = set(client.app[STATE].threads)
    resp = await client.post("/demo/chat", json=body)
    assert resp.status == 400
    assert (await resp.json())["error"]["code"] == "bad_request"
    assert set(client.app[STATE].threads) == before


# Scroll, then let two frames render: the lazy-load and IntersectionObserver checks run in a frame's rendering
# step, so scrolls made without one in between are never seen (band 2's loading="lazy" image stayed unloaded).
SCROLL_JS = "y => new Promise(done => { scrollTo(0, y); requestAnimationFrame(() => requestAnimationFrame(done)); })"
IN_VIEW_LOADED_JS = """() => [...document.images].filter(i => { const r = i.getBoundingClientRect();
  return r.bottom > 0 && r.top < innerHeight; }).every(i => i.complete && i.naturalWidth > 1)"""


async def scroll_and_settle(page, y: int) -> None:
    """Scroll to `y` and wait until every image in the viewport has loaded (a placeholder 1 px wide is not)."""
    await page.evaluate(SCROLL_JS, y)
    await page.wait_for_function(IN_VIEW_LOADED_JS, timeout=30000)


@pytest.mark.browser
async def test_pages_in_real_chromium(client):
    """One browser session: the chat pane scrolls inside the page and takes polled messages into the DOM;
    the tall page has its colours at the documented offsets; the 彩虹 popup is open."""
    import io

    from PIL import Image
    from playwright.async_api import async_playwright

    from helper.capture.browser import launch_browser

    async with async_playwright() as pw:
        browser = await launch_browser(pw)
        try:
            page = await browser.new_page(viewport={"width": 1280, "height": 720})
            await page.goto(str(client.make_url("/chat/demo")))
            geo = await page.evaluate(
                """() => { const p = document.getElementById('msg-list'); return {
                  doc: document.scrollingElement.scrollHeight, inner: innerHeight,
                  paneScroll: p.scrollHeight, paneClient: p.clientHeight, top: p.scrollTop,
                  first: p.querySelector('.msg .bubble').textContent,
                  lastVisible: p.lastElementChild.getBoundingClientRect().bottom <= innerHeight }; }"""
            )
            assert geo["doc"] <= geo["inner"]  # the page itself does not scroll
            assert geo["paneScroll"] > 5 * geo["paneClient"]  # the long history scrolls inside the pane
            assert geo["top"] > 0 and geo["lastVisible"]  # opened at the newest message
            assert geo["first"] == FIRST_MESSAGE
            await page.evaluate(
                """() => { window.seen = []; new MutationObserver(ms => ms.forEach(m => m.addedNodes.forEach(
                  n => n.textContent && window.seen.push(n.textContent)))).observe(
                  document.getElementById('msg-list'), {childList: true}); }"""
            )
            resp = await client.post("/demo/chat/demo/say", json={"sender": "merchant", "text": "浏览器轮询测试消息"})
            assert resp.status == 201
            await page.wait_for_function("window.seen.some(t => t.includes('浏览器轮询测试消息'))", timeout=30000)

            await page.goto(str(client.make_url("/tall?height=5000")))
            for y in range(0, 5000, 500):  # lazy images load only once scrolled near: each step waits for them
                await scroll_and_settle(page, y)
            await page.wait_for_function(
                "[...document.images].every(i => i.complete && i.naturalWidth > 1)", timeout=30000
            )
            served = (await (await client.get("/demo/tall/images.json")).json())["served"]
            assert set(served) == {"2", "4"}
            png = await page.screenshot(full_page=True)
            img = Image.open(io.BytesIO(png)).convert("RGB")
            assert img.size == (1280, 5000)
            for i in range(5):
                assert img.getpixel((900, i * 1000 + 500)) == band_color(i), i
            for i in (2, 4):  # the lazy image sits at x 20-260, y 100-220 inside its band
                assert img.getpixel((240, i * 1000 + 110)) == LAZY_COLOR, i

            await page.goto(str(client.make_url("/?mod=query&data=20261127073947250")))
            assert await page.is_visible("text=订单详细信息")
            assert await page.is_visible("text=投诉订单")
        finally:
            await browser.close()
