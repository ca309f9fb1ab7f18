"""Page understanding, one rule at a time: labels, amounts, statuses, promises and their choice, chat roles and
times, decoding, shop facts, page kinds."""

from datetime import datetime

import pytest

from helper.core.clock import CHINA
from helper.understanding import extract, extract_text
from helper.understanding import chat, dom, labels, promises
from helper.understanding.decode import decode_html
from helper.understanding.extract import _shop_from_title

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=CHINA)  # a Friday


def fields(rows, **kw):
    return labels.read_fields(rows, **kw)


def html_fields(html):
    return labels.read_fields([r.cells for r in dom.rows(dom.parse(html))])


# --- labels ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("cell", ["订单号：A1B2C3D4", "订单号:A1B2C3D4", "订单号 ： A1B2C3D4", "订单编号：A1B2C3D4",
                                  "订单号码:A1B2C3D4"])
def test_label_and_value_in_one_cell(cell):
    assert labels.clean_order_id(fields([[cell]]).get("order_id")) == "A1B2C3D4"


def test_label_and_value_in_sibling_elements():
    f = html_fields('<div class="mb-1"><label>订单名称：</label><span>Steam 充值卡</span></div>')
    assert f.get("product") == "Steam 充值卡"


def test_list_item_with_strong_label():
    f = html_fields("<ul><li><strong>订单总价:</strong><span>¥612.00</span></li><li><strong>订单状态:</strong> 处理中</li></ul>")
    assert f.get("amount") == "¥612.00" and f.get("status") == "处理中"


def test_table_cells():
    f = html_fields("<table><tr><td>订单编号</td><td>20261126101530123</td></tr><tr><td>订单金额</td><td>120元</td></tr></table>")
    assert f.get("order_id") == "20261126101530123" and f.get("amount") == "120元"


def test_table_header_row_over_value_row():
    f = html_fields(
        "<table><tr><th>订单编号</th><th>商品名称</th><th>订单状态</th><th>操作</th></tr>"
        "<tr><td>20261126101530123</td><td>QQ 会员</td><td>已完成</td><td>详细</td></tr></table>"
    )
    assert (f.get("order_id"), f.get("product"), f.get("status")) == ("20261126101530123", "QQ 会员", "已完成")


def test_label_row_followed_by_value_row():
    f = html_fields("<dl><dt>付款时间</dt><dd>2026-11-20 14:33:10</dd></dl>")
    assert f.get("paid_at") == "2026-11-20 14:33:10"


def test_several_pairs_on_one_line():
    f = fields([["订单号：A1B2C3D4 订单状态：已付款 付款时间：2026-11-20 14:33:10"]])
    assert f.get("order_id") == "A1B2C3D4" and f.get("status") == "已付款"
    assert f.get("paid_at") == "2026-11-20 14:33:10"


def test_more_specific_label_wins():
    f = fields([["订单金额：¥ 612.00"], ["实付金额：¥ 588.00"]])
    assert f.get("amount") == "¥ 588.00"


def test_label_without_colon_only_in_loose_text_mode():
    assert fields([["商户全称 深圳某某科技有限公司"]]).get("merchant") is None
    assert fields([["商户全称 深圳某某科技有限公司"]], loose=True).get("merchant") == "深圳某某科技有限公司"


def test_all_issue_labels_are_known():
    issue = {
        "order_id": "订单号 订单编号 订单号码", "product": "订单名称 商品名称 商品",
        "amount": "实际支付价格 实付金额 订单金额 订单总价", "ordered_at": "订单创建时间 下单时间 购买时间 创建时间",
        "paid_at": "付款时间 支付时间", "status": "订单状态 状态", "payment_method": "支付方式",
        "delivery_mode": "订单类型 发货方式", "merchant": "商家 店铺 商户", "contact": "下单邮箱 联系方式 下单QQ",
    }
    for fld, words in issue.items():
        for w in words.split():
            value = "支付宝" if fld == "payment_method" else "X9Y8Z7W6"  # a method's value names a channel
            assert fields([[f"{w}：{value}"]]).found.get(fld), (fld, w)


def test_label_in_a_script_is_ignored():
    assert html_fields("<script>var t='订单号：FAKE1234';</script><p>x</p>").get("order_id") is None


# --- values --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,amount,currency",
    [("¥ 612.00", "612.00", "CNY"), ("158.00元", "158.00", "CNY"), ("612", "612.00", "CNY"),
     ("￥1,288.5", "1288.50", "CNY"), ("470.00 ¥", "470.00", "CNY"), ("USDT 10", "10.00", "USDT"),
     ("$ 9.99", "9.99", "USD"), ("免费", None, None), ("", None, None)],
)
def test_amounts(text, amount, currency):
    assert labels.parse_amount(text) == (amount, currency)


