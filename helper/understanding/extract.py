"""Page understanding: one page (HTML) or one screenshot's text (OCR lines) to the facts the product needs.

The result always has this shape, null where unknown (issue 4):
{"page_kind": "order|chat|rules|product|payment|login|loading|other",
 "order": {"order_no", "product", "amount", "currency", "status", "status_code", "ordered_at", "paid_at",
           "merchant", "delivery_mode", "contact", "payment_method", "quantity", "keys"},
 "promise": {"text", "within_seconds", "source"},
 "deadline",
 "messages": [{"sender", "name", "time", "text"}],
 "shop": {"name", "icp"}}

Choices worth knowing:
- payment_method is the method as shown (支付宝, 微信支付, USDT-TRC20 …); quantity a whole number; keys says
  whether the card-key delivery area is "filled" (a key-like token shows) or "empty" (the area is there with
  nothing or a waiting text), null when the page has no such area (structure.py);
- "status" is the status as shown; where a page shows a payment status and a delivery status (acg-faka:
  已付款 with 宝贝内容 等待发货), the delivery one is reported once the order is paid;
- on a payment bill the shop's order number (商家订单号 / 商户单号) is the order_no, 交易成功 means paid;
- amounts without a currency sign are taken as CNY (Chinese shops);
- an auto-delivery order with no stated window gets promise {"text": <the order type>, "within_seconds": 0,
  "source": "auto_delivery"} (auto delivery means the keys show right after payment);
- "login" (a sign-in or session-expired page) and "loading" (spinner, skeleton, "正在加载…" with no data yet)
  are pages that are not evidence yet (pagestate.py); they are only said of a page with no facts and no messages;
- deadline = the promise's anchor + within_seconds (deadlines.py, the one computation shared with tracked
  orders): paid_at, else ordered_at; a merchant's chat message counts from when it was said unless it says
  "付款后…"; a clock-time promise ("今天21点前") has within_seconds from its anchor to that time. It is null
  for orders that are unpaid, expired or refunded (nothing is owed).
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlsplit

from helper.core.clock import parse_iso

from . import chat, deadlines, dom, labels, pagestate, promises, roles, sites, structure, thread
from .decode import decode_html

MAX_CHARS = 8_000_000  # beyond this a "page" is junk; the tail is ignored
KINDS = ("order", "chat", "rules", "product", "payment", "login", "loading", "other")

_ICP = re.compile(r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼]ICP[备证]\s*\d{5,12}\s*号(?:\s*-\s*\d{1,3})?")
_TITLE_SPLIT = re.compile(r"\s*[-|_–—·•]\s*|\s{2,}")
_GENERIC_TITLE = re.compile(
    r"^(?:订单详情|订单查询|查询订单|订单信息|我的订单|订单|查单|首页|主页|购买|支付|结算|收银台|商品详情|商品|"
    r"工单(?:详情|中心)?|我的工单|客服中心|在线客服|用户中心|个人中心|会员中心|服务条款|用户协议|购买须知|"
    r"平台规则|规则|协议|常见问题|帮助中心|帮助|查询|支付成功|付款|登录|登入|用户登录|会员登录|注册|正在跳转|跳转中?|"
    r"系统提示|提示信息|提示|加载中|.{0,8}(?:详情|查询|规则|协议|工单))$"
)
_RULE_WORDS = re.compile(r"规则|条款|协议|须知|须在|必须|应当|平台规定|本站|全站|所有商品|全部商品")
_CHAT_TITLE = re.compile(r"工单|客服|聊天|会话|咨询|对话|留言|消息记录")
_RULES_TITLE = re.compile(r"规则|协议|条款|须知|规范|公约")
_PRODUCT_MARK = re.compile(r"立即购买|加入购物车|立即下单|库存|发货类型|购买数量")
_PAYMENT_MARK = re.compile(r"账单详情|收款方全称|商户全称|交易单号|收单机构|转账单号")
_RULE_SENTENCE = re.compile(r"须在|必须|应当|不得|违规")
# "<" that cannot open a tag is text anyway; escaping it first spares html.parser a slow path on "<<<<…"
_STRAY_LT = re.compile(r"<(?![A-Za-z/!?])")


def empty_result() -> dict:
    return {
        "page_kind": "other",
        "order": {k: None for k in (
            "order_no", "product", "amount", "currency", "status", "status_code", "ordered_at", "paid_at",
            "merchant", "delivery_mode", "contact", "payment_method", "quantity", "keys")} | {"status_code": "unknown"},
        "promise": {"text": None, "within_seconds": None, "source": None},
        "deadline": None,
        "messages": [],
        "shop": {"name": None, "icp": None},
    }


def _check_now(now: datetime) -> datetime:
    if not isinstance(now, datetime) or now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    return now


# --- HTML ------------------------------------------------------------------------------------------------------


def extract(html: str | bytes, url: str | None = None, *, now: datetime, known_sites: bool = True,
            layout: dict | None = None) -> dict:
    """Facts of one HTML page. Never raises on bad markup: junk gives an all-null result.
    known_sites=False switches the known-site table (sites.py) off, so that only the generic reader works:
    bench/bench_extract.py measures the corpus of issue 12 that way.
    layout: boxes of the page's elements recorded at capture time (roles.py), used for the side of a bubble."""
    _check_now(now)
    if isinstance(html, (bytes, bytearray, memoryview)):
        html = decode_html(bytes(html))
    if not isinstance(html, str):
        raise TypeError("html must be str or bytes")
    html = _STRAY_LT.sub("&lt;", html[:MAX_CHARS].replace("\x00", ""))
    root = dom.parse(html)
    index = dom.Index(root)
    site, url_id = sites.detect(url, root, index) if known_sites else (None, None)

    messages, chat_nodes = _read_chat(root, index, site, now, layout)
    chat_ids = {id(n) for n in chat_nodes}

    regions: dict[int, str] = {}
    for selector, source in (site or {}).get("regions", ()):
        for node in index.select(selector):
            regions.setdefault(id(node), source)

    page_rows, chat_rows = [], []
    memo: dict[int, tuple[bool, str | None]] = {}
    for row in dom.rows(root):
        inside_chat, region = _row_context(row.node, chat_ids, regions, memo)
        if region == "nav":
            continue
        if not inside_chat:
            page_rows.append((row.cells, region))
        else:
            chat_rows.append(row.cells)

    fields = labels.read_fields([cells for cells, _ in page_rows], (site or {}).get("labels"))
    for fld, selector in (site or {}).get("select", {}).items():
        node = index.select_one(selector)
        if node is not None:
            fields.put(fld, node.text(), -2, -1, -1)

    keys_text = None
    if site and site.get("keys"):
        node = index.select_one(site["keys"])
        if node is not None:
            keys_text = node.text() or None

    if not fields.get("order_id") and chat_rows:
        # a 工单 whose only order number is in its first message, under a label (订单编号：39127)
        in_thread = labels.read_fields(chat_rows, (site or {}).get("labels")).get("order_id")
        if in_thread:
            fields.put("order_id", in_thread, 98, -1, -1)
    keys_state, keys_text = structure.keys_area(
        root, fields.get("_keys") or fields.get("delivery_status"), keys_text, chat_ids)
    if not fields.get("order_id"):
        shown_no = structure.order_no(root)
        if shown_no:
            fields.put("order_id", shown_no, 99, -1, -1)
    title_node = index.select_one("title")
    title = title_node.text() if title_node else None
    site_name = None
    for node in index.select("meta[property=og:site_name], meta[name=application-name]"):
        site_name = node.attrs.get("content") or site_name
    heading_nodes = index.select("h1, h2")[:4]
    headings = " ".join(n.text() for n in heading_nodes)
    result = _compose(
        fields=fields,
        rows=page_rows,
        messages=messages,
        site=site,
        url_id=url_id,
        shop_name=site_name or structure.brand(root) or _shop_from_title(title),
        title=(title or "") + " " + headings,
        keys_text=keys_text,
        keys_state=keys_state,
        unlabelled_product=structure.product(root, site_name or _shop_from_title(title)),
        now=now,
        heading=next((t for t in (n.text() for n in heading_nodes) if t and t != (site_name or _shop_from_title(title))), None),
    )
    if result["page_kind"] in ("other", "rules") or pagestate.only_state_messages(result):
        state = pagestate.kind_of_empty_page(root, html)
        if state:
            result["page_kind"], result["messages"] = state, []
    return result


