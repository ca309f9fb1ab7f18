"""`witness orders [--json]`: the tracked orders with status, deadline, overdue time and next step (the CLI
counterpart of the extension's case page, which each order names)."""

from __future__ import annotations

from datetime import datetime, timedelta

from helper.cli.common import examples
from helper.core.config import EXTENSION_ID


def register(sub) -> None:
    p = sub.add_parser("orders", help="跟踪的订单与下一步 / tracked orders: status, deadline, overdue time, next step",
                       epilog=examples("witness orders", "witness --data-dir ~/证据 orders --json"))
    p.add_argument("--json", action="store_true", help="the orders as GET /api/orders answers them")
    p.set_defaults(func=cmd_orders)


def case_page_url(order_id: int) -> str:
    return f"chrome-extension://{EXTENSION_ID}/extension/case.html?order={order_id}"


def order_lines(o: dict, now: datetime) -> list[str]:
    """One order as a few plain lines, Chinese first."""
    from helper.core.clock import china, parse_iso
    from helper.package.drafts import duration_zh, money

    esc = o.get("escalation") or {}
    head = f"#{o['id']} {o['order_no']} {o.get('shop_name') or ''}（{o['shop_host']}） {o.get('product') or ''}"
    lines = [head.strip(), f"    金额 / amount: {money(o) or '—'} · 状态 / status: {o.get('status') or '—'}"
             f" · 证据 / captures: {o.get('evidence_count', 0)}"]
    if esc.get("stage") == "resolved":
        lines.append("    已发货或已退款，提醒已停止 / delivered or refunded; reminders stopped")
    elif o.get("deadline"):
        deadline = parse_iso(o["deadline"])
        delta = (now - deadline).total_seconds()
        when = (f"已逾期 {duration_zh(delta)} / overdue by {_duration_en(delta)}" if delta >= 0
                else f"还剩 {duration_zh(-delta)} / {_duration_en(-delta)} left")
        lines.append(f"    时限 / deadline: {china(deadline)}（{o.get('promise_text') or '—'}） · {when}")
    else:
        lines.append("    尚无发货时限 / no deadline yet")
    if esc.get("confirmation"):
        lines.append(f"    {esc['confirmation']['zh']} / {esc['confirmation']['en']}")
    step = esc.get("next_step")
    if step and esc.get("stage") != "resolved":
        due = f"（截止 / due {china(parse_iso(esc['due_at']))}" if esc.get("due_at") else ""
        if due and esc.get("overdue_seconds") is not None:
            due += f"，已超时 / overdue {duration_zh(esc['overdue_seconds'])}"
        due += "）" if due else ""
        lines.append(f"    下一步 / next step: {step['zh']}{due}")
        lines.append(f"                        {step['en']}")
    for also in esc.get("also") or []:
        lines.append(f"    另外 / also: {also['zh']}")
    lines.append(f"    案件详情 / case page: {case_page_url(o['id'])}")
    return lines


def _duration_en(seconds: float) -> str:
    minutes = int(seconds // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [f"{days} d" if days else "", f"{hours} h" if hours else "", f"{mins} min" if mins or not (days or hours) else ""]
    return " ".join(p for p in parts if p)


def cmd_orders(args) -> int:
    from helper.cli import print_json
    from helper.cli.common import open_store
    from helper.core.clock import utcnow
    from helper.escalation import order_status

    config, store = open_store(args)
    try:
        now = utcnow()
        window = timedelta(days=config.platform_window_days)
        orders = [order_status(store, o, now, platform_window=window) for o in store.list_orders()]
    finally:
        store.close()
    if args.json:
        print_json({"orders": orders})
        return 0
    if not orders:
        print("还没有跟踪的订单 / no tracked orders yet: 在订单页点「保存证据」/ capture an order page first")
        return 0
    for o in orders:
        print("\n".join(order_lines(o, now)))
    return 0
