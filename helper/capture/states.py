"""What a capture shows, from the page's DOM (read by helper/understanding) and its HTTP status:
`page_state` ("ok", "login_required", "loading", "error") and the facts compared before and after capturing.

Pure functions: `now` is an argument.
"""

from __future__ import annotations

import re
from datetime import datetime

from ..understanding import extract

PAGE_STATES = ("ok", "login_required", "loading", "error")
KIND_TO_STATE = {"login": "login_required", "loading": "loading", "error": "error"}
# Lines naming a card key / delivered goods, and the line after each (the key itself).
_KEY_LABEL = re.compile(r"卡密|卡号|激活码|兑换码|提取码|发货内容|宝贝内容|card ?key", re.I)
ORDER_FACTS = ("order_no", "status", "status_code", "amount", "currency", "product")

STATE_NOTES = {
    "login_required": "这是登录页，不是你的订单页。请在已登录的页面上点击保存证据。",
    "loading": "页面还在加载中（只看到加载画面），请等页面内容出现后再点击保存证据。",
    "error": "页面显示的是错误页，不是订单或聊天内容。请打开正确的页面后再保存。",
}


def analyse(html: str, url: str | None, now: datetime, layout: dict | None = None) -> dict:
    """extract(), never raising (a capture goes on without it); `layout` see capture/rendered.py."""
    try:
        return extract(html, url, now=now, layout=layout)
    except Exception:  # noqa: BLE001 - junk markup; the capture is stored anyway
        return {"page_kind": "other", "order": {}, "messages": []}


def page_state(analysis: dict, http_status: int | None = None) -> str:
    """login -> login_required, loading -> loading, error page or HTTP >= 400 -> error, else ok."""
    if isinstance(http_status, int) and http_status >= 400:
        return "error"
    return KIND_TO_STATE.get(analysis.get("page_kind"), "ok")


def key_lines(text: str) -> list[str]:
    lines = [ln.strip() for ln in (text or "").splitlines() if ln.strip()]
    out = []
    for i, ln in enumerate(lines):
        if _KEY_LABEL.search(ln):
            out.append(ln[:200])
            if i + 1 < len(lines):
                out.append(lines[i + 1][:200])
    return out[:40]


def facts(analysis: dict, text: str) -> dict:
    """The facts that matter for a case: order number, status, amount, product, card-key area."""
    order = analysis.get("order") or {}
    return {**{k: order.get(k) for k in ORDER_FACTS}, "page_kind": analysis.get("page_kind"),
            "card_key_area": key_lines(text)}


def changed_facts(before: dict, after: dict) -> list[str]:
    """Names of the facts that differ."""
    return [k for k in before if before.get(k) != after.get(k)]
