"""Evidence store: migrations, content-addressed files, transactions, orders and their change events."""

import os
import sqlite3
import stat

import pytest

from helper.core.errors import BadRequest, NotFound
from helper.store import Store, verify
from helper.store.schema import MIGRATIONS


def test_schema_is_migrated_and_in_wal_mode(tmp_path):
    store = Store(tmp_path)
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"orders", "captures", "artifacts", "messages", "events"} <= tables
    store.close()
    # Re-opening applies nothing twice.
    Store(tmp_path).close()


def test_newer_schema_is_refused(tmp_path):
    Store(tmp_path).close()
    conn = sqlite3.connect(tmp_path / "witness.db")
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    conn.close()
    with pytest.raises(RuntimeError, match="newer than this program"):
        Store(tmp_path)


def test_capture_files_are_content_addressed_and_read_only(tmp_path):
    store = Store(tmp_path)
    cap = store.add_capture(kind="order", source="url", url="https://shop.example/o/1", title="订单",
                            files={"page.png": b"\x89PNG fake", "text.txt": "订单号 123".encode()})
    arts = {a["name"]: a for a in cap["artifacts"]}
    png = arts["page.png"]
    path = tmp_path / "evidence" / png["sha256"][:2] / f"{png['sha256']}.png"
    assert png["path"] == str(path)
    assert path.read_bytes() == b"\x89PNG fake"
    assert not os.stat(path).st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    assert png["media_type"] == "image/png" and png["size"] == 9
    assert arts["text.txt"]["media_type"] == "text/plain"
    assert list((tmp_path / "evidence" / "tmp").iterdir()) == []


def test_same_content_is_stored_once_and_never_rewritten(tmp_path):
    store = Store(tmp_path)
    a = store.add_capture(kind="other", source="url", files={"page.png": b"same"})
    path = a["artifacts"][0]["path"]
    before = os.stat(path)
    b = store.add_capture(kind="other", source="url", files={"page.png": b"same"})
    assert b["artifacts"][0]["path"] == path
    after = os.stat(path)
    assert (before.st_ino, before.st_mtime_ns) == (after.st_ino, after.st_mtime_ns)
    assert verify(store)["ok"]


def test_bad_capture_input_stores_nothing(tmp_path):
    store = Store(tmp_path)
    with pytest.raises(BadRequest):
        store.add_capture(kind="banana", source="url", files={"page.png": b"x"})
    with pytest.raises(BadRequest):
        store.add_capture(kind="order", source="url", files={})
    with pytest.raises(BadRequest):
        store.add_capture(kind="order", source="url", files={"../escape.png": b"x"})
    with pytest.raises(NotFound):
        store.add_capture(kind="order", source="url", files={"page.png": b"x"}, order_id=99)
    with pytest.raises(BadRequest):
        store.add_capture(kind="chat", source="url", files={"page.png": b"y"}, messages=[{"sender": "ghost", "text": "x"}])
    assert store.conn.execute("SELECT count(*) FROM captures").fetchone()[0] == 0
    assert store.conn.execute("SELECT count(*) FROM events").fetchone()[0] == 0
    assert verify(store)["ok"]


def test_order_changes_are_recorded_not_overwritten_silently(tmp_path):
    store = Store(tmp_path)
    order, changes = store.upsert_order("shop.example", "A1", {"status": "处理中", "status_code": "processing", "amount": "58.00"})
    assert changes["status"] == [None, "处理中"]
    same, changes = store.upsert_order("shop.example", "A1", {"status": "处理中", "amount": None})
    assert changes == {} and same["amount"] == "58.00"
    updated, changes = store.upsert_order("shop.example", "A1", {"status": "已完成", "status_code": "delivered"})
    assert changes == {"status": ["处理中", "已完成"], "status_code": ["processing", "delivered"]}
    types = [e["type"] for e in store.events(order_id=order["id"])]
    assert types == ["order.created", "order.updated"]
    assert store.events(order_id=order["id"])[-1]["data"]["changes"]["status"] == ["处理中", "已完成"]
    with pytest.raises(BadRequest):
        store.upsert_order("shop.example", "A1", {"colour": "red"})


def test_messages_and_links(tmp_path):
    store = Store(tmp_path)
    cap = store.add_capture(kind="chat", source="tab", files={"page.png": b"chat"},
                            messages=[{"sender": "merchant", "name": "客服", "time": "2026-11-20T14:32:00+08:00", "text": "5分钟内发货"},
                                      {"sender": "buyer", "text": "还没到"}])
    order, _ = store.upsert_order("shop.example", "A1", {})
    store.link_capture(cap["id"], order["id"])
    assert [m["text"] for m in store.messages(order_id=order["id"])] == ["5分钟内发货", "还没到"]
    assert store.list_orders()[0]["evidence_count"] == 1
    assert verify(store)["ok"]


def test_events_are_pushed_to_subscribers_after_commit(tmp_path):
    store = Store(tmp_path)
    seen = []
    store.subscribe(seen.append)
    store.append_event("note", {"x": 1})
    assert [e["type"] for e in seen] == ["note"]
    assert store.read_head() == {"seq": 1, "hash": seen[0]["hash"]}
