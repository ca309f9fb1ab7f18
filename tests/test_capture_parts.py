"""Pure parts of the capture engine: URL check, PNG stream, stamp text, environment record, staging."""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
from PIL import Image

from helper.capture.desktop import parse_region
from helper.capture.environment import clock_offset, hosts_entries, proxy_settings
from helper.capture.pngout import PngStream
from helper.capture.stamp import render_strip, stamp_lines
from helper.capture.urls import check_url
from helper.core.errors import BadRequest, CaptureError
from helper.capture.evidence_browser import should_run_headless, stage_extension


@pytest.mark.parametrize("url", ["https://shop.example/detail-order-sn/X", "http://127.0.0.1:8080/", " HTTP://A.B/c "])
def test_http_urls_pass(url):
    assert check_url(url) == url.strip()


@pytest.mark.parametrize("url", ["file:///etc/passwd", "chrome://version", "data:,x", "javascript:void(0)",
                                 "about:blank", "blob:http://a/1", "ws://a/", "shop.example/x", "", "http:///x"])
def test_other_schemes_refused(url):
    with pytest.raises(BadRequest) as e:
        check_url(url)
    assert e.value.status == 400


def test_png_stream_round_trip_with_tail():
    rng = np.random.default_rng(7)
    blocks = [rng.integers(0, 256, (h, 37, 3), dtype=np.uint8) for h in (5, 1, 16)]
    tail = rng.integers(0, 256, (4, 37, 3), dtype=np.uint8)
    stream = PngStream(37)
    for b in blocks:
        stream.add(b)
    page, stamped = stream.finish(tail)
    whole = np.concatenate(blocks)
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(page))), whole)
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(stamped))), np.concatenate([whole, tail]))
    # A block one pixel wider or narrower (rounding) is cropped or padded, never skewed.
    stream.add(np.zeros((2, 38, 3), np.uint8))
    stream.add(np.zeros((2, 36, 3), np.uint8))
    assert Image.open(io.BytesIO(stream.finish()[0])).size == (37, 26)


def test_png_stream_refuses_empty():
    with pytest.raises(CaptureError):
        PngStream(10).finish()
    with pytest.raises(CaptureError):
        PngStream(0)


def test_stamp_lines_show_both_times_and_hash():
    at = datetime(2026, 11, 27, 6, 0, 5, tzinfo=timezone.utc)
    lines = dict(stamp_lines(captured_at=at, url="https://s/x", title="订单详情", order_no="D8K2M4Q7X1N5R9T3",
                             capture_uuid="u-1", page_sha256="ab" * 32, kind="order"))
    assert lines["取证时间 Captured"].startswith("2026-11-27 14:00:05 北京时间")
    assert "2026-11-27 06:00:05 UTC" in lines["取证时间 Captured"]
    assert lines["订单号 Order"] == "D8K2M4Q7X1N5R9T3" and lines["page.png SHA-256"] == "ab" * 32
    assert "u-1" in lines["取证编号 Capture ID"]


def test_strip_wraps_long_values_and_fits_narrow_images():
    lines = [("网址 URL", "https://shop.example/" + "x" * 400), ("page.png SHA-256", "f" * 64)]
    wide, narrow = render_strip(1280, lines), render_strip(300, lines)
    assert wide.shape[1] == 1280 and narrow.shape[1] == 300
    assert narrow.shape[0] > wide.shape[0]  # labels above values, values wrapped


def test_proxy_settings_both_cases():
    env = {"HTTPS_PROXY": "http://10.0.0.1:3128", "no_proxy": "localhost", "PATH": "/bin", "http_proxy": ""}
    assert proxy_settings(env) == {"HTTPS_PROXY": "http://10.0.0.1:3128", "no_proxy": "localhost"}


def test_hosts_entries_report_only_non_default():
    text = """127.0.0.1\tlocalhost
::1     localhost ip6-localhost ip6-loopback
ff02::1 ip6-allnodes
127.0.1.1 mybox.lan mybox
# 1.2.3.4 commented.example
203.0.113.9  shop.example  www.shop.example  # pinned!
"""
    assert hosts_entries(text, hostname="mybox") == [{"ip": "203.0.113.9", "names": ["shop.example", "www.shop.example"]}]


