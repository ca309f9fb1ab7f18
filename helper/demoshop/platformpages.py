"""Platform pages: the trading rules with the delivery clause (/rules) and a payment gateway's result page
(/pay/result/{order_id}, 彩虹易支付 style) for any paid order."""

from __future__ import annotations

import hashlib

from aiohttp import web

from .hooks import order_url
from .layout import SHOPS, document, e, footer, not_found_page, t
from .orders import ACG_FAKA, CAIHONG, DUJIAOKA
from .state import state

DELIVERY_CLAUSE = "商家须在买家付款后24小时内发货，自动发货商品须即时发货，商品描述中另有承诺发货时间的，以承诺时间为准。"

RULES_CSS = """
body{margin:0;background:#f7f7f9;color:#333;line-height:1.9}
.r-head{background:#8e6bd8;color:#fff;padding:22px 0;text-align:center}.r-head h1{margin:0;font-size:24px}
.r-head p{margin:4px 0 0;font-size:13px;opacity:.85}
.r-body{max-width:860px;margin:24px auto;background:#fff;padding:28px 40px;border-radius:6px;box-shadow:0 1px 4px rgba(0,0,0,.06)}
.r-body h2{font-size:17px;border-left:4px solid #8e6bd8;padding-left:10px;margin:22px 0 8px}
.r-body p{margin:6px 0;text-indent:2em}.r-body .key{background:#fff6d9}
.rules-footer{text-align:center;font-size:12px;color:#999;padding:10px 0 30px}.rules-footer a{color:#999}
"""

RULES = (
    ("第一章 总则", (
        "第一条 为规范喵呜发卡网（以下简称“平台”）交易秩序，保护买卖双方合法权益，依据《中华人民共和国电子商务法》等法律法规，制定本规则。",
        "第二条 本规则适用于在平台开设店铺的全部商家及在平台购买商品的全部买家。",
    )),
    ("第二章 发货规则", (
        "第三条 " + DELIVERY_CLAUSE,
        "第四条 人工发货（在线发货）商品，商家应在商品页面明确标注发货时间；代开类商品一般在48小时内完成。",
        "第五条 商家未按约定时间发货的，买家可申请全额退款，平台有权对商家予以警告、扣除保证金直至关闭店铺。",
        "第六条 卡密类商品以卡密在订单页面显示或发送至买家邮箱为交付完成。",
    )),
    ("第三章 售后与纠纷处理", (
        "第七条 买家对订单有异议的，应先通过工单与商家协商；商家应在24小时内回复。",
        "第八条 商家超过24小时未回复工单的，买家可申请平台介入，平台根据双方提交的证据进行裁决。",
        "第九条 买家申请平台介入时，应提供订单号、付款记录、与商家的沟通记录等证据。",
    )),
    ("第四章 附则", (
        "第十条 本规则自2025年3月1日起施行，平台有权根据运营需要修订本规则并在本页面公示。",
    )),
)


async def rules(request: web.Request) -> web.Response:
    shop = SHOPS["acg-faka"]
    parts = []
    for title, paras in RULES:
        ps = "".join(
            f'<p class="{"key" if DELIVERY_CLAUSE in p else ""}">{e(p)}</p>' for p in paras
        )
        parts.append(f"<h2>{e(title)}</h2>{ps}")
    body = (
        f'<div class="r-head"><h1>{e(shop.name)} 平台交易规则</h1><p>更新日期：2025-02-20 · 生效日期：2025-03-01</p></div>'
        f'<article class="r-body">{"".join(parts)}</article>' + footer(shop, cls="rules-footer")
    )
    return web.Response(text=document(f"平台交易规则 - {shop.name}", body, css=RULES_CSS), content_type="text/html")


PAY_CSS = """
body{margin:0;background:#f2f3f5;color:#333}
.pay-top{background:#fff;border-bottom:1px solid #e8e8e8;height:58px;display:flex;align-items:center;padding:0 30px;font-size:18px;color:#1677ff}
.pay-box{width:520px;max-width:94%;margin:40px auto;background:#fff;border-radius:8px;box-shadow:0 2px 8px rgba(0,0,0,.06);padding:30px 36px}
.pay-ok{text-align:center}.pay-ok .icon{width:64px;height:64px;border-radius:50%;background:#52c41a;color:#fff;font-size:40px;line-height:64px;margin:0 auto}
.pay-ok h2{color:#52c41a;margin:12px 0 4px;font-size:22px}.pay-ok .amt{font-size:30px;font-weight:700;margin:6px 0 18px}
dl.pay-info{display:grid;grid-template-columns:96px 1fr;row-gap:10px;margin:0;font-size:14px}
dl.pay-info dt{color:#999}dl.pay-info dd{margin:0;word-break:break-all}
.pay-btn{display:block;text-align:center;margin-top:24px;background:#1677ff;color:#fff;padding:10px;border-radius:4px;text-decoration:none}
.pay-footer{text-align:center;font-size:12px;color:#aaa;padding:10px 0 30px}.pay-footer a{color:#aaa}
"""

PAYEE = {DUJIAOKA: "星辰数卡（个人商户）", ACG_FAKA: "长沙喵呜网络科技有限公司", CAIHONG: "小白代刷网"}


def gateway_trade_no(order_id: str, paid) -> str:
    """A stable 28-digit gateway number: payment date + digits derived from the order number."""
    digest = int(hashlib.sha256(order_id.encode()).hexdigest(), 16)
    return paid.strftime("%Y%m%d") + f"{digest % 10**20:020d}"


async def pay_result(request: web.Request) -> web.Response:
    st = state(request)
    o = st.orders.get(request.match_info["order_id"])
    now = st.now()
    paid = o.paid(now) if o else None
    if o is None or paid is None:
        raise web.HTTPNotFound(text=not_found_page("订单不存在或尚未支付"), content_type="text/html")
    shop = SHOPS["pay"]
    rows = (
        ("交易单号", gateway_trade_no(o.order_id, paid)),
        ("商户单号", o.order_id),
        ("商品名称", o.product),
        ("收款方", PAYEE[o.system]),
        ("支付方式", o.pay_method),
        ("付款时间", t(paid)),
        ("交易状态", "支付成功"),
    )
    info = "".join(f"<dt>{k}</dt><dd>{e(v)}</dd>" for k, v in rows)
    body = (
        f'<div class="pay-top">{e(shop.name)} · 收银台</div>'
        '<div class="pay-box"><div class="pay-ok"><div class="icon">✓</div><h2>支付成功</h2>'
        f'<div class="amt">¥{e(o.amount)}</div></div><dl class="pay-info">{info}</dl>'
        f'<a class="pay-btn" href="{e(order_url(o))}">返回商户查看订单</a></div>'
        + footer(shop, cls="pay-footer")
    )
    return web.Response(text=document(f"支付成功 - {shop.name}", body, css=PAY_CSS), content_type="text/html")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/rules", rules)
    app.router.add_get("/pay/result/{order_id}", pay_result)
