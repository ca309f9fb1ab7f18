"""The generic reader (issue 12): pages read with no site rule. `known_sites=False` switches the known-site table off,
as the corpus benchmark does."""

from datetime import datetime
from pathlib import Path

import pytest

from helper.core.clock import CHINA
from helper.understanding import extract

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=CHINA)


def test_site_switch_turns_the_site_table_off():
    url = "http://127.0.0.1:8765/user/index/query?tradeNo=123261127101010456"
    page = "<p>订单状态：已付款</p>"
    assert extract(page, url, now=NOW)["order"]["order_no"] == "123261127101010456"  # the acg-faka rule's URL pattern
    assert extract(page, url, now=NOW, known_sites=False)["order"]["order_no"] is None


# --- the acceptance thread: acg-faka's Cartoon ticket (tests/corpus/tuning) -----------------------------------

CORPUS = Path(__file__).parent / "corpus" / "tuning"
TICKET_NOW = datetime(2026, 11, 26, 22, 30, tzinfo=CHINA)


@pytest.mark.parametrize("known_sites", [True, False])
def test_acgfaka_ticket_reads_five_messages_with_roles_and_times(known_sites):
    html = (CORPUS / "acgfaka_cartoon_ticket_clock.html").read_bytes()
    r = extract(html, "https://shop.example/user/ticket/detail?id=2047", now=TICKET_NOW, known_sites=known_sites)
    assert r["page_kind"] == "chat"
    assert [(m["sender"], m["name"], m["time"]) for m in r["messages"]] == [
        ("buyer", "阿杰不熬夜", "2026-11-26T20:35:12.000+08:00"),
        ("merchant", "店长", "2026-11-26T20:41:03.000+08:00"),
        ("buyer", "阿杰不熬夜", "2026-11-26T20:44:27.000+08:00"),
        ("merchant", "店长", "2026-11-26T20:46:50.000+08:00"),
        ("buyer", "阿杰不熬夜", "2026-11-26T21:32:18.000+08:00"),
    ]
    texts = " ".join(m["text"] for m in r["messages"])
    assert "support_agent" not in texts and "person" not in texts and "官方客服" not in texts
    assert r["messages"][1]["text"] == "亲，收到，这单是人工代充，今天21点前给你处理，先别登录游戏哦。"


# --- one signal at a time ---------------------------------------------------------------------------------


def roles_of(items: str, **kw) -> list[str]:
    return [m["sender"] for m in extract(f"<div class='log'>{items}</div>", None, now=NOW, **kw)["messages"]]


def test_class_tokens_name_the_sides():
    items = ("<div class='row chatBoxMe'><span class='t'>10:01</span><p>在吗</p></div>"
             "<div class='row kefu'><span class='t'>10:02</span><p>在的</p></div>"
             "<div class='row msg-right'><span class='t'>10:03</span><p>发货了吗</p></div>")
    assert roles_of(items) == ["buyer", "merchant", "buyer"]


def test_badge_words_mark_the_merchant_and_the_rest_are_the_buyer():
    items = ("<div class='m'><b class='name'>小明</b><span class='time'>10:01</span><p>在吗</p></div>"
             "<div class='m'><b class='name'>阿狸</b><i class='tag'>掌柜</i><span class='time'>10:02</span><p>在</p></div>"
             "<div class='m'><b class='name'>小明</b><span class='time'>10:03</span><p>好</p></div>")
    assert roles_of(items) == ["buyer", "merchant", "buyer"]


def test_data_attributes_name_the_sides():
    items = ("<div data-from='visitor'><p>发货了吗</p><small>10:01</small></div>"
             "<div data-from='operator'><p>马上</p><small>10:02</small></div>")
    assert roles_of(items) == ["buyer", "merchant"]


def test_own_name_in_the_header_marks_the_buyer():
    html = ("<header><span class='user-name'>阿杰</span></header><div class='log'>"
            "<div class='m'><b class='nick'>阿杰</b><span class='time'>10:01</span><p>在吗</p></div>"
            "<div class='m'><b class='nick'>小七</b><span class='time'>10:02</span><p>在的</p></div></div>")
    assert [m["sender"] for m in extract(html, None, now=NOW)["messages"]] == ["buyer", "merchant"]


def test_layout_boxes_give_the_side_when_the_markup_does_not():
    items = ("<div class='m'><span class='time'>10:01</span><p>在吗</p></div>"
             "<div class='m'><span class='time'>10:02</span><p>在的</p></div>"
             "<div class='m'><span class='time'>10:03</span><p>发货了吗</p></div>")
    # html/body/div.log/div.m: paths "1/0/0", "1/0/1", "1/0/2"
    layout = {"width": 1000, "boxes": {"1/0/0": [600, 0, 300, 40], "1/0/1": [40, 50, 300, 40],
                                       "1/0/2": [620, 100, 280, 40]}}
    assert roles_of(items, layout=layout) == ["buyer", "merchant", "buyer"]


def test_centred_separators_date_the_bare_times_below():
    items = ("<div class='sep'>星期一 21:10</div>"
             "<div class='m me'><p>在吗</p></div><div class='m other'><p>在</p></div>"
             "<div class='sep'>昨天</div><div class='m me'><span class='time'>09:05</span><p>好了吗</p></div>")
    msgs = extract(f"<div class='log'>{items}</div>", None, now=NOW)["messages"]
    assert [m["time"] for m in msgs] == ["2026-11-23T21:10:00.000+08:00", "2026-11-23T21:10:00.000+08:00",
                                         "2026-11-26T09:05:00.000+08:00"]


def test_menus_and_detail_rows_are_not_chats():
    menu = "<ul>" + "".join(f"<li><a href='/c{i}'>分类{i} 10:0{i}</a></li>" for i in range(5)) + "</ul>"
    rows = "<div>" + "".join(f"<div class='row'>下单时间：2026-11-2{i} 10:00</div>" for i in range(4)) + "</div>"
    for html in (menu, rows):
        assert extract(html, None, now=NOW)["messages"] == []
