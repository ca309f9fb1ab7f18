"""Capture benchmark: the complete witness capture vs a bare Playwright full-page screenshot, side by side.

    .venv/bin/python bench/bench_capture.py [--rounds 3]

For each page (demo shop, in-process): load it once in the clean headless browser, then alternate
  bare    : page.screenshot(full_page=True)
  witness : capture_page() (lazy-load walk, tiles, stitched PNG, stamp strip, MHTML, DOM, text, provenance)
            + Store.add_capture() (hashing, fsync, SQLite, hash chain)
and print medians and the ratio (target ≤ 1.3x on a 30,000 px page); a third column times the witness capture
without the lazy-content walk (lazy_budget_ms=0), like for like with the bare screenshot, which scrolls
nothing into view. Then the end-to-end time of a normal
order page through CaptureService.capture (fetch, capture, store; target < 1.5 s).
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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiohttp import web  # noqa: E402

from helper.capture.engine import capture_page  # noqa: E402
from helper.capture.service import CLEAN_VIEWPORT, CaptureService  # noqa: E402
from helper.orders.tracking import on_capture_stored  # noqa: E402
from helper.core.config import Config
from helper.demoshop import create_shop_app  # noqa: E402
from helper.store import Store  # noqa: E402

PAGES = [("30,000 px page", "/tall?height=30000"), ("order page", "/detail-order-sn/D8K2M4Q7X1N5R9T3"),
         ("chat (inner scroll)", "/chat/demo")]


async def main(rounds: int) -> None:
    runner = web.AppRunner(create_shop_app(), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    shop = f"http://127.0.0.1:{runner.addresses[0][1]}"
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(tmp)
        service = CaptureService(Config(data_dir=Path(tmp)), store, after_capture=on_capture_stored)
        browser = await service.clean_browser()
        print(f"cores: {os.cpu_count()}  browser: Chromium {browser.version}  rounds: {rounds}")
        print(f"{'page':<22}{'bare screenshot':>17}{'witness capture':>17}{'ratio':>8}"
              f"{'no lazy walk':>15}{'ratio':>8}   image")
        for label, path in PAGES:
            context = await browser.new_context(viewport=CLEAN_VIEWPORT)
            page = await context.new_page()
            response = await page.goto(shop + path, wait_until="load")
            bare, full, nowalk = [], [], []
            for _ in range(rounds):
                t = time.perf_counter()
                await page.screenshot(full_page=True)
                bare.append(time.perf_counter() - t)
                t = time.perf_counter()
                cap = await capture_page(page, kind="other", source="url", response=response,
                                         environment={}, clock_check={"status": "not checked"})
                await asyncio.to_thread(store.add_capture, kind="other", source="url", files=cap.files, url=cap.url,
                                        title=cap.title, captured_at=cap.captured_at, meta=cap.meta)
                full.append(time.perf_counter() - t)
                # Like for like with the bare screenshot, which scrolls nothing into view: no lazy-content walk.
                t = time.perf_counter()
                cap2 = await capture_page(page, kind="other", source="url", response=response, environment={},
                                          clock_check={"status": "not checked"}, lazy_budget_ms=0)
                await asyncio.to_thread(store.add_capture, kind="other", source="url", files=cap2.files, url=cap2.url,
                                        title=cap2.title, captured_at=cap2.captured_at, meta=cap2.meta)
                nowalk.append(time.perf_counter() - t)
            b, f, n = statistics.median(bare), statistics.median(full), statistics.median(nowalk)
            img = cap.meta["page"]["image"]
            print(f"{label:<22}{b:>15.3f} s{f:>15.3f} s{f / b:>7.2f}x{n:>13.3f} s{n / b:>7.2f}x"
                  f"   {img['width']}x{img['height']}")
            if os.environ.get("BENCH_VERBOSE"):
                print("   ", cap.meta["timings_ms"], cap.meta["page"]["lazy_scroll_steps"])
            await context.close()
        e2e = []
        for _ in range(rounds):
            t = time.perf_counter()
            await service.capture(kind="order", url=shop + "/detail-order-sn/D8K2M4Q7X1N5R9T3")
            e2e.append(time.perf_counter() - t)
        print(f"order page end to end (fresh fetch, capture, store, page-understanding hook): "
              f"median {statistics.median(e2e):.3f} s, max {max(e2e):.3f} s (target < 1.5 s)")
        await service.close()
        store.close()
    await runner.cleanup()


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    asyncio.run(main(ap.parse_args().rounds))
