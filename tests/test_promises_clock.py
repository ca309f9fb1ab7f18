"""Clock-time promises (issue 12): found in text, resolved against the time they were said (an injected `now`),
only from the merchant's words, and one deadline computation (understanding.deadlines) for pages and orders."""

from datetime import datetime, timedelta

import pytest

from helper.core.clock import CHINA
from helper.understanding import clock_promises, deadlines, promises

FRI_14 = datetime(2026, 11, 27, 14, 0, tzinfo=CHINA)  # a Friday


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, second, tzinfo=CHINA)


def due_of(text: str, said: datetime) -> datetime | None:
    found = clock_promises.find_clock_promises(text)
    assert len(found) <= 1, found
    return clock_promises.resolve(found[0][2], said) if found else None


# (text, said at, promised time). 2026-11-27 is a Friday; 11-29 a Sunday; 11-30 a Monday.
TABLE = [
    # today / tonight, 24-hour and 12-hour
    ("今天21点前给你处理", FRI_14, at(27, 21)),
    ("今晚9点前", FRI_14, at(27, 21)),
    ("今晚九点半之前给您发", FRI_14, at(27, 21, 30)),
    ("21:00前", FRI_14, at(27, 21)),
    ("21：30前", FRI_14, at(27, 21, 30)),
    ("下午3点前", FRI_14, at(27, 15)),
    ("晚上8点前一定到账", FRI_14, at(27, 20)),
    ("今天下午五点前", FRI_14, at(27, 17)),
    ("今天内给你发", FRI_14, at(27, 23, 59, 59)),
    ("今天之内", FRI_14, at(27, 23, 59, 59)),
    ("今晚前", FRI_14, at(27, 23, 59, 59)),
    ("最晚今晚九点半", FRI_14, at(27, 21, 30)),
    # an hour with no 上午/下午: the next 9 or 21 o'clock after it was said
    ("9点前给你弄好", FRI_14, at(27, 21)),
    ("9点前给你弄好", at(27, 8), at(27, 9)),
    ("今天9点前", at(27, 8), at(27, 9)),
    ("今天9点前", at(27, 10), at(27, 21)),
    ("12点前", at(27, 11), at(27, 12)),
    ("12点前", FRI_14, at(28, 0)),  # midnight at the end of the day
    ("09:00前", at(27, 8), at(27, 9)),  # zero-padded: 24-hour as written
    # tomorrow and later
    ("明天中午12点前", FRI_14, at(28, 12)),
    ("明天中午前", FRI_14, at(28, 12)),
    ("明天上午前", FRI_14, at(28, 12)),
    ("明天下午前", FRI_14, at(28, 18)),
    ("明早8点前", FRI_14, at(28, 8)),
    ("明晚10点前", FRI_14, at(28, 22)),
    ("明天9点前", FRI_14, at(28, 9)),
    ("明天3点前", FRI_14, at(28, 15)),  # on a later day hours 1-6 are afternoon
    ("明天凌晨3点前", FRI_14, at(28, 3)),
    ("明天给你发货", FRI_14, at(28, 23, 59, 59)),
    ("后天之前", FRI_14, at(29, 23, 59, 59)),
    ("明天中午前", at(27, 23, 50), at(28, 12)),
    # weekdays: end of that day unless a time is given; the next such day on or after the day it was said
    ("周五前", FRI_14, at(27, 23, 59, 59)),
    ("周六前", FRI_14, at(28, 23, 59, 59)),
    ("周日前", FRI_14, at(29, 23, 59, 59)),
    ("星期天之前", FRI_14, at(29, 23, 59, 59)),
    ("礼拜一前", FRI_14, at(30, 23, 59, 59)),
    ("周四前", FRI_14, datetime(2026, 12, 3, 23, 59, 59, tzinfo=CHINA)),
    ("周日前", at(29, 0, 10), at(29, 23, 59, 59)),  # said on Sunday just after midnight
    ("周一中午前", FRI_14, at(30, 12)),
    ("周六下午3点前", FRI_14, at(28, 15)),
    ("下周一前", FRI_14, at(30, 23, 59, 59)),
    ("下周五前", FRI_14, datetime(2026, 12, 4, 23, 59, 59, tzinfo=CHINA)),
    ("这周日前", FRI_14, at(29, 23, 59, 59)),
    # dates: the next such day, its end unless a time is given
    ("30号前", FRI_14, at(30, 23, 59, 59)),
    ("27号前", FRI_14, at(27, 23, 59, 59)),
    ("25号之前给你退款", FRI_14, datetime(2026, 12, 25, 23, 59, 59, tzinfo=CHINA)),
    ("31号前", FRI_14, at(30, 23, 59, 59)),  # November has no 31st: its last day
    ("12月1日中午前", FRI_14, datetime(2026, 12, 1, 12, tzinfo=CHINA)),
    ("11月20日前", FRI_14, datetime(2027, 11, 20, 23, 59, 59, tzinfo=CHINA)),
    ("月底前", FRI_14, at(30, 23, 59, 59)),
    ("月底前", datetime(2026, 12, 31, 23, 0, tzinfo=CHINA), datetime(2026, 12, 31, 23, 59, 59, tzinfo=CHINA)),
    # midnight
    ("今晚12点前", FRI_14, at(28, 0)),
    ("24点前", FRI_14, at(28, 0)),
    ("今天21点前", at(27, 0, 0), at(27, 21)),
    ("中午前", at(27, 0, 30), at(27, 12)),
    # already past when said. With no day word: the next day's. With a day word: due when said.
    ("21:00前", at(27, 22), at(28, 21)),
    ("下午3点前", at(27, 16), at(28, 15)),
    ("中午前", at(27, 13), at(28, 12)),
    ("今天21点前", at(27, 22), at(27, 22)),
    ("今天中午前", at(27, 13), at(27, 13)),
    ("这周四前", FRI_14, FRI_14),
]


