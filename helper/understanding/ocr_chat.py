"""Chat messages from a screenshot's OCR lines (QQ / WeChat on a phone or a PC): who said what, when.

Lines are duck-typed (anything with `.text` and `.box` = (x, y, w, h) in image pixels), so this module needs
nothing from the OCR package. The reading, in named steps:

1. the chat pane: centred time separators ("星期一 21:10", "昨天 09:05", "14:00") are centred on the message
   pane, so when they sit right of the image's centre a contact list takes the left of the window and the pane
   runs from there to the right edge; without separators the pane is the whole width;
2. chrome: specks (avatars read as a letter or two with low confidence), the phone's status bar, the window's title (the other party's name: the topmost line, above every
   message, not aligned with the bubbles) and the input area's buttons ("发送(S)", "按住 说话") are not messages;
3. rows: separators (a line holding only a time or date, centred in the pane) and system notices (centred:
   "撤回了一条消息", "以下为新消息" …) are told from bubble text, which hugs one side: left = the other party
   (the merchant), right = me (the buyer), as QQ and WeChat draw them. A line as wide as the pane is placed by
   the column it is aligned with (the left bubbles' text start, the right bubbles' text end);
4. bubbles: lines of one side that follow each other closely and share their text edge are one message;
5. names: a short line just above a bubble of its side, not aligned with the bubble's text (it is aligned with
   the bubble's edge, the text is inset by the bubble's padding) or repeated above several bubbles, is the
   sender's name (QQ shows names, with a time in some versions: "店长 14:00:05"); else the window title names
   the other party;
6. times: a message takes its header's time, else the last separator's time above it (DOMAIN.md's rules via
   times.py: "星期一 21:10" is the most recent Monday before `now`, "昨天 09:05" yesterday). A bare time takes
   the date of a date-only separator above it ("2026-11-20", "11月23日"), else today: QQ and WeChat write a
   bare time only for today's messages, so "昨天 09:05" above "14:00" does not make it yesterday's. A name's
   bare time ("店长 10:16:40") takes the date of the last separator above it.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field
from datetime import date, datetime

from helper.core.clock import iso

from .chat import SYSTEM_TEXT
from .times import find_date_separator, find_timestamps

CHROME = re.compile(r"^(?:发送|发送\s*\(S\)|关闭|关闭\s*\(C\)|按住\s*说话|按\s*Enter\s*键?\s*发送.*|消息记录|聊天记录|"
                    r"搜索|[〈<＜‹«]|[·.…•]{2,}|\d{1,3}\s*%|5G.*|4G.*|WiFi)$", re.I)
NOTICE = re.compile(rf"{SYSTEM_TEXT.pattern}|撤回|以下是新消息|以下为新消息|加入了群聊|邀请.*加入|拍了拍|"
                    r"你已添加了|现在可以开始聊天|打招呼|已成为好友|对方已开启|消息已发出，但被对方拒收|开启了朋友验证")


@dataclass
class _Line:
    text: str
    x: int
    y: int
    w: int
    h: int
    conf: float = 1.0

    @property
    def right(self) -> int:
        return self.x + self.w

    @property
    def bottom(self) -> int:
        return self.y + self.h

    @property
    def cx(self) -> float:
        return self.x + self.w / 2


@dataclass
class _Bubble:
    side: str  # "left" | "right"
    lines: list[_Line] = field(default_factory=list)
    name: str | None = None
    stamp: str | None = None  # the time written in its header ("店长 14:00:05")


@dataclass(frozen=True)
class ChatReading:
    messages: list[dict]
    title: str | None
    pane: tuple[int, int]  # x range of the message pane

    @property
    def looks_like_chat(self) -> bool:
        """Bubbles on both sides, or bubbles under a time separator: a conversation, not any screen of text."""
        sides = {m["sender"] for m in self.messages if m["sender"] != "system"}
        timed = any(m["time"] for m in self.messages)
        return len(self.messages) >= 2 and (sides == {"merchant", "buyer"} or timed)


def read_chat(lines, *, width: int, height: int, now: datetime) -> ChatReading:
    """The conversation in a screenshot's OCR lines. `now` is the reference for relative times (the capture or
    import time); see the module doc for the rules."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    rows = sorted((_Line(ln.text.strip(), *map(int, ln.box), getattr(ln, "conf", 1.0))
                   for ln in lines if ln.text and ln.text.strip()), key=lambda r: (r.y, r.x))
    rows = _without_status_bar(_without_specks(rows), width, height, now)
    pane = _pane(rows, width, now)
    rows = [r for r in rows if r.right > pane[0] and not CHROME.match(r.text)]
    h = statistics.median([r.h for r in rows]) if rows else 1
    top = min(0.1 * height, 0.25 * width)  # where a window's title can be (a stitched capture is very tall)
    anchors = _anchors(rows[1:] if rows and rows[0].y < top else rows, pane, h)  # not by a title
    title, rows = _title(rows, pane, anchors, top, now)
    return ChatReading(_messages(rows, pane, anchors, h, now, title), title, pane)


