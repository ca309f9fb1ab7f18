"""The built wheel alone is enough: built from a clean copy of the source, installed into a fresh virtualenv in a
temporary folder, and run from outside the checkout: `witness --version`, `witness extension [--zip]`, and
`witness start --headless` with the extension loaded from the installed package and paired.

To stay fast the wheel is installed with --no-deps, and the new virtualenv sees this test environment's
site-packages through a .pth line for the dependencies only: a plain path line (not processed as a site
folder), so the checkout's editable install of order-witness is not active there, which the test checks by
asking the interpreter where `helper` comes from.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.browser]

BUILD_PARTS_SKIPPED = ("tests/", "bench/")


def source_files() -> list[str]:
    """The files a fresh clone would have (tracked, plus new files not ignored yet)."""
    out = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    return [f for f in out.splitlines() if f and not f.startswith(BUILD_PARTS_SKIPPED) and (ROOT / f).is_file()]


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    root = tmp_path_factory.mktemp("wheel")
    src = root / "src"
    for rel in source_files():
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, src / rel)
    dist = root / "dist"
    # No build isolation: setuptools comes from the test environment (requirements.lock), so no network.
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                            "-w", str(dist), str(src)], capture_output=True, text=True, timeout=600)
    assert build.returncode == 0, build.stdout + build.stderr
    wheel = next(dist.glob("order_witness-*.whl"))
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    install = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps",
                              "--no-index", str(wheel)], capture_output=True, text=True, timeout=300)
    assert install.returncode == 0, install.stdout + install.stderr
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    (Path(purelib) / "_witness_test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    work = root / "elsewhere"  # outside the checkout
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "WITNESS_DATA_DIR")}
    return {"root": root, "wheel": wheel, "venv": venv, "python": python, "witness": venv / "bin" / "witness",
            "purelib": Path(purelib), "cwd": work, "env": env}


def run(inst, *args, timeout=120):
    return subprocess.run([str(inst["witness"]), *args], cwd=inst["cwd"], env=inst["env"], capture_output=True,
                          text=True, timeout=timeout)


def test_the_wheel_carries_the_extension(installed):
    names = zipfile.ZipFile(installed["wheel"]).namelist()
    for part in ("helper/webext/manifest.json", "helper/webext/_locales/zh_CN/messages.json",
                 "helper/webext/extension/background.js", "helper/package/report.html"):
        assert part in names
    assert not [n for n in names if "__pycache__" in n or n.startswith(("tests/", "bench/"))]
    code = "import helper; from helper.core.extension_files import extension_source as e; print(helper.__file__); print(e())"
    where = subprocess.run([str(installed["python"]), "-c", code], cwd=installed["cwd"], env=installed["env"],
                           capture_output=True, text=True)
    package, extension = where.stdout.split()
    assert Path(package).is_relative_to(installed["purelib"]), where.stdout + where.stderr
    assert Path(extension) == installed["purelib"] / "helper" / "webext"


def test_version_and_extension_commands(installed):
    r = run(installed, "--version")
    assert r.returncode == 0 and r.stdout.strip() == "witness (order-witness) 0.1.0", r.stdout + r.stderr
    r = run(installed, "--data-dir", str(installed["root"] / "data"), "extension")
    assert r.returncode == 0, r.stderr
    folder = Path(r.stdout.strip().splitlines()[-1])
    assert folder.is_relative_to(installed["purelib"]) and (folder / "manifest.json").is_file()
    out = installed["root"] / "store.zip"
    r = run(installed, "extension", "--zip", str(out))
    assert r.returncode == 0, r.stderr
    with zipfile.ZipFile(out) as z:
        manifest = json.loads(z.read("manifest.json"))
        assert "key" not in manifest and manifest["manifest_version"] == 3
        assert "extension/background.js" in z.namelist() and "_locales/en/messages.json" in z.namelist()
    again = run(installed, "extension", "--zip", str(out))
    assert again.returncode == 2 and "not overwritten" in again.stderr


def test_start_headless_loads_and_pairs_the_installed_extension(installed):
    data = installed["root"] / "start-data"
    cmd = [str(installed["witness"]), "start", "--headless", "--port", "0", "--data-dir", str(data)]
    with subprocess.Popen(cmd, cwd=installed["cwd"], env=installed["env"], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True) as proc:
        lines = []
        try:
            for line in proc.stdout:  # the helper says whether the extension paired, then waits
                lines.append(line)
                if "paired" in line:
                    break
        finally:
            proc.send_signal(signal.SIGTERM)
            out, err = proc.communicate(timeout=60)
    text = "".join(lines) + out
    assert any("✓ 扩展已配对 / extension paired" in line for line in lines), text + err
    assert proc.returncode == 0 and "已退出 / stopped" in out, text + err
    staged = json.loads((data / "browser" / "extension" / "manifest.json").read_text("utf-8"))
    assert staged["key"]  # the pinned ID, so the helper's origin check admits it
