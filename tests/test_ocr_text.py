"""OCR text clean-up and banding: pure functions, plain values."""

from __future__ import annotations

from ocr.bands import dedupe, margin, split
from ocr.textnorm import normalise, restore_spaces


def test_spaces_between_cjk_removed_latin_kept():
    assert normalise("老 板 什么 时候 发货 ？") == "老板什么时候发货？"
    assert normalise("Order   ID:  2026") == "Order ID: 2026"
    assert normalise("付款后 5 分钟") == "付款后 5 分钟"  # CJK next to a digit: left as read


def test_fullwidth_time_digits():
    assert normalise("下午２：32") == "下午2:32"
    assert normalise("订单号：123") == "订单号：123"  # a label colon stays full-width


def test_glued_date_and_time_split():
    assert normalise("2026-11-2014:32:05") == "2026-11-20 14:32:05"
    assert normalise("2026-5-19:05:03") == "2026-5-1 9:05:03"
    assert normalise("11-2014:32") == "11-20 14:32"
    assert normalise("订单2026112014320512") == "订单2026112014320512"  # an order number is not a date


def test_ambiguous_glue_uses_the_widest_ink_gap():
    text = "2026-5-112:05"
    # characters: 2026-5-1 | 1 | 2:05 ; gap before index 8 ("1|12") vs before 9 ("11|2")
    wide_before_9 = {8: 1.0, 9: 6.0}
    assert normalise(text, lambda i: wide_before_9.get(i, 0.0)) == "2026-5-11 2:05"
    wide_before_8 = {8: 6.0, 9: 1.0}
    assert normalise(text, lambda i: wide_before_8.get(i, 0.0)) == "2026-5-1 12:05"


def test_restore_spaces_from_gaps():
    text = "OrderID:12:30"
    gaps = {5: 8.0, 8: 9.0, 10: 9.0}  # "Order|ID", "ID:|12", "12|:" (colon bearings, not a space)
    assert restore_spaces(text, lambda i: gaps.get(i, 1.0), 20) == "Order ID: 12:30"
    # never between CJK characters, nor after full-width punctuation
    assert restore_spaces("系统繁忙，24小时", lambda i: 9.0, 20) == "系统繁忙，24 小时"


def test_bands_cover_the_image_with_overlap():
    bands = split(20_000, 1600, 240)
    assert bands[0].top == 0 and bands[-1].bottom == 20_000
    for a, b in zip(bands, bands[1:]):
        assert b.top <= a.bottom - 240
    assert split(900, 1600, 240)[0].bottom == 900


def test_dedupe_keeps_one_copy_from_the_band_where_it_is_whole():
    a, b = split(2800, 1600, 240)
    # the same line seen in both bands, 1 px apart; and a line cut by band a's bottom edge
    same_a = (margin(a, 2800, 1450, 30), (10, 1450, 200, 30), "from a")
    same_b = (margin(b, 2800, 1451, 30), (10, 1451, 200, 30), "from b")
    cut = (margin(a, 2800, 1585, 30), (10, 1585, 200, 15), "cut")
    whole = (margin(b, 2800, 1585, 30), (10, 1585, 200, 30), "whole")
    kept = dedupe([same_a, same_b, cut, whole])
    assert sorted(kept) == ["from b", "whole"] or sorted(kept) == ["from a", "whole"]
    assert len(kept) == 2
