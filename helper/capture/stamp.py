"""The visible stamp strip added below a capture (outside the page content): capture time in China time
and UTC, URL, title, order number, capture ID and the SHA-256 of page.png.

`stamp_lines` is pure; `render_strip` draws them with Pillow in a Noto CJK font (`find_cjk_font`).
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from datetime import datetime, timezone

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ..core.clock import CHINA

STRIP_BG = (24, 32, 44)
STRIP_RULE = (230, 126, 34)
STRIP_FG = (255, 255, 255)
STRIP_LABEL = (255, 196, 120)
FONT_PX = 15
KNOWN_FONTS = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc", 2),
    ("/System/Library/Fonts/PingFang.ttc", 0),
    (r"C:\Windows\Fonts\msyh.ttc", 0),
)


SOURCE_LABELS = {
    "buyer_tab": "买家浏览器当前页面 / the buyer's own browser tab",
    "evidence_browser": "取证浏览器 / the evidence browser",
    "url": "独立重新打开的网址（无登录状态）/ the URL opened anew, not logged in",
}
STATE_LABELS = {
    "ok": "正常 / ok",
    "login_required": "登录页（不是订单或聊天内容）/ a sign-in page",
    "loading": "仍在加载（内容未出现）/ still loading",
    "error": "错误页 / an error page",
}


def stamp_lines(*, captured_at: datetime, url: str | None, title: str | None, order_no: str | None,
                capture_uuid: str, page_sha256: str, kind: str, source: str | None = None,
                page_state: str | None = None) -> list[tuple[str, str]]:
    """(label, value) rows of the stamp, in display order."""
    china = captured_at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")
    utc = captured_at.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
    lines = [
        ("取证时间 Captured", f"{china} 北京时间 (UTC+8)  ·  {utc} UTC"),
        ("网址 URL", url or "—"),
        ("标题 Title", title or "—"),
        ("订单号 Order", order_no or "未关联 / not linked"),
    ]
    if source:
        lines.append(("来源 Source", SOURCE_LABELS.get(source, source)))
    if page_state:
        lines.append(("页面状态 Page", STATE_LABELS.get(page_state, page_state)))
    return lines + [
        ("取证编号 Capture ID", f"{capture_uuid}  ·  类型 kind: {kind}"),
        ("page.png SHA-256", page_sha256),
    ]


@functools.lru_cache(maxsize=1)
def find_cjk_font() -> tuple[str | None, int]:
    """(path, face index) of a font with Chinese glyphs: fc-match first, then known paths."""
    if shutil.which("fc-match"):
        try:
            out = subprocess.run(["fc-match", "-f", "%{file}|%{index}", "Noto Sans CJK SC:lang=zh-cn"],
                                 capture_output=True, text=True, timeout=3).stdout
            path, _, index = out.partition("|")
            if path and os.path.exists(path) and "CJK" in path:
                return path, int(index or 0)
        except (OSError, subprocess.SubprocessError, ValueError):
            pass
    for path, index in KNOWN_FONTS:
        if os.path.exists(path):
            return path, index
    return None, 0


@functools.lru_cache(maxsize=8)
def _font(size: int):
    path, index = find_cjk_font()
    if path is None:
        return ImageFont.load_default(size)
    return ImageFont.truetype(path, size, index=index)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, width: float, max_lines: int = 3) -> list[str]:
    lines, cur = [], ""
    for ch in text:
        if draw.textlength(cur + ch, font=font) > width and cur:
            lines.append(cur)
            cur = ch
            if len(lines) == max_lines:
                break
        else:
            cur += ch
    else:
        lines.append(cur)
        return lines
    lines[-1] = lines[-1][:-1] + "…"
    return lines


def render_strip(width: int, lines: list[tuple[str, str]], *, scale: float = 1.0) -> np.ndarray:
    """The strip as an H×width×3 uint8 array; values wrap (at most three lines each)."""
    size = max(10, round(FONT_PX * scale))
    font = _font(size)
    pad = round(12 * scale)
    line_h = round(size * 1.45)
    rule = max(2, round(3 * scale))
    probe = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    label_w = max(probe.textlength(label, font=font) for label, _ in lines) + round(14 * scale)
    value_w = max(40.0, width - 2 * pad - label_w)
    if value_w < width * 0.35:  # narrow image: labels above values
        label_w, value_w = 0, width - 2 * pad
    rows: list[tuple[str, list[str]]] = [(label, _wrap(probe, value, font, value_w)) for label, value in lines]
    n = sum(len(v) + (1 if label_w == 0 else 0) for _, v in rows)
    height = rule + 2 * pad + n * line_h
    im = Image.new("RGB", (width, height), STRIP_BG)
    draw = ImageDraw.Draw(im)
    draw.rectangle([0, 0, width, rule - 1], fill=STRIP_RULE)
    y = rule + pad
    for label, values in rows:
        draw.text((pad, y), label, font=font, fill=STRIP_LABEL)
        if label_w == 0:
            y += line_h
        for v in values:
            draw.text((pad + label_w, y), v, font=font, fill=STRIP_FG)
            y += line_h
    return np.asarray(im)
