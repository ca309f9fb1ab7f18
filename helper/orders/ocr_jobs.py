"""OCR in the helper: every stored screenshot is read in the background (never delaying the capture),
the text stored with the capture and made searchable, order pages cross-checked against the DOM's facts,
payment screenshots read for amount, time, transaction number and counterparty, chat screenshots (an imported
chat, a desktop capture that looks like a chat) read into messages (understanding.ocr_chat) kept like a page's.

A missing or crashing engine never loses evidence: the capture is stored, its OCR row says why it failed.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
import sqlite3
from pathlib import Path

import ocr

from helper.core import clock
from helper.core.errors import BadRequest, WitnessError
from helper.store import Store
from helper.understanding.ocr_chat import read_chat
from helper.understanding.ocr_lines import read_ocr
from helper.understanding.payment import payment_fields

from .tracking import record_chat

log = logging.getLogger("witness.ocr")

# Which image of a capture to read: the raw page (the stamp strip is our own text), else an imported original.
IMAGE_NAMES = ("page.png", "desktop.png")
IMAGE_TYPES = ("image/png", "image/jpeg", "image/webp")
RESCAN_S = 3.0
CHAT_KINDS = ("chat", "desktop")  # a desktop capture keeps messages only when its layout looks like a chat


def image_to_read(capture: dict) -> dict | None:
    arts = capture["artifacts"]
    for name in IMAGE_NAMES:
        for a in arts:
            if a["name"] == name:
                return a
    return next((a for a in arts if a["name"].startswith("original") and a["media_type"] in IMAGE_TYPES), None)


@functools.lru_cache(maxsize=8)
def _recognise(sha256: str, path: str, engine: str | None) -> ocr.OcrResult:
    """OCR of a stored screenshot, once per content: an automatic snapshot of a chat that has not changed
    stores the very same page.png again (same sha256), and reading it again gives the same lines. Only
    results are kept: an engine that failed is tried again next time."""
    return ocr.recognise(Path(path), engine=engine)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text or "")


def cross_check(order: dict | None, text: str) -> dict:
    """Do the DOM's order number and amount appear in what the screenshot shows?"""
    if not order:
        return {}
    flat = _squash(text)
    checks = {}
    if order.get("order_no"):
        checks["order_no_in_image"] = order["order_no"] in flat
    if order.get("amount"):
        amount = order["amount"]
        whole = amount[:-3] if amount.endswith(".00") else None
        checks["amount_in_image"] = amount in flat or bool(whole and re.search(rf"(?<!\d){re.escape(whole)}(?![\d.])", flat))
    return checks


def checks_for(store: Store, capture_id: int, text: str) -> dict:
    """What the screenshot's text says about its order, against the order the capture is linked to now."""
    capture = store.get_capture(capture_id)  # read after recognition: the link may have come meanwhile
    order = store.get_order(capture["order_id"]) if capture["order_id"] else None
    checks = cross_check(order, text) if capture["kind"] == "order" else {}
    if capture["kind"] == "payment":
        checks["payment"] = payment_fields(text, clock.parse_iso(capture["captured_at"]))
        if order and order.get("amount") and checks["payment"]["amount"]:
            checks["payment"]["amount_matches_order"] = checks["payment"]["amount"] == order["amount"]
    return checks


def read_capture(store: Store, capture_id: int, *, engine: str | None = None) -> dict:
    """OCR the capture's screenshot now and store the result (or the failure). Returns the OCR row."""
    capture = store.get_capture(capture_id)
    art = image_to_read(capture)
    if art is None:
        raise BadRequest(f"capture {capture_id} has no screenshot to read")
    now = clock.parse_iso(capture["captured_at"])
    try:
        read = _recognise(art["sha256"], art["path"], engine)
        result = read_ocr(read, now)
    except Exception as e:  # noqa: BLE001 - an engine that is missing or crashes must not lose the capture
        message = e.message if isinstance(e, (WitnessError, ocr.OcrError)) else f"{type(e).__name__}: {e}"
        log.warning("OCR failed for capture %s: %s", capture_id, message)
        return store.add_ocr(capture_id, art["name"], status="failed", error=message)
    checks = checks_for(store, capture_id, result["text"])
    try:
        row = store.add_ocr(capture_id, art["name"], status="done", engine=result["engine"], result=result, checks=checks)
    except sqlite3.IntegrityError:  # read meanwhile by another process (the helper's worker, a CLI command)
        return store.ocr_of(capture_id)[-1]
    _read_chat(store, capture_id, read, now)
    return row


def _read_chat(store: Store, capture_id: int, read, now) -> None:
    capture = store.get_capture(capture_id)
    if capture["kind"] not in CHAT_KINDS or capture.get("message_count"):
        return
    chat = read_chat(read.lines, width=read.width, height=read.height, now=now)
    if chat.messages and (capture["kind"] == "chat" or chat.looks_like_chat):
        record_chat(store, capture, chat.messages)


def recheck(store: Store, capture_id: int) -> None:
    """A capture read before it was linked to its order: cross-check it now (chained as `ocr.checked`)."""
    rows = store.ocr_of(capture_id)
    if not rows or rows[-1]["status"] != "done":
        return
    row = rows[-1]
    checks = checks_for(store, capture_id, row["text"] or "")
    if checks != row["checks"]:
        store.set_ocr_checks(capture_id, row["artifact"], checks)


def pending(store: Store) -> list[int]:
    """Captures with a screenshot and no OCR row yet (for resuming after a restart)."""
    rows = store.query(
        "SELECT c.id FROM captures c WHERE NOT EXISTS (SELECT 1 FROM ocr o WHERE o.capture_id = c.id) "
        "AND EXISTS (SELECT 1 FROM artifacts a WHERE a.capture_id = c.id AND a.media_type LIKE 'image/%') ORDER BY c.id"
    )
    return [r["id"] for r in rows]


class OcrWorker:
    """One capture at a time, in a thread, after the capture is stored."""

    def __init__(self, store: Store, *, engine: str | None = None):
        self.store = store
        self.engine = engine
        self.queue: asyncio.Queue[int] = asyncio.Queue()
        self.loop = asyncio.get_running_loop()
        self.idle = asyncio.Event()
        self.idle.set()
        for cid in pending(store):
            self.submit(cid)
        store.subscribe(self._on_event)

    def _on_event(self, event: dict) -> None:
        # A capture is read once stored, and cross-checked again when it is linked to an order.
        if event["type"] in ("capture.stored", "capture.linked"):
            self.loop.call_soon_threadsafe(self.submit, event["capture_id"])

    def submit(self, capture_id: int) -> None:
        self.idle.clear()
        self.queue.put_nowait(capture_id)

    async def run(self) -> None:
        while True:
            try:
                capture_id = await asyncio.wait_for(self.queue.get(), timeout=RESCAN_S)
            except asyncio.TimeoutError:
                # Captures stored by another process (e.g. `witness capture` while the helper runs).
                for cid in await asyncio.to_thread(pending, self.store):
                    self.submit(cid)
                continue
            try:
                if not self.store.ocr_of(capture_id):
                    await asyncio.to_thread(read_capture, self.store, capture_id, engine=self.engine)
                else:
                    await asyncio.to_thread(recheck, self.store, capture_id)
            except BadRequest:
                pass  # nothing to read (no screenshot)
            except Exception:
                log.exception("OCR job for capture %s failed", capture_id)
            finally:
                self.queue.task_done()
                if self.queue.empty():
                    self.idle.set()
