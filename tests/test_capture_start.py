"""`witness start`: the evidence browser with the extension loaded and paired, and live-tab captures."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

import pytest
import pytest_asyncio
from aiohttp import ClientSession, web

from conftest import ROOT
from helper.api.server import helper_session
from helper.capture.evidence_browser import worker_evaluate
from helper.core.config import EXTENSION_ID, Config
from helper.demoshop import FIRST_MESSAGE, LAST_MESSAGE, REFERENCE_NOW, create_shop_app

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.browser]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def shop():
    runner = web.AppRunner(create_shop_app(now=lambda: REFERENCE_NOW), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    await runner.cleanup()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def session(tmp_path_factory):
    config = Config(data_dir=tmp_path_factory.mktemp("start") / "data", port=0, capture_timeout_s=10, ocr_background=False)
    async with helper_session(config, headless=True) as s, ClientSession() as http:
        s.http = http
        # The extension's own automatic chat snapshots would race with the captures under test.
        worker = await s.evidence.service_worker()
        await worker_evaluate(s.evidence.context, worker,
                              "() => chrome.storage.local.set({settings: {autoDetect: false, chatAutoSnapshot: false}})")
        yield s


async def idle(s):
    async with asyncio.timeout(30):  # a capture still running fails the test instead of hanging it
        while s.service.pending:
            await asyncio.sleep(0.05)


async def capture_tab(s, page, kind="chat", title=None):
    body = {"kind": kind, "tab": {"url": page.url, "title": title if title is not None else await page.title()}}
    async with s.http.post(s.url + "/api/captures", json=body, headers={"Authorization": f"Bearer {s.token}"}) as r:
        data = await r.json()
        assert r.status == 200, data
        return data["capture"]


async def test_extension_is_loaded_with_its_pinned_id_and_paired(session):
    assert session.pairing_error is None
    worker = await session.evidence.service_worker()
    assert worker.url.startswith(f"chrome-extension://{EXTENSION_ID}/")
    assert await session.evidence.stored_pairing() == {"url": session.url, "token": session.token, "evidence": True}
    staged = session.evidence.extension_dir
    assert (staged / "manifest.json").is_file()
    assert not [p for p in staged.rglob("*") if p.name.startswith("_") and p.name != "_locales"]


async def test_the_extension_is_reached_after_chromium_stopped_its_idle_worker(session):
    # Chromium stops an extension's service worker after 30 s without events; Playwright's evaluate alone then
    # waits until the worker runs again, for ever if nothing else starts it (here: its 30 s alarm is cleared first;
    # the worker sets it again when it starts). The helper's calls start it.
    ctx = session.evidence.context
    await worker_evaluate(ctx, await session.evidence.service_worker(), "() => chrome.alarms.clearAll()")
    page = await ctx.new_page()
    cdp = await ctx.new_cdp_session(page)
    stopped = asyncio.Event()

    def updated(e):
        if any(v["runningStatus"] == "stopped" and v["scriptURL"].startswith(f"chrome-extension://{EXTENSION_ID}/")
               for v in e["versions"]):
            stopped.set()

    cdp.on("ServiceWorker.workerVersionUpdated", updated)
    await cdp.send("ServiceWorker.enable")
    await cdp.send("ServiceWorker.stopAllWorkers")
    async with asyncio.timeout(30):
        await stopped.wait()
    async with asyncio.timeout(60):
        assert await session.evidence.stored_pairing() == {"url": session.url, "token": session.token, "evidence": True}
    await cdp.detach()
    await page.close()


async def test_live_tab_is_captured_as_it_is_and_left_unchanged(session, shop):
    page = await session.evidence.new_tab(shop + "/chat/demo")
    pane = page.locator(".msg-list")
    await pane.evaluate("el => { el.scrollTop = 500; }")
    await page.evaluate("() => window.scrollTo(0, 0)")
    await idle(session)
    before = await pane.evaluate("el => [el.scrollTop, el.getAttribute('style'), document.documentElement.getAttribute('style')]")
    cap = await capture_tab(session, page)
    assert cap["source"] == "evidence_browser" and cap["url"] == shop + "/chat/demo"
    assert cap["meta"]["http"]["recorded"] and cap["meta"]["http"]["status"] == 200
    assert cap["meta"]["http"]["server"]["port"] == int(shop.rsplit(":", 1)[1])
    assert cap["meta"]["browser"]["profile"] == "evidence browser"
    text = session.service.store.artifact_path(next(a for a in cap["artifacts"] if a["name"] == "text.txt")).read_text()
    assert FIRST_MESSAGE in text and LAST_MESSAGE in text
    after = await pane.evaluate("el => [el.scrollTop, el.getAttribute('style'), document.documentElement.getAttribute('style')]")
    assert after == before
    await page.close()


async def test_the_tab_with_the_reported_title_wins_when_several_match(session, shop):
    # Among tabs showing the same URL the visible, focused one wins (headed); headless Chromium reports every
    # tab visible and focused, so here the title the extension reports decides.
    url = shop + "/detail-order-sn/D8K2M4Q7X1N5R9T3"
    a = await session.evidence.new_tab(url)
    b = await session.evidence.new_tab(url)
    for tab, mark in ((a, "tab-a"), (b, "tab-b")):
        await tab.evaluate("(m) => { document.body.dataset.witnessTab = m; document.title = m; }", mark)
    for tab, mark in ((a, "tab-a"), (b, "tab-b")):
        cap = await capture_tab(session, tab, kind="order", title=mark)
        dom = session.service.store.artifact_path(next(x for x in cap["artifacts"] if x["name"] == "dom.html")).read_text()
        assert f'data-witness-tab="{mark}"' in dom
    await a.close()
    await b.close()


async def test_unknown_tab_is_fetched_anew_and_says_so(session, shop):
    cap = await capture_tab(session, type("P", (), {"url": shop + "/rules"})(), kind="rules", title="x")
    assert cap["source"] == "url" and "fetched anew" in cap["meta"]["note"]


async def test_witness_start_headless_runs_until_stopped(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "helper.cli", "--data-dir", str(tmp_path / "d"), "start", "--headless", "--port", "0",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env, cwd=ROOT)
    lines = []
    try:
        async with asyncio.timeout(60):
            while True:
                line = (await proc.stdout.readline()).decode()
                assert line, f"exited early: {lines} {(await proc.stderr.read()).decode()}"
                lines.append(line)
                if "Ctrl+C" in line:
                    break
    finally:
        proc.send_signal(signal.SIGTERM)
        rc = await asyncio.wait_for(proc.wait(), 30)
    out = "".join(lines)
    assert "扩展已配对 / extension paired" in out and "http://127.0.0.1:" in out
    assert rc == 0


async def test_start_on_a_busy_port_says_so(tmp_path, session):
    from helper.core.errors import ConfigError

    port = int(session.url.rsplit(":", 1)[1])
    with pytest.raises(ConfigError, match=f"port {port} is not available"):
        async with helper_session(Config(data_dir=tmp_path / "d", port=port), headless=True):
            pass


async def test_a_tab_closed_before_capturing_is_a_clear_error(session, shop):
    from helper.core.errors import CaptureError
    from helper.capture.engine import capture_page

    page = await session.evidence.new_tab(shop + "/rules")
    await page.close()
    with pytest.raises(CaptureError, match="closed"):
        await capture_page(page, kind="rules", source="tab")
