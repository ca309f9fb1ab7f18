"""Where the browser extension's files are, and the two ways of handing them out.

The source is the repository's top level (manifest.json, _locales/, extension/). An installed wheel carries a
copy as helper/webext/ (made by the build step in setup.py); an editable install or a source checkout uses
the repository's own files. Chrome refuses an unpacked extension holding names that start with "_" (other
than _locales), such as __pycache__, so a folder to load is always a clean copy of just these parts.
"""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from pathlib import Path

from .errors import BadRequest, WitnessError

PARTS = ("manifest.json", "_locales", "extension")
PACKAGED = Path(__file__).resolve().parents[1] / "webext"  # helper/webext/ in an installed wheel
CHECKOUT = Path(__file__).resolve().parents[2]  # the repository root in a checkout or editable install


class ExtensionMissing(WitnessError):
    code = "extension_missing"
    status = 500


def _complete(folder: Path) -> bool:
    return (folder / "manifest.json").is_file() and (folder / "extension").is_dir() and (folder / "_locales").is_dir()


def extension_source() -> Path:
    """The folder holding manifest.json, _locales/ and extension/: the installed copy, else the checkout."""
    for folder in (PACKAGED, CHECKOUT):
        if _complete(folder):
            return folder
    raise ExtensionMissing(f"找不到浏览器扩展 / the browser extension's files are missing (looked in {PACKAGED} and "
                           f"{CHECKOUT}); reinstall order-witness")


def is_clean(folder: Path) -> bool:
    """True when `folder` holds only the extension's parts (so Chrome can load it as it is)."""
    return sorted(p.name for p in folder.iterdir()) == sorted(PARTS) and not any(_skipped(p.name) for p in _walk(folder))


def _skipped(name: str) -> bool:
    return name.startswith(("_", ".")) and name != "_locales" or name.endswith((".pyc", ".pyo", "~"))


def _walk(folder: Path):
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in dirs + sorted(files):
            yield Path(root, name)


def _files(source: Path):
    """(relative posix path, absolute path) of every file that belongs to the extension, in a stable order."""
    yield "manifest.json", source / "manifest.json"
    for part in PARTS[1:]:
        for path in _walk(source / part):
            rel = path.relative_to(source)
            if any(_skipped(n) for n in rel.parts) or not path.is_file():
                continue
            yield rel.as_posix(), path


def stage(source: Path, dest: Path) -> Path:
    """A clean copy of the extension at `dest` (replaced when it exists)."""
    if not _complete(source):
        raise ExtensionMissing(f"找不到扩展 / extension not found: {source / 'manifest.json'} is missing")
    if dest.exists():
        shutil.rmtree(dest)
    for rel, path in _files(source):
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    return dest


def unpacked_folder(staging: Path) -> Path:
    """The folder to load with "Load unpacked": the installed copy as it is, else a clean copy at `staging`."""
    source = extension_source()
    return source if is_clean(source) else stage(source, staging)


def write_zip(out: Path) -> dict:
    """The extension as a zip for the Chrome Web Store or Edge Add-ons (manifest.json at the top). The store
    assigns the ID itself and refuses a manifest holding `key`, so `key` is left out. Never overwrites."""
    out = Path(out)
    if not out.parent.is_dir():
        raise BadRequest(f"文件夹不存在 / folder {out.parent} does not exist")
    if out.exists():
        raise BadRequest(f"{out} 已存在，不覆盖 / already exists; not overwritten")
    source = extension_source()
    manifest = json.loads((source / "manifest.json").read_text("utf-8"))
    manifest.pop("key", None)
    count = 0
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        with zipfile.ZipFile(tmp, "x", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
            for rel, path in _files(source):
                if rel != "manifest.json":
                    zf.write(path, rel)
                    count += 1
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return {"path": str(out), "files": count + 1, "version": manifest.get("version"), "source": str(source)}
