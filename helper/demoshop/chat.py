"""Chat threads of the demo shop: a long seeded merchant/buyer conversation, an acg-faka ticket thread,
and whatever tests append through the say hook.

Seeded messages store how long before "now" they were sent; appended messages store an absolute time.
Message ids are 1, 2, 3 … per thread; `?after=N` polling returns messages with id > N.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ..core.clock import CHINA

MERCHANT = "merchant"
BUYER = "buyer"
SENDERS = (MERCHANT, BUYER)
MAX_TEXT = 2000

# Distinctive first and last messages of the long thread; capture tests look for them.
FIRST_MESSAGE = "你好，我是第一次在贵店买东西，请问Steam钱包充值卡100元面值还有库存吗？"
LAST_MESSAGE = "已经等了三个多小时了，再不发货我就去平台投诉并申请全额退款！"
PROMISE_MESSAGE = "放心，我们是自动发卡，付款后5分钟内发货，卡密在订单页面直接显示。"


@dataclass
class Message:
    id: int
    sender: str
    text: str
    ago: float | None = None  # seconds before now (seeded)
    at: datetime | None = None  # absolute (appended)

    def time(self, now: datetime) -> datetime:
        return self.at if self.at is not None else now - timedelta(seconds=self.ago or 0.0)


@dataclass
class Thread:
    thread_id: str
    title: str
    merchant_name: str
    buyer_name: str
    order_id: str = ""
    closed_status: str = ""  # "已解决" / "已关闭" for finished tickets
    messages: list[Message] = field(default_factory=list)

    def add(self, sender: str, text: str, *, at: datetime | None = None, ago: float | None = None) -> Message:
        msg = Message(id=len(self.messages) + 1, sender=sender, text=text, at=at, ago=ago)
        self.messages.append(msg)
        return msg

    def after(self, last_id: int) -> list[Message]:
        return self.messages[last_id:] if last_id >= 0 else list(self.messages)

    def ticket_status(self) -> str:
        """acg-faka ticket status: 待客服回复 / 待我回复 / 已解决 / 已关闭."""
        if self.closed_status:
            return self.closed_status
        if self.messages and self.messages[-1].sender == MERCHANT:
            return "待我回复"
        return "待客服回复"

    def name_of(self, sender: str) -> str:
        return self.merchant_name if sender == MERCHANT else self.buyer_name


def day_label(when: datetime, now: datetime) -> str:
    """Date separator as chat apps print it: 今天, 昨天, else the full date."""
    d, today = when.astimezone(CHINA).date(), now.astimezone(CHINA).date()
    if d == today:
        return "今天"
    if d == today - timedelta(days=1):
        return "昨天"
    return d.isoformat()


def message_json(thread: Thread, msg: Message, now: datetime) -> dict:
    t = msg.time(now).astimezone(CHINA)
    return {
        "id": msg.id,
        "sender": msg.sender,
        "name": thread.name_of(msg.sender),
        "text": msg.text,
        "time": t.strftime("%Y-%m-%d %H:%M:%S"),
        "iso": t.isoformat(timespec="seconds"),
        "day": t.date().isoformat(),
        "day_label": day_label(t, now),
        "clock": t.strftime("%H:%M"),
    }


_UNANSWERED = (
    "在吗？我已经付款了，怎么还没有发货？",
    "订单页面一直显示处理中，卡密没有出来",
    "你好，麻烦看一下我的订单",
    "不是说付款后5分钟内发货吗？已经半个小时了",
    "客服在吗",
    "？？？",
    "请尽快处理一下，我这边急用",
    "我把订单截图发给你了，订单号 D8K2M4Q7X1N5R9T3",
    "支付宝已经扣款98.50元了",
    "有人吗",
    "一个小时了，还是没有收到卡密",
    "邮箱也没有收到任何邮件",
    "请问是不是库存没有了？没有的话请给我退款",
    "麻烦回复一下",
    "在不在",
    "我已经联系了好几次了，一直没人回复",
    "你们店铺首页写的是自动发货，为什么到现在还不发",
    "我留个QQ 1234567890，看到请联系我",
    "两个小时了",
    "请给个说法，发货还是退款？",
    "如果今天处理不了，请直接退款",
    "我已经保存了聊天记录和付款截图",
    "客服？",
    "再问一次，什么时候发货",
    "平台规则写的是自动发货商品须即时发货",
    "我不想投诉，但是一直不回复我只能投诉了",
    "最后等你半小时",
    "还是没有回复",
    "三个小时了",
)


def _history() -> list[tuple[float, str, str]]:
    """(seconds before now, sender, text) for the long thread, oldest first."""
    H, D, M = 3600.0, 86400.0, 60.0
    m, b = MERCHANT, BUYER
    out: list[tuple[float, str, str]] = []

    def block(start: float, step: float, lines):
        t = start
        for sender, text in lines:
            out.append((t, sender, text))
            t -= step

    block(3 * D + 4 * H, 47.0, [
        (b, FIRST_MESSAGE),
        (m, "亲，在的～100元面值现在有货，店铺价格98.5元"),
        (b, "是国区的卡吗？可以直接在Steam客户端兑换吗"),
        (m, "是的亲，国区官方卡密，客户端-添加钱包资金-兑换Steam充值卡即可"),
        (b, "多久能发货呀"),
        (m, PROMISE_MESSAGE),
        (b, "好的，那我先买一张试试"),
        (m, "好的亲，有问题随时联系客服"),
        (b, "买好了，卡密已经出来了"),
        (b, "兑换成功，谢谢"),
        (m, "不客气哦，欢迎下次光临～"),
        (b, "请问以后要是量大可以便宜点吗"),
        (m, "一次买10张以上可以9.5折，需要的话提前说"),
        (b, "好的明白"),
        (m, "店铺每天上午10点补货，晚上11点后客服下线，自动发货不受影响"),
        (b, "收到"),
    ])
    block(2 * D + 2 * H, 61.0, [
        (b, "老板，今天有500元面值的吗"),
        (m, "500的暂时没有，明后天会补"),
        (b, "那100的还有多少张"),
        (m, "还有一百多张，够用的"),
        (b, "我朋友也想买，他可以直接在网站下单吗"),
        (m, "可以的，不需要注册，填邮箱就行，付款后5分钟内自动发货"),
        (b, "好的我跟他说"),
        (m, "👌"),
        (b, "对了，卡密可以开发票吗"),
        (m, "不好意思亲，虚拟商品暂不支持开票"),
        (b, "了解"),
        (b, "500的补货了能通知我吗"),
        (m, "可以的亲，关注店铺公告，或者明天上午来问我"),
        (b, "好嘞"),
        (m, "😊"),
        (b, "那我晚点再来"),
        (m, "好的，祝您生活愉快"),
        (b, "谢谢"),
    ])
    block(1 * D + 1 * H, 53.0, [
        (b, "在吗，明天几点补货"),
        (m, "明天上午10点左右"),
        (b, "补货之后下单也是自动发吗"),
        (m, "是的，补货后都是自动发卡"),
        (b, "我明天要买两张100的"),
        (m, "好的，明天直接下单就行"),
        (b, "那如果没发货怎么办"),
        (m, "不会的亲，系统自动发，万一有问题联系我马上处理"),
        (b, "好"),
        (m, "晚安亲"),
        (b, "晚安"),
        (b, "忘了问，支付宝可以付吗"),
        (m, "支付宝、微信、QQ钱包都可以"),
        (b, "好的"),
    ])
    # Today: the order at issue. Paid 3 h ago, promise repeated, then silence.
    block(3 * H + 5 * M, 40.0, [
        (b, "你好，我刚下单了Steam 100元的，订单号 D8K2M4Q7X1N5R9T3"),
        (b, "已经用支付宝付款了"),
        (m, "收到亲，付款后5分钟内发货，请稍等"),
        (b, "好的谢谢"),
    ])
    t = 2 * H + 55 * M
    step = (t - 3 * M) / len(_UNANSWERED)
    for text in _UNANSWERED:
        out.append((t, b, text))
        t -= step
    out.append((2 * M, b, LAST_MESSAGE))
    return out


def seed_threads() -> dict[str, Thread]:
    threads: dict[str, Thread] = {}

    demo = Thread("demo", "星辰数卡 在线客服", "星辰数卡-客服小美", "我", order_id="D8K2M4Q7X1N5R9T3")
    for ago, sender, text in _history():
        demo.add(sender, text, ago=ago)
    threads[demo.thread_id] = demo

    short = Thread("short", "星辰数卡 在线客服", "星辰数卡-客服小美", "我")
    short.add(MERCHANT, "您好，欢迎光临星辰数卡，有什么可以帮您？", ago=600)
    short.add(BUYER, "请问腾讯视频月卡怎么兑换", ago=540)
    short.add(MERCHANT, "登录腾讯视频APP-我的-兑换VIP，输入卡密即可", ago=480)
    threads[short.thread_id] = short

    # acg-faka ticket threads (工单), shown inside the ticket page.
    from .orders import ACG_FAKA, seed_orders

    acg = [o.order_id for o in seed_orders() if o.system == ACG_FAKA]
    t1 = Thread("ticket-52013", "订单未发货", "客服-阿杰", "喵友1234567890", order_id=acg[0])
    H, M = 3600, 60
    for ago, sender, text in (
        (2 * H + 58 * M, BUYER, "你好，我刚买的原神6480代充，付款成功了，一直显示等待发货。"),
        (2 * H + 55 * M, BUYER, "订单号在上面，UID 187654321，官服。"),
        (2 * H + 40 * M, MERCHANT, "您好，代充订单高峰期会有延迟，付款后30分钟内一定发货，请耐心等待。"),
        (2 * H + 38 * M, BUYER, "好的，谢谢。"),
        (2 * H + 5 * M, BUYER, "已经超过30分钟了，还是没有发货，请尽快处理。"),
        (1 * H + 50 * M, BUYER, "客服你好，请问还要等多久？"),
        (1 * H + 30 * M, BUYER, "游戏里还是没有到账，宝贝内容也一直是等待发货。"),
        (1 * H + 2 * M, BUYER, "麻烦给个准确的发货时间。"),
        (45 * M, BUYER, "一直没有回复，我已经截图保存了。"),
        (32 * M, BUYER, "规则写的是付款后24小时内必须发货，你们承诺的是30分钟。"),
        (20 * M, BUYER, "再不处理我只能申请退款并向平台投诉了。"),
        (6 * M, BUYER, "请尽快回复本工单。"),
    ):
        t1.add(sender, text, ago=ago)
    threads[t1.thread_id] = t1

    t2 = Thread("ticket-51877", "卡密无法使用", "客服-阿杰", "喵友1234567890", order_id=acg[1], closed_status="已解决")
    t2.add(BUYER, "优酷周卡提示卡密已被使用。", ago=29 * 3600)
    t2.add(MERCHANT, "抱歉，已为您补发新卡密：YK-WEEK-3F8A-KD92-PX71，请查收。", ago=28 * 3600)
    t2.add(BUYER, "可以用了，谢谢。", ago=27 * 3600)
    threads[t2.thread_id] = t2

    t3 = Thread("ticket-51502", "咨询批发价格", "客服-阿杰", "喵友1234567890", closed_status="已关闭")
    t3.add(BUYER, "批量购买有优惠吗？", ago=96 * 3600)
    t3.add(MERCHANT, "满100元9.5折，请在下单页面选择批发价。", ago=95 * 3600)
    threads[t3.thread_id] = t3
    return threads