_MENU_WORDS = frozenset("nav navbar menu submenu".split())


def _is_menu(node) -> bool:
    return node.tag == "nav" or node.attrs.get("role") in ("navigation", "menu", "menubar") or bool(
        roles.parts(node) & _MENU_WORDS)


def _row_context(node, chat_ids, regions, memo) -> tuple[bool, str | None]:
    """(inside the chat, the promise source of the innermost marked region) of an element: a site's regions, or
    a footer (a shop-wide statement, not this order's note)."""

    def step(above, n):
        inside, region = above
        if region == "nav":
            return inside, region
        own = regions.get(id(n))
        if _is_menu(n):
            own = "nav"  # menus name sections (店铺, 我的店铺, 订单), never this order's facts
        elif own is None and (n.tag == "footer" or "footer" in n.attrs.get("class", "")):
            own = "rules"
        return inside or id(n) in chat_ids, own or region

    return dom.inherited(node, memo, step, (False, None))


def _read_chat(root, index, site, now, layout) -> tuple[list[dict], list[dom.Node]]:
    """A known site's chat rule when one applies and finds messages; else the generic reader (thread.py)."""
    if site and site.get("chat") and index.has(site["chat"]["item"]):
        messages, nodes = chat.from_dom(root, site["chat"], now)
        if messages:
            return messages, nodes
    own, peer = thread.page_names(root)
    return thread.read_thread(root, now, own_name=own, peer_name=peer, layout=layout)