@pytest.mark.parametrize("text,said,due", TABLE, ids=[f"{t}@{s:%d %H:%M}" for t, s, _ in TABLE])
def test_clock_promise_resolves_against_when_it_was_said(text, said, due):
    assert due_of(text, said) == due


@pytest.mark.parametrize("text", [
    "请在今天21点前付款", "需在明天12点前完成支付", "下午3点前下单当天发货", "今天21点前提交申请",
    "客服在线时间 09:00-23:00", "3天前", "前台", "10点后给你处理", "我14:30前付款了", "周五前后都行",
    "30分钟内发货", "9点给你发", "10日内发货", "订单号502261前", "2月30号前",
])
def test_not_clock_promises(text):
    assert clock_promises.find_clock_promises(text) == []


def test_said_time_in_another_zone_is_read_in_china_time():
    from datetime import timezone

    assert due_of("今天21点前", datetime(2026, 11, 27, 6, 0, tzinfo=timezone.utc)) == at(27, 21)  # 14:00 in China
    assert due_of("今天21点前", datetime(2026, 11, 27, 17, 0, tzinfo=timezone.utc)) == at(28, 21)  # 01:00 next day


def test_naive_said_time_is_refused():
    spec = clock_promises.find_clock_promises("今天21点前")[0][2]
    with pytest.raises(ValueError):
        clock_promises.resolve(spec, datetime(2026, 11, 27, 14, 0))


# --- promises: who made it, which one applies ------------------------------------------------------------------


def test_chat_clock_promise_within_seconds_runs_from_when_it_was_said():
    [p] = promises.find_promises("亲，今天21点前给你处理", "chat", at=FRI_14)
    assert p.text == "亲，今天21点前给你处理"
    assert promises.describe(p, paid_at=at(27, 9), ordered_at=None) == {
        "text": "亲，今天21点前给你处理", "within_seconds": 7 * 3600, "source": "chat"}


