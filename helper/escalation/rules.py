"""The escalation path as data, and the pure function that places an order on it.

DOMAIN.md: delivery overdue → contact the merchant and keep the chat → merchant silent 24 h → platform
complaint / arbitration → not resolved in the platform's window (default 3 days) → platform management →
12315 and 黑猫投诉 → for amounts above 5000 yuan or fraud signs, police report or online small-claims suit.

Every step starts when the one before it is done (by a recorded action) plus its `wait`; it is due `window`
after it starts. Nothing here reads the clock: `now` is an argument.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from ..core.clock import iso, parse_iso

# What the user can record (POST /api/orders/{id}/actions, the popup, `witness action`).
ACTIONS = {
    "contacted_merchant": ("已联系商家", "contacted the merchant"),
    "reply_received": ("商家已回复", "the merchant replied"),
    "platform_complaint_filed": ("已向平台投诉", "filed a platform complaint"),
    "platform_management_contacted": ("已向平台管理方反映", "contacted platform management"),
    "complaint_12315_filed": ("已在12315投诉", "filed with 12315"),
    "heimao_filed": ("已在黑猫投诉", "filed on 黑猫投诉"),
    "payment_complaint_filed": ("已向支付渠道投诉", "complained to the payment channel"),
    "police_report_filed": ("已报警", "reported to the police"),
    "lawsuit_filed": ("已起诉", "filed a small-claims suit"),
    "fraud_sign": ("发现诈骗迹象（店铺消失、商家失联、卡密无效）", "fraud sign (shop gone, merchant unreachable, keys invalid)"),
    "delivered": ("已收到货（卡密可用）", "received (keys work)"),
    "refunded": ("已退款", "refunded"),
}
RESOLVING_ACTIONS = {"delivered", "refunded"}
# A status read from a page (or typed in) that would end the case. A page is the shop's: it may show 已完成 and a
# fake card key while the buyer has nothing. So such a status only asks the buyer to confirm (the `delivered` /
# `refunded` action); until then the order stays on the path and its reminders go on.
RESOLVED_STATUSES = {"delivered", "refunded"}
CONFIRM_LINES = {
    "delivered": ("页面显示已发货/已完成，请确认你已收到卡密、卡密可用后点「已收到货」；在你确认前提醒不会停止",
                  "the page says delivered/completed: confirm with \"delivered\" once you have the card keys; "
                  "reminders go on until you do"),
    "refunded": ("页面显示已退款，请确认退款已到账后点「已退款」；在你确认前提醒不会停止",
                 "the page says refunded: confirm with \"refunded\" once the money is back; "
                 "reminders go on until you do"),
}
LARGE_AMOUNT = Decimal("5000")


@dataclass(frozen=True)
class Step:
    code: str
    zh: str
    en: str
    wait: timedelta | str  # after the previous step is done; a str names a setting (e.g. the platform window)
    window: timedelta  # due this long after the step starts
    done_by: frozenset
    channels: tuple = ()  # complaint drafts that serve this step


STEPS: tuple[Step, ...] = (
    Step("contact_merchant", "联系商家催促发货，并保存聊天记录（截图或自动快照）",
         "contact the merchant and keep the chat (screenshots or automatic snapshots)",
         timedelta(0), timedelta(hours=2), frozenset({"contacted_merchant"})),
    Step("platform_complaint", "商家24小时未处理：在平台「订单投诉 / 纠纷处理」提交投诉（商家违约 / 未按约定发货）",
         "merchant silent for 24 h: file a platform complaint (merchant breach / not delivered as agreed)",
         timedelta(hours=24), timedelta(hours=24), frozenset({"platform_complaint_filed"}), ("platform", "payment")),
    Step("platform_management", "平台处理期已过仍未解决：向平台管理方反映（官方邮箱、官方社交账号）",
         "the platform's window has passed: escalate to platform management (official email, social media)",
         "platform_window", timedelta(days=2), frozenset({"platform_management_contacted"})),
    Step("regulators", "向 12315 和 黑猫投诉 提交投诉（附 ICP 备案号与证据包）",
         "complain to 12315 and 黑猫投诉 (with the ICP number and the evidence package)",
         timedelta(0), timedelta(days=7), frozenset({"complaint_12315_filed", "heimao_filed"}), ("12315", "heimao")),
    Step("police_or_court", "报警（110 / 反诈）或提起网上小额诉讼",
         "report to the police (110 / anti-fraud) or file an online small-claims suit",
         timedelta(days=15), timedelta(days=30), frozenset({"police_report_filed", "lawsuit_filed"}), ("police", "court")),
)
POLICE = STEPS[-1]


@dataclass(frozen=True)
class Placement:
    stage: str  # no_deadline | awaiting_delivery | <step code> | resolved | done
    zh: str
    en: str
    due_at: datetime | None  # when the current stage's window ends
    started_at: datetime | None
    step_index: int | None
    also: tuple = ()  # parallel advice (police for large amounts or fraud signs)
    awaiting_confirmation: str | None = None  # "delivered" / "refunded": the order's status says so, the buyer has not

    def to_json(self, now: datetime) -> dict:
        overdue = None
        left = None
        if self.due_at is not None:
            delta = (now - self.due_at).total_seconds()
            overdue, left = (int(delta), None) if delta >= 0 else (None, int(-delta))
        return {
            "stage": self.stage,
            "next_step": {"code": self.stage, "zh": self.zh, "en": self.en},
            "due_at": iso(self.due_at) if self.due_at else None,
            "overdue_seconds": overdue,
            "seconds_left": left,
            "also": [{"code": s.code, "zh": s.zh, "en": s.en} for s in self.also],
            "awaiting_confirmation": self.awaiting_confirmation,
            "confirmation": ({"action": self.awaiting_confirmation, "zh": CONFIRM_LINES[self.awaiting_confirmation][0],
                              "en": CONFIRM_LINES[self.awaiting_confirmation][1]}
                             if self.awaiting_confirmation else None),
        }


def _amount(order: dict) -> Decimal | None:
    try:
        return Decimal(str(order.get("amount"))) if order.get("amount") not in (None, "") else None
    except InvalidOperation:
        return None


def when(value) -> datetime | None:
    """A stored time, or None when it is missing or unreadable: a bad stored value (an old row, a hand edit)
    must never stop the reminders or the order list; `witness verify` names edited rows."""
    try:
        return parse_iso(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


def place(order: dict, actions: list[dict], now: datetime, *, platform_window: timedelta = timedelta(days=3)) -> Placement:
    """Where the order stands. `actions`: [{"action": code, "at": iso}] in any order. Only the buyer's own
    `delivered` / `refunded` action resolves it; the order's status saying so is a claim awaiting confirmation."""
    done: dict[str, datetime] = {}
    for a in sorted(actions, key=lambda a: str(a.get("at"))):
        at = when(a.get("at"))
        if at is not None:
            done.setdefault(a.get("action"), at)
    if RESOLVING_ACTIONS & done.keys():
        return Placement("resolved", "订单已发货或已退款，提醒已停止", "delivered or refunded; reminders stopped", None, None, None)
    placement = _place_open(order, done, now, platform_window)
    claimed = order.get("status_code")
    if claimed in RESOLVED_STATUSES:
        return replace(placement, awaiting_confirmation=claimed)
    return placement


