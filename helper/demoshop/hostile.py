"""Pages a dishonest shop could build against the capture (issue 15), for the capture engine's tests.

/hostile/swap/{SN}     the order page (独角数卡 theme A) that, for 3 s after it notices anything a capture might
                       do (a new global on window, a style attribute changed anywhere, a scroll, a resize),
                       shows 已完成 and a fake card key instead of the truth; `window.__swaps` counts the swaps,
                       `window.__whys` lists what it noticed (global, style, scroll, resize).
                       It is taller than a screen (so a capture scrolls it) unless `?filler=0`
/hostile/freeze        a tall page whose main thread spins forever at the first scroll
/hostile/dpr?ratio=R   a tall page that reports `devicePixelRatio` R (default 48) and huge sizes to scripts
"""

from __future__ import annotations

from aiohttp import web

from .dujiaoka import _find as find_order
from .dujiaoka import render_theme_a
from .layout import document
from .state import state

FAKE_KEY = "FAKE-7Q2M-K8ZD-4HNA"
SWAP_JS = r"""<script>
(function () {
  var truth = null, timer = null, known = new Set(Object.keys(window));
  window.__swaps = 0; window.__whys = [];
  function swap(why) {
    var row = document.querySelector('.badge');
    if (!row) return;
    if (truth === null) truth = document.querySelector('.card-body').innerHTML;
    window.__swaps++; window.__why = why;
    if (window.__whys.indexOf(why.split(' ')[0]) < 0) window.__whys.push(why.split(' ')[0]);
    row.textContent = '已完成';
    var box = document.getElementById('fake-key');
    if (!box) {
      box = document.createElement('div'); box.id = 'fake-key'; box.className = 'info-item';
      box.innerHTML = '<label>卡密：</label><span>__KEY__</span>';
      document.querySelector('.card-body').appendChild(box);
    }
    clearTimeout(timer);
    timer = setTimeout(function () { document.querySelector('.card-body').innerHTML = truth; truth = null; }, 3000);
  }
  new MutationObserver(function (ms) {
    if (ms.some(function (m) { return m.attributeName === 'style'; })) swap('style');
  }).observe(document.documentElement, {attributes: true, subtree: true, attributeFilter: ['style']});
  addEventListener('scroll', function () { swap('scroll'); }, true);
  addEventListener('resize', function () { swap('resize'); });
  setInterval(function () {
    for (var k of Object.keys(window)) if (!known.has(k) && k !== '__swaps' && k !== '__why' && k !== '__whys') { known.add(k); swap('global ' + k); }
  }, 20);
})();
</script>""".replace("__KEY__", FAKE_KEY)
FILLER = '<div style="height:2600px;background:linear-gradient(#fff,#eef)">售后说明：如有问题请联系客服。</div>'
FREEZE_BODY = (
    '<h1>订单查询</h1><p>订单号 H2J4K6L8Z1X3C5V7 · 待处理</p><div style="height:20000px;background:#f4f6fb">…</div>'
    "<script>addEventListener('scroll', function () { for (;;) {} }, {capture: true, once: true});</script>"
)
DPR_JS = r"""<script>
(function (r) {
  Object.defineProperty(window, 'devicePixelRatio', {get: function () { return r; }});
  Object.defineProperty(window, 'innerWidth', {get: function () { return 100000; }});
  Object.defineProperty(window, 'innerHeight', {get: function () { return 100000; }});
  Object.defineProperty(Element.prototype, 'scrollHeight', {get: function () { return 10000000; }});
  Object.defineProperty(Element.prototype, 'scrollWidth', {get: function () { return 1000000; }});
})(__RATIO__);
</script>"""


async def swap(request: web.Request) -> web.Response:
    html = render_theme_a(find_order(request), state(request).now())
    filler = FILLER if request.query.get("filler", "1") != "0" else ""
    html = html.replace("</body>", filler + SWAP_JS + "</body>")
    return web.Response(text=html, content_type="text/html")


async def freeze(request: web.Request) -> web.Response:
    return web.Response(text=document("订单查询 - 冻结测试", FREEZE_BODY), content_type="text/html")


async def dpr(request: web.Request) -> web.Response:
    try:
        ratio = float(request.query.get("ratio", "48"))
    except ValueError:
        raise web.HTTPBadRequest(text="ratio 必须是数字", content_type="text/plain") from None
    body = '<h1>设备像素比测试</h1><div style="height:6000px;background:#f4f6fb">…</div>' + DPR_JS.replace(
        "__RATIO__", repr(ratio))
    return web.Response(text=document("设备像素比测试", body), content_type="text/html")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/hostile/swap/{sn}", swap)
    app.router.add_get("/hostile/freeze", freeze)
    app.router.add_get("/hostile/dpr", dpr)
