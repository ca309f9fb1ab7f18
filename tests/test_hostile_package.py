"""Hostile packages and hostile stored values against the package code (issue 15, breaks 5 and 7).

Each test names the break it pins; each failed on the code before the fix."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GB = 1024 * 1024 * 1024


def _write_bomb(path: Path, entries: dict[str, int]) -> None:
    """A zip whose entries inflate to the given sizes (zeros, deflated ~1000:1), written in chunks."""
    chunk = bytes(8 * 1024 * 1024)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for name, size in entries.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            with zf.open(info, "w", force_zip64=True) as out:
                left = size
                while left:
                    n = min(left, len(chunk))
                    out.write(chunk[:n])
                    left -= n
        zf.writestr("SHA256SUMS", "")


def _verify_in_subprocess(path: Path) -> dict:
    """verify-package in a fresh interpreter; its report plus the peak resident memory (MiB)."""
    code = (
        "import json, resource, sys\n"
        "from helper.package.verify_package import verify_package\n"
        "r = verify_package(sys.argv[1])\n"
        "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "print(json.dumps({'ok': r['ok'], 'codes': sorted({p['code'] for p in r['problems']}), 'peak_mib': peak}))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=300,
                          cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def bomb(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("bomb") / "bomb.zip"
    _write_bomb(path, {"captures/001-order/page.png": GB})
    return path


def test_break7_one_gigabyte_zip_bomb_verifies_under_400_mb(bomb):
    """Break 7: verify-package held every entry in memory (a 1 GB bomb used 2.2 GB)."""
    assert bomb.stat().st_size < 8 * 1024 * 1024
    got = _verify_in_subprocess(bomb)
    assert got["ok"] is False
    assert "entry_too_large" in got["codes"]
    assert got["peak_mib"] < 400, got


def test_break7_entries_within_bounds_are_streamed_not_held(tmp_path):
    """An entry under the bound is hashed as it streams: 300 MB inflated stays far below 300 MB resident."""
    path = tmp_path / "big.zip"
    _write_bomb(path, {"captures/001-order/page.png": 300 * 1024 * 1024})
    got = _verify_in_subprocess(path)
    assert "entry_too_large" not in got["codes"]
    assert got["peak_mib"] < 200, got


def test_break7_three_declared_gigabytes_refused_before_reading(tmp_path):
    path = tmp_path / "three.zip"
    _write_bomb(path, {f"captures/00{i}-chat/page.png": GB for i in range(1, 4)})
    got = _verify_in_subprocess(path)
    assert got["ok"] is False and "entry_too_large" in got["codes"]
    assert got["peak_mib"] < 400, got
