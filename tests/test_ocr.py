"""OCR acceptance: every timestamp form read and normalised, dark theme, a 20,000 px chat, bad input, CLI JSON.

Images are drawn here with Pillow and the system Noto CJK fonts; OCR runs on the real engines."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from helper.cli import main as witness
from helper.core.clock import CHINA
from helper.understanding import extract_text
from helper.understanding.ocr_lines import timestamps_in_lines
from ocr import OcrError, OcrResult, recognise
from ocr.engines import available

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=CHINA)  # a Friday
FONT_FILE = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


def font(px: int) -> ImageFont.FreeTypeFont:
    for index in range(10):
        f = ImageFont.truetype(FONT_FILE, px, index=index)
        if f.getname()[0] == "Noto Sans CJK SC":
            return f
    raise AssertionError("Noto Sans CJK SC not installed")


def draw_lines(lines, *, px=16, width=560, step=40, bg="white", fg=(60, 60, 60), height=None) -> Image.Image:
    im = Image.new("RGB", (width, height or step * len(lines) + 30), bg)
    d = ImageDraw.Draw(im)
    f = font(px)
    for i, text in enumerate(lines):
        if text is not None:
            d.text((20, 15 + i * step), text, font=f, fill=fg)
    return im


# Each DOMAIN.md form with its value for NOW; None marks a separator or plain line (no timestamp).
FORMS = [
    ("2026-11-20 14:32:05", "2026-11-20T14:32:05"),
    ("2026-5-1 9:05:03", "2026-05-01T09:05:03"),
    ("2026/11/20 14:32", "2026-11-20T14:32:00"),
    ("2026年11月20日 14:32", "2026-11-20T14:32:00"),
    ("2026年11月20日 下午2:32", "2026-11-20T14:32:00"),
    ("11月20日 14:32", "2026-11-20T14:32:00"),
    ("11-20 14:32", "2026-11-20T14:32:00"),
    ("昨天 14:32", "2026-11-26T14:32:00"),
    ("昨天 下午2:32", "2026-11-26T14:32:00"),
    ("前天 14:32", "2026-11-25T14:32:00"),
    ("星期三 09:10", "2026-11-25T09:10:00"),
    ("周三 09:10", "2026-11-25T09:10:00"),
    ("星期三 上午9:10", "2026-11-25T09:10:00"),
    ("2026-11-20T14:32:05.120+08:00", "2026-11-20T14:32:05.120"),
    ("14:32 没有日期分隔线时是今天", "2026-11-27T14:32:00"),
    ("2026-11-20", None),
    ("14:32", "2026-11-20T14:32:00"),
    ("下午2:32", "2026-11-20T14:32:00"),
    ("凌晨1:05", "2026-11-20T01:05:00"),
    ("11月23日", None),
    ("中午12:10 老板在吗", "2026-11-23T12:10:00"),
    ("晚上8:15 付款后5分钟内自动发货", "2026-11-23T20:15:00"),
    ("今天", None),
    ("09:41", "2026-11-27T09:41:00"),
]


def expected(forms):
    return [datetime.fromisoformat(v).replace(tzinfo=CHINA) for _, v in forms if v]


def read_times(image, **kw):
    """OCR (the standalone package), then the helper's reading of its lines."""
    res = recognise(image, **kw)
    return res, timestamps_in_lines(res.lines, NOW)


def test_every_timestamp_form_recognised_and_normalised():
    im = draw_lines([t for t, _ in FORMS])
    res, stamps = read_times(im)
    assert isinstance(res, OcrResult) and res.engine in available()
    assert [t.dt for t in stamps] == expected(FORMS), res.text
    # each timestamp points at the line it came from
    for ts in stamps:
        line = res.lines[ts.line]
        assert ts.text.replace(" ", "") in line.text.replace(" ", "")
        assert line.box[1] <= ts.box[1] + ts.box[3] / 2 <= line.box[1] + line.box[3]
        assert line.box[0] <= ts.box[0] < line.box[0] + line.box[2]
    assert "付款后5分钟内自动发货" in res.text  # no spaces between CJK characters


def test_dark_theme_small_grey_text():
    forms = [FORMS[0], FORMS[8], FORMS[12], FORMS[15], FORMS[17]]
    im = draw_lines([t for t, _ in forms], px=13, step=30, bg=(25, 25, 25), fg=(150, 150, 150))
    res, stamps = read_times(im)
    assert [t.dt for t in stamps] == expected(forms), res.text


def test_tesseract_engine_reads_timestamps():
    forms = [FORMS[0], FORMS[3], FORMS[8], FORMS[11]]
    res, stamps = read_times(draw_lines([t for t, _ in forms], px=15), engine="tesseract")
    assert res.engine == "tesseract"
    assert [t.dt for t in stamps] == expected(forms), res.text


