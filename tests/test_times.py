"""The timestamp normaliser: one form per test, relative to a fixed `now` (DOMAIN.md normalisation rules)."""

from datetime import date, datetime, timedelta, timezone

import pytest

from helper.core.clock import CHINA
from helper.understanding.times import TimeMatch, find_date_separator, find_timestamps, parse_timestamp

# Friday 2026-11-27 15:00 China time.
NOW = datetime(2026, 11, 27, 15, 0, tzinfo=CHINA)


def iso(text, now=NOW, **kw):
    dt = parse_timestamp(text, now, **kw)
    return dt.isoformat() if dt else None


# --- full dates -------------------------------------------------------------------------------------------


def test_dash_date_time():
    assert iso("2026-11-20 14:32:05") == "2026-11-20T14:32:05+08:00"


def test_qq_export_unpadded():
    assert iso("2026-5-1 9:05:03") == "2026-05-01T09:05:03+08:00"


def test_slash_date_without_seconds():
    assert iso("2026/11/20 14:32") == "2026-11-20T14:32:00+08:00"


def test_chinese_date():
    assert iso("2026年11月20日 14:32") == "2026-11-20T14:32:00+08:00"


def test_chinese_date_with_afternoon():
    assert iso("2026年11月20日 下午2:32") == "2026-11-20T14:32:00+08:00"


def test_full_date_in_future_taken_as_written():
    assert iso("2027-01-02 08:00:00") == "2027-01-02T08:00:00+08:00"


def test_full_date_with_weekday_suffix():
    assert iso("2026年11月20日 星期五 14:32") == "2026-11-20T14:32:00+08:00"


def test_invalid_calendar_date_is_not_a_timestamp():
    # the whole match is dropped; its time is not re-read as a bare time of today
    assert find_timestamps("2026-02-30 10:00:00", NOW) == []
    assert find_timestamps("2026-11-20 25:61", NOW) == []


# --- OCR spacing ------------------------------------------------------------------------------------------


def test_ocr_dropped_space_is_not_mangled():
    [m] = find_timestamps("下单时间2026-11-2014:32:05付款", NOW)
    assert m.dt.isoformat() == "2026-11-20T14:32:05+08:00"
    assert m.text == "2026-11-2014:32:05"


def test_ocr_dropped_space_chinese_date():
    assert iso("2026年11月20日14:32") == "2026-11-20T14:32:00+08:00"


def test_ocr_doubled_space():
    assert iso("2026-11-20   14:32:05") == "2026-11-20T14:32:05+08:00"


def test_ocr_three_digit_run_prefers_two_digit_day():
    # documented choice: 21st at 04:32, not the 2nd at 14:32
    assert iso("2026-11-214:32") == "2026-11-21T04:32:00+08:00"


def test_ocr_unpadded_qq_dropped_space():
    # "2026-5-1 9:05:03" with the space dropped: the 1st at 09:05:03
    assert iso("2026-5-19:05:03") == "2026-05-01T09:05:03+08:00"


def test_full_width_colon():
    assert iso("14：32") == "2026-11-27T14:32:00+08:00"
    assert iso("2026-11-20 14：32：05") == "2026-11-20T14:32:05+08:00"


# --- month/day without year ------------------------------------------------------------------------------


def test_month_day_chinese():
    assert iso("11月20日 14:32") == "2026-11-20T14:32:00+08:00"


def test_month_day_dash():
    assert iso("11-20 14:32") == "2026-11-20T14:32:00+08:00"


def test_month_day_slash():
    assert iso("11/20 14:32") == "2026-11-20T14:32:00+08:00"


def test_month_day_rolls_back_a_year_when_after_today():
    assert iso("12-31 23:59") == "2025-12-31T23:59:00+08:00"
    jan = datetime(2027, 1, 2, 9, 0, tzinfo=CHINA)
    assert iso("12月31日 23:59", now=jan) == "2026-12-31T23:59:00+08:00"


def test_month_day_today_is_not_rolled_back():
    assert iso("11月27日 08:00") == "2026-11-27T08:00:00+08:00"


def test_month_day_feb_29_goes_to_last_leap_year():
    assert iso("2月29日 10:00") == "2024-02-29T10:00:00+08:00"


