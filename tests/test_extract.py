"""Page understanding end to end: fixture pages imitating each shop system and status, extracted to exactly
the expected JSON; bad input; the `witness extract` command; order keys."""

import json
import os
from datetime import datetime
from pathlib import Path

import pytest

from helper.cli import main as witness
from helper.core.clock import CHINA
from helper.understanding import empty_result, extract, extract_text, order_key

PAGES = Path(__file__).parent / "fixtures" / "pages"
NOW = datetime(2026, 11, 27, 15, 0, tzinfo=CHINA)  # the reference time of every expected JSON
FIXTURES = sorted(p for p in PAGES.iterdir() if p.suffix in (".html", ".txt"))

ORDER_KEYS = {"order_no", "product", "amount", "currency", "status", "status_code", "ordered_at", "paid_at",
              "merchant", "delivery_mode", "contact", "payment_method", "quantity", "keys"}


def run(path: Path) -> dict:
    data = path.read_bytes()
    if path.suffix == ".txt":
        return extract_text(data.decode("utf-8"), NOW)
    return extract(data, None, now=NOW)


def check_shape(result: dict) -> None:
    assert set(result) == {"page_kind", "order", "promise", "deadline", "messages", "shop"}
    assert result["page_kind"] in ("order", "chat", "rules", "product", "payment", "login", "loading", "other")
    assert set(result["order"]) == ORDER_KEYS
    assert result["order"]["status_code"] in (
        "unpaid", "paid", "processing", "delivered", "failed", "refunded", "expired", "unknown")
    assert result["order"]["delivery_mode"] in ("auto", "manual", None)
    assert set(result["promise"]) == {"text", "within_seconds", "source"}
    assert set(result["shop"]) == {"name", "icp"}
    for m in result["messages"]:
        assert set(m) == {"sender", "name", "time", "text"}
        assert m["sender"] in ("merchant", "buyer", "system")
    json.dumps(result)  # plain JSON values only


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_fixture_extracts_to_expected_json(path):
    expected = json.loads(path.with_suffix(".json").read_text("utf-8"))
    result = run(path)
    check_shape(result)
    assert result == expected


def test_every_fixture_has_expected_json():
    assert FIXTURES and all(p.with_suffix(".json").exists() for p in FIXTURES)


def test_each_status_is_covered_by_a_fixture():
    codes = {json.loads(p.with_suffix(".json").read_text("utf-8"))["order"]["status_code"] for p in FIXTURES}
    assert {"unpaid", "paid", "processing", "delivered", "failed", "refunded", "expired"} <= codes


def test_gbk_page_without_bom_is_decoded():
    raw = (PAGES / "caihong_gbk.html").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    result = extract(raw, None, now=NOW)
    assert result["order"]["product"] == "快手 双击 10000"
    assert result["shop"] == {"name": "卡盟小站", "icp": "湘ICP备2020098765号"}


def test_gbk_page_with_wrong_declared_charset_still_decodes():
    html = (PAGES / "caihong_gbk.html").read_bytes().replace(b'charset="gbk"', b'charset="utf-8"')
    assert extract(html, None, now=NOW)["order"]["status"] == "待处理"


def test_str_and_bytes_give_the_same_result():
    path = PAGES / "dujiaoka_unicorn_processing.html"
    assert extract(path.read_text("utf-8"), None, now=NOW) == extract(path.read_bytes(), None, now=NOW)


def test_url_supplies_order_number_and_adapter():
    html = "<html><body><div class='order-card'><div>订单状态：处理中</div><div>实际支付价格：¥ 612.00</div></div></body></html>"
    result = extract(html, "https://shop.example.com/detail-order-sn/ABCDEFGH12345678", now=NOW)
    assert result["order"]["order_no"] == "ABCDEFGH12345678"
    assert result["order"]["amount"] == "612.00" and result["page_kind"] == "order"


# --- bad input ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "junk",
    [
        "",
        b"",
        "   \n\t ",
        b"\x00\x01\x02\xff\xfe\xfa" * 1000,
        os.urandom(200_000),
        "<html><body><div><span>未闭合",
        "<" * 10_000,
        "</div>" * 10_000,
        "<!-- 未闭合注释" + "x" * 10_000,
        "<div " + "a=b " * 10_000,
        "<table><tr><td>订单号<td>" * 2000,
    ],
    ids=["empty-str", "empty-bytes", "whitespace", "control-bytes", "random-bytes", "unclosed", "many-lt",
         "stray-close", "open-comment", "many-attrs", "broken-table"],
)
def test_bad_input_gives_a_result_not_an_error(junk):
    result = extract(junk, None, now=NOW)
    check_shape(result)


