"""Typed keys for what the app holds."""

from aiohttp import web

from ..config import Config
from ..store import Store

CONFIG = web.AppKey("config", Config)
STORE = web.AppKey("store", Store)
TOKEN = web.AppKey("token", str)
HUB = web.AppKey("hub", object)
OCR = web.AppKey("ocr", object)
