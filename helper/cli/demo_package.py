"""The last step of `witness demo`: export the tracked order's package, timestamped by a throwaway local TSA,
and verify it as a recipient would. Sync; the demo runs it in a thread."""

from __future__ import annotations

import shutil
from pathlib import Path

from helper.cli.common import progress_bar
from helper.core.config import Config
from helper.demoshop.local_tsa import DEMO_TSA_NAME, DEMO_TSA_NAME_EN, LocalTSA
from helper.package.export import export_order
from helper.package.verify_package import verify_package
from helper.store import Store


def pick_order(orders: list[dict]) -> dict | None:
    """The order with the most evidence (the demo's tracked order)."""
    with_evidence = [o for o in orders if o.get("evidence_count")]
    return max(with_evidence, key=lambda o: o["evidence_count"]) if with_evidence else (orders[0] if orders else None)


def export_demo_package(data_dir: Path, orders: list[dict], out, *, chromium: str | None = None, printer=None) -> dict | None:
    """`printer`: export_order's (the running helper's browser prints the report)."""
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
        out(f"      {DEMO_TSA_NAME} / {DEMO_TSA_NAME_EN}: {tsa.url}")
        config = Config(data_dir=data_dir, tsa_url=tsa.url, tsa_ca=str(tsa.ca_path), chromium=chromium)
        store = Store(data_dir)
        try:
            with progress_bar("导出 / exporting") as progress:
                summary = export_order(store, order["id"], target, config, progress=progress, printer=printer)
        finally:
            store.close()
        root = Path(data_dir) / "demo-tsa-root.pem"
        shutil.copyfile(tsa.ca_path, root)
    report = verify_package(target)
    ts = summary["timestamp"]
    out(f"      ✓ 证据包 / package: {target} ({summary['files']} files, {summary['size']:,} B)")
    out(f"        sha256 {summary['sha256']}")
    out(f"        时间戳 / timestamp: " + (f"{ts['gen_time']}, {DEMO_TSA_NAME}" if ts["status"] == "ok" else f"无 / none ({ts.get('reason')})"))
    if report["ok"]:
        sig = "签名与哈希相符 / signature and hash match" if report["timestamp"].get("signature_ok") else "无 / absent"
        out(f"      ✓ witness verify-package: 文件完好 / files intact ({report['checked']['files']} files); 时间戳 / timestamp: "
            f"{sig}; 机构不受信任 / TSA not trusted ({DEMO_TSA_NAME})")
        out(f"        固定信任其根证书后 / trusted only once you pin its root: witness verify-package {target} --ca {root}")
    else:
        for p in report["problems"]:
            out(f"      ✗ [{p['code']}] {p['message']}")
    out(f"        查看 / inspect: unzip {target.name}; sha256sum -c SHA256SUMS; "
        "openssl ts -verify -data manifest.json -in manifest.tsr -CAfile tsa-chain.pem")
    return {"summary": summary, "verify": report, "ok": report["ok"] and ts["status"] == "ok"}
