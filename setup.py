"""Build step only (the project is described in pyproject.toml).

The browser extension's source stays at the repository top level (manifest.json, _locales/, extension/), where
Chrome loads it unpacked during development. Building a wheel copies it into the package as helper/webext/, so
an installed order-witness (pip, pipx, uv tool) carries the extension it starts the evidence browser with and
`witness extension` can hand it out. An editable install needs no copy: helper/core/extension_files.py finds the
repository's own files.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
EXTENSION_PARTS = ("manifest.json", "_locales", "extension")
PACKAGED_AS = Path("helper") / "webext"


def _skip(_dir, names):
    # Chrome refuses an unpacked extension holding names that start with "_" (other than _locales).
    return [n for n in names if n.startswith(("_", ".")) or n.endswith((".pyc", ".pyo", "~"))]


class BuildPyWithExtension(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return
        dest = Path(self.build_lib) / PACKAGED_AS
        if dest.exists():
            shutil.rmtree(dest)
        dest.mkdir(parents=True)
        for part in EXTENSION_PARTS:
            src = ROOT / part
            if src.is_dir():
                shutil.copytree(src, dest / part, ignore=_skip)
            elif src.is_file():
                shutil.copy2(src, dest / part)
            else:
                raise FileNotFoundError(f"the extension's {part} is missing from {ROOT}")


setup(cmdclass={"build_py": BuildPyWithExtension})
