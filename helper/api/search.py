"""Full-text search over OCR text and page text."""

from __future__ import annotations

from aiohttp import web

from helper.core.errors import BadRequest

from . import keys


async def search(request: web.Request) -> web.Response:
    q = request.query.get("q", "")
    if not q.strip():
        raise BadRequest("q is required")
    if len(q) > 200:
        raise BadRequest("q is too long")
    return web.json_response({"q": q, "results": request.app[keys.STORE].search(q)})

