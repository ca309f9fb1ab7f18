"""The generic chat reader (issue 12): messages from a page no site rule describes.

1. The message list is a run of sibling elements of one tag (articles, rows, list items) in one container, or
   in several containers of the same kind one after another (one per day). A run counts as a chat when its
   items carry times, date separators sit between them, or their attributes name sides; lists of links (menus)
   and of label/value rows (order details) do not.
2. Inside a message, the text is split into meta and body: pieces that are a time (a `<time>`, a text that is
   only a timestamp), pieces under a name/user/author/meta class or in the same block as the time (name,
   badge), pieces under an avatar/icon class (dropped); the rest is the message's text.
3. The sender's role is a vote of independent signals (roles.py): tokens of the message's own class and
   data attributes, badge and name words (官方客服, 店长 …), the logged-in buyer's name in the page header, and,
   when the capture recorded boxes, the side the bubble sits on. Undecided messages take the side opposite
   to the decided ones (chat.settle).
4. Times: the message's own time, else the time of the separator above it; bare times take the separator's
   date (times.py, the one normaliser).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache

from helper.core.clock import iso

from . import dom, labels, roles
from .chat import SYSTEM_TEXT, settle
from .times import find_date_separator
from .times import find_timestamps as _find_timestamps

# words of class names (roles.parts) that say what a piece of a message is
_NAME_HINT = frozenset("name nick nickname user username author sender from who cite meta head header info title "
                        "badge tag role level".split())
_BODY_HINT = frozenset("content text bubble body markdown txt".split())  # beat a name word ("chat-bubble user")
_WEAK_BODY_HINT = frozenset("msg message detail".split())  # lose to one ("uc-ticket-message__meta")
_DROP_HINT = frozenset("avatar thumb thumbnail portrait icon emoji face arrow corner status read unread tick check "
                       "pic photo img image headimg".split())
_TIME_HINT = frozenset("time date when stamp timestamp datetime".split())
_SEP_LABEL = re.compile(r"^\s*(?:日期|时间|date)\s*[:：]\s*", re.I)
_WORDY = re.compile(r"[^\W\d_]", re.U)  # a letter or a CJK character
_MIN_ITEMS = 2
# cheap test before the normaliser: digits around a colon, 点/时, a date word or a weekday
_MAYBE_TIME = re.compile(r"\d\s*[:：点时月/-]\s*\d|\d\s*[点时]|[今昨前]天|今日|昨日|星期|周[一二三四五六日天]|礼拜")
_MAX_ITEM_CHARS = 4000


class Item:
    """One message as read: its node, meta and body, and the separator context it sits under."""

    __slots__ = ("node", "name", "badge", "time", "time_has_date", "text", "hint_system")

    def __init__(self, node: dom.Node):
        self.node = node
        self.name = self.badge = self.text = None
        self.time: datetime | None = None
        self.time_has_date = False
        self.hint_system = False


def read_thread(root: dom.Node, now: datetime, *, own_name: str | None = None, peer_name: str | None = None,
                layout: dict | None = None) -> tuple[list[dict], list[dom.Node]]:
    """(messages, message nodes) of the best message list on the page; ([], []) when there is none."""
    find_timestamps.cache_clear()  # remembered within one page only (and timings stay honest)
    runs = _message_runs(root, now)
    if not runs:
        return [], []
    messages, roles_found, nodes = [], [], []
    day: date | None = None
    sep_time: datetime | None = None
    started = False
    for node in runs:
        sep = _separator(node, now)
        if sep is not None:
            day, sep_time = sep
            continue
        item = _read_item(node, now, day)
        if not item.text:
            continue
        role = roles.vote(node, item.name, item.badge, own_name=own_name, peer_name=peer_name, layout=layout)
        if role is None and (item.hint_system or SYSTEM_TEXT.search(item.text)):
            role = "system"
        if not started and role == "system" and _is_banner(node):
            continue  # a status banner heading the thread ("客服正在与您沟通") is not a message
        started = True
        when = item.time or sep_time
        if when is None and day is not None and item.time is None:
            when = None
        messages.append({"sender": None, "name": item.name, "time": iso(when) if when else None, "text": item.text})
        roles_found.append(role)
        nodes.append(node)
    messages, roles_found, nodes = _without_head_rows(messages, roles_found, nodes)
    return settle(messages, roles_found), nodes


def _without_head_rows(messages, found_roles, nodes):
    """Rows above the first message and below the last that have neither a time nor a side, in a thread where
    two or more messages have a time, are the log's heading (消息记录, 消息对象: …) and footing, not messages."""
    if sum(1 for m in messages if m["time"]) < 2:
        return messages, found_roles, nodes
    k, end = 0, len(messages)
    while k < end and not messages[k]["time"] and found_roles[k] is None:
        k += 1
    while end > k and not messages[end - 1]["time"] and found_roles[end - 1] is None:
        end -= 1  # and the rows below the last one (此工单已经结单, a back link) its footing
    return messages[k:end], found_roles[k:end], nodes[k:end]


