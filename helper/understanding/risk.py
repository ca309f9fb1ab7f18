"""Before paying: risk signals on a shop's product or checkout page (issue 16). Pure: the page, its address,
`now` and the buyer's earlier orders come in as arguments; nothing is fetched, read or written.

assess(html, url, now=…, history=[…]) ->
{"applies": bool,                          # a product or checkout page: the extension shows the card
 "page": "product" | "checkout" | None, "page_kind": extract()'s page kind,
 "level": "低|中|高", "level_code": "low|medium|high", "reasons": [zh…], "reasons_en": [en…],
 "signals": [{"code", "group", "tone": "good|info|warn|strong", "zh", "en",
              "evidence": {"text", "element"} | None}],
 "icp": {"text", "valid", "province", "kind", "number", "suffix", "problems", "domains", "lookup"} | None,
 "offer": {"product", "price", "face_value", "face_rule", "ratio", "promise"},
 "shop": {"host", "name", "icp"},
 "history": {"orders", "overdue_now", "was_overdue", "outcomes", "matched_by", "items"}}

Every signal names the text or element it rests on. The level is a summary of signals, never a finding about
the merchant: any strong signal -> 高; three or more warnings -> 高; one or two -> 中; otherwise 低.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

from . import dom
from . import risk_tables as T
from .decode import decode_html
from .extract import extract, shop_host

GROUPS = ("icp", "payment", "after_sales", "price", "history", "shop")
_ICP_ANY = re.compile(r"ICP", re.I)
_ICP_PARTS = re.compile(
    r"(?P<prov>[\u4e00-\u9fff]?)\s*ICP\s*(?P<kind>[备證证]?)\s*[:：]?\s*(?P<num>\d[\d\s]{0,15})?\s*(?P<hao>号?)"
    r"(?:\s*[-－—]\s*(?P<suffix>\d{1,4}))?", re.I)
_AMOUNT = re.compile(r"(\d{1,7}(?:\.\d{1,2})?)")
_RESOLVED = {"delivered", "refunded", "expired", "failed"}


def _check_now(now: datetime) -> datetime:
    if not isinstance(now, datetime) or now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    return now


def signal(code: str, group: str, tone: str, zh: str, en: str, text: str | None = None,
           element: str | None = None) -> dict:
    evidence = {"text": text[:200] if text else text, "element": element} if (text or element) else None
    return {"code": code, "group": group, "tone": tone, "zh": zh, "en": en, "evidence": evidence}


def describe(node: dom.Node | None) -> str | None:
    """A short CSS-like path of an element ("div.footer > p"), enough for a person to find it."""
    parts = []
    while node is not None and node.tag != "#root" and len(parts) < 3:
        name = node.tag
        if node.attrs.get("id"):
            name += "#" + node.attrs["id"]
        elif node.classes:
            name += "." + node.classes[0]
        parts.append(name)
        node = node.parent
    return " > ".join(reversed(parts)) or None


class Page:
    """The parsed page plus the views the checks share: text blocks (row text + element) and the raw HTML."""

    def __init__(self, html: str, url: str | None):
        self.html = html
        self.url = url or ""
        self.root = dom.parse(html)
        self.blocks = [(row.text, row.node) for row in dom.rows(self.root)]
        self.text = "\n".join(t for t, _ in self.blocks)
        title = dom.select_one(self.root, "title")
        self.title = title.text() if title is not None else ""

    def find(self, rx: re.Pattern, within: list | None = None):
        """(match, block text, node) of the first block where `rx` matches, else None."""
        for text, node in within if within is not None else self.blocks:
            m = rx.search(text)
            if m:
                return m, text, node
        return None

    def blocks_under(self, selector: str) -> list:
        nodes = dom.select(self.root, selector)
        return [(n.text(), n) for n in nodes if n.text()]


# --- ICP filing ---------------------------------------------------------------------------------------------


def parse_icp(text: str, now: datetime) -> dict | None:
    """The filing number in `text` with its format checked; None when `text` names no ICP at all."""
    m = _ICP_PARTS.search(text)
    if not m:
        return None
    prov, kind, hao, suffix = m.group("prov"), m.group("kind"), m.group("hao"), m.group("suffix")
    number = re.sub(r"\s+", "", m.group("num") or "")
    problems = []
    if prov not in T.PROVINCES or not prov:
        problems.append(f"开头「{prov or '（无）'}」不是 31 个省级行政区的简称之一")
    if kind not in ("备", "证"):
        problems.append("缺少「备」或「证」字（正确格式如 粤ICP备2024051234号-1 或 京ICP证030173号）")
    problems += _number_problems(kind, number, now)
    if not hao:
        problems.append("缺少「号」字")
    if suffix is not None and (suffix.startswith("0") or not 1 <= int(suffix) <= 999):
        problems.append(f"网站序号「-{suffix}」不合规（应为 -1、-2 …）")
    shown = re.sub(r"\s+", "", m.group(0))
    return {"text": shown, "valid": not problems, "province": prov or None, "kind": kind or None,
            "number": number or None, "suffix": int(suffix) if suffix and suffix.isdigit() else None,
            "problems": problems, "domains": [], "lookup": dict(T.MIIT_LOOKUP, key=_icp_key(shown))}


def _number_problems(kind: str, number: str, now: datetime) -> list[str]:
    if not number:
        return ["缺少备案编号"]
    if kind == "证":
        return [] if len(number) == 6 else [f"经营许可证编号应为 6 位数字，这里是 {len(number)} 位"]
    if len(number) == 10:
        year = int(number[:4])
        if not 2004 <= year <= now.year:
            return [f"编号前四位年份 {year} 不可能（备案始于 2004 年，今年是 {now.year} 年）"]
        return []
    if len(number) == 8:
        year = int(number[:2])
        return [] if 4 <= year <= now.year % 100 else [f"编号前两位年份 {number[:2]} 不可能"]
    return [f"备案编号应为 8 位或 10 位数字，这里是 {len(number)} 位"]


def _icp_key(shown: str) -> str:
    """The filing without the site suffix: what identifies the organiser ("粤ICP备2024051234号")."""
    return re.sub(r"[-－—]\d+$", "", shown)


def registrable(host: str) -> str:
    labels = host.lower().strip(".").split(".")
    n = 3 if len(labels) >= 3 and ".".join(labels[-2:]) in T.SECOND_LEVEL else 2
    return ".".join(labels[-n:])


def _icp_domains(text: str, node: dom.Node) -> list[str]:
    """Domains written next to the filing number (the same line, or the footer block holding it)."""
    scope, hops = node, 0
    while scope.parent is not None and scope.parent.tag != "#root" and hops < 2 and len(scope.parent.text()) < 400:
        scope, hops = scope.parent, hops + 1
    found = []
    for d in T.DOMAIN.findall(text + " " + scope.text()):
        d = d.lower()
        if d.endswith(T.NOT_SHOP_DOMAINS) or re.fullmatch(r"[\d.]+", d) or d in found:
            continue
        found.append(d)
    return found


def check_icp(page: Page, now: datetime) -> tuple[list[dict], dict | None]:
    hit = page.find(_ICP_ANY)
    if hit is None:
        return [signal("icp_missing", "icp", "warn", "页面上没有 ICP 备案号：正规经营的国内网站一般在页脚展示备案号",
                       "no ICP filing number on the page: sites run legally in China show one in the footer",
                       element="整页 / whole page")], None
    _, text, node = hit
    icp = parse_icp(text, now)
    where = describe(node)
    icp["domains"] = _icp_domains(text, node)
    out = []
    if icp["valid"]:
        out.append(signal("icp_shown", "icp", "good", f"页面展示了备案号 {icp['text']}，格式正确；{T.MIIT_LOOKUP['zh']}",
                          f"the page shows filing {icp['text']} in a valid format; {T.MIIT_LOOKUP['en']}", text, where))
    else:
        out.append(signal("icp_format_bad", "icp", "warn", f"备案号 {icp['text']} 格式不对：{'；'.join(icp['problems'])}",
                          f"filing number {icp['text']} is malformed: " + "; ".join(icp["problems"]), text, where))
    host = urlsplit(page.url).hostname or ""
    if host and not _is_ip(host) and icp["domains"]:
        mine = registrable(host)
        if all(registrable(d) != mine for d in icp["domains"]):
            out.append(signal("icp_domain_mismatch", "shop", "warn",
                              f"备案信息旁写的域名 {icp['domains'][0]} 与当前网址 {host} 不一致：备案号可能属于别的网站",
                              f"the domain next to the filing ({icp['domains'][0]}) is not this address ({host}): the "
                              "filing may belong to another site", text, where))
    return out, icp


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
        return True
    except ValueError:
        return False


# --- payment route ------------------------------------------------------------------------------------------


def check_payment(page: Page) -> list[dict]:
    out, seen = [], set()
    attrs = [(a or b, None) for a, b in T.PAY_ATTR.findall(page.html)]  # img alt / title text: "个人收款码"
    for rule in T.PERSONAL_PAY:
        for text, node in page.blocks + attrs:
            hit = _unnegated(rule["rx"], text)
            if hit is None:
                continue
            if hit == "negated":
                if "pay_warning_notice" not in seen:
                    seen.add("pay_warning_notice")
                    out.append(signal("pay_warning_notice", "payment", "good", "页面提醒买家不要私下转账付款",
                                      "the page warns buyers not to pay by private transfer", text, describe(node)))
                continue
            if rule["code"] == "pay_usdt" and "pay_usdt_address" in seen:
                break
            seen.add(rule["code"])
            where = describe(node) if node is not None else "图片说明 / 属性文字 (alt, title)"
            out.append(signal(rule["code"], "payment", rule["tone"], rule["zh"], rule["en"], text, where))
            break
    if not any(s["tone"] == "strong" for s in out):
        platform = _platform_pay(page)
        if platform[0]["code"] == "pay_platform" or not (seen - {"pay_warning_notice"}):
            out += platform
    return out


def _unnegated(rx: re.Pattern, text: str):
    """The match of `rx` in `text` that is not part of a warning; "negated" when every match is one."""
    negated = False
    for m in rx.finditer(text):
        if T.NEGATION.search(text[max(0, m.start() - 14):m.start()]):
            negated = True
            continue
        return m
    return "negated" if negated else None


def _platform_pay(page: Page) -> list[dict]:
    """Payment through the site's checkout: a payment picker naming Alipay / WeChat Pay …, or a 支付方式 row."""
    hit = page.find(T.PLATFORM_PAY, page.blocks_under(T.PAY_AREA)) or page.find(T.PAY_METHOD_ROW)
    if hit is not None:
        text, where = hit[1], describe(hit[2])
    else:
        names = [m.group(0) for a, b in T.PAY_ATTR.findall(page.html) for m in [T.PLATFORM_PAY.search(a or b)] if m]
        text, where = " / ".join(dict.fromkeys(names))[:200], "付款方式选项 / payment options"
    if not text:
        return [signal("pay_unknown", "payment", "info", "本页没有看到付款方式；到付款页时再看一次这张卡片",
                       "no payment method on this page; look at this card again on the payment page")]
    return [signal("pay_platform", "payment", "good", "通过网页收银台付款（支付宝 / 微信支付等），付款有交易单号可查",
                   "paid through the site's checkout (Alipay / WeChat Pay …): the payment has a transaction record",
                   text, where)]


