"""What recording the rendered layout adds to a capture (issue 12's layout input).

    .venv/bin/python bench/bench_layout.py [--rounds 9]

On the demo chat page (/chat/demo, in-process demo shop, clean headless Chromium) it alternates
  with    : capture_page() as it is (LAYOUT_JS in the isolated world, layout.json, extract with the boxes)
  without : the same with the layout step switched off for the run (rendered.record answers "not recorded")
and prints the medians and their difference; then the layout call alone (median) and extract() with and without
the boxes, and the bounded walk on a page of ~100,000 elements.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiohttp import web  # noqa: E402
from playwright.async_api import async_playwright  # noqa: E402

from helper.capture import engine, rendered  # noqa: E402
from helper.capture.browser import launch_browser  # noqa: E402
from helper.capture.cdp import PlaywrightChannel, World  # noqa: E402
from helper.capture.service import CLEAN_VIEWPORT  # noqa: E402
from helper.demoshop import REFERENCE_NOW, create_shop_app  # noqa: E402
from helper.understanding import extract  # noqa: E402

REAL_RECORD = rendered.record


async def _off(_world, **_kw):
    return None, {"recorded": False, "note": "switched off for the benchmark"}


async def _ms(coro) -> tuple[float, object]:
    t0 = time.perf_counter()
    out = await coro
    return (time.perf_counter() - t0) * 1000, out


async def main(rounds: int) -> None:
    runner = web.AppRunner(create_shop_app(now=lambda: REFERENCE_NOW), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    base = f"http://127.0.0.1:{runner.addresses[0][1]}"
    async with async_playwright() as pw:
        browser = await launch_browser(pw)
        page = await (await browser.new_context(viewport=CLEAN_VIEWPORT)).new_page()
        await page.goto(base + "/chat/demo", wait_until="load")
        times = {"with": [], "without": []}
        cap = None
        for i in range(2 * rounds + 2):
            which = "with" if i % 2 == 0 else "without"
            rendered.record = REAL_RECORD if which == "with" else _off
            ms, out = await _ms(engine.capture_page(page, kind="chat", source="url", now=lambda: REFERENCE_NOW))
            if i >= 2:  # two warm-up captures
                times[which].append(ms)
            cap = out if which == "with" else cap
        rendered.record = REAL_RECORD
        med = {k: statistics.median(v) for k, v in times.items()}
        print(f"demo chat capture, median of {rounds}: with layout {med['with']:.0f} ms, without {med['without']:.0f} ms,"
              f" added {med['with'] - med['without']:+.0f} ms")
        print(f"  layout.json {len(cap.files['layout.json'])} bytes, {cap.meta['page']['layout']['boxes']} boxes,"
              f" {len(cap.analysis['messages'])} messages")
        world = await World.create(PlaywrightChannel(await page.context.new_cdp_session(page)))
        calls = [(await _ms(rendered.record(world)))[0] for _ in range(rounds)]
        layout, _ = await rendered.record(world)
        html = await page.content()
        plain = [(await _ms(asyncio.to_thread(extract, html, page.url, now=REFERENCE_NOW)))[0] for _ in range(rounds)]
        boxed = [(await _ms(asyncio.to_thread(extract, html, page.url, now=REFERENCE_NOW, layout=layout)))[0]
                 for _ in range(rounds)]
        print(f"  the layout call alone: median {statistics.median(calls):.1f} ms; extract without boxes "
              f"{statistics.median(plain):.1f} ms, with {statistics.median(boxed):.1f} ms")
        rows = "".join(f"<li><span>{i}</span><span>x</span></li>" for i in range(33_000))
        await page.set_content(f"<!DOCTYPE html><html><body><ul>{rows}</ul></body></html>")
        world = await World.create(PlaywrightChannel(await page.context.new_cdp_session(page)))
        ms, (big, info) = await _ms(rendered.record(world))
        print(f"~100,000 elements: {ms:.0f} ms, {info['boxes']} boxes, capped by {info.get('capped_by')},"
              f" {len(rendered.encode(big))} bytes")
        await browser.close()
    await runner.cleanup()


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=9)
    asyncio.run(main(ap.parse_args().rounds))
