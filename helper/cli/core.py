"""Core subcommands: serve, token, verify."""

from __future__ import annotations

from helper.cli.common import examples, open_store, progress_bar, require_store
from helper.core.config import load_config, read_or_create_token


def register(sub) -> None:
    p = sub.add_parser("serve", help="运行本地助手 / run the helper service on 127.0.0.1",
                       epilog=examples("witness serve", "witness serve --data-dir ~/证据 --port 17366"))
    p.add_argument("--port", type=int, help="port (default 17365 or WITNESS_PORT)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("token", help="显示配对令牌 / print the API token",
                       epilog=examples("witness token   # paste it into the extension's options page"))
    p.set_defaults(func=cmd_token)

    p = sub.add_parser("verify", help="校验证据与哈希链 / re-hash every file and the whole chain",
                       epilog=examples("witness verify", "witness --data-dir ~/证据 verify --json") +
                       "\n\nexit: 0 intact, 1 problems found, 2 usage (no store in the folder)")
    p.add_argument("--json", action="store_true", help="machine-readable report")
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("anchor", help="锚定哈希链 / timestamp the chain head now (RFC 3161; the helper does it by itself when tsa_url is set)",
                       epilog=examples("witness anchor --tsa-url http://timestamp.example/tsr"))
    p.add_argument("--tsa-url", help="RFC 3161 TSA (default: config tsa_url / WITNESS_TSA_URL)")
    p.set_defaults(func=cmd_anchor)


def cmd_serve(args) -> int:
    from helper.api import run

    run(load_config(args.data_dir, port=args.port))
    return 0


def cmd_token(args) -> int:
    print(read_or_create_token(load_config(args.data_dir)))
    return 0


def cmd_verify(args) -> int:
    from helper.cli import print_json
    from helper.package.anchor import verify_store

    config, store = open_store(args)
    try:
        with progress_bar("校验 / verifying", unit="file") as progress:
            report = verify_store(store, config, progress=progress)
    finally:
        store.close()
    if args.json:
        print_json(report)
    else:
        c = report["checked"]
        print(f"检查 / checked: {c['events']} events, {c['captures']} captures, {c['orders']} orders, "
              f"{c['files']} files ({c['bytes']:,} bytes)")
        print_anchor(report)
        for p in report["problems"]:
            print(f"  ✗ [{p['code']}] {p['message']}")
        if report["ok"]:
            head = report["head"]
            print(f"✓ 完好 / intact. chain head: #{head['seq']} {head['hash'][:16]}…" if head else "✓ 完好 / intact (empty store)")
        else:
            print(f"✗ 发现 {len(report['problems'])} 个问题 / {len(report['problems'])} problem(s) found")
    return 0 if report["ok"] else 1


def cmd_anchor(args) -> int:
    from helper.core.errors import BadRequest
    from helper.package.anchor import anchor_head

    config = require_store(args)
    url = args.tsa_url or config.tsa_url
    if not url:
        raise BadRequest("没有时间戳服务器 / no TSA: give --tsa-url or set tsa_url in config.json")
    config, store = open_store(args)
    try:
        event = anchor_head(store, url)
    finally:
        store.close()
    if event is None:
        print("链为空，无需锚定 / the chain is empty: nothing to anchor")
        return 0
    d = event["data"]
    print(f"✓ 已锚定 / anchored: event #{d['seq']} {d['hash'][:16]}… at {d['gen_time']} by {d['tsa']} (chain event #{event['seq']})")
    return 0


def print_anchor(report: dict) -> None:
    a = report.get("anchor")
    if a:
        sig = "" if a["signature_checked"] else "（未核对签名：未配置 tsa_ca / signature not checked: no tsa_ca）"
        print(f"最近锚定 / latest anchor: event #{a['seq']} {a['hash'][:16]}… timestamped {a['gen_time']} by {a['tsa']}{sig}; "
              f"事件 1-{a['seq']} 的改写或删除都会被发现 / any rewrite or removal of events 1-{a['seq']} is detected")
    else:
        print("未锚定 / no anchor: 链头文件可与数据库一起被改写；设置 tsa_url 后助手会定期锚定 / the chain head file can be "
              "rewritten together with the database; set tsa_url and the helper anchors the chain")
    for note in report.get("anchor_notes") or []:
        print(f"  注意 / note: {note}")
