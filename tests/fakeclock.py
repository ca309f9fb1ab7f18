"""A clock that moves only when a test moves it, for code that takes `now` (and `sleep`, as the reminder
scheduler does): `create_app(config, now=clock, sleep=clock.sleep)`.

`sleep(seconds, wake)` never waits on the wall clock: it returns when `wake` is set or the clock moved since
the sleeper's last wait (the sleeper then looks at the new time and decides to sleep again)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta


class FakeClock:
    def __init__(self, start: datetime):
        if start.tzinfo is None:
            raise ValueError("a fake clock needs an aware start time")
        self.t = start
        self.moves = 0
        self._seen: dict[asyncio.Event, int] = {}  # each sleeper's wake event -> moves seen at its last wait

    def __call__(self) -> datetime:
        return self.t

    def advance(self, **delta) -> datetime:
        """Move forward by timedelta(**delta) and wake every sleeper; returns the new time."""
        step = timedelta(**delta)
        if step < timedelta(0):
            raise ValueError("a clock does not go back")
        self.t += step
        self.moves += 1
        for wake in self._seen:
            wake.set()
        return self.t

    async def sleep(self, seconds: float, wake: asyncio.Event) -> None:
        if self._seen.get(wake) == self.moves:
            await wake.wait()
        self._seen[wake] = self.moves
