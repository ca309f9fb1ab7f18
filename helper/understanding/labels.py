"""Order facts from label/value pairs: the label vocabulary, value cleaning and status mapping.

Works on rows of cells (see dom.rows), so HTML pages (label and value in sibling elements, list items,
table cells) and plain text lines (OCR of payment bills and chats) go through the same rules. Site
adapters (sites.py) add labels; they never fork this code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

from helper.core.clock import iso

from .dom import HeadCell
from .times import parse_timestamp

# field -> labels, most specific first (a lower index wins when a page shows several).
LABELS: dict[str, tuple[str, ...]] = {
    "order_id": ("订单号", "订单编号", "订单号码", "订单ID", "关联订单", "相关订单"),
    # on a payment bill the shop's order number is the merchant's; 订单号 there is the payment platform's
    "merchant_order_id": ("商家订单号", "商户订单号", "商户单号"),
    "product": ("订单名称", "商品名称", "商品标题", "宝贝名称", "商品说明", "商品", "产品名称"),
    "amount": (
        "实际支付价格", "实付金额", "实付款", "支付金额", "付款金额", "订单金额", "下单金额", "应付金额", "订单总额",
        "订单总价", "商品总价", "总金额", "总价", "金额", "价格",
    ),
    "ordered_at": ("订单创建时间", "下单时间", "购买时间", "创建时间", "订单时间"),
    "paid_at": ("付款时间", "支付时间"),
    "status": ("订单状态", "当前状态", "交易状态", "支付状态", "状态"),
    "delivery_mode": ("订单类型", "发货方式", "发货类型", "商品类型"),
    "merchant": ("商家名称", "商户名称", "店铺名称", "商户全称", "收款方全称", "收款方", "商家", "店铺", "商户", "卖家"),
    "contact": ("下单邮箱", "联系方式", "下单QQ", "联系QQ", "下单信息", "付款邮箱", "邮箱", "联系邮箱", "QQ号码"),
    "delivery_status": ("宝贝内容", "发货状态"),
    "note": ("订单备注", "备注", "订单说明", "发货说明", "商家留言", "购买须知", "使用说明"),
    # recognised so their values never bleed into a neighbour; not part of the result
    "quantity": ("购买数量", "下单数量", "数量"),
    "payment_method": ("支付方式", "付款方式", "支付渠道", "支付类型"),
    "_transaction": ("交易单号", "支付单号", "流水号"),
    "_keys": ("卡密信息", "卡密", "订单信息", "发货信息"),
    "_ticket_status": ("工单状态",),
}

STATUS_CODES: tuple[tuple[str, str], ...] = (
    # longest phrases first; first match in this order wins
    ("待付款", "unpaid"), ("待支付", "unpaid"), ("未支付", "unpaid"), ("未付款", "unpaid"), ("等待支付", "unpaid"),
    ("等待付款", "unpaid"),
    ("已退款", "refunded"), ("退款成功", "refunded"), ("已退回", "refunded"),
    ("已过期", "expired"), ("已超时", "expired"), ("已取消", "expired"), ("已关闭", "expired"),
    ("发货失败", "failed"), ("已失败", "failed"), ("失败", "failed"), ("异常", "failed"),
    ("已发货", "delivered"), ("已完成", "delivered"), ("交易成功", "delivered"), ("已交付", "delivered"),
    # paid: money taken, nothing started (待处理 / 等待发货); processing: the merchant says work has begun
    ("处理中", "processing"), ("正在发货", "processing"), ("发货中", "processing"), ("正在处理", "processing"),
    ("已处理", "processing"),
    ("待处理", "paid"), ("等待发货", "paid"), ("待发货", "paid"),
    ("已付款", "paid"), ("已支付", "paid"), ("支付成功", "paid"), ("付款成功", "paid"),
)

DELIVERY_MODES: tuple[tuple[str, str], ...] = (
    ("自动发货", "auto"), ("自动处理", "auto"), ("自动", "auto"),
    ("人工处理", "manual"), ("人工发货", "manual"), ("手动发货", "manual"), ("在线发货", "manual"),
    ("代充", "manual"), ("人工", "manual"), ("手动", "manual"),
)

_COLON = "[:：]"
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-]{3,63}")
_AMOUNT = re.compile(
    r"(?P<pre>[¥￥$]|RMB|CNY|USDT|USD)?\s*(?P<sign>-)?\s*(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:\.\d{1,4})?)\s*"
    r"(?P<post>元|块|RMB|CNY|USDT|USD)?",
    re.I,
)
_CURRENCY = {"¥": "CNY", "￥": "CNY", "元": "CNY", "块": "CNY", "rmb": "CNY", "cny": "CNY", "$": "USD",
             "usd": "USD", "usdt": "USDT"}


def _label_index(extra: dict[str, tuple[str, ...]] | None) -> tuple[dict[str, tuple[str, int]], re.Pattern, re.Pattern]:
    table: dict[str, tuple[str, int]] = {}
    for source in (extra or {}), LABELS:
        for fld, labels in source.items():
            for rank, lab in enumerate(labels):
                table.setdefault(lab, (fld, rank if source is LABELS else -1))
    alts = "|".join(re.escape(k) for k in sorted(table, key=len, reverse=True))
    exact = re.compile(rf"^\s*({alts})\s*{_COLON}?\s*$", re.I)
    # a label followed by a colon anywhere, or at the start of a cell followed by spaces
    inline = re.compile(rf"(?:^|(?<=\s)|(?<=[，,;；|]))({alts})\s*(?:{_COLON}\s*|\s+(?=\S))", re.I)
    return table, exact, inline


_CACHE: dict[tuple, tuple] = {}


def _index(extra):
    key = tuple(sorted((k, v) for k, v in (extra or {}).items()))
    if key not in _CACHE:
        _CACHE[key] = _label_index(extra)
    return _CACHE[key]


def label_matcher(extra: dict[str, tuple[str, ...]] | None = None) -> re.Pattern:
    """A pattern matching a cell that is only a label (with or without its colon)."""
    return _index(extra)[1]


@dataclass
class Found:
    value: str
    rank: int
    pos: int
    row: int


@dataclass
class Fields:
    found: dict[str, Found] = field(default_factory=dict)

    def put(self, fld: str, value: str, rank: int, pos: int, row: int) -> None:
        value = value.strip(" \t:：|")
        if not value or not _plausible(fld, value):
            return
        old = self.found.get(fld)
        if old is None or rank < old.rank:
            self.found[fld] = Found(value, rank, pos, row)

    def get(self, fld: str) -> str | None:
        f = self.found.get(fld)
        return f.value if f else None


_HAS_DIGIT = re.compile(r"\d")
# what a payment method's value names: a channel or a way of paying, never a button or heading
PAYMENT_WORDS = re.compile(
    r"支付宝|微信|财付通|QQ|USDT|TRC|ERC|BTC|ETH|币|银联|云闪付|余额|花呗|零钱|信用卡|储蓄卡|借记卡|银行|当面付|扫码|钱包|"
    r"pay|alipay|wechat|paypal|stripe|crypto|码支付|易支付|网银|积分", re.I)


def _plausible(fld: str, value: str) -> bool:
    """A value that cannot be the field is no value (a search box's 订单号 followed by its 查询 button)."""
    if fld in ("order_id", "merchant_order_id"):
        return clean_order_id(value) is not None
    if fld == "payment_method":
        return bool(PAYMENT_WORDS.search(value))
    if fld in ("amount", "ordered_at", "paid_at", "quantity"):
        return bool(_HAS_DIGIT.search(value))
    return True


def read_fields(
    rows: list[list[str]], extra: dict[str, tuple[str, ...]] | None = None, *, loose: bool = False
) -> Fields:
    """Label/value pairs from rows of cells: `label | value` cells, `label：value` in one cell, a label row
    followed by its value row, and a header row of labels over a row of values (tables)."""
    table, exact, inline = _index(extra)
    out = Fields()
    pos = 0
    n = len(rows)
    for r, cells in enumerate(rows):
        # table header row: every cell a label, next row the same width
        # table header row: <th> cells (or nearly every cell a label) over a row as wide holding no labels
        hits = [exact.match(c) for c in cells]
        n_labels = sum(1 for h in hits if h)
        all_heads = len(cells) >= 2 and all(isinstance(c, HeadCell) for c in cells)
        if (
            n_labels >= 1 and (all_heads or (n_labels >= 2 and n_labels >= len(cells) - 1))
            and r + 1 < n and len(rows[r + 1]) == len(cells)
            and not any(exact.match(c) or isinstance(c, HeadCell) for c in rows[r + 1])
        ):
            for h, v in zip(hits, rows[r + 1]):
                if h:
                    fld, rank = table[_key(table, h.group(1))]
                    out.put(fld, v, rank, pos, r)
                    pos += 1
            continue
        j = 0
        while j < len(cells):
            cell = cells[j]
            m = exact.match(cell)
            if m:
                fld, rank = table[_key(table, m.group(1))]
                k = j + 1
                vals = []
                while k < len(cells) and not _is_label_cell(exact, inline, cells[k]):
                    vals.append(cells[k])
                    k += 1
                value = " ".join(vals)
                if not value and k >= len(cells) and r + 1 < n:
                    nxt = rows[r + 1]
                    if nxt and not exact.match(nxt[0]) and not _starts_label(inline, nxt[0]):
                        value = " ".join(nxt)
                out.put(fld, value, rank, pos, r)
                pos += 1
                j = k
                continue
            # "label：value" anywhere in the cell; "label value" (no colon) only at its start and only in
            # loose mode (plain text from OCR, where a bill prints "商户全称  某某公司")
            hits = [
                h for h in inline.finditer(cell)
                if _COLON_RE.search(h.group(0)) or (loose and h.start() == 0)
            ]
            if hits:
                for h_i, h in enumerate(hits):
                    end = hits[h_i + 1].start() if h_i + 1 < len(hits) else len(cell)
                    value = cell[h.end():end]
                    fld, rank = table[_key(table, h.group(1))]
                    k = j + 1
                    if not value.strip() and h_i + 1 == len(hits):
                        vals = []
                        while k < len(cells) and not _is_label_cell(exact, inline, cells[k]):
                            vals.append(cells[k])
                            k += 1
                        value = " ".join(vals)
                        j = k - 1
                    out.put(fld, value, rank, pos, r)
                    pos += 1
            j += 1
    return out


_COLON_RE = re.compile(_COLON)


def _key(table, text: str) -> str:
    if text in table:
        return text
    low = text.lower()
    for k in table:
        if k.lower() == low:
            return k
    return text


def _is_label_cell(exact: re.Pattern, inline: re.Pattern, cell: str) -> bool:
    return isinstance(cell, HeadCell) or bool(exact.match(cell)) or _starts_label(inline, cell)


def starts_with_label(text: str, extra: dict[str, tuple[str, ...]] | None = None) -> bool:
    """The text opens with a known label and its colon ("订单号：…")."""
    return _starts_label(_index(extra)[2], text)


def _starts_label(inline: re.Pattern, cell: str) -> bool:
    m = inline.match(cell)
    return bool(m and _COLON_RE.search(m.group(0)))


# --- value cleaning ----------------------------------------------------------------------------------------


def clean_order_id(value: str | None) -> str | None:
    """The order number in a value: the first token of 8+ letters/digits holding a digit ("原神 6480（代充）
    618261126203011452 · ￥648" -> the long number), else the first token of 4+."""
    if not value:
        return None
    tokens = _ID.findall(value.replace("#", " "))
    best = next((t for t in tokens if len(t) >= 8 and _HAS_DIGIT.search(t)), None)
    return best or (tokens[0] if tokens else None)


# A bill prints the sum alone on its line, in large type: "-588.00", "¥588.00", "588.00元".
BILL_AMOUNT = re.compile(r"^\s*[-+]?\s*([¥￥]?\s*\d[\d,]*\.\d{2})\s*(?:元)?\s*$")


def bill_amount(lines) -> tuple[str | None, str | None]:
    """The first line that is only a sum, parsed like any amount."""
    for line in lines:
        m = BILL_AMOUNT.match(line)
        if m:
            return parse_amount(m.group(1))
    return None, None


def parse_amount(value: str | None) -> tuple[str | None, str | None]:
    """'¥ 612.00' -> ('612.00', 'CNY'); '158.00元' -> ('158.00', 'CNY'); '612' -> ('612.00', 'CNY')."""
    if not value:
        return None, None
    for m in _AMOUNT.finditer(value):
        num = m.group("num")
        try:
            d = Decimal(num.replace(",", ""))
        except InvalidOperation:
            continue
        unit = (m.group("pre") or m.group("post") or "").lower()
        currency = _CURRENCY.get(unit, "CNY")
        return str(d.quantize(Decimal("0.01"))), currency
    return None, None


def status_code(value: str | None) -> str:
    if not value:
        return "unknown"
    for phrase, code in STATUS_CODES:
        if phrase in value:
            return code
    return "unknown"


def status_text(value: str | None) -> str | None:
    """The status as shown: the phrase we recognised, else the first short token of the value."""
    if not value:
        return None
    for phrase, _ in STATUS_CODES:
        if phrase in value:
            return phrase
    return value.split()[0][:20]


def quantity(value: str | None) -> int | None:
    """'1' -> 1, '2 件' -> 2; None when the value holds no whole number (or an absurd one)."""
    m = re.search(r"\d{1,6}", value or "")
    return int(m.group(0)) if m else None


def delivery_mode(value: str | None) -> str | None:
    if not value:
        return None
    for phrase, mode in DELIVERY_MODES:
        if phrase in value:
            return mode
    return None


def time_value(value: str | None, now: datetime) -> str | None:
    if not value:
        return None
    dt = parse_timestamp(value, now)
    return iso(dt) if dt else None
