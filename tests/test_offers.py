"""The risk route with the buyer's history from a real store, and the offer as sold (issue 16): snapshots of a
product page kept and deduplicated by content, linked to the order when its page is captured, and quoted with
their capture time and hash by the drafts and the report of an overdue order's package."""

from __future__ import annotations

import asyncio
import json
import subprocess
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

from aiohttp import web

from fakeclock import FakeClock
from helper.api import create_app, keys
from helper.core.clock import CHINA, iso
from helper.store import Store

from conftest import run_witness

RISK = Path(__file__).parent / "fixtures" / "risk"
PRODUCT = (RISK / "dujiaoka_luna_buy_steam.html").read_text("utf-8")
ORDER = (RISK / "orders" / "dujiaoka_unicorn_manual_order.html").read_text("utf-8")
T0 = datetime(2026, 11, 27, 9, 58, 0, tzinfo=CHINA)  # the buyer opens the product page


def app_at(config, clock: FakeClock):
    """The real app on a fake clock: its reminders fire only when the test moves the clock, never by waiting."""
    return create_app(config, now=clock, sleep=clock.sleep)


def seed_history(data_dir: Path, host: str) -> None:
    """Three earlier orders with this shop (one delivered, one refunded after an overdue reminder, one open and
    overdue) and one with another shop, in a real store."""
    store = Store(data_dir, now=lambda: T0)
    try:
        past = T0 - timedelta(days=20)
        rows = [("A1", "delivered", host, None), ("A2", "refunded", host, None), ("A3", "paid", host, None),
                ("B1", "paid", "other.example", None)]
        for no, status, h, _ in rows:
            order, _ = store.upsert_order(h, no, {"url": f"https://{h}/detail-order-sn/{no}", "product": "Steam 钱包",
                                                 "status_code": status, "shop_name": "星辰数卡" if h == host else "别家",
                                                 "paid_at": iso(past), "deadline": iso(past + timedelta(minutes=5))})
            if no == "A2":
                store.append_event("order.overdue", {"key": "A2"}, order_id=order["id"])
    finally:
        store.close()


async def test_risk_route_counts_history_from_the_store(aiohttp_client, config, auth):
    seed_history(config.data_dir, "xingchenka.com")
    clock = FakeClock(T0)
    client = await aiohttp_client(app_at(config, clock))
    # The helper's start-up look fires the missed overdue reminders of all three orders, the delivered one's too (a
    # page never stops the reminders; it asks the buyer to confirm). That reminder is no sign the shop was late:
    # it made was_overdue 3 whenever the look ran before the request (seen under pytest-xdist). Ask after it.
    await asyncio.wait_for(client.app[keys.SCHEDULER].caught_up(T0), timeout=30)
    fired = {(e["data"].get("order") or {}).get("order_no") for e in client.app[keys.STORE].events()
             if e["type"] == "order.overdue"}
    assert {"A1", "A3"} <= fired
    body = await risk_of(client, auth)
    h = body["risk"]["history"]
    assert body["is_shop"] and body["risk"]["applies"] and body["risk"]["page"] == "product"
    assert h["orders"] == 3 and h["overdue_now"] == 1 and h["was_overdue"] == 2
    assert h["outcomes"] == {"delivered": 1, "refunded": 1, "failed": 0, "expired": 0, "open": 1}
    assert body["risk"]["level"] == "高" and any(s["code"] == "history_overdue" for s in body["risk"]["signals"])
    # A3's reminder fired while the shop still had it open: it stays counted once the page says delivered.
    store = client.app[keys.STORE]
    await asyncio.to_thread(store.upsert_order, "xingchenka.com", "A3", {"status_code": "delivered"})
    h = (await risk_of(client, auth))["risk"]["history"]
    assert h["overdue_now"] == 0 and h["was_overdue"] == 2 and h["outcomes"]["delivered"] == 2
    r = await client.post("/api/risk", json={"url": "https://xingchenka.com/buy/12"}, headers=auth)
    assert r.status == 400
    r = await client.post("/api/risk", json={"url": "https://xingchenka.com/buy/12", "html": PRODUCT})
    assert r.status == 401