# --- 1. the pane, 2. chrome -------------------------------------------------------------------------------------


def _is_time_line(text: str, now: datetime) -> bool:
    """A line holding only a time or a date (a separator's text)."""
    if find_date_separator(text, now) is not None:
        return True
    found = find_timestamps(text, now)
    return len(found) == 1 and len(re.sub(r"\s", "", text)) <= len(re.sub(r"\s", "", found[0].text)) + 1


def _without_specks(rows: list[_Line]) -> list[_Line]:
    """Avatars and bubble corners read as text by a weaker engine (Tesseract): unsure, one or two characters, or
    unsure and smaller than the text around them."""
    if not rows:
        return rows
    h = statistics.median([r.h for r in rows if r.conf >= 0.5] or [r.h for r in rows])
    return [r for r in rows if not (r.conf < 0.2 or (len(r.text) <= 2 and r.conf < 0.5)
                                    or (r.h < 0.7 * h and (r.conf < 0.5 or len(r.text) <= 1)))]


def _without_status_bar(rows: list[_Line], width: int, height: int, now: datetime) -> list[_Line]:
    """A phone's status bar: its clock at the top, off the centre where separators sit (the battery and network
    text is chrome)."""
    if height < 1.5 * width:
        return rows  # not a phone screenshot
    return [r for r in rows if not (r.bottom < 0.11 * width and abs(r.cx - width / 2) > 0.1 * width
                                    and _is_time_line(r.text, now))]


def _pane(rows: list[_Line], width: int, now: datetime) -> tuple[int, int]:
    centres = sorted(r.cx for r in rows if r.w < 0.3 * width and r.cx >= 0.47 * width and _is_time_line(r.text, now))
    if not centres:
        return 0, width
    best = max(centres, key=lambda c: sum(abs(c - o) <= 0.02 * width for o in centres))
    centre = statistics.median([c for c in centres if abs(c - best) <= 0.02 * width])
    left = max(0, round(2 * centre - width))
    return (left if left > 0.08 * width else 0), width


def _side_by_gaps(r: _Line, pane: tuple[int, int]) -> str | None:
    gl, gr = r.x - pane[0], pane[1] - r.right
    if abs(gl - gr) <= 0.15 * (pane[1] - pane[0]):
        return None
    return "left" if gl < gr else "right"


def _anchors(rows: list[_Line], pane: tuple[int, int], h: float) -> tuple[float | None, float | None]:
    """(where left bubbles' text starts, where right bubbles' text ends), from the lines whose side is plain."""
    lefts = [(r.x, len(r.text)) for r in rows if _side_by_gaps(r, pane) == "left"]
    rights = [(r.right, len(r.text)) for r in rows if _side_by_gaps(r, pane) == "right"]

    def mode(values: list[tuple[int, int]]) -> float | None:
        """The edge most text lines up on (weighed by characters: names above bubbles are short)."""
        if not values:
            return None
        best = max((v for v, _ in values), key=lambda v: sum(n for o, n in values if abs(v - o) <= 0.3 * h))
        return statistics.median([v for v, _ in values if abs(v - best) <= 0.3 * h])

    return mode(lefts), mode(rights)


def _aligned(r: _Line, anchors, h: float) -> str | None:
    left, right = anchors
    dl = abs(r.x - left) if left is not None else float("inf")
    dr = abs(r.right - right) if right is not None else float("inf")
    if min(dl, dr) > 0.45 * h:
        return None
    return "left" if dl <= dr else "right"


def _title(rows, pane, anchors, top_band: float, now) -> tuple[str | None, list[_Line]]:
    """The window's title: the top line, in the top band, alone on its row, not a time, and either centred in
    the pane (a phone) or not aligned with the bubbles' text (a PC window's title starts left of it)."""
    if not rows:
        return None, rows
    top, h = rows[0], statistics.median([r.h for r in rows])
    alone = all(r.y >= top.bottom - 0.2 * h for r in rows[1:])
    centred = abs(top.cx - (pane[0] + pane[1]) / 2) <= 0.05 * (pane[1] - pane[0])
    if top.y > top_band or not alone or _is_time_line(top.text, now) or not (centred or not _aligned(top, anchors, h)):
        return None, rows
    return top.text, rows[1:]


