"""Chat screenshots drawn by headless Chromium from HTML written here, in the styles buyers meet: phone WeChat,
WeChat for PC (with its contact list), QQ for PC (names above the other side's bubbles), light and dark.
Used by the OCR chat tests; `python tests/chatshots.py OUT_DIR` writes them for a look."""

from __future__ import annotations

import asyncio
import html
import sys
from dataclasses import dataclass
from pathlib import Path

# One conversation. ("sep", text) a centred time separator; ("system", text) a centred notice;
# ("left", name, text) the other party; ("right", text) me.
CONVERSATION = [
    ("sep", "星期一 21:10"),
    ("right", "你好，我在你们店买了王者荣耀648点券，订单号 502261123211012345，付款了还没到账"),
    ("left", "店长", "亲，稍等，我查一下"),
    ("left", "店长", "今天充值通道维护，明天中午前给你处理"),
    ("sep", "昨天 09:05"),
    ("right", "商品写着 1 小时内到账，现在都两天了"),
    ("system", "\u201c店长\u201d撤回了一条消息"),
    ("sep", "14:00"),
    ("left", "店长", "今天21点前给你处理"),
    ("right", "好的"),
]
# What the conversation means on Friday 2026-11-27 at 22:00 (China time): (sender, name, time, text start).
EXPECTED = [
    ("buyer", None, "2026-11-23T21:10", "你好，我在你们店买了"),
    ("merchant", "店长", "2026-11-23T21:10", "亲，稍等"),
    ("merchant", "店长", "2026-11-23T21:10", "今天充值通道维护"),
    ("buyer", None, "2026-11-26T09:05", "商品写着"),
    ("system", None, "2026-11-26T09:05", "\u201c店长\u201d撤回了一条消息"),
    ("merchant", "店长", "2026-11-27T14:00", "今天21点前给你处理"),
    ("buyer", None, "2026-11-27T14:00", "好的"),
]
# Names with times in the other side's headers (QQ), a date-only separator, a long wrapped message, Latin text.
CONVERSATION_TIMED = [
    ("sep", "2026年11月20日"),
    ("left", "客服小星", "亲，代充订单付款后30分钟内发货，节假日顺延，请耐心等待，有问题随时联系我们的客服处理", "14:02:11"),
    ("right", "OK, thanks a lot"),
    ("sep", "11月23日 10:15"),
    ("left", "客服小星", "在处理了，周五前给你", "10:16:40"),
    ("right", "好的，等你消息"),  # one-character bubbles ("好") at PC size can escape OCR's text detector
]
EXPECTED_TIMED = [
    ("merchant", "客服小星", "2026-11-20T14:02:11", "亲，代充订单付款后30分钟内发货"),
    ("buyer", None, None, "OK, thanks a lot"),
    ("merchant", "客服小星", "2026-11-23T10:16:40", "在处理了，周五前给你"),
    ("buyer", None, "2026-11-23T10:15", "好的，等你消息"),
]
CONTACTS = [("星辰卡铺-店长", "14:00", "今天21点前给你处理"), ("文件传输助手", "昨天", "[图片]"),
            ("王者荣耀交流群", "星期二", "小李：有人一起吗"), ("张三", "11/20", "好的，明天见")]


@dataclass(frozen=True)
class Style:
    name: str
    width: int  # CSS px
    height: int
    scale: float  # device pixels per CSS px
    css: str
    names: bool  # the other side's name above its bubbles
    shell: str  # "phone", "wechat_pc", "qq_pc", "bare" (only the messages: a screenshot cropped by the buyer)


