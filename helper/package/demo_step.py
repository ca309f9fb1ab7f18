"""The last step of `witness demo`: export the tracked order's package, timestamped by a throwaway local TSA,
and verify it as a recipient would. Sync; the demo runs it in a thread."""

from __future__ import annotations

from pathlib import Path

from ..config import Config
from ..store import Store
from .export import export_order
from .local_tsa import LocalTSA
from .verify_package import verify_package


def pick_order(orders: list[dict]) -> dict | None:
    """The order with the most evidence (the demo's tracked order)."""
    with_evidence = [o for o in orders if o.get("evidence_count")]
    return max(with_evidence, key=lambda o: o["evidence_count"]) if with_evidence else (orders[0] if orders else None)


def export_demo_package(data_dir: Path, orders: list[dict], out, *, chromium: str | None = None) -> dict | None:
    order = pick_order(orders)
    if order is None:
        out("      ⚠ 没有跟踪的订单，跳过导出 / no tracked order: nothing to export")
        return None
    target = Path(data_dir) / f"证据包-{order['order_no']}.zip"
    n = 1
    while target.exists():
        n += 1
        target = Path(data_dir) / f"证据包-{order['order_no']}-{n}.zip"
    with LocalTSA() as tsa:
        out(f"      本地测试时间戳服务器 / local test TSA {tsa.url}（仅供演示，不具公信力 / demo only, proves nothing to others）")
        config = Config(data_dir=data_dir, tsa_url=tsa.url, tsa_ca=str(tsa.ca_path), chromium=chromium)
        store = Store(data_dir)
        try:
            summary = export_order(store, order["id"], target, config)
        finally:
            store.close()
    report = verify_package(target)
    ts = summary["timestamp"]
    out(f"      ✓ 证据包 / package: {target} ({summary['files']} files, {summary['size']:,} B)")
    out(f"        sha256 {summary['sha256']}")
    out(f"        可信时间戳 / timestamp: " + (f"{ts['gen_time']} by {ts['tsa']}" if ts["status"] == "ok" else f"无 / none ({ts.get('reason')})"))
    if report["ok"]:
        out(f"      ✓ witness verify-package: 完好 / intact ({report['checked']['files']} files, timestamp "
            f"{'valid' if report['timestamp'].get('ok') else 'absent'})")
    else:
        for p in report["problems"]:
            out(f"      ✗ [{p['code']}] {p['message']}")
    out(f"        查看 / inspect: unzip {target.name}; sha256sum -c SHA256SUMS; "
        "openssl ts -verify -data manifest.json -in manifest.tsr -CAfile tsa-chain.pem")
    return {"summary": summary, "verify": report, "ok": report["ok"] and ts["status"] == "ok"}