# --- after-sales channel and the shop's promise -------------------------------------------------------------


def check_after_sales(page: Page, facts: dict, role: str | None) -> list[dict]:
    out = []
    links = page.blocks_under("a, button")
    hit = next((h for rx in T.AFTER_SALES for h in (page.find(rx, links), page.find(rx)) if h), None)
    if hit is not None:
        _, text, node = hit
        out.append(signal("after_sales_shown", "after_sales", "good", "有投诉 / 工单 / 售后入口：出了问题有地方申诉",
                          "a complaint / ticket / after-sales channel is offered", text, describe(node)))
    else:
        out.append(signal("after_sales_missing", "after_sales", "warn", "页面上找不到投诉、工单或售后入口",
                          "no complaint, ticket or after-sales channel on the page", element="整页 / whole page"))
    promise = shop_promise(facts)
    if promise:
        hit = page.find(re.compile(re.escape(promise[:20])))
        out.append(signal("promise_shown", "after_sales", "good", f"店家自己的发货承诺：「{promise}」；付款后就按这个时限核对",
                          f"the shop's own delivery promise: \"{promise}\"", promise, describe(hit[2]) if hit else None))
    else:
        tone = "warn" if role == "product" else "info"
        out.append(signal("promise_missing", "after_sales", tone, "页面没有写明发货时限：之后很难证明商家违约",
                          "no delivery time is stated: hard to show a breach later", element="整页 / whole page"))
    return out


