"""The PDF report of a package: HTML from report.html, printed by the system Chromium (`page.pdf`).

`report_html(...)` is pure (facts in, HTML string out); `print_pdf` prints it in a browser the caller runs (the
helper's own, for an export through the API), `html_to_pdf` in one of its own (helper/capture/browser.py).
"""

from __future__ import annotations

import asyncio
import base64
import html
import threading
from pathlib import Path
from string import Template

from .. import __version__
from ..capture.browser import launch_browser
from ..capture.stamp import SOURCE_LABELS
from ..core.clock import china
from ..orders.offers import promise_quote
from .drafts import money, timeline
from .layout import KIND_ZH, artifact_path, best_image, describe_artifact

TEMPLATE = Path(__file__).with_name("report.html")


def e(value) -> str:
    """The one way a value reaches the report's HTML: as text, escaped (quotes too, for attributes)."""
    return html.escape(str(value), quote=True)


def _rows(pairs) -> str:
    return "<table>" + "".join(f"<tr><th>{e(k)}</th><td>{v}</td></tr>" for k, v in pairs) + "</table>"


def _t(value) -> str:
    """A stored time for people (China time), escaped; an unreadable stored value is shown as text."""
    try:
        return e(china(value)) if value else "—"
    except (ValueError, TypeError):
        return e(value)


ENV_ORDER = ("capture_uuid", "http.status", "http.server", "http.tls", "environment.proxy", "environment.hosts",
             "environment.time_zone", "clock", "browser.name", "browser.version", "browser.user_agent", "environment")
ENV_ZH = {
    "capture_uuid": "取证编号 capture UUID", "http.status": "HTTP 状态", "http.server.ip": "服务器 IP server IP",
    "http.server.port": "服务器端口 port", "http.tls": "TLS 证书 certificate", "environment.proxy.browser": "浏览器代理 proxy",
    "environment.hosts.sha256": "hosts 文件 SHA-256", "environment.hosts.non_default_entries": "hosts 非默认条目",
    "environment.time_zone.name": "系统时区 time zone", "clock.status": "时钟校验 clock check",
    "clock.offset_s": "时钟偏差（秒） clock offset", "browser.user_agent": "浏览器 UA",
}
MAX_ENV_ROWS = 16


def environment_rows(meta: dict, text_filter=lambda s: s) -> list[tuple[str, str]]:
    """The provenance facts that matter in court first (server, TLS, proxy, hosts, clock), from a capture's
    meta whatever its exact shape."""
    flat: dict = {}

    def walk(prefix, obj, depth=0):
        if isinstance(obj, dict) and depth < 4:
            for k, v in obj.items():
                walk(f"{prefix}.{k}" if prefix else str(k), v, depth + 1)
        elif obj not in (None, "", [], {}):
            flat[prefix] = obj

    walk("", meta)
    picked: list[str] = []
    for prefix in ENV_ORDER:
        picked += [k for k in flat if (k == prefix or k.startswith(prefix + ".")) and k not in picked]
    if not picked and meta:
        picked = [k for k in flat if not k.startswith(("hashes.", "timings_ms.", "page."))]
    return [(ENV_ZH.get(k, k), e(text_filter(str(flat[k])))[:240]) for k in picked[:MAX_ENV_ROWS]]


