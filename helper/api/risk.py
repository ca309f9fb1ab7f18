"""Before paying (issue 16): the risk check of a product or checkout page, with the buyer's own history with the
shop from the store, and snapshots of the offer as sold."""

from __future__ import annotations

import asyncio

from aiohttp import web

from helper.capture import snapshots
from helper.orders.offers import buyer_history, keep_offer
from helper.orders.tracking import SHOP_KINDS
from helper.store import Store
from helper.understanding.risk import assess

from . import keys
from .bodies import read_json


def _risk(store: Store, html: str, url: str, now) -> dict:
    risk = assess(html, url, now=now, history=buyer_history(store))
    # the extension's default watch rule (as POST /api/analyze's is_shop), without reading the page twice
    return {"risk": risk, "is_shop": risk["applies"] or risk["page_kind"] in SHOP_KINDS}


async def page_risk(request: web.Request) -> web.Response:
    body = await read_json(request, {"url": (str,), "html": (str,)}, required=("url", "html"))
    answer = await asyncio.to_thread(_risk, request.app[keys.STORE], body["html"], body["url"], request.app[keys.NOW]())
    return web.json_response(answer)


async def keep_offer_snapshot(request: web.Request) -> web.Response:
    body = await read_json(request, {"url": (str,), "html": (str,), "title": (str, type(None)), "reason": (str,)},
                           required=("url", "html", "reason"))
    # an automatic snapshot like the chat watcher's: within one capture's size and the evidence disk budget
    config, store = request.app[keys.CONFIG], request.app[keys.STORE]
    snapshots.check_size({"dom.html": body["html"].encode("utf-8")}, config.max_capture_mb)
    snapshots.check_budget(await asyncio.to_thread(store.evidence_bytes), config.disk_budget_mb)
    answer = await asyncio.to_thread(keep_offer, store, html=body["html"], url=body["url"],
                                     title=body.get("title"), reason=body["reason"], now=request.app[keys.NOW]())
    return web.json_response(answer)
