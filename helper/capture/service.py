"""The capture service: a bounded queue in front of the browser, URL and live-tab captures, storing.

One capture runs at a time; up to `Config.capture_queue` more wait; beyond that `Busy` (429 + Retry-After).
URL captures use a clean headless browser (no profile, a fresh context per capture: a second, independent
fetch). Live-tab captures use the evidence browser when one is attached (`witness start`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import time
from contextlib import asynccontextmanager

from ..core import clock
from ..core.config import Config
from ..core.errors import BadRequest, Busy, CaptureError
from .browser import launch_args, launch_browser
from ..store.store import CAPTURE_KINDS
from .cdp import quietly
from .engine import Captured, capture_cdp, capture_page
from .fullpage import PageUnresponsive
from .network import rerequest_record
from .relay import RelayTickets
from .environment import check_clock, environment_record
from . import snapshots
from .urls import check_url
from ..core.urls import scrub, split_credentials

log = logging.getLogger("witness.capture")

PAGE_KINDS = tuple(k for k in CAPTURE_KINDS if k != "desktop")
CLEAN_VIEWPORT = {"width": 1280, "height": 800}
CLOCK_CACHE_S = 60.0
KILL_GRACE_S = 5.0


class CaptureService:
    """`after_capture(store, capture, analysis, html) -> dict | None` runs after each page capture is stored;
    `order_for(store, url, analysis, html) -> order | None` names the tracked order of a page showing no order
    number, before its stamp is drawn (the orders layer passes both: the capture layer does not know orders)."""

    def __init__(self, config: Config, store, *, now=clock.utcnow, after_capture=None, order_for=None):
        self.config = config
        self.store = store
        self.now = now
        self.after_capture = after_capture
        self.order_for = order_for
        self.evidence = None  # an EvidenceBrowser, attached by `witness start` / the demo
        self._admitted = 0
        self._running = asyncio.Semaphore(1)
        self._pw_cm = None
        self._pw = None
        self._browser = None
        self._start_lock = asyncio.Lock()
        self._clock: tuple[float, dict] | None = None
        self._clock_task: asyncio.Task | None = None
        self.last_duration_s = 2.0
        self.relay_tickets = RelayTickets()  # capture-scoped secrets of buyer's-tab captures
        self.snapshots = snapshots.SnapshotLimiter(interval_s=config.snapshot_interval_s,
                                                   per_minute=config.snapshot_per_minute)
        self._disk_state: str | None = None  # last storage.warning state: None, "running" or "paused"

    # -- resources ---------------------------------------------------------------------------------

    async def playwright(self):
        async with self._start_lock:
            if self._pw is None:
                from playwright.async_api import async_playwright

                self._pw_cm = async_playwright()
                self._pw = await self._pw_cm.start()
            return self._pw

    async def clean_browser(self):
        pw = await self.playwright()
        async with self._start_lock:
            if self._browser is None or not self._browser.is_connected():
                self._browser = await launch_browser(pw, chromium=self.config.chromium, headless=True)
            return self._browser

    async def close(self) -> None:
        if self.evidence is not None:
            await self.evidence.close()
            self.evidence = None
        if self._clock_task is not None:
            self._clock_task.cancel()
        if self._browser is not None:
            try:
                await self._browser.close()
            except Exception:  # noqa: BLE001 - already gone
                pass
            self._browser = None
        if self._pw_cm is not None:
            await self._pw_cm.__aexit__(None, None, None)
            self._pw_cm = self._pw = None

    @property
    def pending(self) -> int:
        """Captures running or waiting."""
        return self._admitted

    # -- queue -------------------------------------------------------------------------------------

    @asynccontextmanager
    async def slot(self):
        """Admission to the bounded queue, then the one running slot."""
        limit = 1 + max(0, int(self.config.capture_queue))
        if self._admitted >= limit:
            wait = max(1, math.ceil(self._admitted * self.last_duration_s))
            raise Busy(f"取证队列已满，请 {wait} 秒后重试 / the capture queue is full; retry in {wait} s", retry_after=wait)
        self._admitted += 1
        try:
            async with self._running:
                yield
        finally:
            self._admitted -= 1

    # -- environment -------------------------------------------------------------------------------

    def _clock_future(self) -> asyncio.Future:
        """The clock check, cached for a minute; a check in flight is shared."""
        loop = asyncio.get_running_loop()
        if self._clock and time.monotonic() - self._clock[0] < CLOCK_CACHE_S:
            fut = loop.create_future()
            fut.set_result({**self._clock[1], "cached": True})
            return fut
        if self._clock_task is None or self._clock_task.done():
            async def run():
                result = await check_clock(self.config.time_source)
                self._clock = (time.monotonic(), result)
                return result

            self._clock_task = asyncio.ensure_future(run())
        return asyncio.shield(self._clock_task)

    def _environment_future(self, browser_args) -> asyncio.Future:
        return asyncio.ensure_future(asyncio.to_thread(environment_record, browser_args=browser_args))

    # -- capturing ---------------------------------------------------------------------------------

    async def _find_order(self, url: str, analysis: dict, html: str) -> dict | None:
        if self.order_for is None:
            return None
        return await asyncio.to_thread(self.order_for, self.store, url, analysis, html)

    def _order_no(self, order_id: int | None) -> str | None:
        if order_id is None:
            return None
        return self.store.get_order(order_id)["order_no"]  # NotFound (404) before any work

    async def capture(self, *, kind: str, url: str | None = None, tab: dict | None = None,
                      order_id: int | None = None, cookies: list[dict] | None = None) -> dict:
        """Capture a live tab (when the evidence browser has it) or fetch `url` anew; store; run hooks."""
        kind = self._kind(kind)
        target = (tab or {}).get("url") or url
        target = check_url(target or "")
        if url:
            check_url(url)
        order_no = self._order_no(order_id)
        timeout = float(self.config.capture_timeout_s)

        async def produce(cleanup: list) -> Captured:
            if tab is not None and self.evidence is not None:
                page = await self.evidence.find_page(tab.get("url") or target, tab.get("title"))
                if page is not None:
                    cleanup.append(lambda: page.close())  # only when the capture hangs: a hung renderer
                    return await self._capture_tab(page, kind, order_no, timeout)
            return await self._capture_url(target, kind, order_no, cookies, timeout, tab, cleanup)

        return await self._run(kind, order_id, produce, {"kind": kind, "url": target})

    async def capture_buyer_tab(self, channel, *, kind: str, tab: dict, order_id: int | None = None,
                                browser: dict | None = None, ready=None) -> dict:
        """Capture the buyer's own tab through the extension's relay (`channel`, a RelayChannel).
        `ready()` is awaited once the capture holds the running slot (the extension attaches then)."""
        kind = self._kind(kind)
        check_url(tab.get("url") or "")
        order_no = self._order_no(order_id)

        async def produce(cleanup: list) -> Captured:
            cleanup.append(channel.close)
            if ready is not None:
                await ready()
            return await capture_cdp(
                channel, kind=kind, source="buyer_tab", order_no=order_no, http=rerequest_record(channel),
                now=self.now, find_order=self._find_order, browser={"name": "buyer's browser", "profile": "the buyer's own", **(browser or {})},
                environment=self._environment_future(None), clock_check=self._clock_future(),
                note="网络响应信息来自取证时对同一网址的重新请求（带登录状态）/ response details come from re-requesting "
                     "the same URL from the tab at capture time (with its cookies)",
            )

        return await self._run(kind, order_id, produce, {"kind": kind, "url": tab.get("url"), "source": "buyer_tab"})

    def _kind(self, kind: str) -> str:
        if kind not in PAGE_KINDS:
            raise BadRequest(f"未知的取证类型 / unknown capture kind {kind!r}; one of {', '.join(PAGE_KINDS)}")
        return kind

    async def _run(self, kind: str, order_id: int | None, produce, what: dict) -> dict:
        """Slot, one bound around the whole capture (clean-up included), store, after-capture step."""
        async with self.slot():
            started = time.monotonic()
            captured = await self._bounded(produce, what)
            stored, after = await self._store(kind, order_id, captured, started)
            self.last_duration_s = 0.7 * self.last_duration_s + 0.3 * (time.monotonic() - started)
        capture = await asyncio.to_thread(self.store.get_capture, stored["id"])
        return {"capture": capture, "after_capture": after}

    # -- bounds (capture/snapshots.py) -----------------------------------------------------------------

    def admit(self, url: str, trigger: str) -> None:
        """Before any work: an automatic snapshot within its rate and the disk budget, or an error (429 / 507)."""
        if trigger not in snapshots.TRIGGERS:
            raise BadRequest(f"trigger must be one of {', '.join(snapshots.TRIGGERS)}")
        if trigger == "auto":
            snapshots.check_budget(self.store.evidence_bytes(), self.config.disk_budget_mb)
            self.snapshots.admit(url, self.now())

    def _warn_disk(self) -> None:
        """A `storage.warning` event (pushed to the extension) when usage crosses 80 % and 100 % of the budget."""
        data = snapshots.budget_warning(self.store.evidence_bytes(), self.config.disk_budget_mb)
        state = data["automatic_snapshots"] if data else None
        if state is not None and state != self._disk_state:
            self.store.append_event("storage.warning", data)
        self._disk_state = state

    async def _store(self, kind, order_id, captured: Captured, started: float):
        ok = captured.page_state == "ok"
        without_passwords(captured)
        snapshots.check_size(captured.files, self.config.max_capture_mb)
        t_store = time.monotonic()
        stored = await asyncio.to_thread(
            self.store.add_capture, kind=kind, source=captured.meta["source"], files=captured.files,
            url=captured.url, title=captured.title, captured_at=captured.captured_at, meta=captured.meta,
            order_id=_filed_under(order_id, captured) if ok else None, page_state=captured.page_state,
        )
        t_after = time.monotonic()
        await asyncio.to_thread(self._warn_disk)
        if ok:
            after = await asyncio.to_thread(self._after_capture, stored, captured)
        else:  # stored, but not filed as order or chat evidence
            after = {"results": [], "errors": [], "skipped": captured.page_state,
                     "message": captured.meta.get("page_state_note")}
        after["page_state"] = captured.page_state
        after["changed_during_capture"] = captured.meta["page"]["changed_during_capture"]
        after["timings_ms"] = {"total": round((time.monotonic() - started) * 1000),
                               "store": round((t_after - t_store) * 1000),
                               "after_capture": round((time.monotonic() - t_after) * 1000)}
        return stored, after

    def _after_capture(self, stored: dict, captured: Captured) -> dict:
        """The injected step, on the page as it was before the capture touched it (when it changed during the
        capture); a failure never undoes the stored capture: it is logged and reported."""
        if self.after_capture is None:
            return {"results": [], "errors": []}
        analysis = captured.analysis_before or captured.analysis
        html = captured.html_before or captured.html
        try:
            out = self.after_capture(self.store, stored, analysis, html)
        except Exception as e:  # noqa: BLE001 - the capture is stored whatever the step does
            log.exception("after-capture step failed for capture %s", stored.get("id"))
            return {"results": [], "errors": [{"step": "after_capture", "message": f"{type(e).__name__}: {e}"}]}
        return {"results": [out] if out is not None else [], "errors": []}

    async def _bounded(self, produce, what: dict) -> Captured:
        """Loading is bounded by capture_timeout_s; the whole capture, clean-up included (a 40,000 px page
        on a busy machine too), by a looser bound. A capture past it is abandoned, as is one whose page
        stopped responding: its clean-up steps run (bounded) to kill what hangs (the evidence browser's tab
        is closed, the clean browser restarted, the buyer's tab detached), the failure is recorded in the
        chain (`capture.failed`) and the slot is released whatever the page does."""
        timeout = float(self.config.capture_timeout_s)
        overall = 3 * timeout + 30
        cleanup: list = []
        task = asyncio.ensure_future(produce(cleanup))
        done, _ = await asyncio.wait({task}, timeout=overall)
        error = CaptureError(
            f"页面在 {timeout:g} 秒内没有加载完成（或截图超过 {overall:g} 秒），未保存任何内容 / the page did not "
            f"finish loading within {timeout:g} s (or the capture took over {overall:g} s); nothing was stored",
            code="capture_timeout",
        )
        if task in done:
            try:
                return task.result()
            except TimeoutError:
                return self._raise_recorded(error, what)  # a load timeout
            except PageUnresponsive as e:
                await self._kill(cleanup)
                return self._raise_recorded(e, what)
        task.cancel()
        await asyncio.wait({task}, timeout=KILL_GRACE_S)
        await self._kill(cleanup)
        await self._drop_clean_browser()
        log.warning("capture of %s abandoned after %s s; its page was closed", what.get("url"), overall)
        return self._raise_recorded(error, what)

    async def _kill(self, cleanup: list) -> None:
        for step in cleanup:
            await quietly(step(), KILL_GRACE_S)

    def _raise_recorded(self, error: CaptureError, what: dict):
        try:
            self.store.append_event("capture.failed", {**what, "code": error.code, "message": error.message[:500]})
        except Exception:  # noqa: BLE001 - the failure is reported to the caller either way
            log.exception("could not record a failed capture")
        raise error

    async def _drop_clean_browser(self) -> None:
        """After a hung capture: the clean browser is closed (a new one starts with the next capture)."""
        browser, self._browser = self._browser, None
        if browser is not None:
            await quietly(browser.close(), KILL_GRACE_S)

    async def _capture_tab(self, page, kind, order_no, timeout) -> Captured:
        try:
            await page.wait_for_load_state("load", timeout=timeout * 1000)
        except Exception as e:  # Playwright TimeoutError or a closed page
            if type(e).__name__ == "TimeoutError":
                raise TimeoutError from e
            raise CaptureError(f"标签页无法取证 / the tab cannot be captured: {type(e).__name__}") from e
        ev = self.evidence
        return await capture_page(
            page, kind=kind, source="evidence_browser", order_no=order_no, response=ev.response_for(page),
            now=self.now, find_order=self._find_order, browser=ev.browser_info(), environment=self._environment_future(ev.args),
            clock_check=self._clock_future(),
        )

    async def _capture_url(self, url, kind, order_no, cookies, timeout, tab, cleanup) -> Captured:
        browser = await self.clean_browser()
        env = self._environment_future(launch_args(headless=True))
        clk = self._clock_future()
        url, credentials = split_credentials(url)  # the page, its stamp and meta never see the password
        context = await browser.new_context(viewport=CLEAN_VIEWPORT, locale="zh-CN", timezone_id="Asia/Shanghai",
                                            http_credentials=credentials)
        cleanup.append(context.close)
        try:
            if cookies:
                try:
                    await context.add_cookies(cookies)
                except Exception as e:
                    raise BadRequest(f"cookie 文件无效 / bad cookies: {str(e).splitlines()[0]}") from e
            page = await context.new_page()
            try:
                response = await page.goto(url, wait_until="load", timeout=timeout * 1000)
            except Exception as e:
                name = type(e).__name__
                if name == "TimeoutError":
                    raise TimeoutError from e
                raise CaptureError(f"无法打开网页 / cannot open {url}: {str(e).splitlines()[0][:300]}") from e
            return await capture_page(
                page, kind=kind, source="url", order_no=order_no, response=response, now=self.now,
                find_order=self._find_order,
                browser={"name": "chromium", "version": browser.version, "headless": True, "profile": "clean"},
                environment=env, clock_check=clk,
                note=None if tab is None else ("标签页不在取证浏览器中，已重新打开该网址 / the tab is not in the "
                                               "evidence browser; the URL was fetched anew"),
            )
        finally:
            await quietly(context.close(), KILL_GRACE_S)


def _filed_under(order_id: int | None, captured: Captured) -> int | None:
    """The order a capture is stored with: the requested one, else the tracked one its stamp names."""
    return order_id if order_id is not None else captured.order_id


def without_passwords(captured: Captured) -> None:
    """The storing step: no `user:pass@` of any URL in the record or in meta.json (written anew when it held one)."""
    clean = scrub(captured.meta)
    captured.url = scrub(captured.url)
    if clean != captured.meta:
        captured.meta = clean
        if "meta.json" in captured.files:
            captured.files["meta.json"] = json.dumps(clean, ensure_ascii=False, indent=2).encode("utf-8")