_BASE = """
* { box-sizing: border-box; margin: 0; padding: 0; }
body { font-family: "Noto Sans CJK SC", sans-serif; width: %(w)dpx; height: %(h)dpx; overflow: hidden;
       background: var(--bg); color: var(--text); }
.msgs { padding: 8px 0; }
.sep { text-align: center; font-size: 12px; color: var(--muted); margin: 14px 0 10px; }
.sys { text-align: center; margin: 10px 0; }
.sys span { font-size: 12px; color: var(--muted); background: var(--sysbg); padding: 3px 8px; border-radius: 4px; }
.row { display: flex; align-items: flex-start; margin: 12px 14px; }
.row.right { flex-direction: row-reverse; }
.avatar { width: var(--av); height: var(--av); border-radius: 4px; flex: none; }
.left .avatar { background: #e8a33d; } .right .avatar { background: #5b8def; }
.body { margin: 0 10px; max-width: var(--maxw); display: flex; flex-direction: column; }
.right .body { align-items: flex-end; }
.name { font-size: 12px; color: var(--muted); margin: 0 0 4px 2px; }
.bubble { font-size: var(--fs); line-height: 1.5; padding: 8px 11px; border-radius: 5px; word-break: break-all; }
.left .bubble { background: var(--lb); color: var(--lt); } .right .bubble { background: var(--rb); color: var(--rt); }
"""
_WECHAT_LIGHT = "--bg:#ededed;--text:#191919;--muted:#999;--sysbg:transparent;--lb:#fff;--lt:#191919;--rb:#95ec69;--rt:#191919;"
_WECHAT_DARK = "--bg:#111;--text:#d5d5d5;--muted:#777;--sysbg:transparent;--lb:#2c2c2c;--lt:#d5d5d5;--rb:#3eb575;--rt:#111;"
_QQ_LIGHT = "--bg:#f2f2f2;--text:#222;--muted:#8a8a8a;--sysbg:#e4e4e4;--lb:#fff;--lt:#222;--rb:#0099ff;--rt:#fff;"
_QQ_DARK = "--bg:#1a1a1a;--text:#e0e0e0;--muted:#8a8a8a;--sysbg:#2a2a2a;--lb:#2b2b2b;--lt:#e0e0e0;--rb:#0a7ad6;--rt:#fff;"

_PHONE = """
.status { height: 44px; display: flex; justify-content: space-between; align-items: center; padding: 0 22px;
          font-size: 15px; font-weight: 600; }
.nav { height: 44px; display: flex; align-items: center; justify-content: space-between; padding: 0 12px;
       font-size: 17px; border-bottom: 1px solid var(--sysbg); }
.nav b { font-weight: 500; }
.input { position: absolute; bottom: 0; left: 0; right: 0; height: 64px; background: var(--bg);
         border-top: 1px solid #8884; display: flex; align-items: center; padding: 0 10px; gap: 10px; }
.input .box { flex: 1; height: 38px; border-radius: 5px; background: var(--lb); }
.input .icon { width: 28px; height: 28px; border: 2px solid var(--muted); border-radius: 50%; }
"""
_WECHAT_PC = """
.win { display: flex; height: 100%; }
.nav { width: 56px; background: #2e2e2e; }
.list { width: 250px; background: var(--listbg); border-right: 1px solid #8883; }
.search { margin: 22px 12px 12px; height: 26px; border-radius: 4px; background: var(--sysbg2); font-size: 12px;
          color: var(--muted); padding: 5px 8px; }
.item { display: flex; padding: 10px 12px; gap: 10px; }
.item .pic { width: 40px; height: 40px; border-radius: 4px; background: #7aa5d8; flex: none; }
.item .txt { flex: 1; min-width: 0; }
.item .top { display: flex; justify-content: space-between; font-size: 14px; }
.item .top i { font-style: normal; font-size: 11px; color: var(--muted); }
.item .pre { font-size: 12px; color: var(--muted); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.chat { flex: 1; display: flex; flex-direction: column; min-width: 0; }
.head { height: 60px; padding: 22px 20px 0; font-size: 17px; border-bottom: 1px solid #8883; }
.chat .msgs { flex: 1; overflow: hidden; }
.edit { height: 150px; border-top: 1px solid #8883; position: relative; }
.edit .send { position: absolute; right: 24px; bottom: 14px; font-size: 14px; padding: 5px 20px;
              background: var(--sysbg2); color: #07c160; border-radius: 4px; }
"""
_QQ_PC = """
.win { display: flex; flex-direction: column; height: 100%; }
.head { height: 52px; padding: 14px 18px; font-size: 16px; font-weight: 600; border-bottom: 1px solid #8883; }
.msgs { flex: 1; overflow: hidden; }
.edit { height: 130px; border-top: 1px solid #8883; position: relative; }
.edit .send { position: absolute; right: 18px; bottom: 12px; font-size: 13px; padding: 5px 18px;
              background: #0099ff; color: #fff; border-radius: 4px; }
"""

