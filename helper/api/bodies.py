"""Reading request bodies: JSON object with typed fields, or a clear 400."""

from __future__ import annotations

import json

from aiohttp import web

from ..core.errors import BadRequest


async def read_json(request: web.Request, fields: dict[str, tuple], *, required: tuple = ()) -> dict:
    """Parse a JSON object; `fields` maps name → allowed types (type(None) for optional). Unknown keys → 400."""
    raw = await request.read()
    try:
        body = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError) as e:
        raise BadRequest(f"malformed JSON: {e}") from None
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object")
    unknown = set(body) - set(fields)
    if unknown:
        raise BadRequest(f"unknown fields: {', '.join(sorted(unknown))}")
    for name in required:
        if body.get(name) is None:
            raise BadRequest(f"missing field: {name}")
    for name, value in body.items():
        types = fields[name]
        if isinstance(value, bool) and bool not in types:
            raise BadRequest(f"field {name} has the wrong type")
        if not isinstance(value, types):
            raise BadRequest(f"field {name} has the wrong type")
    return body


def int_param(request: web.Request, name: str) -> int:
    value = request.match_info[name]
    if not value.isdigit():
        raise BadRequest(f"{name} must be a number")
    return int(value)
