"""HTTP handlers for drafts and export (routes in helper/api/routes.py, documented in PROTOCOL.md)."""

from __future__ import annotations

import asyncio
import re
from urllib.parse import quote

from aiohttp import web

from helper.core import clock
from helper.core.errors import BadRequest, NotFound
from helper.core.folder import private_folder
from helper.package.drafts import CHANNELS, CLAIMS, drafts_for_store
from helper.package.export import export_order
from helper.package.report import print_pdf
from helper.package.verify_package import verify_package as check_package

from . import keys
from .bodies import int_param, read_json
from .captures import CAPTURER
from .streaming import stream_progress, wants_progress

SAFE_NAME = re.compile(r"[\w\u4e00-\u9fff.-]{1,120}\.zip")


def helper_printer(service, loop: asyncio.AbstractEventLoop):
    """export_order's `printer` for an export in a worker thread of the helper: the report is printed in the
    helper's own clean browser (started once, kept for URL captures) on the helper's loop, not in a Chromium
    and a Playwright driver started for each export (about 1 s and a core-second less per export)."""

    def printer(html_path, out) -> None:
        async def run() -> None:
            await print_pdf(await service.clean_browser(), html_path, out)

        asyncio.run_coroutine_threadsafe(run(), loop).result()

    return printer


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
    folder = private_folder(config.data_dir / "exports")  # 0700, not a planted link

    printer = helper_printer(request.app[CAPTURER], asyncio.get_running_loop())

    def work(progress=None):
        return export_order(store, order_id, folder / name, config, now=now, redact=bool(body.get("redact")), claim=claim,
                            progress=progress, printer=printer)

    if wants_progress(request):  # the case page's progress bar
        return await stream_progress(request, work)
    return web.json_response(await asyncio.to_thread(work))


def _package_path(request: web.Request):
    name = request.match_info["name"]
    if not SAFE_NAME.fullmatch(name):
        raise BadRequest("name must be a plain file name ending in .zip")
    path = request.app[keys.CONFIG].data_dir / "exports" / name
    if not path.is_file():
        raise NotFound(f"no exported package {name!r}")
    return path


async def get_package(request: web.Request) -> web.StreamResponse:
    """An exported package's bytes (the case page's download button)."""
    path = _package_path(request)
    return web.FileResponse(path, headers={"Content-Type": "application/zip", "X-Content-Type-Options": "nosniff",
                                           "Content-Disposition": f"attachment; filename*=UTF-8''{quote(path.name)}"})


async def verify_package(request: web.Request) -> web.Response:
    """The same check as `witness verify-package` on a package in <data-dir>/exports/."""
    path = _package_path(request)
    await read_json(request, {})
    roots = list(request.app[keys.CONFIG].trusted_tsa_roots)
    return web.json_response(await asyncio.to_thread(check_package, path, ca_files=roots))
