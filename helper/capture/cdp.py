"""The capture engine's one way to talk to a page: Chrome DevTools Protocol through a small channel.

A channel has `send(method, params) -> result`, `on(event, handler)`, `off(event, handler)` and `close()`.
Two kinds exist: `PlaywrightChannel` (a Playwright CDPSession: the evidence browser's tab, a clean re-fetch of
a URL) and `relay.RelayChannel` (the buyer's own tab, through the extension's chrome.debugger relay).

`World` runs the engine's JavaScript in an isolated world of the page's main frame (Page.createIsolatedWorld):
the page's scripts see none of its globals, and page-defined prototypes or getters (a lying
`devicePixelRatio`, a patched `getBoundingClientRect`) do not reach it.
"""

from __future__ import annotations

import asyncio
import json

from ..core.errors import CaptureError

WORLD_NAME = "order-witness-capture"


class CdpError(CaptureError):
    code = "cdp_error"


async def quietly(coro, bound: float = 5.0):
    """A clean-up step that must not hold the capture: bounded, errors dropped."""
    try:
        return await asyncio.wait_for(coro, bound)
    except Exception:  # noqa: BLE001 - the page may be gone or hung; the capture's bound covers the rest
        return None


_let_go: set[asyncio.Task] = set()


def let_go(coro, bound: float = 5.0) -> None:
    """A clean-up step a hung page would never answer: sent, not waited for (bounded, errors dropped)."""
    task = asyncio.ensure_future(quietly(coro, bound))
    _let_go.add(task)  # a reference, so the task is not collected before it ends
    task.add_done_callback(_let_go.discard)


async def clean_up(coro, *, hung: bool, bound: float = 5.0):
    """A clean-up step: `quietly` awaited, or, on a page found hung (it would never answer), `let_go`."""
    if hung:
        let_go(coro, bound)
        return None
    return await quietly(coro, bound)


class PlaywrightChannel:
    """A Playwright CDPSession as a channel."""

    def __init__(self, session):
        self.session = session

    async def send(self, method: str, params: dict | None = None) -> dict:
        try:
            return await self.session.send(method, params or {})
        except Exception as e:  # Playwright's Error: the target closed, the command failed
            raise CdpError(f"{method}: {str(e).splitlines()[0][:300]}") from e

    def on(self, event: str, handler) -> None:
        self.session.on(event, handler)

    def off(self, event: str, handler) -> None:
        try:
            self.session.remove_listener(event, handler)
        except Exception:  # noqa: BLE001 - never registered
            pass

    async def close(self) -> None:
        await self.session.detach()


def _short(details: dict) -> str:
    exc = details.get("exception") or {}
    return str(exc.get("description") or details.get("text") or "error").splitlines()[0][:300]


class World:
    """An isolated world in the main frame; `call(js_function_source, arg)` returns the function's value."""

    def __init__(self, cdp, context_id: int, frame_id: str):
        self.cdp = cdp
        self.context_id = context_id
        self.frame_id = frame_id

    @classmethod
    async def create(cls, cdp) -> "World":
        tree = await cdp.send("Page.getFrameTree")
        frame_id = tree["frameTree"]["frame"]["id"]
        made = await cdp.send("Page.createIsolatedWorld", {"frameId": frame_id, "worldName": WORLD_NAME,
                                                             "grantUniveralAccess": False})
        return cls(cdp, made["executionContextId"], frame_id)

    async def call(self, function: str, arg=None, *, timeout: float | None = None):
        expression = f"({function})({json.dumps(arg)})"
        params = {"expression": expression, "contextId": self.context_id, "returnByValue": True,
                  "awaitPromise": True, "userGesture": False}
        send = self.cdp.send("Runtime.evaluate", params)
        reply = await (asyncio.wait_for(send, timeout) if timeout else send)
        if "exceptionDetails" in reply:
            raise CdpError(f"page script failed: {_short(reply['exceptionDetails'])}")
        return reply.get("result", {}).get("value")
