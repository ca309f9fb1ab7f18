"""`witness ocr IMAGE [--now ISO] [--engine NAME] [--json]`: OCR one screenshot."""

from __future__ import annotations

from datetime import datetime

from helper.core.clock import CHINA, china, parse_iso, utcnow
from helper.core.errors import BadRequest, OcrError


def register(sub) -> None:
    p = sub.add_parser("ocr", help="识别截图文字与时间 / OCR a screenshot: text, boxes, timestamps")
    p.add_argument("image", help="PNG/JPEG/WebP screenshot")
    p.add_argument("--now", help="capture time for 昨天/星期三/bare times, ISO 8601 (default: now; no offset = China time)")
    p.add_argument("--engine", help="rapidocr or tesseract (default: the best installed)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_ocr)


def _now(text: str | None) -> datetime:
    if not text:
        return utcnow().astimezone(CHINA)
    try:
        dt = datetime.fromisoformat(text)
    except ValueError as e:
        raise BadRequest(f"--now 不是 ISO 8601 时间 / --now is not an ISO 8601 time: {text!r}") from e
    return dt if dt.tzinfo else dt.replace(tzinfo=CHINA)


def cmd_ocr(args) -> int:
    import ocr

    from helper.cli import print_json
    from helper.understanding.ocr_lines import read_ocr

    try:
        result = read_ocr(ocr.recognise(args.image, engine=args.engine), _now(args.now))
    except ocr.OcrError as e:
        raise OcrError(e.message) from e
    if args.json:
        print_json(result)
        return 0
    print(result["text"])
    print(f"\n# 引擎 / engine: {result['engine']}; {len(result['lines'])} lines, {len(result['timestamps'])} timestamps")
    for t in result["timestamps"]:
        print(f"  {t['text']}  ->  {china(parse_iso(t['iso']))}  box={t['box']}")
    return 0
