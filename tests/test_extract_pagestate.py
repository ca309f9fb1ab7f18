"""Page kinds "login" and "loading" (issue 12): pages that are not the buyer's evidence yet, and what they are
never confused with. Whole fixture pages are checked in test_extract.py; these pin one rule each."""

from datetime import datetime
from pathlib import Path

import pytest

from helper.core.clock import CHINA
from helper.understanding import extract

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=CHINA)
PAGES = Path(__file__).parent / "fixtures" / "pages"


def kind(html: str, url: str | None = None) -> str:
    return extract(html, url, now=NOW)["page_kind"]


@pytest.mark.parametrize(
    "name,expected",
    [("acgfaka_login", "login"), ("session_expired", "login"), ("login_redirect", "login"),
     ("acgfaka_ticket_loading", "loading"), ("spa_spinner", "loading"), ("skeleton_only", "loading")],
)
def test_fixture_page_kind(name, expected):
    assert extract((PAGES / f"{name}.html").read_bytes(), None, now=NOW)["page_kind"] == expected


@pytest.mark.parametrize(
    "text",
    ["登录会话过期，请重新登录", "登录已过期，请重新登录", "您还未登录", "请先登录", "会话已失效", "Session expired, please log in"],
)
def test_session_gone_sentence_is_login(text):
    assert kind(f"<title>提示</title><div class='msg'><p>{text}</p><a href='/login'>确定</a></div>") == "login"


def test_sign_in_form_is_login():
    html = ("<form><input name='u' placeholder='账号'><input type='password' name='p'>"
            "<button type='submit'>立即登录</button></form>")
    assert kind(html) == "login"


def test_order_search_asking_for_a_query_password_is_not_login():
    # dujiaoka's 订单查询 asks for the email and a 查询密码 in a password field
    html = ("<title>订单查询</title><form><input name='email' placeholder='下单邮箱'>"
            "<input type='password' name='search_pwd' placeholder='查询密码'><button>立即查询</button></form>"
            "<nav><a href='/login'>登录</a></nav>")
    assert kind(html) == "other"


def test_hidden_login_dialog_does_not_make_a_page_login():
    html = ("<h2>欢迎光临</h2><p>" + "本店商品均为正品。" * 20 + "</p>"
            "<div class='modal' style='display:none'><form><input type='password'><button>登录</button></form></div>")
    assert kind(html) == "other"


def test_login_link_in_the_nav_is_not_login():
    html = "<nav><a href='/login'>请先登录</a></nav><main><h2>公告</h2><p>" + "欢迎选购。" * 30 + "</p></main>"
    assert kind(html) == "other"


def test_script_redirect_on_a_page_with_content_is_not_login():
    html = ("<script>function out(){location.href='/user/authentication/login'}</script>"
            "<main><h2>常见问题</h2><p>" + "购买后在订单页查看卡密。" * 20 + "</p></main>")
    assert kind(html) == "other"


@pytest.mark.parametrize("text", ["正在打开工单", "正在加载…", "加载中", "请稍候", "Loading..."])
def test_loading_text_alone_is_loading(text):
    assert kind(f"<title>订单详情</title><div class='box'><p>{text}</p></div>") == "loading"


def test_spinner_class_alone_is_loading():
    assert kind("<div id='app'><div class='ant-spin ant-spin-spinning'><span class='ant-spin-dot'></span></div></div>") == (
        "loading")


def test_hidden_loading_overlay_on_a_loaded_ticket_is_not_loading():
    html = (PAGES / "acgfaka_ticket.html").read_text("utf-8").replace(
        "<body>", "<body><div class='net-loading' style='display: none;'><div class='loading-view'>加载中</div></div>")
    assert kind(html) == "chat"


def test_loading_overlay_over_order_data_is_the_order():
    html = ("<div class='loading-mask'><span class='spinner'></span>加载中</div>"
            "<p>订单号：AAAA1111BBBB2222</p><p>订单状态：已付款</p><p>实付金额：¥ 10.00</p>")
    assert kind(html) == "order"


def test_loading_query_page_keeps_the_order_number_from_the_url():
    url = "https://shop.example/user/index/query?tradeNo=123261127101010456"
    r = extract("<div class='query-result'><p>正在查询订单…</p></div>", url, now=NOW)
    assert r["page_kind"] == "loading" and r["order"]["order_no"] == "123261127101010456"


def test_long_text_page_mentioning_loading_is_not_loading():
    html = "<h2>购买须知</h2><p>" + "页面加载中如遇卡顿请刷新。本店商品均为正品，请放心购买。" * 10 + "</p>"
    assert kind(html) != "loading"


# --- what is not the page's text ----------------------------------------------------------------------------


def test_icon_ligatures_and_screen_reader_text_are_not_read():
    html = ("<div><span>商家</span>：<span class='material-icons-outlined'>expand_more</span></div>"
            "<p>订单状态：<span class='sr-only'>当前</span>已付款</p>")
    r = extract(html, None, now=NOW)
    assert r["order"]["merchant"] is None and r["order"]["status"] == "已付款"


def test_hidden_elements_are_not_read_but_phone_only_hiding_is():
    html = ("<p hidden>订单号：HIDDEN00001</p><p class='d-none d-md-block'>订单号：SHOWN000002</p>"
            "<p>订单状态：已付款</p>")
    assert extract(html, None, now=NOW)["order"]["order_no"] == "SHOWN000002"