# --- 3. rows, 4. bubbles, 5. names, 6. times --------------------------------------------------------------------


def _kind(r: _Line, pane, anchors, h: float, now: datetime) -> str:
    """"separator", "notice", "left" or "right"."""
    pw = pane[1] - pane[0]
    centred = abs(r.cx - (pane[0] + pane[1]) / 2) <= 0.04 * pw and r.w < 0.7 * pw
    if centred and _is_time_line(r.text, now):
        return "separator"
    if centred and (NOTICE.search(r.text) or not _aligned(r, anchors, h)):
        return "notice"
    return _side_by_gaps(r, pane) or _aligned(r, anchors, h) or ("left" if r.cx < (pane[0] + pane[1]) / 2 else "right")


def _edge(r: _Line, side: str) -> int:
    return r.x if side == "left" else r.right


def _bubbles(items: list[tuple[str, _Line]], h: float) -> list[tuple[str, object]]:
    """Lines that follow a bubble's line closely and start where it starts belong to that bubble, whatever their
    own position says (the short last line of a wrapped right bubble sits left)."""
    out: list[tuple[str, object]] = []
    for kind, r in items:
        last = out[-1][1] if out else None
        prev = last.lines[-1] if isinstance(last, _Bubble) else last
        close = prev is not None and kind != "separator" and r.y - prev.bottom < 0.6 * h and abs(r.x - prev.x) <= 0.3 * h
        if close and isinstance(last, _Bubble):
            last.lines.append(r)
            continue
        if close and out[-1][0] == "notice" and kind in ("left", "right"):
            out[-1] = (kind, _Bubble(kind, [prev, r]))  # a wide first line taken for a notice, and its next line
            continue
        out.append((kind, _Bubble(kind, [r]) if kind in ("left", "right") else r))
    return out


def _names(seq: list[tuple[str, object]], h: float, now: datetime) -> list[tuple[str, object]]:
    """A one-line bubble just above the next bubble of its side is that bubble's name (and time) when it ends
    with a time ("店长 14:00:05") or stands outside the bubble's text edge (names align with the bubble's edge,
    the text is inset by its padding)."""
    out: list[tuple[str, object]] = []
    for kind, item in seq:
        prev = out[-1][1] if out else None
        if (isinstance(item, _Bubble) and isinstance(prev, _Bubble) and prev.side == item.side
                and len(prev.lines) == 1 and prev.name is None and len(prev.lines[0].text) <= 16):
            head, first = prev.lines[0], item.lines[0]
            found = find_timestamps(head.text, now)
            timed = bool(found) and found[-1].end == len(head.text)
            outside = (head.x < first.x - 0.3 * h) if item.side == "left" else (head.right > first.right + 0.3 * h)
            if first.y - head.bottom < 1.2 * h and (timed or outside):
                item.name = (head.text[: found[-1].start].strip() if timed else head.text) or None
                item.stamp = found[-1].text if timed else None
                out[-1] = (kind, item)
                continue
        out.append((kind, item))
    return out


def _join(lines: list[_Line]) -> str:
    text = ""
    for r in lines:
        if text and re.search(r"[A-Za-z]$", text) and re.match(r"[A-Za-z]", r.text):
            text += " "
        text += r.text
    return text


def _messages(rows, pane, anchors, h, now, title) -> list[dict]:
    items = [(_kind(r, pane, anchors, h, now), r) for r in rows]
    seq = _names(_bubbles(items, h), h, now)
    messages: list[dict] = []
    day: date | None = None  # from a date-only separator: dates the bare times below it
    seen: date | None = None  # the date of the last separator of any kind: dates the names' bare times
    stamp: datetime | None = None
    for kind, item in seq:
        if kind == "separator":
            d = find_date_separator(item.text, now)
            if d is not None:
                day = seen = d
                stamp = None
            else:
                stamp = find_timestamps(item.text, now, day=day)[0].dt
                seen = stamp.date()
        elif kind == "notice":
            messages.append({"sender": "system", "name": None, "time": iso(stamp) if stamp else None, "text": item.text})
        else:
            own = find_timestamps(item.stamp, now, day=seen) if item.stamp else []
            when = own[0].dt if own else stamp
            name = item.name or (title if item.side == "left" else None)
            messages.append({"sender": "merchant" if item.side == "left" else "buyer", "name": name,
                             "time": iso(when) if when else None, "text": _join(item.lines)})
    return messages