def test_clock_offset_against_date_header():
    sent = datetime(2026, 11, 27, 6, 0, 0, tzinfo=timezone.utc)
    got = clock_offset("Fri, 27 Nov 2026 06:00:03 GMT", sent, sent + timedelta(seconds=2))
    assert got["offset_s"] == 2.0 and got["round_trip_s"] == 2.0


def test_parse_region():
    assert parse_region("10,20,300,200") == {"left": 10, "top": 20, "width": 300, "height": 200}
    assert parse_region(None) is None
    for bad in ("1,2,3", "a,b,c,d", "0,0,0,10", "-1,0,5,5"):
        with pytest.raises(BadRequest):
            parse_region(bad)


def test_headless_choice():
    assert should_run_headless(True, env={"DISPLAY": ":0"}, platform="linux")
    assert should_run_headless(False, env={}, platform="linux")
    assert not should_run_headless(False, env={"DISPLAY": ":0"}, platform="linux")
    assert not should_run_headless(False, env={}, platform="darwin")


def test_staged_extension_has_no_underscore_names(tmp_path):
    src = tmp_path / "src"
    (src / "extension" / "__pycache__").mkdir(parents=True)
    (src / "extension" / "sw").mkdir()
    (src / "_locales" / "zh_CN").mkdir(parents=True)
    (src / "manifest.json").write_text("{}")
    (src / "extension" / "sw" / "main.js").write_text("//")
    (src / "extension" / "__pycache__" / "x.pyc").write_bytes(b"")
    (src / "extension" / "_tmp.js").write_text("//")
    (src / "_locales" / "zh_CN" / "messages.json").write_text("{}")
    (src / "helper").mkdir()
    out = stage_extension(src, tmp_path / "staged")
    names = sorted(str(p.relative_to(out)) for p in out.rglob("*"))
    assert names == ["_locales", "_locales/zh_CN", "_locales/zh_CN/messages.json", "extension", "extension/sw",
                     "extension/sw/main.js", "manifest.json"]
    stage_extension(src, tmp_path / "staged")  # again: replaced cleanly
    with pytest.raises(Exception):
        stage_extension(tmp_path / "nothing", tmp_path / "staged2")


def _paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else (b if pb <= pc else c)


def _png_with_filter(pixels: np.ndarray, ftype: int) -> bytes:
    """A PNG whose every scanline uses filter `ftype` (a reference encoder, slow, for small images)."""
    from helper.capture.pngout import png_bytes

    h, w, _ = pixels.shape
    rows = pixels.reshape(h, w * 3).astype(int)
    out = bytearray()
    for y in range(h):
        prior = rows[y - 1] if y else np.zeros(w * 3, int)
        out.append(ftype)
        for i in range(w * 3):
            x, a, b = rows[y][i], rows[y][i - 3] if i >= 3 else 0, prior[i]
            c = prior[i - 3] if i >= 3 else 0
            pred = [0, a, b, (a + b) // 2, _paeth(a, b, c)][ftype]
            out.append((x - pred) % 256)
    return png_bytes(w, h, __import__("zlib").compress(bytes(out)))


@pytest.mark.parametrize("ftype", [0, 1, 2, 3, 4])
def test_screenshot_tiles_join_without_decoding_whatever_their_filters(ftype):
    rng = np.random.default_rng(ftype)
    a, b = (rng.integers(0, 256, (h, 6, 3), dtype=np.uint8) for h in (3, 4))
    stream = PngStream(6)
    stream.add_png(_png_with_filter(a, ftype))
    stream.add_png(_png_with_filter(b, ftype))
    page, _ = stream.finish()
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(page))), np.concatenate([a, b]))


def test_tiles_of_another_layout_are_decoded():
    rgba = Image.new("RGBA", (6, 2), (10, 20, 30, 255))
    buf = io.BytesIO()
    rgba.save(buf, "PNG")
    stream = PngStream(6)
    stream.add_png(buf.getvalue())
    assert Image.open(io.BytesIO(stream.finish()[0])).convert("RGB").getpixel((5, 1)) == (10, 20, 30)
    with pytest.raises(CaptureError):
        PngStream(6).add_png(b"not a png")
