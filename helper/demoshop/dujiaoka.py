"""独角数卡 (dujiaoka) pages: order detail in two themes, product pages.

Theme A (星辰数卡) imitates the default Bootstrap theme: `label` + `span` rows in a card.
Theme B (云栈自动发卡) imitates the "hyper" theme: `ul > li > strong` lists, and a pasted third-party chat
widget in the footer (dujiaoka itself has no chat).
"""

from __future__ import annotations

from aiohttp import web

from .layout import SHOPS, document, e, footer, not_found_page, t
from .orders import DUJIAOKA, PRODUCTS, SN_RE, Order
from .state import state

OUT_OF_STOCK = "库存可使用卡密不足，请联系管理员核查"

STATUS_COLORS_A = {
    "待支付": "#f0ad4e", "待处理": "#5bc0de", "处理中": "#337ab7", "已完成": "#5cb85c",
    "失败": "#d9534f", "异常": "#d9534f", "已过期": "#999999",
}

CSS_A = """
body{margin:0;background:#f4f6f9;color:#333;font-size:14px}
.navbar{background:linear-gradient(90deg,#3c8ce7,#00eaff);color:#fff;height:56px;display:flex;align-items:center;padding:0 40px}
.navbar .brand{font-size:20px;font-weight:700;color:#fff;text-decoration:none}
.navbar .nav{margin-left:auto}.navbar .nav a{color:#fff;margin-left:24px;text-decoration:none}
.container{max-width:960px;margin:30px auto;padding:0 15px}
.card{background:#fff;border-radius:6px;box-shadow:0 1px 4px rgba(0,0,0,.08);margin-bottom:20px}
.card-header{padding:14px 20px;border-bottom:1px solid #eef0f3;font-size:16px;font-weight:600}
.card-body{padding:16px 20px}
.info-item{display:flex;padding:9px 0;border-bottom:1px dashed #eef0f3}
.info-item label{width:120px;color:#888;flex:none}.info-item span{color:#222}
.badge{display:inline-block;padding:2px 10px;border-radius:10px;color:#fff;font-size:12px}
.price{color:#e4393c;font-weight:700}
.tips{background:#fff8e6;border:1px solid #ffe1a6;color:#8a6d3b;padding:10px 14px;border-radius:4px;margin-bottom:16px}
.km textarea{width:100%;height:110px;font-family:Menlo,Consolas,monospace;font-size:14px;padding:8px;box-sizing:border-box;border:1px solid #dcdfe6;border-radius:4px}
.btn{display:inline-block;padding:7px 18px;border-radius:4px;border:none;background:#3c8ce7;color:#fff;cursor:pointer;font-size:14px;text-decoration:none}
.btn-warning{background:#f0ad4e}.btn-danger{background:#d9534f}
.alert-danger{background:#fdecea;border:1px solid #f5c2c0;color:#a94442;padding:12px 16px;border-radius:4px;margin:12px 0}
.goods{display:flex;gap:24px}.goods .cover{width:220px;height:220px;border-radius:6px;background:linear-gradient(135deg,#1b2838,#2a475e);color:#fff;display:flex;align-items:center;justify-content:center;font-size:22px;text-align:center}
.footer{text-align:center;color:#999;font-size:12px;padding:24px 0 40px}.footer a{color:#999}
"""

