"""A member area that needs a session cookie (星辰数卡 会员中心), for captures in the buyer's own browser.

/member/login                 sign-in form (any user name, password "demo"); POST sets `MEMBER_COOKIE`
                              and redirects to `next` (a /member/ address)
/member/order/{SN}            the order page (独角数卡 theme A markup); without the cookie: the sign-in page
                              ("登录会话过期，请重新登录"), which never shows the order number
/member/chat/{thread}         a chat with its history in an inner scrolling pane (`member-200`: 200 messages,
                              first MEMBER_FIRST, last MEMBER_LAST), scrolled to the bottom; cookie as above
/member/spa/order/{SN}        a single-page order view: "正在打开订单…" with a spinner for `?ms=` (default
                              1500) ms, then the order rows fetched by XHR from /member/api/order/{SN}
"""

from __future__ import annotations

import secrets

from aiohttp import web

from .chat import BUYER, MERCHANT, Thread
from .chatpages import CSS as CHAT_CSS
from .chatpages import render_messages
from .dujiaoka import CSS_A, render_theme_a
from .dujiaoka import _find as find_order
from .layout import SHOPS, document, e, footer, not_found_page
from .state import state

MEMBER_COOKIE = "xc_member"
MEMBER_FIRST = "【第1条】您好，我在贵店买的会员卡密一直没有到账，订单已付款"
MEMBER_LAST = "【第200条】已经等了两天了，再不处理我就向平台投诉并申请退款"
SECRET = web.AppKey("member_secret", str)
LOGIN_CSS = """
.login{max-width:380px;margin:80px auto;background:#fff;border:1px solid #e5e5e5;border-radius:6px;padding:28px}
.login h2{margin:0 0 6px;font-size:20px}.login .warn{color:#c0392b;font-size:14px;margin:8px 0 16px}
.login label{display:block;font-size:13px;color:#666;margin:10px 0 4px}
.login input{width:100%;box-sizing:border-box;padding:8px;border:1px solid #ccc;border-radius:4px;font-size:14px}
.login button{margin-top:18px;width:100%;padding:10px;border:0;border-radius:4px;background:#3c8dbc;color:#fff;font-size:15px}
"""
SPA_CSS = """
.loading{display:flex;flex-direction:column;align-items:center;gap:14px;margin:160px auto;color:#666;font-size:15px}
.spinner{width:36px;height:36px;border:4px solid #ddd;border-top-color:#3c8dbc;border-radius:50%;animation:spin 1s linear infinite}
@keyframes spin{to{transform:rotate(360deg)}}
"""


def member_thread() -> Thread:
    th = Thread("member-200", "星辰数卡 售后工单", "星辰数卡-客服小美", "我", order_id="D8K2M4Q7X1N5R9T3")
    for i in range(1, 201):
        if i == 1:
            text = MEMBER_FIRST
        elif i == 200:
            text = MEMBER_LAST
        else:
            text = f"【第{i}条】" + ("请问订单什么时候发货？" if i % 2 else "您好，已反馈给技术，请耐心等待处理。")
        th.add(BUYER if i % 2 else MERCHANT, text, ago=(201 - i) * 900)
    return th


def _logged_in(request: web.Request) -> bool:
    value = request.cookies.get(MEMBER_COOKIE, "")
    return bool(value) and secrets.compare_digest(value, request.app[SECRET])


def login_page(next_path: str, *, expired: bool) -> str:
    shop = SHOPS["dujiaoka-a"]
    warn = '<p class="warn">登录会话过期，请重新登录</p>' if expired else ""
    body = (
        f'<form class="login" method="post" action="/member/login"><h2>会员登录 · {e(shop.name)}</h2>{warn}'
        f'<input type="hidden" name="next" value="{e(next_path)}">'
        '<label for="user">用户名 / 邮箱</label><input id="user" name="user" autocomplete="username">'
        '<label for="pw">密码</label><input id="pw" name="password" type="password" autocomplete="current-password">'
        '<button type="submit">登录</button></form>' + footer(shop)
    )
    return document(f"会员登录 - {shop.name}", body, css=LOGIN_CSS)


