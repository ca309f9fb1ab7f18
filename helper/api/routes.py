"""Every route, in one place. PROTOCOL.md documents each (tests/test_protocol_doc.py checks)."""

from __future__ import annotations

from aiohttp import web

from . import captures, events, orders, packages, pages, relay, risk, search, system

ROUTES = [
    ("GET", "/api/health", system.health),
    ("GET", "/api/events", events.events_ws),
    ("GET", "/api/orders", orders.list_orders),
    ("POST", "/api/orders", orders.track_order),
    ("GET", "/api/orders/{id}", orders.get_order),
    ("GET", "/api/orders/{id}/drafts/{channel}", packages.get_draft),
    ("POST", "/api/orders/{id}/export", packages.export),
    ("POST", "/api/orders/{id}/actions", orders.add_action),
    ("GET", "/api/orders/{id}/case", orders.get_case),
    ("POST", "/api/orders/{id}/actions/{seq}/withdraw", orders.withdraw),
    ("GET", "/api/packages/{name}", packages.get_package),
    ("POST", "/api/packages/{name}/verify", packages.verify_package),
    ("POST", "/api/notifications", orders.notified),
    ("POST", "/api/captures", captures.post_capture),
    ("POST", "/api/relay", relay.post_relay),
    ("GET", "/api/relay/ws", relay.relay_ws),
    ("GET", "/api/captures/{id}", captures.get_capture),
    ("GET", "/api/captures/{id}/files/{name}", captures.get_capture_file),
    ("GET", "/api/captures/{id}/ocr", captures.get_capture_ocr),
    ("GET", "/api/captures/{id}/thumbnail", captures.get_capture_thumbnail),
    ("GET", "/api/search", search.search),
    ("POST", "/api/import", captures.import_image),
    ("POST", "/api/analyze", pages.analyze),
    ("POST", "/api/verify", system.run_verify),
    ("POST", "/api/risk", risk.page_risk),
    ("POST", "/api/offers", risk.keep_offer_snapshot),
]


def add_routes(app: web.Application) -> None:
    for method, path, handler in ROUTES:
        app.router.add_route(method, path, handler)
