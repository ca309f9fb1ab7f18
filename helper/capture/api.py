"""The capture route and the service's place in the app (`capture_ctx` in app.CONTEXTS)."""

from __future__ import annotations

from datetime import timedelta

from aiohttp import web

from .. import clock
from ..api import keys
from ..api.bodies import read_json
from ..errors import BadRequest
from ..escalation import order_status
from .service import CaptureService

CAPTURER = web.AppKey("capturer", CaptureService)


async def capture_ctx(app: web.Application):
    service = CaptureService(app[keys.CONFIG], app[keys.STORE])
    app[CAPTURER] = service
    yield
    await service.close()


def _tab(value) -> dict | None:
    if value is None:
        return None
    if not isinstance(value.get("url"), str) or not isinstance(value.get("title", ""), (str, type(None))):
        raise BadRequest("tab needs {url: string, title: string}")
    extra = set(value) - {"url", "title"}
    if extra:
        raise BadRequest(f"unknown tab fields: {', '.join(sorted(extra))}")
    return {"url": value["url"], "title": value.get("title")}


async def post_capture(request: web.Request) -> web.Response:
    body = await read_json(
        request,
        {"url": (str, type(None)), "kind": (str,), "order_id": (int, type(None)), "tab": (dict, type(None))},
        required=("kind",),
    )
    tab = _tab(body.get("tab"))
    if not body.get("url") and tab is None:
        raise BadRequest("需要 url 或 tab / url or tab is required")
    result = await request.app[CAPTURER].capture(
        kind=body["kind"], url=body.get("url"), tab=tab, order_id=body.get("order_id"),
    )
    cap = result["capture"]
    for a in cap["artifacts"]:
        a.pop("path", None)
    order = None
    if cap["order_id"] is not None:  # the order this capture belongs to, with its deadline and next step
        store = request.app[keys.STORE]
        order = order_status(store, store.get_order(cap["order_id"]), clock.utcnow(),
                             platform_window=timedelta(days=request.app[keys.CONFIG].platform_window_days))
    return web.json_response({"capture": cap, "order": order, "after_capture": result["after_capture"]})
