"""Order facts a page shows by its structure rather than by a label (issue 12):

- the card-key delivery area: a read-only box or a block marked for keys (卡密 / kami / card-info / secret) is
  "filled" when it holds a key-like token, "empty" when it is there with nothing or a waiting text;
- the order number shown as a badge or heading ("# C2M7ZKQ8R4XW1NPB") when no label names it;
- the product name in a block marked goods / commodity / product with no label;
- the shop's own name as the page shows it (a brand or logo element), before any piece of the <title>.
"""

from __future__ import annotations

import re

from . import dom, labels, roles

KEY_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-_]{5,}")
WAITING = re.compile(r"等待|暂无|未发货|尚未|发货中|处理中|请耐心|无卡密|没有|空")
_KEY_WORDS = frozenset("kami km kminfo cardinfo secret cdk cdkey carmi".split())
_KEY_PAIRS = (frozenset(("card", "info")), frozenset(("card", "key")), frozenset(("card", "content")),
              frozenset(("card", "pwd")))
_ORDER_NO_PARTS = frozenset("badge order sn no trade tradeno orderid number".split())
_ORDER_NO = re.compile(r"^#?\s*([A-Za-z]{0,6}\d[A-Za-z0-9]{9,40})$")
_PRODUCT_PARTS = frozenset("goods commodity product".split())
_BRAND_PARTS = frozenset("brand logo sitename site shopname".split())
_PRICE = re.compile(r"^[¥￥$]?\s*\d[\d,.]*\s*元?$")


def keys_area(root: dom.Node, keys_value: str | None, site_keys_text: str | None,
              exclude: set[int] = frozenset()) -> tuple[str | None, str | None]:
    """("filled" | "empty" | None, the keys text) from the site's keys box, the 卡密 / 宝贝内容 label's value, or
    a read-only text box, a <pre> or a keys-marked block on the page (outside the chat, `exclude`)."""
    texts = [t for t in (site_keys_text, keys_value) if t is not None]
    for node in root.iter():
        if (node.unseen and node.tag != "textarea") or id(node) in exclude or _in(node, exclude):
            continue
        if (node.tag == "textarea" and not _editable(node)) or node.tag == "pre":
            texts.append(node.text())
        elif node.tag in ("div", "pre", "code", "p", "td") and _keys_marked(roles.parts(node)):
            texts.append(node.text())
    if not texts:
        return None, None
    for t in texts:
        if t and KEY_TOKEN.search(t) and not WAITING.search(t):
            return "filled", t
    return "empty", None


def _in(node: dom.Node, ids: set[int]) -> bool:
    if not ids:
        return False
    a = node.parent
    while a is not None:
        if id(a) in ids:
            return True
        a = a.parent
    return False


def _keys_marked(words: set[str]) -> bool:
    return bool(words & _KEY_WORDS) or any(pair <= words for pair in _KEY_PAIRS)


def _editable(textarea: dom.Node) -> bool:
    """A box the buyer types into (a reply or note field), not one that shows keys."""
    if "readonly" in textarea.attrs or "disabled" in textarea.attrs:
        return False
    return bool(textarea.attrs.get("name") or textarea.attrs.get("placeholder"))


def order_no(root: dom.Node) -> str | None:
    """An order-number-shaped text alone in a badge, order/sn-marked element or heading."""
    for node in root.iter():
        if node.unseen or not (node.tag in ("h1", "h2", "h3", "h4") or roles.parts(node) & _ORDER_NO_PARTS):
            continue
        for text in (node.text(),):
            m = _ORDER_NO.match(text)
            if m and len(text) <= 48:
                return m.group(1)
    return None


def product(root: dom.Node, shop_name: str | None) -> str | None:
    """The goods' name in a goods/commodity/product-marked element that carries no label."""
    label = labels.label_matcher()
    for node in root.iter():
        if node.unseen or not (roles.parts(node) & _PRODUCT_PARTS & _name_like(node)):
            continue
        text = node.text()
        if 2 <= len(text) <= 80 and not label.match(text) and not labels.starts_with_label(text) \
                and not _PRICE.match(text) and text != shop_name and "：" not in text and ":" not in text:
            return text
    return None


def _name_like(node: dom.Node) -> set[str]:
    words = roles.parts(node)
    # "goods-name", "commodity_name", "product-title", or the bare "goods" block
    if words & {"name", "title"} or len(words) == 1:
        return words
    return set()


def brand(root: dom.Node) -> str | None:
    """The shop's name as the page shows it: text of a brand / logo / site-name element, else a logo's alt."""
    for node in root.iter():
        if node.unseen or not roles.parts(node) & _BRAND_PARTS:
            continue
        links = [d for d in node.iter() if d.tag == "a" and not d.unseen and _inline_text(d)]
        text = _inline_text(links[0] if len(links) >= 2 else node)
        text = _CHROME_WORDS.sub("", text).strip()
        if 2 <= len(text) <= 30 and not labels.starts_with_label(text):
            return text
        if not text:
            img = next((d for d in node.iter() if d.tag == "img" and d.attrs.get("alt")), None)
            if img is not None and 2 <= len(img.attrs["alt"]) <= 30 and img.attrs["alt"].lower() != "logo":
                return img.attrs["alt"]
    return None


_CHROME_WORDS = re.compile(r"\s*(?:用户中心|会员中心|个人中心|管理后台|后台)$")


def _inline_text(node: dom.Node) -> str:
    """Visible text with inline pieces joined as the eye reads them ("喵呜<i>发卡</i>网" -> 喵呜发卡网)."""
    pieces: list[str] = []
    stack: list = list(reversed(node.children))
    while stack:
        x = stack.pop()
        if isinstance(x, str):
            pieces.append(x)
        elif not x.unseen:
            stack.extend(reversed(x.children))
    return " ".join("".join(pieces).split())
