"""Which warnings are due for an order, pure: deadline near, deadline passed, an escalation step's window
passed. Each has a key so it fires once; a changed deadline gets new keys."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ..core.clock import iso
from .rules import Placement, due_soon_at, place, when


@dataclass(frozen=True)
class Reminder:
    when: datetime
    type: str  # order.due_soon | order.overdue | escalation.step_due
    key: str


def order_summary(order: dict) -> dict:
    return {k: order.get(k) for k in ("id", "order_no", "product", "amount", "currency", "shop_host", "shop_name", "url",
                                      "status", "promise_text", "deadline")}


def reminders_for(order: dict, actions: list[dict], now: datetime, *, platform_window: timedelta) -> list[Reminder]:
    """Every reminder this order has at `now` (due or not yet due); the caller drops fired keys."""
    placement = place(order, actions, now, platform_window=platform_window)
    if placement.stage in ("resolved", "no_deadline"):
        return []
    deadline = when(order["deadline"])
    out = []
    soon = due_soon_at(order)
    if soon is not None and now < deadline:
        out.append(Reminder(soon, "order.due_soon", f"due_soon:{order['deadline']}"))
    out.append(Reminder(deadline, "order.overdue", f"overdue:{order['deadline']}"))
    if placement.step_index is not None and placement.due_at is not None:
        out.append(Reminder(placement.due_at, "escalation.step_due", f"step:{placement.stage}:{iso(placement.due_at)}"))
    return out


def payload(order: dict, reminder: Reminder, placement: Placement, now: datetime) -> dict:
    data = {"key": reminder.key, "order": order_summary(order), "next_step": placement.to_json(now)["next_step"],
            "escalation": placement.to_json(now)}
    deadline = when(order["deadline"])
    if reminder.type == "order.due_soon":
        data["seconds_left"] = max(0, int((deadline - now).total_seconds()))
    else:
        data["overdue_seconds"] = max(0, int((now - deadline).total_seconds()))
    return data
