"""Test hooks: `POST /demo/orders` creates an order and answers {"order_id", "url", …}.

Body (JSON object; only `system` is required):
    system                  "dujiaoka" | "acg-faka" | "caihong"
    status                  a status of that system (default: the paid-but-not-delivered one)
    paid_offset_seconds     paid that many seconds before now (default 0; not allowed for unpaid statuses)
    created_offset_seconds  created that many seconds before now (default paid offset + 60)
    promise                 free-text delivery promise shown on the page (default "付款后5分钟内自动发货")
    amount                  number or numeric string, 0 < amount ≤ 1000000 (default 10)
    product, contact, pay_method   strings
    quantity                1-999
    order_type              自动发货 / 人工处理 (dujiaoka, 彩虹), 自动发货 / 在线发货 (acg-faka)
    keys                    list of card keys (shown as delivered)
    theme                   "a" | "b" (dujiaoka only; chooses the URL returned)
Times are stored absolute, so a deadline computed from them really passes: paid_offset_seconds=297 with
"付款后5分钟内自动发货" is overdue 3 seconds later.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

from aiohttp import web

from ..core.clock import iso
from .jsonapi import json_error, json_response, read_object
from .orders import ACG_FAKA, CAIHONG, DUJIAOKA, ORDER_TYPES, STATUSES, UNPAID, Order, format_amount, new_order_id
from .state import state

DEFAULT_STATUS = {DUJIAOKA: "处理中", ACG_FAKA: "已付款", CAIHONG: "待处理"}
DEFAULT_PRODUCT = {DUJIAOKA: "Steam钱包充值卡 100元", ACG_FAKA: "原神 创世结晶 6480（代充）", CAIHONG: "王者荣耀点券 1000点（直充）"}
DEFAULT_CONTACT = {DUJIAOKA: "buyer2026@qq.com", ACG_FAKA: "QQ 1234567890", CAIHONG: "充值QQ：2459876310"}
FIELDS = {
    "system", "status", "paid_offset_seconds", "created_offset_seconds", "promise", "amount", "product", "contact",
    "pay_method", "quantity", "order_type", "keys", "theme",
}
MAX_OFFSET = 90 * 86400


def order_url(o: Order) -> str:
    if o.system == DUJIAOKA:
        return ("/b" if o.theme == "b" else "") + f"/detail-order-sn/{o.order_id}"
    if o.system == ACG_FAKA:
        return f"/user/index/query?tradeNo={quote(o.order_id)}"
    return f"/?mod=query&data={quote(o.order_id)}"


def _bad(message: str, code: str = "bad_request") -> web.HTTPException:
    return json_error(400, code, message)


def _offset(data: dict, name: str) -> float | None:
    if name not in data or data[name] is None:
        return None
    v = data[name]
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not (0 <= v <= MAX_OFFSET):
        raise _bad(f"{name} 必须是 0 到 {MAX_OFFSET} 之间的秒数 / {name} must be seconds in [0, {MAX_OFFSET}]")
    return float(v)


def _text(data: dict, name: str, default: str, *, limit: int = 200) -> str:
    v = data.get(name, default)
    if not isinstance(v, str) or len(v) > limit:
        raise _bad(f"{name} 必须是不超过 {limit} 字的字符串 / {name} must be a string of at most {limit} characters")
    return v


def build_order(data: dict, now, rng) -> Order:
    """Validate a create request and build the order (not yet stored)."""
    unknown = set(data) - FIELDS
    if unknown:
        raise _bad(f"未知字段 / unknown fields: {', '.join(sorted(unknown))}")
    system = data.get("system")
    if system not in STATUSES:
        raise _bad(f"system 必须是 {' / '.join(STATUSES)} / unknown system: {system!r}", "bad_system")
    status = data.get("status", DEFAULT_STATUS[system])
    if status not in STATUSES[system]:
        raise _bad(f"{system} 的状态必须是 {'、'.join(STATUSES[system])} / bad status {status!r}", "bad_status")
    paid_offset = _offset(data, "paid_offset_seconds")
    if status in UNPAID:
        if paid_offset is not None:
            raise _bad(f"未支付状态（{status}）不能有 paid_offset_seconds / an unpaid order has no payment time")
    elif paid_offset is None:
        paid_offset = 0.0
    created_offset = _offset(data, "created_offset_seconds")
    if created_offset is None:
        created_offset = (paid_offset or 0.0) + 60.0
    if paid_offset is not None and created_offset < paid_offset:
        raise _bad("created_offset_seconds 不能小于 paid_offset_seconds / an order is created before it is paid")
    try:
        amount = format_amount(data.get("amount", 10))
    except (TypeError, ValueError):
        raise _bad("amount 必须是 0 到 1000000 之间的金额 / amount must be a number in (0, 1000000]")
    quantity = data.get("quantity", 1)
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= 999:
        raise _bad("quantity 必须是 1 到 999 的整数 / quantity must be an integer 1-999")
    order_type = data.get("order_type", ORDER_TYPES[system][0])
    if order_type not in ORDER_TYPES[system]:
        raise _bad(f"order_type 必须是 {' / '.join(ORDER_TYPES[system])} / bad order_type {order_type!r}")
    keys = data.get("keys", [])
    if not isinstance(keys, list) or not all(isinstance(k, str) and 0 < len(k) <= 200 for k in keys) or len(keys) > 100:
        raise _bad("keys 必须是字符串列表 / keys must be a list of strings")
    if system == DUJIAOKA and status == "已完成" and not keys:
        keys = [f"CARD-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}"]
    theme = data.get("theme", "a")
    if theme not in ("a", "b") or (theme == "b" and system != DUJIAOKA):
        raise _bad('theme 只能是 "a" 或 "b"（仅 dujiaoka）/ theme is "a" or "b", dujiaoka only')
    created_at = now - timedelta(seconds=created_offset)
    return Order(
        system=system,
        order_id=new_order_id(system, created_at, rng),
        status=status,
        product=_text(data, "product", DEFAULT_PRODUCT[system]),
        amount=amount,
        quantity=quantity,
        contact=_text(data, "contact", DEFAULT_CONTACT[system]),
        order_type=order_type,
        pay_method=_text(data, "pay_method", "支付宝", limit=30),
        promise=_text(data, "promise", "付款后5分钟内自动发货", limit=500),
        keys=keys,
        theme=theme,
        created_at=created_at,
        paid_at=None if paid_offset is None else now - timedelta(seconds=paid_offset),
    )


async def create_order(request: web.Request) -> web.Response:
    data = await read_object(request)
    st = state(request)
    now = st.now()
    o = build_order(data, now, st.rng)
    while o.order_id in st.orders:  # a clash is unlikely but would overwrite a seeded order
        o.order_id = new_order_id(o.system, o.created(now), st.rng)
    st.orders[o.order_id] = o
    paid = o.paid(now)
    return json_response(
        {
            "order_id": o.order_id,
            "url": order_url(o),
            "system": o.system,
            "status": o.status,
            "created_at": iso(o.created(now)),
            "paid_at": iso(paid) if paid else None,
            "promise": o.promise,
        },
        status=201,
    )


def add_routes(app: web.Application) -> None:
    app.router.add_post("/demo/orders", create_order)
