"""One capture of a live page: whole-page image, stamped image, MHTML, DOM, visible text and meta.json,
ready to be stored in one step.

The browser-side work runs in the page's tab (see fullpage.py); the image encoding and stamping run in a
worker thread while the MHTML snapshot, DOM and text are taken.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import json
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone

from .. import __version__
from ..core import clock
from ..core.errors import CaptureError
from ..understanding import extract
from . import fullpage
from .stamp import render_strip, stamp_lines

TEXT_JS = "() => (document.body ? document.body.innerText : document.documentElement.innerText) || ''"
INFO_JS = """() => ({url: location.href, title: document.title, userAgent: navigator.userAgent,
  viewport: {width: window.innerWidth, height: window.innerHeight}, dpr: window.devicePixelRatio || 1,
  readyState: document.readyState})"""


@dataclass
class Captured:
    """A capture ready for `Store.add_capture`."""

    files: dict[str, bytes]
    meta: dict
    url: str
    title: str
    html: str
    captured_at: datetime
    timings: dict = field(default_factory=dict)
    analysis: dict | None = None  # extract() of the captured DOM, taken once while the image encodes


def _iso_epoch(value) -> str | None:
    if value in (None, 0, -1):
        return None
    try:
        return clock.iso(datetime.fromtimestamp(float(value), timezone.utc))
    except (TypeError, ValueError, OverflowError, OSError):
        return None


async def response_record(response) -> dict:
    """HTTP status, headers, server address and TLS details of the page's main document response."""
    if response is None:
        return {"recorded": False, "note": "没有记录到主文档响应 / no main-document response was recorded for this tab"}
    try:
        headers, server, tls = await asyncio.gather(
            response.headers_array(), response.server_addr(), response.security_details())
    except Exception as e:  # noqa: BLE001 - the response may belong to a page that navigated away
        return {"recorded": False, "note": f"response details unavailable: {type(e).__name__}: {e}"}
    record = {
        "recorded": True,
        "url": response.url,
        "status": response.status,
        "status_text": response.status_text,
        "headers": [[h["name"], h["value"]] for h in headers],
        "server": {"ip": server["ipAddress"], "port": server["port"]} if server else None,
        "tls": None,
    }
    if tls:
        record["tls"] = {
            "protocol": tls.get("protocol"),
            "issuer": tls.get("issuer"),
            "subject": tls.get("subjectName"),
            "valid_from": _iso_epoch(tls.get("validFrom")),
            "valid_to": _iso_epoch(tls.get("validTo")),
        }
    return record


def _finish_images(stream, lines_for, scale: float) -> tuple[bytes, bytes, str]:
    page_png, _ = stream.finish()
    sha = hashlib.sha256(page_png).hexdigest()
    strip = render_strip(stream.width, lines_for(sha), scale=scale)
    return page_png, stream.with_tail(strip), sha


def analyse_page(html: str, url: str, now: datetime) -> dict | None:
    """The page's one analysis: the stamp takes its order number, the after-capture step (orders) the rest."""
    try:
        return extract(html, url, now=now)
    except Exception:  # noqa: BLE001 - the stamp then says "not linked"; the capture goes on
        return None


