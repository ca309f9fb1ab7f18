"""`witness risk PAGE.html --url URL [--now ISO] [--json]`: the pre-payment risk check of a saved page, with the
buyer's history with the shop from the local store."""

from __future__ import annotations

import sys
from pathlib import Path

from helper.cli.common import NOW_HELP, examples, parse_now
from helper.core.clock import utcnow
from helper.core.errors import BadRequest


def register(sub) -> None:
    p = sub.add_parser(
        "risk",
        help="付款前检查商品页 / 结算页的风险信号 / risk signals of a product or checkout page, before paying",
        description="读取保存的商品页或结算页，列出风险信号（备案、付款方式、售后、价格、你在本店的订单记录、临时站特征）"
                    "/ check a saved product or checkout page for risk signals",
        epilog=examples("witness risk 商品页.html --url https://shop.example/buy/12",
                        "witness risk 结算页.html --url http://1.2.3.4/bill/K7Q2 --json"),
    )
    p.add_argument("page", help="saved page (.html, any encoding)")
    p.add_argument("--url", required=True, help="the page's address (the shop's host, http or https)")
    p.add_argument("--now", type=parse_now, help=NOW_HELP)
    p.add_argument("--json", action="store_true", help="print the whole result as JSON")
    p.set_defaults(func=run)


def run(args) -> int:
    from helper.cli import print_json
    from helper.understanding.risk import assess

    path = Path(args.page)
    try:
        data = path.read_bytes()
    except (OSError, ValueError) as e:
        raise BadRequest(f"无法读取文件 / cannot read file {args.page}: {getattr(e, 'strerror', None) or e}") from None
    result = assess(data, args.url, now=args.now or utcnow(), history=stored_history(args.data_dir))
    if args.json:
        print_json(result)
    else:
        print(text_report(result))
    return 0


def stored_history(data_dir) -> list[dict]:
    """The buyer's tracked orders from the local store; none when there is no store yet (none is created)."""
    from helper.core.config import load_config
    from helper.orders.offers import buyer_history
    from helper.store import Store

    config = load_config(data_dir)
    if not config.db_path.exists():
        print(f"witness: 没有证据库，未比对你在本店的订单 / no evidence store in {config.data_dir}: your history with "
              "the shop is not checked", file=sys.stderr)
        return []
    store = Store(config.data_dir)
    try:
        return buyer_history(store)
    finally:
        store.close()


def text_report(r: dict) -> str:
    marks = {"strong": "▲▲", "warn": "▲ ", "good": "✓ ", "info": "· "}
    page = {"product": "商品页", "checkout": "结算页"}.get(r["page"], "不是商品页或结算页（扩展不会显示风险卡片）")
    lines = [f"风险 {r['level']}（{r['level_code']}）· {page} · {r['shop']['host'] or '—'} {r['shop']['name'] or ''}".rstrip(),
             "以下是页面上的信号，不是对商家的定论 / signals on the page, not a finding about the merchant", ""]
    for s in r["signals"]:
        lines.append(f"{marks[s['tone']]} {s['zh']}")
        ev = s.get("evidence") or {}
        if ev.get("text") and ev["text"] not in s["zh"]:
            lines.append(f"     依据：「{ev['text']}」{(' ' + ev['element']) if ev.get('element') else ''}")
    if r["icp"]:
        lines += ["", f"备案核验：{r['icp']['lookup']['name']} {r['icp']['lookup']['url']}（查询 {r['icp']['lookup']['key']}）"]
    return "\n".join(lines)
