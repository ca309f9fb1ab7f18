"""Labelled OCR set: chat threads (QQ, WeChat, web-widget styles) and order pages (dujiaoka, acg-faka, 彩虹),
light and dark, 13-18 px text, several CJK fonts, device scale 1 and 2, every timestamp form of DOMAIN.md;
plus four single phone screens (1170 px wide, device scale 3) as the "typical chat screenshot" for timing.

Rendered with the system Chromium (helper.browser.launch_browser). Each PNG gets a JSON label: the exact text
lines as laid out (read back from the DOM, so wrapping cannot make labels lie) and the expected timestamps as
ISO 8601 for the fixed NOW. Expected values come from the datetimes the generator formatted, not from parsing.

    .venv/bin/python bench/ocr_set.py [--out bench/out/ocr_set] [--count 48] [--seed 5]
"""

from __future__ import annotations

import argparse
import asyncio
import html
import json
import random
import sys
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from helper.capture.browser import launch_browser
from helper.core.clock import CHINA, iso

NOW = datetime(2026, 11, 27, 15, 0, 0, tzinfo=CHINA)  # a Friday
TODAY = NOW.date()
FONTS = ["Noto Sans CJK SC", "Noto Serif CJK SC", "Noto Sans Mono CJK SC", "Noto Sans CJK TC"]
STYLES = ["wechat", "qq", "widget", "dujiaoka", "acgfaka", "rainbow"]
WEEK = "一二三四五六日"

# --- timestamp forms (formatting only; the expected value is the datetime itself) -------------------------


def _h12(dt: datetime) -> str:
    h = dt.hour
    if h < 6:
        p, hh = "凌晨", h
    elif h < 12:
        p, hh = "上午", h
    elif h == 12:
        p, hh = "中午", 12
    elif h < 18:
        p, hh = "下午", h - 12
    else:
        p, hh = "晚上", h - 12
    return f"{p}{hh}:{dt.minute:02d}"


FULL_FORMS = {
    "ymd_hms": lambda d: d.strftime("%Y-%m-%d %H:%M:%S"),
    "qq_export": lambda d: f"{d.year}-{d.month}-{d.day} {d.hour}:{d.minute:02d}:{d.second:02d}",
    "slash": lambda d: d.strftime("%Y/%m/%d %H:%M"),
    "cn_date": lambda d: f"{d.year}年{d.month}月{d.day}日 {d:%H:%M}",
    "cn_date_12h": lambda d: f"{d.year}年{d.month}月{d.day}日 {_h12(d)}",
    "iso": lambda d: d.strftime("%Y-%m-%dT%H:%M:%S.") + f"{d.microsecond // 1000:03d}+08:00",
    "cn_md": lambda d: f"{d.month}月{d.day}日 {d:%H:%M}",
    "md_dash": lambda d: d.strftime("%m-%d %H:%M"),
}
NEAR_FORMS = {  # only for dates 1-6 days back
    "yesterday": (1, lambda d: f"昨天 {d:%H:%M}"),
    "yesterday_12h": (1, lambda d: f"昨天 {_h12(d)}"),
    "day_before": (2, lambda d: f"前天 {d:%H:%M}"),
    "weekday": (None, lambda d: f"星期{WEEK[d.weekday()]} {d:%H:%M}"),
    "zhou": (None, lambda d: f"周{WEEK[d.weekday()]} {d:%H:%M}"),
    "weekday_12h": (None, lambda d: f"星期{WEEK[d.weekday()]} {_h12(d)}"),
}
BARE_FORMS = {"bare": lambda d: d.strftime("%H:%M"), "bare_12h": _h12}


def dated_forms(d: date) -> list[str]:
    back = (TODAY - d).days
    out = [k for k in FULL_FORMS]
    for k, (days, _) in NEAR_FORMS.items():
        if (days is None and 1 <= back <= 6) or days == back:
            out.append(k)
    return out


