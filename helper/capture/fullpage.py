"""Whole-page images from a live Playwright page.

1. `prepare`: in the page, expand elements that scroll inside themselves (chat panes, textareas) and the
   ancestors that clip them (EXPAND_JS); walk the document so lazy content loads (WALK_JS; with an emulated
   viewport, made WALK_VIEWPORT_PX tall for the walk so a few steps cover a long page); wait (bounded) for
   images and fonts, scroll to the top and measure (SETTLE_JS). Every style and scroll position touched is
   remembered.
2. `capture_tiles`: CDP `Page.captureScreenshot` with `captureBeyondViewport` and clips of at most
   TILE_DEVICE_PX device pixels each, so pages far taller than Chromium's 16,384 px texture limit come out
   whole; tiles are streamed into a `PngStream` in a worker thread while the next one is taken.
3. `restore` (RESTORE_JS): puts every style attribute and scroll position back, so the user's tab is as it was.
"""

from __future__ import annotations

import asyncio
import base64

from .pngout import PngStream

TILE_DEVICE_PX = 8192
MAX_PAGE_CSS_PX = 250_000  # beyond this a capture is cut (recorded in meta)
MAX_WIDTH_CSS_PX = 6_000
LAZY_BUDGET_MS = 2500
WALK_VIEWPORT_PX = 8000  # emulated viewport height during the lazy-content walk

# Phase 1: expand inner-scroll panes (and the ancestors that clip them); remember what was touched.
EXPAND_JS = r"""
({maxHeight}) => {
  const D = document, W = window;
  const state = {x: W.scrollX, y: W.scrollY, styles: [], scrolls: [], t0: performance.now()};
  W.__orderWitnessRestore = state;
  const touched = new Set();
  const setStyle = (el, props) => {
    if (!touched.has(el)) {
      touched.add(el);
      state.styles.push([el, el.getAttribute('style')]);
    }
    for (const [k, v] of Object.entries(props)) el.style.setProperty(k, v, 'important');
  };
  // The extension's own button and banner are not part of the evidence.
  const ownUi = D.querySelectorAll('order-witness-ui');
  for (const el of ownUi) setStyle(el, {'display': 'none'});
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
  const root = D.scrollingElement || D.documentElement;
  return {panes: panes.length, total: root.scrollHeight, innerHeight: W.innerHeight, hiddenUi: ownUi.length};
}
"""

# Phase 2: walk the document in viewport steps so lazy content (loading=lazy, IntersectionObserver) loads.
# With an emulated viewport the helper makes the viewport tall first, so a few steps cover the page.
WALK_JS = r"""
async ({step, maxHeight, budgetMs}) => {
  const D = document, W = window, t0 = performance.now();
  // One rendering update (where intersections are computed), then the task after it.
  const frame = () => new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
  const root = D.scrollingElement || D.documentElement;
  let steps = 0;
  if (root.scrollHeight > W.innerHeight + 1) {
    for (let y = 0; y < Math.min(root.scrollHeight, maxHeight) && performance.now() - t0 < budgetMs; y += step) {
      W.scrollTo(0, y); steps++;
      await frame();
    }
  }
  return steps;
}
"""

# Phase 3: wait (bounded) for images still loading and for fonts, go to the top, measure.
SETTLE_JS = r"""
async ({budgetMs, maxHeight, maxWidth}) => {
  const D = document, W = window, t0 = performance.now();
  const sleep = ms => new Promise(r => setTimeout(r, ms));
  const frame = () => new Promise(r => requestAnimationFrame(() => r()));
  const pending = () => Array.from(D.images).filter(im => !im.complete && im.currentSrc);
  while (pending().length && performance.now() - t0 < budgetMs) await sleep(20);
  if (D.fonts && D.fonts.ready) await Promise.race([D.fonts.ready, sleep(300)]);
  W.scrollTo(0, 0);
  await frame();
  const root = D.scrollingElement || D.documentElement;
  const body = D.body || D.documentElement;
  const height = Math.max(root.scrollHeight, body.scrollHeight, 1);
  const width = Math.max(Math.min(Math.max(root.scrollWidth, body.scrollWidth), maxWidth), root.clientWidth, 1);
  const state = W.__orderWitnessRestore;
  return {
    width: Math.ceil(width), height: Math.ceil(Math.min(height, maxHeight)), full_height: Math.ceil(height),
    pending_images: pending().length, dpr: W.devicePixelRatio || 1,
    elapsed_ms: state ? Math.round(performance.now() - state.t0) : null,
  };
}
"""

