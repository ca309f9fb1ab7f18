"""Route handlers: validate, call the core, shape the answer. No logic of their own."""

from __future__ import annotations

import asyncio

from aiohttp import web

from .. import __version__
from urllib.parse import urlsplit

from datetime import timedelta

from .. import clock
from ..errors import BadRequest, NotFound
from ..escalation import actions_of, order_status, record_action
from ..orders import analyse
from ..understanding import shop_host
from ..store.store import ORDER_FIELDS
from . import keys
from .bodies import int_param, read_json


async def health(request: web.Request) -> web.Response:
    # Nothing private: no paths, counts or order data.
    return web.json_response({"status": "ok", "app": "order-witness", "version": __version__})


def _window(request: web.Request) -> timedelta:
    return timedelta(days=request.app[keys.CONFIG].platform_window_days)


async def list_orders(request: web.Request) -> web.Response:
    store = request.app[keys.STORE]
    now = clock.utcnow()
    orders = [order_status(store, o, now, platform_window=_window(request)) for o in store.list_orders()]
    return web.json_response({"orders": orders})


async def track_order(request: web.Request) -> web.Response:
    """Track an order by hand (shop URL + order number + whatever facts the buyer knows)."""
    fields = {"url": (str,), "order_no": (str,), **{k: (str, type(None)) for k in ORDER_FIELDS if k != "url"}}
    fields["promise_seconds"] = (int, type(None))
    body = await read_json(request, fields, required=("url", "order_no"))
    host = shop_host(body["url"])
    if urlsplit(body["url"]).scheme not in ("http", "https") or not host:
        raise BadRequest("url must be an http(s) address of the shop")
    order_no = body.pop("order_no").strip()
    store = request.app[keys.STORE]
    order, changes = await asyncio.to_thread(store.upsert_order, host, order_no, body)
    return web.json_response({"order": order, "changes": changes}, status=200)


async def get_order(request: web.Request) -> web.Response:
    store = request.app[keys.STORE]
    order_id = int_param(request, "id")
    order = order_status(store, store.get_order(order_id), clock.utcnow(), platform_window=_window(request))
    captures = store.list_captures(order_id=order_id)
    for c in captures:
        for a in c["artifacts"]:
            a.pop("path", None)
    events = [
        {k: e[k] for k in ("seq", "at", "type", "capture_id", "data", "hash")} for e in store.events(order_id=order_id)
    ]
    return web.json_response({"order": order, "actions": actions_of(store, order_id), "captures": captures, "events": events})


async def add_action(request: web.Request) -> web.Response:
    order_id = int_param(request, "id")
    body = await read_json(request, {"action": (str,), "note": (str, type(None)), "reference": (str, type(None)),
                                      "at": (str, type(None))}, required=("action",))
    at = None
    if body.get("at"):
        try:
            at = clock.parse_iso(body["at"])
        except ValueError as e:
            raise BadRequest(f"at: {e}") from None
    store = request.app[keys.STORE]
    event = await asyncio.to_thread(record_action, store, order_id, body["action"], note=body.get("note"),
                                    reference=body.get("reference"), at=at)
    order = order_status(store, store.get_order(order_id), clock.utcnow(), platform_window=_window(request))
    return web.json_response({"event": {k: event[k] for k in ("seq", "at", "type", "data", "hash")}, "order": order})


async def notified(request: web.Request) -> web.Response:
    """The extension showed a warning: record it in the chain."""
    body = await read_json(request, {"event_seq": (int,), "channel": (str,)}, required=("event_seq", "channel"))
    if body["channel"] not in ("system", "badge", "banner"):
        raise BadRequest("channel must be system, badge or banner")
    store = request.app[keys.STORE]
    shown = store.events(since=body["event_seq"] - 1, limit=1)
    if not shown or shown[0]["seq"] != body["event_seq"]:
        raise NotFound(f"event {body['event_seq']} not found")
    event = store.append_event("notification.sent", {"event_seq": body["event_seq"], "channel": body["channel"],
                                                     "about": shown[0]["type"]}, order_id=shown[0]["order_id"])
    return web.json_response({"event": {k: event[k] for k in ("seq", "at", "type", "data", "hash")}})


async def get_capture(request: web.Request) -> web.Response:
    cap = request.app[keys.STORE].get_capture(int_param(request, "id"))
    for a in cap["artifacts"]:
        a.pop("path", None)
    return web.json_response({"capture": cap})


async def get_capture_file(request: web.Request) -> web.StreamResponse:
    store = request.app[keys.STORE]
    cap = store.get_capture(int_param(request, "id"))
    name = request.match_info["name"]
    art = next((a for a in cap["artifacts"] if a["name"] == name), None)
    if art is None:
        raise NotFound(f"capture {cap['id']} has no file {name!r}")
    return web.FileResponse(
        art["path"],
        headers={
            "Content-Type": art["media_type"],
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox",
            "X-SHA256": art["sha256"],
        },
    )


async def get_capture_ocr(request: web.Request) -> web.Response:
    store = request.app[keys.STORE]
    capture_id = int_param(request, "id")
    store.get_capture(capture_id)
    rows = store.ocr_of(capture_id)
    return web.json_response({"capture_id": capture_id, "status": rows[-1]["status"] if rows else "pending", "ocr": rows})


async def search(request: web.Request) -> web.Response:
    q = request.query.get("q", "")
    if not q.strip():
        raise BadRequest("q is required")
    if len(q) > 200:
        raise BadRequest("q is too long")
    return web.json_response({"q": q, "results": request.app[keys.STORE].search(q)})


async def import_image(request: web.Request) -> web.Response:
    """multipart/form-data: file, kind (default payment), order_id, note."""
    from ..importer import import_image as do_import

    if not request.content_type.startswith("multipart/"):
        raise BadRequest("send multipart/form-data with a file field")
    fields: dict = {}
    data, name = None, None
    async for part in await request.multipart():
        if part.name == "file":
            name = part.filename or "image"
            data = await part.read(decode=False)
        elif part.name in ("kind", "order_id", "note"):
            fields[part.name] = (await part.text())[:1000]
        else:
            raise BadRequest(f"unknown field {part.name!r}")
    if data is None:
        raise BadRequest("missing file field")
    order_id = None
    if fields.get("order_id"):
        if not fields["order_id"].isdigit():
            raise BadRequest("order_id must be a number")
        order_id = int(fields["order_id"])
    store = request.app[keys.STORE]
    cap = await asyncio.to_thread(do_import, store, data, name, kind=fields.get("kind") or "payment",
                                  order_id=order_id, note=fields.get("note"))
    for a in cap["artifacts"]:
        a.pop("path", None)
    return web.json_response({"capture": cap, "ocr": "pending"})


async def analyze(request: web.Request) -> web.Response:
    """What is this page? Order facts, promise, deadline, messages, shop; and the tracked order if any."""
    body = await read_json(request, {"url": (str,), "html": (str,)}, required=("url", "html"))
    result = await asyncio.to_thread(analyse, body["html"], body["url"], clock.utcnow())
    store = request.app[keys.STORE]
    tracked = None
    host = shop_host(body["url"])
    if host and result["order"]["order_id"]:
        found = store.find_order(host, result["order"]["order_id"])
        if found:
            tracked = order_status(store, found, clock.utcnow(), platform_window=_window(request))
    result["tracked_order"] = tracked
    return web.json_response(result)


async def run_verify(request: web.Request) -> web.Response:
    from ..package.anchor import verify_store

    report = await asyncio.to_thread(verify_store, request.app[keys.STORE], request.app[keys.CONFIG])
    return web.json_response(report)
