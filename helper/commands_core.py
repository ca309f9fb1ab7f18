"""Core subcommands: serve, token, verify."""

from __future__ import annotations

import sys

from .config import load_config, read_or_create_token


def register(sub) -> None:
    p = sub.add_parser("serve", help="运行本地助手 / run the helper service on 127.0.0.1")
    p.add_argument("--port", type=int, help="port (default 17365 or WITNESS_PORT)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("token", help="显示配对令牌 / print the API token")
    p.set_defaults(func=cmd_token)

    p = sub.add_parser("verify", help="校验证据与哈希链 / re-hash every file and the whole chain")
    p.add_argument("--json", action="store_true", help="machine-readable report")
    p.set_defaults(func=cmd_verify)


def cmd_serve(args) -> int:
    from .api import run

    run(load_config(args.data_dir, port=args.port))
    return 0


def cmd_token(args) -> int:
    print(read_or_create_token(load_config(args.data_dir)))
    return 0


def cmd_verify(args) -> int:
    from .cli import print_json
    from .store import Store, verify_and_record

    config = load_config(args.data_dir)
    if not config.db_path.exists():
        print(f"witness: no evidence database in {config.data_dir}", file=sys.stderr)
        return 2
    store = Store(config.data_dir)
    try:
        report = verify_and_record(store)
    finally:
        store.close()
    if args.json:
        print_json(report)
    else:
        c = report["checked"]
        print(f"检查 / checked: {c['events']} events, {c['captures']} captures, {c['orders']} orders, "
              f"{c['files']} files ({c['bytes']:,} bytes)")
        for p in report["problems"]:
            print(f"  ✗ [{p['code']}] {p['message']}")
        if report["ok"]:
            head = report["head"]
            print(f"✓ 完好 / intact. chain head: #{head['seq']} {head['hash'][:16]}…" if head else "✓ 完好 / intact (empty store)")
        else:
            print(f"✗ 发现 {len(report['problems'])} 个问题 / {len(report['problems'])} problem(s) found")
    return 0 if report["ok"] else 1
