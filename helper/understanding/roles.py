"""Who sent a message: a vote of independent signals, each able to say buyer, merchant or system.

- the message element's own class tokens and data attributes, split into words (`is-user`, `chatBoxMe`,
  `em-widget-right`, `data-from="operator"`), and those of a lone wrapper inside it (`chat-block > chat-right`):
  self/me/mine/send/right/user/visitor … = buyer, other/service/kefu/admin/agent/left/receive/operator … =
  merchant, system/notice/welcome … = system (weight 2; 3 for data attributes, which widgets set on purpose);
- badge and name words: 官方客服, 客服, 店长, 商家, 掌柜 … = merchant, 我 / 买家 = buyer, 系统 = system (2);
- the logged-in buyer's own name shown in the page header = buyer; the chat partner's name = merchant (3);
- the rendered layout, when the capture recorded boxes (`layout`): a bubble in the right half = buyer, left =
  merchant (2).
The side with the most weight wins; a tie or nothing says None (chat.settle decides from the others).

`layout` (optional, recorded at capture time while the page is open by layout.LAYOUT_JS; the format is in
layout.py). `witness extract` on a bare file has none: the markup's signals decide.
"""

from __future__ import annotations

import re

from . import dom
from .layout import path_of

BUYER_PARTS = frozenset("self me mine my own send sent right user visitor customer guest buyer client outgoing".split())
MERCHANT_PARTS = frozenset(
    "other others service kefu admin staff agent left receive received incoming operator seller merchant support "
    "official shop store them bot server".split()
)
SYSTEM_PARTS = frozenset("system sys notice notification tip tips event welcome".split())
MERCHANT_WORDS = re.compile(r"官方客服|在线客服|人工客服|客服|商家|店长|店主|掌柜|管理员|官方|卖家|站长|售后|老板")
BADGE_WORDS = re.compile(r"官方|认证|管理员|客服|店长|商家|掌柜|VIP|vip")
BUYER_WORDS = re.compile(r"^(?:我|买家|本人|用户|顾客|访客.*|me)$|^我[\s(（]")
SYSTEM_WORDS = re.compile(r"^(?:系统|系统消息|系统通知|通知|提示)$")
_ROLE_ATTRS = ("data-from", "data-role", "data-sender", "data-type", "data-direction", "data-author-type", "data-side")
_SPLIT = re.compile(r"[-_\s:.]+|(?<=[a-z])(?=[A-Z])")


def parts(node: dom.Node) -> set[str]:
    """Lowercased words of an element's class names: `uc-ticket-message is-user` -> {uc, ticket, message, is,
    user}; `chatBoxMe` -> {chat, box, me}."""
    if node.words is None:
        cls = node.attrs.get("class", "")
        node.words = {p.lower() for p in _SPLIT.split(cls) if p} if cls else set()
    return node.words


def _side_of_words(words: set[str]) -> str | None:
    pushed = _pushed_side(words)
    if pushed:
        return pushed
    sides = {s for s, group in (("buyer", BUYER_PARTS), ("merchant", MERCHANT_PARTS), ("system", SYSTEM_PARTS))
             if words & group}
    return sides.pop() if len(sides) == 1 else None


def _pushed_side(words: set[str]) -> str | None:
    """Layout classes that push a bubble to one side: `margin-auto-left` / `ml-auto` / `ms-auto` push it right
    (the buyer's side), `mr-auto` / `me-auto` left; `justify-end` / `self-end` right."""
    if "auto" in words:
        if words & {"ml", "ms"} or ("left" in words and "right" not in words and words & {"margin", "m"}):
            return "buyer"
        if words & {"mr", "me"} or ("right" in words and "left" not in words and words & {"margin", "m"}):
            return "merchant"
    if "end" in words and words & {"justify", "self", "items"}:
        return "buyer"
    return None


def _wrappers(node: dom.Node):
    """The message element and the chain of lone element children inside it (a wrapper holding one box)."""
    yield node
    while True:
        kids = [c for c in node.children if isinstance(c, dom.Node) and not c.unseen]
        if len(kids) != 1:
            return
        node = kids[0]
        yield node


def own_tokens_side(node: dom.Node) -> str | None:
    """The side the element's own class tokens and data attributes name, if they name exactly one."""
    for w in _wrappers(node):
        for attr in _ROLE_ATTRS:
            value = w.attrs.get(attr)
            if value:
                side = _side_of_words({p.lower() for p in _SPLIT.split(value) if p})
                if side:
                    return side
        side = _side_of_words(parts(w))
        if side:
            return side
    return None


def words_side(name: str | None, badge: str | None) -> str | None:
    if badge and MERCHANT_WORDS.search(badge):
        return "merchant"
    if name:
        if SYSTEM_WORDS.match(name):
            return "system"
        if BUYER_WORDS.search(name):
            return "buyer"
        if MERCHANT_WORDS.search(name):
            return "merchant"
    return None


def layout_side(node: dom.Node, layout: dict | None) -> str | None:
    if not layout or not isinstance(layout.get("boxes"), dict):
        return None
    width = layout.get("width")
    box = layout["boxes"].get(path_of(node))
    if not isinstance(box, (list, tuple)) or len(box) != 4 or not _numbers(width, *box) or width <= 0:
        return None  # a box or width that is not numbers says nothing (layout comes from outside)
    x, _, w, _ = box
    centre = x + w / 2
    if w >= width * 0.8:
        return None  # full-width rows say nothing about sides
    return "buyer" if centre > width / 2 else "merchant"


def _numbers(*values) -> bool:
    return all(isinstance(v, (int, float)) and not isinstance(v, bool) and v == v for v in values)


def vote(node: dom.Node, name: str | None, badge: str | None, *, own_name: str | None = None,
         peer_name: str | None = None, layout: dict | None = None) -> str | None:
    score = {"buyer": 0, "merchant": 0, "system": 0}
    side = own_tokens_side(node)
    if side:
        score[side] += 2
    side = words_side(name, badge)
    if side:
        score[side] += 2
    if name and own_name and name == own_name:
        score["buyer"] += 3
    if name and peer_name and name == peer_name:
        score["merchant"] += 3
    side = layout_side(node, layout)
    if side:
        score[side] += 2
    top = max(score.values())
    if top == 0:
        return None
    winners = [s for s, v in score.items() if v == top]
    return winners[0] if len(winners) == 1 else None
