"""One capture of a live page: whole-page image, stamped image, MHTML, DOM, visible text and meta.json,
ready to be stored in one step. One engine for every source: it speaks CDP through a channel (cdp.py) and
runs its JavaScript only in an isolated world.

    capture_cdp(channel, kind=..., source="buyer_tab" | "evidence_browser" | "url", http=..., resize=...)
    capture_page(playwright_page, ...)   # the same, for a Playwright page (evidence browser, clean re-fetch)

Before anything is touched, the page's DOM and text are read and their facts noted; after the capture the
facts of what was captured are compared with them (`meta.page.changed_during_capture`). Image encoding and
stamping run in a worker thread while the MHTML snapshot, DOM and text are taken.
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
from . import fullpage, rendered, states
from .cdp import PlaywrightChannel, World, clean_up
from .stamp import render_strip, stamp_lines

# Read in the isolated world (the page's own getters and globals do not apply there).
READ_JS = r"""
() => {
  const D = document, dt = D.doctype;
  const doctype = dt ? '<!DOCTYPE ' + dt.name + (dt.publicId ? ' PUBLIC "' + dt.publicId + '"' : '')
    + (!dt.publicId && dt.systemId ? ' SYSTEM' : '') + (dt.systemId ? ' "' + dt.systemId + '"' : '') + '>\n' : '';
  return {url: location.href, title: D.title, userAgent: navigator.userAgent, readyState: D.readyState,
          html: doctype + D.documentElement.outerHTML,
          text: (D.body ? D.body.innerText : D.documentElement.innerText) || ''};
}
"""
SOURCES = ("buyer_tab", "evidence_browser", "url")
SETTLE_BOUND_S = 8.0  # the longest wait for a loading screen to give way to the page's data
SETTLE_STEP_S = 0.25


@dataclass
class Captured:
    """A capture ready for `Store.add_capture`."""

    files: dict[str, bytes]
    meta: dict
    url: str
    title: str
    html: str
    captured_at: datetime
    page_state: str = "ok"
    html_before: str | None = None  # the page before the capture, when it changed during it
    timings: dict = field(default_factory=dict)
    analysis: dict | None = None  # extract() of the captured DOM, taken once while the image encodes
    analysis_before: dict | None = None  # extract() of the page before the capture, when it changed during it
    order_id: int | None = None  # the tracked order found for a page showing no number (meta.order_no_source "tracked")


def _iso_epoch(value) -> str | None:
    if value in (None, 0, -1):
        return None
    try:
        return clock.iso(datetime.fromtimestamp(float(value), timezone.utc))
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def tls_record(tls: dict | None) -> dict | None:
    if not tls:
        return None
    return {"protocol": tls.get("protocol"), "issuer": tls.get("issuer"),
            "subject": tls.get("subjectName"), "valid_from": _iso_epoch(tls.get("validFrom")),
            "valid_to": _iso_epoch(tls.get("validTo"))}


async def response_record(response) -> dict:
    """HTTP status, headers, server address and TLS details of the page's main document response."""
    if response is None:
        return {"recorded": False, "note": "没有记录到主文档响应 / no main-document response was recorded for this tab"}
    try:
        headers, server, tls = await asyncio.gather(
            response.headers_array(), response.server_addr(), response.security_details())
    except Exception as e:  # noqa: BLE001 - the response may belong to a page that navigated away
        return {"recorded": False, "note": f"response details unavailable: {type(e).__name__}: {e}"}
    return {
        "recorded": True,
        "url": response.url,
        "status": response.status,
        "status_text": response.status_text,
        "headers": [[h["name"], h["value"]] for h in headers],
        "server": {"ip": server["ipAddress"], "port": server["port"]} if server else None,
        "tls": tls_record(tls),
    }


def _finish_images(stream, lines_for, scale: float) -> tuple[bytes, bytes, str]:
    page_png, _ = stream.finish()
    sha = hashlib.sha256(page_png).hexdigest()
    strip = render_strip(stream.width, lines_for(sha), scale=scale)
    return page_png, stream.with_tail(strip), sha


