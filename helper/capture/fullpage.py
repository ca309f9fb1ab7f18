"""Whole-page images of a live page, through CDP (the same calls for every capture source).

1. `prepare`: in an isolated world (the page's scripts cannot see it), expand elements that scroll inside
   themselves (chat panes, textareas) and the ancestors that clip them (EXPAND_JS); walk the document so lazy
   content loads (WALK_JS; when the source can resize its viewport, made WALK_VIEWPORT_PX tall for the walk);
   wait (bounded) for images and fonts and scroll to the top (SETTLE_JS). Every style and scroll position
   touched is remembered in the isolated world. Sizes come from CDP (`Page.getLayoutMetrics`), the device
   scale from the browser's own screenshot of a 10 px square, never from the page's `devicePixelRatio`.
2. `capture_tiles`: `Page.captureScreenshot` with `captureBeyondViewport` and clips of at most TILE_DEVICE_PX
   device pixels each, so pages far taller than Chromium's 16,384 px texture limit come out whole; tiles are
   streamed into a `PngStream` in a worker thread while the next one is taken. Image size is capped
   (MAX_SCALE, MAX_IMAGE_WIDTH_PX, MAX_IMAGE_PIXELS): beyond them the page is drawn smaller (meta says so).
3. `restore` (RESTORE_JS): puts every style attribute and scroll position back, so the user's tab is as it was.

The extension's own UI (`<order-witness-ui>`, a closed shadow root) is hidden by changing styles *inside*
its closed shadow root through CDP's DOM domain: no mutation the page can observe (`hide_own_ui`).
"""

from __future__ import annotations

import asyncio
import base64
import io
import struct
import time

from ..core.errors import CaptureError
from .cdp import let_go
from .pngout import PngStream

TILE_DEVICE_PX = 8192
MAX_PAGE_CSS_PX = 250_000  # beyond this a capture is cut (recorded in meta)
MAX_WIDTH_CSS_PX = 6_000
MAX_SCALE = 3.0  # device pixels per CSS pixel in the image, at most
MAX_IMAGE_WIDTH_PX = 8_000
MAX_IMAGE_PIXELS = 600_000_000  # ~1.8 GB of RGB if it were ever decoded; streamed, it never is
LAZY_BUDGET_MS = 2500
WALK_VIEWPORT_PX = 8000  # emulated viewport height during the lazy-content walk
OWN_UI_TAG = "order-witness-ui"
PROBE_S = 2.0  # a main thread that cannot answer `1` in this long is hung

# Phase 1: expand inner-scroll panes (and the ancestors that clip them); remember what was touched.
# Runs in the capture's isolated world: `__ow` is invisible to the page.
EXPAND_JS = r"""
({maxHeight}) => {
  const D = document, W = window;
  const state = {x: W.scrollX, y: W.scrollY, styles: [], scrolls: [], t0: performance.now()};
  globalThis.__ow = state;
  const touched = new Set();
  const setStyle = (el, props) => {
    if (!touched.has(el)) {
      touched.add(el);
      state.styles.push([el, el.getAttribute('style')]);
    }
    for (const [k, v] of Object.entries(props)) el.style.setProperty(k, v, 'important');
  };
  const panes = [];
  for (const el of D.querySelectorAll('body *')) {
    if (el.scrollHeight <= el.clientHeight + 2 || el.clientHeight < 30 || el.clientWidth < 60) continue;
    const cs = getComputedStyle(el);
    if (!/(auto|scroll|overlay)/.test(cs.overflowY) && el.tagName !== 'TEXTAREA') continue;
    if (cs.display === 'none' || cs.visibility === 'hidden' || !el.getClientRects().length) continue;
    panes.push(el);
  }
  for (const el of panes) state.scrolls.push([el, el.scrollLeft, el.scrollTop]);
  const sizes = panes.map(el => {
    const cs = getComputedStyle(el);
    return el.scrollHeight + parseFloat(cs.borderTopWidth || 0) + parseFloat(cs.borderBottomWidth || 0);
  });
  panes.forEach((el, i) => {
    setStyle(el, {'box-sizing': 'border-box', 'height': Math.min(sizes[i], maxHeight) + 'px',
                  'max-height': 'none', 'flex': 'none', 'overflow-y': 'visible'});
    for (let a = el.parentElement; a; a = a.parentElement) {
      setStyle(a, {'height': 'auto', 'max-height': 'none', 'overflow': 'visible',
                   'min-height': a.getBoundingClientRect().height + 'px'});
    }
  });
  return {panes: panes.length, panePositions: state.scrolls.map(([, l, t]) => [l, t])};
}
"""

# Phase 2: walk the document in viewport steps so lazy content (loading=lazy, IntersectionObserver) loads.
WALK_JS = r"""
async ({step, maxHeight, budgetMs}) => {
  const D = document, W = window, t0 = performance.now();
  // One rendering update (where intersections are computed), then the task after it.
  const frame = () => new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
  const root = D.scrollingElement || D.documentElement;
  let steps = 0;
  if (root.scrollHeight > step + 1) {
    for (let y = 0; y < Math.min(root.scrollHeight, maxHeight) && performance.now() - t0 < budgetMs; y += step) {
      W.scrollTo(0, y); steps++;
      await frame();
    }
  }
  return steps;
}
"""

