"""Complaint drafts, pure: stored facts → ready-to-paste Chinese text for one channel.

`draft(order, captures, messages, actions, channel, claim, now)` takes plain values (rows as the store
returns them, actions as the `action.recorded` event data) and never reads the clock, the disk or the
network. Wording is objective: dated facts, no judgement. What the project cannot know (the buyer's
name, phone, address, ID number, the transaction number) is a marked blank, never invented.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from ..core.clock import china, parse_iso
from ..core.errors import BadRequest
from ..escalation import actions_of
from ..orders.offers import promise_quote
from ..understanding import promises
from .channels import CHANNELS, CLAIMS
from .layout import KIND_ZH, artifact_path, describe_artifact, is_image

PAYMENT_DESCRIPTION_MAX = 300
PAYMENT_DESCRIPTION = "问题描述（300字以内）"
# Where each complaint is filed, with the path through the app or site (the buyer has to go there).
WHERE = {
    "platform": [
        {"name": "店铺所在平台 / shop platform", "url": None,
         "zh": "在订单页或店铺页找「投诉」「工单」「订单投诉 / 纠纷处理」入口 → 选择“商家违约 / 未按约定发货” → 粘贴各栏 → 记下工单号",
         "en": "on the order or shop page find 投诉 / 工单 / 订单投诉 → choose “merchant breach / not delivered” → paste the fields → keep the ticket number"},
    ],
    "12315": [
        {"name": "全国12315平台", "url": "https://www.12315.cn/",
         "zh": "登录 → 我要投诉 → 选择被投诉方所在地区 → 填写被投诉方（店铺名称、网址、ICP备案号）→ 逐栏粘贴 → 上传证据截图",
         "en": "log in → 我要投诉 (file a complaint) → the respondent's region → respondent (shop name, address, ICP number) → paste each field → upload the screenshots"},
        {"name": "全国12315 小程序（微信 / 支付宝）", "url": None,
         "zh": "微信或支付宝搜索「全国12315平台」小程序 → 我要投诉 → 同上",
         "en": "search the 全国12315平台 mini program in WeChat or Alipay → 我要投诉 → as above"},
    ],
    "heimao": [
        {"name": "黑猫投诉", "url": "https://tousu.sina.com.cn/",
         "zh": "用微博账号登录 → 我要投诉 → 填写投诉对象、问题、要求、金额、标题与描述 → 上传图片",
         "en": "log in with a Weibo account → 我要投诉 → object, problem, demand, amount, title and description → upload the images"},
        {"name": "黑猫投诉 App / 微博 App", "url": None,
         "zh": "黑猫投诉 App 首页「我要投诉」；或微博 App 搜索「黑猫投诉」→ 我要投诉",
         "en": "the 黑猫投诉 app's home page 我要投诉; or search 黑猫投诉 in the Weibo app → 我要投诉"},
    ],
    "payment": [
        {"name": "支付宝 Alipay", "url": None,
         "zh": "支付宝 App → 我的 → 账单 → 点开这笔付款 → 对此订单有疑问 → 投诉 → 选择问题 → 粘贴「问题描述」（300字以内）→ 上传凭证图片",
         "en": "Alipay → 我的 (Me) → 账单 (Bills) → this payment → 对此订单有疑问 → 投诉 (complain) → the problem → paste the description (300 characters) → upload the images"},
        {"name": "微信支付 WeChat Pay", "url": None,
         "zh": "微信 → 我 → 服务 → 钱包 → 账单 → 点开这笔付款 → 对订单有疑惑 → 发起投诉 → 选择问题 → 粘贴「问题描述」→ 上传凭证图片",
         "en": "WeChat → 我 (Me) → 服务 (Services) → 钱包 (Wallet) → 账单 (Bills) → this payment → 对订单有疑惑 → 发起投诉 → the problem → paste the description → upload the images"},
    ],
    "police": [
        {"name": "110 / 国家反诈中心 App", "url": None,
         "zh": "拨打 110，或「国家反诈中心」App → 举报 → 我要举报；也可带上导出的证据包到就近派出所报案",
         "en": "call 110, or the 国家反诈中心 app → 举报 (report); or take the exported package to the nearest police station"},
    ],
    "court": [
        {"name": "人民法院在线服务（微信小程序）", "url": None,
         "zh": "微信搜索「人民法院在线服务」→ 选择法院 → 网上立案 → 民事一审 → 上传起诉状（下面各栏）与证据",
         "en": "search 人民法院在线服务 in WeChat → choose the court → 网上立案 (file online) → first-instance civil case → upload the complaint (the fields below) and the evidence"},
    ],
}
# Fields with a length limit in the channel's form (characters).
LIMITS = {"payment": {PAYMENT_DESCRIPTION: PAYMENT_DESCRIPTION_MAX}}
RESOLVED = {"delivered", "refunded"}


def blank(label: str) -> str:
    """A field the buyer fills in: clearly marked, never guessed."""
    return f"【请填写：{label}】"


@dataclass(frozen=True)
class Draft:
    channel: str
    claim: str
    text: str
    fields: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"channel": self.channel, "title": CHANNELS[self.channel], "claim": self.claim,
                "claim_zh": CLAIMS[self.claim], "text": self.text, "fields": self.fields,
                "where": WHERE[self.channel], "limits": LIMITS.get(self.channel, {})}


# -- facts ---------------------------------------------------------------------------------------------


def _t(value) -> str | None:
    if not value:
        return None
    try:
        return china(value)
    except (ValueError, TypeError):
        return str(value)


def _dt(value) -> datetime | None:
    try:
        return parse_iso(value) if value else None
    except (ValueError, TypeError):
        return None


def money(order: dict) -> str | None:
    amount = order.get("amount")
    if amount in (None, ""):
        return None
    cur = (order.get("currency") or "CNY").upper()
    return f"{amount} 元" if cur in ("CNY", "RMB", "¥") else f"{amount} {cur}"


def duration_zh(seconds: float) -> str:
    minutes = int(seconds // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(f"{days}天")
    if hours:
        parts.append(f"{hours}小时")
    if mins or not parts:
        parts.append(f"{mins}分钟")
    return "".join(parts)


def _clip(text: str, n: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1] + "…"


def shop_label(order: dict) -> str:
    name = order.get("shop_name")
    host = order.get("shop_host")
    if name and host:
        return f"{name}（{host}）"
    return name or host or blank("店铺名称")


def shop_url(order: dict) -> str | None:
    """The shop's address (scheme://host[:port]/) from the order page URL."""
    parts = urlsplit(order.get("url") or "")
    return f"{parts.scheme}://{parts.netloc}/" if parts.scheme in ("http", "https") and parts.netloc else None