def test_empty_page_is_the_empty_result():
    assert extract("", None, now=NOW) == empty_result()
    assert extract_text("", NOW) == empty_result()


def test_five_megabytes_of_nested_tags():
    html = "<div><span>" * 460_000 + "订单号：ZZ99887766" + "</span></div>" * 1000
    assert len(html) > 5_000_000
    result = extract(html, None, now=NOW)
    check_shape(result)
    assert result["order"]["order_no"] == "ZZ99887766"


def test_naive_now_is_refused():
    with pytest.raises(ValueError):
        extract("<p>x</p>", None, now=datetime(2026, 11, 27))


# --- the command --------------------------------------------------------------------------------------------------


def test_cli_prints_exactly_the_shape(capsys):
    path = PAGES / "acgfaka_query_waiting.html"
    code = witness(["extract", str(path), "--now", "2026-11-27T15:00:00+08:00", "--json"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out == json.loads(path.with_suffix(".json").read_text("utf-8"))


def test_cli_now_without_offset_is_china_time(capsys):
    path = PAGES / "acgfaka_ticket.html"
    assert witness(["extract", str(path), "--now", "2026-11-27T15:00:00", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == json.loads(path.with_suffix(".json").read_text("utf-8"))


def test_cli_text_mode(capsys):
    path = PAGES / "alipay_bill.txt"
    assert witness(["extract", str(path), "--text", "--now", "2026-11-27T15:00:00+08:00", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == json.loads(path.with_suffix(".json").read_text("utf-8"))


def test_cli_url_option(capsys, tmp_path):
    page = tmp_path / "p.html"
    page.write_text("<p>订单状态：已付款</p>", "utf-8")
    url = "http://127.0.0.1:8765/user/index/query?tradeNo=123261127101010456"
    assert witness(["extract", str(page), "--url", url, "--now", "2026-11-27T15:00:00+08:00", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["order"]["order_no"] == "123261127101010456"


@pytest.mark.parametrize("target", ["missing.html", "."])
def test_cli_unreadable_file_is_a_clear_error(capsys, tmp_path, target):
    code = witness(["extract", str(tmp_path / target), "--json"])
    captured = capsys.readouterr()
    assert code == 2
    assert json.loads(captured.out)["error"]["code"] == "bad_request"
    assert "cannot read file" in captured.err and "Traceback" not in captured.err


def test_cli_bad_now_is_a_usage_error(capsys):
    code = witness(["extract", str(PAGES / "platform_rules.html"), "--now", "昨天", "--json"])
    assert code == 2
    assert "--now" in capsys.readouterr().err


def test_cli_binary_file_still_prints_the_shape(capsys, tmp_path):
    junk = tmp_path / "junk.html"
    junk.write_bytes(os.urandom(50_000))
    assert witness(["extract", str(junk), "--now", "2026-11-27T15:00:00+08:00", "--json"]) == 0
    check_shape(json.loads(capsys.readouterr().out))


# --- order keys ------------------------------------------------------------------------------------------------


def test_order_key_is_lowercased_host_and_order_number():
    facts = {"order": {"order_no": "D8K2M4Q7X1N5R9T3"}}
    assert order_key("https://Shop.Example.COM/detail-order-sn/D8K2M4Q7X1N5R9T3", facts) == (
        "shop.example.com/D8K2M4Q7X1N5R9T3")
    assert order_key("http://127.0.0.1:8765/detail-order-sn/X", facts) == "127.0.0.1:8765/D8K2M4Q7X1N5R9T3"
    assert order_key("https://shop.example.com:443/x", facts["order"]) == "shop.example.com/D8K2M4Q7X1N5R9T3"


@pytest.mark.parametrize(
    "url,facts",
    [(None, {"order": {"order_no": "X1234"}}), ("https://a.example/x", {"order": {"order_no": None}}),
     ("not a url", {"order": {"order_no": "X1234"}}), ("https://a.example/x", None),
     ("http://[::1/x", {"order": {"order_no": "X1234"}})],
)
def test_order_key_unknown(url, facts):
    assert order_key(url, facts) is None
