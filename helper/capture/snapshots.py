"""Bounds on what pages can make the helper store: automatic snapshots per thread and overall, the size of
one capture, and the evidence folder's disk budget (issue 15: a thread changing every 2 s gave 67 captures in
133 s; a noise canvas 640 MB in 64 s).

An automatic snapshot (`trigger: "auto"`, the extension's chat watcher) is admitted at most once per
`snapshot_interval_s` per thread (its URL without fragment) and `snapshot_per_minute` times a minute over
all threads; a refused one answers 429 `snapshot_limited` with Retry-After, and the extension takes one
snapshot of the latest state then (the changes in between coalesce). Captures the buyer asks for are never
rate-limited."""

from __future__ import annotations

import collections
from datetime import datetime
from urllib.parse import urlsplit, urlunsplit

from ..core.errors import CaptureTooLarge, OverDiskBudget, SnapshotLimited
from ..core.urls import without_credentials

TRIGGERS = ("manual", "auto")
WARN_AT = 0.8  # of the disk budget
MB = 1024 * 1024


def thread_key(url: str) -> str:
    """The chat thread a URL shows: scheme, host, path and query (the fragment and any password dropped)."""
    parts = urlsplit(without_credentials(url or ""))
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path, parts.query, ""))


class SnapshotLimiter:
    """Admission of automatic snapshots; time comes from the caller (the app's clock)."""

    def __init__(self, *, interval_s: float, per_minute: int):
        self.interval_s = float(interval_s)
        self.per_minute = int(per_minute)
        self._last: dict[str, float] = {}
        self._recent: collections.deque[float] = collections.deque()

    def admit(self, url: str, now: datetime) -> None:
        """Record an automatic snapshot of `url` at `now`, or raise SnapshotLimited (nothing recorded)."""
        t = now.timestamp()
        self._forget(t)
        key = thread_key(url)
        wait = 0.0
        if key in self._last:
            wait = self._last[key] + self.interval_s - t
        if len(self._recent) >= self.per_minute:
            wait = max(wait, self._recent[0] + 60.0 - t)
        if wait > 0:
            secs = max(1, int(wait + 0.999))
            raise SnapshotLimited(f"自动快照过于频繁，{secs} 秒后再取最新内容 / automatic snapshots are limited "
                                  f"(one per {self.interval_s:g} s per thread, {self.per_minute} a minute); "
                                  f"the latest state is taken in {secs} s", retry_after=secs)
        self._last[key] = t
        self._recent.append(t)

    def _forget(self, t: float) -> None:
        while self._recent and self._recent[0] <= t - 60.0:
            self._recent.popleft()
        if len(self._last) > 1000:  # bounded: threads whose interval has passed say nothing any more
            self._last = {k: v for k, v in self._last.items() if v > t - self.interval_s}


def check_size(files: dict, max_mb: float) -> int:
    """Total bytes of one capture's files; CaptureTooLarge past `max_mb`."""
    total = sum(len(v) if isinstance(v, (bytes, bytearray, memoryview)) else v.stat().st_size for v in files.values())
    if total > max_mb * MB:
        raise CaptureTooLarge(f"本次取证文件共 {total / MB:.0f} MB，超过单次上限 {max_mb:g} MB，未保存 / this capture's files "
                              f"are {total / MB:.0f} MB, over the {max_mb:g} MB limit for one capture; nothing was stored")
    return total


def check_budget(used: int, budget_mb: float) -> None:
    """Refuse an automatic snapshot when the evidence folder is at its budget."""
    if used >= budget_mb * MB:
        raise OverDiskBudget(f"证据文件已用 {used / MB:.0f} MB，达到磁盘预算 {budget_mb:g} MB：自动快照已暂停（手动取证不受影响）"
                             f" / evidence files use {used / MB:.0f} MB, the disk budget of {budget_mb:g} MB: automatic "
                             "snapshots are paused (captures you ask for still work)")


def budget_warning(used: int, budget_mb: float) -> dict | None:
    """The `storage.warning` event data when usage is at or past WARN_AT of the budget, else None."""
    budget = budget_mb * MB
    if used < WARN_AT * budget:
        return None
    return {"used_bytes": used, "budget_bytes": int(budget), "percent": round(100 * used / budget, 1),
            "automatic_snapshots": "paused" if used >= budget else "running",
            "zh": f"证据文件已用 {used / MB:.0f} MB（预算 {budget_mb:g} MB 的 {100 * used / budget:.0f}%）",
            "en": f"evidence files use {used / MB:.0f} MB ({100 * used / budget:.0f}% of the {budget_mb:g} MB budget)"}
