"""The table of demo pages (URL, kind, system, key texts) and the index page `/` that links them.

Tests iterate PAGES: each path serves 200 and contains every text in `expect`. URLs are stable; other
parts of the project (capture, extension, page understanding) use them.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from .chat import FIRST_MESSAGE, LAST_MESSAGE
from .layout import SHOPS, document, e, footer


@dataclass(frozen=True)
class Page:
    path: str
    kind: str  # order | product | chat | ticket | workorder | query | rules | payment | tall | index | slow
    system: str  # dujiaoka | acg-faka | caihong | pay | platform | test
    title: str
    expect: tuple[str, ...] = ()


DJ_LABELS = ("订单号", "订单名称", "购买数量", "订单创建时间", "下单邮箱", "订单类型", "实际支付价格", "订单状态", "支付方式")

ACG_LABELS = ("订单号", "商品名称", "商品类型", "订单金额", "支付方式", "下单时间", "付款时间", "宝贝内容")
CH_LABELS = ("订单编号", "商品名称", "订单金额", "购买时间", "下单信息", "订单状态")

PAGES: tuple[Page, ...] = (
    Page("/", "index", "test", "演示商城导航", ("演示商城", "京ICP备2026000001号-1")),
    # 独角数卡 theme A: one order per status.
    Page("/detail-order-sn/D8K2M4Q7X1N5R9T3", "order", "dujiaoka", "处理中（付款3小时，承诺5分钟）",
         DJ_LABELS + ("D8K2M4Q7X1N5R9T3", "处理中", "付款后5分钟内自动发货", "粤ICP备2024051234号-1")),
    Page("/detail-order-sn/A5C7E9G1J3L6P8S0", "order", "dujiaoka", "已完成（卡密 + 复制）",
         DJ_LABELS + ("已完成", "TXVIP-7QK2-M8ZD-4HNA-31XP", "<textarea", "复制")),
    Page("/detail-order-sn/W3E5R7T9Y2U4I6O8", "order", "dujiaoka", "待支付", DJ_LABELS + ("待支付",)),
    Page("/detail-order-sn/H2J4K6L8Z1X3C5V7", "order", "dujiaoka", "待处理（人工处理）", DJ_LABELS + ("待处理", "人工处理")),
    Page("/detail-order-sn/B1N3M5Q7W9E2R4T6", "order", "dujiaoka", "失败", DJ_LABELS + ("失败",)),
    Page("/detail-order-sn/P9O7I5U3Y1T2R4E6", "order", "dujiaoka", "异常", DJ_LABELS + ("异常",)),
    Page("/detail-order-sn/Z0X9C8V7B6N5M4L3", "order", "dujiaoka", "已过期", DJ_LABELS + ("已过期",)),
    # 独角数卡 theme B (ul > li > strong), footer chat widget.
    Page("/b/detail-order-sn/P9O7I5U3Y1T2R4E6", "order", "dujiaoka", "主题B 异常 + 页脚客服插件",
         DJ_LABELS + ("<strong>订单号：</strong>", "异常", "在线客服", "浙ICP备2023017788号-2", "营业执照")),
    Page("/b/detail-order-sn/A5C7E9G1J3L6P8S0", "order", "dujiaoka", "主题B 已完成",
         DJ_LABELS + ("已完成", "TXVIP-9RW5-B6TE-2JCF-88LQ", "复制")),
    Page("/b/detail-order-sn/D8K2M4Q7X1N5R9T3", "order", "dujiaoka", "主题B 处理中", DJ_LABELS + ("处理中",)),
    Page("/buy/1", "product", "dujiaoka", "商品页（付款后5分钟内自动发货）", ("付款后5分钟内自动发货", "立即购买")),
    Page("/buy/3", "product", "dujiaoka", "商品页（库存不足）", ("库存可使用卡密不足，请联系管理员核查",)),
    Page("/order-search", "query", "dujiaoka", "订单查询", ("订单查询",)),
    # 异次元发卡 acg-faka.
    Page("/user/index/query?tradeNo=137261127105830706", "order", "acg-faka", "已付款 等待发货（在线发货）",
         ACG_LABELS + ("已付款", "等待发货", "在线发货", "正在发货中，请耐心等待，如有疑问，请联系客服。", "¥518.00",
                       "湘ICP备2025003321号-1", "统一社会信用代码")),
    Page("/user/index/query?tradeNo=367261126073613936", "order", "acg-faka", "已付款 已发货（自动发货）",
         ACG_LABELS + ("已发货", "自动发货", "YK-WEEK-3F8A-KD92-PX71")),
    Page("/user/index/query?tradeNo=409261127134447654", "order", "acg-faka", "待付款", ACG_LABELS + ("待付款",)),
    Page("/user/index/query", "query", "acg-faka", "订单查询", ("订单查询", "tradeNo")),
    Page("/user/ticket", "ticket", "acg-faka", "我的工单（各状态）", ("待客服回复", "已解决", "已关闭", "<time datetime=")),
    Page("/user/ticket/52013", "ticket", "acg-faka", "工单：订单未发货（页内聊天窗格）",
         ("官方客服", "客服-阿杰", "<time datetime=", "待客服回复", "137261127105830706", "付款后30分钟内一定发货",
          'class="ticket-thread"')),
    Page("/user/ticket/51877", "ticket", "acg-faka", "工单：已解决", ("已解决", "官方客服")),
    # 彩虹自助下单.
    Page("/?mod=query&data=20261127073947250", "order", "caihong", "订单详细信息弹窗：待处理",
         CH_LABELS + ("订单详细信息", "96.00元", "待处理", "投诉订单", "申请退款", 'style="display:block"',
                      "豫ICP备2022034567号-3")),
    Page("/?mod=query&data=20261127095243957", "order", "caihong", "订单详细信息弹窗：处理中", CH_LABELS + ("处理中", "9.90元")),
    Page("/?mod=query&data=20261126092149270", "order", "caihong", "订单详细信息弹窗：已完成", CH_LABELS + ("已完成",)),
    Page("/?mod=query&data=20261125074623390", "order", "caihong", "订单详细信息弹窗：异常", CH_LABELS + ("异常",)),
    Page("/?mod=query&data=20261124050949503", "order", "caihong", "订单详细信息弹窗：已退款", CH_LABELS + ("已退款",)),
    Page("/?mod=query&data=2459876310", "query", "caihong", "按下单QQ查询（订单列表）", ("20261127073947250", "20261127095243957")),
    Page("/?mod=workorder", "workorder", "caihong", "售后工单列表", ("业务补单", "卡密错误", "充值没到账", "待处理", "待补充", "已结单")),
    Page("/?mod=workorder&id=10086", "workorder", "caihong", "工单：充值没到账", ("充值没到账", "待处理", "20261127073947250")),
    Page("/?mod=buy", "product", "caihong", "在线下单", ("24小时内发货", "代开类商品一般在48小时内完成")),
    # Platform rules and payment proof.
    Page("/rules", "rules", "platform", "平台交易规则（发货条款）",
         ("商家须在买家付款后24小时内发货，自动发货商品须即时发货", "平台交易规则")),
    Page("/pay/result/D8K2M4Q7X1N5R9T3", "payment", "pay", "支付成功（独角数卡订单）",
         ("支付成功", "交易单号", "商户单号", "D8K2M4Q7X1N5R9T3", "¥98.50", "付款时间", "收款方", "星辰数卡", "鲁ICP备2021019876号-1")),
    Page("/pay/result/137261127105830706", "payment", "pay", "支付成功（异次元订单）",
         ("支付成功", "¥518.00", "长沙喵呜网络科技有限公司")),
    # Chat.
    Page("/chat/demo", "chat", "dujiaoka", "长聊天记录（内部滚动）", (FIRST_MESSAGE, LAST_MESSAGE, "今天", "昨天")),
    Page("/chat/short", "chat", "dujiaoka", "短聊天", ("腾讯视频",)),
    # Capture test pages.
    Page("/tall?height=40000", "tall", "test", "超长页面 40000px", ("偏移 39000 px", 'data-height="40000"')),
    Page("/slow?ms=10", "slow", "test", "慢速页面 10ms", ("慢速页面",)),
    Page("/hang-image", "hang", "test", "图片永不加载", ("永不加载",)),
)

# Pages whose response never completes: not in PAGES (a plain GET would wait forever).
HANGING_PAGES: tuple[Page, ...] = (
    Page("/hang", "hang", "test", "响应永不结束", ("页面加载中",)),
)

INDEX_CSS = """
body{margin:0;background:#f2f4f7;color:#333}
.hero{background:linear-gradient(120deg,#ff6a3d,#ff9a44);color:#fff;padding:36px 48px}
.hero h1{margin:0 0 6px;font-size:28px}.hero p{margin:0;opacity:.9}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:16px;padding:24px 48px}
.sec{background:#fff;border-radius:8px;padding:16px 20px;box-shadow:0 1px 3px rgba(0,0,0,.06)}
.sec h2{font-size:16px;margin:0 0 8px;color:#ff6a3d}.sec a{display:block;padding:4px 0;color:#2b6cb0;text-decoration:none}
.sec small{color:#999;margin-left:6px}
.footer{text-align:center;color:#999;font-size:12px;padding:16px}.footer a{color:#999}
"""

SYSTEM_NAMES = {
    "dujiaoka": "独角数卡 dujiaoka",
    "acg-faka": "异次元发卡 acg-faka",
    "caihong": "彩虹自助下单",
    "pay": "支付结果",
    "platform": "平台规则",
    "test": "截图 / 超时测试页",
}


def render_index() -> str:
    shop = SHOPS["hub"]
    groups: dict[str, list[Page]] = {}
    for p in PAGES + HANGING_PAGES:
        if p.path != "/":
            groups.setdefault(p.system, []).append(p)
    secs = []
    for system, pages in groups.items():
        links = "".join(f'<a href="{e(p.path)}">{e(p.title)}<small>{e(p.path)}</small></a>' for p in pages)
        secs.append(f'<div class="sec"><h2>{e(SYSTEM_NAMES.get(system, system))}</h2>{links}</div>')
    body = (
        f'<div class="hero"><h1>{e(shop.name)}</h1><p>模拟常见发卡网 / 卡盟系统的订单、聊天与规则页面，用于演示与测试。</p></div>'
        f'<div class="grid">{"".join(secs)}</div>' + footer(shop)
    )
    return document(f"{shop.name} - 演示商城导航", body, css=INDEX_CSS)


async def pages_json(request: web.Request) -> web.Response:
    rows = [
        {"path": p.path, "kind": p.kind, "system": p.system, "title": p.title, "hangs": p in HANGING_PAGES}
        for p in PAGES + HANGING_PAGES
    ]
    return web.json_response({"pages": rows}, dumps=_dumps)


def _dumps(obj) -> str:
    import json

    return json.dumps(obj, ensure_ascii=False)
