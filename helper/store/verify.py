"""`witness verify`: re-hash every evidence file and the whole chain, compare every row that feeds a draft,
a report or a search with what the chain recorded, and report each problem precisely.

Rows are read through a read-only connection in one read transaction (a consistent snapshot that never
blocks the helper's writers) and streamed row by row; files are opened without following symbolic links,
only regular files are read, and no more than their recorded size plus one byte (a blob replaced by a link
to /dev/zero, a FIFO or a growing file is reported, never waited on).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field

from . import blobs, chain
from .store import Store, capture_snapshot, order_snapshot


@dataclass
class Chained:
    """What the chain recorded, per row, as the events are streamed."""

    captures: dict = field(default_factory=dict)  # capture id → capture.stored snapshot (messages updated)
    capture_order: dict = field(default_factory=dict)  # capture id → order id (stored or linked)
    orders: dict = field(default_factory=dict)  # order id → last order snapshot
    ocr: dict = field(default_factory=dict)  # (capture id, artifact) → ocr.done / ocr.failed data (+ ocr.checked)
    count: int = 0
    last: dict | None = None
    kept: list | None = None  # every parsed event, only when a higher layer's check needs them

    def add(self, e: dict) -> None:
        self.count += 1
        self.last = e
        if self.kept is not None:
            self.kept.append(e)
        d = e["data"]
        if not isinstance(d, dict):
            return
        t = e["type"]
        if t == "capture.stored" and "capture" in d:
            self.captures[e["capture_id"]] = d
            self.capture_order[e["capture_id"]] = e["order_id"]
        elif t == "capture.linked":
            self.capture_order[d.get("capture_id")] = d.get("order_id")
        elif t == "messages.extracted" and e["capture_id"] in self.captures:
            self.captures[e["capture_id"]] = {**self.captures[e["capture_id"]], "messages": d.get("messages")}
        elif t in ("order.created", "order.updated") and "order" in d:
            self.orders[e["order_id"]] = d["order"]
        elif t in ("ocr.done", "ocr.failed"):
            self.ocr[(e["capture_id"], d.get("artifact"))] = d
        elif t == "ocr.checked" and (e["capture_id"], d.get("artifact")) in self.ocr:
            key = (e["capture_id"], d.get("artifact"))
            self.ocr[key] = {**self.ocr[key], "checks": d.get("checks")}


@contextmanager
def _snapshot(store: Store):
    """A read-only connection holding one read transaction: every row read belongs to one moment."""
    conn = sqlite3.connect(f"{store.db_path.as_uri()}?mode=ro", uri=True, isolation_level=None, timeout=30)
    conn.row_factory = sqlite3.Row
    try:
        conn.execute("BEGIN")
        yield conn
        conn.execute("COMMIT")
    finally:
        conn.close()


def _rows(conn: sqlite3.Connection, sql: str, params=()):
    for r in conn.execute(sql, params):
        yield dict(r)


def _p(code: str, message: str, **where) -> dict:
    return {"code": code, "message": message, **where}


# -- 1. the chain --------------------------------------------------------------------------------------


def _events(conn) -> "itertools.Iterator[dict]":
    for e in _rows(conn, "SELECT * FROM events ORDER BY seq"):
        try:
            e["data"] = json.loads(e["data"])
        except ValueError:
            e["data"] = None
            e["unreadable"] = True
        yield e


def check_events(conn, head: dict | None, problems: list, *, keep: bool = False) -> Chained:
    all_hashes = {r[0]: r[1] for r in conn.execute("SELECT hash, seq FROM events")}
    chained = Chained(kept=[] if keep else None)

    def feed():
        for e in _events(conn):
            if e.get("unreadable"):
                problems.append(_p("event_edited", f"event {e['seq']} holds unreadable data", seq=e["seq"]))
            chained.add(e)
            yield e

    problems += chain.check_chain(feed(), all_hashes=all_hashes)
    last = chained.last
    if head is None and last is not None:
        problems.append(_p("head_missing", "the chain head file (chain-head.json) is missing or unreadable: a rewrite "
                           "of the chain's end would go unnoticed", seq=last["seq"]))
    elif head:
        if last is None or head["seq"] > last["seq"]:
            problems.append(_p("event_deleted", f"the chain head file names event {head['seq']}, but the last event is "
                               f"{last['seq'] if last else 'none'}: events at the end were deleted", seq=head["seq"]))
        else:
            row = conn.execute("SELECT hash FROM events WHERE seq=?", (head["seq"],)).fetchone()
            if row is not None and row[0] != head["hash"]:
                problems.append(_p("chain_rewritten", f"event {head['seq']} is not the one the chain head file recorded",
                                   seq=head["seq"]))
    return chained


# -- 2. rows against the chain's record of them ----------------------------------------------------------


def check_captures(conn, chained: Chained, problems: list) -> int:
    arts = itertools.groupby(_rows(conn, "SELECT capture_id, name, sha256, size, media_type FROM artifacts "
                                         "ORDER BY capture_id, id"), key=lambda a: a["capture_id"])
    msgs = itertools.groupby(_rows(conn, "SELECT capture_id, sender, name, time, text FROM messages "
                                         "ORDER BY capture_id, seq"), key=lambda m: m["capture_id"])
    arts_next, msgs_next = next(arts, (None, None)), next(msgs, (None, None))
    seen = 0
    for row in _rows(conn, "SELECT * FROM captures ORDER BY id"):
        cid = row["id"]
        seen += 1
        # artifacts and messages are grouped by capture id in the same order: advance each to this capture
        while arts_next[0] is not None and arts_next[0] < cid:
            arts_next = next(arts, (None, None))
        while msgs_next[0] is not None and msgs_next[0] < cid:
            msgs_next = next(msgs, (None, None))
        a = list(arts_next[1]) if arts_next[0] == cid else []
        m = list(msgs_next[1]) if msgs_next[0] == cid else []
        snap = chained.captures.get(cid)
        if snap is None:
            problems.append(_p("row_not_in_chain", f"capture {cid} has no entry in the chain (inserted row)", capture_id=cid))
            continue
        now = capture_snapshot(row, a, m)
        for part, label in (("capture", "capture row"), ("meta_sha256", "capture metadata"),
                            ("artifacts", "artifact rows"), ("messages", "message rows")):
            if now[part] != snap[part]:
                problems.append(_p("row_edited", f"capture {cid}: {label} differ from the chain's record",
                                   capture_id=cid, part=part))
        if row["order_id"] != chained.capture_order.get(cid):
            problems.append(_p("row_edited", f"capture {cid}: order link differs from the chain's record",
                               capture_id=cid, part="order_id"))
    present = {r[0] for r in conn.execute("SELECT id FROM captures")}
    for cid in sorted(chained.captures.keys() - present):
        problems.append(_p("row_deleted", f"capture {cid} is in the chain but its row was deleted", capture_id=cid))
    return seen


def check_message_links(conn, chained: Chained, problems: list) -> None:
    """messages.order_id decides which chat a draft and a report show: it must be its capture's chained order."""
    for r in _rows(conn, "SELECT capture_id, order_id, count(*) AS n FROM messages GROUP BY capture_id, order_id"):
        cid = r["capture_id"]
        if cid in chained.captures and r["order_id"] != chained.capture_order.get(cid):
            problems.append(_p("row_edited", f"capture {cid}: {r['n']} message row(s) name order {r['order_id']}, "
                               f"the chain links the capture to order {chained.capture_order.get(cid)}",
                               capture_id=cid, part="messages.order_id"))


