"""The layers are a rule with a test: a package imports only from layers below it (or its own package),
`ocr/` imports nothing from the helper, and only the HTTP layer (and the demo shop, which imitates shops)
imports aiohttp's web server. Every import in the source counts, including those inside functions."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Lower number = lower layer. A module may import its own package, `helper` itself (the version), and
# anything of a lower rank.
RANKS = {
    "helper.core": 0,
    "helper.understanding": 1,
    "helper.store": 2,
    "helper.capture": 3,
    "helper.orders": 3,
    "helper.escalation": 3,
    "helper.package": 4,
    "helper.api": 5,
    "helper.cli": 6,
    "helper.demoshop": 1,  # the imitation shop: the core never imports it, it imports only the core
}
# Packages of the same rank that may import each other, as (importer, imported).
SIBLINGS: set[tuple[str, str]] = set()
# Who may import the demo shop (besides tests and the demo shop itself).
DEMOSHOP_USERS = {"helper.cli"}
WEB_SERVERS = {"helper.api", "helper.demoshop"}


def modules() -> list[tuple[str, Path]]:
    out = []
    for path in sorted([*ROOT.glob("helper/**/*.py"), *ROOT.glob("ocr/**/*.py")]):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out.append((".".join(parts), path))
    return out


def imports_of(module: str, path: Path) -> list[tuple[int, str]]:
    """(line, absolute module or module.name) for every import in the file."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found += [(node.lineno, f"{target}.{a.name}") for a in node.names]
    return found


def layer_of(name: str) -> str | None:
    for layer in RANKS:
        if name == layer or name.startswith(layer + "."):
            return layer
    return None


def problems_in(module: str, path: Path) -> list[str]:
    out = []
    own = layer_of(module)
    for line, name in imports_of(module, path):
        shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
        where = f"{shown}:{line} imports {name}"
        if module.split(".")[0] == "ocr":
            if name.split(".")[0] == "helper":
                out.append(f"{where}: ocr/ stands alone")
            continue
        if name.startswith("aiohttp.web") or name in ("aiohttp.web", "aiohttp.web_request"):
            if own not in WEB_SERVERS:
                out.append(f"{where}: only helper.api serves HTTP")
        target = layer_of(name)
        if own is None or target is None or target == own:
            continue
        if target == "helper.demoshop" and own not in DEMOSHOP_USERS:
            out.append(f"{where}: the core never imports the demo shop")
        elif own == "helper.demoshop" and target != "helper.core":
            out.append(f"{where}: the demo shop imports only helper.core")
        elif RANKS[target] > RANKS[own] or (RANKS[target] == RANKS[own] and (own, target) not in SIBLINGS):
            out.append(f"{where}: {own} (rank {RANKS[own]}) may not import {target} (rank {RANKS[target]})")
    return out


def test_every_helper_package_has_a_layer():
    packages = {m.split(".")[1] for m, p in modules() if m.startswith("helper.") and "." in m}
    loose = {p for p in packages if layer_of(f"helper.{p}") is None}
    assert not loose, f"modules outside any layer (put them in a package with a rank): {sorted(loose)}"


def test_no_layer_imports_one_above_it():
    found = [p for m, path in modules() for p in problems_in(m, path)]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("source, module, expected", [
    ("from helper.api import keys\n", "helper.store.store", "may not import helper.api"),
    ("from ..capture import engine\n", "helper.orders.tracking", "may not import helper.capture"),
    ("from helper.core.errors import OcrError\n", "ocr.recognise", "ocr/ stands alone"),
    ("from aiohttp import web\n", "helper.capture.api", "only helper.api serves HTTP"),
    ("import helper.demoshop\n", "helper.package.export", "never imports the demo shop"),
    ("def f():\n    from helper.cli import main\n", "helper.understanding.extract", "may not import helper.cli"),
])
def test_the_rule_bites(tmp_path, source, module, expected):
    """Each kind of upward import that the project had before issue 10 is caught."""
    path = tmp_path / "m.py"
    path.write_text(source)
    assert any(expected in p for p in problems_in(module, path))
