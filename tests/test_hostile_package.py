"""Hostile packages and hostile stored values against the package code (issue 15, breaks 5 and 7).

Each test names the break it pins; each failed on the code before the fix."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024
GB = 1024 * MIB


def _write_bomb(path: Path, entries: dict[str, int]) -> None:
    """A zip whose entries inflate to the given sizes (zeros, deflated ~1000:1), with true sizes and CRCs.

    Built without running 1-3 GB through zlib (6 s of CPU for the three-gigabyte one): 1 MiB of zeros is
    deflated once, ended by a full flush so that it refers to nothing before it, and repeated; an empty final
    block closes the stream. The zip records are written here (no zip64 needed: every entry is under 4 GiB)."""
    chunk = bytes(MIB)
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = co.compress(chunk) + co.flush(zlib.Z_FULL_FLUSH)
    final = zlib.compressobj(9, zlib.DEFLATED, -15).flush()
    central = b""
    with open(path, "wb") as f:
        for name, size in {**entries, "SHA256SUMS": 0}.items():
            assert size % MIB == 0 and size < 4 * GB
            crc = 0
            for _ in range(size // MIB):
                crc = zlib.crc32(chunk, crc)
            csize = len(block) * (size // MIB) + len(final)
            fields = struct.pack("<HHHHHIII", 20, 0, 8, 0, 0x21, crc, csize, size)  # version, flags, deflate, time, date
            offset = f.tell()
            f.write(struct.pack("<I", 0x04034B50) + fields + struct.pack("<HH", len(name), 0) + name.encode())
            for _ in range(size // MIB):
                f.write(block)
            f.write(final)
            central += (struct.pack("<IH", 0x02014B50, 20) + fields
                        + struct.pack("<HHHHHII", len(name), 0, 0, 0, 0, 0, offset) + name.encode())
        start = f.tell()
        f.write(central)
        count = len(entries) + 1
        f.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(central), start, 0))


def peak_in_subprocess(body: str, *args: str) -> dict:
    """Run `body` (Python that sets `result`) in a fresh process and return `result` plus peak resident memory
    in MiB (resource.getrusage ru_maxrss): `self_mib` of that Python process, `peak_mib` of the largest process
    in its tree (a browser it started included). The work runs in a child forked from a small interpreter:
    ru_maxrss carries over a parent's size through fork and exec, so a child of the big pytest process would
    report pytest's size, not its own."""
    code = (
        "import json, os, resource, sys\n"
        "r, w = os.pipe()\n"
        "pid = os.fork()\n"
        "if pid == 0:\n"
        "    os.close(r)\n"
        "    result = None\n"
        + "".join(f"    {line}\n" for line in body.strip().splitlines()) +
        "    result['self_mib'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "    os.write(w, json.dumps(result).encode())\n"
        "    os._exit(0)\n"
        "os.close(w)\n"
        "out = b''\n"
        "while chunk := os.read(r, 65536):\n"
        "    out += chunk\n"
        "_, status = os.waitpid(pid, 0)\n"
        "assert status == 0, status\n"
        "result = json.loads(out)\n"
        "result['peak_mib'] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "print(json.dumps(result))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=600,
                          cwd=ROOT, env={**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'tests'}"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _verify_in_subprocess(path: Path) -> dict:
    """verify-package in a fresh process: its verdict, problem codes and peak resident memory (MiB)."""
    return peak_in_subprocess("""
from helper.package.verify_package import verify_package
r = verify_package(sys.argv[1])
result = {'ok': r['ok'], 'codes': sorted({p['code'] for p in r['problems']})}
""", str(path))


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


def test_markdown_in_a_shop_name_is_printed_as_text_in_verify_md(tmp_path):
    """VERIFY.md quoted the shop's name (read from its page) and the order number as they were: a name like
    `[核验入口](http://…)` became a link in the package's instructions, and a backtick ended the code span."""
    import sqlite3

    from helper.core.config import Config
    from helper.package.export import export_order
    from packagedata import make_order

    data = tmp_path / "data"
    store, oid = make_order(data)
    name = "星辰卡铺 [官方核验入口](http://verify.evil.example/) <img src=x onerror=alert(1)>\n# 已通过核验"
    conn = sqlite3.connect(data / "witness.db")
    conn.execute("UPDATE orders SET shop_name=?, order_no=? WHERE id=?", (name, "D8K2`M4Q7", oid))
    conn.commit()
    conn.close()
    out = tmp_path / "case.zip"
    export_order(store, oid, out, Config(data_dir=data), pdf=False)
    store.close()
    with zipfile.ZipFile(out) as zf:
        header = zf.read("VERIFY.md").decode("utf-8").split("## 1.")[0]
    line = next(row for row in header.splitlines() if row.startswith("订单 / Order:"))
    shop = line.split("店铺 / Shop:", 1)[1]
    assert shop.strip() == (r"星辰卡铺 \[官方核验入口\]\(http://verify.evil.example/\) \<img src=x onerror=alert\(1\)\>"
                            r" \# 已通过核验 127.0.0.1")  # one line, every bracket escaped: no link, no HTML, no heading
    assert "# 已通过核验" not in header.replace(r"\# 已通过核验", "")
    assert "`D8K2'M4Q7`" in line  # one code span, not two


@pytest.mark.browser
@pytest.mark.parametrize("printer", ["own_browser", "helpers_browser"])
async def test_break5_report_renders_with_javascript_off_and_only_its_own_folder(tmp_path, secret, printer):
    """Even markup that escaped escaping can neither run nor read a file outside the report's folder: printed by
    a Chromium of its own (the command line) or in the running helper's browser (an export through the API),
    where the report's context is closed afterwards."""
    from playwright.async_api import async_playwright

    from helper.capture.browser import launch_browser
    from helper.package.report import html_to_pdf, print_pdf
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
    if printer == "own_browser":
        pdf.write_bytes(html_to_pdf(page))
    else:
        async with async_playwright() as p:
            browser = await launch_browser(p)
            try:
                await print_pdf(browser, page, pdf)
                assert browser.contexts == []
            finally:
                await browser.close()
    text = _pdf_text(pdf)
    assert "报告" in text and "TOP-SECRET" not in text and "JS-RAN" not in text
    assert _pdf_images(pdf) == 1  # shot.png only


def _noise_png(rng, width: int, height: int) -> bytes:
    """An RGB noise PNG stored uncompressed (deflate level 0, no row filter), written directly: what PIL writes
    with compress_level=0, without its per-row filtering (0.1 s of CPU per image)."""
    import numpy as np

    rows = np.zeros((height, 1 + width * 3), np.uint8)  # each row: filter type 0, then the pixels
    rows[:, 1:] = rng.integers(0, 256, (height, width * 3), dtype=np.uint8)

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows.tobytes(), 0)) + chunk(b"IEND", b""))


