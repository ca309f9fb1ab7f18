"""What every `witness` command shares: the global options (accepted before or after the command), opening
an existing evidence store, the one --now parser, progress bars and the examples in --help."""

from __future__ import annotations

import argparse
import sys
from contextlib import contextmanager
from datetime import datetime

from helper.core.clock import CHINA
from helper.core.config import load_config
from helper.core.errors import BadRequest

DATA_DIR_HELP = "data folder (default: WITNESS_DATA_DIR or the per-user data folder); before or after the command"


def add_global_options(parser: argparse.ArgumentParser, *, top: bool) -> None:
    """--data-dir on the top parser (default None) and on each command (default SUPPRESS, so a value given
    before the command is kept unless one is given after it)."""
    if "--data-dir" not in parser._option_string_actions:
        parser.add_argument("--data-dir", default=None if top else argparse.SUPPRESS, help=DATA_DIR_HELP)


def parse_now(text: str) -> datetime:
    """The one --now: ISO 8601; without an offset it is China time (the shops' and the buyer's clock)."""
    try:
        dt = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--now 不是 ISO 8601 时间 / --now is not an ISO 8601 time: {text!r}") from None
    return dt if dt.tzinfo else dt.replace(tzinfo=CHINA)


class NoStore(BadRequest):
    code = "no_store"


def open_store(args, *, create_in_default: bool = False):
    """(config, Store) for a data folder that already holds an evidence store. A folder named with --data-dir
    (or WITNESS_DATA_DIR) that holds none is refused (exit 2) instead of getting a new empty store: it is
    most likely mistyped. `create_in_default`: commands that add evidence may start the store in the default
    per-user folder."""
    import os

    from helper.store import Store

    config = load_config(args.data_dir)
    named = bool(args.data_dir or os.environ.get("WITNESS_DATA_DIR"))
    if not config.db_path.exists() and (named or not create_in_default):
        raise NoStore(f"没有证据库 / no evidence store in {config.data_dir} (witness.db is missing): check --data-dir, "
                      "or start one with `witness start` / `witness serve`")
    return config, Store(config.data_dir)


@contextmanager
def progress_bar(desc: str, *, unit: str = "step"):
    """A tqdm bar on stderr, shown only on a terminal; yields the `progress(label, done, total)` callback the
    core functions take. tqdm: already installed with rapidocr, so no new dependency."""
    from tqdm import tqdm

    bar = tqdm(desc=desc, unit=unit, file=sys.stderr, disable=None, leave=False, dynamic_ncols=True)

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
