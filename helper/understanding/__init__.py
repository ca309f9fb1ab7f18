"""Page understanding (issue 4): order facts, delivery promises, chat messages and deadlines from a page's
HTML or a screenshot's OCR text. Pure functions: the reference time `now` is always an argument."""

from .extract import empty_result, extract, extract_text, order_key, shop_host
from .times import TimeMatch, find_date_separator, find_timestamps, parse_timestamp

__all__ = [
    "extract",
    "extract_text",
    "order_key",
    "shop_host",
    "empty_result",
    "TimeMatch",
    "find_timestamps",
    "parse_timestamp",
    "find_date_separator",
]
