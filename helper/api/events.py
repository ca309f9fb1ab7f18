"""The event stream: WebSocket /api/events.

Handshake: the Origin is checked by the middleware before the upgrade. The first message must be
`{"type": "auth", "token": "...", "since": SEQ}` within 10 s; then the server answers `{"type": "ready", "head": SEQ}`,
replays every event after `since` (events missed while the browser or the helper was closed) and pushes new
ones as `{"type": "event", "event": {...}}`. Live pushing starts before the replay, so an event may arrive twice:
clients keep the highest `seq` seen and drop repeats.
"""

from __future__ import annotations

import asyncio
import json
import weakref

from aiohttp import WSMsgType, web

from . import keys
from .security import token_ok

AUTH_TIMEOUT_S = 10
CLOSE_UNAUTHORIZED = 4001


def public_event(e: dict) -> dict:
    return {k: e[k] for k in ("seq", "at", "type", "order_id", "capture_id", "data", "hash")}


class Hub:
    """Fans events out to authenticated sockets. `publish` may be called from any thread."""

    def __init__(self, loop: asyncio.AbstractEventLoop):
        self.loop = loop
        self.sockets: weakref.WeakSet = weakref.WeakSet()

    def publish_threadsafe(self, event: dict) -> None:
        if not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self.publish, event)

    def publish(self, event: dict) -> None:
        msg = {"type": "event", "event": public_event(event)} if "hash" in event else event
        for ws in list(self.sockets):
            if not ws.closed:
                asyncio.ensure_future(_send(ws, msg))


async def _send(ws: web.WebSocketResponse, msg: dict) -> None:
    try:
        await ws.send_json(msg, dumps=lambda o: json.dumps(o, ensure_ascii=False))
    except (ConnectionError, RuntimeError):
        pass


async def events_ws(request: web.Request) -> web.WebSocketResponse:
    ws = web.WebSocketResponse(heartbeat=30)
    await ws.prepare(request)
    try:
        msg = await ws.receive(timeout=AUTH_TIMEOUT_S)
    except asyncio.TimeoutError:
        await ws.close(code=CLOSE_UNAUTHORIZED, message=b"auth timeout")
        return ws
    first = None
    if msg.type == WSMsgType.TEXT:
        try:
            first = json.loads(msg.data)
        except (ValueError, RecursionError):  # malformed or nested too deep: refused like a wrong token
            first = None
    if not isinstance(first, dict) or first.get("type") != "auth" or not isinstance(first.get("token"), str) \
            or not token_ok(request.app, first["token"]):
        await ws.send_json({"type": "error", "error": {"code": "not_paired", "message": "first message must be auth with the right token"}})
        await ws.close(code=CLOSE_UNAUTHORIZED, message=b"unauthorized")
        return ws
    since = first.get("since") if isinstance(first.get("since"), int) else None
    store = request.app[keys.STORE]
    hub: Hub = request.app[keys.HUB]
    head = store.head()
    await ws.send_json({"type": "ready", "head": head["seq"] if head else 0})
    hub.sockets.add(ws)
    if since is not None:
        for e in store.events(since=since):
            await _send(ws, {"type": "event", "event": public_event(e)})
    async for msg in ws:
        if msg.type == WSMsgType.TEXT and msg.data == "ping":
            await ws.send_str("pong")
    hub.sockets.discard(ws)
    return ws
