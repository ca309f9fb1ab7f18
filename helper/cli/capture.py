"""Capture subcommands: capture (a URL or the desktop), start (helper + evidence browser), demo."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from helper.cli.common import examples, require_store
from helper.core.config import load_config
from helper.core.errors import BadRequest, WitnessError


def register(sub) -> None:
    from helper.store import CAPTURE_KINDS

    p = sub.add_parser("capture", help="取证一个网址或桌面 / capture a URL (clean headless fetch) or the desktop",
                       epilog=examples("witness capture https://shop.example/detail-order-sn/D8K2M4Q7 --kind order",
                                       "witness capture --desktop --region 0,0,1280,800"))
    p.add_argument("url", nargs="?", help="http(s) address to capture")
    p.add_argument("--kind", default="other", choices=[k for k in CAPTURE_KINDS if k != "desktop"],
                   help="what the page is (default other)")
    p.add_argument("--order", type=int, help="link to tracked order ID")
    p.add_argument("--cookies", help="JSON file of cookies ([{name, value, domain, path}] or {\"cookies\": [...]})")
    p.add_argument("--desktop", action="store_true", help="capture the screen instead of a URL (kind desktop)")
    p.add_argument("--region", help="with --desktop: X,Y,W,H")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_capture)

    p = sub.add_parser("start", help="运行助手并打开取证浏览器 / run the helper with the evidence browser",
                       epilog=examples("witness start", "witness start --headless --port 0"))
    p.add_argument("--headless", action="store_true", help="no window (default when there is no display)")
    p.add_argument("--port", type=int, help="port (default 17365 or WITNESS_PORT; 0 = any free port)")
    p.set_defaults(func=cmd_start)

    p = sub.add_parser("demo", help="演示：本地演示商城上的完整流程 / the product end to end on a local demo shop",
                       epilog=examples("witness demo", "witness demo --headless --data-dir /tmp/witness-demo"))
    p.add_argument("--headless", action="store_true", help="no browser window (default when there is no display)")
    p.add_argument("--data-dir", dest="data_dir", default=argparse.SUPPRESS,
                   help="where to keep the demo's data (default: a new folder under ./witness-demo/)")
    p.set_defaults(func=cmd_demo)


def _load_cookies(path: str | None) -> list[dict] | None:
    if not path:
        return None
    try:
        data = json.loads(Path(path).read_text("utf-8"))
    except (OSError, ValueError) as e:
        raise BadRequest(f"无法读取 cookie 文件 / cannot read the cookies file {path}: {e}") from None
    if isinstance(data, dict):
        data = data.get("cookies")
    if not isinstance(data, list) or not all(isinstance(c, dict) and "name" in c and "value" in c for c in data):
        raise BadRequest("cookie 文件应为 [{name, value, domain, path}] / the cookies file must hold a list of "
                         "{name, value, domain, path} objects (or Playwright storage state)")
    return data


def _read_desktop_chat(store, cap: dict, engine: str | None) -> tuple[dict, list[dict]]:
    """OCR the desktop capture now: a QQ / WeChat window on the screen gives its messages (and the order they
    name). Returns the capture as stored after that, and its messages."""
    from helper.orders.ocr_jobs import read_capture

    read_capture(store, cap["id"], engine=engine)
    return store.get_capture(cap["id"]), store.messages(capture_id=cap["id"])


def _print_capture(cap: dict, as_json: bool, after: dict | None = None, messages: list[dict] | None = None) -> None:
    from helper.cli import print_json
    from helper.cli.importing import print_messages

    if as_json:
        out = {"capture": {**cap, "artifacts": cap["artifacts"]}}
        if after is not None:
            out["after_capture"] = {"errors": after["errors"], "results": len(after["results"])}
        if messages is not None:
            out["messages"] = [{k: m[k] for k in ("sender", "name", "time", "text")} for m in messages]
        print_json(out)
        return
    print(f"✓ 已保存取证 #{cap['id']} / capture #{cap['id']} stored ({cap['kind']}, {cap['source']})")
    if cap.get("url"):
        print(f"  {cap['url']}")
    for a in cap["artifacts"]:
        print(f"  {a['name']:<12} {a['size']:>10,} B  sha256 {a['sha256']}")
    print_messages(messages or [], cap.get("order_id"))


def cmd_capture(args) -> int:
    from helper.core.clock import utcnow
    from helper.store import Store

    config = require_store(args, may_start=True)
    if args.desktop:
        if args.url:
            raise BadRequest("--desktop 不接受网址 / --desktop takes no URL")
        from helper.capture.desktop import desktop_capture, parse_region
        from helper.capture.environment import check_clock

        region = parse_region(args.region)
        store = Store(config.data_dir)
        try:
            clk = asyncio.run(check_clock(config.time_source))
            cap = desktop_capture(store, region=region, order_id=args.order, now=utcnow, clock_check=clk)
            cap, messages = _read_desktop_chat(store, cap, config.ocr_engine)
        finally:
            store.close()
        _print_capture(cap, args.json, messages=messages)
        return 0
    if args.region:
        raise BadRequest("--region 只用于 --desktop / --region needs --desktop")
    if not args.url:
        raise BadRequest("需要网址或 --desktop / give a URL or --desktop")
    from helper.capture import CaptureService, check_url
    from helper.orders.tracking import CAPTURE_HOOKS

    check_url(args.url)
    cookies = _load_cookies(args.cookies)

    async def run():
        store = Store(config.data_dir)
        service = CaptureService(config, store, **CAPTURE_HOOKS)
        try:
            return await service.capture(kind=args.kind, url=args.url, order_id=args.order, cookies=cookies)
        finally:
            await service.close()
            store.close()

    result = asyncio.run(run())
    _print_capture(result["capture"], args.json, result["after_capture"])
    return 0


def cmd_start(args) -> int:
    from helper.capture.evidence_browser import should_run_headless

    config = load_config(args.data_dir, port=args.port)
    headless = should_run_headless(args.headless)
    try:
        asyncio.run(_start(config, headless))
    except KeyboardInterrupt:
        pass
    return 0


async def _start(config, headless: bool) -> None:
    import signal

    from helper.api.server import helper_session

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):
            pass
    async with helper_session(config, headless=headless) as s:
        mode = "无窗口 headless" if headless else "有窗口 headed"
        print(f"订单证人助手 / order-witness helper: {s.url}  (data: {config.data_dir})", flush=True)
        print(f"取证浏览器已打开 / evidence browser open ({mode}); profile {config.data_dir / 'browser' / 'profile'}", flush=True)
        if s.pairing_error:
            print(f"⚠ 扩展未配对 / extension not paired: {s.pairing_error}", flush=True)
        else:
            print("✓ 扩展已配对 / extension paired", flush=True)
            await s.evidence.show_welcome()
        print("关闭浏览器或按 Ctrl+C 退出 / close the browser or press Ctrl+C to stop", flush=True)
        closed = asyncio.ensure_future(s.evidence.closed.wait())
        stopping = asyncio.ensure_future(stop.wait())
        await asyncio.wait([closed, stopping], return_when=asyncio.FIRST_COMPLETED)
        for t in (closed, stopping):
            t.cancel()
        print("已退出 / stopped", flush=True)


def cmd_demo(args) -> int:
    from helper.cli.demo import run_demo

    try:
        return run_demo(data_dir=getattr(args, "data_dir", None), headless=args.headless)
    except WitnessError:
        raise
    except KeyboardInterrupt:
        print("已中断 / interrupted", file=sys.stderr)
        return 130
