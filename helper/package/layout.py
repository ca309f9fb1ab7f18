"""Where things go in an evidence package, and how they are named for people. Pure."""

from __future__ import annotations

import re

from ..core.clock import CHINA, parse_iso

FORMAT = "order-witness-package/1"  # the manifest's format
OUTER_FILES = ("manifest.json", "manifest.tsr", "tsa-chain.pem", "VERIFY.md", "SHA256SUMS")  # beside the manifest

KIND_ZH = {
    "order": "订单页",
    "chat": "聊天记录",
    "rules": "平台规则页",
    "payment": "付款记录",
    "desktop": "桌面截图",
    "product": "商品页",
    "other": "其他页面",
}

# What a capture's files are, by name (capture engineer's names) or extension.
ARTIFACT_ZH = {
    "stamped.png": "带取证时间水印的截图",
    "page.png": "整页截图（原始）",
    "raw.png": "截图（原始）",
    "page.mhtml": "网页原文（MHTML）",
    "page.html": "网页源代码（HTML）",
    "dom.html": "网页 DOM 快照（HTML）",
    "text.txt": "页面文字",
    "layout.json": "页面布局记录（各元素在页面上的位置，用于判断聊天气泡属于哪一方）",
    "page.txt": "页面文字",
    "ocr.json": "截图文字识别结果（OCR）",
    "ocr.txt": "截图文字识别结果（OCR）",
    "meta.json": "来源与取证环境记录",
}
EXT_ZH = {
    ".png": "截图", ".jpg": "图片", ".jpeg": "图片", ".webp": "图片", ".mhtml": "网页原文（MHTML）",
    ".html": "网页源代码（HTML）", ".txt": "文字", ".json": "记录（JSON）", ".pdf": "PDF 文件",
}


def capture_dir(capture: dict) -> str:
    """'captures/003-order-2026-11-27T10-05' (capture time in China time, ':' avoided for Windows)."""
    when = parse_iso(capture["captured_at"]).astimezone(CHINA).strftime("%Y-%m-%dT%H-%M")
    kind = re.sub(r"[^a-z0-9]+", "-", str(capture.get("kind") or "other").lower())
    return f"captures/{int(capture['id']):03d}-{kind}-{when}"


def artifact_path(capture: dict, artifact: dict) -> str:
    return f"{capture_dir(capture)}/{artifact['name']}"


def describe_artifact(name: str) -> str:
    if name in ARTIFACT_ZH:
        return ARTIFACT_ZH[name]
    for suffix, label in EXT_ZH.items():
        if name.lower().endswith(suffix):
            return label
    return "文件"


def is_image(artifact: dict) -> bool:
    return str(artifact.get("media_type", "")).startswith("image/")


def best_image(capture: dict) -> dict | None:
    """The screenshot to show a person: the stamped one first, else the first image."""
    images = [a for a in capture.get("artifacts", []) if is_image(a)]
    for a in images:
        if "stamp" in a["name"]:
            return a
    return images[0] if images else None
