"""The evidence store: one SQLite file (WAL) plus content-addressed files, every change chained.

All writes go through `Store`; each public write is one transaction that also appends its event to the
hash chain, so a row and its chain entry exist together or not at all.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import threading
import time
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from ..core import clock
from ..core.errors import BadRequest, NotFound, StoreError
from ..core import folder, urls
from . import blobs, chain
from .schema import migrate


def _dicts(cursor: sqlite3.Cursor) -> list[dict]:
    """A query's rows as dicts (plain sqlite3: the store once took sqlite-utils for this alone, and importing it,
    with the numpy it loads, was most of a `witness` command's start-up)."""
    keys = [d[0] for d in cursor.description or ()]
    if len(set(keys)) != len(keys):
        raise StoreError(f"a query names a column twice: {keys}")
    return [dict(zip(keys, row)) for row in cursor]


CAPTURE_KINDS = ("order", "chat", "rules", "payment", "desktop", "product", "other")
ORDER_FIELDS = (
    "url", "product", "amount", "currency", "status", "status_code", "ordered_at", "paid_at", "merchant",
    "delivery_mode", "contact", "promise_text", "promise_seconds", "promise_source", "deadline",
    "shop_name", "shop_icp",
)
MESSAGE_FIELDS = ("sender", "name", "time", "text")


def capture_snapshot(row: dict, artifacts: list[dict], messages: list[dict]) -> dict:
    """What the chain records of a capture; verify compares the rows with it."""
    capture = {k: row[k] for k in ("id", "kind", "source", "url", "title", "captured_at")}
    if row.get("page_state", "ok") != "ok":  # recorded only when not ok: older chain entries have none
        capture["page_state"] = row["page_state"]
    return {
        "capture": capture,
        "meta_sha256": hashlib.sha256(row["meta"].encode("utf-8")).hexdigest(),
        "artifacts": [{k: a[k] for k in ("name", "sha256", "size", "media_type")} for a in artifacts],
        "messages": {"count": len(messages), "sha256": messages_digest(messages)},
    }


def messages_digest(messages: list[dict]) -> str:
    return hashlib.sha256(chain.canonical_json([{k: m.get(k) for k in MESSAGE_FIELDS} for m in messages])).hexdigest()


TIME_FIELDS = ("ordered_at", "paid_at", "deadline")


def check_times(facts: dict) -> None:
    """Order times are ISO 8601 with an offset (`2026-11-27T10:00:12.000+08:00`) or absent: anything else is
    refused here, for every caller, so no page or request can store markup or a value the reminders and the
    report cannot read."""
    for name in TIME_FIELDS:
        value = facts.get(name)
        if value is None:
            continue
        ok = isinstance(value, str) and len(value) <= 40 and value[:4].isdigit()
        try:
            ok = ok and clock.parse_iso(value) is not None
        except ValueError:
            ok = False
        if not ok:
            raise BadRequest(f"{name} 必须是带时区的 ISO 8601 时间 / must be ISO 8601 with an offset, "
                             f"e.g. 2026-11-27T10:00:12+08:00 (got {str(value)[:40]!r})")
    seconds = facts.get("promise_seconds")
    if seconds is not None and (not isinstance(seconds, int) or isinstance(seconds, bool) or not 0 <= seconds <= 10**9):
        raise BadRequest("promise_seconds must be a whole number of seconds from 0 to 1000000000")


def order_snapshot(row: dict) -> dict:
    return {k: row[k] for k in ("id", "shop_host", "order_no", *ORDER_FIELDS, "created_at", "updated_at")}


