"""Every route, in one place. PROTOCOL.md documents each (tests/test_protocol_doc.py checks)."""

from __future__ import annotations

from aiohttp import web

from ..capture import api as capture_api
from ..package import api as package_api
from . import events, views

ROUTES = [
    ("GET", "/api/health", views.health),
    ("GET", "/api/events", events.events_ws),
    ("GET", "/api/orders", views.list_orders),
    ("POST", "/api/orders", views.track_order),
    ("GET", "/api/orders/{id}", views.get_order),
    ("GET", "/api/orders/{id}/drafts/{channel}", package_api.get_draft),
    ("POST", "/api/orders/{id}/export", package_api.export),
    ("POST", "/api/orders/{id}/actions", views.add_action),
    ("POST", "/api/notifications", views.notified),
    ("POST", "/api/captures", capture_api.post_capture),
    ("GET", "/api/captures/{id}", views.get_capture),
    ("GET", "/api/captures/{id}/files/{name}", views.get_capture_file),
    ("GET", "/api/captures/{id}/ocr", views.get_capture_ocr),
    ("GET", "/api/search", views.search),
    ("POST", "/api/import", views.import_image),
    ("POST", "/api/analyze", views.analyze),
    ("POST", "/api/verify", views.run_verify),
]


def add_routes(app: web.Application) -> None:
    for method, path, handler in ROUTES:
        app.router.add_route(method, path, handler)