def _gate(request: web.Request) -> web.Response | None:
    if _logged_in(request):
        return None
    return web.Response(text=login_page(request.path_qs, expired=True), content_type="text/html")


async def login_form(request: web.Request) -> web.Response:
    return web.Response(text=login_page(_next(request.query.get("next")), expired=False), content_type="text/html")


def _next(value: str | None) -> str:
    return value if isinstance(value, str) and value.startswith("/member/") and "//" not in value else "/member/order/D8K2M4Q7X1N5R9T3"


async def login(request: web.Request) -> web.Response:
    form = await request.post()
    if not str(form.get("user") or "").strip() or form.get("password") != "demo":
        return web.Response(text=login_page(_next(form.get("next")), expired=False), content_type="text/html", status=401)
    response = web.HTTPFound(_next(form.get("next")))
    response.set_cookie(MEMBER_COOKIE, request.app[SECRET], httponly=True, samesite="Lax", path="/member/")
    raise response


async def order_page(request: web.Request) -> web.Response:
    gate = _gate(request)
    if gate is not None:
        return gate
    return web.Response(text=render_theme_a(find_order(request), state(request).now()), content_type="text/html")


async def chat_page(request: web.Request) -> web.Response:
    gate = _gate(request)
    if gate is not None:
        return gate
    th = state(request).threads.get(request.match_info["thread"])
    if th is None:
        raise web.HTTPNotFound(text=not_found_page("会话不存在"), content_type="text/html")
    shop = SHOPS["dujiaoka-a"]
    body = (
        '<div class="im-app"><aside class="im-side"><h2>售后工单</h2>'
        f'<div class="conv active"><div class="n">{e(th.merchant_name)}</div><div class="p">订单 {e(th.order_id)}</div></div>'
        + footer(shop, cls="side-foot") + "</aside>"
        f'<section class="im-main"><div class="im-head">{e(th.title)}</div>'
        f'<div class="msg-list" id="msg-list">{render_messages(th, state(request).now())}</div>'
        '<form class="im-input"><textarea placeholder="输入消息…"></textarea></form></section></div>'
        "<script>(function(){var l=document.getElementById('msg-list');l.scrollTop=l.scrollHeight;})();</script>"
    )
    return web.Response(text=document(f"{th.title} - {shop.name}", body, css=CHAT_CSS), content_type="text/html")


async def spa_order(request: web.Request) -> web.Response:
    find_order(request)
    try:
        delay = max(0, min(10000, int(request.query.get("ms", "1500"))))
    except ValueError:
        raise web.HTTPBadRequest(text="ms 必须是 0 到 10000 的整数", content_type="text/plain") from None
    sn = request.match_info["sn"]
    body = (
        '<div id="app"><div class="loading"><div class="spinner"></div><div>正在打开订单…</div></div></div>'
        "<script>setTimeout(function(){var x=new XMLHttpRequest();"
        f"x.open('GET','/member/api/order/{sn}');"
        "x.onload=function(){var d=new DOMParser().parseFromString(x.responseText,'text/html');"
        "document.title=d.title;document.getElementById('app').innerHTML=d.body.innerHTML;};"
        f"x.send();}},{delay});</script>"
    )
    return web.Response(text=document("星辰数卡", body, css=CSS_A + SPA_CSS), content_type="text/html")


async def spa_order_data(request: web.Request) -> web.Response:
    return web.Response(text=render_theme_a(find_order(request), state(request).now()), content_type="text/html")


def add_routes(app: web.Application) -> None:
    app[SECRET] = secrets.token_urlsafe(16)
    app.router.add_get("/member/login", login_form)
    app.router.add_post("/member/login", login)
    app.router.add_get("/member/order/{sn}", order_page)
    app.router.add_get("/member/chat/{thread}", chat_page)
    app.router.add_get("/member/spa/order/{sn}", spa_order)
    app.router.add_get("/member/api/order/{sn}", spa_order_data)