def test_clock_promise_in_shop_text_counts_from_payment():
    [p] = promises.find_promises("人工处理商品当天21点前发货", "order_note")
    assert promises.describe(p, paid_at=at(27, 10), ordered_at=at(27, 9))["within_seconds"] == 11 * 3600
    assert promises.describe(p, paid_at=None, ordered_at=None)["within_seconds"] is None


@pytest.mark.parametrize("text", ["商品写着 1 小时内到账", "你们说好的24小时内发货呢", "不是说今天21点前给我处理吗",
                                  "页面上标着5分钟内自动发货"])
def test_quoted_promise_is_not_a_promise_outside_the_merchants_chat(text):
    assert promises.find_promises(text, "rules") == []
    assert promises.find_promises(text, "product") == []


@pytest.mark.parametrize("text,source,seconds", [
    ("收到，这批卡是上游问题，3天内给您换新卡或退款", "chat", 259200),  # done for the buyer: a promise
    ("付款后 3 小时内开通，开通后邮件通知", "product", 10800),
    ("7天内帮你退款", "chat", 604800),
])
def test_more_promise_phrases(text, source, seconds):
    [p] = promises.find_promises(text, source)
    assert p.within_seconds == seconds


def test_shop_promise_words_still_count():
    [p] = promises.find_promises("本店承诺付款后24小时内发货", "rules")
    assert p.within_seconds == 86400


def test_later_chat_promise_is_chosen():
    cands = (promises.find_promises("今天21点前给你处理", "chat", position=1, at=at(27, 14))
             + promises.find_promises("抱歉，明天中午前一定处理好", "chat", position=3, at=at(27, 21, 30)))
    chosen = promises.choose(cands, product=None, mode=None)
    assert chosen.text == "抱歉，明天中午前一定处理好"
    assert clock_promises.resolve(chosen.clock, chosen.at) == at(28, 12)


# --- the one deadline computation -----------------------------------------------------------------------------


@pytest.mark.parametrize("promise,said,paid,ordered,status,deadline", [
    ({"text": "付款后5分钟内发货", "within_seconds": 300, "source": "product"}, None, at(27, 10), at(27, 9), "paid",
     "2026-11-27T10:05:00.000+08:00"),
    ({"text": "付款后5分钟内发货", "within_seconds": 300, "source": "product"}, None, None, at(27, 9), None,
     "2026-11-27T09:05:00.000+08:00"),
    ({"text": "付款后5分钟内发货", "within_seconds": 300, "source": "product"}, None, None, None, None, None),
    ({"text": "付款后5分钟内发货", "within_seconds": 300, "source": "product"}, None, at(27, 10), None, "unpaid", None),
    ({"text": "付款后5分钟内发货", "within_seconds": 300, "source": "product"}, None, at(27, 10), None, "refunded", None),
    ({"text": "付款后5分钟内发货", "within_seconds": 300, "source": "product"}, None, at(27, 10), None, "expired", None),
    # a chat promise counts from when it was said, unless it says "付款后"
    ({"text": "半小时内给你发", "within_seconds": 1800, "source": "chat"}, at(27, 15), at(27, 10), None, "paid",
     "2026-11-27T15:30:00.000+08:00"),
    ({"text": "付款后30分钟内发货", "within_seconds": 1800, "source": "chat"}, at(27, 15), at(27, 10), None, "paid",
     "2026-11-27T10:30:00.000+08:00"),
    ({"text": "付款后30分钟内发货", "within_seconds": 1800, "source": "chat"}, at(27, 15), None, None, None,
     "2026-11-27T15:30:00.000+08:00"),
    ({"text": "半小时内给你发", "within_seconds": 1800, "source": "chat"}, None, at(27, 10), None, None,
     "2026-11-27T10:30:00.000+08:00"),
    ({"text": "今天21点前给你处理", "within_seconds": 25200, "source": "chat"}, FRI_14, at(27, 10), None, "processing",
     "2026-11-27T21:00:00.000+08:00"),
    ({"text": None, "within_seconds": None, "source": None}, FRI_14, at(27, 10), None, None, None),
    (None, FRI_14, at(27, 10), None, None, None),
])
def test_deadline(promise, said, paid, ordered, status, deadline):
    assert deadlines.deadline(promise, said_at=said, paid_at=paid, ordered_at=ordered, status_code=status) == deadline