def shop_promise(facts: dict) -> str | None:
    text = (facts.get("promise") or {}).get("text")
    return text if text and not T.NOT_A_PROMISE.search(text) else None


# --- price against face value -------------------------------------------------------------------------------


def offer_price(page: Page, facts: dict) -> Decimal | None:
    amount = (facts.get("order") or {}).get("amount")
    candidates = [amount] if amount else []
    candidates += [n.text() for n in dom.select(page.root, T.PRICE_SELECTORS)[:4]]
    candidates += [m.group(1) for m in T.PRICE_LABEL.finditer(page.text)][:2]
    for value in candidates:
        m = _AMOUNT.search(str(value).replace(",", ""))
        if m:
            try:
                price = Decimal(m.group(1))
            except InvalidOperation:
                continue
            if price > 0:
                return price
    return None


def offer_product(page: Page, facts: dict) -> str | None:
    """The goods' name: the shop systems' product heading, else what page understanding read, else a heading or
    the title ("购买Q币 100个 直充确认订单 - 云梦代充")."""
    shop = (facts.get("shop") or {}).get("name")
    read = (facts.get("order") or {}).get("product")
    nodes = dom.select(page.root, T.PRODUCT_SELECTORS)[:6]
    named = [_first_text(n) for n in nodes if not n.tag.startswith("h")]
    headings = [_first_text(n) for n in nodes if n.tag.startswith("h")]
    title = re.sub(r"^购买|确认订单$", "", re.split(r"\s+[-|_–—]\s+", page.title or "")[0]).strip()
    for text in named + [read] + headings + [title]:
        if text and text != shop and 2 <= len(text) <= 80 and not T.CHECKOUT_MARK.fullmatch(text):
            return text
    return None


