"""`witness capture --desktop`: a real X server (Xvfb) with a known background, real mss, real store."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from PIL import Image

from conftest import ROOT
from xscreen import chromium_screen
from helper.capture.stamp import STRIP_BG

pytestmark = pytest.mark.skipif(not shutil.which("Xvfb"), reason="needs Xvfb (scripts/setup.sh installs it)")
COLOUR = (18, 171, 52)


def run_witness(*args, data_dir, env, check=False):
    cmd = [sys.executable, "-m", "helper.cli", "--data-dir", str(data_dir), *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env={**env, "PYTHONPATH": str(ROOT)}, cwd=ROOT)
    if check and proc.returncode != 0:
        raise AssertionError(f"witness {args} failed ({proc.returncode}): {proc.stdout}\n{proc.stderr}")
    return proc


@pytest.fixture(scope="module")
def display(tmp_path_factory):
    """Xvfb showing a borderless Chromium window that fills the screen with one known colour."""
    page = tmp_path_factory.mktemp("desktop") / "window.html"
    page.write_text("<!DOCTYPE html><html><body style='margin:0;background:#12ab34'></body></html>", "utf-8")
    with chromium_screen(page, 640, 480, ready=(1, 1, COLOUR)) as env:
        yield env


def test_desktop_capture_is_stamped_and_stored(display, tmp_path):
    (tmp_path / "d").mkdir()  # capture starts a store only in the default folder or an empty one made on purpose
    proc = run_witness("capture", "--desktop", "--json", data_dir=tmp_path / "d", env=display, check=True)
    cap = json.loads(proc.stdout)["capture"]
    assert cap["kind"] == "desktop" and cap["source"] == "desktop"
    arts = {a["name"]: a for a in cap["artifacts"]}
    assert set(arts) == {"page.png", "stamped.png", "meta.json"}
    with Image.open(arts["page.png"]["path"]) as im:
        page = im.convert("RGB")
    assert page.size == (640, 480) and page.getpixel((320, 240)) == COLOUR and page.getpixel((0, 0)) == COLOUR
    with Image.open(arts["stamped.png"]["path"]) as im:
        stamped = im.convert("RGB")
    assert stamped.height > 480 and stamped.getpixel((639, stamped.height - 2)) == STRIP_BG
    assert cap["meta"]["screen"]["display"] == display["DISPLAY"]
    assert run_witness("verify", data_dir=tmp_path / "d", env=display).returncode == 0


def test_desktop_region(display, tmp_path):
    (tmp_path / "d").mkdir()
    proc = run_witness("capture", "--desktop", "--region", "10,20,100,50", "--json", data_dir=tmp_path / "d",
                       env=display, check=True)
    cap = json.loads(proc.stdout)["capture"]
    with Image.open(next(a["path"] for a in cap["artifacts"] if a["name"] == "page.png")) as page:
        assert page.size == (100, 50)
    assert cap["meta"]["screen"]["area"] == {"left": 10, "top": 20, "width": 100, "height": 50}


def test_desktop_errors_are_clear(tmp_path, display):
    (tmp_path / "d").mkdir()
    bad = run_witness("capture", "--desktop", "--region", "1,2,3", data_dir=tmp_path / "d", env=display)
    assert bad.returncode == 2 and "X,Y,W,H" in bad.stderr
    no_x = run_witness("capture", "--desktop", data_dir=tmp_path / "d",
                       env={k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")})
    assert no_x.returncode == 1 and "无法截取屏幕" in no_x.stderr
