"""App factory: `create_app(config) -> web.Application`. Long-lived resources open and close in
cleanup_ctx; features add theirs through `CONTEXTS`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re

from aiohttp import web

from ..core import clock
from ..core.config import Config, read_or_create_token
from ..store import Store
from .captures import capture_ctx
from . import keys
from .events import Hub
from .routes import add_routes
from .security import MIDDLEWARES


async def _store_ctx(app: web.Application):
    store = Store(app[keys.CONFIG].data_dir, now=app[keys.NOW])
    hub = Hub(asyncio.get_running_loop())
    store.subscribe(hub.publish_threadsafe)
    app[keys.STORE] = store
    app[keys.HUB] = hub
    yield
    for ws in list(hub.sockets):
        await ws.close()
    store.close()


@contextlib.asynccontextmanager
async def _background(coro, name: str):
    """Run a long-lived task while the app runs; cancel it at cleanup."""
    task = asyncio.create_task(coro, name=name)
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


FOREIGN_POLL_S = 0.2


async def _watch_foreign_writes(store: Store) -> None:
    while True:
        try:
            await asyncio.to_thread(store.poll_foreign_writes)
        except Exception:  # a locked or closing database must not end the watch
            logging.getLogger("witness.api").exception("watching for other writers failed")
        await asyncio.sleep(FOREIGN_POLL_S)


async def _foreign_ctx(app: web.Application):
    """Events written by other processes (`witness capture`, `witness track` …) reach the event stream and
    the reminders within FOREIGN_POLL_S."""
    async with _background(_watch_foreign_writes(app[keys.STORE]), "foreign-writes"):
        yield


async def _scheduler_ctx(app: web.Application):
    from datetime import timedelta

    from ..escalation.scheduler import Scheduler

    config = app[keys.CONFIG]
    scheduler = Scheduler(app[keys.STORE], platform_window=timedelta(days=config.platform_window_days),
                          now=app[keys.NOW], sleep=app[keys.SLEEP])
    app[keys.SCHEDULER] = scheduler
    async with _background(scheduler.run(), "reminders"):
        yield


async def _ocr_ctx(app: web.Application):
    from ..orders.ocr_jobs import OcrWorker

    if not app[keys.CONFIG].ocr_background:
        yield
        return
    worker = OcrWorker(app[keys.STORE], engine=app[keys.CONFIG].ocr_engine)
    app[keys.OCR] = worker
    async with _background(worker.run(), "ocr"):
        yield


async def _anchor_ctx(app: web.Application):
    """With a TSA configured, timestamp the chain head after new events (helper/package/anchor.py)."""
    from datetime import timedelta

    from ..package.anchor import Anchorer

    config = app[keys.CONFIG]
    if not config.tsa_url:
        yield
        return
    anchorer = Anchorer(app[keys.STORE], config.tsa_url, interval=timedelta(minutes=config.anchor_interval_minutes),
                        now=app[keys.NOW])  # the clock that stamps the events it measures the interval from
    async with _background(anchorer.run(), "anchor"):
        yield


# Long-lived resources, opened in order and closed in reverse.
CONTEXTS = [_store_ctx, _foreign_ctx, _scheduler_ctx, _anchor_ctx, _ocr_ctx, capture_ctx]


def create_app(config: Config, *, now=clock.utcnow, sleep=clock.sleep) -> web.Application:
    """The helper's app. `now` is its clock (chain times, reminders, deadlines, answers) and `sleep` the
    reminders' wait; tests pass a fake clock's (tests/fakeclock.py)."""
    app = web.Application(middlewares=MIDDLEWARES, client_max_size=config.max_body_bytes)
    app[keys.CONFIG] = config
    app[keys.NOW] = now
    app[keys.SLEEP] = sleep
    app[keys.TOKEN] = read_or_create_token(config)
    for ctx in CONTEXTS:
        app.cleanup_ctx.append(ctx)
    add_routes(app)
    return app


def run(config: Config) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    app = create_app(config)

    def listening(message: str) -> None:  # called by run_app once the port is open, naming the bound address
        bound = re.search(r"http://127\.0\.0\.1:(\d+)", message)  # --port 0: the port the system chose
        port = bound.group(1) if bound else config.port
        print(f"order-witness helper on http://127.0.0.1:{port} (data: {config.data_dir})", flush=True)

    web.run_app(app, host="127.0.0.1", port=config.port, print=listening, access_log=None)