def _fail(e: Exception) -> CaptureError:
    if isinstance(e, CaptureError):
        return e
    return CaptureError(f"截图失败 / the capture failed: {type(e).__name__}: {str(e).splitlines()[0][:300]}")


async def _analysed(html: str, text: str, url: str, now: datetime, layout: dict | None = None) -> tuple[dict, dict]:
    analysis = await asyncio.to_thread(states.analyse, html, url, now, layout)
    return analysis, states.facts(analysis, text)


async def settled(world, now) -> tuple[dict, dict]:
    """The page as it shows once it has settled: while it reads as a loading screen (spinner, skeleton,
    正在打开…; helper/understanding) it is read again every SETTLE_STEP_S, at most SETTLE_BOUND_S; then until its
    text stays the same for one step. Image, DOM and text are all taken after this, so they show one state."""
    t0 = time.monotonic()
    page = await world.call(READ_JS, timeout=15)
    loading = False
    while time.monotonic() - t0 < SETTLE_BOUND_S:
        analysis = await asyncio.to_thread(states.analyse, page["html"], page["url"], now())
        if analysis.get("page_kind") != "loading":
            break
        loading = True
        await asyncio.sleep(SETTLE_STEP_S)
        page = await world.call(READ_JS, timeout=15)
    if loading:  # the data has just arrived: let the page finish drawing it
        while time.monotonic() - t0 < SETTLE_BOUND_S:
            await asyncio.sleep(SETTLE_STEP_S)
            again = await world.call(READ_JS, timeout=15)
            if again["text"] == page["text"]:
                break
            page = again
    return page, {"waited_for_loading": loading, "waited_ms": round((time.monotonic() - t0) * 1000)}


