"""The `witness` command. Parses arguments and calls the same core as the API.

Each feature keeps its subcommands next to its code in a module with `register(subparsers)`; the handler
functions it sets (`func`) take the parsed args and return an exit code. Exit codes: 0 ok, 1 a problem was
found or the action failed, 2 usage error (a bad option or value, a missing file, a data folder without a
store); verify-package also 3 (intact, time not proven). Global options (--data-dir) go before or after the
command (helper/cli/common.py); every command's --help ends with examples.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys

from helper import __version__
from helper.cli.common import add_global_options, fallback_example
from helper.core.errors import WitnessError

# Modules that add subcommands, in help order, with the commands each adds (tests/test_cli_conventions.py checks
# this table against what the modules register). A run of one command imports only that command's module: the
# others (and what they import) cost a CLI start about 0.2 s of CPU.
COMMAND_MODULES = {
    "helper.cli.core": ("serve", "token", "verify", "anchor"),
    "helper.cli.orders": ("orders",),
    "helper.cli.package": ("draft", "export", "verify-package"),
    "helper.cli.extract": ("extract",),
    "helper.cli.importing": ("import", "search"),
    "helper.cli.capture": ("capture", "start", "demo"),
    "helper.cli.ocr": ("ocr",),
    "helper.cli.extension": ("extension",),
    "helper.cli.risk": ("risk",),
}


def command_in(argv: list[str]) -> str | None:
    """The command named in `argv` (the first word that is not a global option or its value), if it is one;
    None when the top-level help (or --version) comes first, so `witness -h verify` still lists every command."""
    words = iter(argv)
    for word in words:
        if word == "--data-dir":
            next(words, None)
        elif word in ("-h", "--help", "--version"):
            return None
        elif not word.startswith("-"):
            return word if any(word in names for names in COMMAND_MODULES.values()) else None
    return None


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The whole parser; with `command`, only that command's subparser (what a run of that command needs)."""
    parser = argparse.ArgumentParser(
        prog="witness",
        description="订单证人 order-witness: 为未发货订单保存证据 / preserve evidence for unanswered card-shop orders",
    )
    parser.add_argument("--version", action="version", version=f"witness (order-witness) {__version__}")
    add_global_options(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, names in COMMAND_MODULES.items():
        if command is None or command in names:
            importlib.import_module(name).register(sub)
    for name, command in sub.choices.items():
        add_global_options(command, top=False)
        command.formatter_class = argparse.RawDescriptionHelpFormatter
        if not command.epilog:
            command.epilog = fallback_example(name, command)
    return parser


def print_json(obj) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2) + "\n")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(command_in(argv))
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # --help / --version (0), a usage error (2, with the valid values)
        return int(e.code or 0)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except WitnessError as e:
        if getattr(args, "json", False):
            print_json({"error": {"code": e.code, "message": e.message}})
        print(f"witness: {e.message}", file=sys.stderr)
        return 2 if e.status == 400 else 1
    except KeyboardInterrupt:
        return 130

