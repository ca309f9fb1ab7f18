"""Package subcommands: draft, export, verify-package."""

from __future__ import annotations

import sys
from pathlib import Path

from helper.cli.common import examples, open_store, progress_bar
from helper.core.config import load_config


def register(sub) -> None:
    from helper.package.channels import CHANNELS, CLAIMS

    p = sub.add_parser("draft", help="生成投诉草稿 / write a complaint draft for one channel",
                       epilog=examples("witness draft 1 --channel 12315", "witness draft 1 --channel court --claim perform --out 起诉状.txt"))
    p.add_argument("order_id", type=int)
    p.add_argument("--channel", required=True, choices=list(CHANNELS), help="platform | 12315 | heimao | payment | police | court")
    p.add_argument("--claim", default="refund", choices=list(CLAIMS), help="refund (全额退款, default) or perform (强制履约)")
    p.add_argument("--out", help="write the text to this file instead of stdout")
    p.add_argument("--json", action="store_true", help="text and fields as JSON")
    p.set_defaults(func=cmd_draft)

    p = sub.add_parser("export", help="导出证据包 / export the order's evidence package (zip)",
                       epilog=examples("witness export 1 --out 订单证据.zip", "witness export 1 --out 遮盖版.zip --redact"))
    p.add_argument("order_id", type=int)
    p.add_argument("--out", required=True, help="PATH.zip (must not exist: packages are never overwritten)")
    p.add_argument("--redact", action="store_true", help="mask card keys, e-mail, QQ and phone numbers in the copies")
    p.add_argument("--claim", default="refund", choices=list(CLAIMS), help="refund (default) or perform, for the drafts")
    p.add_argument("--tsa-url", help="RFC 3161 TSA (default: config tsa_url / WITNESS_TSA_URL)")
    p.add_argument("--tsa-ca", help="PEM with the TSA's CA certificate(s) to include in tsa-chain.pem")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("verify-package", help="校验证据包 / check an exported package: hashes and timestamp",
                       epilog=examples("witness verify-package 订单证据.zip", "witness verify-package 订单证据.zip --ca tsa-root.pem") +
                       "\n\nexit: 0 intact and the TSA trusted through a root you pinned, 1 problems found, 2 usage,\n"
                       "      3 intact but the time not proven (no timestamp, or a TSA you have not pinned)")
    p.add_argument("path")
    p.add_argument("--ca", action="append", metavar="ROOT.pem",
                   help="a TSA root certificate you trust (repeatable; default: trusted_tsa_roots in config). "
                        "Without one the timestamp's signature is checked but its TSA is not trusted")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_verify_package)


def cmd_draft(args) -> int:
    from helper.core import clock
    from helper.cli import print_json
    from helper.package.drafts import drafts_for_store

    config, store = open_store(args)
    try:
        d = drafts_for_store(store, args.order_id, claim=args.claim, now=clock.utcnow(), channels=[args.channel])[args.channel]
    finally:
        store.close()
    if args.json:
        print_json(d.to_json())
    elif args.out:
        out = Path(args.out)
        if out.exists():
            print(f"witness: {out} exists; not overwritten", file=sys.stderr)
            return 2
        out.write_text(d.text, "utf-8")
        print(f"草稿已写入 / draft written: {out}")
    else:
        sys.stdout.write(d.text)
    return 0


def cmd_export(args) -> int:
    from helper.cli import print_json
    from helper.package.export import export_order

    config, store = open_store(args)
    try:
        with progress_bar("导出 / exporting") as progress:
            summary = export_order(store, args.order_id, args.out, config, redact=args.redact, claim=args.claim,
                                   tsa_url=args.tsa_url, tsa_ca=args.tsa_ca, progress=progress)
    finally:
        store.close()
    if args.json:
        print_json(summary)
        return 0
    print(f"✓ 证据包已导出 / package written: {summary['path']}")
    print(f"  {summary['files']} files, {summary['size']:,} bytes, sha256 {summary['sha256']}")
    print(f"  manifest.json sha256 {summary['manifest_sha256']}")
    ts = summary["timestamp"]
    if ts["status"] == "ok":
        print(f"  时间戳 / timestamp: {ts['gen_time']} by {ts['tsa']}")
    else:
        print(f"  ⚠ 无时间戳 / no timestamp: {ts.get('reason')}")
    if summary["redacted"]:
        r = summary["redaction"]
        print(f"  已遮盖 / redacted: 文字 {r['replacements']} 处 text matches; 截图 {r['images_boxed']} 张共 {r['image_regions']} 处 "
              f"（按 OCR 位置涂黑 / painted over where OCR read them）; {r['images_unchanged']} 张截图未改动 / images unchanged")
        print("  OCR 未识别出的内容不会被遮盖，请人工检查 / anything OCR missed stays visible: check the images")
    print(f"  校验 / verify: witness verify-package {summary['path']}")
    return 0


TRUST_REASONS = {
    "no_pinned_root": "未指定可信根证书 / no root pinned (--ca or trusted_tsa_roots)",
    "not_pinned_tsa": "签发机构不在你信任的根证书之下 / the TSA does not chain to a root you pinned",
    "no_timestamp": "本证据包没有时间戳 / the package has no timestamp",
}


def cmd_verify_package(args) -> int:
    from helper.cli import print_json
    from helper.package.verify_package import verify_package

    ca = args.ca if args.ca else list(load_config(args.data_dir).trusted_tsa_roots)
    report = verify_package(args.path, ca_files=ca)
    if args.json:
        print_json(report)
        return report["exit_code"]
    c = report["checked"]
    print(f"检查 / checked: {c['files']} files ({c['bytes']:,} bytes) in {report['path']}")
    ts = report["timestamp"]
    if ts.get("present"):
        print(f"  时间戳 / timestamp: {ts.get('gen_time')} by {ts.get('tsa')}")
        sig = "✓ 相符 / OK" if ts.get("signature_ok") else "✗ 不符 / NOT OK"
        print(f"  令牌签名与哈希 / token signature and hash match: {sig}")
        if ts.get("signature_ok"):
            if ts.get("trusted"):
                print(f"  签发机构可信 / TSA trusted: ✓ 是 / yes, through your root {', '.join(ts['pinned_from'])}")
            else:
                print(f"  签发机构可信 / TSA trusted: ✗ 否 / no — {TRUST_REASONS.get(ts.get('trust_reason'), ts.get('trust_reason'))}")
        if ts.get("roots"):
            print(f"  根证书指纹 / root fingerprint(s): {', '.join(ts['roots'])}")
        if ts.get("note"):
            print(f"  注意 / note: {ts['note']}")
    else:
        print(f"  ⚠ {TRUST_REASONS['no_timestamp']}")
    for p in report["problems"]:
        print(f"  ✗ [{p['code']}] {p['message']}")
    if not report["ok"]:
        print(f"✗ 发现 {len(report['problems'])} 个问题 / {len(report['problems'])} problem(s) found")
    elif report["trusted"]:
        print("✓ 完好，时间可信 / intact, timestamp trusted")
    else:
        print("✓ 文件完好，时间未经可信机构证明 / files intact, time not proven by a TSA you trust (exit 3)")
    return report["exit_code"]