def check_ocr(conn, chained: Chained, problems: list) -> None:
    """The OCR rows (result, status, checks, engine, error), their text column and the search index."""
    texts: dict[int, str] = {}
    for r in _rows(conn, "SELECT id, capture_id, artifact, status, engine, error, text, result, checks FROM ocr"):
        where = {"capture_id": r["capture_id"], "artifact": r["artifact"]}
        snap = chained.ocr.get((r["capture_id"], r["artifact"]))
        digest = hashlib.sha256(r["result"].encode("utf-8")).hexdigest() if r["result"] else None
        label = f"capture {r['capture_id']}: OCR of {r['artifact']}"
        if snap is None:
            problems.append(_p("row_not_in_chain", f"{label} has no entry in the chain", **where))
            continue
        try:
            checks = json.loads(r["checks"])
            result_text = (json.loads(r["result"]) or {}).get("text") if r["result"] else None
        except (ValueError, AttributeError):
            checks, result_text = None, None
        recorded = (snap.get("result_sha256"), snap.get("status"), snap.get("checks"), snap.get("engine"), snap.get("error"))
        if recorded != (digest, r["status"], checks, r["engine"], r["error"]):
            problems.append(_p("row_edited", f"{label} differs from the chain's record", **where, part="ocr"))
        elif r["text"] != result_text:
            problems.append(_p("row_edited", f"{label}: its text column is not the text of the chained result",
                               **where, part="ocr.text"))
        if r["text"]:
            texts[r["id"]] = r["text"]
    for rowid, text in conn.execute("SELECT rowid, text FROM ocr_fts"):
        if texts.pop(rowid, None) != text:
            problems.append(_p("index_edited", f"search index row {rowid} does not hold the text of OCR row {rowid}",
                               part="ocr_fts", rowid=rowid))
    for rowid in sorted(texts):
        problems.append(_p("index_edited", f"OCR row {rowid} is missing from the search index", part="ocr_fts", rowid=rowid))