def _first_text(node: dom.Node) -> str:
    """The first piece of text inside `node` (a name before its badges: "Steam 钱包 100 元充值码 [自动发货]")."""
    stack = list(reversed(node.children))
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if item.strip():
                return re.sub(r"\s+", " ", item).strip()
        elif item.tag not in dom.SKIP:
            stack.extend(reversed(item.children))
    return ""


def face_value(product: str | None) -> tuple[Decimal | None, dict | None, str | None]:
    if not product:
        return None, None, None
    for rule in T.FACE_VALUES:
        m = rule["rx"].search(product)
        if m:
            face = rule["face"](m)
            if face:
                return face, rule, m.group(0)
    return None, None, None


def check_price(page: Page, facts: dict, product: str | None) -> tuple[list[dict], dict]:
    price = offer_price(page, facts)
    face, rule, named = face_value(product)
    offer = {"product": product, "price": str(price) if price is not None else None,
             "face_value": str(face) if face else None, "face_rule": rule["why"] if rule else None, "ratio": None,
             "promise": shop_promise(facts)}
    if price is None or face is None:
        return [], offer
    ratio = (price / face).quantize(Decimal("0.01"))
    offer["ratio"] = str(ratio)
    row = next(r for r in T.PRICE_THRESHOLDS if r["below"] is None or ratio < r["below"])
    text = f"{named}：面值约 {face} 元，售价 {price} 元，约为面值的 {int(ratio * 100)}%（面值依据：{rule['why']}）"
    return [signal(row["code"], "price", row["tone"], f"{text}。{row['zh']}",
                   f"{named}: face value about {face} yuan, price {price} ({int(ratio * 100)} %). {row['en']}",
                   text, "商品名与售价 / product name and price")], offer


# --- the buyer's own history with this shop -----------------------------------------------------------------


def summarise_history(orders, host: str | None, name: str | None, icp: str | None, now: datetime) -> dict:
    icp_key = _icp_key(icp) if icp else None
    items, matched_by = [], set()
    for o in orders or ():
        by = [k for k, hit in (("host", host and o.get("shop_host") == host),
                               ("name", name and o.get("shop_name") == name),
                               ("icp", icp_key and o.get("shop_icp") and _icp_key(o["shop_icp"]) == icp_key)) if hit]
        if not by:
            continue
        matched_by.update(by)
        items.append(_history_item(o, now))
    outcomes = {k: sum(1 for i in items if i["outcome"] == k) for k in ("delivered", "refunded", "failed", "expired", "open")}
    return {"orders": len(items), "overdue_now": sum(1 for i in items if i["overdue_now"]),
            "was_overdue": sum(1 for i in items if i["was_overdue"]), "outcomes": outcomes,
            "matched_by": sorted(matched_by), "items": items}


