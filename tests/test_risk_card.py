"""The risk card in a real browser (issue 16): the real extension in headless Chromium, the real helper, the risk
fixture pages served locally. The card must appear within 300 ms of the page settling (the load event for a
static page; the shop script's last change for a page that renders after an XHR, like acg-faka's item.js), and
the offer snapshots must be kept when the page opens and again when the buyer presses 下单; the order page
captured with the button then takes the product page's promise, and the package's drafts quote it. The module's
tests share one browser (the shared_browser fixture, reset after each test). Screenshots of the card go to
test-artifacts/risk/."""

from __future__ import annotations

import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from aiohttp import web

from test_extension import ROOT, harness, poll, serve

# The tests share one browser (the shared_browser fixture, reset after each test), so they run in one event loop.
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.asyncio(loop_scope="module")]

RISK = Path(__file__).parent / "fixtures" / "risk"
ARTIFACTS = ROOT / "test-artifacts" / "risk"
# The 300 ms target is a speed figure: it is printed (and quoted in the README from quiet runs), not asserted, so
# a busy machine cannot fail the suite. The assertion only catches a card that waits for something else (a
# reload, the 30 s alarm): it must follow the page's own settling.
LIVENESS_BOUND_MS = 5_000
# An acg-faka-like item page whose price and description arrive 600 ms after load, as its item.js fills them.
RENDERED = """<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>原神 月卡 空月祝福 - 次元小站</title></head>
<body><main class="container"><div class="panel"><h4>原神 月卡 空月祝福</h4>
<span class="badge-soft">自动发货</span><span class="badge-soft item-stock">库存 66</span>
<div class="abacus"><div class="price"><i class="icon-spin"></i></div></div>
<form><label>购买数量</label><input name="num" value="1"><button type="button">立即购买</button></form></div>
<div class="panel item-detail"><h6>宝贝详情</h6><div class="panel-body" id="desc">正在加载…</div></div></main>
<script>
window.addEventListener('load', () => setTimeout(() => {
  document.querySelector('.price').textContent = '¥9.90';
  document.getElementById('desc').innerHTML = '<p>付款后10分钟内发货，客服QQ：1787654321，售后请提交工单。</p>';
  document.body.dataset.renderedAt = String(performance.now());
}, 600));
</script></body></html>"""

CARD = """(() => { const r = globalThis.__orderWitnessRisk;
  if (!r || !r.card) return null;
  const nav = performance.getEntriesByType('navigation')[0];
  return {shownAt: r.shownAt, updatedAt: r.updatedAt, loadEnd: nav.loadEventEnd, level: r.level, page: r.page,
          codes: r.codes, text: r.card.card.innerText, snapshots: r.snapshots || [],
          renderedAt: Number(document.body.dataset.renderedAt || 0)}; })()"""


ORDER_PATH = "/detail-order-sn/K7Q2M9X4T1B8C3D5"


def order_page(ordered: datetime) -> str:
    """The order page of the Steam code (no promise of its own), created at `ordered` (China time on the page)."""
    text = (RISK / "orders" / "dujiaoka_unicorn_manual_order.html").read_text("utf-8")
    return text.replace("{ORDER_TIME}", ordered.astimezone(timezone(timedelta(hours=8))).strftime("%Y-%m-%d %H:%M:%S"))


async def serve_pages(h):
    """The risk fixture pages, on a server of their own whose origin the shared browser's reset clears too."""
    files = {"/buy/12": "dujiaoka_luna_buy_steam.html", "/item/31": "acgfaka_item_personal_pay.html"}
    ordered = datetime.now(timezone.utc) - timedelta(minutes=8)  # paid 8 minutes ago; promised within 5

    async def page(request):
        if request.path == "/item/rendered":
            return web.Response(text=RENDERED, content_type="text/html")
        if request.path == ORDER_PATH:
            return web.Response(text=order_page(ordered), content_type="text/html")
        return web.Response(text=(RISK / files[request.path]).read_text("utf-8"), content_type="text/html")

    async def post_order(request):
        return web.Response(text=(RISK / "dujiaoka_luna_bill.html").read_text("utf-8"), content_type="text/html")

    app = web.Application()
    for path in (*files, "/item/rendered", ORDER_PATH):
        app.router.add_get(path, page)
    app.router.add_post("/postOrder", post_order)
    runner = await serve(app, 0)  # the port the system picks at bind time: other test workers run alongside
    base = f"http://127.0.0.1:{runner.addresses[0][1]}"
    h.origins.add(base)
    return runner, base


