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


def _pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def _pdf_images(pdf: Path) -> int:
    """Pictures in the PDF (not the 14x16 broken-image icons Chromium draws for a refused one)."""
    out = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in out.splitlines()[2:]]
    return sum(1 for r in rows if r[2] == "image" and int(r[3]) >= 100)


@pytest.fixture
def secret(tmp_path) -> Path:
    """A file outside the report's folder that a hostile value tries to pull into the PDF."""
    path = tmp_path / "secret.txt"
    path.write_text("TOP-SECRET-BANK-PASSWORD\n")
    return path


@pytest.mark.browser
def test_break5_markup_in_a_stored_time_is_printed_as_text(tmp_path, secret):
    """Break 5: a non-ISO time was printed unescaped, so `<iframe src=file:///etc/passwd>` put that file into
    report.pdf."""
    import sqlite3
    import zipfile

    from helper.core.config import Config
    from helper.package.export import export_order
    from packagedata import make_order

    data = tmp_path / "data"
    store, oid = make_order(data)
    hostile = f"<iframe src={secret.as_uri()} width=600 height=80></iframe>"
    conn = sqlite3.connect(data / "witness.db")
    conn.execute("UPDATE orders SET ordered_at=?, deadline=? WHERE id=?", (hostile, hostile, oid))
    conn.commit()
    conn.close()
    out = tmp_path / "case.zip"
    export_order(store, oid, out, Config(data_dir=data))
    store.close()
    with zipfile.ZipFile(out) as zf:
        (tmp_path / "report.pdf").write_bytes(zf.read("report.pdf"))
    text = _pdf_text(tmp_path / "report.pdf")
    assert "TOP-SECRET" not in text
    assert "<iframe" in text  # the value is shown, as text
    assert _pdf_images(tmp_path / "report.pdf") >= 1  # the screenshots (from the report's own folder) still show


@pytest.mark.browser
def test_break5_report_renders_with_javascript_off_and_only_its_own_folder(tmp_path, secret):
    """Even markup that escaped escaping can neither run nor read a file outside the report's folder."""
    from helper.package.report import html_to_pdf
    from packagedata import png

    folder = tmp_path / "report"
    folder.mkdir()
    (folder / "shot.png").write_bytes(png(["截图"], size=(200, 80)))
    outside = tmp_path / "outside.png"
    outside.write_bytes(png(["外部"], size=(200, 80)))
    page = folder / "report.html"
    page.write_text(
        "<!doctype html><meta charset='utf-8'><p>报告</p>"
        f"<iframe src='{secret.as_uri()}'></iframe><object data='{secret.as_uri()}'></object>"
        "<script>document.write('JS-RAN')</script>"
        f"<img src='shot.png'><img src='{outside.as_uri()}'><img src='../outside.png'>", "utf-8")
    pdf = tmp_path / "out.pdf"
    pdf.write_bytes(html_to_pdf(page))
    text = _pdf_text(pdf)
    assert "报告" in text and "TOP-SECRET" not in text and "JS-RAN" not in text
    assert _pdf_images(pdf) == 1  # shot.png only
