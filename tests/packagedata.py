"""Demo-shop-like orders in a real Store, for the draft and package tests (imported, not a test file)."""

from __future__ import annotations

import io
import json
import quopri
from datetime import datetime, timedelta
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from helper.core.clock import CHINA, iso
from helper.store import Store

NOW = datetime(2026, 11, 27, 14, 0, 0, tzinfo=CHINA)
PAID = NOW - timedelta(hours=3)
FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


def png(lines: list[str], size=(760, 420)) -> bytes:
    img = Image.new("RGB", size, "white")
    d = ImageDraw.Draw(img)
    try:
        font = ImageFont.truetype(FONT, 22)
    except OSError:
        font = ImageFont.load_default()
    for i, line in enumerate(lines):
        d.text((20, 20 + i * 34), line, fill="black", font=font)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def mhtml(html: str) -> bytes:
    return (
        "From: <Saved by order-witness>\r\nSnapshot-Content-Location: http://127.0.0.1:8101/detail-order-sn/D8K2M4Q7X1N5R9T3\r\n"
        "Subject: order\r\nMIME-Version: 1.0\r\nContent-Type: multipart/related;\r\n\ttype=\"text/html\";\r\n"
        "\tboundary=\"----B\"\r\n\r\n------B\r\nContent-Type: text/html\r\nContent-ID: <frame-1@mhtml.blink>\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\n"
        "Content-Location: http://127.0.0.1:8101/detail-order-sn/D8K2M4Q7X1N5R9T3\r\n\r\n"
        + quopri.encodestring(html.encode("utf-8")).decode("ascii") + "\r\n------B--\r\n"
    ).encode("ascii")


ENV = {"environment": {"proxy": None, "hosts_checked": True, "clock_offset_s": 0.12, "server_ip": "127.0.0.1",
                       "tls": None, "user_agent": "Chromium"}}


def make_order(data_dir: Path, *, with_chat: bool = True, with_actions: bool = True) -> tuple[Store, int]:
    """The demo shop's dujiaoka order D8K2M4Q7X1N5R9T3 (paid 3 h ago, promise 5 minutes, 处理中)."""
    store = Store(data_dir, now=lambda: NOW)
    order, _ = store.upsert_order("127.0.0.1", "D8K2M4Q7X1N5R9T3", {
        "url": "http://127.0.0.1:8101/detail-order-sn/D8K2M4Q7X1N5R9T3",
        "product": "Steam钱包充值卡 100元", "amount": "98.50", "currency": "CNY", "status": "处理中",
        "status_code": "paid", "ordered_at": iso(PAID - timedelta(minutes=1)), "paid_at": iso(PAID),
        "delivery_mode": "auto", "contact": "buyer2026@qq.com",
        "promise_text": "付款后5分钟内自动发货，卡密请在订单详情页查看", "promise_seconds": 300,
        "promise_source": "product", "deadline": iso(PAID + timedelta(minutes=5)),
        "shop_name": "星辰卡铺", "shop_icp": "粤ICP备2024051234号-1",
    })
    oid = order["id"]
    html = ("<html><body><h1>订单详情</h1><p>订单号：D8K2M4Q7X1N5R9T3</p><p>下单邮箱：buyer2026@qq.com</p>"
            "<p>订单状态：处理中</p><p>客服QQ：1234567890 电话 13800138000</p>"
            "<textarea>TXVIP-7QK2-M8ZD-4HNA-31XP</textarea></body></html>")
    store.add_capture(
        kind="order", source="tab", url=order["url"], title="订单详情 - 星辰卡铺",
        captured_at=PAID + timedelta(minutes=20), order_id=oid, meta=ENV,
        files={
            "stamped.png": png(["订单号：D8K2M4Q7X1N5R9T3", "订单状态：处理中", "实际支付价格：98.50",
                                "取证时间 2026-11-27 11:20:00 (UTC+8)"]),
            "page.png": png(["订单号：D8K2M4Q7X1N5R9T3", "订单状态：处理中"]),
            "page.mhtml": mhtml(html),
            "text.txt": "订单号：D8K2M4Q7X1N5R9T3\n下单邮箱：buyer2026@qq.com\n客服QQ：1234567890\n电话 13800138000\n"
                        "卡密：TXVIP-7QK2-M8ZD-4HNA-31XP\n".encode("utf-8"),
            "meta.json": json.dumps({"url": order["url"], **ENV}, ensure_ascii=False).encode("utf-8"),
        },
    )
    if with_chat:
        msgs = [
            {"sender": "buyer", "name": "我", "time": iso(PAID + timedelta(minutes=10)), "text": "你好，付款10分钟了还没发货，订单D8K2M4Q7X1N5R9T3"},
            {"sender": "merchant", "name": "客服小星", "time": iso(PAID + timedelta(minutes=12)), "text": "稍等，5分钟内发货"},
            {"sender": "buyer", "name": "我", "time": iso(PAID + timedelta(minutes=40)), "text": "请问什么时候发货？"},
            {"sender": "buyer", "name": "我", "time": iso(PAID + timedelta(hours=2)), "text": "还没有发货，请尽快处理或退款"},
        ]
        store.add_capture(
            kind="chat", source="tab", url="http://127.0.0.1:8101/chat", title="在线客服",
            captured_at=PAID + timedelta(hours=2, minutes=5), order_id=oid, meta=ENV, messages=msgs,
            files={"stamped.png": png(["我 11:10 你好，付款10分钟了还没发货", "客服小星 11:12 稍等，5分钟内发货",
                                       "我 11:40 请问什么时候发货？", "我 13:00 还没有发货，请尽快处理或退款"]),
                   "meta.json": json.dumps(ENV).encode("utf-8")},
        )
    if with_actions:
        store.append_event("action.recorded", {
            "action": "contacted_merchant", "at": iso(PAID + timedelta(hours=2, minutes=10)),
            "note": "在店铺工单中催促发货", "reference": "GD20261127001", "zh": "已联系商家", "en": "contacted the merchant",
        }, order_id=oid)
    return store, oid
