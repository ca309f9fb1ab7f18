"""`witness demo`: the product end to end against the local demo shop, as a clear sequence of steps.

1. start the demo shop on a free loopback port;
2. start the helper (free port) with the evidence browser (headless when there is no display), paired;
3. open an order page, a chat page and the platform rules in the evidence browser and capture each tab
   through the helper's API, exactly as the extension's button does;
4. run `witness verify`;
5. print what was captured, where, with hashes, and leave the data directory for inspection.

Later features (complaint drafts, export) add their steps to `STEPS`-style functions below.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

from aiohttp import ClientSession, ClientTimeout

from helper.cli.common import progress_bar
from helper.core import clock
from helper.core.config import Config
from helper.core.errors import CaptureError

DEMO_ROOT = Path("witness-demo")


def default_demo_dir(cwd: Path, now: datetime) -> Path:
    """./witness-demo/<China time>, e.g. witness-demo/20261127-143000."""
    return cwd / DEMO_ROOT / now.astimezone(clock.CHINA).strftime("%Y%m%d-%H%M%S")


def demo_pages() -> list[tuple[str, str, str]]:
    """(kind, path, what) of the pages the demo captures, from the demo shop's PAGES table."""
    from helper.demoshop import PAGES

    def first(kind: str, text: str = "") -> str | None:
        return next((p.path for p in PAGES if p.kind == kind and text in p.title), None)

    wanted = [
        ("order", first("order", "处理中") or first("order"), "订单页 order page"),
        ("chat", first("chat", "长聊天") or first("chat"), "聊天记录 chat"),
        ("rules", first("rules"), "平台规则 rules page"),
    ]
    return [(k, p, w) for k, p, w in wanted if p]


async def capture_tab(http: ClientSession, session, page, kind: str) -> dict:
    """What the extension's capture button does: POST /api/captures naming the current tab."""
    body = {"kind": kind, "tab": {"url": page.url, "title": await page.title()}}
    async with http.post(f"{session.url}/api/captures", json=body,
                         headers={"Authorization": f"Bearer {session.token}"}) as resp:
        data = await resp.json()
        if resp.status != 200:
            raise CaptureError(f"capture of {page.url} failed: {data.get('error')}")
        return data


async def verify(http: ClientSession, session) -> dict:
    async with http.post(f"{session.url}/api/verify", headers={"Authorization": f"Bearer {session.token}"}) as resp:
        return await resp.json()


async def list_orders(http: ClientSession, session) -> list[dict]:
    async with http.get(f"{session.url}/api/orders", headers={"Authorization": f"Bearer {session.token}"}) as resp:
        return (await resp.json()).get("orders", [])


def _duration(seconds: int) -> str:
    hours, rest = divmod(max(0, seconds), 3600)
    return f"{hours}h{rest // 60:02d}m" if hours else f"{rest // 60}m"


NEXT_FOR_A_REAL_BUYER = (
    "══ 你自己的订单 / for a real order ══",
    "1. witness start   打开取证浏览器（首页说明怎样用）/ opens the evidence browser on its welcome page",
    "2. 在取证浏览器里登录你的店铺，打开订单页、聊天页，点右侧红色「保存证据」/ log in to your shop there, open the order",
    "   and chat pages and click the red 保存证据 (Capture evidence) button",
    "3. 点工具栏图标 → 案件详情：维权进度、投诉材料（一键复制）、导出证据包 / toolbar icon → case page: the path,",
    "   copyable complaint drafts, the evidence package",
    "4. witness orders  随时查看每个订单逾期多久、下一步做什么 / how overdue each order is and what to do next",
)


def automatic_captures(store, captured: list[tuple[str, dict]]) -> list[dict]:
    """Captures the demo did not ask for itself: the extension's automatic chat snapshots."""
    asked = {r["capture"]["id"] for _, r in captured}
    return [c for c in reversed(store.list_captures()) if c["id"] not in asked]


def print_summary(out, data_dir: Path, captured: list[tuple[str, dict]], orders: list[dict], report: dict,
                  automatic: list[dict] = ()) -> None:
    out("")
    out("══ 演示结果 / demo summary ══")
    captured = list(captured) + [("自动快照 / automatic snapshot", {"capture": c}) for c in automatic]
    for what, result in captured:
        cap = result["capture"]
        out(f"● {what}: 取证 #{cap['id']} ({cap['kind']}, {cap['source']}) {cap['url']}")
        for a in cap["artifacts"]:
            out(f"    {a['name']:<12} {a['size']:>10,} B  sha256 {a['sha256']}")
        extra = []
        if cap.get("message_count"):
            extra.append(f"{cap['message_count']} 条消息 messages")
        if cap.get("order_id"):
            extra.append(f"订单 order #{cap['order_id']}")
        if extra:
            out("    " + " · ".join(extra))
    for o in orders:
        out(f"● 跟踪订单 / tracked order #{o['id']}: {o['order_no']} {o.get('product') or ''} "
            f"{o.get('status') or ''} 截止 deadline {o.get('deadline') or '—'}")
        esc = o.get("escalation") or {}
        if o.get("deadline") and esc.get("stage") not in (None, "awaiting_delivery", "resolved", "no_deadline"):
            late = _duration(int((clock.utcnow() - clock.parse_iso(o["deadline"])).total_seconds()))
            out(f"    已逾期 {late} / overdue by {late} (承诺 promise: {o.get('promise_text') or '—'})")
        if esc.get("next_step"):
            out(f"    下一步 / next step: {esc['next_step']['zh']}")
            out(f"                        {esc['next_step']['en']}")
    c = report.get("checked", {})
    if report.get("ok"):
        out(f"✓ witness verify: 完好 / intact ({c.get('events')} events, {c.get('files')} files, {c.get('bytes', 0):,} bytes)")
    else:
        out(f"✗ witness verify: {len(report.get('problems', []))} 个问题 / problem(s): {report.get('problems')}")
    out(f"数据目录 / data directory: {data_dir}")
    out(f"  查看 / inspect:  witness --data-dir {data_dir} verify")
    out(f"  订单 / orders:   witness --data-dir {data_dir} orders")
    out("")
    for line in NEXT_FOR_A_REAL_BUYER:
        out(line)


