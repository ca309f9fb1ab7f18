"""Orders of the demo shop: the three imitated systems, their number formats, statuses and seed data.

Times: a seeded order stores how long before "now" it was created / paid, so every request shows the same
story (paid 3 hours ago, promise 5 minutes → overdue) whatever the clock says. An order created through
the test hook stores absolute times, so its deadline really passes.

Seeded order numbers embed their creation time relative to REFERENCE_NOW (2026-11-27 14:00:00 China
time); tests run the shop with now=REFERENCE_NOW so numbers and displayed times agree.
"""

from __future__ import annotations

import random
import re
import string
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ..core.clock import CHINA

REFERENCE_NOW = datetime(2026, 11, 27, 14, 0, 0, tzinfo=CHINA)

DUJIAOKA = "dujiaoka"
ACG_FAKA = "acg-faka"
CAIHONG = "caihong"

STATUSES = {
    DUJIAOKA: ("待支付", "待处理", "处理中", "已完成", "失败", "异常", "已过期"),
    ACG_FAKA: ("待付款", "已付款"),
    CAIHONG: ("待处理", "已完成", "处理中", "异常", "已退款"),
}
UNPAID = {"待支付", "待付款", "已过期"}
ORDER_TYPES = {
    DUJIAOKA: ("自动发货", "人工处理"),
    ACG_FAKA: ("自动发货", "在线发货"),
    CAIHONG: ("自动发货", "人工处理"),
}
PAY_METHODS = ("支付宝", "微信支付", "QQ钱包", "USDT-TRC20")

SN_RE = re.compile(r"^[A-Z0-9]{16}$")
ACG_RE = re.compile(r"^\d{18}$")
CAIHONG_RE = re.compile(r"^\d{17}$")
ID_FORMATS = {DUJIAOKA: SN_RE, ACG_FAKA: ACG_RE, CAIHONG: CAIHONG_RE}


def dujiaoka_sn(rng: random.Random) -> str:
    """16 characters A-Z0-9, like dujiaoka's order_sn."""
    return "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(16))


def acg_trade_no(created: datetime, rng: random.Random) -> str:
    """18 digits: 3 random + yymmddHHMMSS (China time) + 3 random."""
    stamp = created.astimezone(CHINA).strftime("%y%m%d%H%M%S")
    return f"{rng.randint(100, 999)}{stamp}{rng.randint(100, 999)}"


def caihong_trade_no(created: datetime, rng: random.Random) -> str:
    """17 digits: YYYYmmddHHMMSS (China time) + 3 random."""
    return created.astimezone(CHINA).strftime("%Y%m%d%H%M%S") + f"{rng.randint(100, 999)}"


def new_order_id(system: str, created: datetime, rng: random.Random) -> str:
    if system == DUJIAOKA:
        return dujiaoka_sn(rng)
    if system == ACG_FAKA:
        return acg_trade_no(created, rng)
    return caihong_trade_no(created, rng)


def format_amount(value) -> str:
    """'19.90' from 19.9 / '19.9'; ValueError for anything that is not a positive amount."""
    if isinstance(value, bool):
        raise ValueError("amount must be a number")
    amount = float(value)
    if not (0 < amount <= 1_000_000):
        raise ValueError("amount must be between 0 and 1000000")
    return f"{amount:.2f}"


@dataclass
class Order:
    system: str
    order_id: str
    status: str
    product: str
    amount: str  # "19.90"
    quantity: int = 1
    contact: str = ""  # e-mail (dujiaoka), 联系方式 (acg-faka), 下单信息 (彩虹)
    order_type: str = "自动发货"
    pay_method: str = "支付宝"
    promise: str = ""
    keys: list[str] = field(default_factory=list)
    theme: str = "a"  # dujiaoka theme: "a" (label+span rows) or "b" (ul > li > strong)
    created_ago: float = 0.0  # seconds before now (seeded orders)
    paid_ago: float | None = None
    created_at: datetime | None = None  # absolute (orders made by the test hook)
    paid_at: datetime | None = None
    seeded: bool = False

    def created(self, now: datetime) -> datetime:
        return self.created_at or (now - timedelta(seconds=self.created_ago))

    def paid(self, now: datetime) -> datetime | None:
        if self.paid_at is not None:
            return self.paid_at
        if self.paid_ago is None:
            return None
        return now - timedelta(seconds=self.paid_ago)

    @property
    def delivered(self) -> bool:
        return bool(self.keys)