def respondent(order: dict) -> str:
    return order.get("merchant") or order.get("shop_name") or blank("经营者名称（未能查明时写店铺名称和网址）")


def _resolved(order: dict, actions: list[dict]) -> bool:
    return order.get("status_code") in RESOLVED or any(a.get("action") in RESOLVED for a in actions)




def states_promise(message: dict) -> bool:
    """A merchant's message that states a delivery promise (the one finder: understanding.promises)."""
    return message.get("sender") == "merchant" and bool(promises.find_promises(message.get("text") or "", "chat"))

MESSAGES_BEFORE_ORDER = timedelta(hours=2)
MAX_MESSAGES = 40


def relevant_messages(order: dict, messages: list[dict]) -> tuple[list[dict], int]:
    """The messages a complaint needs, and how many were left out.

    Repeats (the same chat captured twice) count once. Kept: every message from two hours before the order
    on, and earlier merchant messages that state a delivery promise. At most MAX_MESSAGES, the latest.
    """
    seen, unique = set(), []
    for m in messages:
        key = (m.get("sender"), m.get("time"), m.get("text"))
        if key not in seen:
            seen.add(key)
            unique.append(m)
    start = min((d for d in (_dt(order.get("ordered_at")), _dt(order.get("paid_at"))) if d), default=None)
    kept = []
    for m in unique:
        when = _dt(m.get("time"))
        if when is None:
            continue
        if start is None or when >= start - MESSAGES_BEFORE_ORDER or states_promise(m):
            kept.append(m)
    kept.sort(key=lambda m: _dt(m["time"]))
    dropped = len(unique) - len(kept)
    if len(kept) > MAX_MESSAGES:
        dropped += len(kept) - MAX_MESSAGES
        kept = kept[-MAX_MESSAGES:]
    return kept, dropped


