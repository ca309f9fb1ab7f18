"""异次元发卡 (acg-faka) pages (喵呜发卡网, a multi-merchant platform): order query and the ticket (工单)
system, whose thread scrolls inside its own pane on the ticket page and takes new messages live.

    /user/index/query                 query form
    /user/index/query?tradeNo=N       result card (18-digit trade number)
    /user/ticket                      ticket list with statuses 待客服回复 / 待我回复 / 已解决 / 已关闭
    /user/ticket/{id}                 ticket thread (chat thread "ticket-{id}") with the order summary
"""

from __future__ import annotations

from datetime import datetime

from aiohttp import web

from ..core.clock import CHINA
from .chat import Thread
from .chatpages import poll_script
from .layout import SHOPS, document, e, footer, not_found_page, t
from .orders import ACG_FAKA, ACG_RE, Order
from .state import state

MANUAL_TEXT = "正在发货中，请耐心等待，如有疑问，请联系客服。"

CSS = """
body{margin:0;min-height:100vh;background:linear-gradient(160deg,#a18cd1 0%,#fbc2eb 100%);color:#555;font-size:14px}
.acg-nav{height:60px;background:rgba(255,255,255,.85);display:flex;align-items:center;padding:0 32px;box-shadow:0 2px 10px rgba(161,140,209,.3)}
.acg-nav .logo{font-size:20px;color:#8e6bd8;font-weight:700}.acg-nav .logo i{font-style:normal;color:#ff6b9a}
.acg-nav .links{margin-left:auto}.acg-nav .links a{color:#8e6bd8;margin-left:22px;text-decoration:none}
.acg-main{max-width:900px;margin:28px auto;padding:0 12px}
.acg-card{background:#fff;border-radius:16px;box-shadow:0 8px 24px rgba(142,107,216,.15);padding:22px 26px;margin-bottom:20px}
.acg-card .title{font-size:17px;color:#8e6bd8;margin:0 0 14px;font-weight:700}
.query-form input{width:70%;padding:10px 14px;border:2px solid #e4d9fb;border-radius:22px;outline:none;font-size:14px}
.query-form button,.acg-btn{padding:10px 26px;border:0;border-radius:22px;background:linear-gradient(90deg,#a18cd1,#ff8fb3);color:#fff;cursor:pointer;text-decoration:none;display:inline-block}
.result-table{width:100%;border-collapse:collapse}
.result-table th{width:110px;text-align:left;color:#aa9ccc;font-weight:400;padding:9px 0;vertical-align:top}
.result-table td{padding:9px 0;color:#444;border-bottom:1px dashed #f0e9fb}
.tag{display:inline-block;padding:1px 10px;border-radius:10px;font-size:12px}
.tag-paid{background:#e3f9ee;color:#1aae6f}.tag-unpaid{background:#fff1e6;color:#f08a24}
.tag-wait{background:#fff7d6;color:#c79400}.tag-done{background:#e3f9ee;color:#1aae6f}
.goods-content{background:#faf7ff;border-radius:10px;padding:12px 14px;line-height:1.8}
.goods-content pre{margin:6px 0 0;font-family:Menlo,Consolas,monospace;white-space:pre-wrap}
.money{color:#ff4d7d;font-weight:700}
.ticket-list{width:100%;border-collapse:collapse}.ticket-list th,.ticket-list td{padding:10px 8px;border-bottom:1px solid #f0e9fb;text-align:left}
.ticket-list th{color:#aa9ccc;font-weight:400}
.t-st{font-size:12px;padding:2px 8px;border-radius:8px}
.t-st.s-wait-cs{background:#fff1e6;color:#f08a24}.t-st.s-wait-me{background:#e6f4ff;color:#1677ff}
.t-st.s-solved{background:#e3f9ee;color:#1aae6f}.t-st.s-closed{background:#eee;color:#888}
.ticket-thread{height:360px;overflow-y:auto;border:1px solid #f0e9fb;border-radius:12px;padding:6px 14px;background:#fcfaff}
.ticket-msg{padding:12px 0;border-bottom:1px dashed #eee4fb}
.ticket-msg header{display:flex;align-items:center;gap:8px;font-size:13px;color:#888}
.ticket-msg .sender{color:#555;font-weight:600}
.ticket-msg .badge-staff{background:#8e6bd8;color:#fff;font-size:11px;padding:0 6px;border-radius:4px}
.ticket-msg time{margin-left:auto;color:#b5a9d4}
.ticket-msg .content{margin-top:6px;line-height:1.7;color:#444}
.ticket-msg.staff .content{background:#f4efff;border-radius:8px;padding:8px 10px}
.reply textarea{width:100%;height:70px;border:2px solid #e4d9fb;border-radius:10px;padding:8px;box-sizing:border-box;font:inherit}
.acg-footer{text-align:center;font-size:12px;color:#fff;padding:10px 0 30px;text-shadow:0 1px 2px rgba(0,0,0,.15)}.acg-footer a{color:#fff}
"""