def seed_orders() -> list[Order]:
    """The fixed orders every shop starts with. IDs are stable; times follow now()."""
    rng = random.Random(20261127)
    H = 3600.0
    orders: list[Order] = []

    def add(system: str, created_ago: float, paid_ago: float | None, **kw) -> Order:
        created = REFERENCE_NOW - timedelta(seconds=created_ago)
        oid = kw.pop("order_id", None) or new_order_id(system, created, rng)
        o = Order(system=system, order_id=oid, created_ago=created_ago, paid_ago=paid_ago, seeded=True, **kw)
        orders.append(o)
        return o

    # dujiaoka (独角数卡): one order per status.
    promise = "付款后5分钟内自动发货，卡密请在订单详情页查看"
    add(DUJIAOKA, 3 * H + 60, 3 * H, order_id="D8K2M4Q7X1N5R9T3", status="处理中", product="Steam钱包充值卡 100元",
        amount="98.50", contact="buyer2026@qq.com", order_type="自动发货", pay_method="支付宝", promise=promise)
    add(DUJIAOKA, 26 * H, 26 * H - 45, order_id="A5C7E9G1J3L6P8S0", status="已完成",
        product="腾讯视频VIP会员 月卡", amount="15.80", quantity=2, contact="buyer2026@qq.com",
        order_type="自动发货", pay_method="微信支付", promise=promise,
        keys=["TXVIP-7QK2-M8ZD-4HNA-31XP", "TXVIP-9RW5-B6TE-2JCF-88LQ"])
    add(DUJIAOKA, 20 * 60, None, order_id="W3E5R7T9Y2U4I6O8", status="待支付", product="网易云音乐黑胶VIP 季卡",
        amount="38.00", contact="lili_88@163.com", order_type="自动发货", pay_method="支付宝", promise=promise)
    add(DUJIAOKA, 5 * H, 5 * H - 30, order_id="H2J4K6L8Z1X3C5V7", status="待处理", product="ChatGPT Plus 代充（人工）",
        amount="168.00", contact="buyer2026@qq.com", order_type="人工处理", pay_method="USDT-TRC20",
        promise="人工处理商品，付款后24小时内完成充值")
    add(DUJIAOKA, 50 * H, 50 * H - 20, order_id="B1N3M5Q7W9E2R4T6", status="失败", product="爱奇艺黄金会员 年卡",
        amount="128.00", contact="zhangwei@outlook.com", order_type="自动发货", pay_method="QQ钱包", promise=promise)
    add(DUJIAOKA, 8 * H, 8 * H - 35, order_id="P9O7I5U3Y1T2R4E6", status="异常", product="Apple ID 礼品卡 500元",
        amount="470.00", contact="buyer2026@qq.com", order_type="自动发货", pay_method="支付宝", promise=promise,
        theme="b")
    add(DUJIAOKA, 72 * H, None, order_id="Z0X9C8V7B6N5M4L3", status="已过期", product="百度网盘超级会员 月卡",
        amount="25.00", contact="lili_88@163.com", order_type="自动发货", pay_method="微信支付", promise=promise)

    # acg-faka (异次元发卡).
    add(ACG_FAKA, 3 * H + 90, 3 * H, status="已付款", product="原神 创世结晶 6480（代充）", amount="518.00",
        contact="QQ 1234567890", order_type="在线发货", pay_method="支付宝",
        promise="在线发货商品，付款后30分钟内发货，节假日顺延")
    add(ACG_FAKA, 30 * H + 1427, 30 * H + 1388, status="已付款", product="优酷VIP会员 周卡", amount="6.80",
        contact="QQ 1234567890", order_type="自动发货", pay_method="微信支付", promise="自动发货，付款后即时到账",
        keys=["YK-WEEK-3F8A-KD92-PX71"])
    add(ACG_FAKA, 15 * 60 + 13, None, status="待付款", product="迅雷白金会员 月卡", amount="12.00",
        contact="QQ 1234567890", order_type="自动发货", pay_method="支付宝", promise="自动发货，付款后即时到账")

    # 彩虹自助下单.
    add(CAIHONG, 4 * H + 437, 4 * H + 409, status="处理中", product="QQ空间说说赞 1000个", amount="9.90",
        contact="QQ号：2459876310", order_type="人工处理", pay_method="QQ钱包", promise="付款后10分钟内开始处理")
    add(CAIHONG, 6 * H + 1213, 6 * H + 1190, status="待处理", product="王者荣耀点券 1000点（直充）", amount="96.00",
        contact="充值QQ：2459876310", order_type="人工处理", pay_method="支付宝", promise="24小时内发货")
    add(CAIHONG, 28 * H + 2291, 28 * H + 2270, status="已完成", product="快手作品播放量 10000", amount="5.00",
        contact="作品链接：https://v.kuaishou.com/xxxx", order_type="自动发货", pay_method="微信支付",
        promise="付款后10分钟内开始处理")
    add(CAIHONG, 54 * H + 817, 54 * H + 790, status="异常", product="抖音直播间人气 500人", amount="20.00",
        contact="抖音号：dy_778899", order_type="人工处理", pay_method="支付宝", promise="付款后30分钟内开始")
    add(CAIHONG, 80 * H + 3011, 80 * H + 2987, status="已退款", product="网易云音乐等级加速 30天", amount="12.50",
        contact="网易云ID：13800001111", order_type="人工处理", pay_method="QQ钱包", promise="48小时内完成")
    return orders


@dataclass(frozen=True)
class Product:
    pid: int
    name: str
    price: str
    stock: int
    promise: str
    description: str


PRODUCTS = (
    Product(1, "Steam钱包充值卡 100元", "98.50", 126, "付款后5分钟内自动发货",
            "官方正规渠道卡密，全球通用。付款后5分钟内自动发货，卡密在订单详情页和邮箱中查看。"),
    Product(2, "腾讯视频VIP会员 月卡", "15.80", 57, "付款后5分钟内自动发货",
            "激活码形式，登录腾讯视频-我的-兑换VIP中输入。付款后5分钟内自动发货。"),
    Product(3, "Apple ID 礼品卡 500元", "470.00", 0, "付款后5分钟内自动发货",
            "中国区 App Store 充值卡。当前库存不足，补货时间请关注店铺公告。"),
)
