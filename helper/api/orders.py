"""Orders: list, track by hand, one order with its captures and events, the buyer's actions, and the
warnings the extension showed."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from urllib.parse import urlsplit

from aiohttp import web

from helper.core.clock import parse_iso
from helper.core.errors import BadRequest, NotFound
from helper.escalation import actions_of, order_status, record_action, withdraw_action
from helper.package.case import case_for_store
from helper.store.store import ORDER_FIELDS
from helper.understanding import shop_host

from . import keys
from .bodies import int_param, read_json


def order_view(app: web.Application, order: dict) -> dict:
    """An order with its deadline, overdue time and place on the escalation path, as of the app's now."""
    window = timedelta(days=app[keys.CONFIG].platform_window_days)
    return order_status(app[keys.STORE], order, app[keys.NOW](), platform_window=window)


async def list_orders(request: web.Request) -> web.Response:
    store = request.app[keys.STORE]
    orders = [order_view(request.app, o) for o in store.list_orders()]
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
    order = order_view(request.app, store.get_order(order_id))
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
            at = parse_iso(body["at"])
        except ValueError as e:
            raise BadRequest(f"at: {e}") from None
    store = request.app[keys.STORE]
    event = await asyncio.to_thread(record_action, store, order_id, body["action"], note=body.get("note"),
                                    reference=body.get("reference"), at=at, now=request.app[keys.NOW]())
    order = order_view(request.app, store.get_order(order_id))
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
    event = await asyncio.to_thread(
        store.append_event, "notification.sent",
        {"event_seq": body["event_seq"], "channel": body["channel"], "about": shown[0]["type"]},
        order_id=shown[0]["order_id"])
    return web.json_response({"event": {k: event[k] for k in ("seq", "at", "type", "data", "hash")}})



async def get_case(request: web.Request) -> web.Response:
    """The case page's one answer: facts with sources, path, captures, timeline, actions (package/case.py)."""
    window = timedelta(days=request.app[keys.CONFIG].platform_window_days)
    case = await asyncio.to_thread(case_for_store, request.app[keys.STORE], int_param(request, "id"),
                                   request.app[keys.NOW](), platform_window=window)
    return web.json_response(case)


async def withdraw(request: web.Request) -> web.Response:
    """Withdraw a mistaken action: a new `action.withdrawn` event; the action stays in the chain."""
    order_id = int_param(request, "id")
    seq = int_param(request, "seq")
    body = await read_json(request, {"note": (str, type(None))})
    store = request.app[keys.STORE]
    event = await asyncio.to_thread(withdraw_action, store, order_id, seq, note=body.get("note"))
    order = order_view(request.app, store.get_order(order_id))
    return web.json_response({"event": {k: event[k] for k in ("seq", "at", "type", "data", "hash")}, "order": order})