def fmt(form: str, dt: datetime) -> str:
    if form in FULL_FORMS:
        return FULL_FORMS[form](dt)
    if form in NEAR_FORMS:
        return NEAR_FORMS[form][1](dt)
    return BARE_FORMS[form](dt)


def separator(d: date, rng: random.Random) -> str:
    if d == TODAY and rng.random() < 0.5:
        return "今天"
    return d.isoformat() if rng.random() < 0.5 else f"{d.month}月{d.day}日"


# --- content ---------------------------------------------------------------------------------------------

BUYER = [
    "老板在吗？我刚付款了", "订单号 {sn} 还没发货", "已经付款 {amt} 元，请尽快发货", "怎么还没到账？",
    "你好，请问什么时候发货", "Order ID {sn} still pending", "充值没到账，麻烦看一下", "已付款半小时了还没收到卡密",
    "再不发货我就申请退款了", "请回复一下，谢谢", "页面显示已支付，但是没有卡密", "QQ 号 {qq} 是我的",
]
SELLER = [
    "在的，稍等", "付款后5分钟内自动发货", "马上处理，10分钟内发货", "系统繁忙，24小时内发货", "好的亲，已经在处理了",
    "库存可使用卡密不足，请联系管理员核查", "正在发货中，请耐心等待，如有疑问，请联系客服。", "代开类商品一般在48小时内完成",
    "亲，今天之内一定发", "Sorry, the card key is out of stock",
]
GOODS = ["Steam 钱包充值卡 100元", "王者荣耀 点券 600", "网易云音乐 年卡", "Apple ID 充值 50", "腾讯视频 VIP 月卡"]


def fill(text: str, rng: random.Random) -> str:
    sn = "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(16))
    return text.format(sn=sn, amt=rng.choice(["30.00", "99.50", "128", "600"]), qq=rng.randint(10**8, 10**10))


@dataclass
class Msg:
    mine: bool
    text: str
    stamp: str | None = None  # shown time text
    dt: datetime | None = None
    sep: str | None = None  # a date separator line before the message


@dataclass
class Sample:
    style: str
    theme: str
    font: str
    px: int
    scale: int
    msgs: list[Msg] = field(default_factory=list)
    html: str = ""


def thread(rng: random.Random, n_days: int = 4, short: bool = False) -> list[Msg]:
    days = sorted(rng.sample(range(0, 9), n_days - 1) + [rng.randint(20, 200)], reverse=True)
    msgs: list[Msg] = []
    for back in days:
        d = TODAY - timedelta(days=back)
        use_sep = rng.random() < 0.45
        sep = separator(d, rng) if use_sep else None
        # a time today must not be later than now
        start = rng.randint(0, 12 if back == 0 else 22)
        t = datetime(d.year, d.month, d.day, start, rng.randint(0, 59), rng.randint(0, 59),
                     rng.randint(0, 999) * 1000, tzinfo=CHINA)
        for j in range(rng.randint(2, 3)):
            mine = rng.random() < 0.5
            pool = [x for x in (BUYER if mine else SELLER) if not short or len(x) <= 14]
            text = fill(rng.choice(pool), rng)
            if use_sep:
                form = rng.choice(list(BARE_FORMS))
            else:
                form = rng.choice(dated_forms(d))
            if form == "iso":
                t = t.replace(microsecond=rng.randint(1, 999) * 1000)
            elif form in ("ymd_hms", "qq_export"):
                t = t.replace(microsecond=0)
            else:
                t = t.replace(second=0, microsecond=0)
            msgs.append(Msg(mine, text, fmt(form, t), t, sep if j == 0 else None))
            t = t + timedelta(minutes=rng.randint(1, 50), seconds=rng.randint(0, 59))
            if t.date() != d:
                break
    return msgs


