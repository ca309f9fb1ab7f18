"""Complaint drafts per channel, from demo-shop-like orders stored in a real Store; checked field by field."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from conftest import run_witness
from helper.core.errors import BadRequest
from helper.package.drafts import CHANNELS, PAYMENT_DESCRIPTION_MAX, blank, draft, drafts_for_store, duration_zh
from packagedata import NOW, PAID, make_order

# Personal data the project cannot know: every such field must be a marked blank.
BLANK = re.compile(r"^【请填写：[^】]+】$")
EMOTIONAL = ("骗子", "无良", "黑心", "垃圾", "愤怒", "气愤", "无耻", "!", "！", "？？", "坑人", "诈骗犯")


@pytest.fixture
def stored(tmp_path):
    store, oid = make_order(tmp_path / "data")
    yield store, oid
    store.close()


@pytest.fixture
def drafts(stored):
    store, oid = stored
    return drafts_for_store(store, oid, now=NOW)


def test_every_channel_has_a_draft_with_facts_and_no_emotional_wording(drafts):
    assert set(drafts) == set(CHANNELS)
    for ch, d in drafts.items():
        assert d.text.startswith(CHANNELS[ch])
        assert "D8K2M4Q7X1N5R9T3" in d.text and "98.50 元" in d.text
        for word in EMOTIONAL:
            assert word not in d.text.replace("请尽快处理或退款", ""), (ch, word)
        # No invented personal data: no phone numbers, ID numbers or names other than the stored ones.
        assert not re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", d.text), ch
        assert not re.search(r"(?<!\d)\d{17}[\dXx](?!\d)", d.text), ch


def test_platform_fields(drafts):
    f = drafts["platform"].fields
    assert f["投诉类型"] == "未按约定发货"
    assert f["订单号"] == "D8K2M4Q7X1N5R9T3"
    assert f["商品"] == "Steam钱包充值卡 100元"
    assert f["金额"] == "98.50 元"
    assert f["诉求"] == "请求商家全额退款（98.50 元）。"
    timeline = f["事实经过"]
    # Order, payment with the promise and deadline, deadline passed, each contact with its time, status now.
    assert timeline[0].startswith("1. 2026-11-27 10:59:00 在星辰卡铺（127.0.0.1）下单购买“Steam钱包充值卡 100元”")
    assert timeline[1].startswith("2. 2026-11-27 11:00:00 付款 98.50 元")
    assert "付款后5分钟内自动发货" in timeline[1] and "2026-11-27 11:05:00 前发货" in timeline[1]
    assert "2026-11-27 11:05:00 承诺的发货期限届满，商家未发货。" in timeline[2]
    contacts = [t for t in timeline if "买家（本人）联系商家" in t]
    assert [c.split(" ")[2] for c in contacts] == ["11:10:00", "11:40:00", "13:00:00"]
    assert any("商家回复（客服小星）：“稍等，5分钟内发货”" in t for t in timeline)
    assert any("13:10:00 已联系商家（说明：在店铺工单中催促发货；编号：GD20261127001）" in t for t in timeline)
    assert timeline[-1].endswith("截至 2026-11-27 14:00:00，订单状态仍显示为“处理中”，商家未发货，也未退款，"
                                 "已超过承诺的发货期限 2小时55分钟，买家最后一次联系（2026-11-27 13:00:00）后商家未再回复。")
    # Times are in order.
    stamps = [t.split(" ", 1)[1][:19] for t in timeline]
    assert stamps == sorted(stamps)
    evidence = f["证据清单"]
    assert len(evidence) == 7
    assert re.match(r"^1\. captures/001-order-2026-11-27T11-20/stamped\.png — 订单页带取证时间水印的截图，"
                    r"取证时间 2026-11-27 11:20:00，SHA-256: [0-9a-f]{64}$", evidence[0])


def test_evidence_list_names_the_stored_hashes(stored, drafts):
    store, oid = stored
    hashes = {a["sha256"] for c in store.list_captures(order_id=oid) for a in c["artifacts"]}
    listed = {line.rsplit(" ", 1)[1] for line in drafts["platform"].fields["证据清单"]}
    assert listed == hashes


def test_12315_fields(drafts):
    f = drafts["12315"].fields
    for key in ("投诉人姓名", "投诉人电话", "投诉人地址", "被投诉人统一社会信用代码", "被投诉人地址", "支付方式", "支付交易单号"):
        assert BLANK.match(f[key]), key
    assert f["被投诉人名称"] == "星辰卡铺"
    assert f["店铺网址"] == "http://127.0.0.1:8101/"
    assert f["订单页网址"] == "http://127.0.0.1:8101/detail-order-sn/D8K2M4Q7X1N5R9T3"
    assert f["ICP备案号"] == "粤ICP备2024051234号-1"
    assert f["商品名称"] == "Steam钱包充值卡 100元"
    assert f["购买时间"] == "2026-11-27 10:59:00" and f["付款时间"] == "2026-11-27 11:00:00"
    assert f["金额"] == "98.50 元"
    assert f["投诉诉求"] == "请求商家全额退款（98.50 元）。"
    assert f["事实与经过"] == drafts["platform"].fields["事实经过"]


def test_heimao_fields(drafts):
    f = drafts["heimao"].fields
    assert f["投诉对象"] == "星辰卡铺（http://127.0.0.1:8101/）"
    assert f["投诉问题"] == "付款后未按约定发货"
    assert f["投诉要求"] == "全额退款"
    assert f["涉诉金额"] == "98.50 元"
    assert f["标题"] == "星辰卡铺订单D8K2M4Q7X1N5R9T3付款后未按约定发货，要求全额退款"
    assert all(".png" in line for line in f["图片"]) and len(f["图片"]) == 3


def test_payment_fields_and_300_character_limit(drafts):
    f = drafts["payment"].fields
    assert f["问题类型"] == "申请退款"
    assert f["退款金额"] == f["交易金额"] == "98.50 元"
    assert BLANK.match(f["联系电话"]) and BLANK.match(f["交易单号"])
    desc = f["问题描述（300字以内）"]
    assert len(desc) <= PAYMENT_DESCRIPTION_MAX
    assert "D8K2M4Q7X1N5R9T3" in desc and "付款98.50 元" in desc and desc.endswith("申请全额退款。")
    assert "11-27 11:10、11-27 11:40、11-27 13:00联系商家，商家未回复" in desc


def test_payment_description_shortens_long_facts_to_fit():
    order = {"order_no": "123456789012345678", "product": "超长商品名称" * 30, "amount": "5180.00", "currency": "CNY",
             "status": "已付款", "status_code": "paid", "shop_name": "某某发卡网" * 10, "shop_host": "a" * 60 + ".example",
             "url": "https://shop.example/user/index/query?tradeNo=123456789012345678",
             "ordered_at": PAID.isoformat(), "paid_at": PAID.isoformat(),
             "promise_text": "在线发货商品，付款后30分钟内发货，节假日顺延" * 5, "deadline": (PAID + timedelta(minutes=30)).isoformat()}
    msgs = [{"sender": "buyer", "time": (PAID + timedelta(minutes=m)).isoformat(), "text": "请发货" * 40} for m in range(40, 400, 20)]
    for claim in ("refund", "perform"):
        d = draft(order, [], msgs, [], "payment", claim, NOW)
        desc = d.fields["问题描述（300字以内）"]
        assert len(desc) <= 300, len(desc)
        assert "123456789012345678" in desc


def test_perform_claim(stored):
    store, oid = stored
    d = drafts_for_store(store, oid, claim="perform", now=NOW)
    assert d["platform"].fields["诉求"].startswith("请求商家按约定履行发货义务")
    assert d["heimao"].fields["投诉要求"] == "强制履约"
    assert d["court"].fields["诉讼请求"][0] == "1. 判令被告履行交付义务，交付订单号 D8K2M4Q7X1N5R9T3 所购商品“Steam钱包充值卡 100元”；"


def test_police_and_court_fields(drafts):
    p = drafts["police"].fields
    for key in ("报案人姓名", "报案人身份证号", "报案人电话", "商家QQ / 联系方式", "收款账户"):
        assert BLANK.match(p[key]), key
    assert p["涉案金额"] == "98.50 元"
    assert p["下单时间"] == "2026-11-27 10:59:00"
    assert p["店铺网址"] == "http://127.0.0.1:8101/"
    assert BLANK.match(p["付款记录"][0])  # no payment capture stored: asked for, not invented
    assert p["聊天记录"][0].startswith("1. captures/002-chat-2026-11-27T13-05/stamped.png")
    c = drafts["court"].fields
    assert c["原告"].count("【请填写：") == 4
    assert c["被告"].startswith("星辰卡铺，统一社会信用代码 【请填写：")
    assert c["诉讼请求"] == ["1. 判令被告退还货款 98.50 元；", "2. 本案诉讼费用由被告承担。"]
    assert "民法典》第五百七十七条" in c["事实与理由"][-1]
    assert c["标的额"] == "98.50 元"


def test_unknown_facts_are_blanks_not_guesses():
    order = {"order_no": "X1", "status_code": "unknown"}
    for ch in CHANNELS:
        d = draft(order, [], [], [], ch, "refund", NOW)
        assert "None" not in d.text, ch
    d = draft(order, [], [], [], "12315", "refund", NOW)
    assert d.fields["商品名称"] == blank("商品名称") and d.fields["金额"] == blank("金额")
    assert d.fields["被投诉人名称"].startswith("【请填写：")


def test_delivered_order_says_so(stored):
    store, oid = stored
    store.upsert_order("127.0.0.1", "D8K2M4Q7X1N5R9T3", {"status": "已完成", "status_code": "delivered"})
    d = drafts_for_store(store, oid, now=NOW, channels=["platform"])["platform"]
    assert d.fields["事实经过"][-1].endswith("截至 2026-11-27 14:00:00，订单状态为“已完成”。")
    assert not any("期限届满" in t for t in d.fields["事实经过"])


def test_bad_channel_or_claim():
    with pytest.raises(BadRequest, match="unknown channel"):
        draft({}, [], [], [], "weibo", "refund", NOW)
    with pytest.raises(BadRequest, match="unknown claim"):
        draft({}, [], [], [], "platform", "apology", NOW)


def test_duration_zh():
    assert duration_zh(0) == "0分钟"
    assert duration_zh(3 * 3600 + 300) == "3小时5分钟"
    assert duration_zh(2 * 86400 + 3600) == "2天1小时"


def test_cli_draft(tmp_path):
    store, oid = make_order(tmp_path / "data")
    store.close()
    proc = run_witness("draft", str(oid), "--channel", "payment", data_dir=tmp_path / "data", check=True)
    assert proc.stdout.startswith("支付渠道投诉")
    assert "D8K2M4Q7X1N5R9T3" in proc.stdout
    bad = run_witness("draft", str(oid), "--channel", "weibo", data_dir=tmp_path / "data")
    assert bad.returncode == 2
    missing = run_witness("draft", "99", "--channel", "platform", data_dir=tmp_path / "data")
    assert missing.returncode == 1 and "order 99 not found" in missing.stderr


async def test_api_draft(client, auth, config):
    store, oid = make_order(config.data_dir)
    store.close()
    r = await client.get(f"/api/orders/{oid}/drafts/12315?claim=perform", headers=auth)
    assert r.status == 200
    body = await r.json()
    assert body["channel"] == "12315" and body["claim"] == "perform"
    assert body["fields"]["订单号"] == "D8K2M4Q7X1N5R9T3"
    assert body["text"].startswith("全国12315平台投诉")
    r = await client.get(f"/api/orders/{oid}/drafts/weibo", headers=auth)
    assert r.status == 400 and (await r.json())["error"]["code"] == "bad_request"
    r = await client.get("/api/orders/77/drafts/platform", headers=auth)
    assert r.status == 404


def test_repeated_and_unrelated_chat_is_left_out():
    """Regression (demo run): the same chat captured twice listed every message twice, and days of earlier
    small talk buried the contact attempts."""
    order = {"order_no": "D8K2M4Q7X1N5R9T3", "amount": "98.50", "status": "处理中", "status_code": "paid",
             "ordered_at": PAID.isoformat(), "paid_at": PAID.isoformat(), "promise_text": "付款后5分钟内自动发货",
             "deadline": (PAID + timedelta(minutes=5)).isoformat()}
    early = [{"sender": s, "time": (PAID - timedelta(days=2, minutes=i)).isoformat(), "text": f"闲聊{i}"}
             for i, s in enumerate(["buyer", "merchant"] * 10)]
    promise = {"sender": "merchant", "time": (PAID - timedelta(days=2, hours=1)).isoformat(),
               "text": "放心，我们是自动发卡，付款后5分钟内发货"}
    after = [{"sender": "buyer", "time": (PAID + timedelta(minutes=10 * i)).isoformat(), "text": f"请发货{i}"}
             for i in range(1, 4)]
    msgs = early + [promise] + after
    d = draft(order, [], msgs + msgs, [], "platform", "refund", NOW)  # the chat stored twice
    timeline = d.fields["事实经过"]
    assert sum("请发货1" in t for t in timeline) == 1
    assert not any("闲聊" in t for t in timeline)
    assert any("付款后5分钟内发货" in t and "商家回复" in t for t in timeline)
    assert any("另有 20 条" in t for t in timeline)
    desc = draft(order, [], msgs + msgs, [], "payment", "refund", NOW).fields["问题描述（300字以内）"]
    assert "11-27 11:10、11-27 11:20、11-27 11:30联系商家" in desc
    many = [{"sender": "buyer", "time": (PAID + timedelta(minutes=i)).isoformat(), "text": f"m{i}"} for i in range(60)]
    timeline = draft(order, [], many, [], "platform", "refund", NOW).fields["事实经过"]
    assert sum("买家（本人）联系商家" in t for t in timeline) == 40
    assert "“m59”" in timeline[-3] and any("另有 20 条" in t for t in timeline)
