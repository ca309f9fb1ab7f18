"""The buyer's-tab relay: the extension drives a capture of the buyer's own tab (PROTOCOL.md "Relay").

1. `POST /api/relay` (bearer token) `{kind, order_id, tab: {url, title}}` -> `{ticket, secret, expires_in, ws}`:
   a capture-scoped secret, usable once within 30 s.
2. `GET /api/relay/ws` (WebSocket). The Origin must be the paired extension's (a web page cannot open it; a
   missing Origin is refused too). First message `{"type": "hello", "token", "ticket", "secret"}`; then
   the helper waits for the running slot and sends `{"type": "attach"}`; the extension attaches
   chrome.debugger to that tab and answers `{"type": "attached"}` or `{"type": "attach_failed", "message"}`.
   CDP flows as `cdp` / `cdp_result` / `cdp_event` (capture/relay.py) until the helper sends
   `{"type": "done", "result": {capture, order, after_capture}}` or `{"type": "error", "error": {code, message}}`
   and closes; the extension detaches on `detach`, `done`, `error` or when the socket closes.
"""

from __future__ import annotations

import asyncio
import json
import logging

from aiohttp import WSMsgType, web

from ..capture.relay import RelayChannel, RelayTickets
from ..core.errors import CaptureError, WitnessError
from . import keys
from .bodies import read_json
from .captures import CAPTURER, capture_answer, tab_field
from .security import error_response, token_ok

log = logging.getLogger("witness.relay")

HELLO_TIMEOUT_S = 10
ATTACH_TIMEOUT_S = 15
MAX_MESSAGE_BYTES = 256 * 1024 * 1024  # screenshot tiles and MHTML come through here
CLOSE_UNAUTHORIZED = 4001
WS_PATH = "/api/relay/ws"


def tickets(app: web.Application) -> RelayTickets:
    return app[CAPTURER].relay_tickets


async def post_relay(request: web.Request) -> web.Response:
    body = await read_json(request, {"kind": (str,), "order_id": (int, type(None)), "tab": (dict,),
                                     "trigger": (str, type(None))}, required=("kind", "tab"))
    tab = tab_field(body["tab"])
    request.app[CAPTURER].admit(tab["url"], body.get("trigger") or "manual")  # automatic snapshots: rate and budget
    ticket = tickets(request.app).issue({"kind": body["kind"], "order_id": body.get("order_id"), "tab": tab})
    return web.json_response({"ticket": ticket.id, "secret": ticket.secret, "expires_in": 30, "ws": WS_PATH})


def _parse(msg) -> dict | None:
    if msg.type != WSMsgType.TEXT:
        return None
    try:
        data = json.loads(msg.data)
    except (ValueError, RecursionError):  # malformed or nested too deep
        return None
    return data if isinstance(data, dict) else None


async def _send(ws: web.WebSocketResponse, msg: dict) -> None:
    await ws.send_str(json.dumps(msg, ensure_ascii=False))


async def relay_ws(request: web.Request) -> web.WebSocketResponse | web.Response:
    if request.headers.get("Origin") != request.app[keys.CONFIG].allowed_origin:
        return error_response(403, "bad_origin", "only the paired order-witness extension may open the relay")
    ws = web.WebSocketResponse(heartbeat=20, max_msg_size=MAX_MESSAGE_BYTES)
    await ws.prepare(request)
    try:
        first = _parse(await ws.receive(timeout=HELLO_TIMEOUT_S))
    except asyncio.TimeoutError:
        first = None
    ticket = None
    if first and first.get("type") == "hello" and isinstance(first.get("token"), str) \
            and token_ok(request.app, first["token"]):
        ticket = tickets(request.app).redeem(first.get("ticket"), first.get("secret"))
    if ticket is None:
        await _send(ws, {"type": "error", "error": {"code": "not_paired",
                                                   "message": "first message must be hello with the token and a fresh ticket"}})
        await ws.close(code=CLOSE_UNAUTHORIZED, message=b"unauthorized")
        return ws
    await _serve(request, ws, ticket.request, first.get("browser"))
    return ws


async def _serve(request: web.Request, ws: web.WebSocketResponse, req: dict, browser) -> None:
    channel = RelayChannel(lambda m: _send(ws, m))
    control: asyncio.Queue = asyncio.Queue()

    async def read() -> None:
        async for msg in ws:
            data = _parse(msg)
            if data is None:
                continue
            if data.get("type") in ("attached", "attach_failed", "detached"):
                if data["type"] == "detached":
                    channel.gone(f"the debugger was detached ({str(data.get('reason'))[:100]})")
                control.put_nowait(data)
            else:
                channel.feed(data)
        channel.gone("the extension closed the relay")
        control.put_nowait({"type": "closed"})

    async def ready() -> None:
        await _send(ws, {"type": "attach"})
        try:
            answer = await asyncio.wait_for(control.get(), ATTACH_TIMEOUT_S)
        except asyncio.TimeoutError:
            answer = {"type": "attach_failed", "message": "no answer"}
        if answer.get("type") != "attached":
            raise CaptureError(
                "无法连接到这个标签页（调试器未能附加）。如果这个标签页打开了开发者工具或其他调试扩展，请先关闭它们再试；"
                "也可以用取证浏览器（witness start）保存。 / could not attach to the tab: "
                f"{str(answer.get('message') or answer.get('type'))[:200]}", code="attach_failed")

    reader = asyncio.ensure_future(read())
    try:
        result = await request.app[CAPTURER].capture_buyer_tab(
            channel, kind=req["kind"], tab=req["tab"], order_id=req.get("order_id"), ready=ready,
            browser=_browser_info(browser))
        await _send(ws, {"type": "done", "result": capture_answer(request.app, result)})
    except WitnessError as e:
        error = {"code": e.code, "message": e.message}
        if hasattr(e, "retry_after"):
            error["retry_after"] = e.retry_after
        await _quiet_send(ws, {"type": "error", "error": error})
    except Exception:  # noqa: BLE001 - reported to the extension, logged here
        log.exception("buyer-tab capture failed")
        await _quiet_send(ws, {"type": "error", "error": {"code": "internal", "message": "internal error; see the helper's log"}})
    finally:
        await ws.close()
        reader.cancel()


async def _quiet_send(ws, msg: dict) -> None:
    try:
        await _send(ws, msg)
    except (ConnectionError, RuntimeError):
        pass


def _browser_info(value) -> dict:
    """What the extension says of its browser (user agent brand and version), as plain short strings."""
    if not isinstance(value, dict):
        return {}
    out = {}
    for k in ("name", "version", "platform"):
        if isinstance(value.get(k), str):
            out[k] = value[k][:100]
    return out
