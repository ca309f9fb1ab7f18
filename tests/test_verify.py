"""`witness verify` detects each kind of tampering and names the item."""

import json
import os
import sqlite3

import pytest

from helper.store import Store
from conftest import run_witness


@pytest.fixture
def populated(tmp_path):
    store = Store(tmp_path)
    order, _ = store.upsert_order("shop.example", "A1", {"amount": "58.00", "status": "已付款"})
    caps = [
        store.add_capture(kind="order", source="url", url=f"https://shop.example/o/{i}", title=f"订单 {i}",
                          files={"page.png": f"png {i}".encode(), "dom.html": f"<p>{i}</p>".encode()},
                          order_id=order["id"], messages=[{"sender": "merchant", "text": f"消息 {i}"}])
        for i in range(3)
    ]
    store.close()
    return tmp_path, caps


def verify_json(data_dir):
    proc = run_witness("verify", "--json", data_dir=data_dir)
    return proc.returncode, json.loads(proc.stdout)


def codes(report):
    return [p["code"] for p in report["problems"]]


def test_intact_store_passes_and_records_the_run(populated):
    data_dir, _ = populated
    rc, report = verify_json(data_dir)
    assert rc == 0 and report["ok"] and report["problems"] == []
    assert report["checked"]["files"] == 6
    rc, report = verify_json(data_dir)
    assert rc == 0
    store = Store(data_dir)
    assert [e["type"] for e in store.events()][-2:] == ["verify.run", "verify.run"]


def test_human_output(populated):
    data_dir, _ = populated
    proc = run_witness("verify", data_dir=data_dir)
    assert proc.returncode == 0 and "intact" in proc.stdout


def test_flipped_byte_in_a_file(populated):
    data_dir, caps = populated
    path = caps[1]["artifacts"][0]["path"]
    os.chmod(path, 0o644)
    with open(path, "r+b") as f:
        first = f.read(1)[0]
        f.seek(0)
        f.write(bytes([first ^ 0x01]))
    rc, report = verify_json(data_dir)
    assert rc == 1
    [p] = report["problems"]
    assert p["code"] == "file_changed" and p["capture_id"] == caps[1]["id"] and p["artifact"] == "page.png"


def test_deleted_file(populated):
    data_dir, caps = populated
    os.remove(caps[2]["artifacts"][1]["path"])
    rc, report = verify_json(data_dir)
    assert rc == 1
    [p] = report["problems"]
    assert p["code"] == "file_missing" and p["capture_id"] == caps[2]["id"] and p["artifact"] == "dom.html"


@pytest.mark.parametrize("sql, code, key", [
    ("UPDATE captures SET url='https://other.example/' WHERE id=2", "row_edited", ("capture_id", 2)),
    ("UPDATE artifacts SET sha256='00' || substr(sha256, 3) WHERE capture_id=1 AND name='page.png'", "row_edited", ("capture_id", 1)),
    ("UPDATE messages SET text='改过' WHERE capture_id=3", "row_edited", ("capture_id", 3)),
    ("UPDATE orders SET amount='5.00'", "row_edited", ("order_id", 1)),
    ("DELETE FROM captures WHERE id=3", "row_deleted", ("capture_id", 3)),
])
def test_edited_or_deleted_rows(populated, sql, code, key):
    data_dir, _ = populated
    conn = sqlite3.connect(data_dir / "witness.db")
    conn.execute("PRAGMA foreign_keys=OFF")
    conn.execute(sql)
    conn.commit()
    conn.close()
    rc, report = verify_json(data_dir)
    assert rc == 1
    assert any(p["code"] == code and p.get(key[0]) == key[1] for p in report["problems"]), report["problems"]


def test_edited_event_row(populated):
    data_dir, _ = populated
    conn = sqlite3.connect(data_dir / "witness.db")
    conn.execute("UPDATE events SET at='2020-01-01T00:00:00.000+00:00' WHERE seq=2")
    conn.commit()
    rc, report = verify_json(data_dir)
    assert rc == 1
    assert any(p["code"] == "event_edited" and p["seq"] == 2 for p in report["problems"])


def test_deleted_event_row(populated):
    data_dir, _ = populated
    conn = sqlite3.connect(data_dir / "witness.db")
    conn.execute("DELETE FROM events WHERE seq=2")
    conn.commit()
    rc, report = verify_json(data_dir)
    assert rc == 1
    assert any(p["code"] == "event_deleted" and p["seq"] == 2 for p in report["problems"])


def test_deleted_last_event(populated):
    data_dir, _ = populated
    conn = sqlite3.connect(data_dir / "witness.db")
    conn.execute("DELETE FROM events WHERE seq=(SELECT max(seq) FROM events)")
    conn.commit()
    rc, report = verify_json(data_dir)
    assert rc == 1
    assert "event_deleted" in codes(report)


def test_reordered_chain(populated):
    data_dir, _ = populated
    conn = sqlite3.connect(data_dir / "witness.db")
    # Swap the positions of events 2 and 3 (keeping each row's own content and hash).
    conn.execute("UPDATE events SET seq=-2 WHERE seq=2")
    conn.execute("UPDATE events SET seq=2 WHERE seq=3")
    conn.execute("UPDATE events SET seq=3 WHERE seq=-2")
    conn.commit()
    rc, report = verify_json(data_dir)
    assert rc == 1
    assert "chain_reordered" in codes(report)


