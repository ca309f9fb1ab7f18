"""Buyer's-tab benchmark: the same 30,000 px page captured from the buyer's own browser (the extension's
chrome.debugger relay) and from the evidence browser's tab, side by side in one run (target ≤ 1.3x).

    .venv/bin/python bench/bench_buyer_tab.py [--rounds 3] [--height 30000]

Everything is real and in-process: the helper's HTTP API on 127.0.0.1, the demo shop, a Chromium the
bench launches itself with a staged copy of the extension (paired with the helper's token) for the buyer's
tab, and the helper's own evidence browser (`witness start`, headless). Both tabs are 1280 x 800. Each
round is timed end to end as the extension sees it: the buyer's tab through the service worker's
captureBuyerTab (ticket, relay socket, attach, capture, store, detach); the evidence browser's tab through
POST /api/captures with the tab (capture, store).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiohttp import ClientSession, web  # noqa: E402
from playwright.async_api import async_playwright  # noqa: E402

from helper.api import create_app, keys  # noqa: E402
from helper.api.captures import CAPTURER  # noqa: E402
from helper.capture.browser import launch_persistent  # noqa: E402
from helper.capture.evidence_browser import EvidenceBrowser  # noqa: E402
from helper.core import extension_files  # noqa: E402
from helper.core.config import EXTENSION_ID, Config  # noqa: E402
from helper.demoshop import create_shop_app  # noqa: E402

VIEWPORT = {"width": 1280, "height": 800}
CAPTURE_IN_WORKER = """async ({url, title}) => {
  const [tab] = await chrome.tabs.query({url: url});
  const t0 = performance.now();
  const reply = await captureBuyerTab({tabId: tab.id, url, title, kind: 'other', orderId: null});
  return {ms: performance.now() - t0, error: reply.error || null, capture: reply.capture ? reply.capture.id : null};
}"""


async def serve(app) -> tuple[web.AppRunner, int]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner, runner.addresses[0][1]


async def buyer_rounds(pw, tmp: Path, helper_url: str, token: str, url: str, rounds: int) -> list[float]:
    ext = extension_files.stage(extension_files.extension_source(), tmp / "ext")
    ctx = await launch_persistent(pw, tmp / "buyer-profile", extension_dir=ext, viewport=VIEWPORT)
    try:
        prefix = f"chrome-extension://{EXTENSION_ID}/"
        sw = next((w for w in ctx.service_workers if w.url.startswith(prefix)), None) \
            or await ctx.wait_for_event("serviceworker", predicate=lambda w: w.url.startswith(prefix))
        await sw.evaluate("(p) => chrome.storage.local.set({helper: p})", {"url": helper_url, "token": token})
        page = await ctx.new_page()
        await page.goto(url, wait_until="load")
        times = []
        for _ in range(rounds):
            r = await sw.evaluate(CAPTURE_IN_WORKER, {"url": url, "title": await page.title()})
            if r["error"]:
                raise SystemExit(f"buyer's-tab capture failed: {r['error']}")
            times.append(r["ms"] / 1000)
        return times
    finally:
        await ctx.close()


async def evidence_rounds(pw, app, config: Config, helper_url: str, token: str, url: str, rounds: int) -> list[float]:
    eb = await EvidenceBrowser.launch(pw, config, headless=True)
    app[CAPTURER].evidence = eb
    try:
        page = await eb.new_tab(url)
        body = {"kind": "other", "tab": {"url": url, "title": await page.title()}}
        times = []
        async with ClientSession() as http:
            for _ in range(rounds):
                t = time.perf_counter()
                async with http.post(helper_url + "/api/captures", json=body,
                                     headers={"Authorization": f"Bearer {token}"}) as r:
                    data = await r.json()
                if r.status != 200 or data["capture"]["source"] != "evidence_browser":
                    raise SystemExit(f"evidence-browser capture failed: {data}")
                times.append(time.perf_counter() - t)
        return times
    finally:
        app[CAPTURER].evidence = None
        await eb.close()


async def main(rounds: int, height: int, verbose: bool = False) -> None:
    shop_runner, shop_port = await serve(create_shop_app())
    url = f"http://127.0.0.1:{shop_port}/tall?height={height}"
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        config = Config(data_dir=tmp / "data", ocr_background=False)
        app = create_app(config)
        runner, port = await serve(app)
        helper_url, token = f"http://127.0.0.1:{port}", app[keys.TOKEN]
        try:
            async with async_playwright() as pw:
                evidence = await evidence_rounds(pw, app, config, helper_url, token, url, rounds)
                buyer = await buyer_rounds(pw, tmp, helper_url, token, url, rounds)
            caps = app[keys.STORE].list_captures(limit=2 * rounds)
        finally:
            await runner.cleanup()
            await shop_runner.cleanup()
    sizes = {c["source"]: c["meta"]["page"]["image"] for c in caps}
    e, b = statistics.median(evidence), statistics.median(buyer)
    print(f"cores: {os.cpu_count()}  page: {height:,} px  rounds: {rounds}")
    print(f"{'source':<22}{'median s':>10}{'all rounds (s)':>28}   image")
    for label, source, times in (("evidence browser tab", "evidence_browser", evidence), ("buyer's own tab", "buyer_tab", buyer)):
        im = sizes.get(source, {})
        shown = " ".join(f"{t:.2f}" for t in times)
        print(f"{label:<22}{statistics.median(times):>10.2f}{shown:>28}   {im.get('width')}x{im.get('height')}")
    print(f"ratio buyer's tab / evidence browser: {b / e:.2f}x (target <= 1.3x)")
    if verbose:
        for c in caps:
            print(c["source"], c["meta"]["timings_ms"], "walk steps", c["meta"]["page"]["lazy_scroll_steps"])


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--height", type=int, default=30000)
    ap.add_argument("-v", "--verbose", action="store_true", help="each capture's own timings")
    args = ap.parse_args()
    asyncio.run(main(args.rounds, args.height, args.verbose))