async def capture_cdp(
    cdp,
    *,
    kind: str,
    source: str,
    order_no: str | None = None,
    http=None,
    resize=None,
    now=clock.utcnow,
    browser: dict | None = None,
    environment: asyncio.Future | dict | None = None,
    clock_check: asyncio.Future | dict | None = None,
    note: str | None = None,
    lazy_budget_ms: int | None = None,
    find_order=None,
) -> Captured:
    """Capture the page behind `cdp` as it is now; restores it (scroll positions, styles) afterwards.

    `http(world, info) -> dict` gives the response record; `resize` see fullpage.prepare; `await
    find_order(url, analysis, html) -> {"id", "order_no"} | None` the tracked order of a page that shows no
    order number (the host's rule: the capture layer knows no orders)."""
    t0 = time.perf_counter()
    timings = {}
    capture_uuid = str(uuid.uuid4())
    world, before, settle = await _open(cdp, now)
    facts_before = asyncio.ensure_future(_analysed(before["html"], before["text"], before["url"], now()))
    timings["settle_ms"] = settle["waited_ms"]
    # The stamp names the order (the requested one, else the number the page shows) and the page's state,
    # both read from the DOM taken below while the image is being encoded.
    stamp: concurrent.futures.Future = concurrent.futures.Future()
    images = None
    try:
        hidden = await fullpage.hide_own_ui(cdp)
        hung = False
        try:
            layout = await fullpage.prepare(world, cdp, resize=resize, lazy_budget_ms=lazy_budget_ms)
            timings["prepare_ms"] = round((time.perf_counter() - t0) * 1000)
            captured_at = now()
            stream = await fullpage.capture_tiles(cdp, layout)
            # What the page showed while the image was taken (a page may put the truth back before the DOM
            # below is read): compared with the state before the capture as well.
            during = await world.call(READ_JS, timeout=15)
        except fullpage.PageUnresponsive:
            hung = True
            raise
        finally:
            restored = await _put_back(world, cdp, hidden, hung=hung)
        timings["tiles_ms"] = round((time.perf_counter() - t0) * 1000) - timings["prepare_ms"]
        timings["each_tile_ms"] = stream.tile_ms

        def lines_for(sha: str):
            return stamp_lines(captured_at=captured_at, url=before["url"], title=before["title"],
                               capture_uuid=capture_uuid, page_sha256=sha, kind=kind, source=source,
                               **stamp.result(timeout=60))

        images = asyncio.ensure_future(asyncio.to_thread(_finish_images, stream, lines_for,
                                                         fullpage.image_scale(layout)))
        # The boxes are read right after the DOM (the same page state: their paths are dom.html's).
        after, (boxes, boxes_meta), snap, http_rec = await asyncio.gather(
            world.call(READ_JS, timeout=30), rendered.record(world),
            cdp.send("Page.captureSnapshot", {"format": "mhtml"}), http(world, before) if http else _no_http())
        (analysis, facts_after), (_, facts_during) = await asyncio.gather(
            _analysed(after["html"], after["text"], after["url"], now(), boxes),
            _analysed(during["html"], during["text"], during["url"], now()))
        state = states.page_state(analysis, http_rec.get("status") if http_rec.get("recorded") else None)
        found, found_by, tracked = await _stamp_order(order_no, analysis, after, find_order if state == "ok" else None)
        stamp.set_result({"order_no": found, "page_state": state})
    except Exception as e:  # noqa: BLE001 - CDP errors: the tab closed, navigated, crashed …
        raise _fail(e) from e
    finally:
        if not stamp.done():
            stamp.set_result({"order_no": order_no, "page_state": None})
        if images is not None:
            page_png, stamped_png, page_sha = await images
    analysis_before, facts_b = await facts_before
    changed = sorted(set(states.changed_facts(facts_b, facts_after)) | set(states.changed_facts(facts_b, facts_during)))
    shown = facts_during if states.changed_facts(facts_b, facts_during) else facts_after
    timings["total_ms"] = round((time.perf_counter() - t0) * 1000)
    env = await environment if isinstance(environment, asyncio.Future) else environment
    clk = await clock_check if isinstance(clock_check, asyncio.Future) else clock_check
    meta = {
        "capture_uuid": capture_uuid,
        "kind": kind,
        "source": source,
        "page_state": state,
        "captured_at": clock.iso(captured_at),
        "captured_at_china": clock.china(captured_at),
        "page": _page_meta(after, layout, stream, hidden, restored, settle, analysis, changed, boxes_meta),
        "order_no": found,
        "order_no_source": found_by,
        "http": http_rec,
        "browser": {"user_agent": before["userAgent"], **(browser or {})},
        "helper": {"app": "order-witness", "version": __version__},
        "environment": env,
        "clock": clk,
        "hashes": {"page.png": page_sha},
        "timings_ms": timings,
    }
    if changed:
        meta["page"]["changed_facts"] = {k: {"before": facts_b[k], "captured": shown[k]} for k in changed}
    if state != "ok":
        meta["page_state_note"] = states.STATE_NOTES[state]
    if note:
        meta["note"] = note
    files = _files(before, after, page_png, stamped_png, snap, boxes, changed)
    if boxes is not None:
        meta["hashes"]["layout.json"] = hashlib.sha256(files["layout.json"]).hexdigest()
    files["meta.json"] = json.dumps(meta, ensure_ascii=False, indent=2).encode("utf-8")
    return Captured(files=files, meta=meta, url=after["url"], title=after["title"], html=after["html"],
                    captured_at=captured_at, page_state=state, html_before=before["html"] if changed else None,
                    timings=timings, analysis=analysis, analysis_before=analysis_before if changed else None,
                    order_id=tracked["id"] if tracked else None)


async def _put_back(world, cdp, hidden: dict, *, hung: bool):
    """The page as it was: scroll positions and styles, and the extension's own UI shown again; both at once,
    each bounded. Returns what restore() answered, or None. A page found hung (no answer for the phase's
    bound and then the probe's) is not waited on again: the put-back is sent, and runs if the page recovers
    while it is still attached (a fetched URL's tab is closed, the buyer's tab detached, right after)."""
    restored, _ = await asyncio.gather(clean_up(fullpage.restore(world), hung=hung),
                                       clean_up(fullpage.show_own_ui(cdp, hidden), hung=hung))
    return restored


async def _open(cdp, now):
    """The isolated world, and the page once it has settled (a loading screen waited out, bounded)."""
    try:
        world = await World.create(cdp)
        before, settle = await settled(world, now)
    except Exception as e:  # the tab closed or navigated between the request and now
        raise CaptureError(f"标签页已关闭或正在跳转 / the tab closed or is navigating: "
                           f"{type(e).__name__}: {str(e).splitlines()[0][:200]}") from e
    return world, before, settle