def report_html(*, order: dict, captures: list[dict], messages: list[dict], actions: list[dict], events: list[dict],
                chain_head: dict | None, image_src: dict, now, redacted: bool, manifest_note: str,
                text_filter=lambda s: s, escalation: dict | None = None, image_sha: dict | None = None,
                image_note: dict | None = None) -> str:
    """`image_src`: {(capture_id, name): URL the browser loads}; `image_note`: {(capture_id, name): why the report
    shows a preview or no picture}; `text_filter` redacts shown text."""
    f = lambda s: e(text_filter(str(s)))  # noqa: E731
    summary = _rows([
        ("订单号 Order", f(order.get("order_no") or "—")),
        ("商品 Product", f(order.get("product") or "—")),
        ("金额 Amount", f(money(order) or "—")),
        ("店铺 Shop", f(f"{order.get('shop_name') or ''} {order.get('shop_host') or ''}".strip() or "—")),
        ("订单页 Order page", f"<span class='hash'>{f(order.get('url') or '—')}</span>"),
        ("ICP 备案号", f(order.get("shop_icp") or "页面未显示")),
        ("下单时间 Ordered", _t(order.get("ordered_at"))),
        ("付款时间 Paid", _t(order.get("paid_at"))),
        ("商家承诺 Promise", f(promise_quote(captures, order) or order.get("promise_text") or "—")),
        ("承诺发货期限 Deadline", _t(order.get("deadline"))),
        ("当前状态 Status", f(order.get("status") or "—")),
        ("取证次数 Captures", str(len(captures))),
    ] + _escalation_rows(escalation))
    items = timeline(order, captures, messages, actions, now)
    timeline_html = "\n".join(f"<li>{e(china(dt))} {f(text)}</li>" for dt, text in items)

    parts = []
    for c in captures:
        img = best_image(c)
        head = f"<h3>#{c['id']} {e(KIND_ZH.get(c.get('kind'), '页面'))} · 取证时间 {_t(c.get('captured_at'))}</h3>"
        info = _rows([("网址 URL", f"<span class='hash'>{f(c.get('url') or '—')}</span>"),
                      ("标题 Title", f(c.get("title") or "—")),
                      ("来源 Source", e(SOURCE_LABELS.get(c.get("source"), str(c.get("source") or "—"))))] + environment_rows(c.get("meta") or {}, text_filter))
        shot = ""
        key = (c["id"], img["name"]) if img is not None else None
        if key is not None and (key in image_src or key in (image_note or {})):
            shot = ((f"<img class='shot' src='{e(image_src[key])}'>" if key in image_src else "")
                    + f"<div class='caption'>{e(artifact_path(c, img))} · 取证时间 {_t(c.get('captured_at'))} · "
                    f"SHA-256 <span class='hash'>{e((image_sha or {}).get(key, img['sha256']))}</span>"
                    + (f"（遮盖版；原件 original <span class='hash'>{e(img['sha256'])}</span>）"
                       if key in (image_sha or {}) else "")
                    + (f"<br>{e(image_note[key])}" if key in (image_note or {}) else "") + "</div>")
        files = "<table>" + "".join(
            f"<tr><td>{e(artifact_path(c, a))}<br><span class='caption'>{e(describe_artifact(a['name']))}，{e(_size(a.get('size')))} 字节</span></td>"
            f"<td class='hash'>{e(a['sha256'])}</td></tr>" for a in c.get("artifacts", [])) + "</table>"
        parts.append(f"<div class='capture'>{head}{info}{shot}{files}</div>")
    captures_html = "\n".join(parts) or "<p>（无取证记录）</p>"

    events_html = "<table><tr><th style='width:8%'>#</th><th style='width:24%'>时间</th><th style='width:22%'>类型</th><th>hash</th></tr>" + "".join(
        f"<tr><td>{e(ev['seq'])}</td><td>{_t(ev['at'])}</td><td>{e(ev['type'])}</td><td class='hash'>{e(ev['hash'])}</td></tr>"
        for ev in events) + "</table>"
    head = f"#{chain_head['seq']} {chain_head['hash']}" if chain_head else "—"

    verify = (
        "<ol>"
        "<li>解压证据包，在解压目录中运行 <code>sha256sum -c SHA256SUMS</code>：每个文件都应显示 OK。"
        "（Windows：<code>certutil -hashfile 文件 SHA256</code>，与 SHA256SUMS 对照。）</li>"
        "<li>manifest.json 列出每个文件的 SHA-256 和大小、每次取证的记录、本订单的哈希链记录和链头。</li>"
        "<li>如有 manifest.tsr（RFC 3161 时间戳；是否可信取决于签发机构），运行 <code>openssl ts -verify -data manifest.json -in manifest.tsr "
        "-CAfile tsa-chain.pem</code>，应显示 Verification: OK；令牌中的时间即 manifest.json（从而所有文件）最晚的存在时间。</li>"
        "<li>或安装订单证人后运行 <code>witness verify-package 证据包.zip</code>，逐项报告问题。</li>"
        f"</ol><p class='note'>{e(manifest_note)} 详细说明见证据包内 VERIFY.md。</p>"
    )
    note = ""
    if redacted:
        note = ("<div class='warn'>本报告及证据包中的文字文件已遮盖卡密和个人信息（邮箱、QQ、手机号）；截图中只有文字识别（OCR）"
                "找到的此类文字区域被涂黑，OCR 未识别出的内容不会被遮盖，请人工检查。"
                "原始文件保存在本人电脑的证据库中，哈希见 manifest.json 的 original_sha256。</div>")
    return Template(TEMPLATE.read_text("utf-8")).substitute(
        order_no=e(order.get("order_no") or ""), version=e(__version__), created=e(china(now)), redaction_note=note,
        summary=summary, timeline=timeline_html, captures=captures_html, events=events_html, chain_head=e(head),
        verify=verify)