def timeline(order: dict, captures: list[dict], messages: list[dict], actions: list[dict], now: datetime) -> list[tuple[datetime, str]]:
    """Dated facts in time order: order, payment, promise deadline, each contact, each capture, status now."""
    items: list[tuple[datetime, int, str]] = []
    amount = money(order)
    product = order.get("product")

    def add(when, text, rank=5):
        dt = _dt(when)
        if dt is not None:
            items.append((dt, rank, text))

    add(order.get("ordered_at"),
        f"在{shop_label(order)}下单{('购买“' + product + '”') if product else ''}，订单号 {order.get('order_no')}"
        f"{('，金额 ' + amount) if amount else ''}。", 0)
    promise = order.get("promise_text")
    said = ""
    if promise:
        quote = promise_quote(captures, order)  # the promise kept from the product page before paying
        said = f"商家商品页（下单前保存）载明{quote}" if quote else f"商家页面载明“{_clip(promise, 60)}”"
        said += f"，据此最迟应于 {_t(order['deadline'])} 前发货。" if order.get("deadline") else "。"
    if order.get("paid_at"):
        add(order["paid_at"], f"付款{(' ' + amount) if amount else ''}，付款成功。" + said, 1)
    elif said:  # the shop shows no payment time (dujiaoka): the promise goes with the order
        add(order.get("ordered_at"), said, 1)
    deadline = _dt(order.get("deadline"))
    if deadline is not None and deadline <= now and not _resolved(order, actions):
        add(order["deadline"], "承诺的发货期限届满，商家未发货。", 2)
    messages, dropped = relevant_messages(order, messages)
    for m in messages:
        who = {"buyer": "买家（本人）联系商家", "merchant": "商家回复", "system": "系统消息"}.get(m.get("sender"), "消息")
        name = f"（{m['name']}）" if m.get("name") and m.get("sender") == "merchant" else ""
        add(m.get("time"), f"{who}{name}：“{_clip(m.get('text') or '', 60)}”", 3)
    for a in actions:
        label = a.get("zh") or a.get("action") or "记录"
        extra = []
        if a.get("note"):
            extra.append(f"说明：{_clip(a['note'], 60)}")
        if a.get("reference"):
            extra.append(f"编号：{a['reference']}")
        add(a.get("at"), f"{label}{('（' + '；'.join(extra) + '）') if extra else ''}。", 4)
    for c in captures:
        kind = KIND_ZH.get(c.get("kind"), "页面")
        add(c.get("captured_at"), f"保存{kind}证据（取证记录 #{c['id']}，文件及哈希见证据清单）。", 6)
    items.sort(key=lambda x: (x[0], x[1]))
    out = [(dt, text) for dt, _, text in items]
    if dropped:
        out.append((now, f"（另有 {dropped} 条与本订单无直接关系或无可辨认时间的聊天消息未列出，见聊天记录截图。）"))
    out.append((now, current_status(order, messages, actions, now)))
    return out


def last_contact(messages: list[dict]) -> tuple[datetime | None, bool]:
    """(time of the buyer's last dated message, whether the merchant answered after it)."""
    buyer = [d for m in messages if m.get("sender") == "buyer" and (d := _dt(m.get("time")))]
    if not buyer:
        return None, False
    last = max(buyer)
    answered = any((d := _dt(m.get("time"))) and d > last for m in messages if m.get("sender") == "merchant")
    return last, answered