def order_rows(style: str, rng: random.Random) -> tuple[list[tuple[str, str, datetime | None]], str]:
    dt = NOW - timedelta(days=rng.randint(0, 40), minutes=rng.randint(30, 900))
    dt = dt.replace(microsecond=0)
    paid = dt + timedelta(minutes=rng.randint(1, 5), seconds=rng.randint(0, 59))
    goods = rng.choice(GOODS)
    f1, f2 = rng.choice(["ymd_hms", "qq_export", "slash", "cn_date"]), "ymd_hms"
    if f1 in ("slash", "cn_date"):
        dt = dt.replace(second=0)
    if style == "dujiaoka":
        sn = "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(16))
        return [("订单号", sn, None), ("订单名称", goods, None), ("购买数量", str(rng.randint(1, 3)), None),
                ("订单创建时间", fmt(f1, dt), dt), ("下单邮箱", f"buyer{rng.randint(10, 999)}@qq.com", None),
                ("订单类型", rng.choice(["自动发货", "人工处理"]), None),
                ("实际支付价格", f"¥{rng.choice(['30.00', '99.50', '128.00'])}", None),
                ("订单状态", rng.choice(["待处理", "处理中", "已完成"]), None), ("支付方式", "支付宝", None)], "订单详情"
    if style == "acgfaka":
        sn = f"{rng.randint(100, 999)}{dt:%y%m%d%H%M%S}{rng.randint(100, 999)}"
        return [("订单号", sn, None), ("商品名称", goods, None), ("下单时间", fmt(f1, dt), dt),
                ("付款时间", fmt(f2, paid), paid), ("支付方式", "微信支付", None),
                ("订单金额", f"¥{rng.choice(['30.00', '600.00'])}", None), ("商品类型", "在线发货", None),
                ("宝贝内容", "正在发货中，请耐心等待，如有疑问，请联系客服。", None)], "订单查询"
    sn = f"{dt:%Y%m%d%H%M%S}{rng.randint(100, 999)}"
    return [("订单编号", sn, None), ("商品名称", goods, None), ("订单金额", f"{rng.choice(['30', '88', '600'])}元", None),
            ("购买时间", fmt(f1, dt), dt), ("下单信息", f"QQ {rng.randint(10**8, 10**10)}", None),
            ("订单状态", rng.choice(["待处理", "处理中", "异常"]), None)], "订单详细信息"


# --- HTML ------------------------------------------------------------------------------------------------

THEMES = {
    "light": dict(bg="#f1f1f1", fg="#111", dim="#999", other="#ffffff", mine_wechat="#95ec69", mine_qq="#0099ff",
                  mine_qq_fg="#fff", card="#ffffff", line="#e5e5e5"),
    "dark": dict(bg="#111111", fg="#d5d5d5", dim="#7a7a7a", other="#2c2c2c", mine_wechat="#3eb575", mine_qq="#1a5fb4",
                 mine_qq_fg="#eee", card="#1e1e1e", line="#333"),
}


def t(text: str, cls: str = "", iso_value: datetime | None = None, style: str = "") -> str:
    attr = f' data-iso="{iso(iso_value)}"' if iso_value else ""
    st = f' style="{style}"' if style else ""
    return f'<span class="t {cls}"{attr}{st}>{html.escape(text)}</span>'


def chat_html(s: Sample, c: dict) -> str:
    parts = []
    for m in s.msgs:
        if m.sep:
            parts.append(f'<div class="center">{t(m.sep, "dim")}</div>')
        bubble_bg = c["other"]
        fg = c["fg"]
        if m.mine:
            bubble_bg = c["mine_qq"] if s.style == "qq" else c["mine_wechat"]
            fg = c["mine_qq_fg"] if s.style == "qq" else ("#111" if s.theme == "light" else "#eee")
        bubble = f'<div class="bubble" style="background:{bubble_bg}">{t(m.text, style=f"color:{fg}")}</div>'
        side = "mine" if m.mine else "other"
        if s.style == "wechat":
            parts.append(f'<div class="center">{t(m.stamp, "dim", m.dt)}</div>')
            parts.append(f'<div class="row {side}"><div class="avatar"></div>{bubble}</div>')
        elif s.style == "qq":
            name = "我" if m.mine else "客服小美"
            parts.append(f'<div class="row {side} head">{t(name, "dim")}&nbsp;&nbsp;{t(m.stamp, "dim", m.dt)}</div>')
            parts.append(f'<div class="row {side}"><div class="avatar"></div>{bubble}</div>')
        else:
            parts.append(f'<div class="row {side}">{bubble}</div>')
            parts.append(f'<div class="row {side} foot">{t(m.stamp, "dim", m.dt)}</div>')
    title = {"wechat": "卡盟客服", "qq": "发卡网售后 (QQ)", "widget": "在线客服"}[s.style]
    return f'<div class="title">{t(title)}</div><div class="thread">{"".join(parts)}</div>'


