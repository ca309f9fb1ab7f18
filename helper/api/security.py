"""Middlewares: JSON errors, Host check (DNS rebinding), Origin check, bearer token.

Order (outermost first): errors → host → origin → auth. Nothing here ever adds CORS headers.
"""

from __future__ import annotations

import hmac
import logging

from aiohttp import web

from ..core.errors import WitnessError
from . import keys

log = logging.getLogger("witness.api")

PUBLIC_PATHS = {"/api/health"}
# The WebSocket takes its token as the first message (browsers cannot set headers on a WebSocket).
SELF_AUTH_PATHS = {"/api/events", "/api/relay/ws"}

_HTTP_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    413: "too_large", 421: "misdirected_request", 429: "busy",
}


def error_response(status: int, code: str, message: str, headers: dict | None = None) -> web.Response:
    return web.json_response({"error": {"code": code, "message": message}}, status=status, headers=headers)


@web.middleware
async def errors(request: web.Request, handler):
    try:
        return await handler(request)
    except WitnessError as e:
        headers = {"Retry-After": str(e.retry_after)} if hasattr(e, "retry_after") else None
        return error_response(e.status, e.code, e.message, headers)
    except web.HTTPException as e:
        if e.status < 400:
            raise
        message = e.text if e.text and not e.text.startswith(f"{e.status}:") else e.reason
        return error_response(e.status, _HTTP_CODES.get(e.status, "http_error"), message)
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "internal", "internal error; see the helper's log")


def local_port(request: web.Request) -> int | None:
    sock = request.transport.get_extra_info("sockname") if request.transport else None
    return sock[1] if sock else None


@web.middleware
async def host_check(request: web.Request, handler):
    port = local_port(request)
    allowed = {f"127.0.0.1:{port}", f"localhost:{port}"}
    if request.headers.get("Host", "") not in allowed:
        return error_response(421, "bad_host", "Host must be 127.0.0.1 or localhost with the helper's port")
    return await handler(request)


@web.middleware
async def origin_check(request: web.Request, handler):
    origin = request.headers.get("Origin")
    if origin is not None and origin != request.app[keys.CONFIG].allowed_origin:
        return error_response(403, "bad_origin", "requests from web pages are refused; only the order-witness extension may call")
    return await handler(request)


def token_ok(app: web.Application, presented: str | None) -> bool:
    return bool(presented) and hmac.compare_digest(presented.encode(), app[keys.TOKEN].encode())


@web.middleware
async def auth(request: web.Request, handler):
    if request.path in PUBLIC_PATHS or request.path in SELF_AUTH_PATHS:
        return await handler(request)
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token_ok(request.app, token.strip()):
        return error_response(401, "not_paired", "missing or wrong token; pair the extension with the helper (witness token)")
    return await handler(request)


MIDDLEWARES = [errors, host_check, origin_check, auth]