# --- plain text ------------------------------------------------------------------------------------------------


def extract_text(text: str, now: datetime, url: str | None = None) -> dict:
    """Facts of plain text lines (OCR of a payment bill, a desktop chat, a page screenshot); same rules."""
    _check_now(now)
    if not isinstance(text, str):
        raise TypeError("text must be str")
    text = text[:MAX_CHARS].replace("\x00", "")
    lines = [ln.strip() for ln in text.splitlines()]
    lines = [ln for ln in lines if ln]
    site, url_id = sites.detect(url, dom.parse(""), None) if url else (None, None)
    exact = labels.label_matcher((site or {}).get("labels"))
    messages = chat.from_lines(lines, now, is_label=lambda s: bool(exact.match(s)))
    rows = [([ln], None) for ln in lines]
    fields = labels.read_fields([cells for cells, _ in rows], (site or {}).get("labels"), loose=True)
    return _compose(
        fields=fields,
        rows=rows,
        messages=messages,
        site=site,
        url_id=url_id,
        shop_name=None,
        title=lines[0] if lines else "",
        keys_text=None,
        now=now,
    )


# --- shared composition ----------------------------------------------------------------------------------------


def _shop_from_title(title: str | None) -> str | None:
    if not title:
        return None
    parts = [p.strip() for p in _TITLE_SPLIT.split(title) if p and p.strip()]
    keep = [p for p in parts if not _GENERIC_TITLE.match(p)]
    return (keep[-1] if keep else None) or None


