"""Pages for capture tests: a very tall page with known colours, lazy images, a hanging page, a slow page.

/tall?height=H (1000 ≤ H ≤ 200000, default 40000): the document is exactly H px tall (body margin 0).
Band i covers y ∈ [1000·i, 1000·i + 1000) and is filled with band_color(i); its top-left corner holds a
label "第 i 段 · 偏移 1000·i px · rgb(r,g,b)" (x < 460, y < 70 inside the band) and, in bands 5k+2 and 5k+4,
a lazy image at x 20-260, y 100-220 inside the band. Everything right of x = 600 is plain band colour, so a
capture test can check pixel (x ≥ 600, 1000·i + 500) against band_color(i). Lazy images are filled with
LAZY_COLOR: bands 5k+2 use loading="lazy", bands 5k+4 an IntersectionObserver that swaps data-src in.
"""

from __future__ import annotations

import asyncio

from aiohttp import web

from .jsonapi import json_response
from .layout import SHOPS, document, e, error_page, footer
from .state import state

BAND = 1000
MIN_HEIGHT, MAX_HEIGHT, DEFAULT_HEIGHT = 1000, 200_000, 40_000
LAZY_COLOR = (255, 0, 255)
HANG_LIMIT_SECONDS = 3600.0


def band_color(i: int) -> tuple[int, int, int]:
    """Colour of band i: distinct from its neighbours and never LAZY_COLOR."""
    return ((i * 67 + 40) % 256, (i * 151 + 90) % 256, (i * 29 + 17) % 200)


def _bad(message: str) -> web.HTTPBadRequest:
    return web.HTTPBadRequest(text=error_page(400, message), content_type="text/html")


def _int_param(request: web.Request, name: str, default: int, lo: int, hi: int) -> int:
    raw = request.query.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise _bad(f"参数 {name} 必须是整数 / {name} must be an integer")
    if not lo <= value <= hi:
        raise _bad(f"参数 {name} 必须在 {lo} 到 {hi} 之间 / {name} must be between {lo} and {hi}")
    return value


TALL_CSS = """
html,body{margin:0;padding:0}
#tall{position:relative;width:100%;overflow:hidden}
.band{position:absolute;left:0;right:0;height:1000px}
.band .lbl{position:absolute;left:0;top:0;width:460px;height:70px;box-sizing:border-box;padding:10px 16px;
  background:#fff;color:#000;font-size:20px;line-height:50px;white-space:nowrap}
.band img{position:absolute;left:20px;top:100px;width:240px;height:120px;background:#ddd}
"""

OBSERVER_JS = """<script>
(function(){
  var io = new IntersectionObserver(function(entries){
    entries.forEach(function(en){ if (en.isIntersecting){ var img = en.target; img.src = img.dataset.src;
      img.removeAttribute('data-src'); io.unobserve(img); } });
  }, {rootMargin: '200px'});
  document.querySelectorAll('img[data-src]').forEach(function(img){ io.observe(img); });
})();
</script>"""


