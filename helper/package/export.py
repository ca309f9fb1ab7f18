"""`witness export`: one self-contained, independently verifiable evidence package (a zip) for one order.

Layout:
    captures/003-order-2026-11-27T10-05/stamped.png …   every artifact of the order's captures
    drafts/platform.txt …                                 complaint drafts for every channel
    report.pdf                                            summary, timeline, screenshots with hashes
    manifest.json                                         every file above with sha256 + size, capture records,
                                                          this order's chain events and the chain head,
                                                          environment records
    manifest.tsr, tsa-chain.pem                           RFC 3161 token over manifest.json (when a TSA answered)
    VERIFY.md                                             how to check it with standard tools; timestamp status
    SHA256SUMS                                            every file except itself (`sha256sum -c SHA256SUMS`)

The zip is written to a temp file beside the target and linked into place: an existing file is never
overwritten (evidence is not replaced), and a failed export leaves nothing behind. The export is then
recorded as an `export.made` chain event with the package's sha256.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import secrets
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives.serialization import Encoding

from .. import __version__
from ..core import clock
from ..escalation import actions_of
from ..escalation.rules import place
from ..core.errors import EvidenceTampered, PackageError, TimestampError
from ..store import blobs
from . import drafts as drafts_mod
from . import report_images
from .layout import FORMAT, OUTER_FILES, artifact_path, best_image
from .redact import redact_file, redact_image, redact_text, sensitive_boxes
from .report import html_to_pdf, report_html
from .tsa import fingerprint, load_pem_certs, request_timestamp

log = logging.getLogger(__name__)

STORED_EXT = (".png", ".jpg", ".jpeg", ".webp", ".pdf", ".zip")


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read_checked(store, art: dict, capture_id: int) -> bytes:
    """One evidence file whole (for redaction, one at a time), checked like `_checked_path`."""
    path = _checked_path(store, art, capture_id)
    data = path.read_bytes()
    if _sha(data) != art["sha256"]:
        raise EvidenceTampered(f"capture {capture_id}: {art['name']} no longer matches its recorded sha256; "
                               "run `witness verify` — a changed file is never exported as evidence")
    return data


def ocr_missing_screenshots(store, order_id: int, progress=None) -> int:
    """Before a redacted export: read the screenshots OCR has not read yet (the background reader may not
    have reached them), so their personal data can be painted over. Failures only leave an image unboxed.
    `progress(label, done, total)` is told after each screenshot."""
    if not hasattr(store, "ocr_of"):
        return 0
    try:
        from ..orders.ocr_jobs import image_to_read, read_capture
    except ImportError:
        return 0
    done = 0
    todo = [c for c in store.list_captures(order_id=order_id) if image_to_read(c) is not None and not store.ocr_of(c["id"])]
    for i, c in enumerate(todo):
        try:
            read_capture(store, c["id"])
            done += 1
        except Exception:  # noqa: BLE001 - an OCR engine problem must not stop the export
            log.warning("OCR before redaction failed for capture %s", c["id"], exc_info=True)
        if progress is not None:
            progress("遮盖前识别截图 / OCR for redaction", i + 1, len(todo))
    return done


def _ocr_boxes(store, capture: dict) -> dict[str, tuple]:
    """{artifact name: (image width, boxes of OCR lines holding personal data or keys)} from the OCR rows the
    helper stored for this capture."""
    rows = store.ocr_of(capture["id"]) if hasattr(store, "ocr_of") else []
    out = {}
    for r in rows:
        if r.get("status") != "done" or not r.get("result"):
            continue
        art = next((a for a in capture["artifacts"] if a["name"] == r["artifact"]), None)
        size = _image_size(store.artifact_path(art).read_bytes()) if art else None
        out[r["artifact"]] = (size[0] if size else None, sensitive_boxes(r["result"].get("lines") or []))
    return out


def _image_size(data: bytes) -> tuple[int, int] | None:
    import io

    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as im:
            return im.size
    except (UnidentifiedImageError, OSError):
        return None


def _image_boxes(by_name: dict[str, tuple], name: str, data: bytes) -> list:
    """Boxes for this image: its own OCR, else those of an OCR'd image of the same width in the same capture
    (stamped.png is page.png with a stamp strip added below, so page.png's boxes fit it)."""
    if name in by_name:
        return by_name[name][1]
    size = _image_size(data)
    for width, boxes in by_name.values():
        if boxes and size and width == size[0]:
            return boxes
    return []


def environment_records(captures: list[dict]) -> list[dict]:
    """Provenance per capture: the capture's meta (URL, server IP, TLS, headers, clean-machine checks)."""
    return [{"capture_id": c["id"], "captured_at": c["captured_at"], "url": c.get("url"), "meta": c.get("meta") or {}}
            for c in captures]


_MD_MARKUP = re.compile(r"([\\`*_{}\[\]()<>#+!|~])")


def _md(value) -> str:
    """A value from a shop's page or a TSA's certificate as literal markdown text: one line, markup escaped (a
    shop name like `[核验入口](http://…)` or `<img …>` would otherwise render as a link or HTML in VERIFY.md)."""
    return _MD_MARKUP.sub(r"\\\1", " ".join(str(value or "").split()))


def _code(value) -> str:
    """A value inside a `code span`: one line, no backtick to end the span early."""
    return " ".join(str(value or "").split()).replace("`", "'")


def verify_md(*, order: dict, manifest_sha: str, stamp: dict, redacted: bool, chain_head: dict | None) -> str:
    if stamp.get("status") == "ok":
        ts = (f"**时间戳 / Timestamp: 有 (yes).** RFC 3161 令牌 `manifest.tsr`，由 `{_code(stamp['tsa'])}` 于 "
              f"{_md(stamp['gen_time'])}（UTC）签发，对象是 manifest.json 的 SHA-256 `{manifest_sha}`。"
              f"时间戳机构 / TSA: {_md(stamp['url'])}。根证书 SHA-256 指纹 / root fingerprint(s): "
              f"{_md(', '.join(stamp.get('roots') or [])) or '（包内无根证书 / none in the package）'}。\n\n"
              "令牌签名与哈希相符只说明令牌未被改动、确实针对本 manifest.json；时间是否可信取决于签发机构："
              "任何人都能自建时间戳机构，所以包内附带的根证书不能证明可信，只有你自己信任的机构的根证书"
              "（`witness verify-package --ca 根证书.pem`）才能证明。\n"
              "A token whose signature and hash match shows it is intact and over this manifest.json; whether its time "
              "can be trusted depends on who issued it. Anyone can run a TSA, so the root shipped in this package "
              "proves nothing by itself: check against a root you trust (`witness verify-package --ca ROOT.pem`).")
    else:
        ts = ("**时间戳 / Timestamp: 无 (none).** 本证据包没有 RFC 3161 时间戳"
              f"（{stamp.get('reason_zh') or '未配置时间戳服务器'} / {stamp.get('reason') or 'no TSA configured'}）。"
              "文件完整性仍可用下面的 SHA-256 校验；若需要可信时间，联网后重新导出，或把 manifest.json 提交给"
              "可信时间戳机构 / 电子存证平台。")
    red = ""
    if redacted:
        red = ("\n> 本包为**遮盖版**：文字类文件（页面文字、HTML、MHTML、JSON、投诉草稿、报告）中的卡密、邮箱、QQ、手机号已遮盖；"
               "截图中只有文字识别（OCR）找到的此类文字区域被涂黑，OCR 未识别出的内容（截图图片未遮盖部分）仍可见，请人工检查。"
               "遮盖后的文件与证据库原件哈希不同；原件哈希见 manifest.json 中的 `original_sha256` 和哈希链记录。\n"
               "> This is a **redacted** copy: card keys and personal data are masked in text files; in screenshots only "
               "the text regions OCR found are painted black, anything OCR missed stays visible. "
               "Original hashes are in manifest.json (`original_sha256`) and in the chain events.\n")
    head = f"#{chain_head['seq']} `{chain_head['hash']}`" if chain_head else "—"
    return f"""# 如何校验本证据包 / How to verify this evidence package

订单 / Order: `{_code(order.get('order_no'))}` · 店铺 / Shop: {_md(order.get('shop_name'))} {_md(order.get('shop_host'))}
manifest.json SHA-256: `{manifest_sha}` · 哈希链链头 / chain head: {head}

{ts}
{red}
## 1. 文件完整性 / File integrity

在解压后的目录中 / in the unpacked folder:

    sha256sum -c SHA256SUMS

每行都应为 `OK`。SHA256SUMS 覆盖除它自己以外的所有文件；manifest.json 另外列出每个证据文件的 SHA-256 和大小。
Every line must say `OK`. (macOS: `shasum -a 256 -c SHA256SUMS`; Windows: `certutil -hashfile FILE SHA256`.)

## 2. 时间戳 / Timestamp (when `manifest.tsr` is present)

    openssl ts -verify -data manifest.json -in manifest.tsr -CAfile tsa-chain.pem

或只用哈希 / or with the digest only:

    openssl ts -verify -digest {manifest_sha} -in manifest.tsr -CAfile tsa-chain.pem

应显示 `Verification: OK`。查看令牌中的时间 / show the time in the token:

    openssl ts -reply -in manifest.tsr -text

时间戳证明 manifest.json 在令牌时间已经存在且未被改动；manifest.json 含有每个文件的 SHA-256，因此所有文件同样如此。
`tsa-chain.pem` 中的根证书应与时间戳机构公布的根证书核对（指纹见上）；用 `-CAfile 你信任的根证书.pem` 代替
`tsa-chain.pem` 才证明签发机构可信。
The token proves manifest.json (and through its hashes every file) existed unchanged at the token's time, as
far as you trust its TSA: check the root in tsa-chain.pem against the one the TSA publishes, or give
`-CAfile` a root you trust instead of tsa-chain.pem.

## 3. 哈希链 / Hash chain

manifest.json 的 `events` 是证据库中与本订单有关的链式记录：
`hash = sha256(canonical_json({{seq, at, type, order_id, capture_id, data, prev_hash}}))`，
canonical JSON = 键排序、无多余空格、UTF-8（Python: `json.dumps(x, sort_keys=True, separators=(",", ":"), ensure_ascii=False)`）。
每个 `capture.stored` 记录列出该次取证各文件的 SHA-256，可与 captures/ 中的文件对照。

## 4. 一步校验 / One step

安装订单证人后 / with order-witness installed:

    witness verify-package 本文件.zip

逐项报告：文件被改、缺失、多出文件、manifest 被改、时间戳令牌被改或不是对本 manifest 签发。
"""


def export_order(store, order_id: int, out_path, config, *, now: datetime | None = None, redact: bool = False,
                 claim: str = "refund", tsa_url: str | None = None, tsa_ca: str | None = None, pdf: bool = True,
                 progress=None, printer=None) -> dict:
    """Build the package for `order_id` at `out_path` (must not exist). Returns a summary dict.
    `progress(label, done, total)` is told at each step (each evidence file, drafts, PDF, timestamp, zip).
    `printer(html_path, out)` prints the report with a browser the caller already runs (the helper's); without
    it the report is printed by a Chromium started for it (html_to_pdf).

    A TSA (config.tsa_url, or `tsa_url`) is asked for a timestamp over manifest.json; when it is not
    configured or fails, the package is still built and says it has no trusted timestamp.
    """
    now = now or clock.utcnow()
    out = Path(out_path)
    _check_target(out, claim)
    tsa_url = tsa_url or getattr(config, "tsa_url", None)
    tsa_ca = tsa_ca or getattr(config, "tsa_ca", None)

    order = store.get_order(order_id)
    if redact:
        ocr_missing_screenshots(store, order_id, progress)
    captures = store.list_captures(order_id=order_id)
    step = _Steps(progress, sum(len(c["artifacts"]) for c in captures) + 3 + bool(pdf))
    messages = store.messages(order_id=order_id)
    order_events = store.events(order_id=order_id)
    actions = actions_of(store, order_id)  # withdrawn actions are left out
    chain_head = store.head()
    escalation = place(order, actions, now, platform_window=timedelta(days=float(getattr(config, "platform_window_days", 3.0))))
    escalation = escalation.to_json(now)
    text = (lambda s: redact_text(s)[0]) if redact else (lambda s: s)

    with tempfile.TemporaryDirectory(prefix=".export-", dir=store.data_dir) as work_dir:
        work = Path(work_dir)  # redacted copies and the report's own folder (same file system: hard links)
        contents = _Contents()
        redaction = _add_evidence_files(store, captures, contents, work, redact=redact, step=step)
        _add_drafts(store, order_id, contents, claim=claim, now=now, text=text, step=step)
        if pdf:
            step("PDF 报告 / PDF report")
            page = dict(order=order, captures=captures, messages=messages, actions=actions, events=order_events,
                        chain_head=chain_head, now=now, redacted=redact, text_filter=text, escalation=escalation,
                        manifest_note=("导出时已请求 RFC 3161 时间戳，结果见 VERIFY.md。" if tsa_url else "导出时未配置时间戳服务器。"))
            chromium = getattr(config, "chromium", None)
            _add_report(store, captures, contents, work, page,
                        printer=printer or (lambda html, pdf_out: html_to_pdf(html, chromium=chromium, out=pdf_out)))
        contents.finish()
        summary = _package(store, out, now=now, order=order, order_id=order_id, captures=captures, messages=messages,
                           order_events=order_events, chain_head=chain_head, escalation=escalation, claim=claim,
                           redact=redact, redaction=redaction, text=text, tsa_url=tsa_url, tsa_ca=tsa_ca,
                           entries=contents.entries, digests=contents.digests, file_records=contents.records, step=step)
    step.finished()
    event = store.append_event("export.made", {k: summary[k] for k in ("path", "sha256", "size", "files", "manifest_sha256",
                                                                        "redacted")}
                               | {"timestamp": summary["timestamp"]["status"],
                                  "tsa_gen_time": summary["timestamp"].get("gen_time")}, order_id=order_id)
    summary["event"] = {"seq": event["seq"], "hash": event["hash"]}
    return summary


def _check_target(out: Path, claim: str) -> None:
    if out.exists():
        raise PackageError(f"{out} 已存在，证据包不会被覆盖 / already exists; an evidence package is never overwritten")
    if not out.parent.is_dir():
        raise PackageError(f"folder {out.parent} does not exist")
    if claim not in drafts_mod.CLAIMS:
        raise PackageError(f"unknown claim {claim!r}; one of {', '.join(drafts_mod.CLAIMS)}")


class _Steps:
    """The export's progress: calling it says which step starts now (the one before it is done)."""

    def __init__(self, progress, total: int):
        self.progress, self.total, self.done = progress, total, 0

    def __call__(self, label: str) -> None:
        if self.progress is not None:
            self.progress(label, self.done, self.total)
        self.done += 1

    def finished(self) -> None:
        if self.progress is not None:
            self.progress("完成 / done", self.total, self.total)


@dataclass
class _Contents:
    """What the package holds besides its outer files: path -> bytes or a file (streamed into the zip), path ->
    (sha256, size), and the manifest's file records in order."""
    entries: dict[str, bytes | Path] = field(default_factory=dict)
    digests: dict[str, tuple[str, int]] = field(default_factory=dict)
    records: list[dict] = field(default_factory=list)

    def finish(self) -> None:
        """Hash what was added as bytes, and give every record its sha256 and size."""
        for rec in self.records:
            if rec["path"] not in self.digests:
                data = self.entries[rec["path"]]
                self.digests[rec["path"]] = (_sha(data), len(data))
            rec["sha256"], rec["size"] = self.digests[rec["path"]]


def _add_evidence_files(store, captures: list, contents: _Contents, work: Path, *, redact: bool, step) -> dict:
    """Every artifact of the order's captures, re-hashed against the store's record (streamed; never held whole),
    or its redacted copy. Returns the redaction summary for the manifest."""
    redaction = {"applied": redact, "replacements": 0, "images_unchanged": 0, "images_boxed": 0, "image_regions": 0,
                 "images_note": "screenshots: only text regions found by OCR are painted black; anything OCR missed stays visible"}
    ocr_boxes = {c["id"]: _ocr_boxes(store, c) for c in captures} if redact else {}
    for c in captures:
        for a in c["artifacts"]:
            step("证据文件 / evidence files" + (" (遮盖 / redacting)" if redact else ""))
            rec = {"path": artifact_path(c, a), "capture_id": c["id"], "name": a["name"], "media_type": a["media_type"]}
            if not redact:
                contents.entries[rec["path"]] = _checked_path(store, a, c["id"])
                contents.digests[rec["path"]] = (a["sha256"], a["size"])
            else:
                data = _redacted(_read_checked(store, a, c["id"]), a, rec, ocr_boxes.get(c["id"], {}), redaction)
                contents.entries[rec["path"]] = _spill(work, rec, data)
                contents.digests[rec["path"]] = (_sha(data), len(data))
            contents.records.append(rec)
    return redaction


def _add_drafts(store, order_id: int, contents: _Contents, *, claim: str, now: datetime, text, step) -> None:
    """A complaint draft for every channel."""
    step("投诉草稿 / drafts")
    for ch, d in drafts_mod.drafts_for_store(store, order_id, claim=claim, now=now).items():
        path = f"drafts/{ch}.txt"
        contents.entries[path] = text(d.text).encode("utf-8")
        contents.records.append({"path": path, "media_type": "text/plain", "channel": ch})


def _add_report(store, captures: list, contents: _Contents, work: Path, page: dict, *, printer) -> None:
    """The PDF report, printed from its own folder, its screenshots within the report's pixel budget. `page`: what
    report_html is given besides the images."""
    report = work / "report"
    report.mkdir()
    image_src, image_sha, image_note = _report_images(store, captures, contents.records, contents.entries,
                                                      contents.digests, report)
    html_path = report / "report.html"
    html_path.write_text(report_html(**page, image_src=image_src, image_sha=image_sha, image_note=image_note), "utf-8")
    printer(html_path, work / "report.pdf")
    contents.entries["report.pdf"] = work / "report.pdf"
    contents.digests["report.pdf"] = blobs.hash_file(contents.entries["report.pdf"])
    contents.records.append({"path": "report.pdf", "media_type": "application/pdf"})


def _package(store, out: Path, *, now, order, order_id, captures, messages, order_events, chain_head, escalation, claim,
             redact, redaction, text, tsa_url, tsa_ca, entries, digests, file_records, step) -> dict:
    """Steps 4-6: manifest, timestamp, VERIFY.md and SHA256SUMS, the zip linked into place."""
    # 4. The manifest.
    cap_records = []
    for c in captures:
        cap_records.append({k: c.get(k) for k in ("id", "kind", "source", "url", "title", "captured_at", "order_id",
                                                  "message_count")}
                           | {"folder": artifact_path(c, {"name": ""}).rstrip("/"),
                              "artifacts": [{k: a[k] for k in ("name", "sha256", "size", "media_type")} for a in c["artifacts"]]})
    manifest = {
        "format": FORMAT,
        "generator": f"order-witness {__version__}",
        "created_at": clock.iso(now),
        "order": order,
        "claim": claim,
        "files": file_records,
        "captures": cap_records,
        "messages": [{k: m.get(k) for k in ("capture_id", "seq", "sender", "name", "time", "text")} for m in messages]
        if not redact else [{**{k: m.get(k) for k in ("capture_id", "seq", "sender", "name", "time")},
                             "text": text(m.get("text") or "")} for m in messages],
        "events": [{k: e[k] for k in ("seq", "at", "type", "order_id", "capture_id", "data", "prev_hash", "hash")}
                   for e in order_events],
        "chain_head": chain_head,
        "environment": environment_records(captures),
        "redaction": redaction,
        "escalation": escalation,
        "timestamp": {"requested_from": tsa_url, "token": "manifest.tsr", "chain": "tsa-chain.pem",
                      "covers": "sha256 of the bytes of this file (manifest.json)"},
    }
    if redact:
        manifest["order"] = json.loads(text(json.dumps(order, ensure_ascii=False)))
        manifest["environment"] = json.loads(text(json.dumps(manifest["environment"], ensure_ascii=False)))
        for ev in manifest["events"]:
            masked = json.loads(text(json.dumps(ev["data"], ensure_ascii=False)))
            if masked != ev["data"]:  # its hash can no longer be recomputed from the package: say so
                ev["data"], ev["data_redacted"] = masked, True
    manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
    manifest_sha = _sha(manifest_bytes)
    entries["manifest.json"] = manifest_bytes

    # 5. The trusted timestamp over manifest.json.
    step("时间戳 / timestamp")
    stamp: dict = {"status": "none", "url": tsa_url}
    if not tsa_url:
        stamp.update(reason="no TSA configured (config tsa_url / WITNESS_TSA_URL)", reason_zh="未配置时间戳服务器")
    else:
        try:
            s = request_timestamp(tsa_url, manifest_bytes)
            ca = Path(tsa_ca).read_bytes() if tsa_ca else b""
            embedded = load_pem_certs(s.certs_pem)
            chain = embedded + [c for c in load_pem_certs(ca) if c not in embedded]
            entries["manifest.tsr"] = s.token
            entries["tsa-chain.pem"] = b"".join(c.public_bytes(Encoding.PEM) for c in chain)
            stamp.update(status="ok", gen_time=s.gen_time, tsa=s.tsa, serial=s.serial, policy=s.policy,
                         roots=[fingerprint(c) for c in chain if c.issuer == c.subject])
        except (TimestampError, OSError) as e:
            stamp.update(reason=str(e), reason_zh="时间戳服务器不可用或请求失败")
    entries["VERIFY.md"] = verify_md(order=order, manifest_sha=manifest_sha, stamp=stamp, redacted=redact,
                                     chain_head=chain_head).encode("utf-8")
    for path in ("manifest.json", "manifest.tsr", "tsa-chain.pem", "VERIFY.md"):
        if path in entries:
            digests[path] = (_sha(entries[path]), len(entries[path]))
    entries["SHA256SUMS"] = "".join(f"{digests[path][0]}  {path}\n" for path in sorted(entries)).encode("utf-8")

    # 6. Write beside the target (files streamed from disk, re-checked as they are copied), then link into place.
    step("写入 zip / writing the zip")
    package_sha, package_size = _write_zip(out, entries, digests, now)
    return {
        "path": str(out),
        "sha256": package_sha,
        "size": package_size,
        "order_id": order_id,
        "order_no": order.get("order_no"),
        "files": len(entries),
        "evidence_files": sum(1 for r in file_records if "capture_id" in r),
        "captures": len(captures),
        "manifest_sha256": manifest_sha,
        "timestamp": {k: v for k, v in stamp.items() if k != "reason_zh"},
        "redacted": redact,
        "redaction": redaction,
        "chain_head": chain_head,
    }


def _write_zip(out: Path, entries: dict, digests: dict, now) -> tuple[str, int]:
    """The zip at a temp name beside `out`, then hard-linked into place (never over an existing file)."""
    tmp = out.with_name(f".{out.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    zdate = now.astimezone(clock.CHINA).timetuple()[:6]
    try:
        with zipfile.ZipFile(tmp, "x", allowZip64=True) as zf:
            for path in _order(entries):
                info = zipfile.ZipInfo(path, date_time=zdate)
                info.compress_type = zipfile.ZIP_STORED if path.lower().endswith(STORED_EXT) else zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                source = entries[path]
                if isinstance(source, bytes):
                    zf.writestr(info, source)
                else:
                    _copy_checked(zf, info, source, digests[path], path)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        package_sha, package_size = blobs.hash_file(tmp)
        try:
            os.link(tmp, out)
        except FileExistsError:
            raise PackageError(f"{out} 已存在，证据包不会被覆盖 / already exists; an evidence package is never overwritten") from None
        except OSError:  # file systems without hard links: rename, refused when the target exists on Windows
            if out.exists():
                raise PackageError(f"{out} already exists; an evidence package is never overwritten") from None
            os.rename(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return package_sha, package_size


def _copy_checked(zf: zipfile.ZipFile, info: zipfile.ZipInfo, source: Path, want: tuple[str, int], path: str) -> None:
    """Stream a file into the zip; it must still be the bytes the manifest lists."""
    digest, size = hashlib.sha256(), 0
    with open(source, "rb") as src, zf.open(info, "w", force_zip64=want[1] > 2**31) as dst:
        while chunk := src.read(blobs.CHUNK):
            digest.update(chunk)
            size += len(chunk)
            dst.write(chunk)
    if (digest.hexdigest(), size) != tuple(want):
        raise EvidenceTampered(f"{path} changed while the package was written; run `witness verify`")


def _checked_path(store, art: dict, capture_id: int) -> Path:
    """The stored file of an artifact after re-hashing it (streamed, no link followed, no special file read)."""
    path = store.artifact_path(art)
    try:
        got = blobs.hash_stored(store.evidence_dir, path, limit=art["size"])
    except FileNotFoundError:
        raise EvidenceTampered(f"capture {capture_id}: {art['name']} is missing ({path}); run `witness verify`") from None
    except OSError:
        raise EvidenceTampered(f"capture {capture_id}: {art['name']} is not a regular file ({path}); run `witness verify`") from None
    if got != (art["sha256"], art["size"]):
        raise EvidenceTampered(f"capture {capture_id}: {art['name']} no longer matches its recorded sha256; "
                               "run `witness verify` — a changed file is never exported as evidence")
    return path


def _redacted(data: bytes, art: dict, rec: dict, boxes_by_name: dict, redaction: dict) -> bytes:
    """One evidence file as the redacted package holds it (text masked, OCR-found image regions painted)."""
    new, n, how = redact_file(art["name"], data)
    redaction["replacements"] += n
    if how == "image-unchanged":
        boxes = _image_boxes(boxes_by_name, art["name"], data)
        if boxes:
            new = redact_image(data, boxes)
            redaction["image_regions"] += len(boxes)
            redaction["images_boxed"] += 1
            rec["redacted_regions"] = len(boxes)
        else:
            redaction["images_unchanged"] += 1
    if new != data:
        rec.update(redacted=True, original_sha256=art["sha256"], original_size=art["size"])
    return new


def _spill(work: Path, rec: dict, data: bytes) -> Path:
    """A redacted file goes to the work folder at once: the export never holds the case in memory."""
    path = work / f"{rec['capture_id']}-{rec['name']}"
    path.write_bytes(data)
    return path


def _report_images(store, captures, file_records, entries, digests, folder: Path) -> tuple[dict, dict, dict]:
    """{(capture id, name): URI} of each capture's screenshot placed in the report's folder (within the pixel
    budget of report_images), the hashes of redacted copies, and the notes for previews."""
    image_src, image_sha, image_note = {}, {}, {}
    shots = {(c["id"], best["name"]) for c in captures if (best := best_image(c)) is not None}
    budget = report_images.share(len(shots))
    for rec in file_records:
        key = (rec.get("capture_id"), rec.get("name"))
        if key not in shots:
            continue
        placed = folder / f"{key[0]}-{key[1]}"
        if rec.get("redacted"):  # show the redacted copy, with its own hash
            os.link(entries[rec["path"]], placed)
            image_sha[key] = digests[rec["path"]][0]
        else:
            blobs.place_copy(store.evidence_dir, entries[rec["path"]], placed)
        shown = report_images.for_report(placed, budget=budget, package_path=rec["path"])
        if shown.path is not None:
            image_src[key] = shown.path.as_uri()
        if shown.note:
            image_note[key] = shown.note
    return image_src, image_sha, image_note


def _order(entries: dict) -> list[str]:
    """Zip order: VERIFY.md first for people browsing the archive, then the rest as laid out."""
    first = [p for p in ("VERIFY.md", "report.pdf", "manifest.json", "manifest.tsr", "tsa-chain.pem", "SHA256SUMS")
             if p in entries]
    return first + sorted(p for p in entries if p not in first)
