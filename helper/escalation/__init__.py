"""Escalation: where each order stands on the path from overdue delivery to 12315 or court, what the user
has done, and reminders when a step's window passes."""

from __future__ import annotations

from datetime import datetime, timedelta

from ..core import clock
from ..core.errors import BadRequest, NotFound
from ..store import Store
from .rules import ACTIONS, STEPS, path, place


def all_actions(store: Store, order_id: int) -> list[dict]:
    """Every recorded action, oldest first, each with `withdrawn` (the `action.withdrawn` event's seq, at and
    note) or None. Nothing is ever deleted: a mistaken action is withdrawn by a later event."""
    events = store.events(order_id=order_id)
    withdrawn = {e["data"]["action_seq"]: {"seq": e["seq"], "at": e["at"], "note": e["data"].get("note")}
                 for e in events if e["type"] == "action.withdrawn"}
    return [{**e["data"], "seq": e["seq"], "withdrawn": withdrawn.get(e["seq"])}
            for e in events if e["type"] == "action.recorded"]


def actions_of(store: Store, order_id: int) -> list[dict]:
    """The actions in force (recorded and not withdrawn): what places the order on the path."""
    return [a for a in all_actions(store, order_id) if not a["withdrawn"]]


def withdraw_action(store: Store, order_id: int, action_seq: int, *, note: str | None = None) -> dict:
    """Withdraw a mistaken action: an `action.withdrawn` chain event naming it (the action itself stays)."""
    found = next((a for a in all_actions(store, order_id) if a["seq"] == action_seq), None)
    if found is None:
        raise NotFound(f"order {order_id} has no recorded action #{action_seq}")
    if found["withdrawn"]:
        raise BadRequest(f"action #{action_seq} was already withdrawn (#{found['withdrawn']['seq']})")
    action = found["action"]
    data = {"action_seq": action_seq, "action": action, "note": note,
            "zh": f"撤回：{ACTIONS[action][0]}", "en": f"withdrawn: {ACTIONS[action][1]}"}
    return store.append_event("action.withdrawn", data, order_id=order_id)


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


__all__ = ["ACTIONS", "STEPS", "actions_of", "all_actions", "order_status", "path", "place", "record_action",
           "withdraw_action"]