@pytest.fixture(scope="module")
def large_case(tmp_path_factory) -> tuple[Path, int]:
    """40 chat captures, each a 1280x1500 noise screenshot stored as it came (5.8 MB): 230 MB of evidence
    that does not compress, as a noise canvas or a flood of snapshots leaves it."""
    import numpy as np

    from helper.store import Store

    data = tmp_path_factory.mktemp("large") / "data"
    store = Store(data)
    order, _ = store.upsert_order("shop.example", "A1", {"url": "https://shop.example/o/A1", "status": "已付款"})
    rng = np.random.default_rng(15)
    for i in range(40):
        store.add_capture(kind="chat", source="url", url="https://shop.example/chat", title=f"客服 {i}",
                          order_id=order["id"], files={"page.png": _noise_png(rng, 1280, 1500),
                                                       "text.txt": f"第 {i} 条".encode()})
    store.close()
    return data, order["id"]


@pytest.mark.browser
@pytest.mark.slow
def test_break3_a_large_case_exports_in_bounded_memory(large_case, tmp_path):
    """Break 3: 87 captures with 337 MB of images could not be exported (the PDF renderer ran out of memory,
    the API export answered 500). Now evidence files stream into the zip, the report shows previews within a
    pixel budget and the PDF streams to disk: the helper stays far below the case's size."""
    data, order_id = large_case
    out = tmp_path / "large.zip"
    got = peak_in_subprocess("""
from helper.core.config import Config
from helper.package.export import export_order
from helper.store import Store
store = Store(sys.argv[1])
s = export_order(store, int(sys.argv[2]), sys.argv[3], Config(data_dir=sys.argv[1]))
result = {'size': s['size'], 'captures': s['captures']}
""", str(data), str(order_id), str(out))
    print("large-case export:", got)
    assert got["captures"] == 40 and got["size"] > 200 * 1024 * 1024
    assert got["self_mib"] < 200, got  # the helper's own process
    assert got["peak_mib"] < 600, got  # any process it started (the printing browser)
    from helper.package.verify_package import verify_package

    assert verify_package(out)["ok"]
    with zipfile.ZipFile(out) as zf:
        (tmp_path / "report.pdf").write_bytes(zf.read("report.pdf"))
    assert _pdf_images(tmp_path / "report.pdf") == 40  # every capture shows, as a preview
    assert "预览" in _pdf_text(tmp_path / "report.pdf")
