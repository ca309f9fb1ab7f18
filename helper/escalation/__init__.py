"""Escalation: where each order stands on the path from overdue delivery to 12315 or court, what the user
has done, and reminders when a step's window passes."""

from __future__ import annotations

from datetime import datetime, timedelta

from ..core import clock
from ..core.errors import BadRequest
from ..store import Store
from .rules import ACTIONS, STEPS, place


def actions_of(store: Store, order_id: int) -> list[dict]:
    return [
        {**e["data"], "seq": e["seq"]}
        for e in store.events(order_id=order_id)
        if e["type"] == "action.recorded"
    ]


def record_action(store: Store, order_id: int, action: str, *, note: str | None = None, reference: str | None = None,
                  at: datetime | None = None, now: datetime | None = None) -> dict:
    """The user did something (contacted the merchant, filed a complaint, got a refund …): a chain event."""
    if action not in ACTIONS:
        raise BadRequest(f"unknown action {action!r}; one of {', '.join(ACTIONS)}")
    store.get_order(order_id)
    now = now or clock.utcnow()
    if at is not None and at > now + timedelta(minutes=5):
        raise BadRequest("an action cannot be recorded in the future")
    data = {"action": action, "at": clock.iso(at or now), "note": note, "reference": reference,
            "zh": ACTIONS[action][0], "en": ACTIONS[action][1]}
    return store.append_event("action.recorded", data, order_id=order_id)


def order_status(store: Store, order: dict, now: datetime, *, platform_window: timedelta) -> dict:
    """The order with its escalation placement, for the API and the popup."""
    placement = place(order, actions_of(store, order["id"]), now, platform_window=platform_window)
    return {**order, "escalation": placement.to_json(now)}


__all__ = ["ACTIONS", "STEPS", "actions_of", "order_status", "place", "record_action"]
