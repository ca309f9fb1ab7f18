"""`witness ocr IMAGE [--now ISO] [--engine NAME] [--chat] [--json]`: OCR one screenshot (with --chat: read as a
QQ / WeChat conversation)."""

from __future__ import annotations


from helper.core.clock import CHINA, china, parse_iso, utcnow
from helper.cli.common import NOW_HELP, examples, parse_now
from helper.core.errors import OcrError


def register(sub) -> None:
    from ocr.engines import DEFAULT_ORDER

    p = sub.add_parser("ocr", help="识别截图文字与时间 / OCR a screenshot: text, boxes, timestamps",
                       epilog=examples("witness ocr 聊天截图.png", "witness ocr 聊天截图.png --now 2026-11-27T15:00 --engine tesseract --json",
                                       "witness ocr 微信聊天.png --chat --now 2026-11-27T22:00"))
    p.add_argument("image", help="PNG/JPEG/WebP screenshot")
    p.add_argument("--now", type=parse_now, help=NOW_HELP)
    p.add_argument("--engine", choices=DEFAULT_ORDER, help="OCR engine (default: the best installed)")
    p.add_argument("--chat", action="store_true",
                   help="read it as a chat: messages with side (left = the merchant, right = me), name and time")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_ocr)


def cmd_ocr(args) -> int:
    import ocr

    from helper.cli import print_json
    from helper.understanding.ocr_lines import read_ocr

    now = (args.now or utcnow()).astimezone(CHINA)
    try:
        read = ocr.recognise(args.image, engine=args.engine)
    except ocr.OcrError as e:
        raise OcrError(e.message) from e
    result = read_ocr(read, now)
    if args.chat:
        from helper.cli.importing import print_messages
        from helper.understanding.ocr_chat import read_chat

        chat = read_chat(read.lines, width=read.width, height=read.height, now=now)
        if args.json:
            print_json({**result, "chat": {"title": chat.title, "looks_like_chat": chat.looks_like_chat,
                                           "messages": chat.messages}})
            return 0
        print(f"# {chat.title or '—'}")
        print_messages(chat.messages, None)
        return 0
    if args.json:
        print_json(result)
        return 0
    print(result["text"])
    print(f"\n# 引擎 / engine: {result['engine']}; {len(result['lines'])} lines, {len(result['timestamps'])} timestamps")
    for t in result["timestamps"]:
        print(f"  {t['text']}  ->  {china(parse_iso(t['iso']))}  box={t['box']}")
    return 0