def test_broken_chain_is_not_extended(populated):
    data_dir, caps = populated
    os.remove(caps[0]["artifacts"][0]["path"])
    conn = sqlite3.connect(data_dir / "witness.db")
    before = conn.execute("SELECT count(*) FROM events").fetchone()[0]
    assert verify_json(data_dir)[0] == 1
    assert conn.execute("SELECT count(*) FROM events").fetchone()[0] == before


def test_usage_errors_exit_2(tmp_path):
    assert run_witness("verify", "--bogus", data_dir=tmp_path).returncode == 2
    assert run_witness("verify", data_dir=tmp_path / "nothing-here").returncode == 2


def _insert_copy(conn, table: str, row_id: int, new_id: int) -> None:
    """A row slipped in by hand: a copy of row `row_id` under a new id (no chain event records it)."""
    conn.execute(f"CREATE TEMP TABLE copy AS SELECT * FROM {table} WHERE id=?", (row_id,))
    conn.execute("UPDATE copy SET id=?", (new_id,))
    if table == "orders":
        conn.execute("UPDATE copy SET order_no='INSERTED'")
    conn.execute(f"INSERT INTO {table} SELECT * FROM copy")
    conn.execute("DROP TABLE copy")


@pytest.mark.parametrize("table, key", [("captures", "capture_id"), ("orders", "order_id")])
def test_inserted_row(populated, table, key):
    data_dir, _ = populated
    conn = sqlite3.connect(data_dir / "witness.db")
    _insert_copy(conn, table, 1, 99)
    conn.commit()
    rc, report = verify_json(data_dir)
    assert rc == 1
    assert [(p["code"], p.get(key)) for p in report["problems"]] == [("row_not_in_chain", 99)], report["problems"]


def _rehash(conn, seq: int, **change) -> str:
    """Change event `seq` and give it a hash that matches its new content (no `event_edited`)."""
    from helper.store import chain

    cols = ("seq", "at", "type", "order_id", "capture_id", "data", "prev_hash")
    body = dict(zip(cols, conn.execute(f"SELECT {', '.join(cols)} FROM events WHERE seq=?", (seq,)).fetchone()))
    body = {**body, "data": json.loads(body["data"]), **change}
    new_hash = chain.event_hash(body)
    conn.execute("UPDATE events SET at=?, prev_hash=?, hash=? WHERE seq=?", (body["at"], body["prev_hash"], new_hash, seq))
    return new_hash


def test_broken_link_in_the_chain(populated):
    data_dir, _ = populated
    conn = sqlite3.connect(data_dir / "witness.db")
    _rehash(conn, 3, prev_hash="0" * 64)  # event 3 now follows no event that exists
    conn.commit()
    rc, report = verify_json(data_dir)
    assert rc == 1
    assert ("chain_broken", 3) in [(p["code"], p.get("seq")) for p in report["problems"]], report["problems"]
    assert "event_edited" not in codes(report)


def test_rewritten_chain_caught_by_the_head_file(populated):
    """Every event from 2 on re-hashed consistently (the chain alone looks intact); chain-head.json still names
    the old last event."""
    data_dir, _ = populated
    conn = sqlite3.connect(data_dir / "witness.db")
    last = conn.execute("SELECT max(seq) FROM events").fetchone()[0]
    prev = _rehash(conn, 2, at="2020-01-01T00:00:00.000+00:00")
    for seq in range(3, last + 1):
        prev = _rehash(conn, seq, prev_hash=prev)
    conn.commit()
    rc, report = verify_json(data_dir)
    assert rc == 1
    assert [(p["code"], p.get("seq")) for p in report["problems"]] == [("chain_rewritten", last)], report["problems"]


def test_head_file(populated):
    data_dir, _ = populated
    head_path = data_dir / "chain-head.json"
    head = json.loads(head_path.read_text())
    head_path.chmod(0o600)
    # Naming a different hash for the last event: the end of the chain was replaced.
    head_path.write_text(json.dumps({**head, "hash": "f" * 64}))
    rc, report = verify_json(data_dir)
    assert rc == 1 and codes(report) == ["chain_rewritten"], report["problems"]
    # Naming an event past the end: events at the end were deleted.
    head_path.write_text(json.dumps({**head, "seq": head["seq"] + 2}))
    rc, report = verify_json(data_dir)
    assert rc == 1 and codes(report) == ["event_deleted"], report["problems"]
    # Unreadable or missing: said plainly, since without it a rewritten end goes unnoticed.
    for broken in ("{not json", None):
        if broken is None:
            head_path.unlink()
        else:
            head_path.write_text(broken)
        rc, report = verify_json(data_dir)
        assert rc == 1 and codes(report) == ["head_missing"], report["problems"]
    # The original head file back: intact.
    head_path.write_text(json.dumps(head))
    assert verify_json(data_dir)[0] == 0


def test_empty_store_needs_no_head_file(tmp_path):
    Store(tmp_path).close()
    rc, report = verify_json(tmp_path)
    assert rc == 0 and report["problems"] == []
