"""Floor on the corpus of issue 12 (tests/corpus/): the generic reader, with the known-site table switched off,
gets at least FLOOR of the checked fields right on the TEST half (pages no rule was written against), and no
page takes more than the 50 ms budget of CPU time (best of three). bench/bench_extract.py prints the same figures per system and field.

FLOOR is the figure reached when this test was written, rounded down (0.975; issue 12 asks for 0.95). Raise
it as the reader improves; never lower it to let a change through."""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.corpus_score import load_corpus, score  # noqa: E402
from helper.understanding import extract  # noqa: E402

FLOOR = 0.97
TUNING_FLOOR = 0.98
BUDGET_S = 0.050


def _cpu_seconds(html: bytes, page) -> float:
    """CPU time of one reading (wall time on a machine shared by many test runs measures the others too)."""
    started = time.process_time()
    extract(html, page.url, now=page.now, known_sites=False)
    return time.process_time() - started


def _share(half: str) -> tuple[float, list[str]]:
    right = total = 0
    slow = []
    for page in load_corpus(halves=(half,)):
        html = page.html_path.read_bytes()
        result = extract(html, page.url, now=page.now, known_sites=False)
        if min(_cpu_seconds(html, page) for _ in range(3)) > BUDGET_S:
            slow.append(page.name)
        s = score(result, page.expect["fields"])
        right, total = right + s.right, total + s.total
    return right / total, slow


def test_test_half_with_the_site_table_off_is_above_the_floor():
    share, slow = _share("test")
    assert share >= FLOOR, f"{share:.3f} of checked fields right on the test half (floor {FLOOR})"
    assert not slow, f"over the 50 ms budget: {slow}"


def test_tuning_half_with_the_site_table_off_is_above_its_floor():
    share, slow = _share("tuning")
    assert share >= TUNING_FLOOR, f"{share:.3f} of checked fields right on the tuning half (floor {TUNING_FLOOR})"
    assert not slow, f"over the 50 ms budget: {slow}"
