"""`python -m helper.demoshop --port 8765`: run the demo shop on 127.0.0.1."""

from __future__ import annotations

import argparse

from aiohttp import web

from . import create_shop_app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helper.demoshop", description="订单证人 演示商城 / demo shop")
    parser.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (default 8765)")
    parser.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    parser.add_argument("--no-seed", action="store_true", help="start without the seeded orders")
    args = parser.parse_args(argv)
    app = create_shop_app(seed_orders=not args.no_seed)
    print(f"演示商城 / demo shop: http://{args.host}:{args.port}/", flush=True)
    web.run_app(app, host=args.host, port=args.port, print=None, shutdown_timeout=2.0)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