async def risk_of(client, auth) -> dict:
    r = await client.post("/api/risk", json={"url": "https://xingchenka.com/buy/12", "html": PRODUCT}, headers=auth)
    assert r.status == 200, await r.text()
    return await r.json()


async def test_offer_snapshots_are_deduplicated_by_content(aiohttp_client, config, auth):
    clock = FakeClock(T0)
    client = await aiohttp_client(app_at(config, clock))
    url = "https://xingchenka.com/buy/12"
    r = await client.post("/api/offers", json={"url": url, "html": PRODUCT, "title": "t", "reason": "opened"}, headers=auth)
    first = (await r.json())["snapshot"]
    assert r.status == 200 and not first["reused"] and first["offer"]["promise"]["within_seconds"] == 300
    clock.advance(minutes=1)
    ticking = PRODUCT.replace("</body>", "<p>12:01:33</p></body>")  # only a clock time differs
    r = await client.post("/api/offers", json={"url": url, "html": ticking, "title": "t", "reason": "pay"}, headers=auth)
    again = (await r.json())["snapshot"]
    assert again["reused"] and again["id"] == first["id"] and again["sha256"] == first["sha256"]
    edited = PRODUCT.replace("付款后5分钟内自动发货", "付款后24小时内发货")
    r = await client.post("/api/offers", json={"url": url, "html": edited, "title": "t", "reason": "pay"}, headers=auth)
    changed = (await r.json())["snapshot"]
    assert not changed["reused"] and changed["id"] != first["id"]
    r = await client.post("/api/offers", json={"url": url, "html": PRODUCT, "reason": "later"}, headers=auth)
    assert r.status == 400
    r = await client.post("/api/offers", json={"url": "file:///x", "html": PRODUCT, "reason": "opened"}, headers=auth)
    assert r.status == 400
    r = await client.post("/api/verify", headers=auth)
    report = await r.json()
    assert report["ok"], report["problems"]
    orders = (await (await client.get("/api/orders", headers=auth)).json())["orders"]
    assert orders == []  # snapshots track no order by themselves


