"""A running helper (HTTP API on 127.0.0.1) with the evidence browser attached: what `witness start`, the
demo and the tests run."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from dataclasses import dataclass

from aiohttp import web

from helper.core.config import Config
from helper.core.errors import ConfigError, WitnessError

log = logging.getLogger("witness.session")


@dataclass
class Session:
    app: web.Application
    url: str
    token: str
    service: object
    evidence: object | None
    pairing_error: str | None = None


@asynccontextmanager
async def helper_session(config: Config, *, headless: bool, evidence: bool = True, port: int | None = None):
    """Serve the API on 127.0.0.1 (port 0 = any free port), launch and pair the evidence browser."""
    from helper.api import create_app, keys
    from helper.capture.evidence_browser import EvidenceBrowser
    from helper.api.captures import CAPTURER

    app = create_app(config)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        want = config.port if port is None else port
        site = web.TCPSite(runner, "127.0.0.1", want)
        try:
            await site.start()
        except OSError as e:
            raise ConfigError(f"端口 {want} 无法使用（助手已在运行？）/ port {want} is not available "
                              f"(is the helper already running? use --port): {e.strerror or e}") from e
        bound = runner.addresses[0][1]
        session = Session(app=app, url=f"http://127.0.0.1:{bound}", token=app[keys.TOKEN], service=app[CAPTURER],
                          evidence=None)
        if evidence:
            eb = await EvidenceBrowser.launch(await session.service.playwright(), config, headless=headless)
            session.service.evidence = eb
            session.evidence = eb
            try:
                await eb.pair(session.url, session.token)
            except WitnessError as e:
                session.pairing_error = e.message
                log.warning("pairing failed: %s", e.message)
        yield session
    finally:
        # The browser first: the extension's event socket would hold the server's shutdown open.
        service = app.get(CAPTURER)
        if service is not None and service.evidence is not None:
            await service.evidence.close()
            service.evidence = None
        await runner.cleanup()  # closes the capture service

