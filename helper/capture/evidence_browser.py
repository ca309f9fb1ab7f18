"""The evidence browser: the system Chromium driven by Playwright, with a dedicated profile in the data
directory and this project's extension loaded. The user shops in it; because Playwright drives it, the
helper can capture exactly the tab the user looks at, with its real session, and no debugging port is
opened to anyone else.

The helper pairs the extension itself: through the extension's service worker it runs
`chrome.storage.local.set({helper: {url, token}})` (the contract with the extension).
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from pathlib import Path
from urllib.parse import urldefrag

from helper.capture.browser import launch_args, launch_persistent
from helper.core import extension_files
from helper.core.config import EXTENSION_ID, Config
from helper.core.errors import CaptureError, WitnessError

log = logging.getLogger("witness.evidence_browser")

HEADLESS_VIEWPORT = {"width": 1280, "height": 800}
PAIR_TIMEOUT_S = 20.0
# Chromium stops an idle extension service worker (Manifest V3), and Playwright's `Worker.evaluate` then waits until
# the worker runs again, which nothing may ever cause: a call not answered within this time starts the worker.
WAKE_AFTER_S = 2.0


class ExtensionError(WitnessError):
    code = "extension_error"
    status = 500


# A clean copy of manifest.json, _locales/ and extension/ (Chrome refuses names starting with "_").
stage_extension = extension_files.stage


def should_run_headless(flag: bool, env: dict | None = None, platform: str | None = None) -> bool:
    """Headless when asked, or on Linux without a display."""
    env = os.environ if env is None else env
    platform = platform or sys.platform
    if flag:
        return True
    return platform.startswith("linux") and not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def _same_url(a: str, b: str) -> bool:
    if a == b:
        return True
    a, b = urldefrag(a)[0], urldefrag(b)[0]
    return a.rstrip("/") == b.rstrip("/")


async def worker_evaluate(context, worker, expression: str, arg=None, *, timeout: float = 60.0):
    """`worker.evaluate(expression, arg)` in an extension's service worker of `context` that Chromium may have
    stopped: after WAKE_AFTER_S without an answer the worker is started (DevTools `ServiceWorker.startWorker` on its
    scope), and the call answers once it runs. ExtensionError after `timeout` seconds."""
    call = asyncio.ensure_future(worker.evaluate(expression, arg))
    deadline = asyncio.get_running_loop().time() + timeout
    try:
        done, _ = await asyncio.wait({call}, timeout=min(WAKE_AFTER_S, timeout))
        if not done:
            left = deadline - asyncio.get_running_loop().time()
            await asyncio.wait_for(_start_worker(context, worker.url), max(0.1, left))
        left = deadline - asyncio.get_running_loop().time()
        return await asyncio.wait_for(asyncio.shield(call), max(0.1, left))
    except asyncio.TimeoutError:
        raise ExtensionError(f"扩展的后台没有响应 / the extension's service worker did not answer in {timeout:g} s") from None
    finally:
        if not call.done():
            call.cancel()


async def _start_worker(context, worker_url: str) -> None:
    scope = worker_url[: worker_url.index("/", len("chrome-extension://")) + 1]
    page = next((p for p in context.pages if not p.is_closed()), None)
    opened = page is None
    if opened:
        page = await context.new_page()
    cdp = await context.new_cdp_session(page)
    try:
        await cdp.send("ServiceWorker.enable")
        await cdp.send("ServiceWorker.startWorker", {"scopeURL": scope})
    finally:
        await cdp.detach()
        if opened:
            await page.close()


class EvidenceBrowser:
    def __init__(self, context, *, headless: bool, args: list[str], extension_dir: Path):
        self.context = context
        self.headless = headless
        self.args = args
        self.extension_dir = extension_dir
        self.closed = asyncio.Event()
        self._responses: dict = {}
        context.on("response", self._on_response)
        context.on("close", lambda *_: self.closed.set())

    @classmethod
    async def launch(cls, playwright, config: Config, *, headless: bool, source: Path | None = None) -> "EvidenceBrowser":
        """`source`: the extension's files (default: the installed package's copy, else the checkout's)."""
        base = config.data_dir / "browser"
        ext = stage_extension(source or extension_files.extension_source(), base / "extension")
        profile = base / "profile"
        profile.mkdir(parents=True, exist_ok=True)
        options = {"viewport": HEADLESS_VIEWPORT} if headless else {"no_viewport": True}
        context = await launch_persistent(
            playwright, profile, chromium=config.chromium, headless=headless, extension_dir=ext,
            locale="zh-CN", **options,
        )
        return cls(context, headless=headless, args=launch_args(headless=headless, extension_dir=ext), extension_dir=ext)

    def _on_response(self, response) -> None:
        try:
            request = response.request
            frame = response.frame
            if request.is_navigation_request() and frame.parent_frame is None:
                self._responses[frame.page] = response
        except Exception:  # noqa: BLE001 - responses of workers have no frame
            pass

    def response_for(self, page):
        return self._responses.get(page)

    def browser_info(self) -> dict:
        browser = self.context.browser
        return {"name": "chromium", "version": browser.version if browser else None, "headless": self.headless,
                "profile": "evidence browser", "extension_id": EXTENSION_ID}

    async def service_worker(self, timeout: float = PAIR_TIMEOUT_S):
        prefix = f"chrome-extension://{EXTENSION_ID}/"
        for worker in self.context.service_workers:
            if worker.url.startswith(prefix):
                return worker
        try:
            return await self.context.wait_for_event(
                "serviceworker", predicate=lambda w: w.url.startswith(prefix), timeout=timeout * 1000
            )
        except Exception as e:
            raise ExtensionError(
                f"扩展没有启动 / the extension's service worker did not start within {timeout:g} s "
                f"(expected ID {EXTENSION_ID}): {type(e).__name__}"
            ) from e

    async def pair(self, helper_url: str, token: str) -> dict:
        """Give the extension the helper's address and token (chrome.storage.local key `helper`)."""
        worker = await self.service_worker()
        # `evidence`: the helper drives this browser's tabs itself (no relay to the buyer's own tab needed).
        value = {"url": helper_url, "token": token, "evidence": True}
        ok = await worker_evaluate(
            self.context, worker,
            """async (value) => {
                 if (!globalThis.chrome || !chrome.storage || !chrome.storage.local) return false;
                 await chrome.storage.local.set({helper: value});
                 return true;
               }""",
            value,
            timeout=PAIR_TIMEOUT_S,
        )
        if not ok:
            raise ExtensionError("扩展没有 storage 权限，无法配对 / the extension has no storage permission; cannot pair")
        return value

    async def stored_pairing(self) -> dict | None:
        worker = await self.service_worker()
        return await worker_evaluate(self.context, worker,
                                     "async () => (await chrome.storage.local.get('helper')).helper || null")

    async def find_page(self, url: str, title: str | None = None):
        """The open tab showing `url`: the visible, focused one when several match, then the title."""
        candidates = [p for p in self.context.pages if not p.is_closed() and _same_url(p.url, url)]
        if not candidates:
            return None
        best, best_score = None, -1
        for page in candidates:
            score = 0
            try:
                state = await page.evaluate("() => [document.visibilityState === 'visible', document.hasFocus(), document.title]")
            except Exception:  # noqa: BLE001 - a page navigating away
                continue
            score += 4 if state[0] else 0
            score += 2 if state[1] else 0
            score += 1 if title is not None and state[2] == title else 0
            if score >= best_score:  # later (newer) tabs win ties
                best, best_score = page, score
        return best

    async def new_tab(self, url: str | None = None):
        page = await self.context.new_page()
        if url:
            try:
                await page.goto(url, wait_until="load")
            except Exception as e:
                raise CaptureError(f"无法打开 / cannot open {url}: {str(e).splitlines()[0]}") from e
        return page

    async def show_welcome(self):
        """`witness start`: the first tab shows the extension's welcome page (what this is, pinning the icon,
        logging in to the shop here, how capture works) instead of about:blank."""
        url = f"chrome-extension://{EXTENSION_ID}/extension/welcome.html"
        await self.service_worker()  # the extension is loaded
        blank = next((p for p in self.context.pages if not p.is_closed() and p.url == "about:blank"), None)
        page = blank or await self.context.new_page()
        await page.goto(url)
        return page

    async def close(self) -> None:
        if not self.closed.is_set():
            try:
                await self.context.close()
            except Exception:  # noqa: BLE001 - the user closed it already
                pass
        self.closed.set()
