"""The data behind the pre-payment risk check (risk.py): every pattern and threshold in one table, each with the
reason a buyer is shown. Wording is about signals on the page, never a verdict about the merchant."""

from __future__ import annotations

import re
from decimal import Decimal

# The 31 provincial abbreviations an ICP filing number starts with (MIIT numbering).
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"

# Where a buyer confirms a filing themselves; the helper never contacts it.
MIIT_LOOKUP = {
    "name": "工信部 ICP/IP地址/域名信息备案管理系统",
    "url": "https://beian.miit.gov.cn/",
    "zh": "到工信部备案管理系统（beian.miit.gov.cn）的「ICP备案查询」输入本站域名或备案号，核对主办单位和网站域名"
          "是否就是这家店；本工具不会替你联网查询。",
    "en": "look the domain or filing number up yourself in MIIT's filing system (beian.miit.gov.cn) and check that the "
          "filed organiser and domain are this shop; this tool makes no network call for you.",
}

# Price against face value: the first row whose `below` the ratio price / face value is under applies.
PRICE_THRESHOLDS: tuple[dict, ...] = (
    {"below": Decimal("0.5"), "tone": "strong", "code": "price_far_below_face",
     "zh": "售价不到面值的五折：正规渠道和批发商的折扣一般在九折上下，五折以下的货源很难是正当来源，"
           "是常见的“低价陷阱”（收款后不发货，或用盗刷、黑卡充值事后被追回）",
     "en": "under half the face value: legitimate channels and wholesalers rarely go below about 90 %; this is the "
           "classic low-price trap (no delivery, or keys bought with stolen cards that are clawed back later)"},
    {"below": Decimal("0.8"), "tone": "warn", "code": "price_well_below_face",
     "zh": "售价明显低于面值（五至八折）：这类折扣常见于来路不明的卡密或代充，到账后可能被追回或封号",
     "en": "well below face value (50-80 %): such discounts often come from keys or top-ups of doubtful origin that "
           "can be reversed or get the account banned"},
    {"below": Decimal("0.9"), "tone": "info", "code": "price_below_face",
     "zh": "售价略低于面值（八至九折）：代充行业常见的折扣，本身不说明问题",
     "en": "a little below face value (80-90 %): a usual discount in the top-up trade, not a sign by itself"},
    {"below": None, "tone": "good", "code": "price_near_face",
     "zh": "售价接近或高于面值，不属于低价陷阱",
     "en": "priced near or above face value: not a low-price trap"},
)

# 王者荣耀 / 和平精英 top-up tiers are named by their yuan price ("648 点券" is the 648-yuan pack).
TOPUP_TIERS = {6, 30, 68, 128, 198, 328, 648}


def _points(m: re.Match) -> Decimal | None:
    n = int(m.group("n"))
    if n in TOPUP_TIERS:
        return Decimal(n)
    return Decimal(n) / 10 if n >= 60 and n % 10 == 0 else None  # 10 点券 = 1 元


def _yuan(m: re.Match) -> Decimal:
    return Decimal(m.group("n"))


