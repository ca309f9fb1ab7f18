"""Fires due reminders as chain events (pushed to the extension over the WebSocket). Wakes at the next due
moment, when an order or action changes, and at least once a minute. Reminders missed while the helper was
closed fire at start-up. The clock (`now`) and the wait (`sleep(seconds, wake)`) are arguments: tests move a
fake clock instead of waiting."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import datetime, timedelta

from ..core import clock
from ..store import Store
from . import actions_of
from .reminders import payload, reminders_for
from .rules import place

log = logging.getLogger("witness.escalation")
REMINDER_TYPES = ("order.due_soon", "order.overdue", "escalation.step_due")
MAX_SLEEP_S = 60.0


class Scheduler:
    def __init__(self, store: Store, *, platform_window: timedelta, now=clock.utcnow, sleep=clock.sleep):
        self.store = store
        self.platform_window = platform_window
        self.now = now
        self.sleep = sleep
        self.wake = asyncio.Event()
        self.looked_at: datetime | None = None  # when the last finished look started (clock time)
        self._looked = asyncio.Condition()
        self.loop = asyncio.get_running_loop()
        self.fired: set[tuple[int, str]] = set()
        for e in store.query(
            f"SELECT order_id, data FROM events WHERE type IN ({','.join('?' * len(REMINDER_TYPES))})", REMINDER_TYPES
        ):
            data = json.loads(e["data"])
            for key in data.get("keys") or [data.get("key")]:
                self.fired.add((e["order_id"], key))
        store.subscribe(self._on_event)

    def _on_event(self, event: dict) -> None:
        if event["type"].startswith(("order.created", "order.updated", "action.")):
            self.loop.call_soon_threadsafe(self.wake.set)

    def tick(self):
        """Fire everything due now; return when to look again."""
        now = self.now()
        next_at = now + timedelta(seconds=MAX_SLEEP_S)
        for order in self.store.list_orders():
            try:
                next_at = min(next_at, self._fire(order, now))
            except Exception:  # one bad row must not stop every other order's reminders
                log.exception("reminders of order %s failed", order.get("id"))
        return next_at

    def _fire(self, order: dict, now):
        """Fire this order's due reminders; return when its next one is due. One warning per order per moment:
        reminders due together (an order first seen long overdue) become one event, the overdue one when the
        deadline is among them (it names the delay and the next step); `keys` lists every reminder it stands for."""
        next_at = now + timedelta(seconds=MAX_SLEEP_S)
        actions = actions_of(self.store, order["id"])
        due = []
        for r in reminders_for(order, actions, now, platform_window=self.platform_window):
            if (order["id"], r.key) in self.fired:
                continue
            if r.when <= now:
                due.append(r)
            else:
                next_at = min(next_at, r.when)
        if due:
            chosen = next((r for r in due if r.type == "order.overdue"), due[-1])
            placement = place(order, actions, now, platform_window=self.platform_window)
            data = payload(order, chosen, placement, now)
            if len(due) > 1:
                data["keys"] = [r.key for r in due]
            self.store.append_event(chosen.type, data, order_id=order["id"])
            self.fired.update((order["id"], r.key) for r in due)
        return next_at

    async def run(self) -> None:
        while True:
            self.wake.clear()  # before the look: a change made during it wakes the next wait at once
            started = self.now()
            try:
                next_at = await asyncio.to_thread(self.tick)
            except Exception:  # a bad row must not stop every other reminder
                log.exception("reminder tick failed")
                next_at = self.now() + timedelta(seconds=MAX_SLEEP_S)
            async with self._looked:
                self.looked_at = started
                self._looked.notify_all()
            delay = max(0.0, (next_at - self.now()).total_seconds())
            await self.sleep(delay + 0.01, self.wake)

    async def caught_up(self, at: datetime) -> None:
        """Return once a look that started at or after `at` has finished: everything due by `at` has fired."""
        async with self._looked:
            await self._looked.wait_for(lambda: self.looked_at is not None and self.looked_at >= at)
