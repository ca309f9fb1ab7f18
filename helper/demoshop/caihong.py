"""彩虹自助下单 (小白代刷网) pages, dispatched on `/?mod=…` like the real system:

    /?mod=query                       query form
    /?mod=query&data=ORDER_NO         order list + the "订单详细信息" popup, open (17-digit order number)
    /?mod=query&data=QQ               every order placed with that QQ, popup closed
    /?mod=workorder                   work-order list (业务补单 / 卡密错误 / 充值没到账; 待处理 / 待补充 / 已结单)
    /?mod=workorder&id=N              one work order with its replies
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from aiohttp import web

from .layout import SHOPS, document, e, footer, t
from .orders import CAIHONG, CAIHONG_RE, Order
from .state import state

WORK_TYPES = ("业务补单", "卡密错误", "充值没到账", "其他问题")
WORK_STATUSES = ("待处理", "待补充", "已结单")

CSS = """
body{margin:0;background:#ecf0f5 url() repeat;color:#58666e;font-size:14px}
.ch-top{background:#23b7e5;color:#fff;text-align:center;padding:26px 0 18px}
.ch-top h1{margin:0;font-size:26px;letter-spacing:2px}.ch-top p{margin:6px 0 0;font-size:13px;opacity:.9}
.ch-wrap{max-width:720px;margin:0 auto;padding:16px 10px}
.notice{background:#fcf8e3;border:1px solid #faebcc;color:#8a6d3b;padding:8px 12px;border-radius:3px;margin-bottom:12px;font-size:13px}
.nav-tabs{display:flex;border-bottom:1px solid #ddd;margin-bottom:0;padding:0;list-style:none}
.nav-tabs li a{display:block;padding:9px 18px;color:#23b7e5;text-decoration:none;border:1px solid transparent;border-radius:4px 4px 0 0}
.nav-tabs li.active a{background:#fff;border-color:#ddd #ddd transparent;color:#555}
.panel{background:#fff;border:1px solid #ddd;border-top:0;border-radius:0 0 4px 4px;padding:15px}
.input-group{display:flex}.input-group input{flex:1;padding:8px 10px;border:1px solid #cfdadd;border-radius:3px 0 0 3px}
.btn{padding:8px 16px;border:1px solid transparent;border-radius:3px;cursor:pointer;font-size:13px;text-decoration:none;display:inline-block}
.btn-info{background:#23b7e5;color:#fff}.btn-danger{background:#f05050;color:#fff}.btn-warning{background:#fad733;color:#fff}
.btn-default{background:#fff;border-color:#cfdadd;color:#58666e}.btn-xs{padding:2px 8px;font-size:12px}
table.table{width:100%;border-collapse:collapse;margin-top:12px;font-size:13px}
.table th,.table td{border:1px solid #eaeff0;padding:7px 8px;text-align:left}.table th{background:#f6f8f8}
.label{display:inline-block;padding:2px 6px;border-radius:3px;color:#fff;font-size:12px}
.label-warning{background:#fad733}.label-success{background:#27c24c}.label-info{background:#23b7e5}
.label-danger{background:#f05050}.label-default{background:#98a6ad}
.modal-backdrop{position:fixed;inset:0;background:rgba(0,0,0,.5);z-index:1040}
.modal{position:fixed;inset:0;z-index:1050;overflow-y:auto}
.modal-dialog{width:560px;max-width:94%;margin:60px auto;background:#fff;border-radius:5px;box-shadow:0 5px 15px rgba(0,0,0,.5)}
.modal-header{padding:12px 15px;border-bottom:1px solid #e5e5e5;display:flex}.modal-title{margin:0;font-size:17px;color:#333}
.modal-header .close{margin-left:auto;border:0;background:none;font-size:22px;line-height:1;color:#999;cursor:pointer}
.modal-body{padding:10px 15px}.modal-body td.warning{background:#fcf8e3;width:90px;color:#8a6d3b}
.modal-footer{padding:12px 15px;border-top:1px solid #e5e5e5;text-align:right}
.replies{margin-top:12px}.reply-item{border:1px solid #eaeff0;border-radius:3px;padding:8px 10px;margin-bottom:8px}
.reply-item .who{font-weight:600;color:#333}.reply-item .when{float:right;color:#98a6ad;font-size:12px}
.reply-item.admin{background:#f0faff;border-color:#bfe7f7}
.panel textarea{box-sizing:border-box}
.ch-footer{text-align:center;color:#98a6ad;font-size:12px;padding:18px 0 30px}.ch-footer a{color:#98a6ad}
"""

STATUS_LABEL = {"待处理": "label-warning", "已完成": "label-success", "处理中": "label-info", "异常": "label-danger", "已退款": "label-default"}
WORK_STATUS_LABEL = {"待处理": "label-warning", "待补充": "label-info", "已结单": "label-success"}


@dataclass(frozen=True)
class WorkOrder:
    wid: int
    kind: str
    status: str
    order_index: int  # index into the seeded 彩虹 orders, newest first
    created_ago: float
    replies: tuple[tuple[str, float, str], ...]  # (who: "user" | "admin", seconds before now, text)


H, M = 3600.0, 60.0
WORK_ORDERS = (
    WorkOrder(10086, "充值没到账", "待处理", 1, 5 * H, (
        ("user", 5 * H, "付款已经5个小时了，王者荣耀点券还没到账，充值QQ 2459876310。"),
        ("user", 2 * H, "网站写的是24小时内发货，但是客服一直不回复，请尽快处理。"),
    )),
    WorkOrder(10071, "业务补单", "待补充", 0, 3 * H + 20 * M, (
        ("user", 3 * H + 20 * M, "说说赞只到了300个，付款后10分钟内开始处理，现在还没刷完。"),
        ("admin", 2 * H + 50 * M, "您好，请补充说说截图，我们核实后为您补单。"),
    )),
    WorkOrder(10002, "卡密错误", "已结单", 2, 27 * H, (
        ("user", 27 * H, "订单显示已完成，但是播放量没有变化。"),
        ("admin", 26 * H, "已为您重新提交，请刷新查看。"),
        ("user", 25 * H, "已到账，谢谢。"),
    )),
)


def _shell(title: str, active: str, inner: str, extra: str = "") -> str:
    shop = SHOPS["caihong"]
    tabs = "".join(
        f'<li class="{"active" if key == active else ""}"><a href="{href}">{label}</a></li>'
        for key, href, label in (
            ("buy", "/?mod=buy", "在线下单"), ("query", "/?mod=query", "查询订单"), ("workorder", "/?mod=workorder", "售后工单"),
        )
    )
    body = (
        f'<div class="ch-top"><h1>{e(shop.name)}</h1><p>全网最低价 · 自助下单 · 24小时自动处理</p></div>'
        '<div class="ch-wrap"><div class="notice">公告：下单前请仔细阅读商品说明，人工商品24小时内发货，'
        f'售后问题请提交工单。客服QQ：{e(shop.qq)}</div>'
        f'<ul class="nav-tabs">{tabs}</ul><div class="panel">{inner}</div></div>'
        + footer(shop, cls="ch-footer") + extra
    )
    return document(f"{title} - {shop.name}", body, css=CSS)


def _orders(st) -> list[Order]:
    now = st.now()
    return sorted((o for o in st.orders.values() if o.system == CAIHONG), key=lambda o: o.created(now), reverse=True)


def _status(o: Order) -> str:
    return f'<span class="label {STATUS_LABEL.get(o.status, "label-default")}">{e(o.status)}</span>'


def order_modal(o: Order, now: datetime) -> str:
    rows = (
        ("订单编号", e(o.order_id)),
        ("商品名称", e(o.product)),
        ("订单金额", f"{e(o.amount)}元"),
        ("购买时间", e(t(o.created(now)))),
        ("下单信息", e(o.contact)),
        ("订单状态", _status(o)),
        ("商品说明", e(o.promise)),
    )
    table = "".join(f'<tr><td class="warning">{k}</td><td>{v}</td></tr>' for k, v in rows)
    return (
        '<div class="modal-backdrop fade in"></div>'
        '<div class="modal fade in" id="showOrder" role="dialog" aria-modal="true" style="display:block">'
        '<div class="modal-dialog"><div class="modal-header"><h4 class="modal-title">订单详细信息</h4>'
        '<button class="close" type="button" onclick="closeOrderModal()">×</button></div>'
        f'<div class="modal-body"><table class="table">{table}</table></div>'
        '<div class="modal-footer">'
        f'<a class="btn btn-danger" href="/?mod=workorder&amp;new=1&amp;order={e(o.order_id)}">投诉订单</a> '
        f'<a class="btn btn-warning" href="/?mod=workorder&amp;new=1&amp;type=refund&amp;order={e(o.order_id)}">申请退款</a> '
        '<button class="btn btn-default" type="button" onclick="closeOrderModal()">关闭</button></div></div></div>'
        "<script>function closeOrderModal(){document.getElementById('showOrder').style.display='none';"
        "var b=document.querySelector('.modal-backdrop');if(b)b.remove();}</script>"
    )


def _query_form(value: str) -> str:
    return (
        '<form method="get" action="/"><input type="hidden" name="mod" value="query"><div class="input-group">'
        f'<input name="data" value="{e(value)}" placeholder="请输入下单QQ或订单编号">'
        '<button class="btn btn-info" type="submit">立即查询</button></div></form>'
    )


def render_query(orders: list[Order], now: datetime, data: str, open_order: Order | None) -> str:
    rows = "".join(
        f"<tr><td>{e(o.order_id)}</td><td>{e(o.product)}</td><td>{e(o.amount)}元</td>"
        f"<td>{e(t(o.created(now)))}</td><td>{_status(o)}</td>"
        f'<td><a class="btn btn-info btn-xs" href="/?mod=query&amp;data={e(o.order_id)}">详细</a></td></tr>'
        for o in orders
    )
    table = (
        '<table class="table"><tr><th>订单编号</th><th>商品名称</th><th>金额</th><th>购买时间</th><th>状态</th><th>操作</th></tr>'
        f"{rows}</table>" if orders else ""
    )
    modal = order_modal(open_order, now) if open_order else ""
    return _shell("查询订单", "query", _query_form(data) + table, extra=modal)


def query(request: web.Request) -> web.Response:
    st = state(request)
    now = st.now()
    data = request.query.get("data", "").strip()
    if not data:
        return web.Response(text=_shell("查询订单", "query", _query_form("")), content_type="text/html")
    if CAIHONG_RE.match(data):
        o = st.order(CAIHONG, data)
        found, open_order = ([o], o) if o else ([], None)
    else:
        found = [o for o in _orders(st) if data and data in o.contact]
        open_order = None
    if not found:
        inner = _query_form(data) + '<p style="color:#f05050;margin-top:12px">未查询到相关订单记录！</p>'
        return web.Response(status=404, text=_shell("查询订单", "query", inner), content_type="text/html")
    return web.Response(text=render_query(found, now, data, open_order), content_type="text/html")


def _work_order_row(w: WorkOrder, orders: list[Order], now: datetime) -> str:
    oid = orders[w.order_index].order_id if w.order_index < len(orders) else "-"
    return (
        f'<tr><td>{w.wid}</td><td>{e(w.kind)}</td><td>{e(oid)}</td>'
        f'<td><span class="label {WORK_STATUS_LABEL[w.status]}">{e(w.status)}</span></td>'
        f"<td>{t(now - timedelta(seconds=w.created_ago))}</td>"
        f'<td><a class="btn btn-info btn-xs" href="/?mod=workorder&amp;id={w.wid}">查看</a></td></tr>'
    )


def workorder(request: web.Request) -> web.Response:
    st = state(request)
    now = st.now()
    seeded = [o for o in _orders(st) if o.seeded]
    wid = request.query.get("id")
    if wid is None:
        rows = "".join(_work_order_row(w, seeded, now) for w in WORK_ORDERS)
        types = "".join(f"<option>{k}</option>" for k in WORK_TYPES)
        inner = (
            '<table class="table"><tr><th>工单号</th><th>问题类型</th><th>订单编号</th><th>状态</th><th>提交时间</th><th>操作</th></tr>'
            f"{rows}</table><h4>提交新工单</h4><p>问题类型：<select>{types}</select></p>"
            '<p><textarea style="width:100%;height:60px" placeholder="请详细描述您的问题"></textarea></p>'
            '<button class="btn btn-info" type="button">提交工单</button>'
        )
        return web.Response(text=_shell("售后工单", "workorder", inner), content_type="text/html")
    w = next((w for w in WORK_ORDERS if str(w.wid) == wid), None)
    if w is None:
        inner = '<p style="color:#f05050">工单不存在！</p>'
        return web.Response(status=404, text=_shell("工单不存在", "workorder", inner), content_type="text/html")
    o = seeded[w.order_index] if w.order_index < len(seeded) else None
    replies = "".join(
        f'<div class="reply-item {who}"><span class="who">{"管理员" if who == "admin" else "我"}</span>'
        f'<span class="when">{t(now - timedelta(seconds=ago))}</span><div>{e(text)}</div></div>'
        for who, ago, text in w.replies
    )
    head = (
        '<table class="table">'
        f"<tr><th>工单号</th><td>{w.wid}</td><th>问题类型</th><td>{e(w.kind)}</td></tr>"
        f'<tr><th>订单编号</th><td>{e(o.order_id if o else "-")}</td><th>状态</th>'
        f'<td><span class="label {WORK_STATUS_LABEL[w.status]}">{e(w.status)}</span></td></tr>'
        f"<tr><th>商品名称</th><td>{e(o.product if o else '-')}</td><th>提交时间</th>"
        f"<td>{t(now - timedelta(seconds=w.created_ago))}</td></tr></table>"
    )
    form = (
        '<p><textarea style="width:100%;height:60px" placeholder="补充说明"></textarea></p>'
        '<button class="btn btn-info" type="button">回复</button>' if w.status != "已结单" else "<p>工单已结单。</p>"
    )
    inner = head + f'<div class="replies">{replies}</div>' + form
    return web.Response(text=_shell(f"工单 {w.wid}", "workorder", inner), content_type="text/html")


def buy(request: web.Request) -> web.Response:
    items = (
        ("QQ空间说说赞 1000个", "9.90", "付款后10分钟内开始处理"),
        ("王者荣耀点券 1000点（直充）", "96.00", "24小时内发货"),
        ("快手作品播放量 10000", "5.00", "付款后10分钟内开始处理"),
        ("网易云音乐等级加速 30天", "12.50", "代开类商品一般在48小时内完成"),
    )
    rows = "".join(
        f"<tr><td>{e(n)}</td><td>{e(p)}元</td><td>{e(note)}</td>"
        '<td><button class="btn btn-info btn-xs" type="button">立即购买</button></td></tr>'
        for n, p, note in items
    )
    inner = f'<table class="table"><tr><th>商品名称</th><th>价格</th><th>说明</th><th></th></tr>{rows}</table>'
    return web.Response(text=_shell("在线下单", "buy", inner), content_type="text/html")


MODS = {"query": query, "workorder": workorder, "buy": buy}