CSS_B = """
body{margin:0;background:#fafbfe;color:#6c757d;font-size:14px}
.topbar{background:#313a46;height:64px;display:flex;align-items:center;padding:0 24px}
.topbar .logo{color:#fff;font-size:19px;letter-spacing:1px}.topbar .logo b{color:#0acf97}
.topbar .menu{margin-left:auto}.topbar .menu a{color:#aab8c5;margin-left:20px;text-decoration:none}
.wrapper{max-width:880px;margin:24px auto;padding:0 12px}
.page-title{font-size:18px;color:#313a46;margin:0 0 16px}
.box{background:#fff;box-shadow:0 0 35px 0 rgba(154,161,171,.15);border-radius:4px;padding:20px 24px;margin-bottom:24px}
.box h4{margin:0 0 12px;color:#313a46;font-size:15px}
ul.order-info{list-style:none;margin:0;padding:0}
ul.order-info>li{padding:8px 0;border-bottom:1px solid #f1f3fa;color:#313a46}
ul.order-info>li>strong{display:inline-block;width:110px;color:#98a6ad;font-weight:500}
.st{padding:2px 8px;border-radius:3px;font-size:12px;background:#e3eaef;color:#313a46}
.st-ok{background:#0acf97;color:#fff}.st-bad{background:#fa5c7c;color:#fff}.st-wait{background:#ffbc00;color:#fff}
textarea.form-control{width:100%;height:96px;border:1px solid #dee2e6;border-radius:3px;padding:8px;box-sizing:border-box;font-family:monospace}
.btn-copy{margin-top:8px;background:#727cf5;color:#fff;border:0;border-radius:3px;padding:6px 16px;cursor:pointer}
.notice{border-left:3px solid #39afd1;background:#f3fbfd;padding:8px 12px;color:#3a6f7e;margin-bottom:14px}
.site-footer{text-align:center;font-size:12px;color:#98a6ad;padding:20px 0 90px}.site-footer a{color:#98a6ad}
#mq-widget{position:fixed;right:20px;bottom:20px;width:300px;background:#fff;border-radius:8px;box-shadow:0 4px 20px rgba(0,0,0,.18);overflow:hidden;font-size:13px;text-align:left}
#mq-widget .mq-head{background:#1e88e5;color:#fff;padding:10px 12px}
#mq-widget .mq-body{height:150px;overflow-y:auto;padding:8px 10px;background:#f7f9fb}
#mq-widget .mq-msg{margin:6px 0}#mq-widget .mq-msg .mq-t{color:#aaa;font-size:11px}
#mq-widget .mq-msg.agent .mq-b{background:#fff;border:1px solid #e5e9ef}
#mq-widget .mq-b{display:inline-block;padding:5px 8px;border-radius:6px;background:#d6ecff;color:#333}
#mq-widget .mq-input{border-top:1px solid #eee;padding:8px;color:#bbb}
"""


def _nav_a(shop) -> str:
    return (
        f'<nav class="navbar"><a class="brand" href="/">{e(shop.name)}</a>'
        '<div class="nav"><a href="/">首页</a><a href="/buy/1">全部商品</a><a href="/order-search">订单查询</a>'
        '<a href="/rules">购物须知</a></div></nav>'
    )


def order_rows(o: Order, now) -> list[tuple[str, str]]:
    """(label, html value) pairs in dujiaoka's order."""
    return [
        ("订单号", e(o.order_id)),
        ("订单名称", e(o.product)),
        ("购买数量", e(o.quantity)),
        ("订单创建时间", e(t(o.created(now)))),
        ("下单邮箱", e(o.contact)),
        ("订单类型", e(o.order_type)),
        ("实际支付价格", f'<b class="price">{e(o.amount)}</b> ¥' if o.status not in ("待支付", "已过期") else "0.00 ¥"),
        ("订单状态", None),
        ("支付方式", e(o.pay_method)),
    ]


def _keys_a(o: Order) -> str:
    keys = "\n".join(o.keys)
    return (
        '<div class="card"><div class="card-header">卡密信息</div><div class="card-body km">'
        f'<textarea id="kami" readonly>{e(keys)}</textarea>'
        '<p><button class="btn" type="button" onclick="copyKami(\'kami\', this)">复制</button></p></div></div>'
    )


COPY_JS = """<script>
function copyKami(id, btn){var el=document.getElementById(id);el.select();
try{navigator.clipboard.writeText(el.value)}catch(e){document.execCommand('copy')}
btn.textContent='已复制';setTimeout(function(){btn.textContent='复制'},1500);}
</script>"""


