"""Pages that are not the buyer's evidence yet: a sign-in page ("login") and a page still loading ("loading").

login: a visible password field in a form that signs in (登录 / 登入 / log in / sign in; an order search asking
for a 查询密码 is not one), or a visible sentence saying the session is gone ("登录会话过期，请重新登录",
"请先登录"), or an almost empty page whose script or meta refresh sends the browser to a login address.
loading: a visible spinner / skeleton / loading block, or a short "正在打开工单…" / "正在加载…" / "加载中" /
"请稍候" text, on a page that shows almost nothing else.

The caller applies these only when the page shows no order facts and no messages: a page with data is the
data, whatever overlay sits on top of it.
"""

from __future__ import annotations

import re

from . import dom

LOGIN_WORDS = re.compile(r"登\s*录|登\s*入|log\s*-?in|sign\s*-?in", re.I)
NOT_LOGIN_FORM = re.compile(r"查询|查单|查\s*询\s*密\s*码|订单密码|取卡密码")
SESSION_GONE = re.compile(
    r"(?:登录|登入|会话|身份|token|授权)(?:信息|状态|凭证)?\s*(?:已|已经)?\s*(?:过期|失效|超时)"
    r"|请\s*(?:先|重新)\s*(?:登录|登入)|请登录后|登录后(?:查看|访问|再|才能)|您?(?:还)?未登录|尚未登录"
    r"|session\s+(?:has\s+)?expired|please\s+(?:log|sign)\s*in",
    re.I,
)
LOGIN_ADDRESS = re.compile(
    r"""(?:location(?:\.href)?\s*=|location\.(?:replace|assign)\s*\(|url\s*=)\s*['"]?[^'"\s;>]*"""
    r"""(?:login|signin|sign-in|authentication|passport|auth/)""",
    re.I,
)
LOADING_TEXT = re.compile(
    r"正在(?:打开|加载|载入|读取|获取|查询|跳转|处理|连接)|加载中|载入中|读取中|请稍候|请稍等|马上就好|^\s*loading\b",
    re.I | re.M,
)
_LOADING_PART = re.compile(r"^(?:loading|spinner|spin|loader|skeleton|preloader|shimmer|placeholder)$")
_PART_SPLIT = re.compile(r"[-_]+")
_SHORT_PAGE = 120  # characters of visible body text (nav and footer aside) below which a page "shows nothing"


def kind_of_empty_page(root: dom.Node, raw_html: str) -> str | None:
    """"login", "loading" or None, for a page that yielded no order facts and no messages."""
    body = _body_text(root)
    if _has_login_form(root) or SESSION_GONE.search(body[:2000]):
        return "login"
    short = len(body) <= _SHORT_PAGE
    if short and LOGIN_ADDRESS.search(raw_html[:200_000]):
        return "login"
    if short and (LOADING_TEXT.search(body) or _has_spinner(root)):
        return "loading"
    return None


def only_state_messages(result: dict) -> bool:
    """A "chat" whose every message is a session or loading notice (a `div.msg` message box): no chat."""
    msgs = result["messages"]
    return result["page_kind"] == "chat" and bool(msgs) and all(
        SESSION_GONE.search(m["text"]) or LOADING_TEXT.search(m["text"]) for m in msgs)


def _body_text(root: dom.Node) -> str:
    """Visible text outside the page's chrome (nav bars, headers, footers)."""
    memo: dict[int, bool] = {}
    return "\n".join(row.text for row in dom.rows(root) if not _in_chrome(row.node, memo))


def _in_chrome(node: dom.Node | None, memo: dict[int, bool]) -> bool:
    """Inside a nav/header/footer/aside that is not itself inside main or article."""
    return dom.inherited(node, memo, _chrome_step, False)


def _chrome_step(above: bool, node: dom.Node) -> bool:
    return above or (node.tag in ("nav", "footer", "header", "aside") and not _inside_main(node))


def _inside_main(node: dom.Node) -> bool:
    a = node.parent
    while a is not None:
        if a.tag in ("main", "article"):
            return True
        a = a.parent
    return False


def _visible(node: dom.Node) -> bool:
    a = node
    while a is not None:
        if a.tag != "#root" and a.unseen:
            return False
        a = a.parent
    return True


def _has_login_form(root: dom.Node) -> bool:
    for node in root.iter():
        if node.tag != "input" or node.attrs.get("type", "").lower() != "password" or not _visible(node):
            continue
        scope = _form_of(node)
        words = scope.text() + " " + " ".join(
            n.attrs.get("value", "") + " " + n.attrs.get("placeholder", "") for n in scope.iter() if n.tag == "input")
        if LOGIN_WORDS.search(words) and not NOT_LOGIN_FORM.search(words):
            return True
    return False


def _form_of(node: dom.Node) -> dom.Node:
    """The password field's form, else its nearest ancestor that also holds a button."""
    a = node.parent
    fallback = None
    while a is not None and a.tag != "#root":
        if a.tag == "form":
            return a
        if fallback is None and any(d.tag == "button" or d.attrs.get("type") == "submit" for d in a.iter()):
            fallback = a
        a = a.parent
    return fallback or node.parent or node


def _has_spinner(root: dom.Node) -> bool:
    for node in root.iter():
        if any(_LOADING_PART.match(p) for c in node.classes for p in _PART_SPLIT.split(c.lower())) and _visible(node):
            return True
    return False
