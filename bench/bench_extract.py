"""Page understanding speed: ms per page for the fixture pages (issue 4: a typical order page under 50 ms).

    .venv/bin/python bench/bench_extract.py [--repeat N]

Prints one line per page (best and median of N runs) and a 5 MB nested-tags page (must survive, not be fast).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from helper.clock import CHINA  # noqa: E402
from helper.understanding import extract, extract_text  # noqa: E402

PAGES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "pages"
NOW = datetime(2026, 11, 27, 15, 0, tzinfo=CHINA)


def timed(fn, repeat: int) -> tuple[float, float]:
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t) * 1000)
    return min(runs), statistics.median(runs)


def demo_pages(repeat: int) -> float:
    """The demo shop's pages, rendered in-process on its fixed clock."""
    import asyncio

    from aiohttp.test_utils import TestClient, TestServer

    from helper.demoshop import PAGES as DEMO, REFERENCE_NOW, create_shop_app

    async def fetch() -> list[tuple[str, bytes]]:
        out = []
        async with TestClient(TestServer(create_shop_app(now=lambda: REFERENCE_NOW))) as client:
            for page in DEMO:
                if page.kind in ("tall", "slow", "hang", "index"):
                    continue
                resp = await client.get(page.path)
                out.append((page.path, await resp.read()))
        return out

    worst = 0.0
    for path, html in asyncio.run(fetch()):
        best, med = timed(lambda: extract(html, "http://127.0.0.1:8765" + path, now=REFERENCE_NOW), repeat)
        worst = max(worst, med)
        print(f"{'demo ' + path:40} {len(html):8d} {best:8.2f} {med:10.2f}")
    return worst


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    worst = 0.0
    print(f"{'page':40} {'bytes':>8} {'best ms':>8} {'median ms':>10}")
    for path in sorted(PAGES.iterdir()):
        if path.suffix not in (".html", ".txt"):
            continue
        data = path.read_bytes()
        if path.suffix == ".txt":
            text = data.decode("utf-8")
            best, med = timed(lambda: extract_text(text, NOW), args.repeat)
        else:
            best, med = timed(lambda: extract(data, None, now=NOW), args.repeat)
        worst = max(worst, med)
        print(f"{path.name:40} {len(data):8d} {best:8.2f} {med:10.2f}")
    worst = max(worst, demo_pages(args.repeat))
    print(f"worst median: {worst:.2f} ms per page (target < 50 ms for a typical order page)")
    junk = "<div>" * 1_000_000
    best, med = timed(lambda: extract(junk, None, now=NOW), 1)
    print(f"{'5 MB nested <div> (survival)':40} {len(junk):8d} {best:8.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