@pytest.mark.parametrize(
    "shown,code",
    [("待支付", "unpaid"), ("待付款", "unpaid"), ("已付款", "paid"), ("已支付", "paid"), ("待处理", "paid"),
     ("处理中", "processing"), ("等待发货", "paid"), ("正在发货中", "processing"), ("已发货", "delivered"), ("已完成", "delivered"),
     ("失败", "failed"), ("异常", "failed"), ("已退款", "refunded"), ("已过期", "expired"), ("火星", "unknown"),
     (None, "unknown")],
)
def test_status_mapping(shown, code):
    assert labels.status_code(shown) == code


@pytest.mark.parametrize("shown,mode", [("自动发货", "auto"), ("人工处理", "manual"), ("在线发货", "manual"),
                                        ("代充", "manual"), ("其他", None)])
def test_delivery_mode(shown, mode):
    assert labels.delivery_mode(shown) == mode


# --- promises ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,source,seconds",
    [("5分钟内发货", "product", 300), ("付款后2小时内处理完成", "product", 7200), ("24小时内", "chat", 86400),
     ("48 小时内完成", "rules", 172800), ("10分钟内", "chat", 600), ("即时发货", "product", 0),
     ("半小时内发货", "product", 1800), ("两小时内给您处理", "chat", 7200), ("1-2个工作日内发货", "rules", 172800),
     ("商家须在付款后24小时内发货", "rules", 86400), ("24小时内未发货可申请退款", "rules", 86400),
     ("十分钟内到账", "product", 600)],
)
def test_promise_phrases(text, source, seconds):
    [p] = promises.find_promises(text, source)
    assert p.within_seconds == seconds and p.source == source


@pytest.mark.parametrize("text", ["请在10分钟内完成支付", "订单30分钟内未支付将自动关闭", "收货后7天内可申请售后",
                                  "24小时内", "客服在线时间 09:00-23:00", "订单将在30分钟后自动关闭"])
def test_not_delivery_promises(text):
    assert promises.find_promises(text, "rules") == []


def test_promise_text_is_its_clause_without_prompt_label():
    [p] = promises.find_promises("购买提示：付款后5分钟内自动发货，卡密请在订单详情页查看。其他说明", "order_note")
    assert p.text == "付款后5分钟内自动发货，卡密请在订单详情页查看"


def test_choice_by_product_class():
    rules = promises.find_promises("代开类商品一般在48小时内完成；其他代刷业务24小时内到账", "rules")
    assert promises.choose(rules, product="QQ 代开超级会员", mode=None).within_seconds == 172800
    assert promises.choose(rules, product="抖音粉丝 1000 个", mode=None).within_seconds == 86400


def test_choice_by_delivery_mode():
    notes = promises.find_promises("自动发货商品付款后1分钟内发货；人工处理商品12小时内处理完成", "order_note")
    assert promises.choose(notes, product="x", mode="auto").within_seconds == 60
    assert promises.choose(notes, product="x", mode="manual").within_seconds == 43200


def test_choice_by_source_then_latest_chat():
    early = datetime(2026, 11, 26, 10, 0, tzinfo=CHINA)
    late = datetime(2026, 11, 26, 11, 0, tzinfo=CHINA)
    cands = (promises.find_promises("本站所有商品24小时内发货", "rules")
             + promises.find_promises("10分钟内给您发", "chat", at=early)
             + promises.find_promises("半小时内一定发", "chat", position=1, at=late))
    assert promises.choose(cands, product=None, mode=None).within_seconds == 1800
    cands += promises.find_promises("付款后2小时内处理完成", "order_note")
    assert promises.choose(cands, product=None, mode=None).source == "order_note"


def test_auto_delivery_implied_when_nothing_stated():
    html = "<p>订单号：AAAA1111BBBB2222</p><p>订单类型：自动发货</p><p>订单状态：处理中</p><p>付款时间：2026-11-27 10:00:00</p>"
    r = extract(html, None, now=NOW)
    assert r["promise"] == {"text": "自动发货", "within_seconds": 0, "source": "auto_delivery"}
    assert r["deadline"] == "2026-11-27T10:00:00.000+08:00"


def test_deadline_from_paid_at_else_ordered_at():
    base = "<p>订单号：AAAA1111BBBB2222</p><p>订单状态：已付款</p><p>下单时间：2026-11-27 09:00:00</p><p>付款后2小时内发货</p>"
    assert extract(base, None, now=NOW)["deadline"] == "2026-11-27T11:00:00.000+08:00"
    paid = base + "<p>付款时间：2026-11-27 09:30:00</p>"
    assert extract(paid, None, now=NOW)["deadline"] == "2026-11-27T11:30:00.000+08:00"