TICKET_STATUS_CLASS = {"待客服回复": "s-wait-cs", "待我回复": "s-wait-me", "已解决": "s-solved", "已关闭": "s-closed"}


def _nav(shop) -> str:
    return (
        f'<nav class="acg-nav"><span class="logo">喵呜<i>发卡</i>网</span><div class="links">'
        '<a href="/user/index/query">查询订单</a><a href="/user/ticket">我的工单</a><a href="/rules">平台规则</a>'
        "</div></nav>"
    )


def _page(title: str, inner: str) -> str:
    shop = SHOPS["acg-faka"]
    body = _nav(shop) + f'<main class="acg-main">{inner}</main>' + footer(shop, cls="acg-footer")
    return document(f"{title} - {shop.name}", body, css=CSS)


def _query_form(value: str = "") -> str:
    return (
        '<div class="acg-card"><div class="title">订单查询</div>'
        '<form class="query-form" method="get" action="/user/index/query">'
        f'<input name="tradeNo" value="{e(value)}" placeholder="请输入订单号或联系方式"> '
        '<button type="submit">查询</button></form></div>'
    )


def goods_content(o: Order) -> str:
    if o.status == "待付款":
        return '<div class="goods-content">订单未支付，支付后可查看宝贝内容</div>'
    if o.delivered:
        keys = "\n".join(o.keys)
        return f'<div class="goods-content"><span class="tag tag-done">已发货</span><pre>{e(keys)}</pre></div>'
    return f'<div class="goods-content"><span class="tag tag-wait">等待发货</span><br>{MANUAL_TEXT}</div>'


def render_result(o: Order, now: datetime, ticket_id: str = "") -> str:
    paid = o.paid(now)
    unpaid = o.status == "待付款"
    state_tag = f'<span class="tag {"tag-unpaid" if unpaid else "tag-paid"}">{e(o.status)}</span>'
    rows = [
        ("订单号", e(o.order_id)),
        ("商品名称", e(o.product)),
        ("商品类型", e(o.order_type)),
        ("购买数量", e(o.quantity)),
        ("订单金额", f'<span class="money">¥{e(o.amount)}</span>'),
        ("支付方式", e(o.pay_method)),
        ("下单时间", e(t(o.created(now)))),
        ("付款时间", e(t(paid)) if paid else "-"),
        ("联系方式", e(o.contact)),
        ("订单状态", state_tag),
        ("发货说明", e(o.promise)),
        ("宝贝内容", goods_content(o)),
    ]
    table = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
    if ticket_id:
        link = f'<a class="acg-btn" href="/user/ticket/{e(ticket_id)}">查看工单</a>'
    else:
        link = '<a class="acg-btn" href="/user/ticket">联系客服 / 提交工单</a>'
    return f'<div class="acg-card"><div class="title">查询结果</div><table class="result-table">{table}</table><p>{link}</p></div>'


def _ticket_for(threads: dict[str, Thread], order_id: str) -> str:
    for th in threads.values():
        if th.thread_id.startswith("ticket-") and th.order_id == order_id:
            return th.thread_id.removeprefix("ticket-")
    return ""


async def query(request: web.Request) -> web.Response:
    trade_no = request.query.get("tradeNo", "").strip()
    st = state(request)
    if not trade_no:
        return web.Response(text=_page("订单查询", _query_form()), content_type="text/html")
    o = st.order(ACG_FAKA, trade_no) if ACG_RE.match(trade_no) else None
    if o is None:
        inner = _query_form(trade_no) + (
            '<div class="acg-card"><div class="title">查询结果</div><p>未查询到订单，请检查订单号是否正确。</p></div>'
        )
        return web.Response(status=404, text=_page("订单不存在", inner), content_type="text/html")
    inner = _query_form(trade_no) + render_result(o, st.now(), _ticket_for(st.threads, o.order_id))
    return web.Response(text=_page("订单查询", inner), content_type="text/html")


def _tickets(st) -> list[Thread]:
    return [th for th in st.threads.values() if th.thread_id.startswith("ticket-")]


