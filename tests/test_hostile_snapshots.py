"""A page that floods the helper with automatic chat snapshots (issue 15, break 3), through the real app, a
real Chromium and a real SQLite file; time from a fake clock, since time is the subject.

Each test failed on the code before the fix."""

from __future__ import annotations

import json
import zipfile
from datetime import datetime, timedelta, timezone

import pytest
from aiohttp import web

from helper.core.config import Config, read_or_create_token

pytestmark = pytest.mark.browser
ORDER_NO = "K7Q2M9X4T1B8C3D5"


class Clock:
    def __init__(self):
        self.t = datetime(2026, 11, 27, 4, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.t


@pytest.fixture
async def chat_shop(aiohttp_server):
    """A chat thread that changes with every look at it (a new message each time)."""
    served = {"n": 0}

    async def chat(request):
        served["n"] += 1
        lines = "".join(f"<div class='msg merchant'><span class='name'>客服</span><p>第 {i} 条：马上处理</p></div>"
                        for i in range(served["n"]))
        return web.Response(text=f"<html><head><title>在线客服</title></head><body><div class='chat'>"
                                 f"<p>订单 {ORDER_NO}</p>{lines}</div></body></html>", content_type="text/html")

    app = web.Application()
    app.router.add_get("/chat", chat)
    server = await aiohttp_server(app)
    return f"http://127.0.0.1:{server.port}"


async def _helper(aiohttp_client, tmp_path, clock, **config):
    from helper.api import create_app

    cfg = Config(data_dir=tmp_path / "data", ocr_background=False, **config)
    client = await aiohttp_client(create_app(cfg, now=clock))
    return client, {"Authorization": f"Bearer {read_or_create_token(cfg)}"}


async def test_break3_a_thread_changing_every_second_for_a_minute_stays_within_the_limit(
        aiohttp_client, tmp_path, chat_shop):
    """Break 3: a thread that changes every 2 s gave 67 captures in 133 s. Now one per snapshot_interval_s
    (20 s) per thread, enforced by the helper; the case still exports."""
    clock = Clock()
    client, auth = await _helper(aiohttp_client, tmp_path, clock)
    r = await client.post("/api/orders", json={"url": f"{chat_shop}/order", "order_no": ORDER_NO}, headers=auth)
    order_id = (await r.json())["order"]["id"]
    start = clock.t
    answers = []
    for second in range(60):  # the extension's watcher asks once a second: the thread changed again
        clock.t = start + timedelta(seconds=second)
        r = await client.post("/api/captures", json={"kind": "chat", "tab": {"url": f"{chat_shop}/chat", "title": "客服"},
                                                     "trigger": "auto"}, headers=auth)
        body = await r.json()
        answers.append((second, r.status, body.get("error", {}).get("code")))
        if r.status == 429:
            assert int(r.headers["Retry-After"]) >= 1
    taken = [s for s, status, _ in answers if status == 200]
    assert taken == [0, 20, 40], [a for a in answers if a[2] != "snapshot_limited"]
    assert {code for _, status, code in answers if status != 200} == {"snapshot_limited"}

    # a capture the buyer asks for is never limited
    r = await client.post("/api/captures", json={"kind": "chat", "tab": {"url": f"{chat_shop}/chat", "title": "客服"}},
                          headers=auth)
    assert r.status == 200

    r = await client.post(f"/api/orders/{order_id}/export", json={"name": "chat.zip"}, headers=auth)
    assert r.status == 200, await r.text()
    summary = await r.json()
    assert summary["captures"] == 4
    with zipfile.ZipFile(summary["path"]) as zf:
        assert "report.pdf" in zf.namelist()


async def test_break3_other_threads_share_a_global_limit(aiohttp_client, tmp_path, chat_shop):
    """A page that changes its address on every change (pushState) is one thread per address: the global
    limit (snapshot_per_minute) still holds."""
    clock = Clock()
    client, auth = await _helper(aiohttp_client, tmp_path, clock, snapshot_per_minute=2)
    codes = []
    for i in range(4):
        clock.t += timedelta(seconds=1)
        r = await client.post("/api/captures", json={"kind": "chat", "tab": {"url": f"{chat_shop}/chat?t={i}", "title": ""},
                                                     "trigger": "auto"}, headers=auth)
        codes.append(r.status)
    assert codes == [200, 200, 429, 429]


async def test_break3_per_capture_size_cap_and_disk_budget(aiohttp_client, tmp_path, chat_shop):
    """A capture past max_capture_mb is refused (413, nothing stored); past 80 % of the disk budget a
    storage.warning event is chained; at the budget automatic snapshots stop (507), asked-for captures go on."""
    clock = Clock()
    client, auth = await _helper(aiohttp_client, tmp_path, clock, max_capture_mb=0.001)
    r = await client.post("/api/captures", json={"kind": "chat", "url": f"{chat_shop}/chat"}, headers=auth)
    assert r.status == 413 and (await r.json())["error"]["code"] == "capture_too_large"
    from helper.api import keys

    store = client.app[keys.STORE]
    assert store.scalar("SELECT count(*) FROM captures") == 0

    client2, auth2 = await _helper(aiohttp_client, tmp_path / "b", clock, disk_budget_mb=0.05)
    r = await client2.post("/api/captures", json={"kind": "chat", "url": f"{chat_shop}/chat", "trigger": "auto"}, headers=auth2)
    assert r.status == 200
    store2 = client2.app[keys.STORE]
    warnings = [e for e in store2.events() if e["type"] == "storage.warning"]
    assert len(warnings) == 1 and warnings[0]["data"]["automatic_snapshots"] == "paused"
    clock.t += timedelta(minutes=5)
    r = await client2.post("/api/captures", json={"kind": "chat", "url": f"{chat_shop}/chat?x", "trigger": "auto"}, headers=auth2)
    assert r.status == 507 and (await r.json())["error"]["code"] == "disk_budget"
    r = await client2.post("/api/captures", json={"kind": "chat", "url": f"{chat_shop}/chat"}, headers=auth2)
    assert r.status == 200


async def test_break3_the_watcher_coalesces_a_thread_that_never_stops_changing():
    """The extension's side: a thread changing every 100 ms (debounce 300 ms) is snapshotted at most once per
    maxWait (it starved before: no snapshot at all after the first), and a `snapshot_limited` answer defers
    one snapshot of the latest state by its Retry-After instead of asking again at every change."""
    from pathlib import Path

    from playwright.async_api import async_playwright

    from helper.capture.browser import launch_browser

    script = Path(__file__).resolve().parent.parent / "extension" / "content" / "chat_watch.js"
    async with async_playwright() as p:
        browser = await launch_browser(p)
        try:
            page = await browser.new_page()
            await page.set_content("<div id='pane' style='overflow:auto;height:100px'><p>客服：您好</p></div>")
            await page.add_script_tag(path=str(script))
            await page.evaluate("""() => {
              window.calls = [];
              const w = new ChatWatcher({ samples: ['客服：您好'], isChatPage: true, debounceMs: 300, periodicMinutes: 0,
                onState: () => {},
                snapshot: async (hash, reason) => {
                  calls.push(performance.now());
                  return calls.length === 2 ? { error: { code: 'snapshot_limited', retry_after: 2 } } : { capture: {} };
                } });
              w.maxWaitMs = 1000;
              w.start();
              let n = 0;
              setInterval(() => {
                const p = document.createElement('p');
                p.textContent = '商家：第 ' + (++n) + ' 条';
                document.getElementById('pane').appendChild(p);
              }, 100);
            }""")
            await page.wait_for_function("calls.length >= 4", timeout=30000)
            calls = await page.evaluate("calls")
        finally:
            await browser.close()
    gaps = [b - a for a, b in zip(calls, calls[1:])]
    assert all(g >= 900 for g in gaps), gaps  # never faster than maxWait
    assert gaps[1] >= 1900, gaps  # the deferred snapshot waited for the helper's Retry-After
