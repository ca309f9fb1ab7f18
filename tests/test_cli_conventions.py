"""`witness` conventions: global options before or after the command, --version, choices with exit 2, read-only
commands refuse a folder without a store, one --now, an example in every --help, progress bars, and the
README's command table checked against the parser so the two cannot drift."""

from __future__ import annotations

import argparse
import importlib
import re
import subprocess
import sys
import urllib.request
from datetime import timedelta

import pytest

from conftest import ROOT, run_witness
from helper import __version__
from helper.cli import COMMAND_MODULES, build_parser, command_in, main
from packagedata import make_order


def subcommands() -> dict[str, argparse.ArgumentParser]:
    return subcommands_of(build_parser())


def subcommands_of(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def options(p: argparse.ArgumentParser) -> set[str]:
    return {o for a in p._actions for o in a.option_strings if o.startswith("--")} - {"--help"}


def readme_rows() -> list[tuple[str, str]]:
    text = (ROOT / "README.md").read_text("utf-8")
    section = text.split("## Commands", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        m = re.match(r"^\| `witness ([a-z-]+)([^`]*)` \|", line)
        if m:
            rows.append((m.group(1), m.group(2)))
    return rows


def test_readme_command_table_matches_the_parser():
    commands = subcommands()
    rows = readme_rows()
    assert rows, "no command table in README.md"
    mentioned: dict[str, set[str]] = {}
    for cmd, rest in rows:
        assert cmd in commands, f"README names `witness {cmd}`, which does not exist"
        opts = set(re.findall(r"--[a-z][a-z-]*", rest))
        unknown = opts - options(commands[cmd])
        assert not unknown, f"README: `witness {cmd}` has no option {', '.join(sorted(unknown))}"
        mentioned.setdefault(cmd, set()).update(opts)
    for cmd, p in commands.items():
        assert cmd in mentioned, f"`witness {cmd}` is missing from the README command table"
        missing = options(p) - {"--data-dir"} - mentioned[cmd]
        assert not missing, f"README: `witness {cmd}` row does not mention {', '.join(sorted(missing))}"


def test_command_table_names_what_each_module_registers():
    """A run of one command builds only its module's subparsers (COMMAND_MODULES says which); the table must
    name exactly what each module adds, and a parser built for one command must parse as the whole one does."""
    for module, names in COMMAND_MODULES.items():
        sub = argparse.ArgumentParser().add_subparsers()
        importlib.import_module(module).register(sub)
        assert tuple(sub.choices) == names, f"COMMAND_MODULES[{module!r}] should be {tuple(sub.choices)}"
    for cmd in subcommands():
        assert command_in(["--data-dir", cmd, cmd, "--data-dir", "X"]) == cmd
        assert set(subcommands_of(build_parser(cmd))) == {cmd, *next(n for n in COMMAND_MODULES.values() if cmd in n)}
    assert command_in(["--data-dir", "X"]) is None and command_in(["verfy"]) is None
    assert command_in(["-h", "verify"]) is None and command_in(["verify", "-h"]) == "verify"


def test_top_level_help_lists_every_command_even_with_a_command_after_it(capsys):
    for argv in (["--help"], ["-h", "verify"], ["--data-dir", "X", "--help", "verify"]):
        assert main(argv) == 0
        out = capsys.readouterr().out
        assert all(cmd in out for cmd in subcommands()), argv


def test_every_command_help_has_an_example(capsys):
    for cmd in subcommands():
        assert main([cmd, "--help"]) == 0
        out = capsys.readouterr().out
        assert re.search(rf"例 / examples:\n\s+witness (.* )?{cmd}\b", out), f"`witness {cmd} --help` has no example:\n{out}"


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"witness (order-witness) {__version__}"


@pytest.mark.parametrize("argv", [
    ["--data-dir", "X", "verify", "--json"],
    ["verify", "--data-dir", "X", "--json"],
    ["verify", "--json", "--data-dir", "X"],
])
def test_global_option_before_or_after_the_command(argv):
    args = build_parser().parse_args(argv)
    assert args.data_dir == "X" and args.json


def test_global_option_after_the_command_wins():
    assert build_parser().parse_args(["--data-dir", "A", "search", "x", "--data-dir", "B"]).data_dir == "B"
    assert build_parser().parse_args(["search", "x"]).data_dir is None


@pytest.mark.parametrize("argv, valid", [
    (["capture", "https://shop.example/", "--kind", "bogus"], "'order', 'chat', 'rules', 'payment', 'product', 'other'"),
    (["import", "x.png", "--kind", "desktop"], "'payment', 'chat', 'order', 'rules', 'other'"),
    (["ocr", "x.png", "--engine", "paddle"], "'rapidocr', 'tesseract'"),
    (["draft", "1", "--channel", "weibo"], "'platform'"),
    (["export", "1", "--out", "x.zip", "--claim", "all"], "'refund', 'perform'"),
])
def test_enumerated_options_exit_2_with_the_valid_values(argv, valid, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "invalid choice" in err and valid in err


@pytest.mark.parametrize("cmd", ["extract", "ocr"])
def test_one_now_parser(cmd, capsys):
    parser = build_parser()
    a = parser.parse_args([cmd, "x", "--now", "2026-11-27T15:00"])
    b = parser.parse_args([cmd, "x", "--now", "2026-11-27T07:00Z"])
    assert a.now == b.now and a.now.utcoffset() == timedelta(hours=8)  # no offset: China time
    assert main([cmd, "x", "--now", "昨天"]) == 2
    assert "--now is not an ISO 8601 time" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["search", "发货"], ["verify"], ["draft", "1", "--channel", "12315"],
                                  ["export", "1", "--out", "OUT"], ["anchor", "--tsa-url", "http://127.0.0.1:9/"],
                                  ["import", "IMG"], ["capture", "http://127.0.0.1:9/"]])
def test_commands_refuse_a_folder_without_a_store(argv, tmp_path, capsys):
    """A mistyped --data-dir gets exit 2 and no new empty store; a folder holding other things too."""
    image = tmp_path / "bill.png"
    image.write_bytes(b"\x89PNG")
    argv = [str(image) if a == "IMG" else str(tmp_path / "p.zip") if a == "OUT" else a for a in argv]
    for folder in (tmp_path / "mistyped", tmp_path / "downloads"):
        if folder.name == "downloads":
            folder.mkdir()
            (folder / "photo.jpg").write_bytes(b"x")
        assert main(["--data-dir", str(folder), *argv]) == 2
        assert "no evidence store" in capsys.readouterr().err
        assert not (folder / "witness.db").exists()
    assert not (tmp_path / "mistyped").exists()


def test_serve_takes_the_data_dir_before_or_after(tmp_path):
    """`witness serve --data-dir X --port P` and `witness --data-dir X serve --port P` both run the helper on P
    with its data in X. P is 0: the helper names the port the system chose (no port picked beforehand that another
    test worker could take in between)."""
    for i, before in enumerate((False, True)):
        data = tmp_path / f"data{i}"
        argv = (["--data-dir", str(data), "serve", "--port", "0"] if before
                else ["serve", "--data-dir", str(data), "--port", "0"])
        with subprocess.Popen([sys.executable, "-m", "helper.cli", *argv], cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) as proc:
            try:
                line = proc.stdout.readline()
                bound = re.search(r"http://127\.0\.0\.1:(\d+) ", line)
                assert bound and int(bound.group(1)) > 0 and str(data) in line, line + proc.stderr.read()
                with urllib.request.urlopen(f"http://127.0.0.1:{bound.group(1)}/api/health", timeout=10) as resp:
                    assert resp.status == 200
            finally:
                proc.terminate()
                proc.communicate(timeout=30)
        assert (data / "witness.db").exists() and (data / "token").exists()


def test_progress_bars_on_export_and_verify(tmp_path, monkeypatch):
    store, oid = make_order(tmp_path / "data")
    store.close()
    monkeypatch.setenv("WITNESS_PROGRESS", "1")
    r = run_witness("export", str(oid), "--out", str(tmp_path / "p.zip"), data_dir=tmp_path / "data")
    assert r.returncode == 0, r.stderr
    for label in ("evidence files", "drafts", "PDF report", "timestamp", "writing the zip"):
        assert label in r.stderr
    r = run_witness("verify", data_dir=tmp_path / "data")
    assert r.returncode == 0 and "hashing files" in r.stderr
    monkeypatch.delenv("WITNESS_PROGRESS")
    quiet = run_witness("verify", data_dir=tmp_path / "data")  # not a terminal: no bar
    assert "hashing files" not in quiet.stderr
