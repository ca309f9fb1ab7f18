"""Health (the one route answered without the token) and verification of the whole store."""

from __future__ import annotations

import asyncio

from aiohttp import web

from helper import __version__
from helper.package.anchor import verify_store

from . import keys


async def health(request: web.Request) -> web.Response:
    # Nothing private: no paths, counts or order data.
    return web.json_response({"status": "ok", "app": "order-witness", "version": __version__})


async def run_verify(request: web.Request) -> web.Response:
    report = await asyncio.to_thread(verify_store, request.app[keys.STORE], request.app[keys.CONFIG])
    return web.json_response(report)