# --- finding the message list ------------------------------------------------------------------------------


def _message_runs(root: dom.Node, now: datetime) -> list[dom.Node]:
    """The children (items and separators, in order) of the best-scoring message container(s)."""
    best, best_score = None, 0.0
    seen_parents: dict[tuple, list[dom.Node]] = {}
    scores: dict[int, float] = {}
    for parent in root.iter():
        if parent.unseen or len(parent.children) < _MIN_ITEMS:
            continue
        kids = [c for c in parent.children if isinstance(c, dom.Node) and not c.unseen]
        if len(kids) < _MIN_ITEMS:
            continue
        score = scores[id(parent)] = _container_score(kids, now)
        key = (parent.tag, parent.attrs.get("class", ""))
        seen_parents.setdefault(key, []).append(parent)
        if score > best_score:
            best, best_score = parent, score
    if best is None or best_score < 3:
        return []
    # the same kind of container repeated (one per day): read them all, in document order
    # (a day holding a single message scores nothing alone, but belongs to the thread)
    group = [p for p in seen_parents[(best.tag, best.attrs.get("class", ""))]
             if p is best or p.parent is best.parent or scores.get(id(p), 0) > 0
             and not _inside(p, best) and not _inside(best, p)]
    return [k for p in group for k in _kids(p)]


def _kids(parent: dom.Node) -> list[dom.Node]:
    return [c for c in parent.children if isinstance(c, dom.Node) and not c.unseen]


def _inside(node: dom.Node, other: dom.Node) -> bool:
    a = node.parent
    while a is not None:
        if a is other:
            return True
        a = a.parent
    return False


def _container_score(kids: list[dom.Node], now: datetime) -> float:
    """How much a set of siblings looks like a message list: items of the commonest tag that hold text, with
    times, sides or separators; 0 for menus and label/value rows."""
    tags: dict[str, int] = {}
    for k in kids:
        tags[k.tag] = tags.get(k.tag, 0) + 1
    tag, n = max(tags.items(), key=lambda kv: kv[1])
    if n < _MIN_ITEMS or tag in ("a", "option", "br", "img", "input", "button", "script", "style", "thead", "td", "th", "col"):
        return 0.0
    if tag == "tr" and any(_cells(k) > 2 or any(c.tag == "th" for c in _kids(k)) for k in kids):
        return 0.0  # a data table (columns, a header row), not a log of messages
    # cheap evidence first: most sibling runs on a page (menus, grids, forms) carry no times and no sides
    texts = [(k, k.text()) for k in kids]
    maybe = [bool(t) and _MAYBE_TIME.search(t[:300]) is not None for _, t in texts]
    sides = [bool(t) and k.tag == tag and roles.own_tokens_side(k) in ("buyer", "merchant") for k, t in texts]
    if sum(maybe) + sum(sides) < 2:
        return 0.0  # not even a chance of two times or sides: skip the normaliser
    candidates, seps, timed = [], 0, 0
    sided = sum(sides)
    for (k, text), maybe_time in zip(texts, maybe):
        if not text:
            continue
        if len(text) <= 40 and maybe_time and (
                find_date_separator(_SEP_LABEL.sub("", text), now) is not None or _only_time(text, now)):
            seps += 1
            continue
        if k.tag != tag:
            continue
        candidates.append((k, text))
        if maybe_time and find_timestamps(text[:300], now):
            timed += 1
    evidence = timed + sided + 2 * seps
    if len(candidates) < _MIN_ITEMS or evidence < 2:
        return 0.0
    label = labels.label_matcher()
    items = linky = labelled = bulky = 0
    for k, text in candidates:
        linked = _page_parts_or_links(k) if len(text) <= _MAX_ITEM_CHARS else None
        if linked is None:
            bulky += 1
            continue
        items += 1
        if linked > 0.6 * len(text):
            linky += 1
        if label.match(text.split(" ", 1)[0]) or labels.starts_with_label(text):
            labelled += 1
    if items < _MIN_ITEMS or linky > items / 2 or labelled > items / 2 or bulky > items / 2:
        return 0.0
    return items + evidence