def order_html(rows, title: str, s: Sample) -> str:
    if s.style == "rainbow":
        body = "".join(f"<tr><td>{t(k)}</td><td>{t(v, '', dt)}</td></tr>" for k, v, dt in rows)
        return f'<div class="title">{t(title)}</div><table>{body}</table><div class="btns">{t("投诉订单")} {t("申请退款")}</div>'
    if s.style == "acgfaka":
        body = "".join(f"<li>{t(k + '：')}{t(v, '', dt)}</li>" for k, v, dt in rows)
        return f'<div class="title">{t(title)}</div><ul>{body}</ul>'
    body = "".join(f'<div class="kv">{t(k + "：")}{t(v, "", dt)}</div>' for k, v, dt in rows)
    return f'<div class="title">{t(title)}</div><div class="card">{body}</div>'


def page(s: Sample, inner: str, c: dict, width: int) -> str:
    return f"""<!doctype html><html><head><meta charset="utf-8"><style>
body {{ margin:0; background:{c['bg']}; color:{c['fg']}; font-family:'{s.font}'; font-size:{s.px}px; width:{width}px; }}
.t {{ white-space:nowrap; }}
.dim {{ color:{c['dim']}; font-size:{max(13, s.px - 2)}px; }}
.title {{ padding:12px 16px; font-size:{s.px + 2}px; border-bottom:1px solid {c['line']}; background:{c['card']}; }}
.thread {{ padding:8px 12px 24px; }}
.center {{ text-align:center; margin:14px 0 8px; }}
.row {{ display:flex; align-items:flex-start; margin:6px 0; }}
.row.mine {{ flex-direction:row-reverse; }}
.head, .foot {{ margin:2px 52px; }} .foot {{ margin:0 4px 10px; }}
.avatar {{ width:40px; height:40px; border-radius:4px; background:#6a8fd6; margin:0 8px; flex:none; }}
.bubble {{ padding:9px 12px; border-radius:6px; max-width:{width - 120}px; }}
.card, ul {{ margin:16px; padding:12px 18px; background:{c['card']}; border-radius:8px; list-style:none; }}
.kv, li {{ padding:7px 0; border-bottom:1px solid {c['line']}; }}
table {{ margin:16px; border-collapse:collapse; background:{c['card']}; }}
td {{ border:1px solid {c['line']}; padding:8px 14px; }}
.btns {{ margin:0 16px 20px; }}
</style></head><body>{inner}</body></html>"""


PHONE = (390, 844, 3)  # CSS px wide, tall, device scale: one 1170x2532 phone screen


