"""`witness extract PAGE.html [--url URL] [--now ISO] --json`: print what the page says (issue 4 shape)."""

from __future__ import annotations

import json
from pathlib import Path

from helper.cli.common import NOW_HELP, examples, parse_now
from helper.core.clock import utcnow
from helper.core.errors import BadRequest, WitnessError

from helper.understanding.decode import decode_html
from helper.understanding.extract import extract, extract_text


def register(sub) -> None:
    p = sub.add_parser(
        "extract",
        help="读取页面中的订单、承诺、聊天与期限 / extract order facts, promise, chat and deadline from a page",
        description="读取保存的页面 (HTML) 或 OCR 文本 (--text)，输出订单事实 / extract facts from a saved page",
        epilog=examples("witness extract 订单.html --url https://shop.example/detail-order-sn/D8K2M4Q7",
                        "witness extract 聊天.txt --text --now 2026-11-27T15:00 --json"),
    )
    p.add_argument("page", help="saved page (.html, any encoding) or text file with --text")
    p.add_argument("--url", help="the page's URL (helps recognise the shop system and order number)")
    p.add_argument("--now", type=parse_now, help=NOW_HELP)
    p.add_argument("--text", action="store_true", help="the file is plain text (OCR lines), not HTML")
    p.add_argument("--layout", help='boxes recorded at capture time, JSON {"width": W, "boxes": {PATH: [x, y, w, h]}} '
                                    "(the side a chat bubble sits on; without it the page's markup decides)")
    p.add_argument("--json", action="store_true", help="the whole result as JSON (default: a short summary)")
    p.set_defaults(func=run)


def run(args) -> int:
    from helper.cli import print_json

    now = args.now or utcnow()
    path = Path(args.page)
    try:
        data = path.read_bytes()
    except (OSError, ValueError) as e:
        reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        raise BadRequest(f"无法读取文件 / cannot read file {args.page}: {reason}") from None
    layout = _layout(args.layout)
    try:
        if args.text:
            result = extract_text(decode_html(data), now, url=args.url)
        else:
            result = extract(data, args.url, now=now, layout=layout)
    except Exception as e:  # extract must not raise on any page; if it does, say so without a traceback
        raise WitnessError(f"页面解析失败 / extraction failed: {type(e).__name__}: {e}", code="extract_failed") from None
    if args.json:
        print_json(result)
    else:
        print_summary(result)
    return 0


def _layout(path: str | None) -> dict | None:
    if not path:
        return None
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
