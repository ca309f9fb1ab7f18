"""What every `witness` command shares: the global options (accepted before or after the command), opening
an existing evidence store, the one --now parser, progress bars and the examples in --help."""

from __future__ import annotations

import argparse
import os
import sys
from contextlib import contextmanager
from datetime import datetime

from helper.core.clock import CHINA
from helper.core.config import load_config
from helper.core.errors import BadRequest
from helper.core.folder import private_folder

DATA_DIR_HELP = "data folder (default: WITNESS_DATA_DIR or the per-user data folder); before or after the command"


def add_global_options(parser: argparse.ArgumentParser, *, top: bool) -> None:
    """--data-dir on the top parser (default None) and on each command (default SUPPRESS, so a value given
    before the command is kept unless one is given after it)."""
    if "--data-dir" not in parser._option_string_actions:
        parser.add_argument("--data-dir", default=None if top else argparse.SUPPRESS, help=DATA_DIR_HELP)


NOW_HELP = ("the capture time that 昨天 / 星期三 / bare times are read against, ISO 8601 (default: now); "
            "without an offset it is China time")


def parse_now(text: str) -> datetime:
    """The one --now: ISO 8601; without an offset it is China time (the shops' and the buyer's clock)."""
    try:
        dt = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--now 不是 ISO 8601 时间 / --now is not an ISO 8601 time: {text!r}") from None
    return dt if dt.tzinfo else dt.replace(tzinfo=CHINA)


class NoStore(BadRequest):
    code = "no_store"


def require_store(args, *, may_start: bool = False):
    """The config of a data folder that holds an evidence store (witness.db). Read-only commands refuse any
    other folder (exit 2) rather than make a new empty store in a mistyped --data-dir. `may_start`: commands
    that add evidence (capture, import) may start a store in the default per-user folder, or in a folder
    named with --data-dir / WITNESS_DATA_DIR that exists and is empty (made on purpose)."""
    config = load_config(args.data_dir)
    if config.data_dir.exists():
        private_folder(config.data_dir, link_allowed=True)  # another user's folder is refused first
    if config.db_path.exists():
        return config
    named = bool(args.data_dir or os.environ.get("WITNESS_DATA_DIR"))
    folder = config.data_dir
    if may_start and (not named or (folder.is_dir() and not any(folder.iterdir()))):
        return config
    hint = ("创建一个空文件夹后再运行，或先运行 `witness start` / make it an empty folder first, or run `witness start`"
            if may_start else "先运行 `witness start` 或 `witness serve` / run `witness start` or `witness serve` first")
    raise NoStore(f"没有证据库 / no evidence store in {folder} (no witness.db): check --data-dir; {hint}")


def open_store(args, *, may_start: bool = False):
    """(config, Store) for `require_store`'s folder."""
    from helper.store import Store

    config = require_store(args, may_start=may_start)
    return config, Store(config.data_dir)


def examples(*lines: str) -> str:
    """The epilog of a command's --help."""
    return "例 / examples:\n" + "\n".join(f"  {line}" for line in lines)


def fallback_example(name: str, parser: argparse.ArgumentParser) -> str:
    """An example made from the command's required arguments, for a command that brings none of its own."""
    words = [f"witness {name}"]
    for a in parser._actions:
        if a.option_strings and a.required:
            words.append(f"{a.option_strings[-1]} {(a.metavar or a.dest).upper()}")
        elif not a.option_strings and a.nargs not in ("?", "*") and a.dest != "help":
            words.append((a.metavar or a.dest).upper())
    return examples(" ".join(words))


@contextmanager
def progress_bar(desc: str, *, unit: str = "step"):
    """A tqdm bar on stderr, shown only on a terminal; yields the `progress(label, done, total)` callback the
    core functions take. tqdm: already installed with rapidocr, so no new dependency."""
    # Shown on a terminal only (what tqdm's disable=None does), or always with WITNESS_PROGRESS=1; without a bar,
    # tqdm is not even imported (a command's start-up).
    forced = os.environ.get("WITNESS_PROGRESS") == "1"
    if not forced and not sys.stderr.isatty():
        yield lambda label, done, total: None
        return
    from tqdm import tqdm

    bar = tqdm(desc=desc, unit=unit, file=sys.stderr, disable=False if forced else None, leave=False,
               dynamic_ncols=True, mininterval=0 if forced else 0.1)

    def report(label: str, done: int, total: int | None) -> None:
        if bar.disable:
            return
        if total != bar.total:
            bar.total = total
        bar.set_description_str(label, refresh=False)
        bar.n = done
        bar.refresh()

    try:
        yield report
    finally:
        bar.close()