def _status_note(o: Order) -> str:
    if o.status == "待支付":
        return f'<p><a class="btn btn-warning" href="#pay-{e(o.order_id)}">立即支付</a> 订单将在30分钟后自动关闭</p>'
    if o.status == "已过期":
        return '<div class="alert-danger">订单已过期，请重新下单</div>'
    if o.status == "异常":
        return '<div class="alert-danger">订单异常，请联系客服处理</div>'
    if o.status == "失败":
        return '<div class="alert-danger">订单处理失败，请联系客服</div>'
    if o.status in ("待处理", "处理中"):
        return '<div class="tips">订单正在处理中，请稍后刷新本页面查看卡密</div>'
    return ""


def render_theme_a(o: Order, now) -> str:
    shop = SHOPS["dujiaoka-a"]
    rows = []
    for label, value in order_rows(o, now):
        if value is None:
            color = STATUS_COLORS_A.get(o.status, "#999")
            value = f'<em class="badge" style="background:{color};font-style:normal">{e(o.status)}</em>'
        rows.append(f'<div class="info-item"><label>{label}：</label><span>{value}</span></div>')
    tips = f'<div class="tips">购买提示：{e(o.promise)}</div>' if o.promise else ""
    keys = _keys_a(o) if o.status == "已完成" and o.keys else ""
    body = (
        _nav_a(shop)
        + '<div class="container">'
        + '<div class="card"><div class="card-header">订单详情</div><div class="card-body">'
        + tips + "".join(rows) + _status_note(o) + "</div></div>"
        + keys + "</div>"
        + footer(shop) + COPY_JS
    )
    return document(f"订单详情 - {shop.name}", body, css=CSS_A)


def _status_b(status: str) -> str:
    cls = {"已完成": "st-ok", "失败": "st-bad", "异常": "st-bad", "待支付": "st-wait", "待处理": "st-wait"}.get(status, "")
    return f'<span class="st {cls}">{e(status)}</span>'


def chat_widget(now) -> str:
    """A pasted third-party customer-service widget (美洽-like), as dujiaoka shops add to the footer."""
    from datetime import timedelta

    t1, t2 = t(now - timedelta(hours=5)), t(now - timedelta(hours=2, minutes=11))
    return (
        '<div id="mq-widget" class="mq-container" data-vendor="meiqia-like">'
        '<div class="mq-head">在线客服 · 云栈自动发卡</div>'
        '<div class="mq-body">'
        f'<div class="mq-msg agent"><div class="mq-t">客服小云 {t1}</div><span class="mq-b">您好，自动发货商品付款后即时发货，人工商品24小时内处理。</span></div>'
        f'<div class="mq-msg visitor"><div class="mq-t">访客 {t2}</div><span class="mq-b">订单P9O7I5U3Y1T2R4E6显示异常，钱已经付了</span></div>'
        '</div><div class="mq-input">请输入消息，按回车发送…</div>'
        "<script>(function(){var b=document.querySelector('#mq-widget .mq-body');b.scrollTop=b.scrollHeight;})();</script>"
        "</div>"
    )


def render_theme_b(o: Order, now) -> str:
    shop = SHOPS["dujiaoka-b"]
    items = []
    for label, value in order_rows(o, now):
        if value is None:
            value = _status_b(o.status)
        items.append(f"<li><strong>{label}：</strong>{value}</li>")
    notice = f'<div class="notice">{e(o.promise)}</div>' if o.promise else ""
    keys = ""
    if o.status == "已完成" and o.keys:
        keys = (
            '<div class="box"><h4>卡密</h4>'
            f'<textarea class="form-control" id="kami-b" readonly>{e(chr(10).join(o.keys))}</textarea>'
            '<button class="btn-copy" type="button" onclick="copyKami(\'kami-b\', this)">复制</button></div>'
        )
    elif o.status in ("待处理", "处理中"):
        keys = '<div class="box"><h4>卡密</h4><p>订单尚未发货，请耐心等待。</p></div>'
    body = (
        f'<header class="topbar"><span class="logo"><b>云栈</b>自动发卡</span>'
        '<div class="menu"><a href="/">首页</a><a href="/order-search">查询订单</a><a href="/rules">售后说明</a></div></header>'
        '<div class="wrapper"><h3 class="page-title">查询订单</h3>'
        f'<div class="box"><h4>订单信息</h4>{notice}<ul class="order-info">{"".join(items)}</ul></div>'
        f"{keys}</div>"
        + footer(shop, cls="site-footer", extra=chat_widget(now))
        + COPY_JS
    )
    return document(f"{shop.name} - 订单详情", body, css=CSS_B)