def check_orders(conn, chained: Chained, problems: list) -> int:
    seen = set()
    for row in _rows(conn, "SELECT * FROM orders ORDER BY id"):
        oid = row["id"]
        seen.add(oid)
        snap = chained.orders.get(oid)
        if snap is None:
            problems.append(_p("row_not_in_chain", f"order {oid} has no entry in the chain (inserted row)", order_id=oid))
            continue
        now = order_snapshot(row)
        # Events written before created_at/updated_at were chained do not hold them.
        fields = sorted(k for k in now.keys() | snap.keys() if k in snap and snap[k] != now.get(k))
        if fields:
            problems.append(_p("row_edited", f"order {oid}: {', '.join(fields)} differ from the chain's record", order_id=oid))
    for oid in sorted(chained.orders.keys() - seen):
        problems.append(_p("row_deleted", f"order {oid} is in the chain but its row was deleted", order_id=oid))
    return len(seen)


# -- 3. files -------------------------------------------------------------------------------------------


def _hash_all(store: Store, wanted: dict, progress=None) -> dict:
    """{path: (sha256, size) | an error code}. hashlib releases the GIL, so threads use every core.
    `progress(label, done, total)` is told after each file (in order)."""
    workers = max(1, min(4, os.cpu_count() or 1))

    def one(item):
        path, size = item
        try:
            return path, blobs.hash_stored(store.evidence_dir, path, limit=size)
        except FileNotFoundError:
            return path, "file_missing"
        except blobs.NotRegularFile:
            return path, "file_not_regular"
        except OSError:
            return path, "file_unreadable"

    out = {}
    with ThreadPoolExecutor(workers) as pool:
        for i, (path, got) in enumerate(pool.map(one, [(p, refs[0][1]["size"]) for p, refs in wanted.items()], chunksize=16)):
            out[path] = got
            if progress is not None:
                progress("校验文件 / hashing files", i + 1, len(wanted))
    return out


FILE_PROBLEMS = {
    "file_missing": "is missing",
    "file_not_regular": "is not a regular file (a symbolic link, FIFO or device put in its place); it was not read",
    "file_unreadable": "cannot be read",
}


def check_files(conn, store: Store, problems: list, progress=None) -> tuple[int, int]:
    wanted: dict = {}
    for a in _rows(conn, "SELECT capture_id, name, sha256, size FROM artifacts ORDER BY id"):
        wanted.setdefault(store.artifact_path(a), []).append((a["capture_id"], a))
    hashed = _hash_all(store, wanted, progress)
    total = 0
    for path, refs in wanted.items():
        got = hashed[path]
        for cid, a in refs:
            where = {"capture_id": cid, "artifact": a["name"], "path": str(path)}
            if isinstance(got, str):
                problems.append(_p(got, f"capture {cid}: {a['name']} {FILE_PROBLEMS[got]} ({path})", **where))
            elif got[0] != a["sha256"]:
                problems.append(_p("file_changed", f"capture {cid}: {a['name']} was changed "
                                   f"(sha256 {got[0][:12]}… ≠ {a['sha256'][:12]}…)", **where))
        if not isinstance(got, str):
            total += got[1]
    return len(wanted), total


def verify(store: Store, *, checks=(), progress=None) -> dict:
    """Everything `witness verify` checks. `checks`: further checks of the parsed events from higher layers
    (the chain anchors), each `check(store, events) -> {"problems": [...], "report": {...}}`. `progress(label,
    done, total)`: told as the evidence files are hashed (the long part on a large store)."""
    problems: list[dict] = []
    extra: dict = {}
    with _snapshot(store) as conn:
        chained = check_events(conn, store.read_head(), problems, keep=bool(checks))
        for check in checks:
            result = check(store, chained.kept)
            problems += result["problems"]
            extra.update(result.get("report", {}))
        captures = check_captures(conn, chained, problems)
        check_message_links(conn, chained, problems)
        check_ocr(conn, chained, problems)
        orders = check_orders(conn, chained, problems)
        files, total_bytes = check_files(conn, store, problems, progress)
    last = chained.last
    return {
        "ok": not problems,
        "checked": {"events": chained.count, "captures": captures, "orders": orders, "files": files, "bytes": total_bytes},
        "head": {"seq": last["seq"], "hash": last["hash"]} if last else None,
        "problems": problems,
        **extra,
    }


def verify_and_record(store: Store, *, checks=(), progress=None) -> dict:
    """Verify; when everything is intact, append a `verify.run` event. A broken chain is never extended
    by the verifier: the report is returned and the chain left exactly as found."""
    report = verify(store, checks=checks, progress=progress)
    if report["ok"]:
        event = store.append_event("verify.run", {"ok": True, "checked": report["checked"], "head": report["head"]})
        report["event"] = {"seq": event["seq"], "hash": event["hash"]}
    return report