def build(i: int, rng: random.Random) -> tuple[Sample, int]:
    if i >= 48:  # one phone screen (not a full page): the "typical chat screenshot" for timing
        style, theme = ("wechat", "qq")[i % 2], ("light", "dark")[(i // 2) % 2]
        s = Sample(style, theme, FONTS[i % len(FONTS)], rng.randint(15, 17), PHONE[2])
        s.msgs = thread(rng, n_days=4, short=True)
        s.html = page(s, chat_html(s, THEMES[theme]), THEMES[theme], PHONE[0])
        return s, PHONE[0]
    style = STYLES[i % len(STYLES)]
    theme = "dark" if (i // len(STYLES)) % 2 else "light"
    s = Sample(style, theme, FONTS[(i // 2) % len(FONTS)], rng.randint(13, 18), 1 + (i // 12) % 2)
    c = THEMES[theme]
    if style in ("wechat", "qq", "widget"):
        s.msgs = thread(rng, n_days=rng.randint(3, 4))
        width = 380 if style == "widget" else 420
        s.html = page(s, chat_html(s, c), c, width)
    else:
        rows, title = order_rows(style, rng)
        width = 720
        s.html = page(s, order_html(rows, title, s), c, width)
    return s, width


READ_DOM = """() => [...document.querySelectorAll('.t')].map(e => {
  const r = e.getBoundingClientRect();
  return {text: e.textContent, x: r.x, y: r.y, w: r.width, h: r.height, iso: e.dataset.iso || null};
})"""


def lines_of(items: list[dict]) -> list[str]:
    """Group DOM text boxes into visual lines (shared vertical centre band), left to right."""
    items = sorted(items, key=lambda it: (it["y"] + it["h"] / 2, it["x"]))
    rows: list[list[dict]] = []
    for it in items:
        cy = it["y"] + it["h"] / 2
        if rows and abs(cy - (rows[-1][0]["y"] + rows[-1][0]["h"] / 2)) < it["h"] / 2:
            rows[-1].append(it)
        else:
            rows.append([it])
    return [" ".join(x["text"] for x in sorted(r, key=lambda x: x["x"])) for r in rows]


async def render(out: Path, count: int, seed: int) -> list[Path]:
    from playwright.async_api import async_playwright

    out.mkdir(parents=True, exist_ok=True)
    for old in [*out.glob("*.png"), *out.glob("*.json")]:
        old.unlink()  # a previous run's names may differ
    rng = random.Random(seed)
    written = []
    async with async_playwright() as p:
        browser = await launch_browser(p)
        try:
            for i in range(count):
                s, width = build(i, rng)
                vh = PHONE[1] if s.scale == PHONE[2] else 600
                ctx = await browser.new_context(viewport={"width": width, "height": vh}, device_scale_factor=s.scale)
                pg = await ctx.new_page()
                await pg.set_content(s.html)
                await pg.evaluate("document.fonts.ready")
                items = await pg.evaluate(READ_DOM)
                name = f"{i:02d}_{s.style}_{s.theme}_{s.px}px_x{s.scale}"
                png = out / f"{name}.png"
                if s.scale == PHONE[2]:  # one screen: keep only lines wholly on it, cut below the last
                    items = [it for it in items if it["y"] + it["h"] <= PHONE[1]]
                    bottom = min(PHONE[1], max(it["y"] + it["h"] for it in items) + 6)
                    await pg.screenshot(path=str(png), clip={"x": 0, "y": 0, "width": width, "height": bottom})
                    name = "phone_" + name
                    png = png.rename(out / f"{name}.png")
                else:
                    await pg.screenshot(path=str(png), full_page=True)
                await ctx.close()
                label = {
                    "file": png.name, "style": s.style, "theme": s.theme, "font": s.font, "font_px": s.px,
                    "scale": s.scale, "now": iso(NOW), "lines": lines_of(items),
                    "timestamps": [{"text": it["text"], "iso": it["iso"]} for it in items if it["iso"]],
                }
                (out / f"{name}.json").write_text(json.dumps(label, ensure_ascii=False, indent=1), encoding="utf-8")
                written.append(png)
        finally:
            await browser.close()
    return written


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "ocr_set")
    ap.add_argument("--count", type=int, default=52, help="48 pages/threads, then phone screens")
    ap.add_argument("--seed", type=int, default=5)
    args = ap.parse_args(argv)
    files = asyncio.run(render(args.out, args.count, args.seed))
    print(f"wrote {len(files)} images + labels to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
