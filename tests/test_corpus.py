"""The corpus of issue 12 (tests/corpus/) is well-formed: every page has its expected values, both halves are
there, every fixture names the public source of its structure, and the expectations use the documented keys
and forms. This checks the yardstick, not the extractor's score (bench/bench_extract.py measures that)."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.corpus_score import CORPUS, HALVES, SOURCE_NOTE, load_corpus, score  # noqa: E402

PAGES = load_corpus()
KINDS = {"order", "chat", "rules", "product", "payment", "other", "login", "loading"}
STATUS_CODES = {"unpaid", "paid", "processing", "delivered", "failed", "expired", "refunded", "unknown"}
ROLES = {"buyer", "merchant", "system"}
TIME_FIELDS = ("ordered_at", "paid_at", "deadline")


def _aware(value: str) -> bool:
    try:
        return datetime.fromisoformat(value).tzinfo is not None
    except (TypeError, ValueError):
        return False


def test_both_halves_have_pages():
    for half in HALVES:
        assert any(p.half == half for p in PAGES), f"tests/corpus/{half} is empty"


def test_size_and_spread():
    """Issue 12: at least 40 pages from at least 12 distinct real systems, each system in both halves."""
    assert len(PAGES) >= 40
    systems = {p.system for p in PAGES if p.expect}
    assert len(systems) >= 12, sorted(systems)
    for system in systems:
        halves = {p.half for p in PAGES if p.expect and p.system == system}
        assert halves == set(HALVES), f"{system} is only in {halves}"


def test_every_expectation_has_its_page():
    for half in HALVES:
        for path in (CORPUS / half).glob("*.expect.json"):
            assert path.with_name(path.name.replace(".expect.json", ".html")).exists(), path


def test_a_page_name_is_used_once():
    names = [p.name for p in PAGES]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("page", PAGES, ids=lambda p: f"{p.half}/{p.name}")
def test_page_is_well_formed(page):
    assert page.expect is not None, f"{page.html_path} has no {page.name}.expect.json"
    head = page.html_path.read_text("utf-8")[:2000]
    assert SOURCE_NOTE.match(head), "the fixture must open with <!-- structure: owner/repo path ... -->"
    e = page.expect
    for key in ("system", "variant", "source", "url", "now", "fields"):
        assert e.get(key) not in (None, ""), f"missing {key}"
    repo = e["source"].split()[0]
    assert "/" in repo and repo in head, "expect.json source and the fixture's comment name the same repository"
    assert _aware(e["now"]), "now must be ISO 8601 with an offset"
    _check_fields(e["fields"])


def _check_fields(f: dict) -> None:
    assert f.get("page_kind") in KINDS
    if "status_code" in f:
        assert f["status_code"] in STATUS_CODES
    for key in TIME_FIELDS:
        if f.get(key) is not None:
            assert _aware(f[key]), f"{key} must carry an offset"
    if "promise" in f:
        within = f["promise"]["within_seconds"]
        assert within is None or (isinstance(within, int) and within >= 0)
    for m in f.get("messages", []):
        assert set(m) == {"text", "role", "time"} and m["text"].strip()
        assert m["role"] in ROLES
        assert m["time"] is None or _aware(m["time"])
    score({}, f)  # every key is one the scorer knows


def test_scoring_rules():
    fields = {"page_kind": "order", "order_no": "A1", "amount": "30.00", "paid_at": "2026-11-26T14:21:37+08:00",
              "product": "月卡 （代充）", "payment_method": "支付宝", "promise": {"within_seconds": 60},
              "messages": [{"text": "今天21点前", "role": "merchant", "time": "2026-11-26T20:41:03+08:00"}]}
    result = {"page_kind": "order", "order": {"order_id": "A1", "amount": "30", "paid_at": "2026-11-26T06:21:37Z",
                                              "product": "月卡（代充）", "payment_method": "alipay"},
              "promise": {"within_seconds": 60},
              "messages": [{"sender": "merchant", "text": "好的，今天21点前给你处理", "time": "2026-11-26T20:41:03.000+08:00"}]}
    s = score(result, fields)
    assert s.right == s.total == 10, s.checks
    result["order"]["order_no"] = "B2"  # the new key wins over the old one
    assert score(result, {"order_no": "A1"}).right == 0
    assert score({"messages": []}, {"messages": fields["messages"]}).right == 0


def test_expect_files_are_utf8_json():
    for half in HALVES:
        for path in (CORPUS / half).glob("*.expect.json"):
            json.loads(path.read_text("utf-8"))
