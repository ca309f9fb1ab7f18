"""Page understanding: accuracy on the corpus of issue 12 and speed (issue 4: a typical page under 50 ms).

    .venv/bin/python bench/bench_extract.py [--repeat N] [--misses] [--no-timing]

One run prints:
1. the corpus (tests/corpus/): on the TEST half with the known-site table switched off
   (extract(..., known_sites=False)), the share of checked fields right overall, per system and per field,
   and the worst and median time per page (budget < 50 ms); then the same on the TUNING half for comparison;
   --misses lists every wrong field (expected vs got);
2. the timing of the fixture pages, the demo shop's pages and a 5 MB nested-tags page (must survive).
"""

from __future__ import annotations

import argparse
import inspect
import statistics
import sys
import time
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.corpus_score import load_corpus, score  # noqa: E402
from helper.understanding import extract, extract_text  # noqa: E402

PAGES = ROOT / "tests" / "fixtures" / "pages"
NOW = datetime(2026, 11, 27, 15, 0, tzinfo=timezone(timedelta(hours=8)))
BUDGET_MS = 50.0


def timed(fn, repeat: int) -> tuple[float, float]:
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t) * 1000)
    return min(runs), statistics.median(runs)


# --- the corpus ------------------------------------------------------------------------------------------------


def site_switch() -> dict:
    """Keyword that turns the known-site table off, if this extract() has it."""
    if "known_sites" in inspect.signature(extract).parameters:
        return {"known_sites": False}
    print("WARNING: extract() has no known_sites switch: measuring WITH the site table", file=sys.stderr)
    return {}


def _pct(right: int, total: int) -> str:
    return f"{100 * right / total:5.1f}% ({right}/{total})" if total else "   -  (0/0)"


def corpus_half(half: str, repeat: int, misses: bool) -> None:
    pages = load_corpus(halves=(half,))
    switch = site_switch()
    by_system, by_field = defaultdict(lambda: [0, 0]), defaultdict(lambda: [0, 0])
    right = total = 0
    times: list[tuple[float, str]] = []
    wrong_lines = []
    for page in pages:
        html = page.html_path.read_bytes()

        def run(html=html, page=page):
            return extract(html, page.url, now=page.now, **switch)

        result = run()
        _, med = timed(run, repeat)
        times.append((med, page.name))
        s = score(result, page.expect["fields"])
        right, total = right + s.right, total + s.total
        by_system[page.system][0] += s.right
        by_system[page.system][1] += s.total
        for name, ok, want, got in s.checks:
            by_field[name][0] += ok
            by_field[name][1] += 1
            if not ok:
                wrong_lines.append(f"  {page.name:44} {name:24} expected {want!r} got {got!r}")
    table = "switched off" if switch else "ON (no switch)"
    print(f"\n== corpus {half} half: {len(pages)} pages, site table {table} ==")
    print(f"fields right: {_pct(right, total)}")
    print("per system:")
    for system, (r, t) in sorted(by_system.items()):
        print(f"  {system:24} {_pct(r, t)}")
    print("per field:")
    for name, (r, t) in sorted(by_field.items()):
        print(f"  {name:24} {_pct(r, t)}")
    if times:
        worst = max(times)
        med = statistics.median(t for t, _ in times)
        verdict = "within" if worst[0] < BUDGET_MS else "OVER"
        print(f"time per page: median {med:.2f} ms, worst {worst[0]:.2f} ms ({worst[1]}), "
              f"{verdict} the {BUDGET_MS:.0f} ms budget")
    if misses and wrong_lines:
        print("misses:")
        print("\n".join(wrong_lines))


# --- timing of the fixture and demo pages (issue 4) ------------------------------------------------------------


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


def fixture_timing(repeat: int) -> None:
    worst = 0.0
    print(f"\n{'page':40} {'bytes':>8} {'best ms':>8} {'median ms':>10}")
    for path in sorted(PAGES.iterdir()):
        if path.suffix not in (".html", ".txt"):
            continue
        data = path.read_bytes()
        if path.suffix == ".txt":
            text = data.decode("utf-8")
            best, med = timed(lambda: extract_text(text, NOW), repeat)
        else:
            best, med = timed(lambda: extract(data, None, now=NOW), repeat)
        worst = max(worst, med)
        print(f"{path.name:40} {len(data):8d} {best:8.2f} {med:10.2f}")
    worst = max(worst, demo_pages(repeat))
    print(f"worst median: {worst:.2f} ms per page (target < 50 ms for a typical order page)")
    junk = "<div>" * 1_000_000
    best, med = timed(lambda: extract(junk, None, now=NOW), 1)
    print(f"{'5 MB nested <div> (survival)':40} {len(junk):8d} {best:8.0f}")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--misses", action="store_true", help="list every wrong field of the corpus")
    ap.add_argument("--no-timing", action="store_true", help="corpus only, skip the fixture/demo timing")
    args = ap.parse_args()
    corpus_half("test", args.repeat, args.misses)
    corpus_half("tuning", args.repeat, args.misses)
    if not args.no_timing:
        fixture_timing(args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
