"""Anchoring the hash chain: an RFC 3161 timestamp over the chain head, recorded as a chain event.

The chain head file (chain-head.json) sits beside the database, so whoever edits both can rewrite history
and the chain still checks. An anchor closes that: a TSA signs sha256 of

    canonical_json({"format": "order-witness-anchor/1", "seq": N, "hash": H})

and nobody can make such a token afterwards for a rewritten event N. Each anchor is kept twice: as a
`chain.anchored` event (data: seq, hash, gen_time, tsa, tsa_url, token in base64) and as a file
`anchors/<seq>-<hash16>.json` with the same record. `witness verify` checks every anchor it finds in either
place against the events: a rewritten event at or before an anchored seq changes that seq's hash; removed
events leave an anchor pointing past the end of the chain; a token made for other data, or not signed by
its TSA, is named.

What it cannot do: someone who deletes the anchor files *and* rewrites the anchor events away (re-hashing
every later event) removes the evidence of the anchors themselves; a copy of a token kept elsewhere (an
exported package, a backup) still proves what the chain held at that time.

`Anchorer` runs in the helper service when `tsa_url` is set: after new events, at most every
`anchor_interval_minutes`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

from ..core import clock
from ..core.errors import TimestampError
from ..store import chain
from .tsa import check_token, load_pem_certs, request_timestamp, token_facts

log = logging.getLogger("witness.anchor")

ANCHOR_EVENT = "chain.anchored"
FORMAT = "order-witness-anchor/1"


def anchored_bytes(seq: int, hash: str) -> bytes:
    """What the TSA signs (its sha256) for the chain head (seq, hash)."""
    return chain.canonical_json({"format": FORMAT, "seq": seq, "hash": hash})


def anchors_dir(store) -> Path:
    return Path(store.data_dir) / "anchors"


def _write_file(store, record: dict) -> Path:
    folder = anchors_dir(store)
    folder.mkdir(exist_ok=True)
    path = folder / f"{record['seq']:08d}-{record['hash'][:16]}.json"
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(record, ensure_ascii=False, indent=1, sort_keys=True), "utf-8")
    os.replace(tmp, path)
    return path


def anchor_head(store, tsa_url: str, *, timeout: float = 15.0) -> dict | None:
    """Timestamp the current chain head; write the anchor file, then the `chain.anchored` event.
    None for an empty chain. Raises TimestampError when the TSA gives no token."""
    head = store.head()
    if head is None:
        return None
    stamp = request_timestamp(tsa_url, anchored_bytes(head["seq"], head["hash"]), timeout=timeout)
    record = {"format": FORMAT, "seq": head["seq"], "hash": head["hash"], "gen_time": stamp.gen_time, "tsa": stamp.tsa,
              "tsa_url": tsa_url, "token": base64.b64encode(stamp.token).decode("ascii")}
    _write_file(store, record)
    return store.append_event(ANCHOR_EVENT, record)


def next_anchor_due(store, interval: timedelta) -> datetime | None:
    """When the head should next be anchored: None when nothing happened since the last anchor, else the
    last anchor's time plus `interval` (a time in the past means now)."""
    last = store.query("SELECT seq, at FROM events WHERE type=? ORDER BY seq DESC LIMIT 1", (ANCHOR_EVENT,))
    after = last[0]["seq"] if last else 0
    if not store.scalar("SELECT 1 FROM events WHERE seq > ? AND type != ? LIMIT 1", (after, ANCHOR_EVENT)):
        return None
    if not last:
        return datetime.min.replace(tzinfo=timezone.utc)
    return clock.parse_iso(last[0]["at"]) + interval


class Anchorer:
    """Anchors the chain head after new events, at most once per `interval`; a TSA that cannot be reached
    is tried again one interval later. Runs as a background task of the helper service."""

    def __init__(self, store, tsa_url: str, *, interval: timedelta, now=clock.utcnow):
        self.store = store
        self.tsa_url = tsa_url
        self.interval = interval
        self.now = now
        import asyncio  # here and in run(): `witness verify` imports this module and runs no event loop

        self.wake = asyncio.Event()
        self.loop = asyncio.get_running_loop()
        self.failed_at: datetime | None = None
        store.subscribe(self._on_event)

    def _on_event(self, event: dict) -> None:
        if event["type"] != ANCHOR_EVENT:
            self.loop.call_soon_threadsafe(self.wake.set)

    def tick(self) -> datetime | None:
        """Anchor when due; return when to look again (None: wait for the next event)."""
        due = next_anchor_due(self.store, self.interval)
        if due is not None and self.failed_at is not None:
            due = max(due, self.failed_at + self.interval)
        if due is None or due > self.now():
            return due
        try:
            anchor_head(self.store, self.tsa_url)
            self.failed_at = None
        except (TimestampError, OSError) as e:
            log.warning("chain anchor failed: %s", e)
            self.failed_at = self.now()
            return self.failed_at + self.interval
        return None

    async def run(self) -> None:
        import asyncio

        while True:
            self.wake.clear()
            try:
                next_at = await asyncio.to_thread(self.tick)
            except Exception:  # a bad row must not stop anchoring for good
                log.exception("chain anchor tick failed")
                next_at = self.now() + self.interval
            timeout = None if next_at is None else max(0.0, (next_at - self.now()).total_seconds()) + 0.01
            try:
                await asyncio.wait_for(self.wake.wait(), timeout=timeout)
            except asyncio.TimeoutError:
                pass