def _compose(*, fields, rows, messages, site, url_id, shop_name, title, keys_text, now, heading=None,
             keys_state=None, unlabelled_product=None) -> dict:
    result = empty_result()
    page_text = "\n".join(" ".join(cells) for cells, _ in rows)
    ids = {k: labels.clean_order_id(fields.get(k)) for k in ("order_id", "merchant_order_id")}
    order = result["order"]
    order.update(_order_fields(fields, keys_text, now))
    order["order_no"] = ids["order_id"] or url_id or ids["merchant_order_id"]
    order["keys"] = keys_state
    kind = result["page_kind"] = _page_kind(fields, order, messages, site, title, page_text)
    _fit_to_kind(order, kind, fields, rows, own_id=ids["order_id"], url_id=url_id, merchant_id=ids["merchant_order_id"])
    if kind == "order" and not order["product"] and unlabelled_product:
        order["product"] = unlabelled_product[:200]
    if kind == "product" and not order["product"] and heading and heading != shop_name:
        order["product"] = heading[:200]  # a product page names its goods in the heading

    candidates = _promise_candidates(fields, rows, messages, site, kind, order)
    chosen = promises.choose(candidates, product=order["product"], mode=order["delivery_mode"])
    if chosen is not None:
        paid_at, ordered_at = (parse_iso(order[k]) if order[k] else None for k in ("paid_at", "ordered_at"))
        result["promise"] = promises.describe(chosen, paid_at=paid_at, ordered_at=ordered_at)
        result["deadline"] = deadlines.deadline(result["promise"], said_at=chosen.at, paid_at=paid_at,
                                                ordered_at=ordered_at, status_code=order["status_code"])

    result["messages"] = messages
    icp = _ICP.search(page_text)
    result["shop"] = {
        "name": shop_name[:100] if shop_name else None,
        "icp": re.sub(r"\s+", "", icp.group(0)) if icp else None,
    }
    return result


def _clip(value: str | None, n: int) -> str | None:
    return value[:n] if value else None


def _order_fields(fields, keys_text: str | None, now) -> dict:
    """The order's facts as its labelled fields give them (before the page kind is known)."""
    order: dict = {"product": _clip(fields.get("product"), 200)}
    order["amount"], order["currency"] = labels.parse_amount(fields.get("amount"))
    status_value, delivery_value = fields.get("status"), fields.get("delivery_status")
    code, shown = labels.status_code(status_value), labels.status_text(status_value)
    dcode = labels.status_code(delivery_value)
    if dcode in ("paid", "processing", "delivered", "failed") and code in ("paid", "unknown"):
        code, shown = dcode, labels.status_text(delivery_value)
    if code == "unknown" and keys_text and re.search(r"[A-Za-z0-9]{4,}", keys_text):
        code = "delivered"  # card keys shown on the order page: delivered (E-commerce law art. 51)
    order["status"], order["status_code"] = shown, code
    order["ordered_at"] = labels.time_value(fields.get("ordered_at"), now)
    order["paid_at"] = labels.time_value(fields.get("paid_at"), now)
    order["merchant"] = _clip(fields.get("merchant"), 100)
    order["delivery_mode"] = labels.delivery_mode(fields.get("delivery_mode"))
    order["contact"] = _clip(fields.get("contact"), 100)
    order["payment_method"] = _clip(fields.get("payment_method"), 40)
    order["quantity"] = labels.quantity(fields.get("quantity"))
    return order


def _page_kind(fields, order: dict, messages: list, site, title: str | None, page_text: str) -> str:
    order_facts = sum(1 for k in ("amount", "status", "ordered_at", "paid_at", "product") if fields.get(k))
    if "_transaction" in fields.found or _PAYMENT_MARK.search(page_text):
        return "payment"
    if site and site.get("kind") == "chat" and (messages or not order["order_no"]):
        return "chat"
    if len(messages) >= 2 and (not (order["order_no"] and order_facts >= 3) or _CHAT_TITLE.search(title or "")):
        return "chat"  # a thread about an order (a 工单 naming its order), not the order page itself
    if order["order_no"] and order_facts >= 1 or order_facts >= 3:
        return "order"
    if messages:
        return "chat"
    if _RULES_TITLE.search(title or "") or len(_RULE_SENTENCE.findall(page_text)) >= 3:
        return "rules"
    if _PRODUCT_MARK.search(page_text) and fields.get("amount"):
        return "product"
    return "other"


