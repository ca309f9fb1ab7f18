"""Demo shop: a small aiohttp site imitating Chinese card-shop software (独角数卡, 异次元发卡, 彩虹自助下单),
for `witness demo`, the capture / extension / OCR tests and the page-understanding fixtures.

    app = create_shop_app(now=lambda: REFERENCE_NOW)     # in tests
    python -m helper.demoshop --port 8765                # standalone on 127.0.0.1

Every URL is listed in helper/demoshop/README.md and in `PAGES` (helper/demoshop/pages.py).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Callable

from aiohttp import web

from ..core.clock import utcnow
from . import acgfaka, caihong, chatpages, dujiaoka, hooks, hostile, member, pages, platformpages, testpages
from .chat import FIRST_MESSAGE, LAST_MESSAGE, seed_threads
from .layout import error_page, not_found_page
from .orders import REFERENCE_NOW
from .orders import seed_orders as _seed_orders
from .pages import HANGING_PAGES, PAGES, Page
from .state import STATE, ShopState

__all__ = [
    "create_shop_app", "PAGES", "HANGING_PAGES", "Page", "REFERENCE_NOW", "FIRST_MESSAGE", "LAST_MESSAGE", "STATE",
]


def _wants_json(request: web.Request) -> bool:
    return request.path.startswith("/demo/")


@web.middleware
async def error_middleware(request: web.Request, handler):
    """Unknown URLs get the shop's 404 page (HTML) or a JSON error under /demo/."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400 or exc.content_type in ("text/html", "application/json"):
            raise
        if _wants_json(request):
            code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status, "error")
            body = json.dumps({"error": {"code": code, "message": exc.reason}}, ensure_ascii=False)
            return web.Response(status=exc.status, text=body, content_type="application/json")
        text = not_found_page() if exc.status == 404 else error_page(exc.status, exc.reason)
        return web.Response(status=exc.status, text=text, content_type="text/html")


def create_shop_app(*, now: Callable[[], datetime] | None = None, seed_orders: bool = True) -> web.Application:
    """The demo shop. `now` returns an aware datetime (default: the real clock); pages compute their times
    from it at request time. `seed_orders=False` starts without orders (threads are always seeded)."""
    clock = now or utcnow
    app = web.Application(middlewares=[error_middleware])
    st = ShopState(now=_checked(clock))
    if seed_orders:
        st.orders = {o.order_id: o for o in _seed_orders()}
    st.threads = seed_threads()
    st.threads["member-200"] = member.member_thread()
    app[STATE] = st

    async def _stop(app: web.Application) -> None:
        app[STATE].stopping.set()  # releases /hang handlers so shutdown is quick

    app.on_shutdown.append(_stop)
    app.router.add_get("/", root)
    app.router.add_get("/demo/pages.json", pages.pages_json)
    for module in (dujiaoka, acgfaka, chatpages, platformpages, testpages, hooks, member, hostile):
        module.add_routes(app)
    return app



async def start_shop(now: Callable[[], datetime] | None = None) -> tuple[web.AppRunner, str]:
    """Serve the shop on 127.0.0.1 on a free port; returns the runner (to clean up) and the shop's URL."""
    runner = web.AppRunner(create_shop_app(now=now), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}"


def _checked(clock: Callable[[], datetime]) -> Callable[[], datetime]:
    def now() -> datetime:
        value = clock()
        if value.tzinfo is None:
            raise ValueError("demo shop clock returned a naive datetime")
        return value

    return now


async def root(request: web.Request) -> web.Response:
    """The index, or a 彩虹自助下单 page when `?mod=` is given (/?mod=query&data=…, /?mod=workorder…)."""
    mod = request.query.get("mod")
    if mod is None:
        return web.Response(text=pages.render_index(), content_type="text/html")
    handler = caihong.MODS.get(mod)
    if handler is None:
        raise web.HTTPNotFound(text=not_found_page(), content_type="text/html")
    return handler(request)