def _place_open(order: dict, done: dict[str, datetime], now: datetime, platform_window: timedelta) -> Placement:
    """The placement of an order the buyer has not confirmed as delivered or refunded."""
    deadline = when(order.get("deadline"))
    if deadline is None:
        return Placement("no_deadline", "尚无发货时限：保存订单页与商品页（含发货承诺）", "no deadline yet: capture the order and product pages (with the delivery promise)",
                         None, None, None)
    amount = _amount(order)
    serious = (amount is not None and amount > LARGE_AMOUNT) or "fraud_sign" in done
    also = (POLICE,) if serious else ()
    if now < deadline:
        return Placement("awaiting_delivery", f"等待商家发货（承诺：{order.get('promise_text') or '—'}）",
                         f"waiting for delivery (promise: {order.get('promise_text') or '—'})", deadline, None, None)
    prev_done = deadline
    for i, step in enumerate(STEPS):
        wait = platform_window if step.wait == "platform_window" else step.wait
        start = prev_done + wait
        finished = [done[a] for a in step.done_by if a in done]
        if finished:
            prev_done = max(min(finished), prev_done)
            continue
        return Placement(step.code, step.zh, step.en, start + step.window, start, i,
                         also if step is not POLICE else ())
    return Placement("done", "所有维权步骤均已记录，等待结果", "every step has been recorded; waiting for the outcome", None, None, None,
                     also)


def due_soon_at(order: dict) -> datetime | None:
    """When to warn that the deadline is near: half the promise before it, at most 15 minutes before."""
    deadline = when(order.get("deadline"))
    if deadline is None:
        return None
    lead = timedelta(minutes=15)
    if isinstance(order.get("promise_seconds"), int) and 0 < order["promise_seconds"] < 10**9:
        lead = min(lead, timedelta(seconds=order["promise_seconds"] / 2))
    return deadline - lead


def path(order: dict, actions: list[dict], now: datetime, *, platform_window: timedelta = timedelta(days=3)) -> list[dict]:
    """The whole path for the case page, step by step: `done` (with the actions that did it), `now` (the
    current step, with its due time) or `next` (an expected due time, as if each step before it were done
    when due). The first entry is the merchant's delivery deadline itself."""
    placement = place(order, actions, now, platform_window=platform_window)
    by_action: dict[str, list[dict]] = {}
    for a in sorted(actions, key=lambda a: a["at"]):
        by_action.setdefault(a["action"], []).append(a)
    deadline = when(order.get("deadline"))
    resolved = placement.stage == "resolved"
    head_state = "resolved" if resolved else "now" if placement.stage in ("awaiting_delivery", "no_deadline") else "missed"
    out = [{"code": "deadline", "zh": f"商家承诺的发货时限（{order.get('promise_text') or '—'}）",
            "en": f"the merchant's delivery deadline ({order.get('promise_text') or '—'})", "state": head_state,
            "due_at": iso(deadline) if deadline else None, "done_at": None, "estimated": False, "done_by": []}]
    prev = deadline
    for step in STEPS:
        wait = platform_window if step.wait == "platform_window" else step.wait
        start = prev + wait if prev is not None else None
        due = start + step.window if start is not None else None
        done_by = [{"seq": a.get("seq"), "action": code, "zh": ACTIONS[code][0], "en": ACTIONS[code][1], "at": a["at"]}
                   for code in step.done_by for a in by_action.get(code, [])]
        if done_by:
            state, done_at = "done", min(parse_iso(a["at"]) for a in done_by)
            prev = max(done_at, prev) if prev is not None else done_at
        else:
            state = "resolved" if resolved else "now" if step.code == placement.stage else "next"
            done_at = None
            prev = due
        out.append({"code": step.code, "zh": step.zh, "en": step.en, "state": state,
                    "due_at": iso(due) if due and not done_at else None, "done_at": iso(done_at) if done_at else None,
                    "estimated": state == "next" or (state == "resolved"), "done_by": done_by,
                    "channels": list(step.channels)})
    return out