def test_month_day_uses_china_date_of_now():
    # 2026-12-31 17:00 UTC is already 2027-01-01 in China: "1月1日" is this (China) year
    now_utc = datetime(2026, 12, 31, 17, 0, tzinfo=timezone.utc)
    assert iso("1月1日 00:30", now=now_utc) == "2027-01-01T00:30:00+08:00"


# --- relative days ----------------------------------------------------------------------------------------


def test_today():
    assert iso("今天 09:00") == "2026-11-27T09:00:00+08:00"


def test_yesterday():
    assert iso("昨天 14:32") == "2026-11-26T14:32:00+08:00"


def test_yesterday_afternoon():
    assert iso("昨天 下午2:32") == "2026-11-26T14:32:00+08:00"


def test_day_before_yesterday():
    assert iso("前天 14:32") == "2026-11-25T14:32:00+08:00"


def test_yesterday_across_month_and_year():
    now = datetime(2027, 1, 1, 8, 0, tzinfo=CHINA)
    assert iso("昨天 23:00", now=now) == "2026-12-31T23:00:00+08:00"
    assert iso("前天 23:00", now=datetime(2026, 3, 1, 8, 0, tzinfo=CHINA)) == "2026-02-27T23:00:00+08:00"


# --- weekdays ---------------------------------------------------------------------------------------------


def test_weekday_xingqi():
    assert iso("星期三 09:10") == "2026-11-25T09:10:00+08:00"


def test_weekday_zhou():
    assert iso("周三 09:10") == "2026-11-25T09:10:00+08:00"


def test_weekday_with_morning():
    assert iso("星期三 上午9:10") == "2026-11-25T09:10:00+08:00"


def test_same_weekday_as_today_is_a_week_ago():
    # NOW is a Friday: 星期五 is strictly before today, i.e. 7 days back
    assert iso("星期五 10:00") == "2026-11-20T10:00:00+08:00"


def test_sunday_spellings():
    assert iso("星期日 10:00") == iso("星期天 10:00") == iso("周日 10:00") == "2026-11-22T10:00:00+08:00"


def test_weekday_across_year_boundary():
    now = datetime(2027, 1, 1, 12, 0, tzinfo=CHINA)  # a Friday
    assert iso("周四 10:00", now=now) == "2026-12-31T10:00:00+08:00"
    assert iso("周六 10:00", now=now) == "2026-12-26T10:00:00+08:00"


# --- 12-hour prefixes -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,hour",
    [
        ("凌晨1:05", 1),
        ("早上7:30", 7),
        ("上午9:10", 9),
        ("上午11:59", 11),
        ("中午11:30", 11),
        ("中午12:10", 12),
        ("中午1:10", 13),
        ("中午2:10", 14),
        ("下午2:32", 14),
        ("下午11:00", 23),
        ("晚上8:00", 20),
        ("下午12:30", 12),  # stays noon
        ("下午14:32", 14),  # already 24-hour
    ],
)
def test_twelve_hour_prefix(text, hour):
    dt = parse_timestamp(text, NOW)
    assert dt.hour == hour and dt.date() == date(2026, 11, 27)


def test_early_morning_twelve_is_midnight():
    assert iso("凌晨12:05") == "2026-11-27T00:05:00+08:00"


def test_evening_twelve_is_next_midnight():
    assert iso("2026-11-20 晚上12:05") == "2026-11-21T00:05:00+08:00"


def test_morning_twelve_kept_as_written():
    assert iso("上午12:05") == "2026-11-27T12:05:00+08:00"


def test_dian_fen_form():
    assert iso("下午2点32分") == "2026-11-27T14:32:00+08:00"
    assert iso("晚上8点半") == "2026-11-27T20:30:00+08:00"


def test_bare_dian_without_prefix_is_not_a_time():
    assert find_timestamps("满5点券送1点", NOW) == []


# --- bare times and separators ----------------------------------------------------------------------------


def test_bare_time_today():
    [m] = find_timestamps("14:32", NOW)
    assert m.dt.isoformat() == "2026-11-27T14:32:00+08:00" and m.has_date is False


def test_bare_time_takes_separator_day():
    assert iso("14:32", day=date(2026, 11, 20)) == "2026-11-20T14:32:00+08:00"


def test_separator_day_does_not_override_explicit_date():
    assert iso("昨天 14:32", day=date(2026, 11, 20)) == "2026-11-26T14:32:00+08:00"