def current_status(order: dict, messages: list[dict], actions: list[dict], now: datetime) -> str:
    status = order.get("status")
    parts = [f"截至 {china(now)}"]
    if _resolved(order, actions):
        parts.append(f"订单状态为“{status}”。" if status else "订单已发货或已退款。")
        return "，".join(parts[:1]) + "，" + parts[1]
    parts.append(f"订单状态仍显示为“{status}”" if status else "订单状态未记录")
    parts.append("商家未发货，也未退款")
    deadline = _dt(order.get("deadline"))
    if deadline is not None and deadline < now:
        parts.append(f"已超过承诺的发货期限 {duration_zh((now - deadline).total_seconds())}")
    last, answered = last_contact(relevant_messages(order, messages)[0])
    if last is not None and not answered:
        parts.append(f"买家最后一次联系（{china(last)}）后商家未再回复")
    return "，".join(parts) + "。"


def evidence_list(captures: list[dict], *, images_only: bool = False) -> list[str]:
    lines = []
    n = 0
    for c in captures:
        kind = KIND_ZH.get(c.get("kind"), "页面")
        for a in c.get("artifacts", []):
            if images_only and not is_image(a):
                continue
            n += 1
            lines.append(f"{n}. {artifact_path(c, a)} — {kind}{describe_artifact(a['name'])}，"
                         f"取证时间 {_t(c.get('captured_at'))}，SHA-256: {a['sha256']}")
    return lines or ["（尚无已保存的证据文件）"]


def claim_text(order: dict, claim: str) -> str:
    amount = money(order)
    if claim == "refund":
        return f"请求商家全额退款{('（' + amount + '）') if amount else ''}。"
    return f"请求商家按约定履行发货义务（交付订单号 {order.get('order_no')} 所购商品）；逾期仍不履行的，全额退款。"


def complaint_type(order: dict) -> str:
    return "未按约定发货" if order.get("promise_text") or order.get("deadline") else "商家违约"


def _numbered(lines: list[tuple[datetime, str]]) -> list[str]:
    return [f"{i}. {china(dt)} {text}" for i, (dt, text) in enumerate(lines, 1)]


# -- channels ------------------------------------------------------------------------------------------


def _ctx(order, captures, messages, actions, claim, now):
    facts = timeline(order, captures, messages, actions, now)
    return {
        "order_no": order.get("order_no") or blank("订单号"),
        "product": order.get("product") or blank("商品名称"),
        "amount": money(order) or blank("金额"),
        "ordered": _t(order.get("ordered_at")) or blank("下单时间"),
        "paid": _t(order.get("paid_at")) or blank("付款时间"),
        "url": shop_url(order) or blank("店铺网址"),
        "order_url": order.get("url") or blank("订单页网址"),
        "timeline": _numbered(facts),
        "claim": claim_text(order, claim),
        "evidence": evidence_list(captures),
    }


def _platform(order, captures, messages, actions, claim, now, c) -> dict:
    return {
        "投诉类型": complaint_type(order),
        "订单号": c["order_no"],
        "商品": c["product"],
        "金额": c["amount"],
        "店铺": shop_label(order),
        "事实经过": c["timeline"],
        "诉求": c["claim"],
        "证据清单": c["evidence"],
    }


def _12315(order, captures, messages, actions, claim, now, c) -> dict:
    return {
        "投诉人姓名": blank("姓名"),
        "投诉人电话": blank("手机号"),
        "投诉人地址": blank("地址"),
        "被投诉人名称": respondent(order),
        "被投诉人统一社会信用代码": blank("统一社会信用代码（如能查到；查不到可写“未查到”）"),
        "被投诉人地址": blank("经营地址（如能查到；查不到可写“未查到”）"),
        "店铺网址": c["url"],
        "订单页网址": c["order_url"],
        "ICP备案号": order.get("shop_icp") or blank("ICP备案号（网页底部未显示时写“页面未显示”）"),
        "商品名称": c["product"],
        "订单号": c["order_no"],
        "购买时间": c["ordered"],
        "付款时间": c["paid"],
        "金额": c["amount"],
        "支付方式": blank("支付方式（支付宝 / 微信支付等）"),
        "支付交易单号": blank("支付交易单号（见支付宝 / 微信账单详情）"),
        "投诉诉求": c["claim"],
        "事实与经过": c["timeline"],
        "证据": c["evidence"],
    }