# Phase 3: wait (bounded) for images still loading and for fonts, go to the top.
SETTLE_JS = r"""
async ({budgetMs}) => {
  const D = document, W = window, t0 = performance.now();
  const sleep = ms => new Promise(r => setTimeout(r, ms));
  const frame = () => new Promise(r => requestAnimationFrame(() => r()));
  const pending = () => Array.from(D.images).filter(im => !im.complete && im.currentSrc);
  while (pending().length && performance.now() - t0 < budgetMs) await sleep(20);
  if (D.fonts && D.fonts.ready) await Promise.race([D.fonts.ready, sleep(300)]);
  W.scrollTo(0, 0);
  await frame();
  return {pending_images: pending().length};
}
"""

TOP_JS = "() => { window.scrollTo(0, 0); return true; }"

RESTORE_JS = r"""
() => {
  const state = globalThis.__ow;
  if (!state) return null;
  for (const [el, style] of state.styles.reverse()) {
    // Sync Chromium's lazily written style attribute first, or it comes back later as style="".
    el.style.cssText = '';
    el.getAttribute('style');
    if (style === null) el.removeAttribute('style'); else el.setAttribute('style', style);
  }
  for (const [el, left, top] of state.scrolls) { el.scrollLeft = left; el.scrollTop = top; }
  window.scrollTo(state.x, state.y);
  delete globalThis.__ow;
  return {x: window.scrollX, y: window.scrollY, panes: state.scrolls.map(([el]) => [el.scrollLeft, el.scrollTop])};
}
"""


def _png_width(png: bytes) -> int:
    if png[:8] == b"\x89PNG\r\n\x1a\n":
        return struct.unpack(">I", png[16:20])[0]
    from PIL import Image

    return Image.open(io.BytesIO(png)).size[0]


async def device_scale(cdp) -> float:
    """Device pixels per CSS pixel, as the browser draws them: the width of a 10 px square's screenshot."""
    shot = await cdp.send("Page.captureScreenshot", {
        "format": "png", "clip": {"x": 0, "y": 0, "width": 10, "height": 10, "scale": 1}})
    return max(0.1, _png_width(base64.b64decode(shot["data"])) / 10)


async def metrics(cdp) -> dict:
    """Viewport and content size in CSS pixels, from the browser (Page.getLayoutMetrics)."""
    m = await cdp.send("Page.getLayoutMetrics")
    vp = m.get("cssLayoutViewport") or m["layoutViewport"]
    content = m.get("cssContentSize") or m["contentSize"]
    return {"viewport": {"width": round(vp["clientWidth"]), "height": round(vp["clientHeight"])},
            "content": {"width": round(content["width"]), "height": round(content["height"])}}


class PageUnresponsive(CaptureError):
    code = "page_unresponsive"


async def _bounded(world, js: str, arg, bound: float):
    """The phase's result, or "stalled" when the page held it past `bound` (timers or frames stopped); a
    page whose main thread does not answer at all is unresponsive: the capture stops there."""
    try:
        return await world.call(js, arg, timeout=bound)
    except asyncio.TimeoutError:
        pass
    try:
        await world.call("() => 1", timeout=PROBE_S)
    except asyncio.TimeoutError:
        raise PageUnresponsive("页面停止响应（脚本卡死），无法取证 / the page stopped responding (its script hangs); "
                               "nothing was stored") from None
    return "stalled"


async def _viewport_back(resize, *, hung: bool) -> None:
    """The source's viewport as it was. A hung page never acknowledges the resize: then it is sent, not waited
    for; otherwise the wait is bounded (a page may hang just now)."""
    if hung:
        let_go(resize(None))
        return
    try:
        await asyncio.wait_for(resize(None), PROBE_S + 1)
    except asyncio.TimeoutError:
        pass