# Measuring without waiting for anything (when the page stalls SETTLE_JS).
MEASURE_JS = r"""
({maxHeight, maxWidth}) => {
  const D = document, W = window;
  W.scrollTo(0, 0);
  const root = D.scrollingElement || D.documentElement;
  const body = D.body || D.documentElement;
  const height = Math.max(root.scrollHeight, body.scrollHeight, 1);
  const width = Math.max(Math.min(Math.max(root.scrollWidth, body.scrollWidth), maxWidth), root.clientWidth, 1);
  return {width: Math.ceil(width), height: Math.ceil(Math.min(height, maxHeight)), full_height: Math.ceil(height),
          pending_images: null, dpr: W.devicePixelRatio || 1, elapsed_ms: null};
}
"""

RESTORE_JS = r"""
() => {
  const state = window.__orderWitnessRestore;
  if (!state) return false;
  for (const [el, style] of state.styles.reverse()) {
    // Sync Chromium's lazily written style attribute first, or it comes back later as style="".
    el.style.cssText = '';
    el.getAttribute('style');
    if (style === null) el.removeAttribute('style'); else el.setAttribute('style', style);
  }
  for (const [el, left, top] of state.scrolls) { el.scrollLeft = left; el.scrollTop = top; }
  window.scrollTo(state.x, state.y);
  delete window.__orderWitnessRestore;
  return true;
}
"""


async def prepare(page, *, lazy_budget_ms: int = LAZY_BUDGET_MS) -> dict:
    """Expand panes, load lazy content, settle; returns the layout to capture."""
    expanded = await page.evaluate(EXPAND_JS, {"maxHeight": MAX_PAGE_CSS_PX})
    viewport = page.viewport_size  # None for a headed window without emulation
    step = expanded["innerHeight"] or 800
    tall = viewport is not None and expanded["total"] > 3 * viewport["height"]  # worth two resizes
    if tall:
        # A tall emulated viewport lets lazy content in a few steps instead of one per screen.
        step = min(max(viewport["height"], expanded["total"]), WALK_VIEWPORT_PX)
        await page.set_viewport_size({"width": viewport["width"], "height": step})
    # A hostile page can stall timers or animation frames: each phase is bounded from here as well.
    bound = lazy_budget_ms / 1000 + 1.5
    try:
        steps = await asyncio.wait_for(
            page.evaluate(WALK_JS, {"step": step, "maxHeight": MAX_PAGE_CSS_PX, "budgetMs": lazy_budget_ms}), bound)
    except asyncio.TimeoutError:
        steps = "stalled"
    finally:
        if tall:
            await page.set_viewport_size(viewport)
    settle_args = {"budgetMs": lazy_budget_ms, "maxHeight": MAX_PAGE_CSS_PX, "maxWidth": MAX_WIDTH_CSS_PX}
    try:
        layout = await asyncio.wait_for(page.evaluate(SETTLE_JS, settle_args), bound)
    except asyncio.TimeoutError:
        layout = await page.evaluate(MEASURE_JS, settle_args)
        layout["settle"] = "stalled"
    return {**layout, "expanded_panes": expanded["panes"], "lazy_steps": steps, "hidden_own_ui": expanded["hiddenUi"]}


async def restore(page) -> None:
    await page.evaluate(RESTORE_JS)


async def capture_tiles(cdp, layout: dict) -> PngStream:
    """Screenshot the prepared page in clips and stream them into one PNG."""
    dpr = float(layout.get("dpr") or 1)
    width, height = int(layout["width"]), int(layout["height"])
    tile_css = max(1, int(TILE_DEVICE_PX / dpr))
    stream = PngStream(round(width * dpr))
    pending: asyncio.Future | None = None

    def add(png: bytes) -> None:
        stream.add_png(png)

    for top in range(0, height, tile_css):
        h = min(tile_css, height - top)
        shot = await cdp.send("Page.captureScreenshot", {
            "format": "png",
            "clip": {"x": 0, "y": top, "width": width, "height": h, "scale": 1},
            "captureBeyondViewport": True,
            "optimizeForSpeed": True,
        })
        png = base64.b64decode(shot["data"])
        if pending is not None:
            await pending  # tiles go into the stream in order
        pending = asyncio.ensure_future(asyncio.to_thread(add, png))
    if pending is not None:
        await pending
    return stream
