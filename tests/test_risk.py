"""The pre-payment risk check (issue 16), pure: fixture product and checkout pages in the structure of dujiaoka,
acg-faka and 彩虹 (each fixture names the template it follows), every signal in both directions, the ICP
format rules, the price table, the buyer's history given as data, and bad input."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from helper.understanding import risk
from helper.understanding import risk_tables as T

PAGES = Path(__file__).parent / "fixtures" / "risk"
CHINA = timezone(timedelta(hours=8))
NOW = datetime(2026, 11, 27, 15, 0, tzinfo=CHINA)

# fixture: (url, page role, level, signal codes that must be there, codes that must not)
CASES = {
    "dujiaoka_luna_buy_steam.html": (
        "https://xingchenka.com/buy/12", "product", "低",
        {"icp_shown", "pay_platform", "after_sales_shown", "promise_shown", "price_near_face"},
        {"icp_missing", "icp_domain_mismatch", "no_contact", "no_shop_name", "http_only", "promise_missing"}),
    "dujiaoka_luna_bill.html": (
        "https://xingchenka.com/bill/K7Q2M9X4T1B8C3D5", "checkout", "低",
        {"icp_shown", "pay_platform", "after_sales_shown", "price_near_face"}, {"promise_shown"}),
    "dujiaoka_luna_buy_cheap_points.html": (
        "http://mengtu.top/buy/2", "product", "高",
        {"icp_missing", "price_far_below_face", "http_only", "after_sales_missing", "pay_platform"},
        {"icp_shown", "no_contact"}),
    "dujiaoka_hyper_buy_notice.html": (
        "https://www.jiguangfk.com/buy/4", "product", "低",
        {"pay_warning_notice", "pay_platform", "after_sales_shown", "promise_shown", "icp_shown"},
        {"pay_transfer_to_account", "pay_personal_qr", "icp_domain_mismatch"}),
    "caihong_store_buy_qb.html": (
        "https://yunmengdc.top/?mod=buy&tid=8", "product", "中",
        {"icp_format_bad", "price_well_below_face", "after_sales_shown", "pay_unknown"}, {"icp_shown"}),
    "caihong_store_order_checkout.html": (
        "https://yunmengdc.top/?mod=order&orderid=20261127100512345", "checkout", "高",
        {"pay_platform", "price_well_below_face", "no_contact", "after_sales_missing"}, {"pay_unknown"}),
    "acgfaka_item_personal_pay.html": (
        "https://shop.acg-station.top/item/31", "product", "高",
        {"pay_via_chat_app", "pay_transfer_to_account", "icp_domain_mismatch", "price_far_below_face"},
        {"pay_platform"}),
    "acgfaka_item_usdt.html": (
        "https://novakeys.shop/item/5", "product", "高",
        {"pay_usdt_address", "price_below_face", "after_sales_shown", "icp_missing"}, {"pay_usdt", "pay_platform"}),
    "dujiaoka_hyper_bill_usdt.html": (
        "https://www.jiguangfk.com/bill/Z3X8C1V6B9N2M4Q7", "checkout", "中",
        {"pay_usdt", "icp_shown", "after_sales_shown", "price_near_face"}, {"pay_unknown", "pay_usdt_address"}),
    "caihong_store_order_personal_qr.html": (
        "https://chengzikm.cn/?mod=order&orderid=20261127100512345", "checkout", "高",
        {"pay_personal_qr", "price_below_face", "icp_missing", "no_contact"}, {"pay_platform", "pay_unknown"}),
    "generic_throwaway_monthcard.html": (
        "http://45.207.12.9:8080/buy/3", "product", "高",
        {"no_shop_name", "no_contact", "http_only", "ip_host", "promise_missing", "price_far_below_face"},
        {"icp_domain_mismatch"}),
}


def codes(result: dict) -> set[str]:
    return {s["code"] for s in result["signals"]}


def test_every_fixture_is_covered_and_names_its_source():
    files = {p.name for p in PAGES.glob("*.html")}
    assert files == set(CASES)
    for name in files:
        head = (PAGES / name).read_text("utf-8")[:1200]
        assert "structure of" in head or "Structure follows" in head, name


@pytest.mark.parametrize("name", sorted(CASES))
def test_fixture_signals(name):
    url, role, level, present, absent = CASES[name]
    result = risk.assess((PAGES / name).read_bytes(), url, now=NOW)
    assert result["applies"] and result["page"] == role
    assert present <= codes(result), codes(result)
    assert not (absent & codes(result)), absent & codes(result)
    assert result["level"] == level, result["reasons"]
    for s in result["signals"]:
        assert s["group"] in risk.GROUPS and s["tone"] in ("good", "info", "warn", "strong")
        if s["tone"] in ("warn", "strong", "good") and s["group"] != "history":
            assert s["evidence"] and (s["evidence"]["text"] or s["evidence"]["element"]), s
        assert "骗子" not in s["zh"] and "诈骗犯" not in s["zh"]


def test_every_signal_comes_in_both_directions_across_the_fixtures():
    seen = set()
    for name, (url, *_rest) in CASES.items():
        seen |= codes(risk.assess((PAGES / name).read_bytes(), url, now=NOW))
    pairs = [("icp_shown", "icp_missing"), ("icp_shown", "icp_format_bad"), ("pay_platform", "pay_via_chat_app"),
             ("pay_warning_notice", "pay_transfer_to_account"), ("pay_usdt_address", "pay_platform"),
             ("pay_personal_qr", "pay_usdt"), ("pay_unknown", "pay_platform"),
             ("after_sales_shown", "after_sales_missing"), ("promise_shown", "promise_missing"),
             ("price_near_face", "price_far_below_face"), ("price_below_face", "price_well_below_face"),
             ("no_shop_name", "icp_shown"), ("no_contact", "pay_platform"), ("http_only", "icp_domain_mismatch")]
    for a, b in pairs:
        assert a in seen and b in seen, (a, b)


def test_evidence_is_the_text_on_the_page():
    html = (PAGES / "acgfaka_item_personal_pay.html").read_text("utf-8")
    result = risk.assess(html, "https://shop.acg-station.top/item/31", now=NOW)
    chat = next(s for s in result["signals"] if s["code"] == "pay_via_chat_app")
    assert "加客服QQ 1787654321 付款" in chat["evidence"]["text"]
    assert chat["evidence"]["element"].endswith("div.panel-body > p")
    icp = next(s for s in result["signals"] if s["code"] == "icp_domain_mismatch")
    assert "acgstation.cn" in icp["zh"] and "shop.acg-station.top" in icp["zh"]


# --- ICP format ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["粤ICP备2024051234号-1", "京ICP证030173号", "浙ICP备19023845号", "沪ICP备2023001234号-12",
                                  "苏 ICP 备 2021012345 号 - 2"])
def test_valid_icp_numbers(text):
    icp = risk.parse_icp(f"© 2025 某某 {text}", NOW)
    assert icp["valid"], icp["problems"]
    assert icp["lookup"]["url"] == "https://beian.miit.gov.cn/" and icp["lookup"]["key"].endswith("号")


@pytest.mark.parametrize("text, problem", [
    ("中ICP备2024051234号", "简称"),
    ("粤ICP2024051234号", "备"),
    ("粤ICP备2027051234号", "2027"),      # a filing year after `now`
    ("粤ICP备2024号", "8 位或 10 位"),
    ("京ICP证0301731号", "6 位"),
    ("粤ICP备2024051234", "号"),
    ("粤ICP备2024051234号-0", "序号"),
    ("ICP备案中", "简称"),
])
def test_malformed_icp_numbers(text, problem):
    icp = risk.parse_icp(text, NOW)
    assert not icp["valid"]
    assert any(problem in p for p in icp["problems"]), icp["problems"]


def test_icp_year_is_judged_against_now():
    assert not risk.parse_icp("粤ICP备2027051234号", NOW)["valid"]
    assert risk.parse_icp("粤ICP备2027051234号", NOW.replace(year=2027))["valid"]


def page_with_footer(footer: str) -> str:
    return f"<html><head><title>测试店</title></head><body><p>立即购买</p><footer>{footer}</footer></body></html>"


@pytest.mark.parametrize("url, footer, mismatch", [
    ("https://www.xcka.cn/buy/1", "© xcka.cn 粤ICP备2024051234号-1", False),
    ("https://shop.xcka.com.cn/buy/1", "© www.xcka.com.cn 粤ICP备2024051234号-1", False),
    ("https://xcka-shop.top/buy/1", "© xcka.cn 粤ICP备2024051234号-1", True),
    ("https://a.xcka.com.cn/buy/1", "© b.com.cn 粤ICP备2024051234号-1", True),
    ("https://xcka-shop.top/buy/1", "客服邮箱 kf@qq.com 粤ICP备2024051234号-1 <a href='https://beian.miit.gov.cn/'>beian.miit.gov.cn</a>", False),
    ("http://10.0.0.5/buy/1", "© xcka.cn 粤ICP备2024051234号-1", False),
])
def test_domain_next_to_the_filing(url, footer, mismatch):
    result = risk.assess(page_with_footer(footer), url, now=NOW)
    assert ("icp_domain_mismatch" in codes(result)) is mismatch


# --- payment, price, history, level -------------------------------------------------------------------------

@pytest.mark.parametrize("text, code", [
    ("请加微信 kaka888 付款后发货", "pay_via_chat_app"),
    ("联系QQ：123456 转账购买", "pay_via_chat_app"),
    ("转账至银行卡 6222 0000 1111 2222 即可", "pay_transfer_to_account"),
    ("支付宝账号：shop@163.com", "pay_transfer_to_account"),
    ("扫描下方个人收款码付款", "pay_personal_qr"),
    ("USDT(TRC20) 地址 TQ5mKx9vLr2nB7wXc4Yd8Hf3Jp6Gs1Zt2a", "pay_usdt_address"),
    ("ERC20 USDT: 0x52908400098527886E0F7030069857D2E4169EE7", "pay_usdt_address"),
    ("支持 USDT 付款", "pay_usdt"),
])
def test_personal_payment_routes(text, code):
    result = risk.assess(f"<html><body><p>立即购买</p><p>{text}</p></body></html>", "https://s.example/b", now=NOW)
    assert code in codes(result)
    assert result["level"] == ("中" if code == "pay_usdt" else "高") or result["level"] == "高"


def test_a_personal_qr_code_named_only_in_an_image_alt():
    html = "<html><body><p>确认订单</p><img src='q.jpg' alt='店长个人收款码'></body></html>"
    result = risk.assess(html, "https://s.example/b", now=NOW)
    qr = next(s for s in result["signals"] if s["code"] == "pay_personal_qr")
    assert qr["evidence"]["text"] == "店长个人收款码" and "alt" in qr["evidence"]["element"]


@pytest.mark.parametrize("text", ["请勿私下转账付款", "谨防有人冒充客服要求加微信付款", "本站不支持转账到个人账号"])
def test_a_warning_against_private_payment_is_not_a_request_for_one(text):
    result = risk.assess(f"<html><body><p>立即购买</p><p>{text}</p></body></html>", "https://s.example/b", now=NOW)
    assert "pay_warning_notice" in codes(result)
    assert not any(s["tone"] == "strong" for s in result["signals"] if s["group"] == "payment")


@pytest.mark.parametrize("product, price, code", [
    ("Steam 钱包 100 元", "49.00", "price_far_below_face"),
    ("Steam钱包充值卡 100元", "75", "price_well_below_face"),
    ("Q币 100", "85", "price_below_face"),
    ("100Q币", "99.5", "price_near_face"),
    ("王者荣耀 648 点券", "588.00", "price_near_face"),
    ("和平精英 6000 点券", "200", "price_far_below_face"),   # 6000 点券 = 600 元
    ("原神 月卡", "28", "price_near_face"),
    ("移动话费 100元", "60", "price_well_below_face"),
])
def test_price_against_face_value_table(product, price, code):
    html = f"<html><body><h1>{product}</h1><div class='price'>¥{price}</div><p>立即购买</p></body></html>"
    result = risk.assess(html, "https://s.example/b", now=NOW)
    assert code in codes(result), result["offer"]


def test_no_face_value_no_price_signal():
    html = "<html><body><h1>腾讯视频VIP 月卡</h1><div class='price'>¥5</div><p>立即购买</p></body></html>"
    result = risk.assess(html, "https://s.example/b", now=NOW)
    assert not any(s["group"] == "price" for s in result["signals"])
    assert result["offer"]["face_value"] is None and result["offer"]["price"] == "5"


def test_thresholds_each_have_a_reason_and_are_ordered():
    bounds = [r["below"] for r in T.PRICE_THRESHOLDS]
    assert bounds[-1] is None and bounds[:-1] == sorted(bounds[:-1])
    assert all(r["zh"] and r["en"] for r in T.PRICE_THRESHOLDS)
    assert all(r["why"] for r in T.FACE_VALUES)


HISTORY = [
    {"id": 1, "shop_host": "xingchenka.com", "shop_name": "星辰数卡", "shop_icp": "粤ICP备2023117465号-1",
     "order_no": "A1", "product": "Steam 100", "status_code": "delivered", "deadline": "2026-11-01T10:05:00+08:00"},
    {"id": 2, "shop_host": "other.example", "shop_name": "星辰数卡", "shop_icp": None,
     "order_no": "A2", "product": "Q币", "status_code": "paid", "deadline": "2026-11-27T10:05:00+08:00"},
    {"id": 3, "shop_host": "mirror.example", "shop_name": None, "shop_icp": "粤ICP备2023117465号-2",
     "order_no": "A3", "product": "点券", "status_code": "refunded", "deadline": None, "was_overdue": True},
    {"id": 4, "shop_host": "unrelated.example", "shop_name": "别家", "shop_icp": None,
     "order_no": "B1", "product": "x", "status_code": "paid", "deadline": "2026-11-20T10:00:00+08:00"},
]


def test_history_matches_host_name_or_icp_and_counts_outcomes():
    html = (PAGES / "dujiaoka_luna_buy_steam.html").read_bytes()
    result = risk.assess(html, "https://xingchenka.com/buy/12", now=NOW, history=HISTORY)
    h = result["history"]
    assert h["orders"] == 3 and h["matched_by"] == ["host", "icp", "name"]
    assert h["overdue_now"] == 1 and h["was_overdue"] == 2
    assert h["outcomes"] == {"delivered": 1, "refunded": 1, "failed": 0, "expired": 0, "open": 1}
    assert "history_overdue" in codes(result) and result["level"] == "高"
    # the same shop, before the second order went overdue: trouble (a refund after an overdue), not overdue now
    earlier = risk.assess(html, "https://xingchenka.com/buy/12", now=datetime(2026, 11, 27, 10, 0, tzinfo=CHINA),
                          history=HISTORY)
    assert "history_trouble" in codes(earlier) and earlier["level"] == "中"
    good = risk.assess(html, "https://xingchenka.com/buy/12", now=NOW, history=HISTORY[:1])
    assert "history_ok" in codes(good) and good["level"] == "低"
    assert "history_none" in codes(risk.assess(html, "https://xingchenka.com/buy/12", now=NOW, history=[]))


def test_level_rule():
    s = lambda tone: {"tone": tone}
    assert risk.level_of([s("good"), s("info")]) == "low"
    assert risk.level_of([s("warn"), s("warn")]) == "medium"
    assert risk.level_of([s("warn")] * 3) == "high"
    assert risk.level_of([s("strong")]) == "high"


def test_paid_order_pages_and_chats_get_no_card():
    order = Path(__file__).parent / "fixtures" / "pages" / "dujiaoka_unicorn_processing.html"
    result = risk.assess(order.read_bytes(), "https://shop.example/detail-order-sn/X", now=NOW)
    assert not result["applies"] and result["page"] is None
    assert result["signals"]  # the check still runs (the CLI shows it)
    chat = Path(__file__).parent / "fixtures" / "pages" / "acgfaka_ticket.html"
    assert not risk.assess(chat.read_bytes(), "https://shop.example/user/ticket/1", now=NOW)["applies"]


def test_corpus_pages_get_the_card_only_before_payment():
    """The page-understanding corpus (real systems' markup): product pages get the card; chats, sign-in and
    loading screens and orders that are no longer unpaid do not."""
    import json

    for page in sorted((Path(__file__).parent / "corpus").glob("*/*.html")):
        want = json.loads(page.with_name(page.name[:-5] + ".expect.json").read_text("utf-8"))
        fields = want.get("fields", {})
        result = risk.assess(page.read_bytes(), want.get("url") or "https://shop.example/", now=NOW)
        if fields.get("page_kind") == "product":
            assert result["page"] == "product", page.name
        elif fields.get("page_kind") != "order" or fields.get("status_code") not in ("unpaid", None):
            assert not result["applies"], (page.name, result["page"])


@pytest.mark.parametrize("junk", [b"", b"\x00\xff\xfe" * 1000, "<" * 50_000, "<div>" * 20_000])
def test_junk_pages_do_not_crash(junk):
    result = risk.assess(junk, "https://s.example/", now=NOW)
    assert result["level"] in ("低", "中", "高") and not result["applies"]


def test_bad_arguments():
    with pytest.raises(ValueError):
        risk.assess("<p>x</p>", None, now=datetime(2026, 11, 27))
    with pytest.raises(TypeError):
        risk.assess(None, None, now=NOW)
    assert risk.assess("<p>立即购买</p>", None, now=NOW)["shop"]["host"] is None


def test_offer_facts_and_content_hash_ignore_clock_times():
    html = (PAGES / "dujiaoka_luna_buy_steam.html").read_text("utf-8")
    a = risk.offer_facts(html, "https://xingchenka.com/buy/12", now=NOW)
    assert a["product"] == "Steam 钱包 100 元充值码" and a["price"] == "96.00" and a["face_value"] == "100"
    assert a["promise"]["text"].startswith("付款后5分钟内自动发货") and a["promise"]["within_seconds"] == 300
    assert a["shop"] == {"host": "xingchenka.com", "name": "星辰数卡", "icp": "粤ICP备2023117465号-1"}
    tick = lambda t: risk.offer_facts(html.replace("</body>", f"<p>距活动结束 {t}，当前时间 2026-11-27 {t}</p></body>"),
                                      "https://xingchenka.com/buy/12", now=NOW)["content_sha256"]  # noqa: E731
    assert tick("04:59:12") == tick("00:03:07") != a["content_sha256"]
    edited = html.replace("付款后5分钟内自动发货", "付款后24小时内发货")
    b = risk.offer_facts(edited, "https://xingchenka.com/buy/12", now=NOW)
    assert b["content_sha256"] != a["content_sha256"] and b["promise"]["within_seconds"] == 86400


@pytest.mark.parametrize("a, b, same", [
    ("Steam 钱包 100 元充值码", "Steam钱包100元充值码", True),
    ("王者荣耀 648 点券", "王者荣耀 648 点券 秒充", True),
    ("Q币 100", "Q币 10", False),
    ("", "x", False), (None, None, False),
])
def test_same_goods(a, b, same):
    assert risk.same_goods(a, b) is same