def _find(request: web.Request) -> Order:
    sn = request.match_info["sn"]
    o = state(request).order(DUJIAOKA, sn) if SN_RE.match(sn) else None
    if o is None:
        raise web.HTTPNotFound(text=not_found_page("订单不存在，请检查订单号"), content_type="text/html")
    return o


async def detail_a(request: web.Request) -> web.Response:
    o = _find(request)
    return web.Response(text=render_theme_a(o, state(request).now()), content_type="text/html")


async def detail_b(request: web.Request) -> web.Response:
    o = _find(request)
    return web.Response(text=render_theme_b(o, state(request).now()), content_type="text/html")


async def product(request: web.Request) -> web.Response:
    try:
        pid = int(request.match_info["pid"])
    except ValueError:
        pid = -1
    p = next((p for p in PRODUCTS if p.pid == pid), None)
    if p is None:
        raise web.HTTPNotFound(text=not_found_page("商品不存在或已下架"), content_type="text/html")
    shop = SHOPS["dujiaoka-a"]
    stock = (
        f'<span>库存：{p.stock}</span>' if p.stock
        else f'<span>库存：0</span><div class="alert-danger">{OUT_OF_STOCK}</div>'
    )
    body = (
        _nav_a(shop)
        + '<div class="container"><div class="card"><div class="card-header">商品详情</div><div class="card-body">'
        + f'<div class="goods"><div class="cover">{e(p.name)}</div><div class="info">'
        + f'<h2>{e(p.name)}</h2><p><span class="badge" style="background:#5cb85c">自动发货</span> '
        + f'<span class="tips" style="display:inline-block;margin:0">{e(p.promise)}</span></p>'
        + f'<p>价格：<b class="price">¥ {e(p.price)}</b></p><p>{stock}</p>'
        + '<p><label>下单邮箱：</label><input type="email" placeholder="用于接收卡密"> '
        + '<label>数量：</label><input type="number" value="1" min="1" style="width:60px"></p>'
        + '<p><button class="btn">立即购买</button></p></div></div>'
        + f'<h3>商品描述</h3><p>{e(p.description)}</p></div></div></div>'
        + footer(shop)
    )
    return web.Response(text=document(f"{p.name} - {shop.name}", body, css=CSS_A), content_type="text/html")


async def order_search(request: web.Request) -> web.Response:
    shop = SHOPS["dujiaoka-a"]
    body = (
        _nav_a(shop)
        + '<div class="container"><div class="card"><div class="card-header">订单查询</div><div class="card-body">'
        + '<form onsubmit="location.href=\'/detail-order-sn/\'+this.sn.value.trim();return false">'
        + '<p><label>订单号：</label><input name="sn" maxlength="16" placeholder="请输入16位订单号" style="width:260px"> '
        + '<button class="btn">查询</button></p></form>'
        + '<div class="tips">也可以通过下单邮箱查询，或浏览器缓存查询最近订单。</div></div></div></div>'
        + footer(shop)
    )
    return web.Response(text=document(f"订单查询 - {shop.name}", body, css=CSS_A), content_type="text/html")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/detail-order-sn/{sn}", detail_a)
    app.router.add_get("/b/detail-order-sn/{sn}", detail_b)
    app.router.add_get("/buy/{pid}", product)
    app.router.add_get("/order-search", order_search)
