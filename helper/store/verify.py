"""`witness verify`: re-hash every evidence file and the whole chain, compare every row with what the chain
recorded, and report each problem precisely."""

from __future__ import annotations

import hashlib
import json
import os
from concurrent.futures import ThreadPoolExecutor

from . import blobs, chain
from .store import Store, capture_snapshot, order_snapshot


def _hash_all(paths: list) -> dict:
    """sha256 of each path (None when missing). hashlib releases the GIL, so threads use every core."""
    workers = max(1, min(4, os.cpu_count() or 1))

    def one(path):
        try:
            return path, blobs.hash_file(path)
        except FileNotFoundError:
            return path, None

    with ThreadPoolExecutor(workers) as pool:
        return dict(pool.map(one, paths, chunksize=16))


def verify(store: Store, *, checks=()) -> dict:
    """Everything `witness verify` checks. `checks`: further checks of the parsed events from higher layers
    (the chain anchors), each `check(store, events) -> {"problems": [...], "report": {...}}`."""
    problems: list[dict] = []
    extra: dict = {}
    with store._lock:
        events = [dict(r) for r in store.query("SELECT * FROM events ORDER BY seq")]
        captures = {r["id"]: r for r in store.query("SELECT * FROM captures")}
        artifacts: dict[int, list] = {}
        for a in store.query("SELECT capture_id, name, sha256, size, media_type FROM artifacts ORDER BY id"):
            artifacts.setdefault(a["capture_id"], []).append(a)
        messages: dict[int, list] = {}
        for m in store.query("SELECT capture_id, sender, name, time, text FROM messages ORDER BY capture_id, seq"):
            messages.setdefault(m["capture_id"], []).append(m)
        orders = {r["id"]: r for r in store.query("SELECT * FROM orders")}
        ocr_rows = store.query("SELECT id, capture_id, artifact, status, result, checks FROM ocr")

    # 1. The chain itself.
    parsed = []
    for e in events:
        try:
            e["data"] = json.loads(e["data"])
        except ValueError:
            problems.append({"code": "event_edited", "message": f"event {e['seq']} holds unreadable data", "seq": e["seq"]})
            e["data"] = None
        parsed.append(e)
    problems += chain.check_chain(parsed)
    for check in checks:
        result = check(store, parsed)
        problems += result["problems"]
        extra.update(result.get("report", {}))
    head = store.read_head()
    last = parsed[-1] if parsed else None
    if head:
        if last is None or head["seq"] > last["seq"]:
            problems.append({
                "code": "event_deleted",
                "message": f"the chain head file names event {head['seq']}, but the last event is "
                           f"{last['seq'] if last else 'none'}: events at the end were deleted",
                "seq": head["seq"],
            })
        else:
            at_head = next((e for e in parsed if e["seq"] == head["seq"]), None)
            if at_head is not None and at_head["hash"] != head["hash"]:
                problems.append({"code": "chain_rewritten",
                                 "message": f"event {head['seq']} is not the one the chain head file recorded",
                                 "seq": head["seq"]})

    # 2. Rows against the chain's record of them.
    cap_snap: dict[int, dict] = {}
    cap_order: dict[int, int | None] = {}
    order_snap: dict[int, dict] = {}
    for e in parsed:
        d = e["data"]
        if not isinstance(d, dict):
            continue
        if e["type"] == "capture.stored" and "capture" in d:
            cap_snap[e["capture_id"]] = d
            cap_order[e["capture_id"]] = e["order_id"]
        elif e["type"] == "capture.linked":
            cap_order[d.get("capture_id")] = d.get("order_id")
        elif e["type"] == "messages.extracted" and e["capture_id"] in cap_snap:
            cap_snap[e["capture_id"]] = {**cap_snap[e["capture_id"]], "messages": d.get("messages")}
        elif e["type"] in ("order.created", "order.updated") and "order" in d:
            order_snap[e["order_id"]] = d["order"]

    for cid, row in captures.items():
        snap = cap_snap.get(cid)
        if snap is None:
            problems.append({"code": "row_not_in_chain", "message": f"capture {cid} has no entry in the chain (inserted row)",
                             "capture_id": cid})
            continue
        now = capture_snapshot(row, artifacts.get(cid, []), messages.get(cid, []))
        for part, label in (("capture", "capture row"), ("meta_sha256", "capture metadata"),
                            ("artifacts", "artifact rows"), ("messages", "message rows")):
            if now[part] != snap[part]:
                problems.append({"code": "row_edited", "message": f"capture {cid}: {label} differ from the chain's record",
                                 "capture_id": cid, "part": part})
        if row["order_id"] != cap_order.get(cid):
            problems.append({"code": "row_edited", "message": f"capture {cid}: order link differs from the chain's record",
                             "capture_id": cid, "part": "order_id"})
    for cid in cap_snap.keys() - captures.keys():
        problems.append({"code": "row_deleted", "message": f"capture {cid} is in the chain but its row was deleted",
                         "capture_id": cid})
    ocr_snap = {(e["capture_id"], e["data"].get("artifact")): e["data"] for e in parsed
                if e["type"] in ("ocr.done", "ocr.failed") and isinstance(e["data"], dict)}
    for r in ocr_rows:
        snap = ocr_snap.get((r["capture_id"], r["artifact"]))
        where = {"capture_id": r["capture_id"], "artifact": r["artifact"]}
        digest = hashlib.sha256(r["result"].encode("utf-8")).hexdigest() if r["result"] else None
        if snap is None:
            problems.append({"code": "row_not_in_chain", "message": f"capture {r['capture_id']}: OCR of {r['artifact']} has no entry in the chain", **where})
        elif (snap.get("result_sha256"), snap.get("status"), snap.get("checks")) != (digest, r["status"], json.loads(r["checks"])):
            problems.append({"code": "row_edited", "message": f"capture {r['capture_id']}: OCR of {r['artifact']} differs from the chain's record", **where})

    for oid, row in orders.items():
        snap = order_snap.get(oid)
        if snap is None:
            problems.append({"code": "row_not_in_chain", "message": f"order {oid} has no entry in the chain (inserted row)",
                             "order_id": oid})
        elif order_snapshot(row) != snap:
            fields = sorted(k for k in snap if snap[k] != row.get(k))
            problems.append({"code": "row_edited", "order_id": oid,
                             "message": f"order {oid}: {', '.join(fields)} differ from the chain's record"})
    for oid in order_snap.keys() - orders.keys():
        problems.append({"code": "row_deleted", "message": f"order {oid} is in the chain but its row was deleted", "order_id": oid})

    # 3. Files: each distinct file hashed once.
    wanted: dict = {}
    for cid, arts in artifacts.items():
        for a in arts:
            wanted.setdefault(store.artifact_path(a), []).append((cid, a))
    hashed = _hash_all(list(wanted))
    total_bytes = 0
    for path, refs in wanted.items():
        got = hashed[path]
        for cid, a in refs:
            where = {"capture_id": cid, "artifact": a["name"], "path": str(path)}
            if got is None:
                problems.append({"code": "file_missing", "message": f"capture {cid}: {a['name']} is missing ({path})", **where})
            elif got[0] != a["sha256"]:
                problems.append({"code": "file_changed",
                                 "message": f"capture {cid}: {a['name']} was changed (sha256 {got[0][:12]}… ≠ {a['sha256'][:12]}…)",
                                 **where})
        if got:
            total_bytes += got[1]

    return {
        "ok": not problems,
        "checked": {"events": len(parsed), "captures": len(captures), "orders": len(orders),
                    "files": len(wanted), "bytes": total_bytes},
        "head": {"seq": last["seq"], "hash": last["hash"]} if last else None,
        "problems": problems,
        **extra,
    }


def verify_and_record(store: Store, *, checks=()) -> dict:
    """Verify; when everything is intact, append a `verify.run` event. A broken chain is never extended
    by the verifier: the report is returned and the chain left exactly as found."""
    report = verify(store, checks=checks)
    if report["ok"]:
        event = store.append_event("verify.run", {"ok": True, "checked": report["checked"], "head": report["head"]})
        report["event"] = {"seq": event["seq"], "hash": event["hash"]}
    return report
