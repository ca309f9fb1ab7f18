"""Page shell shared by the imitated shops: <title>, CJK fonts, footer with ICP filing and licence."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape

from ..core.clock import CHINA

FONT = '"Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif'


@dataclass(frozen=True)
class Shop:
    key: str
    name: str
    icp: str
    licence: str = ""  # business licence line, when the shop shows one
    company: str = ""
    qq: str = ""


SHOPS = {
    "dujiaoka-a": Shop("dujiaoka-a", "星辰数卡", "粤ICP备2024051234号-1", qq="800123456"),
    "dujiaoka-b": Shop("dujiaoka-b", "云栈自动发卡", "浙ICP备2023017788号-2",
                       licence="营业执照：杭州云栈网络科技有限公司 统一社会信用代码 91330106MA2KD7XQ3L",
                       company="杭州云栈网络科技有限公司"),
    "acg-faka": Shop("acg-faka", "喵呜发卡网", "湘ICP备2025003321号-1",
                     licence="长沙喵呜网络科技有限公司 · 统一社会信用代码：91430104MA4RXK3T2N",
                     company="长沙喵呜网络科技有限公司", qq="2850011223"),
    "caihong": Shop("caihong", "小白代刷网", "豫ICP备2022034567号-3", qq="3300445566"),
    "pay": Shop("pay", "彩虹易支付", "鲁ICP备2021019876号-1",
                licence="济南彩易信息技术有限公司 · 增值电信业务经营许可证 鲁B2-20210123",
                company="济南彩易信息技术有限公司"),
    "hub": Shop("hub", "订单证人 演示商城", "京ICP备2026000001号-1"),
}


def t(dt: datetime | None) -> str:
    """'YYYY-MM-DD HH:MM:SS' China time; empty for None."""
    return dt.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S") if dt else ""


def e(value) -> str:
    return escape(str(value), quote=True)


def footer(shop: Shop, *, cls: str = "footer", extra: str = "") -> str:
    lines = [f"<p>Copyright © 2021-2026 {e(shop.name)} 版权所有</p>"]
    if shop.licence:
        lines.append(f'<p class="licence">{e(shop.licence)}</p>')
    lines.append(
        f'<p><a href="https://beian.miit.gov.cn/" target="_blank" rel="noopener">{e(shop.icp)}</a></p>'
    )
    return f'<footer class="{cls}">{"".join(lines)}{extra}</footer>'


def document(title: str, body: str, *, css: str = "", head: str = "", body_attrs: str = "") -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(title)}</title>"
        f"<style>body{{font-family:{FONT};}}{css}</style>{head}</head>"
        f"<body {body_attrs}>{body}</body></html>"
    )


def not_found_page(message: str = "页面不存在或订单不存在") -> str:
    shop = SHOPS["hub"]
    body = (
        '<div class="nf"><h1>404</h1>'
        f"<p>{e(message)}</p><p>Not Found</p>"
        '<p><a href="/">返回首页</a></p></div>' + footer(shop)
    )
    css = (
        "body{margin:0;background:#f5f6f8;color:#333;text-align:center}"
        ".nf{padding:120px 20px}.nf h1{font-size:72px;color:#c0c4cc;margin:0}"
        ".footer{color:#999;font-size:12px;padding:20px}.footer a{color:#999}"
    )
    return document(f"404 页面不存在 - {shop.name}", body, css=css)


def error_page(status: int, message: str) -> str:
    shop = SHOPS["hub"]
    body = f'<div class="nf"><h1>{status}</h1><p>{e(message)}</p><p><a href="/">返回首页</a></p></div>' + footer(shop)
    css = "body{margin:0;background:#f5f6f8;text-align:center}.nf{padding:120px 20px}.nf h1{font-size:64px;color:#c0c4cc}"
    return document(f"{status} 请求错误 - {shop.name}", body, css=css)
