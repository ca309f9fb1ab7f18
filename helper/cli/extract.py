"""`witness extract PAGE.html [--url URL] [--now ISO] --json`: print what the page says (issue 4 shape)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from helper.core.clock import CHINA, utcnow
from helper.core.errors import BadRequest, WitnessError

from helper.understanding.decode import decode_html
from helper.understanding.extract import extract, extract_text


def register(sub) -> None:
    p = sub.add_parser(
        "extract",
        help="读取页面中的订单、承诺、聊天与期限 / extract order facts, promise, chat and deadline from a page",
        description="读取保存的页面 (HTML) 或 OCR 文本 (--text)，输出订单事实 / extract facts from a saved page",
    )
    p.add_argument("page", help="saved page (.html, any encoding) or text file with --text")
    p.add_argument("--url", help="the page's URL (helps recognise the shop system and order number)")
    p.add_argument("--now", help="reference time for relative times, ISO 8601 (default: now); no offset = China time")
    p.add_argument("--text", action="store_true", help="the file is plain text (OCR lines), not HTML")
    p.add_argument("--json", action="store_true", help="print JSON (the only output format)")
    p.set_defaults(func=run)


def _now(value: str | None) -> datetime:
    if not value:
        return utcnow()
    try:
        dt = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise BadRequest(f"--now 不是 ISO 8601 时间 / --now is not an ISO 8601 time: {value!r}") from None
    return dt if dt.tzinfo else dt.replace(tzinfo=CHINA)


def run(args) -> int:
    from helper.cli import print_json

    now = _now(args.now)
    path = Path(args.page)
    try:
        data = path.read_bytes()
    except (OSError, ValueError) as e:
        reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        raise BadRequest(f"无法读取文件 / cannot read file {args.page}: {reason}") from None
    try:
        if args.text:
            result = extract_text(decode_html(data), now, url=args.url)
        else:
            result = extract(data, args.url, now=now)
    except Exception as e:  # extract must not raise on any page; if it does, say so without a traceback
        raise WitnessError(f"页面解析失败 / extraction failed: {type(e).__name__}: {e}", code="extract_failed") from None
    print_json(result)
    return 0
