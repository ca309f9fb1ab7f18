"""What is this page? The extension asks before it shows its button or watches a chat."""

from __future__ import annotations

import asyncio

from aiohttp import web

from helper.orders.tracking import analyse, page_order
from helper.understanding import shop_host

from . import keys
from .bodies import read_json
from .orders import order_view


async def analyze(request: web.Request) -> web.Response:
    """What is this page? Order facts, promise, deadline, messages, shop; and the tracked order if any."""
    body = await read_json(request, {"url": (str,), "html": (str,)}, required=("url", "html"))
    result = await asyncio.to_thread(analyse, body["html"], body["url"], request.app[keys.NOW]())
    store = request.app[keys.STORE]
    tracked = None
    host = shop_host(body["url"])
    found = page_order(store, host, result, body["html"]) if host else None
    if found:
        tracked = order_view(request.app, found)
    result["tracked_order"] = tracked
    return web.json_response(result)

