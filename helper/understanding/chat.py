"""Chat messages from a page (DOM, driven by a site adapter's chat config) or from plain text lines (OCR).

A message is {"sender": "merchant" | "buyer" | "system", "name", "time", "text"}. Times follow the
normalisation rules in times.py: a `<time datetime>` wins, else the visible text, with bare times taking the
date of the nearest separator above them in the thread.

Roles, in order: an explicit data-role/data-sender attribute; class tokens on the message or its parts
(admin/staff/merchant…, self/mine/buyer…, system/notice…); badge or name words (官方客服, 客服, 商家 → merchant;
我, 买家 → buyer; 系统 → system). A message left undecided takes the side opposite to the marked ones
(a thread where only staff carry a badge: the rest are the buyer), else merchant.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from helper.core.clock import iso

from . import dom, roles
from .times import find_date_separator, find_timestamps

MERCHANT_TOKENS = frozenset(
    "admin staff merchant seller service kefu official shop store support agent reply-admin is-admin "
    "from-admin from-staff from-merchant msg-left left other them".split()
)
BUYER_TOKENS = frozenset(
    "self mine me buyer user-self from-me from-user is-me msg-right right own sent visitor guest client".split()
)
SYSTEM_TOKENS = frozenset("system notice sys tip tips system-msg msg-system from-system".split())
SYSTEM_TEXT = re.compile(r"撤回了一条消息|已撤回|工单已(?:关闭|解决)|以下为新消息|会话已结束|已加入会话|系统自动")
_ROLE_ATTR = {
    "merchant": "merchant", "staff": "merchant", "admin": "merchant", "seller": "merchant", "service": "merchant",
    "buyer": "buyer", "self": "buyer", "user": "buyer", "customer": "buyer", "me": "buyer",
    "system": "system",
}


def _role_from(node: dom.Node, name: str | None, badge: str | None) -> str | None:
    for attr in ("data-role", "data-sender"):
        v = node.attrs.get(attr, "").lower()
        if v in _ROLE_ATTR:
            return _ROLE_ATTR[v]
    tokens = set(node.classes)
    for d in node.iter():
        if d.tag in ("span", "i", "em", "b", "strong", "div", "img", "label"):
            tokens.update(t for t in d.classes if t in MERCHANT_TOKENS or t in SYSTEM_TOKENS)
    if tokens & SYSTEM_TOKENS:
        return "system"
    if tokens & BUYER_TOKENS:
        return "buyer"
    if tokens & MERCHANT_TOKENS:
        return "merchant"
    return _role_from_words(name, badge)


def _role_from_words(name: str | None, badge: str | None) -> str | None:
    return roles.words_side(name, badge)


def settle(messages: list[dict], roles: list[str | None]) -> list[dict]:
    marked = {r for r in roles if r in ("merchant", "buyer")}
    if marked == {"merchant"}:
        default = "buyer"
    elif marked == {"buyer"}:
        default = "merchant"
    else:
        default = "merchant"
    for m, r in zip(messages, roles):
        m["sender"] = r or default
    return messages


def _first_text(item: dom.Node, selector: str | None) -> tuple[dom.Node | None, str | None]:
    if not selector:
        return None, None
    node = dom.select_one(item, selector)
    if node is None:
        return None, None
    t = node.text()
    return node, (t or None)


def from_dom(root: dom.Node, config: dict, now: datetime) -> tuple[list[dict], list[dom.Node]]:
    """Messages per a chat config {item, name, time, text, badge, separator}. Returns (messages, item nodes)."""
    item_sel = config["item"]
    sep_sel = config.get("separator")
    messages: list[dict] = []
    roles: list[str | None] = []
    items: list[dom.Node] = []
    item_ids: set[int] = set()
    day: date | None = None
    for node in root.iter():
        if sep_sel and dom.matches(node, sep_sel) and not any(dom.matches(a, item_sel) for a in _ancestors(node)):
            d = _separator_day(node.text(), now)
            if d is not None:
                day = d
            continue
        if not dom.matches(node, item_sel) or any(id(a) in item_ids for a in _ancestors(node)):
            continue
        name_node, name = _first_text(node, config.get("name"))
        badge_node, badge = _first_text(node, config.get("badge"))
        time_node, time_text = _first_text(node, config.get("time") or "time")
        text_node, text = _first_text(node, config.get("text"))
        if text is None:
            text = _strip_parts(node, (name_node, badge_node, time_node))
        if name and badge and name.endswith(badge):
            name = name[: -len(badge)].strip() or name
        if name:
            name = _without_times(name, now) or None
        when = _when(time_node, time_text, now, day)
        if not text:
            continue
        items.append(node)
        item_ids.add(id(node))
        roles.append(_role_from(node, name, badge))
        if SYSTEM_TEXT.search(text) and roles[-1] is None:
            roles[-1] = "system"
        messages.append({"sender": None, "name": name, "time": iso(when) if when else None, "text": text})
    return settle(messages, roles), items


def _separator_day(text: str, now: datetime) -> date | None:
    """A separator's date: "2026-11-20", "昨天", or a dated time divider such as "昨天 14:32"."""
    d = find_date_separator(text, now)
    if d is None:
        found = find_timestamps(text, now)
        if len(found) == 1 and found[0].has_date and len(text.strip()) <= len(found[0].text) + 4:
            d = found[0].dt.date()
    return d