# Products that name their face value. `face` turns the match into yuan; `why` says where the value comes from.
_N = r"(?P<n>\d{1,5})"
FACE_VALUES: tuple[dict, ...] = (
    {"id": "steam", "rx": re.compile(rf"steam\s*(?:钱包|充值卡|礼品卡|余额|充值|卡|码|\s){{0,4}}{_N}\s*(?:元|rmb|cny|¥)", re.I),
     "face": _yuan, "why": "Steam 钱包充值码按人民币面值出售"},
    {"id": "qb", "rx": re.compile(r"(?:Q币|QQ币)\s*(?P<n>\d{1,5})(?!\d)|(?P<n2>\d{1,5})\s*(?:个)?\s*(?:Q币|QQ币)", re.I),
     "face": lambda m: Decimal(m.group("n") or m.group("n2")), "why": "1 Q币 = 1 元（腾讯官方价）"},
    {"id": "points", "rx": re.compile(rf"{_N}\s*(?:元)?\s*点券"),
     "face": _points, "why": "点券按档位计价（648 点券档 = 648 元），其他数量按 10 点券 = 1 元"},
    {"id": "month_card", "rx": re.compile(r"(?:王者荣耀|和平精英|原神|崩坏|星穹铁道|游戏)[^\n]{0,8}?月卡"),
     "face": lambda m: Decimal(30), "why": "游戏月卡官方价一般为 30 元（如原神空月祝福、王者荣耀月卡）"},
    {"id": "phone", "rx": re.compile(rf"(?:话费|手机充值|移动|联通|电信)[^\n\d]{{0,6}}?{_N}\s*元"),
     "face": _yuan, "why": "话费充值按面值到账"},
    {"id": "gift_card", "rx": re.compile(rf"(?:Apple|iTunes|App\s*Store|京东E卡|京东卡|骏网一卡通|一卡通|点卡)\S{{0,6}}?{_N}\s*元", re.I),
     "face": _yuan, "why": "礼品卡 / 点卡按面值使用"},
)

# Paying a person instead of a checkout. Each: code, tone, pattern, what the buyer is told.
_CLAUSE = r"[^。；;！!？?\n]"
PERSONAL_PAY: tuple[dict, ...] = (
    {"code": "pay_via_chat_app", "tone": "strong",
     "rx": re.compile(rf"(?:加|添加|联系|私聊)\s*(?:客服|站长|店主|卖家|商家|老板)?\s*(?:QQ|扣扣|微信|VX|V信|WX|TG|Telegram|飞机){_CLAUSE}{{0,24}}?"
                      r"(?:付款|转账|支付|付钱|发红包|交易|购买|下单)", re.I),
     "zh": "要求加 QQ / 微信等私下付款：钱直接到个人手里，没有平台收银台和交易单号，出了问题难以追回",
     "en": "asks you to pay over QQ / WeChat: the money goes straight to a person, with no checkout or transaction "
           "record behind it"},
    {"code": "pay_transfer_to_account", "tone": "strong",
     "rx": re.compile(rf"(?:转账|汇款|打款|转钱)\s*(?:到|至|给){_CLAUSE}{{0,24}}?(?:账号|账户|卡号|银行卡|支付宝|微信号|收款)"
                      r"|(?:支付宝|微信|银行卡|收款)\s*(?:账号|账户|卡号)\s*[:：]\s*\S+"),
     "zh": "要求转账到个人账号：转账不是平台担保交易，付款后无法通过支付平台申请退款",
     "en": "asks for a transfer to a personal account: a transfer has no escrow and cannot be disputed like a checkout "
           "payment"},
    {"code": "pay_personal_qr", "tone": "strong",
     "rx": re.compile(r"个人收款码|收款码|扫码转账|赞赏码|好友转账|私下(?:交易|转账|付款)|(?:微信|支付宝)扫一扫(?:转账|付款给)"),
     "zh": "用个人收款码 / 转账收款：付给个人的钱没有订单保障",
     "en": "takes payment by a personal QR code or transfer: money paid to a person has no order protection"},
    {"code": "pay_usdt_address", "tone": "strong",
     "rx": re.compile(r"(?:USDT|泰达币|TRC-?20|ERC-?20)" + _CLAUSE + r"{0,60}?(?:\bT[1-9A-HJ-NP-Za-km-z]{33}\b|\b0x[0-9a-fA-F]{40}\b)",
                      re.I),
     "zh": "要求向 USDT 地址付款：加密货币转账不可撤销，也查不到收款人",
     "en": "asks for USDT sent to an address: crypto transfers cannot be reversed or traced to a person"},
    {"code": "pay_usdt", "tone": "warn",
     "rx": re.compile(r"USDT|泰达币|TRC-?20", re.I),
     "zh": "接受 USDT 付款：加密货币付款出了问题没有退款渠道",
     "en": "takes USDT: a crypto payment has no refund channel if something goes wrong"},
)
# The same words in a warning ("请勿私下转账", "谨防诈骗") are a good sign, not a bad one.
NEGATION = re.compile(r"(?:勿|不要|切勿|禁止|严禁|谨防|小心|不支持|拒绝|不会|绝不|从不|不接受|别|防止|以防|警惕|不得)" + _CLAUSE + r"{0,12}$")

