"""Evidence packages: export with a trusted timestamp from a local TSA, verify with standard tools and with
verify-package, every kind of tampering named precisely, offline export, no overwrite, redaction, the PDF."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT, run_witness
from helper.api.captures import CAPTURER
from helper.core.config import Config
from helper.core.errors import EvidenceTampered, PackageError
from helper.package.export import export_order
from helper.package.verify_package import verify_package
from helper.demoshop.local_tsa import DEMO_TSA_NAME, LocalTSA
from helper.store import verify as verify_store
from packagedata import NOW, make_order

ARTIFACTS = ROOT / "test-artifacts" / "package"


@pytest.fixture(scope="module")
def tsa():
    with LocalTSA() as t:
        yield t


@pytest.fixture(scope="module")
def exported(tmp_path_factory, tsa):
    """One order, exported once with a timestamp (the PDF is rendered by the system Chromium)."""
    root = tmp_path_factory.mktemp("pkg")
    store, oid = make_order(root / "data")
    config = Config(data_dir=root / "data", tsa_url=tsa.url, tsa_ca=str(tsa.ca_path))
    summary = export_order(store, oid, root / "order.zip", config, now=NOW)
    yield {"root": root, "store": store, "order_id": oid, "config": config, "summary": summary, "zip": root / "order.zip"}
    store.close()


def rewrite(src: Path, dst: Path, *, change: dict | None = None, drop=(), add: dict | None = None) -> Path:
    """A copy of the zip with entries changed, dropped or added (what someone tampering would do)."""
    change, add = change or {}, add or {}
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            if info.filename in drop:
                continue
            data = zin.read(info)
            if info.filename in change:
                data = change[info.filename](data) if callable(change[info.filename]) else change[info.filename]
            zout.writestr(info.filename, data)
        for name, data in add.items():
            zout.writestr(name, data)
    return dst


def codes(report) -> list[tuple[str, str | None]]:
    return [(p["code"], p.get("path")) for p in report["problems"]]


def read(zip_path: Path, name: str) -> bytes:
    with zipfile.ZipFile(zip_path) as z:
        return z.read(name)


def test_package_layout_and_manifest(exported):
    s = exported["summary"]
    assert s["timestamp"]["status"] == "ok" and s["timestamp"]["tsa"] == f"CN={DEMO_TSA_NAME} demo TSA"
    names = set(zipfile.ZipFile(exported["zip"]).namelist())
    assert {"manifest.json", "manifest.tsr", "tsa-chain.pem", "VERIFY.md", "SHA256SUMS", "report.pdf"} <= names
    assert "captures/001-order-2026-11-27T11-20/stamped.png" in names
    assert "captures/001-order-2026-11-27T11-20/page.mhtml" in names
    assert "captures/002-chat-2026-11-27T13-05/stamped.png" in names
    assert {f"drafts/{c}.txt" for c in ("platform", "12315", "heimao", "payment", "police", "court")} <= names
    manifest = json.loads(read(exported["zip"], "manifest.json"))
    files = {f["path"]: f for f in manifest["files"]}
    assert set(files) == names - {"manifest.json", "manifest.tsr", "tsa-chain.pem", "VERIFY.md", "SHA256SUMS"}
    for path, rec in files.items():
        data = read(exported["zip"], path)
        assert rec["sha256"] == hashlib.sha256(data).hexdigest() and rec["size"] == len(data)
    # Stored evidence goes out byte for byte.
    store = exported["store"]
    for cap in store.list_captures(order_id=exported["order_id"]):
        for a in cap["artifacts"]:
            rec = next(r for r in manifest["files"] if r.get("capture_id") == cap["id"] and r["name"] == a["name"])
            assert rec["sha256"] == a["sha256"]
    assert [c["id"] for c in manifest["captures"]] == [1, 2]
    assert [e["type"] for e in manifest["events"]] == ["order.created", "capture.stored", "capture.stored", "action.recorded"]
    assert manifest["chain_head"] == {"seq": 4, "hash": manifest["events"][-1]["hash"]}
    assert manifest["environment"][0]["meta"]["environment"]["server_ip"] == "127.0.0.1"
    assert s["manifest_sha256"] == hashlib.sha256(read(exported["zip"], "manifest.json")).hexdigest()
    # Where the order stands on the escalation path (helper/escalation), as of the export.
    assert manifest["escalation"]["stage"] == "platform_complaint"


def test_standard_tools_verify_the_package(exported, tmp_path):
    with zipfile.ZipFile(exported["zip"]) as z:
        z.extractall(tmp_path)
    sums = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=tmp_path, capture_output=True, text=True)
    assert sums.returncode == 0, sums.stdout + sums.stderr
    assert sums.stdout.count(": OK") == len(zipfile.ZipFile(exported["zip"]).namelist()) - 1
    ts = subprocess.run(["openssl", "ts", "-verify", "-data", "manifest.json", "-in", "manifest.tsr", "-CAfile", "tsa-chain.pem"],
                        cwd=tmp_path, capture_output=True, text=True)
    assert "Verification: OK" in ts.stdout, ts.stderr
    verify_md = (tmp_path / "VERIFY.md").read_text("utf-8")
    assert "sha256sum -c SHA256SUMS" in verify_md
    assert "openssl ts -verify -data manifest.json -in manifest.tsr -CAfile tsa-chain.pem" in verify_md
    assert "时间戳 / Timestamp: 有 (yes)" in verify_md and DEMO_TSA_NAME in verify_md
    assert "proves nothing by itself" in verify_md  # the shipped root is not a reason to trust the time
    assert exported["summary"]["manifest_sha256"] in verify_md


def test_verify_package_ok_and_export_is_chained(exported):
    report = verify_package(exported["zip"])
    assert report["ok"], report["problems"]
    assert report["timestamp"]["ok"] and report["timestamp"]["present"]
    assert report["timestamp"]["signature_ok"] and not report["timestamp"]["trusted"]
    assert not report["trusted"] and report["exit_code"] == 3
    store = exported["store"]
    event = store.events(order_id=exported["order_id"])[-1]
    assert event["type"] == "export.made"
    assert event["data"]["sha256"] == hashlib.sha256(exported["zip"].read_bytes()).hexdigest()
    assert event["data"]["timestamp"] == "ok"
    assert verify_store(store)["ok"]


@pytest.mark.parametrize("what", ["file_changed", "file_missing", "extra_file", "manifest_altered", "token_altered",
                                  "token_swapped", "manifest_and_sums_altered", "chain_event_edited"])
def test_tampering_is_named(exported, tmp_path, what):
    z = exported["zip"]
    shot = "captures/001-order-2026-11-27T11-20/stamped.png"
    if what == "file_changed":
        r = verify_package(rewrite(z, tmp_path / "t.zip", change={shot: lambda d: d[:-1] + bytes([d[-1] ^ 1])}))
        assert ("file_changed", shot) in codes(r)
        assert any("stamped.png 被改动 / was changed" in p["message"] for p in r["problems"])
    elif what == "file_missing":
        r = verify_package(rewrite(z, tmp_path / "t.zip", drop=["drafts/court.txt"]))
        assert ("file_missing", "drafts/court.txt") in codes(r)
    elif what == "extra_file":
        r = verify_package(rewrite(z, tmp_path / "t.zip", add={"captures/001-order-2026-11-27T11-20/fake.png": b"x"}))
        assert codes(r) == [("extra_file", "captures/001-order-2026-11-27T11-20/fake.png")]
    elif what == "manifest_altered":
        r = verify_package(rewrite(z, tmp_path / "t.zip", change={
            "manifest.json": lambda d: d.replace("98.50".encode(), "9.50".encode(), 1)}))
        assert ("manifest_altered", "manifest.json") in codes(r)
        assert not r["timestamp"]["ok"]
    elif what == "token_altered":
        def flip(d):
            i = d.index(bytes.fromhex(exported["summary"]["manifest_sha256"])) + 5
            return d[:i] + bytes([d[i] ^ 1]) + d[i + 1:]
        r = verify_package(rewrite(z, tmp_path / "t.zip", change={"manifest.tsr": flip}))
        assert ("token_altered", "manifest.tsr") in codes(r)
        assert any(c in ("token_invalid", "token_unreadable", "token_not_for_manifest") for c, _ in codes(r))
    elif what == "token_swapped":
        # A valid token of another package of the same order, with SHA256SUMS updated to match.
        other = export_order(exported["store"], exported["order_id"], tmp_path / "other.zip", exported["config"], now=NOW,
                             pdf=False)  # its report is not the subject
        token = read(Path(other["path"]), "manifest.tsr")
        sums = read(z, "SHA256SUMS").decode().replace(hashlib.sha256(read(z, "manifest.tsr")).hexdigest(),
                                                     hashlib.sha256(token).hexdigest())
        r = verify_package(rewrite(z, tmp_path / "t.zip", change={"manifest.tsr": token, "SHA256SUMS": sums.encode()}))
        assert codes(r) == [("token_not_for_manifest", "manifest.tsr")]
    elif what == "manifest_and_sums_altered":
        manifest = read(z, "manifest.json")
        new = manifest.replace("星辰卡铺".encode(), "别的卡铺".encode())
        sums = read(z, "SHA256SUMS").decode().replace(hashlib.sha256(manifest).hexdigest(), hashlib.sha256(new).hexdigest())
        r = verify_package(rewrite(z, tmp_path / "t.zip", change={"manifest.json": new, "SHA256SUMS": sums.encode()}))
        assert ("token_not_for_manifest", "manifest.tsr") in codes(r)
    elif what == "chain_event_edited":
        m = json.loads(read(z, "manifest.json"))
        m["events"][1]["data"]["artifacts"][0]["sha256"] = "0" * 64
        r = verify_package(rewrite(z, tmp_path / "t.zip", change={
            "manifest.json": json.dumps(m, ensure_ascii=False, indent=1, sort_keys=True).encode()}))
        messages = " ".join(p["message"] for p in r["problems"])
        assert "chain event 2 (capture.stored) no longer matches its hash" in messages
    assert not r["ok"]


def test_unreadable_package(tmp_path):
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"PK\x03\x04 not really")
    assert codes(verify_package(bad)) == [("package_unreadable", None)]
    with pytest.raises(PackageError, match="no such package"):
        verify_package(tmp_path / "none.zip")


def test_tsa_unreachable_still_exports(tmp_path):
    store, oid = make_order(tmp_path / "data")
    try:
        config = Config(data_dir=tmp_path / "data", tsa_url="http://127.0.0.1:9/")
        s = export_order(store, oid, tmp_path / "p.zip", config, now=NOW, pdf=False)
    finally:
        store.close()
    assert s["timestamp"]["status"] == "none" and "cannot reach the TSA" in s["timestamp"]["reason"]
    names = zipfile.ZipFile(s["path"]).namelist()
    assert "manifest.tsr" not in names
    assert "时间戳 / Timestamp: 无 (none)" in read(Path(s["path"]), "VERIFY.md").decode()
    r = verify_package(s["path"])
    assert r["ok"] and not r["timestamp"]["present"] and "no timestamp" in r["timestamp"]["message"]
    assert r["exit_code"] == 3  # intact, but the time is proven by nobody
    # Removing the token from a timestamped package is not "no timestamp": SHA256SUMS names it.


def test_never_overwrites_and_leaves_nothing_half_written(exported, tmp_path):
    target = tmp_path / "exists.zip"
    target.write_bytes(b"earlier package")
    with pytest.raises(PackageError, match="never overwritten"):
        export_order(exported["store"], exported["order_id"], target, exported["config"], now=NOW, pdf=False)
    assert target.read_bytes() == b"earlier package"
    with pytest.raises(PackageError, match="does not exist"):
        export_order(exported["store"], exported["order_id"], tmp_path / "no" / "p.zip", exported["config"], now=NOW, pdf=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exists.zip"]


def test_unknown_order_exports_nothing(exported, tmp_path):
    from helper.core.errors import NotFound

    with pytest.raises(NotFound):
        export_order(exported["store"], 999, tmp_path / "p.zip", exported["config"], now=NOW, pdf=False)
    with pytest.raises(PackageError, match="unknown claim"):
        export_order(exported["store"], exported["order_id"], tmp_path / "p.zip", exported["config"], now=NOW, claim="x")
    assert list(tmp_path.iterdir()) == []


def test_tampered_store_is_not_exported(tmp_path):
    store, oid = make_order(tmp_path / "data", with_chat=False)
    try:
        art = store.list_captures(order_id=oid)[0]["artifacts"][0]
        path = store.artifact_path(art)
        path.chmod(0o644)
        path.write_bytes(b"swapped")
        with pytest.raises(EvidenceTampered, match="no longer matches"):
            export_order(store, oid, tmp_path / "p.zip", Config(data_dir=tmp_path / "data"), now=NOW, pdf=False)
    finally:
        store.close()
    assert not (tmp_path / "p.zip").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["data"]


def test_redacted_copy(tmp_path):
    store, oid = make_order(tmp_path / "data")
    try:
        s = export_order(store, oid, tmp_path / "r.zip", Config(data_dir=tmp_path / "data"), now=NOW, redact=True, pdf=False)
        originals = {a["name"]: store.artifact_path(a).read_bytes() for a in store.list_captures(order_id=oid)[0]["artifacts"]}
        assert verify_store(store)["ok"]  # the store's originals untouched
    finally:
        store.close()
    z = Path(s["path"])
    folder = "captures/001-order-2026-11-27T11-20"
    text = read(z, f"{folder}/text.txt").decode()
    assert "buyer2026@qq.com" not in text and "1234567890" not in text and "13800138000" not in text
    assert "TXVIP-7QK2-M8ZD-4HNA-31XP" not in text
    assert "[已遮盖邮箱]" in text and "[已遮盖QQ]" in text and "[已遮盖手机号]" in text and "[已遮盖卡密]" in text
    assert "D8K2M4Q7X1N5R9T3" in text  # the order number is evidence, not personal data
    mhtml = read(z, f"{folder}/page.mhtml")
    import email
    html = next(p for p in email.message_from_bytes(mhtml).walk() if p.get_content_type() == "text/html")
    body = html.get_payload(decode=True).decode()
    assert "buyer2026@qq.com" not in body and "TXVIP" not in body and "订单状态：处理中" in body
    assert read(z, f"{folder}/stamped.png") == originals["stamped.png"]  # images left as they are
    manifest = json.loads(read(z, "manifest.json"))
    rec = next(r for r in manifest["files"] if r["path"] == f"{folder}/text.txt")
    assert rec["redacted"] and rec["original_sha256"] == hashlib.sha256(originals["text.txt"]).hexdigest()
    assert manifest["redaction"]["images_unchanged"] >= 2
    assert "buyer2026@qq.com" not in read(z, "manifest.json").decode()
    assert "截图中只有文字识别（OCR）找到的此类文字区域被涂黑" in read(z, "VERIFY.md").decode()
    assert verify_package(z)["ok"]


def test_report_pdf_renders_in_chinese(exported, tmp_path):
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(read(exported["zip"], "report.pdf"))
    assert pdf.read_bytes()[:5] == b"%PDF-"
    if ARTIFACTS.exists():
        shutil.rmtree(ARTIFACTS)
    ARTIFACTS.mkdir(parents=True)
    subprocess.run(["pdftoppm", "-r", "70", "-png", str(pdf), str(ARTIFACTS / "report-page")], check=True)
    pages = sorted(ARTIFACTS.glob("report-page-*.png"))
    assert len(pages) >= 2
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for needle in ("证据报告", "D8K2M4Q7X1N5R9T3", "事实经过", "sha256sum -c SHA256SUMS", "星辰卡铺", "维权进度"):
        assert needle in text, needle
    shot = next(a for c in exported["store"].list_captures(order_id=exported["order_id"]) for a in c["artifacts"]
                if a["name"] == "stamped.png")
    assert shot["sha256"][:40] in text.replace("\n", "").replace(" ", "")


def test_cli_export_and_verify_package(tmp_path, tsa):
    store, oid = make_order(tmp_path / "data")
    store.close()
    out = tmp_path / "cli.zip"
    proc = run_witness("export", str(oid), "--out", str(out), "--tsa-url", "http://127.0.0.1:9/", data_dir=tmp_path / "data")
    assert proc.returncode == 0, proc.stderr
    assert "无时间戳 / no timestamp" in proc.stdout
    again = run_witness("export", str(oid), "--out", str(out), data_dir=tmp_path / "data")
    assert again.returncode == 2 and "never overwritten" in again.stderr
    ok = run_witness("verify-package", str(out), "--json")
    assert ok.returncode == 3 and json.loads(ok.stdout)["ok"]  # intact, no timestamp
    bad = rewrite(out, tmp_path / "bad.zip", drop=["drafts/police.txt"])
    r = run_witness("verify-package", str(bad))
    assert r.returncode == 1 and "[file_missing] drafts/police.txt" in r.stdout
    assert run_witness("verify-package", str(tmp_path / "nothing.zip")).returncode == 2


async def test_api_export(client, auth, config):
    store, oid = make_order(config.data_dir)
    store.close()
    r = await client.post(f"/api/orders/{oid}/export", json={"name": "api.zip", "claim": "perform"}, headers=auth)
    assert r.status == 200, await r.text()
    body = await r.json()
    assert Path(body["path"]) == config.data_dir / "exports" / "api.zip"
    assert not body["redacted"] and body["timestamp"]["status"] == "none"
    # The report was printed in the helper's own browser, in a context closed afterwards; the next export uses it again.
    browser = client.app[CAPTURER]._browser
    assert browser is not None and browser.is_connected() and browser.contexts == []
    with zipfile.ZipFile(body["path"]) as zf:
        assert zf.read("report.pdf").startswith(b"%PDF-")
    r = await client.post(f"/api/orders/{oid}/export", json={"name": "api2.zip"}, headers=auth)
    assert r.status == 200 and client.app[CAPTURER]._browser is browser and browser.contexts == []
    r = await client.post(f"/api/orders/{oid}/export", json={"name": "api.zip"}, headers=auth)
    assert r.status == 400 and "never overwritten" in (await r.json())["error"]["message"]
    r = await client.post(f"/api/orders/{oid}/export", json={"name": "../evil.zip"}, headers=auth)
    assert r.status == 400


def test_redaction_paints_over_what_ocr_found_in_screenshots(tmp_path):
    """A redacted export OCRs screenshots not read yet, and paints the lines holding keys or personal data
    black (page.png and the stamped copy of the same width); the original in the store is unchanged."""
    from ocr import recognise
    from packagedata import png

    store, oid = make_order(tmp_path / "data", with_chat=False, with_actions=False)
    try:
        lines = ["订单状态：处理中", "客服QQ：1234567890", "下单邮箱：buyer2026@qq.com", "实际支付价格：98.50"]
        cap = store.add_capture(kind="order", source="tab", order_id=oid, captured_at=NOW,
                                files={"page.png": png(lines), "stamped.png": png(lines, size=(760, 480))})
        assert store.ocr_of(cap["id"]) == []  # not read yet: the redacted export reads it first
        s = export_order(store, oid, tmp_path / "r.zip", Config(data_dir=tmp_path / "data"), now=NOW, redact=True, pdf=False)
        assert store.ocr_of(cap["id"])[0]["status"] == "done"
        original = store.artifact_path(next(a for a in cap["artifacts"] if a["name"] == "page.png")).read_bytes()
    finally:
        store.close()
    folder = f"captures/{cap['id']:03d}-order-2026-11-27T14-00"
    page = read(Path(s["path"]), f"{folder}/page.png")
    assert page != original
    text = recognise(page).text.replace(" ", "")
    assert "1234567890" not in text and "buyer2026" not in text
    assert "处理中" in text and "98.50" in text
    manifest = json.loads(read(Path(s["path"]), "manifest.json"))
    rec = next(r for r in manifest["files"] if r["path"] == f"{folder}/page.png")
    assert rec["redacted"] and rec["redacted_regions"] == 2
    assert rec["original_sha256"] == hashlib.sha256(original).hexdigest()
    assert manifest["redaction"]["images_boxed"] >= 1
    assert s["redaction"]["image_regions"] >= 2


def test_cli_trust_only_through_a_pinned_root(exported, tsa, tmp_path):
    """A package stamped by the local TSA: signature OK but TSA not trusted (exit 3) without --ca; trusted (exit 0)
    with --ca or with trusted_tsa_roots in config; another root pinned: still not trusted."""
    z = str(exported["zip"])
    r = run_witness("verify-package", z, data_dir=tmp_path / "none")
    assert r.returncode == 3, r.stdout + r.stderr
    assert "token signature and hash match: ✓" in r.stdout and "TSA trusted: ✗" in r.stdout
    assert DEMO_TSA_NAME in r.stdout
    r = run_witness("verify-package", z, "--ca", str(tsa.ca_path), data_dir=tmp_path / "none")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "TSA trusted: ✓" in r.stdout
    cfg = tmp_path / "cfg"
    cfg.mkdir()
    (cfg / "config.json").write_text(json.dumps({"trusted_tsa_roots": [str(tsa.ca_path)]}))
    assert run_witness("verify-package", z, data_dir=cfg).returncode == 0
    with LocalTSA() as other:
        r = run_witness("verify-package", z, "--ca", str(other.ca_path), "--json", data_dir=tmp_path / "none")
    body = json.loads(r.stdout)
    assert r.returncode == 3 and body["timestamp"]["signature_ok"] and body["timestamp"]["trust_reason"] == "not_pinned_tsa"
    r = run_witness("verify-package", z, "--ca", str(tmp_path / "missing.pem"), data_dir=tmp_path / "none")
    assert r.returncode == 2 and "missing.pem" in r.stderr


def test_export_reports_progress_step_by_step(tmp_path):
    store, oid = make_order(tmp_path / "data")
    seen = []
    try:
        export_order(store, oid, tmp_path / "p.zip", Config(data_dir=tmp_path / "data"), now=NOW, pdf=False,
                     progress=lambda label, done, total: seen.append((label, done, total)))
    finally:
        store.close()
    total = seen[0][2]
    assert [d for _, d, _ in seen] == list(range(total + 1)) and all(t == total for _, _, t in seen)
    assert [label for label, _, _ in seen[-4:]] == ["投诉草稿 / drafts", "时间戳 / timestamp", "写入 zip / writing the zip",
                                                    "完成 / done"]
