"""`witness extract PAGE.html [--url URL] [--now ISO] [--layout BOXES.json] --json`, or `witness extract --capture ID`
(a stored capture's dom.html read with its layout.json, URL and capture time): print what the page says."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from helper.cli.common import NOW_HELP, examples, parse_now
from helper.core.clock import parse_iso, utcnow
from helper.core.errors import BadRequest, WitnessError

from helper.understanding.decode import decode_html
from helper.understanding.extract import extract, extract_text


def register(sub) -> None:
    p = sub.add_parser(
        "extract",
        help="读取页面中的订单、承诺、聊天与期限 / extract order facts, promise, chat and deadline from a page",
        description="读取保存的页面 (HTML) 或 OCR 文本 (--text)，输出订单事实 / extract facts from a saved page",
        epilog=examples("witness extract 订单.html --url https://shop.example/detail-order-sn/D8K2M4Q7",
                        "witness extract 聊天.txt --text --now 2026-11-27T15:00 --json",
                        "witness extract --capture 12 --json"),
    )
    p.add_argument("page", nargs="?", help="saved page (.html, any encoding) or text file with --text")
    p.add_argument("--capture", type=int, metavar="ID",
                   help="a stored capture instead of a file: its dom.html with its layout.json (when the capture "
                        "recorded one), its URL and its capture time (as --now)")
    p.add_argument("--url", help="the page's URL (helps recognise the shop system and order number)")
    p.add_argument("--now", type=parse_now, help=NOW_HELP)
    p.add_argument("--text", action="store_true", help="the file is plain text (OCR lines), not HTML")
    p.add_argument("--layout", help='boxes recorded at capture time, JSON {"width": W, "boxes": {PATH: [x, y, w, h]}} '
                                    "(the side a chat bubble sits on; without it the page's markup decides)")
    p.add_argument("--json", action="store_true", help="the whole result as JSON (default: a short summary)")
    p.set_defaults(func=run)


def run(args) -> int:
    from helper.cli import print_json

    if (args.page is None) == (args.capture is None):
        raise BadRequest("需要一个文件或 --capture ID（二选一）/ give a file or --capture ID (one of them)")
    if args.capture is not None:
        if args.text:
            raise BadRequest("--text 不能与 --capture 同用 / --text does not go with --capture")
        data, url, captured_at, layout = _stored(args)
    else:
        data, url, captured_at, layout = _read(args.page), args.url, None, None
    if args.layout:
        layout = _layout(args.layout)
    now = args.now or captured_at or utcnow()
    try:
        if args.text:
            result = extract_text(decode_html(data), now, url=url)
        else:
            result = extract(data, url, now=now, layout=layout)
    except Exception as e:  # extract must not raise on any page; if it does, say so without a traceback
        raise WitnessError(f"页面解析失败 / extraction failed: {type(e).__name__}: {e}", code="extract_failed") from None
    if args.json:
        print_json(result)
    else:
        print_summary(result)
    return 0


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except (OSError, ValueError) as e:
        reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        raise BadRequest(f"无法读取文件 / cannot read file {path}: {reason}") from None


def _stored(args) -> tuple[bytes, str | None, datetime, dict | None]:
    """A stored capture's DOM, URL, capture time and layout (None for captures stored without one)."""
    from helper.cli.common import open_store

    _, store = open_store(args)
    try:
        cap = store.get_capture(args.capture)
        arts = {a["name"]: a for a in cap["artifacts"]}
        if "dom.html" not in arts:
            raise BadRequest(f"取证 {args.capture} 没有保存网页 (dom.html) / capture {args.capture} has no dom.html")
        data = store.artifact_path(arts["dom.html"]).read_bytes()
        layout = _layout(str(store.artifact_path(arts["layout.json"]))) if "layout.json" in arts else None
    finally:
        store.close()
    return data, cap.get("url"), parse_iso(cap["captured_at"]), layout


def _layout(path: str) -> dict:
    try:
        layout = json.loads(Path(path).read_text("utf-8"))
    except (OSError, ValueError) as e:
        raise BadRequest(f"无法读取布局文件 / cannot read the layout file {path}: {e}") from None
    if not isinstance(layout, dict) or not isinstance(layout.get("boxes"), dict):
        raise BadRequest(f'布局文件格式不对 / the layout file needs {{"width": W, "boxes": {{…}}}}: {path}')
    return layout


def print_summary(result: dict) -> None:
    """The facts a person looks for first; --json has everything."""
    order = result.get("order") or {}
    print(f"页面 / page: {result.get('page_kind')}")
    for label, key in (("订单号 / order", "order_no"), ("商品 / product", "product"), ("金额 / amount", "amount"),
                       ("状态 / status", "status"), ("付款 / paid", "paid_at"), ("下单 / ordered", "ordered_at"),
                       ("支付方式 / payment", "payment_method"), ("卡密 / keys", "keys")):
        if order.get(key):
            print(f"  {label}: {order[key]}")
    promise = result.get("promise") or {}
    if promise.get("text"):
        print(f"  承诺 / promise: {promise['text']}" + (f" ({promise['source']})" if promise.get("source") else ""))
    if result.get("deadline"):
        print(f"  期限 / deadline: {result['deadline']}")
    messages = result.get("messages") or []
    if messages:
        print(f"  聊天 / chat: {len(messages)} messages")
    print("  (--json 输出全部 / for everything)")