async def serve_order_page(order_time: datetime):
    page = ORDER.replace("{ORDER_TIME}", order_time.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S"))

    async def handler(request):
        return web.Response(text=page, content_type="text/html")

    app = web.Application()
    app.router.add_get("/detail-order-sn/K7Q2M9X4T1B8C3D5", handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()  # a port of its own: other test workers run alongside
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}"


async def test_product_snapshot_promise_is_quoted_in_the_overdue_orders_package(aiohttp_client, config, auth, tmp_path):
    clock = FakeClock(T0)
    client = await aiohttp_client(app_at(config, clock))
    runner, shop = await serve_order_page(T0 + timedelta(minutes=2))
    try:
        # 1. the buyer opens the product page, then presses 下单 (the same offer: one snapshot, seen twice)
        r = await client.post("/api/offers", json={"url": f"{shop}/buy/12", "html": PRODUCT, "reason": "opened",
                                                    "title": "Steam 钱包 100 元充值码 - 星辰数卡"}, headers=auth)
        snap = (await r.json())["snapshot"]
        clock.advance(minutes=1)
        r = await client.post("/api/offers", json={"url": f"{shop}/buy/12", "html": PRODUCT, "reason": "pay"}, headers=auth)
        assert (await r.json())["snapshot"]["reused"]
        # the checkout page states no promise: linked too, and must not break the quote (a bug the browser test met)
        bill = (RISK / "dujiaoka_luna_bill.html").read_text("utf-8")
        r = await client.post("/api/offers", json={"url": f"{shop}/bill/K7Q2M9X4T1B8C3D5", "html": bill,
                                                    "reason": "checkout"}, headers=auth)
        assert (await r.json())["snapshot"]["offer"]["promise"] is None
        # 2. paid; the order page (no promise of its own) is captured three hours later
        clock.advance(hours=2, minutes=59)  # T0 + 3 h
        r = await client.post("/api/captures", json={"kind": "order", "url": f"{shop}/detail-order-sn/K7Q2M9X4T1B8C3D5"},
                              headers=auth)
        assert r.status == 200, await r.text()
        order = (await r.json())["order"]
    finally:
        await runner.cleanup()
    assert order["promise_text"].startswith("付款后5分钟内自动发货") and order["promise_source"] == "offer_snapshot"
    assert order["deadline"] == "2026-11-27T10:05:00.000+08:00"
    assert order["escalation"]["overdue_seconds"] > 0
    detail = await (await client.get(f"/api/orders/{order['id']}", headers=auth)).json()
    assert snap["id"] in [c["id"] for c in detail["captures"]]
    assert {"capture.linked", "order.updated"} <= {e["type"] for e in detail["events"]}
    # 3. the package quotes the promise from the snapshot, with its capture time and hash
    r = await client.post(f"/api/orders/{order['id']}/export", json={"name": "offer.zip"}, headers=auth)
    assert r.status == 200, await r.text()
    path = Path((await r.json())["path"])
    when = "2026-11-27 09:58:00"
    with zipfile.ZipFile(path) as z:
        draft = z.read("drafts/platform.txt").decode("utf-8")
        manifest = json.loads(z.read("manifest.json"))
        z.extract("report.pdf", tmp_path)
    assert f"#{snap['id']}" in draft and when in draft and snap["sha256"] in draft, draft
    assert "付款后5分钟内自动发货" in draft
    assert any(c["id"] == snap["id"] for c in manifest["captures"])
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "report.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    flat = "".join(text.split())
    assert when.replace(" ", "") in flat and snap["sha256"] in flat and "付款后5分钟内自动发货" in flat


def test_witness_risk_command(tmp_path):
    data = tmp_path / "data"
    page = RISK / "acgfaka_item_personal_pay.html"
    proc = run_witness("risk", str(page), "--url", "https://shop.acg-station.top/item/31", "--json", data_dir=data)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["level"] == "高" and result["history"]["orders"] == 0
    assert not data.exists()  # reading a page creates no store
    seed_history(data, "shop.acg-station.top")
    proc = run_witness("risk", str(page), "--url", "https://shop.acg-station.top/item/31", data_dir=data, check=True)
    assert "风险 高" in proc.stdout and "加客服QQ 1787654321 付款" in proc.stdout and "共 3 笔" in proc.stdout
    assert "beian.miit.gov.cn" in proc.stdout
    assert run_witness("risk", str(tmp_path / "missing.html"), "--url", "https://x.example/", data_dir=data).returncode == 2
    assert run_witness("risk", str(page), data_dir=data).returncode == 2  # --url is required


async def test_a_page_that_changes_on_every_look_does_not_fill_the_store(aiohttp_client, config, auth, monkeypatch):
    from helper.orders import offers

    monkeypatch.setattr(offers, "MAX_NEW_PER_HOUR", 3)
    client = await aiohttp_client(app_at(config, FakeClock(T0)))
    url = "https://xingchenka.com/buy/12"
    for i in range(3):
        html = PRODUCT.replace("</body>", f"<p>随机内容 {'甲乙丙丁'[i]}</p></body>")
        r = await client.post("/api/offers", json={"url": url, "html": html, "reason": "opened"}, headers=auth)
        assert r.status == 200
    r = await client.post("/api/offers", json={"url": url, "html": PRODUCT, "reason": "opened"}, headers=auth)
    assert r.status == 429 and (await r.json())["error"]["code"] == "busy"
    r = await client.post("/api/offers", json={"url": "https://other.example/buy/1", "html": PRODUCT, "reason": "opened"},
                          headers=auth)
    assert r.status == 200  # another shop is not held up


async def test_offer_snapshots_respect_the_size_and_disk_budget(aiohttp_client, config, auth):
    client = await aiohttp_client(app_at(config.with_(max_capture_mb=0.001), FakeClock(T0)))
    r = await client.post("/api/offers", json={"url": "https://xingchenka.com/buy/12", "html": PRODUCT, "reason": "opened"},
                          headers=auth)
    assert r.status == 413
    full = await aiohttp_client(app_at(config.with_(disk_budget_mb=0.0), FakeClock(T0)))
    r = await full.post("/api/offers", json={"url": "https://xingchenka.com/buy/12", "html": PRODUCT, "reason": "opened"},
                        headers=auth)
    assert r.status == 507 and (await r.json())["error"]["code"] == "disk_budget"