def _heimao(order, captures, messages, actions, claim, now, c) -> dict:
    shop = order.get("shop_name") or order.get("shop_host") or blank("店铺名称")
    problem = "付款后未按约定发货" if not _resolved(order, actions) else complaint_type(order)
    return {
        "投诉对象": f"{shop}{('（' + c['url'] + '）') if shop_url(order) else ''}",
        "投诉问题": problem,
        "投诉要求": CLAIMS[claim],
        "涉诉金额": c["amount"],
        "标题": f"{shop}订单{c['order_no']}{problem}，要求{CLAIMS[claim]}",
        "描述": c["timeline"] + [c["claim"]],
        "图片": evidence_list(captures, images_only=True),
    }


def payment_description(order: dict, messages: list[dict], actions: list[dict], claim: str, now: datetime,
                        limit: int = PAYMENT_DESCRIPTION_MAX) -> str:
    """The ≤300-character story for WeChat Pay / Alipay: shortened step by step until it fits."""
    amount = money(order) or "（金额见订单）"
    messages = relevant_messages(order, messages)[0]
    last, answered = last_contact(messages)
    deadline = _dt(order.get("deadline"))
    contacts = sorted(d for m in messages if m.get("sender") == "buyer" and (d := _dt(m.get("time"))))

    def build(product_len, promise_len, with_host, with_contacts, with_claim_detail):
        shop = order.get("shop_name") or order.get("shop_host") or "该店铺"
        if with_host and order.get("shop_name") and order.get("shop_host"):
            shop = f"{order['shop_name']}（{order['shop_host']}）"
        s = f"{_t(order.get('paid_at')) or _t(order.get('ordered_at')) or ''}在{shop}购买"
        if order.get("product"):
            s += f"“{_clip(order['product'], product_len)}”"
        s += f"，订单号{order.get('order_no')}，付款{amount}。"
        if order.get("promise_text") and promise_len:
            s += f"商家承诺“{_clip(order['promise_text'], promise_len)}”"
            s += f"，应于{_t(order['deadline'])}前发货。" if deadline else "。"
        elif deadline:
            s += f"应于{_t(order['deadline'])}前发货。"
        if contacts and with_contacts:
            s += "买家于" + "、".join(china(d)[5:16] for d in contacts[-3:]) + "联系商家"
            s += "，商家未回复。" if last and not answered else "。"
        elif contacts:
            s += f"买家联系商家{len(contacts)}次" + ("未获回复。" if last and not answered else "。")
        s += f"截至{china(now)[:16]}仍未发货、未退款。"
        if with_claim_detail:
            s += "申请全额退款。" if claim == "refund" else "请督促商家发货，不能发货则全额退款。"
        else:
            s += "申请退款。"
        return s

    for args in ((40, 40, True, True, True), (24, 30, False, True, True), (16, 20, False, False, True),
                 (12, 0, False, False, True), (10, 0, False, False, False)):
        text = build(*args)
        if len(text) <= limit:
            return text
    return _clip(text, limit)


def _payment(order, captures, messages, actions, claim, now, c) -> dict:
    return {
        "问题类型": "申请退款",
        "退款金额": c["amount"],
        PAYMENT_DESCRIPTION: payment_description(order, messages, actions, claim, now),
        "联系电话": blank("手机号"),
        "交易单号": blank("支付交易单号（见支付宝 / 微信账单详情）"),
        "交易金额": c["amount"],
        "商户订单号": c["order_no"],
        "凭证图片": evidence_list(captures, images_only=True),
    }


def _police(order, captures, messages, actions, claim, now, c) -> dict:
    chats = [cap for cap in captures if cap.get("kind") == "chat"]
    payments = [cap for cap in captures if cap.get("kind") == "payment"]
    return {
        "报案人姓名": blank("姓名"),
        "报案人身份证号": blank("身份证号"),
        "报案人电话": blank("手机号"),
        "涉案金额": c["amount"],
        "下单时间": c["ordered"],
        "付款时间": c["paid"],
        "店铺名称": order.get("shop_name") or blank("店铺名称"),
        "店铺网址": c["url"],
        "订单页网址": c["order_url"],
        "ICP备案号": order.get("shop_icp") or "页面未显示",
        "商家QQ / 联系方式": blank("商家QQ、微信或其他联系方式（如有）"),
        "收款账户": blank("收款方账户（见支付宝 / 微信账单详情中的收款方）"),
        "付款记录": evidence_list(payments) if payments else [blank("付款记录截图（支付宝 / 微信账单详情）")],
        "聊天记录": evidence_list(chats) if chats else ["（本证据包中没有聊天记录取证）"],
        "事实经过": c["timeline"],
        "证据清单": c["evidence"],
    }