def _page_meta(after, layout, stream, hidden, restored, settle, analysis, changed, boxes_meta) -> dict:
    """meta.page: what was captured and how (sizes, panes expanded, lazy steps, waits, restoring, layout)."""
    return {
        "url": after["url"],
        "title": after["title"],
        "viewport": layout["viewport"],
        "device_scale": layout["device_scale"],
        "image": {"width": stream.width, "height": stream.height, "css_height": layout["full_height"],
                  "scale": round(fullpage.image_scale(layout), 4),
                  "truncated": layout["full_height"] > layout["height"]},
        "expanded_scroll_panes": layout["expanded_panes"],
        "hidden_extension_ui": hidden["hosts"],
        "lazy_scroll_steps": layout["lazy_steps"],
        "images_still_loading": layout["pending_images"],
        "page_stalled_waits": layout["settle"] == "stalled" or layout["lazy_steps"] == "stalled",
        "restored": restored is not None,
        "waited_for_loading": settle["waited_for_loading"],
        "kind_read": analysis.get("page_kind"),
        "changed_during_capture": bool(changed),
        "layout": boxes_meta,
    }


def _files(before, after, page_png: bytes, stamped_png: bytes, snap: dict, boxes, changed) -> dict[str, bytes]:
    """The capture's files (meta.json is added last)."""
    files = {
        "page.png": page_png,
        "stamped.png": stamped_png,
        "page.mhtml": snap["data"].encode("utf-8"),
        "dom.html": after["html"].encode("utf-8"),
        "text.txt": after["text"].encode("utf-8"),
    }
    if changed:  # both states are kept; the order is updated from the state before the capture
        files["dom.before.html"] = before["html"].encode("utf-8")
        files["text.before.txt"] = before["text"].encode("utf-8")
    if boxes is not None:  # the boxes' paths are those of dom.html
        files["layout.json"] = rendered.encode(boxes)
    return files


async def _stamp_order(order_no: str | None, analysis: dict, page: dict, find_order) -> tuple[str | None, str | None, dict | None]:
    """(order number, meta.order_no_source, tracked order) for the stamp, decided before it is drawn: the
    requested order, else the number the page shows, else the tracked order the page belongs to (not for a
    login or loading page: it is not filed as evidence). An order not known yet is not named (the stamp says
    未关联): the capture may be linked later; the stamp is never redrawn."""
    if order_no:
        return order_no, "request", None
    shown = analysis.get("order", {}).get("order_no")
    if shown:
        return shown, "page", None
    tracked = await find_order(page["url"], analysis, page["html"]) if find_order is not None else None
    return (tracked["order_no"], "tracked", tracked) if tracked else (None, None, None)


async def _no_http() -> dict:
    return {"recorded": False, "note": "没有记录到主文档响应 / no main-document response was recorded for this tab"}


async def capture_page(page, *, response=None, source: str = "url", **kw) -> Captured:
    """`capture_cdp` for a Playwright page (the evidence browser's tab, a clean re-fetch of a URL)."""
    try:
        session = await page.context.new_cdp_session(page)
    except Exception as e:  # the tab closed or navigated between the request and now
        raise CaptureError(f"标签页已关闭或正在跳转 / the tab closed or is navigating: "
                           f"{type(e).__name__}: {str(e).splitlines()[0][:200]}") from e
    viewport = page.viewport_size  # None for a headed window without emulation

    async def resize(height: int | None) -> None:
        await page.set_viewport_size(viewport if height is None else {"width": viewport["width"], "height": height})

    async def http(_world, _info) -> dict:
        return await response_record(response)

    channel = PlaywrightChannel(session)
    hung = False
    try:
        return await capture_cdp(channel, source=source, http=http, resize=resize if viewport else None, **kw)
    except fullpage.PageUnresponsive:
        hung = True  # a hung page never acknowledges the detach (5 s lost waiting for it)
        raise
    finally:
        await clean_up(channel.close(), hung=hung)
