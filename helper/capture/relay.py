"""CDP to the buyer's own tab through the extension (the relay), as a capture channel.

The extension attaches `chrome.debugger` to the one tab the buyer asked to capture and forwards CDP over
the helper's WebSocket route `/api/relay/ws` (helper/api/relay.py, PROTOCOL.md "Relay"). This module knows no
HTTP: `RelayChannel` is given a coroutine that sends one JSON message and is fed every message received.

Messages (helper → extension): `{"type": "cdp", "id": N, "method": M, "params": {...}}`; (extension → helper):
`{"type": "cdp_result", "id": N, "result": {...}}` or `{"type": "cdp_result", "id": N, "error": "..."}`, and
`{"type": "cdp_event", "method": M, "params": {...}}`. `RelayTickets` holds the capture-scoped secrets.
"""

from __future__ import annotations

import asyncio
import hmac
import itertools
import secrets
import time
from dataclasses import dataclass, field

from ..core.errors import BadRequest, CaptureError
from .cdp import CdpError

TICKET_TTL_S = 30.0
COMMAND_TIMEOUT_S = 45.0  # one CDP command through the relay (a screenshot tile of a long page included)
MAX_TICKETS = 4
# Only what the engine needs crosses the relay: the extension refuses anything else as well.
ALLOWED_METHODS = frozenset({
    "Page.getFrameTree", "Page.createIsolatedWorld", "Page.getLayoutMetrics", "Page.captureScreenshot",
    "Page.captureSnapshot", "Runtime.evaluate", "Network.enable", "Network.disable", "DOM.getDocument",
    "DOM.querySelectorAll", "DOM.describeNode", "DOM.pushNodesByBackendIdsToFrontend", "DOM.setAttributeValue",
    "DOM.removeAttribute", "DOM.disable", "Target.getTargetInfo",
})


class RelayGone(CaptureError):
    code = "relay_closed"


class RelayChannel:
    """A CDP channel over the relay WebSocket."""

    def __init__(self, send_json):
        self._send_json = send_json
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future] = {}
        self._handlers: dict[str, list] = {}
        self.closed: str | None = None

    async def send(self, method: str, params: dict | None = None) -> dict:
        if method not in ALLOWED_METHODS:
            raise CdpError(f"{method} is not relayed")
        if self.closed:
            raise RelayGone(f"浏览器扩展的连接已断开 / the extension's relay closed: {self.closed}")
        n = next(self._ids)
        fut = asyncio.get_running_loop().create_future()
        self._pending[n] = fut
        try:
            await self._send_json({"type": "cdp", "id": n, "method": method, "params": params or {}})
            try:
                return await asyncio.wait_for(fut, COMMAND_TIMEOUT_S)
            except asyncio.TimeoutError:
                raise CdpError(f"{method}: no answer from the tab within {COMMAND_TIMEOUT_S:g} s") from None
        finally:
            self._pending.pop(n, None)

    def on(self, event: str, handler) -> None:
        self._handlers.setdefault(event, []).append(handler)

    def off(self, event: str, handler) -> None:
        if handler in self._handlers.get(event, []):
            self._handlers[event].remove(handler)

    def feed(self, msg: dict) -> None:
        """One message from the extension."""
        kind = msg.get("type")
        if kind == "cdp_result" and isinstance(msg.get("id"), int):
            fut = self._pending.get(msg["id"])
            if fut is None or fut.done():
                return
            if msg.get("error") is not None:
                fut.set_exception(CdpError(f"{str(msg['error'])[:300]}"))
            else:
                fut.set_result(msg.get("result") if isinstance(msg.get("result"), dict) else {})
        elif kind == "cdp_event" and isinstance(msg.get("method"), str):
            for handler in list(self._handlers.get(msg["method"], [])):
                handler(msg.get("params") if isinstance(msg.get("params"), dict) else {})

    def gone(self, reason: str) -> None:
        """The socket closed or the debugger detached: every waiting command fails now."""
        if self.closed:
            return
        self.closed = reason
        for fut in self._pending.values():
            if not fut.done():
                fut.set_exception(RelayGone(f"浏览器扩展的连接已断开 / the extension's relay closed: {reason}"))

    async def close(self) -> None:
        if not self.closed:
            try:
                await self._send_json({"type": "detach"})
            except Exception:  # noqa: BLE001 - the socket is gone already
                pass
            self.gone("capture finished")


@dataclass
class Ticket:
    id: str
    secret: str
    request: dict
    expires: float
    used: bool = False
    channel: RelayChannel | None = field(default=None)


class RelayTickets:
    """Capture-scoped secrets: the extension asks for a ticket over HTTP (token), then opens the relay
    socket with it; a ticket works once, within TICKET_TTL_S."""

    def __init__(self, *, clock=time.monotonic):
        self.clock = clock
        self._tickets: dict[str, Ticket] = {}

    def issue(self, request: dict) -> Ticket:
        now = self.clock()
        self._tickets = {k: t for k, t in self._tickets.items() if t.expires > now and not t.used}
        if len(self._tickets) >= MAX_TICKETS:
            raise BadRequest("太多未完成的取证请求 / too many pending buyer-tab captures", code="too_many_relays")
        ticket = Ticket(id=secrets.token_urlsafe(12), secret=secrets.token_urlsafe(32), request=request,
                        expires=now + TICKET_TTL_S)
        self._tickets[ticket.id] = ticket
        return ticket

    def redeem(self, ticket_id, secret) -> Ticket | None:
        """The ticket if id and secret match, unused and unexpired; it is then used up."""
        if not isinstance(ticket_id, str) or not isinstance(secret, str):
            return None
        ticket = self._tickets.get(ticket_id)
        if ticket is None or ticket.used or ticket.expires <= self.clock():
            return None
        if not hmac.compare_digest(ticket.secret.encode(), secret.encode()):
            return None
        ticket.used = True
        del self._tickets[ticket_id]
        return ticket