async def open_card(h, url: str, want=lambda info: True):
    page = await h.ctx.new_page()
    await page.goto(url)
    ow = await h.isolated(page)

    async def card():
        info = await ow(CARD)
        return info if info and want(info) else None

    return page, ow, await poll(card, timeout=30, what=f"the risk card on {url}")


async def test_card_appears_when_the_page_settles(tmp_path, shared_browser):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    async with harness(tmp_path, browser=shared_browser) as h:
        runner, base = await serve_pages(h)
        try:
            figures = []
            page, _, low = await open_card(h, f"{base}/buy/12")
            figures.append(low["shownAt"] - low["loadEnd"])
            assert low["page"] == "product" and "下单前风险提示" in low["text"]
            assert {"icp_shown", "pay_platform", "promise_shown", "price_near_face"} <= set(low["codes"])
            await page.screenshot(path=str(ARTIFACTS / "card-product.png"))
            page, _, high = await open_card(h, f"{base}/item/31")
            figures.append(high["shownAt"] - high["loadEnd"])
            assert high["level"] == "高" and "风险 高" in high["text"]
            assert "加客服QQ 1787654321 付款" in high["text"] and "不是对商家的定论" in high["text"]
            await page.screenshot(path=str(ARTIFACTS / "card-personal-pay.png"))
            page, _, late = await open_card(h, f"{base}/item/rendered",
                                            want=lambda i: "price_far_below_face" in i["codes"])
            assert late["renderedAt"] > 0
            figures.append(late["updatedAt"] - late["renderedAt"])
            print(f"risk card after the page settled: {', '.join(f'{f:.0f} ms' for f in figures)}")
            assert max(figures) < LIVENESS_BOUND_MS, figures
        finally:
            await runner.cleanup()


async def test_offer_is_kept_when_opened_and_when_the_buyer_goes_to_pay(tmp_path, shared_browser):
    async with harness(tmp_path, browser=shared_browser) as h:
        runner, base = await serve_pages(h)
        try:
            page, ow, info = await open_card(h, f"{base}/buy/12", want=lambda i: i["snapshots"])
            first = info["snapshots"][0]
            assert not first["reused"] and first["reason"] == "opened"
            assert "已保存商品页快照" in await poll(lambda: ow("globalThis.__orderWitnessRisk.card.card.innerText"),
                                              timeout=30, what="the snapshot line on the card")
            await page.click("button[lay-submit]")  # a real, trusted click on 下单: the form posts to the bill page
            await page.wait_for_url(f"{base}/postOrder")
            ow = await h.isolated(page)
            bill = await poll(lambda: ow(CARD), timeout=20, what="the card on the checkout page")
            assert bill["page"] == "checkout"
            snaps = await poll(lambda: _offer_events(h, first["id"]), timeout=30, what="the offer seen again at the pay click")
            assert snaps["seen"] == ["pay"]
            caps = [c for c in h.store.list_captures() if c["source"] == "offer"]
            reasons = sorted(c["meta"]["reason"] for c in caps)
            await poll(lambda: _count_offers(h, 2), timeout=30, what="the checkout snapshot")
            caps = [c for c in h.store.list_captures() if c["source"] == "offer"]
            assert sorted(c["meta"]["reason"] for c in caps) == ["checkout", "opened"], reasons
            # paid, and the buyer keeps the order page with the button: the order takes the product page's promise
            page = await h.ctx.new_page()
            await page.goto(base + ORDER_PATH)
            ow = await h.isolated(page)
            assert await h.watch_state(ow) == "watched"
            await h.click_capture(page, ow)
            await poll(lambda: ow("globalThis.__orderWitness.ui.status.innerText.includes('已保存')"), timeout=60,
                       what="the order page captured")
            order = next(o for o in h.store.list_orders() if o["order_no"] == "K7Q2M9X4T1B8C3D5")
            assert order["promise_source"] == "offer_snapshot" and order["promise_seconds"] == 300
            assert datetime.fromisoformat(order["deadline"]) < datetime.now(timezone.utc)  # overdue
            status, body = await h.api("POST", f"/api/orders/{order['id']}/export", {"name": "offer.zip"})
            assert status == 200, body
            with zipfile.ZipFile(body["path"]) as z:
                draft = z.read("drafts/12315.txt").decode("utf-8")
            assert f"商品页快照 #{first['id']}" in draft and first["sha256"] in draft and "付款后5分钟内自动发货" in draft
        finally:
            await runner.cleanup()


async def _offer_events(h, capture_id: int):
    seen = [e["data"]["reason"] for e in h.store.events() if e["type"] == "offer.seen" and e["capture_id"] == capture_id]
    return {"seen": seen} if seen else None


async def _count_offers(h, n: int) -> bool:
    return len([c for c in h.store.list_captures() if c["source"] == "offer"]) >= n
