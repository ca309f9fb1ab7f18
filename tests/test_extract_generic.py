"""The generic reader (issue 12): pages read with no site rule. `known_sites=False` switches the known-site table off,
as the corpus benchmark does."""

from datetime import datetime

from helper.core.clock import CHINA
from helper.understanding import extract

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=CHINA)


def test_site_switch_turns_the_site_table_off():
    url = "http://127.0.0.1:8765/user/index/query?tradeNo=123261127101010456"
    page = "<p>订单状态：已付款</p>"
    assert extract(page, url, now=NOW)["order"]["order_no"] == "123261127101010456"  # the acg-faka rule's URL pattern
    assert extract(page, url, now=NOW, known_sites=False)["order"]["order_no"] is None
