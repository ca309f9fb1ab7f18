"""From captured pages to tracked orders: create, update with recorded changes, link chats, /api/analyze."""

from datetime import datetime

from helper.core.clock import CHINA
from helper.orders.tracking import analyse, record, shop_host
from helper.store import Store, verify

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=CHINA)

ORDER_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>星辰卡铺 - 订单详情</title></head><body>
<div class="order"><p><label>订单号：</label><span>K7Q2M9X4T1B8C3D5</span></p>
<p><label>订单名称：</label><span>王者荣耀 648 点券</span></p>
<p><label>订单创建时间：</label><span>2026-11-27 09:58:02</span></p>
<p><label>订单类型：</label><span>人工处理</span></p>
<p><label>实际支付价格：</label><span>¥ 588.00</span></p>
<p><label>订单状态：</label><span>{status}</span></p></div>
<footer>粤ICP备2024051234号-1</footer></body></html>"""

CHAT_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>星辰卡铺 - 在线客服</title></head><body>
<div class="chat"><div class="msg merchant"><span class="name">客服小星</span><time datetime="2026-11-27T10:01:00+08:00">10:01</time>
<p>亲，付款后30分钟内发货</p></div>
<div class="msg buyer self"><span class="name">我</span><time datetime="2026-11-27T11:30:00+08:00">11:30</time>
<p>订单 K7Q2M9X4T1B8C3D5 还没发货</p></div></div></body></html>"""


def store_page(store, html, url, kind):
    result = analyse(html, url, NOW)
    cap = store.add_capture(kind=kind, source="url", url=url, title="t", files={"dom.html": html.encode()},
                            messages=result["messages"])
    return cap, result


def test_shop_host():
    assert shop_host("https://Shop.Example/x") == "shop.example"
    assert shop_host("http://127.0.0.1:8101/x") == "127.0.0.1:8101"
    assert shop_host("http://shop.example:80/") == "shop.example"
    assert shop_host("not a url") is None


def test_order_page_creates_then_updates_and_chat_links(tmp_path):
    store = Store(tmp_path)
    url = "http://127.0.0.1:8101/detail-order-sn/K7Q2M9X4T1B8C3D5"
    cap, result = store_page(store, ORDER_PAGE.format(status="处理中"), url, "order")
    assert result["is_shop"] and result["page_kind"] == "order"
    order = record(store, cap, result)
    assert order["order_no"] == "K7Q2M9X4T1B8C3D5" and order["shop_host"] == "127.0.0.1:8101"
    assert order["amount"] == "588.00" and order["status_code"] == "processing"
    assert store.get_capture(cap["id"])["order_id"] == order["id"]

    # The chat names the order; the merchant's promise there gives the order its deadline.
    chat, chat_result = store_page(store, CHAT_PAGE, "http://127.0.0.1:8101/chat/1", "chat")
    linked = record(store, chat, chat_result)
    assert linked["id"] == order["id"]
    assert linked["promise_seconds"] == 1800 and linked["promise_source"] == "chat"
    assert linked["deadline"].startswith("2026-11-27T10:28:02")
    assert len(store.messages(order_id=order["id"])) == 2

    # Status changes are recorded, not overwritten silently.
    cap2, result2 = store_page(store, ORDER_PAGE.format(status="已完成"), url, "order")
    record(store, cap2, result2)
    updates = [e for e in store.events(order_id=order["id"]) if e["type"] == "order.updated"]
    assert updates[-1]["data"]["changes"]["status"] == ["处理中", "已完成"]
    assert store.get_order(order["id"])["status"] == "已完成"
    assert verify(store)["ok"]


def test_page_of_another_shop_is_not_linked(tmp_path):
    store = Store(tmp_path)
    cap, result = store_page(store, ORDER_PAGE.format(status="处理中"), "http://a.example/detail-order-sn/K7Q2M9X4T1B8C3D5", "order")
    record(store, cap, result)
    chat, chat_result = store_page(store, CHAT_PAGE, "http://b.example/chat/1", "chat")
    assert record(store, chat, chat_result) is None
    assert store.get_capture(chat["id"])["order_id"] is None


async def test_analyze_route(client, auth):
    url = "http://127.0.0.1:8101/detail-order-sn/K7Q2M9X4T1B8C3D5"
    r = await client.post("/api/analyze", json={"url": url, "html": ORDER_PAGE.format(status="处理中")}, headers=auth)
    assert r.status == 200
    body = await r.json()
    assert body["page_kind"] == "order" and body["order"]["amount"] == "588.00" and body["is_shop"]
    assert body["tracked_order"] is None
    await client.post("/api/orders", json={"url": url, "order_no": "K7Q2M9X4T1B8C3D5"}, headers=auth)
    r = await client.post("/api/analyze", json={"url": url, "html": ORDER_PAGE.format(status="处理中")}, headers=auth)
    assert (await r.json())["tracked_order"]["escalation"]["stage"] == "no_deadline"
    r = await client.post("/api/analyze", json={"url": url, "html": "\x00\x01 junk <<<"}, headers=auth)
    assert r.status == 200 and (await r.json())["page_kind"] == "other"
    r = await client.post("/api/analyze", json={"url": url}, headers=auth)
    assert r.status == 400