class Store:
    """Open with `Store(data_dir)`; safe to share between threads (one connection, one lock)."""

    def __init__(self, data_dir: Path | str, *, now=clock.utcnow):
        self.data_dir = Path(data_dir)
        self.evidence_dir = self.data_dir / "evidence"
        self.db_path = self.data_dir / "witness.db"
        self.head_path = self.data_dir / "chain-head.json"
        self._now = now
        self._lock = threading.RLock()
        self._listeners: list = []
        self._closed = False
        folder.private_data_dir(self.data_dir)
        for name in ("witness.db", "witness.db-wal", "witness.db-shm"):
            if name == "witness.db" or (self.data_dir / name).exists():
                folder.private_file(self.data_dir / name)
        try:
            conn = sqlite3.connect(self.db_path, isolation_level=None, check_same_thread=False, timeout=30)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            migrate(conn)
        except sqlite3.DatabaseError as e:
            raise StoreError(f"cannot open the evidence database {self.db_path}: {e}") from e
        self.conn = conn
        # Events other processes commit (a `witness` command while the helper runs) are noticed by polling
        # PRAGMA data_version, which changes when another connection commits (poll_foreign_writes).
        self._data_version = conn.execute("PRAGMA data_version").fetchone()[0]
        last = conn.execute("SELECT max(seq) FROM events").fetchone()[0]
        self._watermark = last or 0  # every event up to here was committed here or already passed on
        self._own: set[int] = set()  # seqs committed through this Store above the watermark
        self.cleaned_temp = blobs.clean_temp(self.evidence_dir)
        _clean_stale_exports(self.data_dir)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self.conn.close()

    def query(self, sql: str, params=()) -> list[dict]:
        """Rows as dicts. Every use of the shared connection holds the lock, so closing can never pull the
        connection from under a reader in another thread."""
        with self._lock, _in_range():
            if self._closed:
                raise StoreError("the evidence store is closed")
            return _dicts(self.conn.execute(sql, params))

    def scalar(self, sql: str, params=()):
        with self._lock, _in_range():
            if self._closed:
                raise StoreError("the evidence store is closed")
            row = self.conn.execute(sql, params).fetchone()
            return row[0] if row else None

    # -- events ------------------------------------------------------------------------------------

    def subscribe(self, callback) -> None:
        """`callback(event)` runs after each committed event (from the writer's thread)."""
        self._listeners.append(callback)

    def unsubscribe(self, callback) -> None:
        if callback in self._listeners:
            self._listeners.remove(callback)

    @contextmanager
    def transaction(self):
        """One IMMEDIATE transaction; yields a list that collects the events appended in it."""
        with self._lock:
            if self._closed:
                raise StoreError("the evidence store is closed")
            self.conn.execute("BEGIN IMMEDIATE")
            appended: list[dict] = []
            try:
                with _in_range():
                    yield appended
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self._own.update(e["seq"] for e in appended)
        if appended:
            self._write_head(appended[-1])
            for event in appended:
                for cb in list(self._listeners):
                    cb(event)

    def poll_foreign_writes(self) -> list[dict]:
        """Events committed by other processes since the last call, passed to the subscribers like this
        process's own (cheap when nothing changed: one PRAGMA)."""
        with self._lock:
            if self._closed:
                return []
            version = self.conn.execute("PRAGMA data_version").fetchone()[0]
            if version == self._data_version:
                return []
            self._data_version = version
            rows = _dicts(self.conn.execute("SELECT * FROM events WHERE seq > ? ORDER BY seq", [self._watermark]))
            fresh = [_event_row(r) for r in rows]
            foreign = [e for e in fresh if e["seq"] not in self._own]
            if fresh:
                self._watermark = fresh[-1]["seq"]
                self._own = {s for s in self._own if s > self._watermark}
        for event in foreign:
            for cb in list(self._listeners):
                cb(event)
        return foreign

    def _append(self, tx: list, type: str, data: dict, *, order_id=None, capture_id=None, at: str | None = None) -> dict:
        last = self.conn.execute("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
        seq, prev = (last[0] + 1, last[1]) if last else (1, chain.GENESIS)
        body = chain.event_body(seq, at or clock.iso(self._now()), type, order_id, capture_id, data, prev)
        body["hash"] = chain.event_hash(body)
        self.conn.execute(
            "INSERT INTO events (seq, at, type, order_id, capture_id, data, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?)",
            (seq, body["at"], type, order_id, capture_id, chain.canonical_json(data).decode("utf-8"), prev, body["hash"]),
        )
        tx.append(body)
        return body

    def append_event(self, type: str, data: dict | None = None, *, order_id=None, capture_id=None) -> dict:
        with self.transaction() as tx:
            return self._append(tx, type, data or {}, order_id=order_id, capture_id=capture_id)

    def _write_head(self, event: dict) -> None:
        folder.write_private(self.head_path, json.dumps({"seq": event["seq"], "hash": event["hash"]}).encode("utf-8"))

    def read_head(self) -> dict | None:
        try:
            return json.loads(self.head_path.read_text("utf-8"))
        except (FileNotFoundError, ValueError):
            return None

    def head(self) -> dict | None:
        """The last event's seq and hash, or None for an empty chain."""
        rows = self.query("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1")
        return rows[0] if rows else None

    def events(self, *, since: int = 0, order_id: int | None = None, limit: int | None = None) -> list[dict]:
        sql = "SELECT * FROM events WHERE seq > ?"
        params: list = [since]
        if order_id is not None:
            sql += " AND order_id = ?"
            params.append(order_id)
        sql += " ORDER BY seq"
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [_event_row(r) for r in self.query(sql, params)]

    # -- captures ----------------------------------------------------------------------------------

    def add_capture(
        self,
        *,
        kind: str,
        source: str,
        files: dict[str, bytes | Path],
        url: str | None = None,
        title: str | None = None,
        captured_at: datetime | None = None,
        meta: dict | None = None,
        order_id: int | None = None,
        messages: list[dict] | None = None,
        page_state: str = "ok",
    ) -> dict:
        """Store one capture: its files first (content-addressed), then its rows and event in one transaction."""
        if kind not in CAPTURE_KINDS:
            raise BadRequest(f"unknown capture kind {kind!r}; one of {', '.join(CAPTURE_KINDS)}")
        if not files:
            raise BadRequest("a capture needs at least one file")
        for name in files:
            if not name or "/" in name or "\\" in name or name.startswith("."):
                raise BadRequest(f"bad artifact name {name!r}")
        messages = [{k: m.get(k) for k in MESSAGE_FIELDS} for m in (messages or [])]
        url, meta = urls.without_credentials(url), urls.scrub(meta)  # no password from a URL is ever stored
        stored = {name: blobs.put(self.evidence_dir, data, name) for name, data in files.items()}
        row = {
            "kind": kind,
            "source": source,
            "url": url,
            "title": title,
            "captured_at": clock.iso(captured_at or self._now()),
            "order_id": order_id,
            "meta": chain.canonical_json(meta or {}).decode("utf-8"),
            "page_state": page_state,
        }
        with self.transaction() as tx:
            if order_id is not None and not self.conn.execute("SELECT 1 FROM orders WHERE id=?", (order_id,)).fetchone():
                raise NotFound(f"order {order_id} not found")
            cur = self.conn.execute(
                "INSERT INTO captures (kind, source, url, title, captured_at, order_id, meta, page_state) "
                "VALUES (?,?,?,?,?,?,?,?)",
                (row["kind"], row["source"], row["url"], row["title"], row["captured_at"], row["order_id"], row["meta"],
                 row["page_state"]),
            )
            row["id"] = cur.lastrowid
            arts = []
            for name, blob in stored.items():
                art = {"name": name, "sha256": blob.sha256, "size": blob.size, "media_type": blobs.media_type(name)}
                self.conn.execute(
                    "INSERT INTO artifacts (capture_id, name, sha256, size, media_type) VALUES (?,?,?,?,?)",
                    (row["id"], name, art["sha256"], art["size"], art["media_type"]),
                )
                arts.append(art)
            self._insert_messages(row["id"], order_id, messages)
            self._append(tx, "capture.stored", capture_snapshot(row, arts, messages), order_id=order_id, capture_id=row["id"])
        return self.get_capture(row["id"])

    def _insert_messages(self, capture_id: int, order_id, messages: list[dict]) -> None:
        for i, m in enumerate(messages):
            if not isinstance(m.get("text"), str) or m.get("sender") not in ("merchant", "buyer", "system"):
                raise BadRequest(f"message {i}: needs text and a sender of merchant, buyer or system")
            self.conn.execute(
                "INSERT INTO messages (capture_id, order_id, seq, sender, name, time, text) VALUES (?,?,?,?,?,?,?)",
                (capture_id, order_id, i, m["sender"], m.get("name"), m.get("time"), m["text"]),
            )

    def add_messages(self, capture_id: int, messages: list[dict]) -> None:
        """Chat messages extracted from a stored capture after the fact (its DOM or its OCR text)."""
        messages = [{k: m.get(k) for k in MESSAGE_FIELDS} for m in messages]
        with self.transaction() as tx:
            row = self.conn.execute("SELECT order_id FROM captures WHERE id=?", (capture_id,)).fetchone()
            if row is None:
                raise NotFound(f"capture {capture_id} not found")
            if self.conn.execute("SELECT 1 FROM messages WHERE capture_id=? LIMIT 1", (capture_id,)).fetchone():
                raise BadRequest(f"capture {capture_id} already has its messages")
            self._insert_messages(capture_id, row[0], messages)
            self._append(tx, "messages.extracted",
                         {"capture_id": capture_id, "messages": {"count": len(messages), "sha256": messages_digest(messages)}},
                         order_id=row[0], capture_id=capture_id)

    def add_ocr(self, capture_id: int, artifact: str, *, status: str, engine: str | None = None, error: str | None = None,
                result: dict | None = None, checks: dict | None = None) -> dict:
        """Store what OCR read from one image of a capture (or why it failed); searchable; chained."""
        text = (result or {}).get("text")
        result_json = chain.canonical_json(result).decode("utf-8") if result is not None else None
        checks = checks or {}
        with self.transaction() as tx:
            row = self.conn.execute("SELECT order_id FROM captures WHERE id=?", (capture_id,)).fetchone()
            if row is None:
                raise NotFound(f"capture {capture_id} not found")
            cur = self.conn.execute(
                "INSERT INTO ocr (capture_id, artifact, status, engine, error, text, result, checks, created_at) "
                "VALUES (?,?,?,?,?,?,?,?,?)",
                (capture_id, artifact, status, engine, error, text, result_json,
                 chain.canonical_json(checks).decode("utf-8"), clock.iso(self._now())),
            )
            if text:
                self.conn.execute("INSERT INTO ocr_fts (rowid, text) VALUES (?, ?)", (cur.lastrowid, text))
            self._append(tx, "ocr.done" if status == "done" else "ocr.failed", {
                "artifact": artifact, "status": status, "engine": engine, "error": error, "checks": checks,
                "result_sha256": hashlib.sha256(result_json.encode("utf-8")).hexdigest() if result_json else None,
            }, order_id=row[0], capture_id=capture_id)
        return self.ocr_of(capture_id)[-1]

    def set_ocr_checks(self, capture_id: int, artifact: str, checks: dict) -> None:
        """Cross-checks made after the reading (the capture was linked to its order later): the OCR row's checks
        replaced, and an `ocr.checked` chain event recording them."""
        with self.transaction() as tx:
            row = self.conn.execute("SELECT o.id, c.order_id FROM ocr o JOIN captures c ON c.id = o.capture_id "
                                    "WHERE o.capture_id=? AND o.artifact=? ORDER BY o.id DESC LIMIT 1",
                                    (capture_id, artifact)).fetchone()
            if row is None:
                raise NotFound(f"capture {capture_id} has no OCR of {artifact}")
            self.conn.execute("UPDATE ocr SET checks=? WHERE id=?", (chain.canonical_json(checks).decode("utf-8"), row[0]))
            self._append(tx, "ocr.checked", {"artifact": artifact, "checks": checks}, order_id=row[1], capture_id=capture_id)

    def ocr_of(self, capture_id: int) -> list[dict]:
        rows = self.query("SELECT * FROM ocr WHERE capture_id=? ORDER BY id", (capture_id,))
        for r in rows:
            r["result"] = json.loads(r["result"]) if r["result"] else None
            r["checks"] = json.loads(r["checks"])
        return rows

    def search(self, q: str, *, limit: int = 50) -> list[dict]:
        """Captures whose OCR text contains `q` (trigram full-text search; shorter queries scan)."""
        q = q.strip()
        if not q:
            return []
        cols = ("SELECT o.capture_id, o.artifact, c.kind, c.url, c.title, c.captured_at, c.order_id, "
                "substr(o.text, max(1, instr(o.text, ?) - 30), 80) AS snippet ")
        if len(q) >= 3:
            phrase = '"' + q.replace('"', '""') + '"'
            sql = cols + ("FROM ocr_fts f JOIN ocr o ON o.id = f.rowid JOIN captures c ON c.id = o.capture_id "
                          "WHERE ocr_fts MATCH ? ORDER BY c.captured_at DESC LIMIT ?")
            return self.query(sql, (q, phrase, limit))
        like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        sql = cols + ("FROM ocr o JOIN captures c ON c.id = o.capture_id WHERE o.text LIKE ? ESCAPE '\\' "
                      "ORDER BY c.captured_at DESC LIMIT ?")
        return self.query(sql, (q, like, limit))

    def evidence_bytes(self) -> int:
        """Bytes of distinct evidence files (each stored once, whatever refers to it)."""
        return int(self.scalar("SELECT coalesce(sum(size), 0) FROM (SELECT DISTINCT sha256, size FROM artifacts)") or 0)

    def artifact_path(self, art: dict) -> Path:
        return blobs.blob_path(self.evidence_dir, art["sha256"], Path(art["name"]).suffix.lower())

    def get_capture(self, capture_id: int) -> dict:
        rows = (self.query("SELECT * FROM captures WHERE id = ?", [capture_id]))
        if not rows:
            raise NotFound(f"capture {capture_id} not found")
        cap = rows[0]
        cap["meta"] = json.loads(cap["meta"])
        if cap["source"] == "tab":  # stored before issue 11: the evidence browser's tab
            cap["source"] = "evidence_browser"
        cap["artifacts"] = [
            {**a, "path": str(self.artifact_path(a))}
            for a in self.query(
                "SELECT name, sha256, size, media_type FROM artifacts WHERE capture_id = ? ORDER BY id", [capture_id]
            )
        ]
        cap["message_count"] = self.scalar("SELECT count(*) FROM messages WHERE capture_id=?", (capture_id,))
        return cap

    def list_captures(self, *, order_id: int | None = None, limit: int = 200) -> list[dict]:
        if order_id is None:
            ids = [r["id"] for r in self.query("SELECT id FROM captures ORDER BY id DESC LIMIT ?", (limit,))]
        else:
            ids = [r["id"] for r in self.query("SELECT id FROM captures WHERE order_id=? ORDER BY id", (order_id,))]
        return [self.get_capture(i) for i in ids]

    def messages(self, *, capture_id: int | None = None, order_id: int | None = None) -> list[dict]:
        if capture_id is not None:
            q, p = "SELECT * FROM messages WHERE capture_id=? ORDER BY seq", [capture_id]
        else:
            q, p = "SELECT * FROM messages WHERE order_id=? ORDER BY capture_id, seq", [order_id]
        return (self.query(q, p))

    def link_capture(self, capture_id: int, order_id: int) -> None:
        """Attach an earlier capture to an order (e.g. a chat naming the order number)."""
        with self.transaction() as tx:
            cur = self.conn.execute("SELECT order_id FROM captures WHERE id=?", (capture_id,)).fetchone()
            if cur is None:
                raise NotFound(f"capture {capture_id} not found")
            if cur[0] == order_id:
                return
            if cur[0] is not None:
                raise BadRequest(f"capture {capture_id} already belongs to order {cur[0]}")
            self.conn.execute("UPDATE captures SET order_id=? WHERE id=?", (order_id, capture_id))
            self.conn.execute("UPDATE messages SET order_id=? WHERE capture_id=?", (order_id, capture_id))
            self._append(tx, "capture.linked", {"capture_id": capture_id, "order_id": order_id}, order_id=order_id, capture_id=capture_id)

    # -- orders ------------------------------------------------------------------------------------

    def upsert_order(self, shop_host: str, order_no: str, facts: dict, *, capture_id: int | None = None) -> tuple[dict, dict]:
        """Create the order or record what changed. Returns (order, changes {field: [old, new]}).

        A fact never silently disappears: a missing value (None) in `facts` keeps the stored one; a changed
        value is recorded in an `order.updated` event with old and new.
        """
        if not shop_host or not order_no:
            raise BadRequest("an order needs a shop host and an order number")
        unknown = set(facts) - set(ORDER_FIELDS)
        if unknown:
            raise BadRequest(f"unknown order fields: {', '.join(sorted(unknown))}")
        check_times(facts)
        facts = {**facts, "url": urls.without_credentials(facts["url"])} if facts.get("url") else facts
        now = clock.iso(self._now())
        with self.transaction() as tx:
            row = self.conn.execute("SELECT id FROM orders WHERE shop_host=? AND order_no=?", (shop_host, order_no)).fetchone()
            if row is None:
                values = {k: facts.get(k) for k in ORDER_FIELDS}
                values["status_code"] = values["status_code"] or "unknown"
                cols = ["shop_host", "order_no", *ORDER_FIELDS, "created_at", "updated_at"]
                cur = self.conn.execute(
                    f"INSERT INTO orders ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                    (shop_host, order_no, *[values[k] for k in ORDER_FIELDS], now, now),
                )
                order = self.get_order(cur.lastrowid)
                self._append(tx, "order.created", {"order": order_snapshot(order), "capture_id": capture_id},
                             order_id=order["id"], capture_id=capture_id)
                return order, {k: [None, v] for k, v in values.items() if v is not None}
            order = self.get_order(row[0])
            changes = {k: [order[k], v] for k, v in facts.items() if v is not None and v != order[k]}
            if changes:
                sets = ", ".join(f"{k}=?" for k in changes)
                self.conn.execute(f"UPDATE orders SET {sets}, updated_at=? WHERE id=?",
                                  (*[v[1] for v in changes.values()], now, order["id"]))
                order = self.get_order(order["id"])
                self._append(tx, "order.updated", {"order": order_snapshot(order), "changes": changes, "capture_id": capture_id},
                             order_id=order["id"], capture_id=capture_id)
            return order, changes

    def get_order(self, order_id: int) -> dict:
        rows = (self.query("SELECT * FROM orders WHERE id = ?", [order_id]))
        if not rows:
            raise NotFound(f"order {order_id} not found")
        return rows[0]

    def find_order(self, shop_host: str, order_no: str) -> dict | None:
        rows = (self.query("SELECT * FROM orders WHERE shop_host=? AND order_no=?", [shop_host, order_no]))
        return rows[0] if rows else None

    def list_orders(self) -> list[dict]:
        return list(
            self.query(
                "SELECT o.*, (SELECT count(*) FROM captures c WHERE c.order_id = o.id) AS evidence_count "
                "FROM orders o ORDER BY o.updated_at DESC, o.id DESC"
            )
        )


STALE_EXPORT_S = 6 * 3600


def _clean_stale_exports(data_dir: Path) -> None:
    """Work folders of exports that died (`.export-*`: redacted copies, report previews, links) go after 6 h."""
    now = time.time()
    for d in data_dir.glob(".export-*"):
        try:
            if d.is_dir() and not d.is_symlink() and now - d.stat().st_mtime > STALE_EXPORT_S:
                shutil.rmtree(d, ignore_errors=True)
        except OSError:
            pass


@contextmanager
def _in_range():
    """A number SQLite cannot hold (an id of 30 digits from a command line or a request) is a bad request,
    never a traceback."""
    try:
        yield
    except OverflowError:
        raise BadRequest("数字超出范围 / a number is out of range (at most 2^63-1)") from None


def _event_row(r: dict) -> dict:
    return {**r, "data": json.loads(r["data"])}