async def ticket_list(request: web.Request) -> web.Response:
    st = state(request)
    now = st.now()
    rows = []
    for th in _tickets(st):
        tid = th.thread_id.removeprefix("ticket-")
        status = th.ticket_status()
        last = th.messages[-1].time(now) if th.messages else now
        rows.append(
            f'<tr><td>#{e(tid)}</td><td><a href="/user/ticket/{e(tid)}">{e(th.title)}</a></td>'
            f"<td>{e(th.order_id or '-')}</td>"
            f'<td><span class="t-st {TICKET_STATUS_CLASS[status]}">{e(status)}</span></td>'
            f'<td><time datetime="{last.astimezone(CHINA).isoformat(timespec="seconds")}">{t(last)}</time></td></tr>'
        )
    inner = (
        '<div class="acg-card"><div class="title">我的工单</div><table class="ticket-list">'
        "<tr><th>工单号</th><th>标题</th><th>关联订单</th><th>状态</th><th>最后回复</th></tr>"
        + "".join(rows) + "</table></div>"
    )
    return web.Response(text=_page("我的工单", inner), content_type="text/html")


def render_ticket_messages(th: Thread, now: datetime) -> str:
    out = []
    for m in th.messages:
        when = m.time(now).astimezone(CHINA)
        staff = m.sender == "merchant"
        badge = '<span class="badge-staff">官方客服</span>' if staff else ""
        out.append(
            f'<article class="ticket-msg {"staff" if staff else "user"}" data-id="{m.id}"><header>'
            f'<span class="sender">{e(th.name_of(m.sender))}</span>{badge}'
            f'<time datetime="{when.isoformat(timespec="seconds")}">{when:%Y-%m-%d %H:%M:%S}</time></header>'
            f'<div class="content">{e(m.text)}</div></article>'
        )
    return "".join(out)


RENDER_TICKET = """
  function el(tag, cls, text){ var x = document.createElement(tag); if (cls) x.className = cls;
    if (text != null) x.textContent = text; return x; }
  function render(m){
    var staff = m.sender === 'merchant';
    var a = el('article', 'ticket-msg ' + (staff ? 'staff' : 'user')); a.setAttribute('data-id', m.id);
    var h = el('header'); h.appendChild(el('span', 'sender', m.name));
    if (staff) h.appendChild(el('span', 'badge-staff', '官方客服'));
    var tm = el('time', null, m.time); tm.setAttribute('datetime', m.iso); h.appendChild(tm);
    a.appendChild(h); a.appendChild(el('div', 'content', m.text));
    var st = document.getElementById('ticket-status');
    if (st && !st.dataset.closed){ st.textContent = staff ? '待我回复' : '待客服回复'; }
    return a;
  }
"""


async def ticket_detail(request: web.Request) -> web.Response:
    st = state(request)
    tid = request.match_info["tid"]
    th = st.threads.get(f"ticket-{tid}") if tid.isdigit() else None
    if th is None:
        raise web.HTTPNotFound(text=not_found_page("工单不存在"), content_type="text/html")
    now = st.now()
    status = th.ticket_status()
    o = st.order(ACG_FAKA, th.order_id) if th.order_id else None
    summary = ""
    if o is not None:
        paid = o.paid(now)
        summary = (
            '<table class="result-table">'
            f'<tr><th>关联订单</th><td><a href="/user/index/query?tradeNo={e(o.order_id)}">{e(o.order_id)}</a></td></tr>'
            f"<tr><th>商品名称</th><td>{e(o.product)}</td></tr>"
            f'<tr><th>订单金额</th><td><span class="money">¥{e(o.amount)}</span></td></tr>'
            f"<tr><th>付款时间</th><td>{e(t(paid)) if paid else '-'}</td></tr>"
            f"<tr><th>宝贝内容</th><td>{goods_content(o)}</td></tr></table>"
        )
    closed = ' data-closed="1"' if th.closed_status else ""
    reply = (
        '<form class="reply" data-say-form><textarea placeholder="请输入回复内容"></textarea>'
        '<p><button class="acg-btn" type="submit">回复工单</button></p></form>'
        if not th.closed_status else "<p>工单已结束，如有问题请重新提交工单。</p>"
    )
    inner = (
        f'<div class="acg-card"><div class="title">工单 #{e(tid)} · {e(th.title)} '
        f'<span id="ticket-status" class="t-st {TICKET_STATUS_CLASS[status]}"{closed}>{e(status)}</span></div>'
        f"{summary}</div>"
        f'<div class="acg-card"><div class="title">沟通记录</div>'
        f'<div class="ticket-thread" id="ticket-thread">{render_ticket_messages(th, now)}</div>{reply}</div>'
        + poll_script(th, now, pane="#ticket-thread", render_js=RENDER_TICKET)
    )
    return web.Response(text=_page(f"工单 #{tid}", inner), content_type="text/html")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/user/index/query", query)
    app.router.add_get("/user/ticket", ticket_list)
    app.router.add_get("/user/ticket/{tid}", ticket_detail)