def _history_item(o: dict, now: datetime) -> dict:
    status = o.get("status_code") or "unknown"
    deadline = _parse_time(o.get("deadline"))
    overdue_now = bool(deadline and deadline < now and status not in _RESOLVED)
    return {"id": o.get("id"), "order_no": o.get("order_no"), "product": o.get("product"), "status_code": status,
            "deadline": o.get("deadline"), "outcome": status if status in _RESOLVED else "open",
            "overdue_now": overdue_now, "was_overdue": bool(o.get("was_overdue")) or overdue_now}


def _parse_time(value) -> datetime | None:
    try:
        t = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
    return t if t is not None and t.tzinfo is not None else None


def check_history(h: dict) -> list[dict]:
    if not h["orders"]:
        return [signal("history_none", "history", "info", "你的证据库里没有这家店的订单记录",
                       "no earlier orders with this shop in your evidence store")]
    o = h["outcomes"]
    text = (f"共 {h['orders']} 笔：已发货 {o['delivered']}，已退款 {o['refunded']}，失败 {o['failed']}，"
            f"未结束 {o['open']}；曾逾期 {h['was_overdue']}，现在逾期 {h['overdue_now']}")
    where = "本地证据库 / local evidence store"
    if h["overdue_now"]:
        return [signal("history_overdue", "history", "strong",
                       f"你在这家店有 {h['overdue_now']} 笔订单已过商家承诺的时限仍未发货（{text}）",
                       f"{h['overdue_now']} of your orders with this shop are past the promised time and undelivered",
                       text, where)]
    if h["was_overdue"] or o["refunded"] or o["failed"]:
        return [signal("history_trouble", "history", "warn", f"你在这家店的订单出过问题（{text}）",
                       "your earlier orders with this shop had trouble (overdue, refunded or failed)", text, where)]
    return [signal("history_ok", "history", "good", f"你在这家店的订单记录正常（{text}）",
                   "your earlier orders with this shop went normally", text, where)]


# --- throwaway-shop signals ---------------------------------------------------------------------------------


def check_shop(page: Page, facts: dict) -> list[dict]:
    out = []
    parts = urlsplit(page.url)
    name = (facts.get("shop") or {}).get("name")
    if not name:
        out.append(signal("no_shop_name", "shop", "warn", "页面没有店名", "the page names no shop",
                          element="title / og:site_name"))
    hit = page.find(T.CONTACT)
    if hit is None:
        out.append(signal("no_contact", "shop", "warn", "页面上没有任何联系方式（客服、QQ、微信、邮箱）",
                          "no contact of any kind on the page (support, QQ, WeChat, e-mail)", element="整页 / whole page"))
    if parts.scheme == "http":
        out.append(signal("http_only", "shop", "warn", "网站没有使用 HTTPS 加密：付款和账号信息可能被截获，也是临时建站的常见特征",
                          "the site does not use HTTPS: common for throwaway shops", page.url, "网址 / address"))
    if parts.hostname and _is_ip(parts.hostname):
        out.append(signal("ip_host", "shop", "warn", "网址是 IP 地址而不是域名", "the address is an IP, not a domain",
                          page.url, "网址 / address"))
    return out


# --- the page's role and the summary ------------------------------------------------------------------------


def page_role(facts: dict, page: Page, payment: list[dict]) -> str | None:
    kind, status = facts["page_kind"], (facts.get("order") or {}).get("status_code")
    if kind in ("payment", "rules"):
        return None
    if kind == "chat" and any(m.get("time") for m in facts.get("messages") or ()):
        return None  # a real conversation; a product page's badges read as untimed "messages" are not one
    if kind == "order" and status not in ("unpaid", "unknown", None):
        return None  # a paid order's page: too late for a check before paying
    if (kind == "order" and status == "unpaid") or T.CHECKOUT_MARK.search(page.text):
        return "checkout"
    if kind == "order":  # status not read: a checkout only if the page says so
        return "checkout" if T.CHECKOUT_BUTTON.search(page.text) else None
    if kind == "product" or T.PRODUCT_MARK.search(page.text):
        return "product"
    strong_pay = any(s["tone"] == "strong" for s in payment)
    return "checkout" if strong_pay or T.CHECKOUT_BUTTON.search(page.text) else None


