"""Reading request bodies: JSON object with typed fields, or a clear 400."""

from __future__ import annotations

import json
import re

from aiohttp import web

from ..core.errors import BadRequest


MAX_ID = 2**63 - 1  # SQLite's INTEGER
ID = re.compile(r"[0-9]{1,19}")


def parse_json(raw: bytes | str):
    """JSON from a request or a socket message; BadRequest for anything malformed, nested too deep for the
    parser, or holding a number SQLite cannot store."""
    try:
        value = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError) as e:
        raise BadRequest(f"malformed JSON: {e}") from None
    except RecursionError:
        raise BadRequest("JSON nested too deeply") from None
    return value


def parse_id(text: str, name: str) -> int:
    """An id (path segment or form field): digits only (no other script's digits), within SQLite's range."""
    if not ID.fullmatch(text or "") or int(text) > MAX_ID:
        raise BadRequest(f"{name} must be a number from 0 to {MAX_ID}")
    return int(text)


async def read_json(request: web.Request, fields: dict[str, tuple], *, required: tuple = ()) -> dict:
    """Parse a JSON object; `fields` maps name → allowed types (type(None) for optional). Unknown keys → 400."""
    body = parse_json(await request.read())
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
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_ID:
            raise BadRequest(f"field {name} is out of range")
    return body


def int_param(request: web.Request, name: str) -> int:
    return parse_id(request.match_info[name], name)