def _when(time_node: dom.Node | None, time_text: str | None, now: datetime, day: date | None) -> datetime | None:
    """`<time datetime>`, else a full timestamp in the element's title (hover text), else its visible text."""
    if time_node is not None:
        for attr in ("datetime", "title"):
            value = time_node.attrs.get(attr)
            if value:
                found = find_timestamps(value, now, day=day)
                if found and (found[0].has_date or attr == "datetime"):
                    return found[0].dt
    if time_text:
        found = find_timestamps(time_text, now, day=day)
        if found:
            return found[0].dt
    return None


def _without_times(text: str, now: datetime) -> str:
    for m in reversed(find_timestamps(text, now)):
        text = text[: m.start] + text[m.end:]
    return re.sub(r"\s+", " ", text).strip()


def _ancestors(node: dom.Node):
    a = node.parent
    while a is not None:
        yield a
        a = a.parent


def _strip_parts(item: dom.Node, parts) -> str | None:
    """The item's text without its name/badge/time parts."""
    full = item.text()
    for p in parts:
        if p is not None:
            t = p.text()
            if t:
                full = full.replace(t, " ", 1)
    full = re.sub(r"\s+", " ", full).strip()
    return full or None


# --- plain text (OCR lines, exported chat logs) ------------------------------------------------------------

_NAME = r"[^\s:：][^:：]{0,23}?"


def from_lines(lines: list[str], now: datetime, *, is_label=lambda s: False) -> list[dict]:
    """Messages from text lines:
    `NAME 2026-11-20 14:40` / `2026-5-1 9:05:03 NAME` headers (QQ export) with the text on following lines,
    `NAME：text` lines where NAME is a role word (我, 客服, 商家…), date separator lines, and
    time-only lines (WeChat's centred times) that date the lines after them."""
    messages: list[dict] = []
    roles: list[str | None] = []
    day: date | None = None
    current: dict | None = None
    pending_time: datetime | None = None

    def start(name, when, text=""):
        nonlocal current
        current = {"sender": None, "name": name, "time": iso(when) if when else None, "text": text.strip()}
        messages.append(current)
        role = _role_from_words(name, None)
        if role is None and SYSTEM_TEXT.search(text or ""):
            role = "system"
        roles.append(role)

    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        sep = find_date_separator(line, now)
        if sep is not None:
            day, current = sep, None
            continue
        found = find_timestamps(line, now, day=day)
        if found and found[0].start == 0 and found[0].end == len(line):
            pending_time = found[0].dt
            day = pending_time.date() if found[0].has_date else day
            current = None
            continue
        header = None
        if len(found) == 1:
            ts = found[0]
            before, after = line[: ts.start].strip(), line[ts.end:].strip()
            if before and not after and len(before) <= 24 and not is_label(before):
                header = (before, ts)
            elif after and not before and len(after) <= 24 and not is_label(after):
                header = (after, ts)
        if header:
            name, ts = header
            if ts.has_date:
                day = ts.dt.date()
            start(name, ts.dt)
            pending_time = None
            continue
        m = re.match(rf"^({_NAME})\s*[:：]\s*(.+)$", line)
        if m and not is_label(m.group(1)) and (
            _role_from_words(m.group(1), None) or any(msg["name"] == m.group(1) for msg in messages)
        ):
            start(m.group(1).strip(), pending_time, m.group(2))
            current = None
            continue
        if SYSTEM_TEXT.search(line):
            start(None, pending_time, line)
            roles[-1] = "system"
            current = None
            continue
        if current is not None:
            current["text"] = (current["text"] + "\n" + line).strip()
        elif pending_time is not None:
            start(None, pending_time, line)
    kept = [(m, r) for m, r in zip(messages, roles) if m["text"]]
    return settle([m for m, _ in kept], [r for _, r in kept])