async def tall(request: web.Request) -> web.Response:
    height = _int_param(request, "height", DEFAULT_HEIGHT, MIN_HEIGHT, MAX_HEIGHT)
    bands = []
    for i in range((height + BAND - 1) // BAND):
        top = i * BAND
        h = min(BAND, height - top)
        r, g, b = band_color(i)
        img = ""
        if i % 5 == 2:
            img = f'<img loading="lazy" src="/tall/img/{i}.svg" alt="懒加载图片 {i}" width="240" height="120">'
        elif i % 5 == 4:
            img = (f'<img data-src="/tall/img/{i}.svg" alt="延迟加载图片 {i}" width="240" height="120" '
                   'src="data:image/gif;base64,R0lGODlhAQABAAAAACH5BAEKAAEALAAAAAABAAEAAAICTAEAOw==">')
        bands.append(
            f'<div class="band" id="band-{i}" data-index="{i}" data-offset="{top}" '
            f'style="top:{top}px;height:{h}px;background:rgb({r},{g},{b})">'
            f'<div class="lbl">第 {i} 段 · 偏移 {top} px · rgb({r},{g},{b})</div>{img}</div>'
        )
    body = f'<div id="tall" style="height:{height}px" data-height="{height}">{"".join(bands)}</div>{OBSERVER_JS}'
    title = f"超长页面 {height}px - {SHOPS['hub'].name}"
    return web.Response(text=document(title, body, css=TALL_CSS), content_type="text/html")


async def tall_image(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    if not name.isdigit() or len(name) > 4:
        raise web.HTTPNotFound(text="not found")
    st = state(request)
    st.lazy_hits[name] = st.lazy_hits.get(name, 0) + 1
    r, g, b = LAZY_COLOR
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="240" height="120" viewBox="0 0 240 120">'
        f'<rect width="240" height="120" fill="rgb({r},{g},{b})"/>'
        f'<text x="12" y="70" font-size="22" fill="#fff" font-family="Noto Sans CJK SC, sans-serif">图片 {e(name)}</text></svg>'
    )
    return web.Response(text=svg, content_type="image/svg+xml", headers={"Cache-Control": "no-store"})


async def _stall(request: web.Request) -> None:
    """Wait until the client goes away, the app stops, or an hour passes."""
    stopping = state(request).stopping
    waited = 0.0
    while waited < HANG_LIMIT_SECONDS and not stopping.is_set():
        transport = request.transport
        if transport is None or transport.is_closing():
            return
        try:
            await asyncio.wait_for(stopping.wait(), 0.5)
        except asyncio.TimeoutError:
            waited += 0.5


async def hang(request: web.Request) -> web.StreamResponse:
    """A page whose body never completes: the load event never fires."""
    resp = web.StreamResponse(headers={"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"})
    await resp.prepare(request)
    await resp.write(
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>正在加载… - 订单证人 演示商城</title>'
        '<style>body{font-family:"Noto Sans CJK SC",sans-serif;padding:40px}</style></head>'
        "<body><h1>页面加载中，请稍候…</h1><p>此页面的响应永远不会结束（超时测试）。</p>".encode()
    )
    await _stall(request)
    return resp


async def hang_image_page(request: web.Request) -> web.Response:
    """A complete page with one image that never finishes loading (DOMContentLoaded fires, load does not)."""
    shop = SHOPS["hub"]
    body = (
        '<div style="padding:40px"><h1>图片加载中的页面</h1><p>下面的图片永远加载不完（超时测试）。</p>'
        '<img src="/hang/image.png" width="300" height="200" alt="永不加载的图片" style="background:#eee"></div>'
        + footer(shop)
    )
    return web.Response(text=document(f"图片永不加载 - {shop.name}", body), content_type="text/html")


async def hang_image(request: web.Request) -> web.StreamResponse:
    resp = web.StreamResponse(headers={"Content-Type": "image/png", "Cache-Control": "no-store"})
    await resp.prepare(request)
    await resp.write(b"\x89PNG\r\n\x1a\n")
    await _stall(request)
    return resp


async def slow(request: web.Request) -> web.Response:
    ms = _int_param(request, "ms", 1000, 0, 60_000)
    await asyncio.sleep(ms / 1000)
    shop = SHOPS["hub"]
    body = f'<div style="padding:40px"><h1>慢速页面</h1><p>服务器延迟 {ms} 毫秒后返回。</p></div>' + footer(shop)
    return web.Response(text=document(f"慢速页面 {ms}ms - {shop.name}", body), content_type="text/html")


async def lazy_hits(request: web.Request) -> web.Response:
    """How often each lazy image of /tall was served, so a capture test can tell it scrolled them in."""
    served = dict(sorted(state(request).lazy_hits.items(), key=lambda kv: int(kv[0])))
    return json_response({"served": served}, headers={"Cache-Control": "no-store"})


def add_routes(app: web.Application) -> None:
    app.router.add_get("/demo/tall/images.json", lazy_hits)
    app.router.add_get("/tall", tall)
    app.router.add_get("/tall/img/{name}.svg", tall_image)
    app.router.add_get("/hang", hang)
    app.router.add_get("/hang-image", hang_image_page)
    app.router.add_get("/hang/image.png", hang_image)
    app.router.add_get("/slow", slow)