def test_after_capture_hook_keeps_messages_and_tracks_the_order(tmp_path):
    from helper.orders.tracking import on_capture_stored
    from helper.understanding import extract

    store = Store(tmp_path)
    url = "http://127.0.0.1:8101/detail-order-sn/K7Q2M9X4T1B8C3D5"
    cap = store.add_capture(kind="order", source="tab", url=url, files={"dom.html": b"x"})
    page = ORDER_PAGE.format(status="处理中")
    out = on_capture_stored(store, store.get_capture(cap["id"]), extract(page, url, now=NOW), page)
    assert out["order_id"] is not None
    chat = store.add_capture(kind="chat", source="tab", url="http://127.0.0.1:8101/chat/1", files={"dom.html": b"y"})
    out = on_capture_stored(store, store.get_capture(chat["id"]), extract(CHAT_PAGE, "http://127.0.0.1:8101/chat/1", now=NOW),
                            CHAT_PAGE)
    assert store.get_capture(chat["id"])["message_count"] == 2
    assert [e["type"] for e in store.events(order_id=out["order_id"])].count("messages.extracted") == 1
    assert verify(store)["ok"]
    # Editing an extracted message is caught.
    store.conn.execute("UPDATE messages SET text='改' WHERE capture_id=?", (chat["id"],))
    assert [p["code"] for p in verify(store)["problems"]] == ["row_edited"]


PAID_PAGE = ORDER_PAGE.replace("<p><label>订单类型：</label><span>人工处理</span></p>",
                               "<p><label>订单类型：</label><span>人工处理</span></p><p>付款后5分钟内发货</p>"
                               "<p><label>付款时间：</label><span>2026-11-27 10:00:00</span></p>")
TICKET = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>星辰卡铺 - 在线客服</title></head><body>
<div class="chat">{items}</div></body></html>"""


def said(time: str, text: str, who: str = "merchant") -> str:
    cls = "msg merchant" if who == "merchant" else "msg buyer self"
    name = "客服小星" if who == "merchant" else "我"
    return (f'<div class="{cls}"><span class="name">{name}</span><time datetime="2026-11-27T{time}:00+08:00">{time}</time>'
            f"<p>{text}</p></div>")


def test_later_merchant_promise_replaces_the_order_promise_and_the_change_is_recorded(tmp_path):
    store = Store(tmp_path)
    url = "http://127.0.0.1:8101/detail-order-sn/K7Q2M9X4T1B8C3D5"
    cap, result = store_page(store, PAID_PAGE.format(status="处理中"), url, "order")
    order = record(store, cap, result)
    assert order["promise_source"] == "order_note" and order["deadline"] == "2026-11-27T10:05:00.000+08:00"

    # 14:00 in chat: "今天21点前给你处理" (the buyer quoted the page first: not a promise)
    first = [said("13:50", "订单 K7Q2M9X4T1B8C3D5 写着付款后5分钟内发货", "buyer"), said("14:00", "今天21点前给你处理")]
    chat, chat_result = store_page(store, TICKET.format(items="".join(first)), "http://127.0.0.1:8101/chat/1", "chat")
    order = record(store, chat, chat_result)
    assert order["promise_text"] == "今天21点前给你处理" and order["deadline"] == "2026-11-27T21:00:00.000+08:00"

    # The order page captured again keeps the merchant's later promise.
    cap2, result2 = store_page(store, PAID_PAGE.format(status="处理中"), url, "order")
    assert record(store, cap2, result2)["deadline"] == "2026-11-27T21:00:00.000+08:00"

    # 21:30: "明天中午前一定处理好" replaces it; the event holds old and new.
    later = first + [said("21:10", "不是说今天21点前给我处理吗", "buyer"), said("21:30", "抱歉，明天中午前一定处理好")]
    chat2, chat2_result = store_page(store, TICKET.format(items="".join(later)), "http://127.0.0.1:8101/chat/1", "chat")
    order = record(store, chat2, chat2_result)
    assert order["deadline"] == "2026-11-28T12:00:00.000+08:00"
    changes = [e["data"]["changes"] for e in store.events(order_id=order["id"]) if e["type"] == "order.updated"]
    assert [c["deadline"] for c in changes if "deadline" in c] == [
        ["2026-11-27T10:05:00.000+08:00", "2026-11-27T21:00:00.000+08:00"],
        ["2026-11-27T21:00:00.000+08:00", "2026-11-28T12:00:00.000+08:00"]]

    # An older chat read after the newer one does not turn the deadline back.
    chat3, chat3_result = store_page(store, TICKET.format(items="".join(first)), "http://127.0.0.1:8101/chat/2", "chat")
    assert record(store, chat3, chat3_result)["deadline"] == "2026-11-28T12:00:00.000+08:00"
    assert verify(store)["ok"]