async def capture_page(
    page,
    *,
    kind: str,
    source: str,
    order_no: str | None = None,
    response=None,
    now=clock.utcnow,
    browser: dict | None = None,
    environment: asyncio.Future | dict | None = None,
    clock_check: asyncio.Future | dict | None = None,
    note: str | None = None,
    lazy_budget_ms: int = fullpage.LAZY_BUDGET_MS,
) -> Captured:
    """Capture `page` as it is now; restores the tab (scroll positions, styles) afterwards."""
    t0 = time.perf_counter()
    timings = {}
    capture_uuid = str(uuid.uuid4())
    try:
        info = await page.evaluate(INFO_JS)
        cdp = await page.context.new_cdp_session(page)
    except Exception as e:  # the tab closed or navigated between the request and now
        raise CaptureError(f"标签页已关闭或正在跳转 / the tab closed or is navigating: "
                           f"{type(e).__name__}: {str(e).splitlines()[0][:200]}") from e
    # The stamp names the order: the requested one, else the number the page shows (read from the DOM taken
    # below, while the image is being encoded; the encoder waits for it only when it draws the strip).
    stamp_order: concurrent.futures.Future = concurrent.futures.Future()
    if order_no is not None:
        stamp_order.set_result(order_no)
    analysis: dict | None = None
    try:
        layout = await fullpage.prepare(page, lazy_budget_ms=lazy_budget_ms)
        timings["prepare_ms"] = round((time.perf_counter() - t0) * 1000)
        captured_at = now()
        try:
            stream = await fullpage.capture_tiles(cdp, layout)
        finally:
            await fullpage.restore(page)
        timings["tiles_ms"] = round((time.perf_counter() - t0) * 1000) - timings["prepare_ms"]

        def lines_for(sha: str):
            return stamp_lines(captured_at=captured_at, url=info["url"], title=info["title"],
                               order_no=stamp_order.result(timeout=60), capture_uuid=capture_uuid, page_sha256=sha,
                               kind=kind)

        async def dom_and_order() -> str:
            nonlocal analysis
            html = await page.content()
            analysis = await asyncio.to_thread(analyse_page, html, info["url"], now())
            found = (analysis or {}).get("order", {}).get("order_no")
            if not stamp_order.done():  # checked again: the capture may have failed meanwhile
                stamp_order.set_result(found)
            return html

        images = asyncio.ensure_future(asyncio.to_thread(_finish_images, stream, lines_for, float(layout["dpr"])))
        try:
            snap, html, text, http = await asyncio.gather(
                cdp.send("Page.captureSnapshot", {"format": "mhtml"}), dom_and_order(), page.evaluate(TEXT_JS),
                response_record(response))
        finally:
            if not stamp_order.done():
                stamp_order.set_result(None)
            page_png, stamped_png, page_sha = await images
    except CaptureError:
        raise
    except Exception as e:  # Playwright errors: the tab closed, navigated, crashed …
        raise CaptureError(f"截图失败 / the capture failed: {type(e).__name__}: {str(e).splitlines()[0][:300]}") from e
    finally:
        try:
            await cdp.detach()
        except Exception:  # noqa: BLE001 - the page may be gone already
            pass
    timings["total_ms"] = round((time.perf_counter() - t0) * 1000)
    env = await environment if isinstance(environment, asyncio.Future) else environment
    clk = await clock_check if isinstance(clock_check, asyncio.Future) else clock_check
    meta = {
        "capture_uuid": capture_uuid,
        "kind": kind,
        "source": source,
        "captured_at": clock.iso(captured_at),
        "captured_at_china": clock.china(captured_at),
        "page": {
            "url": info["url"],
            "title": info["title"],
            "viewport": info["viewport"],
            "device_pixel_ratio": info["dpr"],
            "image": {"width": stream.width, "height": stream.height, "css_height": layout["full_height"],
                      "truncated": layout["full_height"] > layout["height"]},
            "expanded_scroll_panes": layout["expanded_panes"],
            "hidden_extension_ui": layout.get("hidden_own_ui", 0),
            "lazy_scroll_steps": layout["lazy_steps"],
            "images_still_loading": layout["pending_images"],
            "page_stalled_waits": layout.get("settle") == "stalled" or layout["lazy_steps"] == "stalled",
        },
        "order_no": stamp_order.result(),
        "order_no_source": "request" if order_no else ("page" if stamp_order.result() else None),
        "http": http,
        "browser": {"user_agent": info["userAgent"], **(browser or {})},
        "helper": {"app": "order-witness", "version": __version__},
        "environment": env,
        "clock": clk,
        "hashes": {"page.png": page_sha},
        "timings_ms": timings,
    }
    if note:
        meta["note"] = note
    files = {
        "page.png": page_png,
        "stamped.png": stamped_png,
        "page.mhtml": snap["data"].encode("utf-8"),
        "dom.html": html.encode("utf-8"),
        "text.txt": text.encode("utf-8"),
        "meta.json": json.dumps(meta, ensure_ascii=False, indent=2).encode("utf-8"),
    }
    return Captured(files=files, meta=meta, url=info["url"], title=info["title"], html=html,
                    captured_at=captured_at, timings=timings, analysis=analysis)