@pytest.mark.parametrize(
    "text,expected",
    [
        ("2026-11-20", date(2026, 11, 20)),
        ("2026年11月20日", date(2026, 11, 20)),
        ("11月23日", date(2026, 11, 23)),
        ("12月30日", date(2025, 12, 30)),
        ("今天", date(2026, 11, 27)),
        ("昨天", date(2026, 11, 26)),
        ("前天", date(2026, 11, 25)),
        ("星期三", date(2026, 11, 25)),
        ("周日", date(2026, 11, 22)),
        ("—— 2026-11-20 ——", date(2026, 11, 20)),
        (" 2026年11月20日 星期五 ", date(2026, 11, 20)),
        ("[11-20]", date(2026, 11, 20)),
    ],
)
def test_date_separator(text, expected):
    assert find_date_separator(text, NOW) == expected


@pytest.mark.parametrize("text", ["", "你好", "发货了 2026-11-20", "14:32", "订单 20261120143205", "2026-13-40"])
def test_not_a_separator(text):
    assert find_date_separator(text, NOW) is None


# --- zones --------------------------------------------------------------------------------------------------


def test_iso_keeps_its_offset():
    dt = parse_timestamp("2026-11-20T14:32:05.120+08:00", NOW)
    assert dt.isoformat() == "2026-11-20T14:32:05.120000+08:00"
    dt = parse_timestamp("2026-11-20T06:32:05Z", NOW)
    assert dt.utcoffset() == timedelta(0) and dt.hour == 6


def test_iso_other_offset_kept():
    assert iso("2026-11-20T14:32:05-05:00") == "2026-11-20T14:32:05-05:00"


def test_explicit_plus_offset_after_plain_datetime():
    assert iso("2026-11-20 14:32:05 +0900") == "2026-11-20T14:32:05+09:00"


def test_time_range_is_two_times_not_an_offset():
    found = find_timestamps("2026-11-20 09:00-18:00", NOW)
    assert [m.dt.isoformat() for m in found] == ["2026-11-20T09:00:00+08:00", "2026-11-27T18:00:00+08:00"]


def test_default_zone_is_china_and_can_be_given():
    assert parse_timestamp("2026-11-20 14:32", NOW).utcoffset() == timedelta(hours=8)
    assert parse_timestamp("2026-11-20 14:32", NOW, tz=timezone.utc).utcoffset() == timedelta(0)


# --- free text ---------------------------------------------------------------------------------------------


def test_finds_every_timestamp_with_positions():
    text = "下单时间：2026-11-20 14:32:05，付款时间：2026-11-20 14:33:10。客服 昨天 下午2:32 回复"
    found = find_timestamps(text, NOW)
    assert [m.dt.isoformat() for m in found] == [
        "2026-11-20T14:32:05+08:00",
        "2026-11-20T14:33:10+08:00",
        "2026-11-26T14:32:00+08:00",
    ]
    for m in found:
        assert isinstance(m, TimeMatch) and text[m.start : m.end] == m.text and m.has_date


def test_no_timestamps_in_plain_numbers():
    assert find_timestamps("订单号 202611201432051 金额 588.00 数量 1:", NOW) == []
    assert find_timestamps("比分 99:99", NOW) == []


def test_date_only_is_not_a_timestamp_but_parses_to_midnight():
    assert find_timestamps("2026-11-20", NOW) == []
    assert iso("2026-11-20") == "2026-11-20T00:00:00+08:00"


def test_empty_and_junk():
    assert find_timestamps("", NOW) == []
    assert parse_timestamp("", NOW) is None
    assert parse_timestamp("\x00\xff 无", NOW) is None


def test_naive_now_refused():
    with pytest.raises(ValueError):
        find_timestamps("14:32", datetime(2026, 11, 27))


def test_zone_followed_by_cjk_regression():
    # Bug: the zone ended in \b, which does not match between a digit and a CJK character (both \w), so OCR
    # text with the space dropped ("...+08:00我") lost its zone and "08:00" became a spurious bare time.
    found = find_timestamps("2026-11-21T10:08:51.551+08:00我", NOW)
    assert [m.dt.isoformat() for m in found] == ["2026-11-21T10:08:51.551000+08:00"]
    found = find_timestamps("2026-11-20 14:32:05 +08:00好", NOW)
    assert [m.dt.isoformat() for m in found] == ["2026-11-20T14:32:05+08:00"]
