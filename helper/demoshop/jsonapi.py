"""JSON responses and errors for the /demo/ hooks: `{"error": {"code", "message"}}`."""

from __future__ import annotations

import json

from aiohttp import web


def dumps(obj) -> str:
    return json.dumps(obj, ensure_ascii=False)


def json_response(obj, *, status: int = 200, headers=None) -> web.Response:
    return web.json_response(obj, status=status, dumps=dumps, headers=headers)


def json_error(status: int, code: str, message: str) -> web.HTTPException:
    cls = {400: web.HTTPBadRequest, 404: web.HTTPNotFound}[status]
    return cls(text=dumps({"error": {"code": code, "message": message}}), content_type="application/json")


async def read_object(request: web.Request) -> dict:
    try:
        data = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise json_error(400, "bad_json", "请求体必须是 JSON / body must be JSON")
    if not isinstance(data, dict):
        raise json_error(400, "bad_request", "请求体必须是 JSON 对象 / body must be a JSON object")
    return data