STYLES = {
    "phone_wechat": Style("phone_wechat", 390, 844, 3, f":root{{{_WECHAT_LIGHT}--av:40px;--maxw:250px;--fs:16px;}}" + _PHONE,
                          False, "phone"),
    "phone_wechat_dark": Style("phone_wechat_dark", 390, 844, 3,
                               f":root{{{_WECHAT_DARK}--av:40px;--maxw:250px;--fs:16px;}}" + _PHONE, False, "phone"),
    "phone_wechat_group_cropped": Style("phone_wechat_group_cropped", 390, 700, 3,
                                        f":root{{{_WECHAT_LIGHT}--av:40px;--maxw:250px;--fs:16px;}}" + _PHONE,
                                        True, "bare"),
    "wechat_pc": Style("wechat_pc", 960, 700, 1,
                       f":root{{{_WECHAT_LIGHT}--listbg:#e6e6e6;--sysbg2:#dcdcdc;--av:34px;--maxw:380px;--fs:14px;}}"
                       + _WECHAT_PC, False, "wechat_pc"),
    "wechat_pc_dark": Style("wechat_pc_dark", 960, 700, 1,
                            f":root{{{_WECHAT_DARK}--listbg:#191919;--sysbg2:#2c2c2c;--av:34px;--maxw:380px;--fs:14px;}}"
                            + _WECHAT_PC, False, "wechat_pc"),
    "qq_pc": Style("qq_pc", 820, 680, 1, f":root{{{_QQ_LIGHT}--av:36px;--maxw:420px;--fs:14px;}}" + _QQ_PC,
                   True, "qq_pc"),
    "qq_pc_dark": Style("qq_pc_dark", 820, 680, 1, f":root{{{_QQ_DARK}--av:36px;--maxw:420px;--fs:14px;}}" + _QQ_PC,
                        True, "qq_pc"),
}


def _messages(style: Style, conversation) -> str:
    out = []
    for item in conversation:
        kind = item[0]
        if kind == "sep":
            out.append(f'<div class="sep">{html.escape(item[1])}</div>')
        elif kind == "system":
            out.append(f'<div class="sys"><span>{html.escape(item[1])}</span></div>')
        else:
            name, text = (item[1], item[2]) if kind == "left" else (None, item[1])
            if len(item) > 3:
                name = f"{name}  {item[3]}"
            label = f'<div class="name">{html.escape(name)}</div>' if name and style.names else ""
            out.append(f'<div class="row {kind}"><div class="avatar"></div><div class="body">{label}'
                       f'<div class="bubble">{html.escape(text)}</div></div></div>')
    return '<div class="msgs">' + "".join(out) + "</div>"


def page(style: Style, conversation=CONVERSATION, title: str = "星辰卡铺-店长") -> str:
    msgs = _messages(style, conversation)
    t = html.escape(title)
    if style.shell == "bare":
        body = msgs
    elif style.shell == "phone":
        body = (f'<div class="status"><span>22:00</span><span>5G 88%</span></div>'
                f'<div class="nav"><span>〈</span><b>{t}</b><span>···</span></div>{msgs}'
                '<div class="input"><div class="icon"></div><div class="box"></div><div class="icon"></div></div>')
    elif style.shell == "wechat_pc":
        items = "".join(f'<div class="item"><div class="pic"></div><div class="txt"><div class="top"><span>{html.escape(n)}'
                        f'</span><i>{html.escape(w)}</i></div><div class="pre">{html.escape(p)}</div></div></div>'
                        for n, w, p in CONTACTS)
        body = (f'<div class="win"><div class="nav"></div><div class="list"><div class="search">搜索</div>{items}</div>'
                f'<div class="chat"><div class="head">{t}</div>{msgs}<div class="edit"><span class="send">发送(S)</span>'
                '</div></div></div>')
    else:
        body = (f'<div class="win"><div class="head">{t}</div>{msgs}<div class="edit"><span class="send">发送</span>'
                '</div></div>')
    css = _BASE % {"w": style.width, "h": style.height} + style.css
    return f'<!DOCTYPE html><html><head><meta charset="utf-8"><style>{css}</style></head><body>{body}</body></html>'


async def render(styles: list[Style], conversation=CONVERSATION) -> dict[str, bytes]:
    """Each style's screenshot as PNG bytes, from one headless Chromium (through the helper's launch seam)."""
    from playwright.async_api import async_playwright

    from helper.capture.browser import launch_browser

    shots = {}
    async with async_playwright() as pw:
        browser = await launch_browser(pw)
        try:
            for style in styles:
                ctx = await browser.new_context(viewport={"width": style.width, "height": style.height},
                                                device_scale_factor=style.scale)
                pg = await ctx.new_page()
                await pg.set_content(page(style, conversation))
                await pg.evaluate("document.fonts.ready")
                shots[style.name] = await pg.screenshot(type="png")
                await ctx.close()
        finally:
            await browser.close()
    return shots


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    out.mkdir(parents=True, exist_ok=True)
    for name, png in asyncio.run(render(list(STYLES.values()))).items():
        (out / f"{name}.png").write_bytes(png)
        print(out / f"{name}.png")