# -- verification ------------------------------------------------------------------------------------


def _records(store, events: list[dict]) -> tuple[dict, list[dict]]:
    """Anchor records by (seq, hash), from the events and the files; and problems reading the files."""
    found: dict = {}
    problems = []
    for e in events:
        d = e.get("data")
        if e["type"] == ANCHOR_EVENT and isinstance(d, dict) and isinstance(d.get("seq"), int):
            found.setdefault((d["seq"], d.get("hash")), {**d, "event_seq": e["seq"]})
    folder = anchors_dir(store)
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            d = json.loads(path.read_text("utf-8"))
            key = (int(d["seq"]), str(d["hash"]))
        except (OSError, ValueError, KeyError, TypeError) as e:
            problems.append(_p("anchor_invalid", f"anchor file {path.name} is unreadable: {e}", path=str(path)))
            continue
        found.setdefault(key, d)["file"] = path.name
    return found, problems


def check_anchors(store, events: list[dict], *, roots: list | None = None) -> dict:
    """Problems with the chain as the anchors recorded it, and the latest valid anchor.

    `events`: the parsed events in seq order. `roots`: certificates (the TSA's CA from tsa_ca, the pinned
    trusted_tsa_roots) to check each token's signature with; without any, only what the token covers is
    checked, and the report says so.
    """
    roots = list(roots or [])
    records, problems = _records(store, events)
    by_seq = {e["seq"]: e for e in events}
    last_seq = events[-1]["seq"] if events else 0
    latest = None
    notes: list[str] = []
    for (seq, hash_), rec in sorted(records.items(), key=lambda kv: kv[0][0]):
        where = {"seq": seq, "anchor": rec.get("file") or f"event {rec.get('event_seq')}"}
        try:
            token = base64.b64decode(rec["token"], validate=True)
            facts = token_facts(token)
        except (KeyError, TypeError, ValueError, TimestampError) as e:
            problems.append(_p("anchor_invalid", f"anchor of event {seq}: the token is unreadable: {e}", **where))
            continue
        if facts["imprint"] != hashlib.sha256(anchored_bytes(seq, hash_)).digest():
            problems.append(_p("anchor_invalid", f"anchor of event {seq}: the token was not made for this chain head "
                               "(the anchor record was edited)", **where))
            continue
        if roots:
            result = check_token(token, facts["imprint"], load_pem_certs(facts["certs_pem"]) + roots)
            if not result["ok"]:
                problems.append(_p("anchor_invalid", f"anchor of event {seq}: the token's signature does not verify: "
                                   f"{result['problems'][0]['message']}", **where))
                continue
        event = by_seq.get(seq)
        if event is None and seq > last_seq:
            problems.append(_p("chain_truncated", f"anchor of {facts['gen_time']} covers events 1-{seq}, but the chain "
                               f"now ends at event {last_seq}: events were removed", **where))
        elif event is None or event["hash"] != hash_:
            problems.append(_p("chain_rewritten", f"event {seq} is not the one anchored at {facts['gen_time']} by "
                               f"{facts['tsa']}: the chain up to event {seq} was rewritten", **where))
        else:
            if "file" not in rec:
                notes.append(f"anchor of event {seq} (event {rec.get('event_seq')}) has no file in anchors/")
            if rec.get("event_seq") is None:
                notes.append(f"anchor file {rec.get('file')} has no chain.anchored event (removed, or the helper "
                             "stopped between writing the two)")
            latest = {"seq": seq, "hash": hash_, "gen_time": facts["gen_time"], "tsa": facts["tsa"],
                      "signature_checked": bool(roots)}
    return {"problems": problems, "report": {"anchor": latest, "anchors": len(records), "anchor_notes": notes}}


def _p(code: str, message: str, **where) -> dict:
    return {"code": code, "message": message, **where}


def anchor_roots(config) -> list:
    """Certificates to check anchor tokens with: the configured TSA CA and the pinned roots."""
    certs = []
    for f in [getattr(config, "tsa_ca", None), *getattr(config, "trusted_tsa_roots", ())]:
        if f:
            try:
                certs += load_pem_certs(Path(f).read_bytes())
            except (OSError, TimestampError) as e:
                log.warning("cannot read TSA certificate %s: %s", f, e)
    return certs


def verify_store(store, config, *, progress=None) -> dict:
    """`witness verify` (and GET /api/verify): the store's own checks plus the chain anchors; a verify.run
    event is appended when everything is intact."""
    from ..store import verify_and_record

    roots = anchor_roots(config)
    return verify_and_record(store, checks=[lambda s, events: check_anchors(s, events, roots=roots)], progress=progress)
