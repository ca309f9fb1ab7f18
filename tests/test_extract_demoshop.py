"""Page understanding on the demo shop's pages (helper/demoshop), served in-process on its fixed clock:
each page extracts to exactly the JSON stored in tests/fixtures/pages/demoshop/."""

import json
from pathlib import Path

import pytest

from helper.demoshop import PAGES, REFERENCE_NOW, create_shop_app
from helper.understanding import extract, order_key

EXPECTED = sorted((Path(__file__).parent / "fixtures" / "pages" / "demoshop").glob("*.json"))
BASE = "http://127.0.0.1:8765"


def load(path: Path) -> dict:
    return json.loads(path.read_text("utf-8"))


@pytest.fixture
async def shop(aiohttp_client):
    return await aiohttp_client(create_shop_app(now=lambda: REFERENCE_NOW))


async def fetch(shop, path: str) -> bytes:
    resp = await shop.get(path)
    assert resp.status == 200, path
    return await resp.read()


@pytest.mark.parametrize("case", EXPECTED, ids=lambda p: p.stem)
async def test_demo_page_extracts_to_expected_json(shop, case):
    data = load(case)
    html = await fetch(shop, data["path"])
    assert extract(html, BASE + data["path"], now=REFERENCE_NOW) == data["expected"]


def test_every_system_and_kind_is_covered():
    pages = {load(p)["path"] for p in EXPECTED}
    listed = {(p.system, p.kind) for p in PAGES if p.path in pages}
    for system, kind in [("dujiaoka", "order"), ("dujiaoka", "product"), ("dujiaoka", "chat"), ("acg-faka", "order"),
                         ("acg-faka", "ticket"), ("caihong", "order"), ("caihong", "workorder"),
                         ("platform", "rules"), ("pay", "payment")]:
        assert (system, kind) in listed, (system, kind)


async def test_overdue_order_promise_and_deadline(shop):
    html = await fetch(shop, "/detail-order-sn/D8K2M4Q7X1N5R9T3")
    r = extract(html, BASE + "/detail-order-sn/D8K2M4Q7X1N5R9T3", now=REFERENCE_NOW)
    assert r["order"]["status_code"] == "processing" and r["order"]["delivery_mode"] == "auto"
    assert r["promise"]["within_seconds"] == 300 and r["deadline"] < REFERENCE_NOW.isoformat()
    assert order_key(BASE + "/detail-order-sn/D8K2M4Q7X1N5R9T3", r) == "127.0.0.1:8765/D8K2M4Q7X1N5R9T3"


async def test_long_chat_has_every_message_in_order(shop):
    from helper.demoshop import FIRST_MESSAGE, LAST_MESSAGE

    r = extract(await fetch(shop, "/chat/demo"), BASE + "/chat/demo", now=REFERENCE_NOW)
    texts = [m["text"] for m in r["messages"]]
    assert len(texts) == 82 and texts[0] == FIRST_MESSAGE and texts[-1] == LAST_MESSAGE
    times = [m["time"] for m in r["messages"]]
    assert times == sorted(times) and all(times)
    assert r["messages"][-1]["sender"] == "buyer"


async def test_ticket_thread_merchant_promise_sets_deadline_from_payment(shop):
    r = extract(await fetch(shop, "/user/ticket/52013"), BASE + "/user/ticket/52013", now=REFERENCE_NOW)
    assert r["page_kind"] == "chat"
    assert [m["sender"] for m in r["messages"]].count("merchant") == 1
    assert r["promise"]["source"] == "chat" and r["promise"]["within_seconds"] == 1800
    assert r["deadline"] == "2026-11-27T11:30:00.000+08:00"  # paid 11:00 + 30 minutes