_PAGE_PARTS = frozenset("table form nav h1 h2 select textarea main aside".split())


def _page_parts_or_links(node: dom.Node) -> int | None:
    """None when the element holds page sections, tables, forms or a list (no message does); else the length
    of its text inside links (a menu item is all link)."""
    lis = linked = 0
    for d in node.iter():
        if d.tag in _PAGE_PARTS:
            return None
        if d.tag == "li":
            lis += 1
            if lis >= 3:
                return None
        elif d.tag == "a":
            linked += len(d.text())
    return linked


def _cells(row: dom.Node) -> int:
    return sum(1 for c in _kids(row) if c.tag in ("td", "th"))


def _only_time(text: str, now: datetime) -> bool:
    found = find_timestamps(text, now)
    return len(found) == 1 and not _WORDY.search(_without(text, found[0]))


def _separator(node: dom.Node, now: datetime) -> tuple[date, datetime | None] | None:
    """A centred date or time line between messages: (its day, its time when it has one)."""
    text = node.text()
    if not text or len(text) > 40 or not _MAYBE_TIME.search(text):
        return None
    text = _SEP_LABEL.sub("", text)
    d = find_date_separator(text, now)
    if d is not None:
        return d, None
    found = find_timestamps(text, now)
    if len(found) == 1 and not _WORDY.search(_without(text, found[0])):
        return found[0].dt.date(), found[0].dt
    return None


def _is_banner(node: dom.Node) -> bool:
    return node.attrs.get("role") in ("alert", "status") or "alert" in roles.parts(node)


# --- one message -----------------------------------------------------------------------------------------------


def _pieces(item: dom.Node) -> list[tuple[str, dom.Node]]:
    """Visible text pieces of the item with the element holding each, in order."""
    out: list[tuple[str, dom.Node]] = []
    stack: list[tuple[dom.Node | str, dom.Node]] = [(c, item) for c in reversed(item.children)]
    while stack:
        x, holder = stack.pop()
        if isinstance(x, str):
            t = " ".join(x.split())
            if t:
                out.append((t, holder))
        elif not x.unseen:
            stack.extend((c, x) for c in reversed(x.children))
    return out


def _hint(node: dom.Node, item: dom.Node) -> str | None:
    """The nearest class hint between a piece's element and the item: drop, time, name or body."""
    a = node
    while a is not None and a is not item:
        words = roles.parts(a)
        if a.tag == "time":
            return "time"
        if words:
            if words & _DROP_HINT:
                return "drop"
            if words & _TIME_HINT:
                return "time"
            if words & _BODY_HINT:
                return "body"
            if words & _NAME_HINT:
                return "name"
            if words & _WEAK_BODY_HINT:
                return "body"
        a = a.parent
    return None


def _within(node: dom.Node, block: dom.Node) -> bool:
    return node is block or _inside(node, block)


def _block_of(node: dom.Node) -> dom.Node:
    a = node
    while a.parent is not None and a.tag not in dom.BLOCK:
        a = a.parent
    return a


