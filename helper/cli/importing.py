"""Subcommands for evidence from elsewhere and for finding things: import, search."""

from __future__ import annotations

from pathlib import Path

from helper.cli.common import examples, open_store
from helper.core.errors import BadRequest


def register(sub) -> None:
    from helper.orders.importer import IMPORT_KINDS

    p = sub.add_parser("import", help="导入截图（如支付账单）/ import a screenshot taken elsewhere (payment bill, chat)",
                       epilog=examples("witness import 微信支付账单.png --order 1", "witness import 聊天.jpg --kind chat --note 商家QQ"))
    p.add_argument("image", help="the image file (PNG, JPEG, WebP)")
    p.add_argument("--kind", default="payment", choices=IMPORT_KINDS,
                   help="what it shows (default payment); chat: messages read from a QQ / WeChat screenshot "
                        "(left = the other party, right = me)")
    p.add_argument("--order", type=int, help="order id to attach it to")
    p.add_argument("--note", help="a note kept with the evidence")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("search", help="在截图文字中搜索 / search the text read from screenshots",
                       epilog=examples("witness search 卡密", "witness search 星辰网络 --json"))
    p.add_argument("query", help="text to find (three characters or more use the full-text index)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_search)


def cmd_import(args) -> int:
    from helper.cli import print_json
    from helper.orders.importer import import_image
    from helper.orders.ocr_jobs import read_capture

    path = Path(args.image)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise BadRequest(f"cannot read {path}: {e.strerror}") from None
    config, store = open_store(args, may_start=True)
    try:
        cap = import_image(store, data, path.name, kind=args.kind, order_id=args.order, note=args.note)
        ocr = read_capture(store, cap["id"], engine=config.ocr_engine)
        messages = store.messages(capture_id=cap["id"])
        order_id = store.get_capture(cap["id"])["order_id"]
    finally:
        store.close()
    art = cap["artifacts"][0]
    if args.json:
        print_json({"capture": {**cap, "order_id": order_id},
                    "ocr": {k: ocr[k] for k in ("status", "engine", "error", "checks", "text")},
                    "messages": [{k: m[k] for k in ("sender", "name", "time", "text")} for m in messages]})
        return 0
    print(f"已导入 / imported: capture {cap['id']} ({cap['kind']}), {art['name']} sha256 {art['sha256']}")
    print(f"  原文件名 / original name: {cap['meta']['original_name']}")
    if ocr["status"] != "done":
        print(f"  文字识别失败 / OCR failed: {ocr['error']}")
        return 0
    print_messages(messages, order_id)
    pay = ocr["checks"].get("payment")
    if pay:
        for label, key in (("金额 amount", "amount"), ("时间 time", "time"), ("交易单号 transaction", "transaction_no"),
                           ("收款方 counterparty", "counterparty")):
            print(f"  {label}: {pay.get(key) or '—'}")
    return 0


def print_messages(messages: list[dict], order_id: int | None) -> None:
    """The chat read from a screenshot, one line a message."""
    if not messages:
        return
    who = {"merchant": "对方 merchant", "buyer": "我 buyer", "system": "系统 system"}
    print(f"  聊天消息 / chat messages: {len(messages)}" + (f"（订单 / order {order_id}）" if order_id else ""))
    for m in messages:
        when = m["time"][:16].replace("T", " ") if m["time"] else "—"
        print(f"    {when}  {who[m['sender']]}{'（' + m['name'] + '）' if m['name'] else ''}: {m['text'][:60]}")


def cmd_search(args) -> int:
    from helper.cli import print_json

    _, store = open_store(args)
    try:
        results = store.search(args.query)
    finally:
        store.close()
    if args.json:
        print_json({"q": args.query, "results": results})
    else:
        for r in results:
            print(f"capture {r['capture_id']} [{r['kind']}] {r['captured_at']} {r['url'] or r['title'] or ''}\n    …{r['snippet']}…")
        if not results:
            print("没有结果 / no results")
    return 0
