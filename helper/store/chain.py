"""The hash chain, pure: canonical JSON of an event including the previous hash, hashed with SHA-256.

    hash = sha256(canonical_json({seq, at, type, order_id, capture_id, data, prev_hash}))

Canonical JSON: keys sorted, no insignificant whitespace, UTF-8, non-ASCII kept as is. Anyone can recompute
it with any JSON library that sorts keys (see VERIFY.md in an exported package).
"""

from __future__ import annotations

import hashlib
import json

GENESIS = "0" * 64
EVENT_FIELDS = ("seq", "at", "type", "order_id", "capture_id", "data", "prev_hash")


def canonical_json(obj) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")


def event_body(seq: int, at: str, type: str, order_id, capture_id, data: dict, prev_hash: str) -> dict:
    return {
        "seq": seq,
        "at": at,
        "type": type,
        "order_id": order_id,
        "capture_id": capture_id,
        "data": data,
        "prev_hash": prev_hash,
    }


def event_hash(body: dict) -> str:
    return hashlib.sha256(canonical_json({k: body[k] for k in EVENT_FIELDS})).hexdigest()


def check_chain(events, *, all_hashes: dict | None = None) -> list[dict]:
    """Problems in a sequence of stored events (dicts with EVENT_FIELDS + 'hash'), in seq order.

    Reports edited rows (hash does not match the content), deleted rows (a gap in seq whose successor's
    prev_hash names a missing hash), reordering (prev_hash names a hash that exists elsewhere).
    `events` may be a stream when `all_hashes` ({hash: seq} of every event) is given.
    """
    problems = []
    if all_hashes is None:
        events = list(events)
        all_hashes = {e["hash"]: e["seq"] for e in events}
    prev_hash, prev_seq = GENESIS, 0
    for e in events:
        seq = e["seq"]
        if seq != prev_seq + 1:
            missing = f"{prev_seq + 1}" if seq == prev_seq + 2 else f"{prev_seq + 1}-{seq - 1}"
            problems.append(_p("event_deleted", f"event {missing} missing from the chain (deleted row)", seq=prev_seq + 1))
        recomputed = event_hash(e)
        if recomputed != e["hash"]:
            problems.append(_p("event_edited", f"event {seq} ({e['type']}) was edited: its content no longer matches its hash", seq=seq))
        if e["prev_hash"] != prev_hash and seq == prev_seq + 1:
            where = all_hashes.get(e["prev_hash"])
            if where is not None:
                problems.append(_p("chain_reordered", f"event {seq} follows event {where} in the chain, not event {prev_seq} (reordered)", seq=seq))
            else:
                problems.append(_p("chain_broken", f"event {seq}: previous hash does not match event {prev_seq}", seq=seq))
        prev_hash, prev_seq = e["hash"], seq
    return problems


def _p(code: str, message: str, **where) -> dict:
    return {"code": code, "message": message, **where}