async def prepare(world, cdp, *, resize=None, lazy_budget_ms: int | None = None) -> dict:
    """Expand panes, load lazy content, settle; returns the layout to capture.

    `resize(height | None)`: the source's way to make its viewport tall for the walk (None = put it back),
    or None where the viewport belongs to the buyer (the walk then goes screen by screen). `lazy_budget_ms`
    defaults to LAZY_BUDGET_MS as it is when called."""
    if lazy_budget_ms is None:
        lazy_budget_ms = LAZY_BUDGET_MS
    bound = lazy_budget_ms / 1000 + 1.5  # a hostile page can stall timers or frames: every phase is bounded
    scale = await device_scale(cdp)
    expanded = await _bounded(world, EXPAND_JS, {"maxHeight": MAX_PAGE_CSS_PX}, bound)
    if expanded == "stalled":
        raise PageUnresponsive("页面停止响应，无法取证 / the page did not answer; nothing was stored")
    before = await metrics(cdp)
    step = before["viewport"]["height"] or 800
    tall = resize is not None and before["content"]["height"] > 3 * step  # worth two resizes
    if tall:
        step = min(max(step, before["content"]["height"]), WALK_VIEWPORT_PX)
        await resize(step)
    hung = False
    try:
        steps = await _bounded(world, WALK_JS, {"step": step, "maxHeight": MAX_PAGE_CSS_PX,
                                                "budgetMs": lazy_budget_ms}, bound)
    except PageUnresponsive:
        hung = True
        raise
    finally:
        if tall:
            await _viewport_back(resize, hung=hung)
    settled = await _bounded(world, SETTLE_JS, {"budgetMs": lazy_budget_ms}, bound)
    if settled == "stalled":
        await world.call(TOP_JS, timeout=bound)
    m = await metrics(cdp)
    width = max(min(m["content"]["width"], MAX_WIDTH_CSS_PX), m["viewport"]["width"], 1)
    height = max(m["content"]["height"], 1)
    return {
        "width": width, "height": min(height, MAX_PAGE_CSS_PX), "full_height": height,
        "viewport": before["viewport"], "device_scale": scale,
        "pending_images": None if settled == "stalled" else settled["pending_images"],
        "settle": "stalled" if settled == "stalled" else "ok",
        "expanded_panes": expanded["panes"], "lazy_steps": steps,
    }


async def restore(world) -> dict | None:
    return await world.call(RESTORE_JS, timeout=10)


def image_scale(layout: dict) -> float:
    """Image pixels per CSS pixel: the device scale, capped so no image exceeds the size limits."""
    scale = min(float(layout["device_scale"]), MAX_SCALE)
    scale = min(scale, MAX_IMAGE_WIDTH_PX / layout["width"])
    scale = min(scale, (MAX_IMAGE_PIXELS / (layout["width"] * layout["height"])) ** 0.5)
    return max(scale, 0.05)


async def capture_tiles(cdp, layout: dict) -> PngStream:
    """Screenshot the prepared page in clips and stream them into one PNG."""
    device = float(layout["device_scale"])
    out = image_scale(layout)
    clip_scale = out / device  # Page.captureScreenshot's clip.scale multiplies the device scale
    width, height = int(layout["width"]), int(layout["height"])
    tile_css = max(1, int(TILE_DEVICE_PX / max(out, device)))
    stream = PngStream(round(width * out))
    stream.tile_ms = []  # each tile's screenshot, for meta.timings_ms
    pending: asyncio.Future | None = None
    # Drawing beyond the viewport resizes the page's view (a resize event the page can see): only when needed.
    vp = layout["viewport"]
    beyond = height > vp["height"] or width > vp["width"]

    for top in range(0, height, tile_css):
        h = min(tile_css, height - top)
        t = time.perf_counter()
        shot = await cdp.send("Page.captureScreenshot", {
            "format": "png",
            "clip": {"x": 0, "y": top, "width": width, "height": h, "scale": clip_scale},
            "captureBeyondViewport": beyond,
            "optimizeForSpeed": True,
        })
        png = base64.b64decode(shot["data"])
        stream.tile_ms.append(round((time.perf_counter() - t) * 1000))
        if pending is not None:
            await pending  # tiles go into the stream in order
        pending = asyncio.ensure_future(asyncio.to_thread(stream.add_png, png))
    if pending is not None:
        await pending
    return stream


# -- the extension's own UI, hidden inside its closed shadow root -----------------------------------------

def _attrs(node: dict) -> dict:
    a = node.get("attributes") or []
    return dict(zip(a[::2], a[1::2]))


async def hide_own_ui(cdp) -> dict:
    """Hide every child element of each `<order-witness-ui>` shadow root; returns {hosts, saved} (what to
    put back)."""
    doc = await cdp.send("DOM.getDocument", {"depth": 0})
    hosts = (await cdp.send("DOM.querySelectorAll", {"nodeId": doc["root"]["nodeId"], "selector": OWN_UI_TAG}))["nodeIds"]
    saved = []
    for host in hosts:
        node = (await cdp.send("DOM.describeNode", {"nodeId": host, "depth": 2, "pierce": True}))["node"]
        for root in node.get("shadowRoots") or []:
            children = [c for c in root.get("children") or [] if c.get("nodeType") == 1]
            if not children:
                continue
            ids = (await cdp.send("DOM.pushNodesByBackendIdsToFrontend",
                                  {"backendNodeIds": [c["backendNodeId"] for c in children]}))["nodeIds"]
            for child, node_id in zip(children, ids):
                saved.append((node_id, _attrs(child).get("style")))
                await cdp.send("DOM.setAttributeValue", {"nodeId": node_id, "name": "style",
                                                         "value": "display: none !important"})
    return {"hosts": len(hosts), "saved": saved}


async def show_own_ui(cdp, hidden: dict) -> None:
    for node_id, style in hidden["saved"]:
        if style is None:
            await cdp.send("DOM.removeAttribute", {"nodeId": node_id, "name": "style"})
        else:
            await cdp.send("DOM.setAttributeValue", {"nodeId": node_id, "name": "style", "value": style})
    await cdp.send("DOM.disable")
