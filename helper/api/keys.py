"""Typed keys for what the app holds."""

from collections.abc import Callable
from datetime import datetime

from aiohttp import web

from ..core.config import Config
from ..store import Store

CONFIG = web.AppKey("config", Config)
STORE = web.AppKey("store", Store)
TOKEN = web.AppKey("token", str)
NOW = web.AppKey("now", Callable[[], datetime])  # the clock: tests pass their own
SLEEP = web.AppKey("sleep", Callable)  # the reminders' wait: core.clock.sleep, or a fake clock's
SCHEDULER = web.AppKey("scheduler", object)
HUB = web.AppKey("hub", object)
OCR = web.AppKey("ocr", object)
