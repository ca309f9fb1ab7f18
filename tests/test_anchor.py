"""Chain anchoring: RFC 3161 tokens over the chain head (the project's local TSA, openssl ts) make a rewrite or
a truncation before the anchor visible to `witness verify`, even when the database and chain-head.json were
edited together."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta, timezone

import pytest

from conftest import run_witness
from helper.package.anchor import ANCHOR_EVENT, Anchorer, anchor_head, anchors_dir, next_anchor_due
from helper.demoshop.local_tsa import LocalTSA
from helper.store import Store, chain

T0 = datetime(2026, 11, 28, 9, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def tsa():
    with LocalTSA() as t:
        yield t


def notes(store: Store, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        store.append_event("test.note", {"n": i})


def verify_json(data_dir, *, tsa=None):
    if tsa is not None:
        (data_dir / "config.json").write_text(json.dumps({"tsa_ca": str(tsa.ca_path)}))
    proc = run_witness("verify", "--json", data_dir=data_dir)
    return proc.returncode, json.loads(proc.stdout)


def codes(report) -> list[str]:
    return [p["code"] for p in report["problems"]]


def rewrite_from(db_path, seq: int, change) -> None:
    """Edit event `seq` with change(data) and re-hash it and every later event (what someone rewriting the
    history with the program's own hashing would do); then chain-head.json is rewritten to match."""
    conn = sqlite3.connect(db_path)
    rows = conn.execute("SELECT seq, at, type, order_id, capture_id, data, prev_hash, hash FROM events ORDER BY seq").fetchall()
    prev = chain.GENESIS
    for r in rows:
        body = dict(zip(("seq", "at", "type", "order_id", "capture_id", "data", "prev_hash", "hash"), r))
        body["data"] = json.loads(body["data"])
        if body["seq"] == seq:
            body["data"] = change(body["data"])
        if body["seq"] >= seq:
            body["prev_hash"] = prev
            body["hash"] = chain.event_hash(body)
            conn.execute("UPDATE events SET data=?, prev_hash=?, hash=? WHERE seq=?",
                         (chain.canonical_json(body["data"]).decode(), body["prev_hash"], body["hash"], body["seq"]))
        prev = body["hash"]
    conn.commit()
    conn.close()
    write_head(db_path.parent)


def write_head(data_dir) -> None:
    conn = sqlite3.connect(data_dir / "witness.db")
    seq, hash_ = conn.execute("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
    conn.close()
    (data_dir / "chain-head.json").write_text(json.dumps({"seq": seq, "hash": hash_}))


def test_anchor_is_a_chain_event_and_a_file_and_verify_names_it(tmp_path, tsa):
    store = Store(tmp_path)
    notes(store, 4)
    event = anchor_head(store, tsa.url)
    store.close()
    assert event["type"] == ANCHOR_EVENT and event["seq"] == 5
    assert event["data"]["seq"] == 4 and event["data"]["tsa_url"] == tsa.url
    files = list(anchors_dir(store).glob("*.json"))
    assert [f.name for f in files] == [f"00000004-{event['data']['hash'][:16]}.json"]
    rc, report = verify_json(tmp_path, tsa=tsa)
    assert rc == 0, report["problems"]
    assert report["anchor"]["seq"] == 4 and report["anchor"]["signature_checked"]
    human = run_witness("verify", data_dir=tmp_path)
    assert human.returncode == 0 and "latest anchor: event #4" in human.stdout


def test_truncation_covered_by_an_anchor_fails_verify(tmp_path, tsa):
    """The last 5 events removed and chain-head.json rewritten to match: without an anchor nothing can tell;
    with one covering them, `witness verify` fails and says events were removed."""
    plain, anchored = tmp_path / "plain", tmp_path / "anchored"
    for folder in (plain, anchored):
        store = Store(folder)
        notes(store, 10)
        if folder is anchored:
            anchor_head(store, tsa.url)  # event 11 anchors 1-10
            notes(store, 2, start=10)  # events 12, 13
        store.close()
    for folder in (plain, anchored):
        conn = sqlite3.connect(folder / "witness.db")
        last = conn.execute("SELECT max(seq) FROM events").fetchone()[0]
        conn.execute("DELETE FROM events WHERE seq > ?", (last - 5,))
        conn.commit()
        conn.close()
        write_head(folder)
    rc, report = verify_json(plain)
    assert rc == 0 and report["ok"]  # the chain alone cannot tell: this is what anchors are for
    rc, report = verify_json(anchored, tsa=tsa)
    assert rc == 1 and "chain_truncated" in codes(report), report["problems"]
    msg = next(p["message"] for p in report["problems"] if p["code"] == "chain_truncated")
    assert "covers events 1-10" in msg and "ends at event 8" in msg


def test_rewrite_before_the_anchor_fails_verify(tmp_path, tsa):
    store = Store(tmp_path)
    notes(store, 6)
    anchor_head(store, tsa.url)
    notes(store, 2, start=6)
    store.close()
    rewrite_from(tmp_path / "witness.db", 3, lambda d: {**d, "n": 99})
    rc, report = verify_json(tmp_path, tsa=tsa)
    assert rc == 1 and codes(report) == ["chain_rewritten"], report["problems"]
    assert report["problems"][0]["seq"] == 6
    # Editing the anchor event to name the new head as well does not help: the token is over the old one.
    conn = sqlite3.connect(tmp_path / "witness.db")
    new_head = conn.execute("SELECT hash FROM events WHERE seq=6").fetchone()[0]
    conn.close()
    rewrite_from(tmp_path / "witness.db", 7, lambda d: {**d, "hash": new_head})
    for f in anchors_dir(Store(tmp_path)).glob("*.json"):
        f.unlink()
    rc, report = verify_json(tmp_path, tsa=tsa)
    assert rc == 1 and codes(report) == ["anchor_invalid"], report["problems"]
    assert "not made for this chain head" in report["problems"][0]["message"]


def test_a_rewrite_after_the_anchor_is_not_claimed(tmp_path, tsa):
    """Events after the latest anchor are not covered: verify passes and names where coverage ends."""
    store = Store(tmp_path)
    notes(store, 3)
    anchor_head(store, tsa.url)
    notes(store, 3, start=3)
    store.close()
    rewrite_from(tmp_path / "witness.db", 6, lambda d: {**d, "n": 42})
    rc, report = verify_json(tmp_path, tsa=tsa)
    assert rc == 0 and report["anchor"]["seq"] == 3


def test_token_from_another_tsa_or_unreadable(tmp_path, tsa):
    store = Store(tmp_path)
    notes(store, 2)
    with LocalTSA() as other:
        anchor_head(store, other.url)
    store.close()
    rc, report = verify_json(tmp_path, tsa=tsa)  # only our TSA's CA is configured: the signature fails
    assert rc == 1 and codes(report) == ["anchor_invalid"] and "signature" in report["problems"][0]["message"]
    (tmp_path / "config.json").unlink()
    rc, report = verify_json(tmp_path)  # no CA configured: what the token covers is still checked
    assert rc == 0 and not report["anchor"]["signature_checked"]
    bad = next(anchors_dir(Store(tmp_path)).glob("*.json"))
    bad.write_text("{not json")
    rc, report = verify_json(tmp_path)
    assert rc == 1 and codes(report) == ["anchor_invalid"]


async def test_anchorer_after_new_events_at_most_every_interval(tmp_path, tsa):
    now = [T0]
    store = Store(tmp_path, now=lambda: now[0])
    try:
        anchorer = Anchorer(store, tsa.url, interval=timedelta(minutes=10), now=lambda: now[0])
        assert anchorer.tick() is None and next_anchor_due(store, anchorer.interval) is None  # empty chain
        notes(store, 2)
        assert anchorer.tick() is None  # anchored at once: the first anchor
        assert [e["type"] for e in store.events()][-1] == ANCHOR_EVENT
        assert anchorer.tick() is None  # nothing new since: the anchor event itself does not count
        notes(store, 1, start=2)
        assert anchorer.tick() == T0 + timedelta(minutes=10)  # new event, but within the interval
        now[0] = T0 + timedelta(minutes=10)
        assert anchorer.tick() is None
        anchors = [e for e in store.events() if e["type"] == ANCHOR_EVENT]
        assert [a["data"]["seq"] for a in anchors] == [2, 4]
        # A TSA that does not answer: tried again one interval later, nothing recorded.
        anchorer.tsa_url = "http://127.0.0.1:9/"
        notes(store, 1, start=3)
        now[0] = T0 + timedelta(minutes=25)
        assert anchorer.tick() == now[0] + timedelta(minutes=10)
        assert len([e for e in store.events() if e["type"] == ANCHOR_EVENT]) == 2
    finally:
        store.close()


def test_cli_anchor(tmp_path, tsa):
    assert run_witness("anchor", "--tsa-url", tsa.url, data_dir=tmp_path / "nothing").returncode == 2
    store = Store(tmp_path)
    notes(store, 2)
    store.close()
    r = run_witness("anchor", data_dir=tmp_path)
    assert r.returncode == 2 and "no TSA" in r.stderr
    r = run_witness("anchor", "--tsa-url", tsa.url, data_dir=tmp_path)
    assert r.returncode == 0 and "anchored: event #2" in r.stdout, r.stderr
    r = run_witness("anchor", "--tsa-url", "http://127.0.0.1:9/", data_dir=tmp_path)
    assert r.returncode == 1 and "cannot reach the TSA" in r.stderr
    assert verify_json(tmp_path, tsa=tsa)[1]["anchor"]["seq"] == 2


async def test_the_helper_service_anchors_after_new_events(aiohttp_client, config, token, tsa):
    """create_app with tsa_url: a new event is followed by a chain.anchored event; POST /api/verify names it."""
    import asyncio

    from helper.api import create_app
    from helper.api import keys

    app = create_app(config.with_(tsa_url=tsa.url, tsa_ca=str(tsa.ca_path), ocr_background=False))
    client = await aiohttp_client(app)
    store = app[keys.STORE]
    loop = asyncio.get_running_loop()
    anchored = asyncio.Event()
    store.subscribe(lambda e: e["type"] == ANCHOR_EVENT and loop.call_soon_threadsafe(anchored.set))
    await asyncio.to_thread(notes, store, 1)
    await asyncio.wait_for(anchored.wait(), 30)
    resp = await client.post("/api/verify", headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                             data="{}")
    body = await resp.json()
    assert resp.status == 200 and body["ok"] and body["anchor"]["seq"] == 1, body