def level_of(signals: list[dict]) -> str:
    strong = sum(1 for s in signals if s["tone"] == "strong")
    warn = sum(1 for s in signals if s["tone"] == "warn")
    return "high" if strong or warn >= 3 else "medium" if warn else "low"


def assess(html: str | bytes, url: str | None, *, now: datetime, history=()) -> dict:
    """The risk check of one page. `history` is the buyer's stored orders (dicts as GET /api/orders gives them)."""
    _check_now(now)
    if isinstance(html, (bytes, bytearray, memoryview)):
        html = decode_html(bytes(html))
    if not isinstance(html, str):
        raise TypeError("html must be str or bytes")
    facts = extract(html, url, now=now)
    page = Page(html[:2_000_000], url)
    payment = check_payment(page)
    role = page_role(facts, page, payment)
    icp_signals, icp = check_icp(page, now)
    product = offer_product(page, facts)
    price_signals, offer = check_price(page, facts, product)
    host = shop_host(url)
    name = (facts.get("shop") or {}).get("name")
    hist = summarise_history(history, host, name, icp["text"] if icp and icp["valid"] else None, now)
    signals = (icp_signals + payment + check_after_sales(page, facts, role) + price_signals
               + check_history(hist) + check_shop(page, facts))
    code = level_of(signals)
    reasons = [s for s in signals if s["tone"] in ("strong", "warn")]
    return {
        "applies": role is not None, "page": role, "page_kind": facts["page_kind"],
        "level": T.LEVELS[code][0], "level_code": code,
        "reasons": [s["zh"] for s in reasons] or ["没有发现需要注意的信号"],
        "reasons_en": [s["en"] for s in reasons] or ["no signal that needs attention"],
        "signals": signals, "icp": icp, "offer": offer,
        "shop": {"host": host, "name": name, "icp": icp["text"] if icp else None},
        "history": hist,
    }


# --- the offer as sold (what a product-page snapshot keeps) -------------------------------------------------

# Clock times and countdowns change on every look ("请在 04:59 内支付", "12:03:05"); they are not the offer.
_VOLATILE = re.compile(r"\d{1,4}[-/年.]\d{1,2}[-/月.]\d{1,2}日?|\d{1,2}:\d{2}(?::\d{2})?|\d+\s*(?:秒|s)\b")


def offer_facts(html: str | bytes, url: str | None, *, now: datetime) -> dict:
    """What a snapshot of a product or checkout page records: the goods, price, face value, the shop's own
    delivery promise, the shop, and `content_sha256` (SHA-256 of the visible text without clock times), by which
    snapshots of an unchanged offer are told apart from a changed one."""
    _check_now(now)
    if isinstance(html, (bytes, bytearray, memoryview)):
        html = decode_html(bytes(html))
    if not isinstance(html, str):
        raise TypeError("html must be str or bytes")
    facts = extract(html, url, now=now)
    page = Page(html[:2_000_000], url)
    promise = facts.get("promise") or {}
    product = offer_product(page, facts)
    _, offer = check_price(page, facts, product)
    text = page.text
    return {
        "product": product, "price": offer["price"], "face_value": offer["face_value"],
        "promise": ({"text": promise["text"], "within_seconds": promise.get("within_seconds"),
                     "source": promise.get("source")} if shop_promise(facts) else None),
        "shop": {"host": shop_host(url), "name": (facts.get("shop") or {}).get("name"),
                 "icp": (facts.get("shop") or {}).get("icp")},
        "page_kind": facts["page_kind"],
        "text": text,
        "content_sha256": hashlib.sha256(re.sub(r"\s+", "", _VOLATILE.sub("", text)).encode("utf-8")).hexdigest(),
    }


def same_goods(a: str | None, b: str | None) -> bool:
    """Two product names for the same goods: equal or one inside the other, ignoring spaces, case and punctuation."""
    norm = lambda s: re.sub(r"[\s\W_]+", "", s or "").lower()  # noqa: E731
    x, y = sorted((norm(a), norm(b)), key=len)
    if not x or len(x) < 4 and x != y:
        return False
    i = y.find(x)
    # "q币10" is not inside "q币100": a number must not run on past the shorter name
    return i >= 0 and not (x[-1].isdigit() and y[i + len(x):i + len(x) + 1].isdigit()) \
        and not (x[0].isdigit() and i > 0 and y[i - 1].isdigit())