def _court(order, captures, messages, actions, claim, now, c) -> dict:
    if claim == "refund":
        request = [f"1. 判令被告退还货款 {c['amount']}；", "2. 本案诉讼费用由被告承担。"]
    else:
        request = [f"1. 判令被告履行交付义务，交付订单号 {c['order_no']} 所购商品“{c['product']}”；",
                   f"2. 如被告不能履行，判令被告退还货款 {c['amount']}；", "3. 本案诉讼费用由被告承担。"]
    reasons = c["timeline"] + [
        "原告已按约定支付价款，被告未按约定期限交付商品，构成违约。依据《中华人民共和国民法典》第五百七十七条，"
        "被告应承担继续履行、采取补救措施或者赔偿损失等违约责任；依据《中华人民共和国电子商务法》第五十一条，"
        "在线交付的商品以进入买家指定系统且能够检索识别的时间为交付时间，截至起诉时原告未收到所购商品。",
    ]
    return {
        "原告": f"{blank('姓名')}，身份证号 {blank('身份证号')}，住址 {blank('住址')}，电话 {blank('手机号')}",
        "被告": f"{respondent(order)}，统一社会信用代码 {blank('统一社会信用代码（如能查到）')}，"
                f"住所地 {blank('被告地址（如能查到）')}，网店地址 {c['url']}"
                f"{('，ICP备案号 ' + order['shop_icp']) if order.get('shop_icp') else ''}",
        "诉讼请求": request,
        "事实与理由": reasons,
        "证据清单": c["evidence"],
        "标的额": c["amount"],
    }


BUILDERS = {"platform": _platform, "12315": _12315, "heimao": _heimao, "payment": _payment,
            "police": _police, "court": _court}


def render(channel: str, claim: str, fields: dict, now: datetime) -> str:
    lines = [f"{CHANNELS[channel]}（草稿）",
             f"生成时间：{china(now)}（北京时间）。标有【请填写：…】的内容请本人核实填写；提交前请逐项核对。", ""]
    for label, value in fields.items():
        if isinstance(value, list):
            lines.append(f"{label}：")
            lines += [f"  {v}" for v in value]
        else:
            lines.append(f"{label}：{value}")
    return "\n".join(lines) + "\n"


def draft(order: dict, captures: list[dict], messages: list[dict], actions: list[dict], channel: str,
          claim: str = "refund", now: datetime | None = None) -> Draft:
    if channel not in CHANNELS:
        raise BadRequest(f"unknown channel {channel!r}; one of {', '.join(CHANNELS)}")
    if claim not in CLAIMS:
        raise BadRequest(f"unknown claim {claim!r}; one of {', '.join(CLAIMS)}")
    if now is None or now.tzinfo is None:
        raise ValueError("draft() needs an aware `now`")
    c = _ctx(order, captures, messages, actions, claim, now)
    fields = BUILDERS[channel](order, captures, messages, actions, claim, now, c)
    return Draft(channel, claim, render(channel, claim, fields, now), fields)


def drafts_for_store(store, order_id: int, *, claim: str = "refund", now: datetime, channels=None) -> dict[str, Draft]:
    """Every (or the named) channel's draft for a stored order: reads the store, then calls `draft`."""

    order = store.get_order(order_id)
    captures = store.list_captures(order_id=order_id)
    messages = store.messages(order_id=order_id)
    actions = actions_of(store, order_id)
    return {ch: draft(order, captures, messages, actions, ch, claim, now) for ch in (channels or CHANNELS)}
