"""Captures: take one (the capture service's place in the app is `capture_ctx`), read one, its files and
its OCR, and import a screenshot."""

from __future__ import annotations

import asyncio
from pathlib import Path

from aiohttp import web
from PIL import Image

from helper.capture.service import CaptureService
from helper.core.errors import BadRequest, NotFound
from helper.orders.importer import import_image as do_import
from helper.orders.tracking import CAPTURE_HOOKS
from helper.package.case import main_image
from helper.package.thumbs import cached_thumbnail

from . import keys
from .bodies import int_param, parse_id, read_json
from .orders import order_view

CAPTURER = web.AppKey("capturer", CaptureService)


async def capture_ctx(app: web.Application):
    service = CaptureService(app[keys.CONFIG], app[keys.STORE], now=app[keys.NOW], **CAPTURE_HOOKS)
    app[CAPTURER] = service
    yield
    await service.close()


def tab_field(value) -> dict | None:
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
        {"url": (str, type(None)), "kind": (str,), "order_id": (int, type(None)), "tab": (dict, type(None)),
         "trigger": (str, type(None))},
        required=("kind",),
    )
    tab = tab_field(body.get("tab"))
    if not body.get("url") and tab is None:
        raise BadRequest("需要 url 或 tab / url or tab is required")
    request.app[CAPTURER].admit((tab or {}).get("url") or body["url"], body.get("trigger") or "manual")
    result = await request.app[CAPTURER].capture(
        kind=body["kind"], url=body.get("url"), tab=tab, order_id=body.get("order_id"),
    )
    return web.json_response(capture_answer(request.app, result))


def capture_answer(app: web.Application, result: dict) -> dict:
    """The answer to a capture (POST /api/captures, the relay's `done`): the capture, its order, the
    after-capture step."""
    cap = result["capture"]
    for a in cap["artifacts"]:
        a.pop("path", None)
    order = None
    if cap["order_id"] is not None:  # the order this capture belongs to, with its deadline and next step
        order = order_view(app, app[keys.STORE].get_order(cap["order_id"]))
    return {"capture": cap, "order": order, "after_capture": result["after_capture"]}


async def get_capture(request: web.Request) -> web.Response:
    cap = request.app[keys.STORE].get_capture(int_param(request, "id"))
    for a in cap["artifacts"]:
        a.pop("path", None)
    return web.json_response({"capture": cap})


async def get_capture_file(request: web.Request) -> web.StreamResponse:
    store = request.app[keys.STORE]
    cap = store.get_capture(int_param(request, "id"))
    name = request.match_info["name"]
    art = next((a for a in cap["artifacts"] if a["name"] == name), None)
    if art is None:
        raise NotFound(f"capture {cap['id']} has no file {name!r}")
    return web.FileResponse(
        art["path"],
        headers={
            "Content-Type": art["media_type"],
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox",
            "X-SHA256": art["sha256"],
        },
    )


async def get_capture_thumbnail(request: web.Request) -> web.Response:
    """The top of the capture's image, small (the case page's thumbnails; made once, then cached)."""
    store = request.app[keys.STORE]
    cap = store.get_capture(int_param(request, "id"))
    image = main_image(cap)
    if image is None:
        raise NotFound(f"capture {cap['id']} has no image")
    cache = request.app[keys.CONFIG].data_dir / "thumbs"
    try:
        data = await asyncio.to_thread(cached_thumbnail, cache, image["sha256"], Path(image["path"]))
    except (OSError, ValueError, Image.DecompressionBombError) as e:
        raise NotFound(f"capture {cap['id']}: no thumbnail of {image['name']} ({type(e).__name__})") from None
    return web.Response(body=data, content_type="image/png", headers={
        "X-Content-Type-Options": "nosniff", "Content-Security-Policy": "sandbox", "X-Source-SHA256": image["sha256"]})


async def get_capture_ocr(request: web.Request) -> web.Response:
    store = request.app[keys.STORE]
    capture_id = int_param(request, "id")
    store.get_capture(capture_id)
    rows = store.ocr_of(capture_id)
    return web.json_response({"capture_id": capture_id, "status": rows[-1]["status"] if rows else "pending", "ocr": rows})


async def import_image(request: web.Request) -> web.Response:
    """multipart/form-data: file, kind (default payment), order_id, note."""
    if not request.content_type.startswith("multipart/"):
        raise BadRequest("send multipart/form-data with a file field")
    fields: dict = {}
    data, name = None, None
    async for part in await request.multipart():
        if part.name == "file":
            name = part.filename or "image"
            data = await part.read(decode=False)
        elif part.name in ("kind", "order_id", "note"):
            fields[part.name] = (await part.text())[:1000]
        else:
            raise BadRequest(f"unknown field {part.name!r}")
    if data is None:
        raise BadRequest("missing file field")
    order_id = None
    if fields.get("order_id"):
        order_id = parse_id(fields["order_id"], "order_id")
    store = request.app[keys.STORE]
    cap = await asyncio.to_thread(do_import, store, data, name, kind=fields.get("kind") or "payment",
                                  order_id=order_id, note=fields.get("note"))
    for a in cap["artifacts"]:
        a.pop("path", None)
    return web.json_response({"capture": cap, "ocr": "pending"})