def test_said_at_is_the_last_merchant_message_holding_the_promise():
    promise = {"text": "今天21点前给你处理", "within_seconds": 25200, "source": "chat"}
    messages = [
        {"sender": "merchant", "time": "2026-11-27T13:00:00.000+08:00", "text": "亲，今天21点前给你处理"},
        {"sender": "buyer", "time": "2026-11-27T16:00:00.000+08:00", "text": "你说今天21点前给你处理"},
        {"sender": "merchant", "time": "2026-11-27T14:00:00.000+08:00", "text": "今天21点前给你处理，放心"},
        {"sender": "merchant", "time": None, "text": "今天21点前给你处理"},
    ]
    assert deadlines.said_at(promise, messages) == FRI_14
    assert deadlines.said_at({**promise, "source": "product"}, messages) is None
    assert deadlines.said_at(promise, []) is None


# --- through page understanding --------------------------------------------------------------------------------

TICKET = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>工单详情 - 异次元小铺</title></head><body>
<div class="ticket-head"><h3>工单：点券未到账</h3><p>关联订单：502261126203011417</p></div>
<div class="ticket-thread"><div class="ticket-date">今天</div>
<div class="ticket-reply user"><div class="reply-head"><span class="reply-name">小明同学</span><time>13:50</time></div>
<div class="reply-content">商品写着 1 小时内到账，现在两个小时了</div></div>
<div class="ticket-reply staff"><div class="reply-head"><span class="reply-name">店长</span><span class="badge">官方客服</span>
<time>14:00</time></div><div class="reply-content">今天21点前给你处理</div></div>
{later}
</div></body></html>"""
LATER = """<div class="ticket-reply user"><div class="reply-head"><span class="reply-name">小明同学</span><time>21:10</time></div>
<div class="reply-content">不是说今天21点前给我处理吗？</div></div>
<div class="ticket-reply staff"><div class="reply-head"><span class="reply-name">店长</span><span class="badge">官方客服</span>
<time>21:30</time></div><div class="reply-content">抱歉，明天中午前一定处理好</div></div>"""
NOW_NIGHT = at(27, 22)


def test_merchant_clock_promise_sets_the_deadline_and_the_buyers_quote_does_not():
    from helper.understanding import extract

    r = extract(TICKET.format(later=""), None, now=NOW_NIGHT)
    assert [m["sender"] for m in r["messages"]] == ["buyer", "merchant"]
    assert r["promise"] == {"text": "今天21点前给你处理", "within_seconds": 7 * 3600, "source": "chat"}
    assert r["deadline"] == "2026-11-27T21:00:00.000+08:00"


def test_later_merchant_promise_in_the_thread_supersedes():
    from helper.understanding import extract

    r = extract(TICKET.format(later=LATER), None, now=NOW_NIGHT)
    assert r["promise"]["text"] == "抱歉，明天中午前一定处理好"
    assert r["deadline"] == "2026-11-28T12:00:00.000+08:00"


def test_buyers_quote_in_ocr_text_is_not_a_promise():
    from helper.understanding import extract_text

    text = "2026-11-27\n我 13:50\n商品写着 1 小时内到账，现在两个小时了\n客服 14:00\n今天21点前给你处理\n"
    r = extract_text(text, NOW_NIGHT)
    assert [m["sender"] for m in r["messages"]] == ["buyer", "merchant"]
    assert r["promise"]["text"] == "今天21点前给你处理" and r["deadline"] == "2026-11-27T21:00:00.000+08:00"
    only_buyer = extract_text("2026-11-27\n我 13:50\n商品写着 1 小时内到账，现在两个小时了\n", NOW_NIGHT)
    assert only_buyer["promise"]["text"] is None and only_buyer["deadline"] is None


# --- which promise an order keeps ---------------------------------------------------------------------------------

CHAT_21 = {"text": "今天21点前给你处理", "within_seconds": 25200, "source": "chat"}
CHAT_NOON = {"text": "明天中午前一定处理好", "within_seconds": 52200, "source": "chat"}
PAGE = {"text": "付款后5分钟内发货", "within_seconds": 300, "source": "product"}
NONE = {"text": None, "within_seconds": None, "source": None}


@pytest.mark.parametrize("new,new_made,old,old_made,replaces", [
    (CHAT_NOON, at(27, 21, 30), CHAT_21, at(27, 14), True),  # a later merchant promise
    (CHAT_21, at(27, 14), CHAT_NOON, at(27, 21, 30), False),  # an older screenshot read after a newer one
    (CHAT_21, at(27, 14), CHAT_21, at(27, 14), False),  # the same chat captured again
    (CHAT_21, at(27, 14), PAGE, at(27, 10), True),  # said after payment: replaces the shop's written promise
    (PAGE, at(27, 10), CHAT_21, at(27, 14), False),  # the order page captured again keeps the chat's
    (CHAT_21, None, PAGE, at(27, 10), False),  # when it was said is unknown: keep what the order has
    (CHAT_21, None, None, None, True),  # an order without a promise takes any
    (CHAT_21, None, NONE, None, True),
    (NONE, at(27, 14), PAGE, at(27, 10), False),
    (None, at(27, 14), PAGE, at(27, 10), False),
])
def test_supersedes(new, new_made, old, old_made, replaces):
    assert deadlines.supersedes(new, new_made, old, old_made) is replaces


def test_made_at():
    assert deadlines.made_at(CHAT_21, said_at=FRI_14, paid_at=at(27, 10), ordered_at=None) == FRI_14
    assert deadlines.made_at(PAGE, said_at=FRI_14, paid_at=at(27, 10), ordered_at=at(27, 9)) == at(27, 10)
    assert deadlines.made_at(PAGE, said_at=None, paid_at=None, ordered_at=at(27, 9)) == at(27, 9)
    assert deadlines.made_at(NONE, said_at=FRI_14, paid_at=None, ordered_at=None) is None


def test_latest_promise_in_a_chat_read_on_its_own():
    messages = [
        {"sender": "buyer", "name": None, "time": "2026-11-27T13:50:00+08:00", "text": "商品写着 1 小时内到账"},
        {"sender": "merchant", "name": "店长", "time": "2026-11-27T14:00:00+08:00", "text": "今天21点前给你处理"},
        {"sender": "buyer", "name": None, "time": "2026-11-27T21:10:00+08:00", "text": "不是说今天21点前给我处理吗"},
    ]
    assert promises.latest_in_chat(messages) == {"text": "今天21点前给你处理", "within_seconds": 25200, "source": "chat"}
    assert promises.latest_in_chat(messages[:1]) is None
    assert promises.latest_in_chat([]) is None


@pytest.mark.parametrize("promise,paid,zh", [
    (PAGE, True, "由付款时间 + 承诺时长（5分钟）算出"),
    (PAGE, False, "由下单时间 + 承诺时长（5分钟）算出"),
    ({"text": "半小时内给你发", "within_seconds": 1800, "source": "chat"}, True, "由商家说这句话的时间 + 承诺时长（30分钟）算出"),
    ({"text": "付款后30分钟内发货", "within_seconds": 1800, "source": "chat"}, True, "由付款时间 + 承诺时长（30分钟）算出"),
    (CHAT_21, True, "商家承诺的时刻（按商家说这句话的时间定日期）"),
])
def test_explain(promise, paid, zh):
    assert deadlines.explain(promise, paid=paid)["zh"] == zh