def test_no_deadline_for_unpaid_order():
    html = "<p>订单号：AAAA1111BBBB2222</p><p>订单状态：待支付</p><p>下单时间：2026-11-27 09:00:00</p><p>付款后2小时内发货</p>"
    r = extract(html, None, now=NOW)
    assert r["promise"]["within_seconds"] == 7200 and r["deadline"] is None


# --- chat ----------------------------------------------------------------------------------------------------------


def thread(items: str, sep: str = "") -> list[dict]:
    html = f"<div class='chat'>{items}</div>"
    cfg = {"item": ".chat-item", "name": ".name", "badge": ".badge", "time": "time, .time", "text": ".content",
           "separator": ".sep"}
    return chat.from_dom(dom.parse(html), cfg, NOW)[0]


def test_role_from_data_attribute():
    [m] = thread('<div class="chat-item" data-role="system"><div class="content">订单已关闭</div></div>')
    assert m["sender"] == "system"


def test_role_from_class_tokens():
    msgs = thread('<div class="chat-item staff"><div class="content">在</div></div>'
                  '<div class="chat-item self"><div class="content">发货了吗</div></div>')
    assert [m["sender"] for m in msgs] == ["merchant", "buyer"]


def test_official_badge_marks_merchant_and_others_are_buyer():
    msgs = thread('<div class="chat-item"><span class="name">阿狸</span><span class="badge">官方客服</span>'
                  '<div class="content">稍等</div></div>'
                  '<div class="chat-item"><span class="name">小明</span><div class="content">好</div></div>')
    assert [(m["sender"], m["name"]) for m in msgs] == [("merchant", "阿狸"), ("buyer", "小明")]


def test_name_words_mark_roles():
    msgs = thread('<div class="chat-item"><span class="name">我</span><div class="content">a</div></div>'
                  '<div class="chat-item"><span class="name">店铺客服</span><div class="content">b</div></div>'
                  '<div class="chat-item"><span class="name">系统</span><div class="content">c</div></div>')
    assert [m["sender"] for m in msgs] == ["buyer", "merchant", "system"]


def test_time_element_datetime_wins_over_text():
    [m] = thread('<div class="chat-item"><time datetime="2026-11-20T14:32:05+08:00">昨天 14:32</time>'
                 '<div class="content">x</div></div>')
    assert m["time"] == "2026-11-20T14:32:05.000+08:00"


def test_title_with_full_timestamp_wins_over_bare_text():
    [m] = thread('<div class="chat-item"><span class="time" title="2026-11-24 10:00:47">10:00</span>'
                 '<div class="content">x</div></div>')
    assert m["time"] == "2026-11-24T10:00:47.000+08:00"


def test_bare_times_take_the_separator_above():
    msgs = thread('<div class="sep">2026-11-20</div>'
                  '<div class="chat-item"><span class="time">14:32</span><div class="content">a</div></div>'
                  '<div class="sep">昨天</div>'
                  '<div class="chat-item"><span class="time">下午2:32</span><div class="content">b</div></div>'
                  '<div class="sep">星期三</div>'
                  '<div class="chat-item"><span class="time">09:10</span><div class="content">c</div></div>'
                  '<div class="chat-item"><span class="time">今天 08:00</span><div class="content">d</div></div>')
    assert [m["time"] for m in msgs] == ["2026-11-20T14:32:00.000+08:00", "2026-11-26T14:32:00.000+08:00",
                                         "2026-11-25T09:10:00.000+08:00", "2026-11-27T08:00:00.000+08:00"]


def test_dated_time_divider_dates_the_bare_times_below():
    msgs = thread('<div class="sep">昨天 14:32</div>'
                  '<div class="chat-item"><span class="time">14:40</span><div class="content">a</div></div>')
    assert msgs[0]["time"] == "2026-11-26T14:40:00.000+08:00"


def test_bare_time_without_separator_is_today():
    [m] = thread('<div class="chat-item"><span class="time">凌晨1:05</span><div class="content">a</div></div>')
    assert m["time"] == "2026-11-27T01:05:00.000+08:00"


def test_chat_lines_qq_export_and_role_words():
    lines = ["2026-5-1 9:05:03 我", "在吗", "2026-05-01 09:07:00 卡盟客服", "在的", "第二行",
             "客服：10分钟内发", "对方撤回了一条消息"]
    msgs = chat.from_lines(lines, NOW)
    assert [(m["sender"], m["name"], m["time"], m["text"]) for m in msgs] == [
        ("buyer", "我", "2026-05-01T09:05:03.000+08:00", "在吗"),
        ("merchant", "卡盟客服", "2026-05-01T09:07:00.000+08:00", "在的\n第二行"),
        ("merchant", "客服", None, "10分钟内发"),
        ("system", None, None, "对方撤回了一条消息"),
    ]