def _fit_to_kind(order: dict, kind: str, fields, rows, *, own_id, url_id, merchant_id) -> None:
    """What the fields mean on this kind of page: a thread's 创建时间 and 状态 are the ticket's; a bill names the
    merchant's order number and its 交易成功 means paid; an unlabelled short status line is the status."""
    if kind == "chat" and _label_of(fields, "ordered_at") in ("创建时间", "订单时间"):
        order["ordered_at"] = None  # a thread's 创建时间 is when the ticket was opened, not the order
    if kind == "chat" and _label_of(fields, "status") in ("当前状态", "状态"):
        order["status"], order["status_code"] = None, "unknown"  # 当前状态 已关闭 is the ticket's, not the order's
    if kind == "payment":
        order["order_no"] = merchant_id or own_id or url_id
        if order["status_code"] == "delivered":  # 交易成功 on a bill: the payment went through
            order["status_code"] = "paid"
        if order["amount"] is None:
            order["amount"], order["currency"] = labels.bill_amount(" ".join(cells) for cells, _ in rows)
    if order["status"] is None:
        for cells, _ in rows[:60]:
            line = " ".join(cells).strip()
            if 2 <= len(line) <= 6 and labels.status_code(line) != "unknown":
                order["status"], order["status_code"] = labels.status_text(line), labels.status_code(line)
                if kind == "payment" and order["status_code"] == "delivered":
                    order["status_code"] = "paid"
                break


def _promise_candidates(fields, rows, messages: list, site, kind: str, order: dict) -> list:
    """Every delivery promise on the page, each with its source: said in chat, the order's note, the product
    page, the shop's rules, or the automatic-delivery mode."""
    note_rows = set()
    for fld in ("note", "delivery_status", "_keys"):
        f = fields.found.get(fld)
        if f is not None and f.row >= 0:
            note_rows.update((f.row, f.row + 1))
    candidates = promises.in_messages(messages)
    default_source = {"order": "order_note", "product": "product", "rules": "rules"}.get(kind, "rules")
    exact = labels.label_matcher((site or {}).get("labels"))
    said_lines = {ln for m in messages for ln in m["text"].splitlines()}  # OCR text: a message is nobody's rule
    for r, (cells, region) in enumerate(rows):
        text = " ".join(cells[1:] if len(cells) > 1 and exact.match(cells[0]) else cells)
        if text in said_lines:
            continue
        if region:
            source = region
        elif r in note_rows:
            source = "order_note"
        elif kind != "rules" and _RULE_WORDS.search(text):
            source = "rules"
        else:
            source = default_source
        candidates += promises.find_promises(text, source, position=r * 1000)
    if order["delivery_mode"] == "auto":
        mode_value = fields.get("delivery_mode")
        mode_text = labels.status_text(mode_value) if mode_value else "自动发货"
        mode_text = next((p for p, m in labels.DELIVERY_MODES if m == "auto" and p in (mode_value or "")), mode_text)
        candidates.append(promises.Promise(mode_text, 0, "auto_delivery", 10**9))
    return candidates


def _label_of(fields, fld: str) -> str | None:
    """The generic label (labels.LABELS) the field's value was read under; None for a site's own label."""
    found = fields.found.get(fld)
    if found is None or not 0 <= found.rank < len(labels.LABELS[fld]):
        return None
    return labels.LABELS[fld][found.rank]


# --- the store's key for an order ------------------------------------------------------------------------------


def order_key(url: str | None, facts: dict | None) -> str | None:
    """'shop.example.com/2026112014320512345': lowercased host (with a non-default port) + order number.
    `facts` is an extract() result or its "order" part. None when either is unknown."""
    if not url or not facts:
        return None
    order = facts.get("order", facts)
    order_no = order.get("order_no") if isinstance(order, dict) else None
    if not order_no:
        return None
    host = shop_host(url)
    return f"{host}/{order_no}" if host else None


def shop_host(url: str | None) -> str | None:
    """Lowercased host, with the port when it is not the scheme's default (shops on one host, other ports, differ)."""
    try:
        parts = urlsplit((url or "").strip())
        host, port = (parts.hostname or "").lower(), parts.port
    except ValueError:
        return None
    if not host:
        return None
    if port and not ((parts.scheme == "http" and port == 80) or (parts.scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    return host



