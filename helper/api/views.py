"""Route handlers: validate, call the core, shape the answer. No logic of their own."""

from __future__ import annotations

import asyncio

from aiohttp import web

from .. import __version__
from urllib.parse import urlsplit

from ..errors import BadRequest, NotFound
from ..store import verify_and_record
from ..store.store import ORDER_FIELDS
from . import keys
from .bodies import int_param, read_json


async def health(request: web.Request) -> web.Response:
    # Nothing private: no paths, counts or order data.
    return web.json_response({"status": "ok", "app": "order-witness", "version": __version__})


async def list_orders(request: web.Request) -> web.Response:
    return web.json_response({"orders": request.app[keys.STORE].list_orders()})


async def track_order(request: web.Request) -> web.Response:
    """Track an order by hand (shop URL + order number + whatever facts the buyer knows)."""
    fields = {"url": (str,), "order_no": (str,), **{k: (str, type(None)) for k in ORDER_FIELDS if k != "url"}}
    fields["promise_seconds"] = (int, type(None))
    body = await read_json(request, fields, required=("url", "order_no"))
    host = urlsplit(body["url"]).hostname
    if urlsplit(body["url"]).scheme not in ("http", "https") or not host:
        raise BadRequest("url must be an http(s) address of the shop")
    order_no = body.pop("order_no").strip()
    store = request.app[keys.STORE]
    order, changes = await asyncio.to_thread(store.upsert_order, host.lower(), order_no, body)
    return web.json_response({"order": order, "changes": changes}, status=200)


async def get_order(request: web.Request) -> web.Response:
    store = request.app[keys.STORE]
    order_id = int_param(request, "id")
    order = store.get_order(order_id)
    captures = store.list_captures(order_id=order_id)
    for c in captures:
        for a in c["artifacts"]:
            a.pop("path", None)
    events = [
        {k: e[k] for k in ("seq", "at", "type", "capture_id", "data", "hash")} for e in store.events(order_id=order_id)
    ]
    return web.json_response({"order": order, "captures": captures, "events": events})


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


async def run_verify(request: web.Request) -> web.Response:
    report = await asyncio.to_thread(verify_and_record, request.app[keys.STORE])
    return web.json_response(report)