async def wait_for_ocr(session, captured: list, out, *, limit_s: float = 600) -> None:
    """The helper reads every stored screenshot in the background; wait for it so the data directory (and
    the package) hold the OCR text, saying so instead of hanging silently at exit."""
    from helper.api import keys

    worker = session.app.get(keys.OCR)
    if worker is None or worker.idle.is_set():
        return
    out("[+] 后台 OCR 识别截图中 / background OCR is reading the screenshots …")
    store = session.service.store
    loop = asyncio.get_running_loop()
    with progress_bar("OCR", unit="image") as progress:
        read = [0]

        def on_event(event: dict) -> None:  # the store's writer thread
            if event["type"] in ("ocr.done", "ocr.failed"):
                read[0] += 1
                loop.call_soon_threadsafe(progress, "OCR 识别截图 / reading screenshots", read[0], None)

        store.subscribe(on_event)
        try:
            await asyncio.wait_for(worker.idle.wait(), limit_s)
        except asyncio.TimeoutError:
            out(f"      ⚠ OCR 超过 {limit_s:g} 秒未完成 / OCR not finished after {limit_s:g} s")
            return
        finally:
            store.unsubscribe(on_event)
    done = sum(1 for _, r in captured if store.ocr_of(r["capture"]["id"]))
    out(f"      ✓ {done}/{len(captured)} 个截图已识别 / screenshots read")


async def _demo(data_dir: Path, headless: bool, out) -> int:
    from helper.api.server import helper_session
    from helper.demoshop import start_shop

    out(f"[1/5] 启动演示商城 / starting the demo shop …")
    shop, shop_url = await start_shop()
    try:
        out(f"      {shop_url}")
        out(f"[2/5] 启动助手和取证浏览器 / starting the helper and the evidence browser "
            f"({'无窗口 headless' if headless else '有窗口 headed'}) …")
        config = Config(data_dir=data_dir, port=0)
        async with helper_session(config, headless=headless) as session, \
                ClientSession(timeout=ClientTimeout(total=120)) as http:
            out(f"      helper {session.url}; "
                + ("扩展已配对 / extension paired" if not session.pairing_error else f"⚠ {session.pairing_error}"))
            out("[3/5] 在取证浏览器中打开并取证 / opening and capturing pages in the evidence browser …")
            captured = []
            pages = demo_pages()
            with progress_bar("取证 / capturing", unit="page") as progress:
                for i, (kind, path, what) in enumerate(pages):
                    progress(f"取证 / capturing: {what}", i, len(pages))
                    page = await session.evidence.new_tab(shop_url + path)
                    result = await capture_tab(http, session, page, kind)
                    cap = result["capture"]
                    out(f"      ✓ {what}: #{cap['id']} {cap['url']}")
                    captured.append((what, result))
            await wait_for_ocr(session, captured, out)
            out("[4/5] 校验证据库 / verifying the evidence store (witness verify) …")
            report = await verify(http, session)
            orders = await list_orders(http, session)
            # --- evidence package: export (timestamped by a local test TSA) and verify-package (helper/package) ---
            from helper.api.packages import helper_printer
            from helper.cli.demo_package import export_demo_package

            out("[+] 导出并校验证据包 / exporting and verifying the evidence package …")
            package = await asyncio.to_thread(export_demo_package, data_dir, orders, out, chromium=config.chromium,
                                              printer=helper_printer(session.service, asyncio.get_running_loop()))
            # --- end of the evidence-package step ---
            out("[5/5] 完成 / done")
            print_summary(out, data_dir, captured, orders, report,
                          automatic_captures(session.service.store, captured))
            return 0 if report.get("ok") and (package is None or package["ok"]) else 1
    finally:
        await shop.cleanup()


def run_demo(*, data_dir: str | Path | None = None, headless: bool = False, now=clock.utcnow, out=print) -> int:
    from helper.capture.evidence_browser import should_run_headless

    target = Path(data_dir) if data_dir else default_demo_dir(Path.cwd(), now())
    target.mkdir(parents=True, exist_ok=True)

    def say(line: str) -> None:
        out(line, flush=True) if out is print else out(line)

    return asyncio.run(_demo(target.resolve(), should_run_headless(headless), say))