def _read_item(node: dom.Node, now: datetime, day: date | None) -> Item:
    item = Item(node)
    pieces = _pieces(node)
    kinds = []
    pieces_rest: dict[int, str] = {}
    time_block = time_at = None
    for text, holder in pieces:
        hint = _hint(holder, node)
        if hint == "drop":
            kinds.append("drop")
            continue
        found = find_timestamps(text[:200], now, day=day) if hint != "body" and _MAYBE_TIME.search(text) else []
        stamp = _time_attr(holder, now, day) if hint == "time" and item.time is None else None
        rest = _without(text, found[0]) if found else text
        if stamp or (found and (hint == "time" or not _WORDY.search(rest) or (len(pieces) > 1 and _meta_line(text, found[0])))):
            if item.time is None:
                item.time, item.time_has_date = stamp or (found[0].dt, found[0].has_date)
            block = _block_of(holder)
            time_block = block if block is not node and _inside(block, node) else None
            time_at = len(kinds)
            if _WORDY.search(rest) and hint != "time":  # "客服小云 2026-11-27 09:00:00": a name beside the time
                kinds.append("name")
                pieces_rest[len(kinds) - 1] = rest
            else:
                kinds.append("time")
            continue
        kinds.append(hint or "")
    if item.time is None:
        for d in node.iter():
            if d.tag == "time":
                stamp = _time_attr(d, now, day)
                if stamp:
                    item.time, item.time_has_date = stamp
                    break
    if time_block is not None and all(_within(_block_of(h), time_block)
                                      for (_, h), k in zip(pieces, kinds) if k not in ("drop", "time")):
        time_block = None  # the time's block holds the whole message: it is no meta line
    names, body = [], []
    for i, ((text, holder), kind) in enumerate(zip(pieces, kinds)):
        if kind in ("drop", "time"):
            continue
        text = pieces_rest.get(i, text)
        if kind == "name" or (not kind and time_block is not None and i < time_at
                              and _within(_block_of(holder), time_block)):  # a name precedes its time
            names.append(text)
        else:
            body.append(text)
    if not body and names:
        body = [names.pop()]
    for n in names:
        if roles.MERCHANT_WORDS.fullmatch(n) or roles.BADGE_WORDS.fullmatch(n):
            item.badge = item.badge or n
        elif item.name is None:
            item.name = n[:60]
    if item.name is None and item.badge:
        item.name = item.badge
    item.text = " ".join(body).strip() or None
    item.hint_system = bool(roles.parts(node) & roles.SYSTEM_PARTS)
    return item


@lru_cache(maxsize=4096)
def find_timestamps(text: str, now: datetime, *, day: date | None = None) -> tuple:
    """times.find_timestamps, remembered while one page is read: the reader looks at the same texts at several
    levels of the page."""
    return tuple(_find_timestamps(text, now, day=day))


_SENTENCE = re.compile(r"[，。！？,!?；;]")


def _meta_line(text: str, match) -> bool:
    """A name and a clock time on one line ("客服小云 2026-11-27 09:00:00", "2026-5-1 9:05:03 我"): the time at
    one end, written with a colon or a date, the rest short and no sentence ("今天21点前给你处理" is a message)."""
    rest = _without(text, match)
    at_end = not text[match.end:].strip() or not text[: match.start].strip()
    clock = match.has_date or ":" in match.text or "：" in match.text
    return at_end and clock and len(rest) <= 24 and not _SENTENCE.search(rest)


def _without(text: str, match) -> str:
    return " ".join((text[: match.start] + " " + text[match.end:]).split())


def _time_attr(node: dom.Node, now: datetime, day: date | None) -> tuple[datetime, bool] | None:
    for attr in ("datetime", "title", "data-time"):
        value = node.attrs.get(attr)
        if value:
            found = find_timestamps(value, now, day=day)
            if found and (found[0].has_date or attr == "datetime"):
                return found[0].dt, True
    return None


# --- names the page itself gives -----------------------------------------------------------------------------

_ACCOUNT_PARTS = frozenset("user username nickname nick uname account member".split())
_PEER_LABEL = re.compile(r"^\s*(?:消息对象|聊天对象|对方)\s*[:：]\s*(\S.{0,30}?)\s*$")
_NOT_A_NAME = re.compile(r"登录|登入|注册|退出|注销|个人|设置|中心|会员|用户名|账号|\d+\s*$")


def page_names(root: dom.Node) -> tuple[str | None, str | None]:
    """(the logged-in buyer's name in the page header or nav, the chat partner named by a label such as
    "消息对象:卡盟小七" in an exported log)."""
    own = peer = None
    for node in root.iter():
        if own is None and node.tag in ("header", "nav") and not node.unseen:
            own = _account_name(node)
        if peer is None and len(node.children) == 1 and isinstance(node.children[0], str):
            m = _PEER_LABEL.match(node.children[0])
            if m:
                peer = m.group(1)
        if own and peer:
            break
    return own, peer


def _account_name(chrome: dom.Node) -> str | None:
    for node in chrome.iter():
        if node.unseen or not (roles.parts(node) & _ACCOUNT_PARTS):
            continue
        text = node.text()
        if 2 <= len(text) <= 20 and not _NOT_A_NAME.search(text):
            return text
    return None