def _size(value) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


def _escalation_rows(esc: dict | None) -> list[tuple[str, str]]:
    """Where the order stands on the escalation path (helper/escalation), as of the report."""
    if not esc:
        return []
    step = esc.get("next_step") or {}
    text = e(step.get("zh") or "—")
    if esc.get("due_at"):
        text += f"<br><span class='caption'>期限 due {_t(esc['due_at'])}"
        text += "（已过 overdue）" if esc.get("overdue_seconds") is not None else ""
        text += "</span>"
    rows = [("维权进度 Next step", text)]
    for also in esc.get("also") or []:
        rows.append(("同时可以 Also", e(also.get("zh") or "")))
    return rows


def inside(folder: Path):
    """A request filter: only files in `folder` (the report's own temp folder) may load."""
    prefix = folder.resolve().as_uri() + "/"

    async def route(r):
        if r.request.url.startswith(prefix) and "/../" not in r.request.url:
            await r.continue_()
        else:
            await r.abort()

    return route


FOOTER = ("<div style='font-size:8px;width:100%;text-align:center;'>"
          "<span class='pageNumber'></span> / <span class='totalPages'></span></div>")
PRINT = {"paperWidth": 210 / 25.4, "paperHeight": 297 / 25.4, "printBackground": True, "displayHeaderFooter": True,
         "headerTemplate": "<span></span>", "footerTemplate": FOOTER, "marginTop": 14 / 25.4,
         "marginBottom": 16 / 25.4, "marginLeft": 12 / 25.4, "marginRight": 12 / 25.4,
         "transferMode": "ReturnAsStream"}


async def print_pdf(browser, html_path: Path, out: Path) -> None:
    """Print `html_path` to `out` in a new context of `browser` (a Playwright Browser), with JavaScript off and
    every request outside the report's folder refused (no other file, no network): a value that slipped past
    escaping still cannot read a file or run. The PDF is streamed to `out` in pieces (CDP IO.read): a report
    of any size never sits whole in the helper's memory. The context is closed whatever happens."""
    context = await browser.new_context(java_script_enabled=False)
    try:
        page = await context.new_page()
        await page.route("**/*", inside(html_path.parent))
        await page.goto(html_path.resolve().as_uri(), wait_until="load")
        cdp = await context.new_cdp_session(page)
        handle = (await cdp.send("Page.printToPDF", PRINT))["stream"]
        with open(out, "xb") as f:
            while True:
                piece = await cdp.send("IO.read", {"handle": handle, "size": 1024 * 1024})
                f.write(base64.b64decode(piece["data"]) if piece.get("base64Encoded") else piece["data"].encode("latin-1"))
                if piece.get("eof"):
                    break
        await cdp.send("IO.close", {"handle": handle})
    finally:
        if browser.is_connected():  # a browser that went away took the context with it
            await context.close()


async def _render(html_path: Path, chromium: str | None, out: Path) -> None:
    """print_pdf in a browser of its own (no helper running: the command line)."""
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await launch_browser(p, chromium=chromium)
        try:
            await print_pdf(browser, html_path, out)
        finally:
            await browser.close()


def html_to_pdf(html_path: Path, *, chromium: str | None = None, out: Path | None = None) -> bytes | Path:
    """Print a local HTML file to PDF with the system Chromium; callable from sync code or inside a loop.
    With `out` the PDF is written there (streamed) and `out` returned; else its bytes."""
    target = out or html_path.with_name(html_path.stem + ".pdf")
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(_render(html_path, chromium, target))
    else:
        result: dict = {}

        def run():
            try:
                asyncio.run(_render(html_path, chromium, target))
            except BaseException as exc:  # re-raised in the caller's thread
                result["error"] = exc

        t = threading.Thread(target=run, name="report-pdf")
        t.start()
        t.join()
        if "error" in result:
            raise result["error"]
    if out is not None:
        return out
    try:
        return target.read_bytes()
    finally:
        target.unlink(missing_ok=True)