PLATFORM_PAY = re.compile(r"支付宝|微信支付|QQ钱包|云闪付|银联|PayPal|财付通|余额支付|在线支付|易支付|码支付")
PAY_METHOD_ROW = re.compile(r"(?:支付|付款)方式\s*[:：]?\s*(?:" + PLATFORM_PAY.pattern + ")")
PAY_AREA = "[class*=pay], [id*=pay], [name=pay], [class*=payment], [class*=cash]"
# Attributes the DOM reader drops but payment pickers carry (dujiaoka's data-name, 彩虹's radio titles, img alt).
PAY_ATTR = re.compile(r"""\b(?:data-name|title|alt|value)\s*=\s*(?:"([^"]{1,300})"|'([^']{1,300})')""", re.I)

# Strongest first: a complaint / ticket / refund entry, then any mention of after-sales service.
AFTER_SALES = (re.compile(r"投诉|工单|申请退款|退款申请|申请售后|售后服务|售后工单|维权|纠纷|仲裁|举报"), re.compile(r"售后"))
CONTACT = re.compile(
    r"(?:客服|联系)\s*(?:QQ|微信|电话|邮箱|TG|Telegram)|QQ\s*[:：群号]\s*\d{5,11}|微信\s*[:：号]|在线客服|联系客服|联系我们|"
    r"[\w.+-]+@[\w-]+\.[A-Za-z]{2,}|(?<!\d)1[3-9]\d{9}(?!\d)|t\.me/\w+", re.I)

# A checkout page names itself; "提交订单" / "立即支付" buttons also sit on product pages' purchase forms.
CHECKOUT_MARK = re.compile(r"确认订单|订单确认|扫码支付|请选择付款方式|未完成支付|请在\s*\d+\s*分钟内(?:完成)?(?:支付|付款)")
CHECKOUT_BUTTON = re.compile(r"提交订单|立即支付|选择支付方式|支付订单|去支付")
PRODUCT_MARK = re.compile(r"立即购买|加入购物车|立即下单|购买数量|商品详情|商品说明|商品描述|宝贝详情|库存")
PRODUCT_SELECTORS = ".goods-name, .list_item_title, #gootsp, .goods-title, .product-title, .header-title, h1, h2, h3, h4"
PRICE_LABEL = re.compile(r"(?:实际支付价格|实付|应付|合计|小计|商品售价|售价|单价|价格)\s*[:：]?\s*[¥￥]?\s*(\d{1,7}(?:\.\d{1,2})?)")
# A payment timeout ("5分钟内未完成支付订单将作废") reads like a time limit but promises no delivery.
NOT_A_PROMISE = re.compile(r"未(?:完成)?(?:支付|付款)|(?:作废|自动取消|自动关闭|失效)")
PRICE_SELECTORS = ".price-num, .pay_price, .goods-price, .product-price, .price, [itemprop=price], .t_price"

# Second-level registries under which the registrable domain has three labels.
SECOND_LEVEL = {"com.cn", "net.cn", "org.cn", "gov.cn", "edu.cn", "ac.cn", "com.hk", "com.tw", "co.uk", "com.au"}
DOMAIN = re.compile(r"(?<![@\w.-])((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,12})(?![\w-])", re.I)
# Domains that appear next to a filing number without being the shop's own.
NOT_SHOP_DOMAINS = ("miit.gov.cn", "gov.cn", "beian.gov.cn")

LEVELS = {"low": ("低", "low"), "medium": ("中", "medium"), "high": ("高", "high")}