def test_chat_lines_wechat_time_lines_date_what_follows():
    msgs = chat.from_lines(["昨天 下午2:32", "我：发货了吗", "星期三 09:10", "客服：马上"], NOW)
    assert [(m["sender"], m["time"]) for m in msgs] == [
        ("buyer", "2026-11-26T14:32:00.000+08:00"), ("merchant", "2026-11-25T09:10:00.000+08:00")]


def test_label_lines_are_not_chat_headers():
    r = extract_text("订单号：A1B2C3D4E5\n支付时间 2026-11-20 14:33:10\n订单状态：已付款", NOW)
    assert r["messages"] == [] and r["order"]["paid_at"] == "2026-11-20T14:33:10.000+08:00"


# --- decoding, shop facts, kinds -------------------------------------------------------------------------------


def test_decode_bom_meta_and_sniffing():
    page = "<meta charset='gbk'><title>卡盟小站</title>"
    assert decode_html(page.encode("gbk")) == page
    assert decode_html(b"\xef\xbb\xbf" + "订单".encode()) == "订单"
    assert decode_html("订单".encode("utf-16")) == "订单"
    assert decode_html("<p>订单号</p>".encode("gb18030")) == "<p>订单号</p>"  # undeclared GBK
    assert decode_html("<meta charset='bogus-enc'><p>订单</p>".encode()) == "<meta charset='bogus-enc'><p>订单</p>"


@pytest.mark.parametrize(
    "title,name",
    [("订单详情 - 星河数卡", "星河数卡"), ("云端发卡 | 订单详情", "云端发卡"), ("查询订单_小鹿卡铺", "小鹿卡铺"),
     ("工单详情 - 异次元小铺", "异次元小铺"), ("订单查询", None), ("", None)],
)
def test_shop_name_from_title(title, name):
    assert _shop_from_title(title) == name


@pytest.mark.parametrize(
    "footer,icp",
    [("粤ICP备2024051234号-1", "粤ICP备2024051234号-1"), ("备案号：京ICP证 2026000123 号", "京ICP证2026000123号"),
     ("ICP 备案中", None)],
)
def test_icp_from_footer(footer, icp):
    assert extract(f"<footer>{footer}</footer>", None, now=NOW)["shop"]["icp"] == icp


def test_product_page_kind_and_name():
    html = ("<title>极光数卡</title><h2>Steam 充值卡 100元</h2><p>价格：¥ 98.50</p><p>库存：12</p>"
            "<p>付款后5分钟内自动发货</p><button>立即购买</button>")
    r = extract(html, None, now=NOW)
    assert r["page_kind"] == "product" and r["order"]["product"] == "Steam 充值卡 100元"
    assert r["promise"] == {"text": "付款后5分钟内自动发货", "within_seconds": 300, "source": "product"}


def test_wechat_pay_bill_text():
    text = "\n".join(["当前状态 支付成功", "¥588.00", "商品 王者荣耀点券", "商户全称 某某网络科技有限公司",
                      "支付时间 2026年11月26日 20:31:40", "支付方式 零钱", "交易单号 4200001234202611260000000001",
                      "商户单号 502261126203011417"])
    r = extract_text(text, NOW)
    assert r["page_kind"] == "payment"
    assert r["order"] | {} == {
        "order_no": "502261126203011417", "product": "王者荣耀点券", "amount": "588.00", "currency": "CNY",
        "status": "支付成功", "status_code": "paid", "ordered_at": None,
        "paid_at": "2026-11-26T20:31:40.000+08:00", "merchant": "某某网络科技有限公司", "delivery_mode": None,
        "contact": None, "payment_method": "零钱", "quantity": None, "keys": None}


def test_other_page():
    assert extract("<title>首页</title><p>欢迎光临</p>", None, now=NOW)["page_kind"] == "other"


def test_keys_shown_without_status_mean_delivered():
    html = ('<div class="order-card"><h5><small>订单号：ABCDEFGH12345678</small></h5>'
            '<div class="card-info"><textarea>TXVIP-7QK2-M8ZD-4HNA</textarea></div></div>')
    r = extract(html, None, now=NOW)
    assert r["order"]["status"] is None and r["order"]["status_code"] == "delivered"
    empty = html.replace("TXVIP-7QK2-M8ZD-4HNA", "")
    assert extract(empty, None, now=NOW)["order"]["status_code"] == "unknown"
