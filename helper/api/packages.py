"""HTTP handlers for drafts and export (routes in helper/api/routes.py, documented in PROTOCOL.md)."""

from __future__ import annotations

import asyncio
import re

from aiohttp import web

from helper.core import clock
from helper.core.errors import BadRequest
from helper.package.drafts import CHANNELS, CLAIMS, drafts_for_store
from helper.package.export import export_order

from . import keys
from .bodies import int_param, read_json

SAFE_NAME = re.compile(r"[\w\u4e00-\u9fff.-]{1,120}\.zip")


async def get_draft(request: web.Request) -> web.Response:
    store = request.app[keys.STORE]
    order_id = int_param(request, "id")
    channel = request.match_info["channel"]
    claim = request.query.get("claim", "refund")
    if channel not in CHANNELS:
        raise BadRequest(f"unknown channel {channel!r}; one of {', '.join(CHANNELS)}")
    if claim not in CLAIMS:
        raise BadRequest(f"unknown claim {claim!r}; one of {', '.join(CLAIMS)}")
    drafts = await asyncio.to_thread(drafts_for_store, store, order_id, claim=claim, now=request.app[keys.NOW](), channels=[channel])
    return web.json_response(drafts[channel].to_json())


async def export(request: web.Request) -> web.Response:
    """Export into <data-dir>/exports/ (the extension names the file, never a path)."""
    body = await read_json(request, {"name": (str, type(None)), "redact": (bool, type(None)), "claim": (str, type(None))})
    store = request.app[keys.STORE]
    config = request.app[keys.CONFIG]
    order_id = int_param(request, "id")
    order = store.get_order(order_id)
    now = request.app[keys.NOW]()
    name = body.get("name") or f"{order['order_no']}-{now.astimezone(clock.CHINA).strftime('%Y%m%dT%H%M%S')}.zip"
    if not SAFE_NAME.fullmatch(name):  # exact: `match` and `$` let "evil.zip\n" through
        raise BadRequest("name must be a plain file name ending in .zip")
    claim = body.get("claim") or "refund"
    if claim not in CLAIMS:
        raise BadRequest(f"unknown claim {claim!r}; one of {', '.join(CLAIMS)}")
    folder = config.data_dir / "exports"
    folder.mkdir(exist_ok=True)
    summary = await asyncio.to_thread(export_order, store, order_id, folder / name, config, now=now,
                                      redact=bool(body.get("redact")), claim=claim)
    return web.json_response(summary)