def test_tall_chat_read_in_bands_first_and_last_lines_once():
    n = 40
    lines = [f"第{i:03d}条 已付款 {i % 24:02d}:{i % 60:02d}" for i in range(n)]
    im = draw_lines(lines, px=16, width=360, step=500, height=20_000)
    assert im.height == 20_000
    res = recognise(im)
    found = [ln.text for ln in res.lines if ln.text.startswith("第")]
    assert found[0].replace(" ", "") == lines[0].replace(" ", "")
    assert found[-1].replace(" ", "") == lines[-1].replace(" ", "")
    assert len(found) == n  # nothing lost or doubled in band overlaps
    assert [ln.box[1] for ln in res.lines] == sorted(ln.box[1] for ln in res.lines)
    assert res.lines[-1].box[1] > 19_000  # boxes are in input pixels


def _png_bytes(im: Image.Image) -> bytes:
    import io

    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda p: b"", id="empty-bytes"),
        pytest.param(lambda p: (p / "empty.png").write_bytes(b"") and None or p / "empty.png", id="empty-file"),
        pytest.param(lambda p: _png_bytes(Image.new("RGB", (1, 1), "white")), id="1x1"),
        pytest.param(lambda p: _png_bytes(draw_lines(["2026-11-20 14:32"]))[:200], id="corrupt-png"),
        pytest.param(lambda p: b"hello, not an image\n" * 10, id="non-image"),
        pytest.param(lambda p: p / "missing.png", id="missing-file"),
        pytest.param(lambda p: 42, id="wrong-type"),
    ],
)
def test_unreadable_input_raises_ocr_error(tmp_path, make):
    with pytest.raises(OcrError):
        recognise(make(tmp_path))


def test_unknown_engine_refused():
    with pytest.raises(OcrError):
        recognise(draw_lines(["14:32"]), engine="nope")


def test_path_and_bytes_and_image_agree(tmp_path):
    im = draw_lines(["订单号：2026112014320512", "2026-11-20 14:32:05 已付款"])
    path = tmp_path / "shot.png"
    im.save(path)
    a, b, c = (recognise(x) for x in (path, path.read_bytes(), im))
    assert a.to_json() == b.to_json() == c.to_json()


def test_fields_from_ocr_text():
    im = draw_lines(["订单详情", "订单号：JZNXYALLGT9LK433", "订单创建时间：2026-11-20 14:32:05",
                     "实际支付价格：¥99.50", "订单状态：待处理"])
    facts = extract_text(recognise(im).text, NOW)
    assert facts["order"]["order_no"] == "JZNXYALLGT9LK433"
    assert facts["order"]["amount"] == "99.50"
    assert facts["order"]["ordered_at"].startswith("2026-11-20T14:32:05")


def test_cli_json_shape(tmp_path, capsys):
    path = tmp_path / "chat.png"
    draw_lines(["昨天 下午2:32", "老板在吗？我刚付款了"]).save(path)
    assert witness(["ocr", str(path), "--now", "2026-11-27T15:00:00+08:00", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"engine", "text", "lines", "timestamps"}
    assert all(set(ln) == {"text", "box", "conf"} and len(ln["box"]) == 4 for ln in out["lines"])
    assert [t["iso"] for t in out["timestamps"]] == ["2026-11-26T14:32:00.000+08:00"]
    assert set(out["timestamps"][0]) >= {"text", "iso", "box"}


def test_cli_unreadable_image_exit_1(tmp_path, capsys):
    path = tmp_path / "notes.png"
    path.write_text("not an image")
    assert witness(["ocr", str(path), "--json"]) == 1
    captured = capsys.readouterr()
    assert json.loads(captured.out)["error"]["code"] == "ocr_failed"
    assert "not an image" in captured.err


def test_rapidocr_runs_without_any_network(tmp_path):
    """The rapidocr models ship in its wheel: reading works in a process that has no network at all."""
    import shutil
    import subprocess
    import sys

    if "rapidocr" not in available():
        pytest.skip("rapidocr not installed")
    if not shutil.which("unshare") or subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode:
        pytest.skip("cannot make a network namespace here (needs root)")
    path = tmp_path / "t.png"
    draw_lines(["昨天 下午2:32"]).save(path)
    code = (
        "from ocr import recognise;"
        f"r = recognise({str(path)!r}, engine='rapidocr');"
        "print(r.lines[0].text)"
    )
    out = subprocess.run(["unshare", "-n", sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().replace(" ", "") == "昨天下午2:32"
