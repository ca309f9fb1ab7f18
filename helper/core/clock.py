"""Time values as the project stores and shows them.

Stored: ISO 8601 with an explicit offset (UTC for machine times). Shown: China time (UTC+8, no DST since
1991, so a fixed offset is exact and needs no tz database).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

CHINA = timezone(timedelta(hours=8), "CST")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


async def sleep(seconds: float, wake: asyncio.Event) -> None:
    """Wait on the wall clock for `seconds`, or until `wake` is set. Long waits (reminders) take this as an
    argument so tests can move a fake clock instead of waiting."""
    import asyncio  # here, not at the top: every `witness` command imports this module, few of them wait

    try:
        await asyncio.wait_for(wake.wait(), timeout=seconds)
    except asyncio.TimeoutError:
        pass


def iso(dt: datetime) -> str:
    """ISO 8601 with offset, millisecond precision. Naive datetimes are refused: they hide their zone."""
    if dt.tzinfo is None:
        raise ValueError("naive datetime has no zone")
    return dt.isoformat(timespec="milliseconds")


def parse_iso(text: str) -> datetime:
    dt = datetime.fromisoformat(text)
    if dt.tzinfo is None:
        raise ValueError(f"time without offset: {text!r}")
    return dt


def china(dt: datetime | str) -> str:
    """'2026-11-20 14:32:05' in China time, for people."""
    if isinstance(dt, str):
        dt = parse_iso(dt)
    return dt.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")
