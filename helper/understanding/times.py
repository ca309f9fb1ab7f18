"""The one timestamp normaliser of the project (pages, chats and OCR text alike).

Every form in DOMAIN.md "Timestamp formats" is read relative to a reference time `now` (the capture time):

- a full date is taken as written (`2026-11-20 14:32:05`, `2026-5-1 9:05:03`, `2026/11/20 14:32`,
  `2026年11月20日 下午2:32`, ISO `2026-11-20T14:32:05.120+08:00` keeps its own offset);
- month/day without a year (`11月20日 14:32`, `11-20 14:32`, `11/20 14:32`) takes the most recent such date
  not after today (so in January `12-31` is last year);
- 今天 = today, 昨天 = today - 1, 前天 = today - 2;
- 星期X / 周X / 礼拜X (日/天 = Sunday) = the most recent such weekday strictly before today;
- 12-hour prefixes: 凌晨 / 早上 / 早晨 / 上午 keep the hour; 下午 / 傍晚 / 晚上 add 12 to hours 1-11;
  中午 keeps 11 and 12 and adds 12 to 1-10. Edge cases (our choice): 凌晨12:xx and 半夜12:xx are 00:xx of
  the same day (WeChat's "凌晨" covers 0-6); 晚上12:xx is 00:xx of the NEXT day (midnight at the end of the
  evening); 下午12:xx and 中午12:xx stay 12:xx; 上午12:xx / 早上12:xx keep 12 as written. An hour already
  above 12 (`下午14:32`) is taken as written;
- a bare time (`14:32`, `下午2:32`) takes `day` (the date of the nearest separator above it) else today;
- the zone is Asia/Shanghai (fixed +08:00, `helper.clock.CHINA`) unless the text gives an offset.

OCR text often drops or doubles the space between date and time. `2026-11-2014:32:05` is read as
2026-11-20 14:32:05: a run of digits between the date and the colon is split with the day taking two digits
when the time still has an hour digit (so `2026-11-214:32` is the 21st at 04:32, not the 2nd at 14:32, and the
QQ form `2026-5-19:05:03` is the 1st at 09:05:03). A match with an impossible date or time is dropped whole. Full-width colons (`14：32`) are accepted.

Nothing here reads the clock: `now` is always an argument.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo

from helper.core.clock import CHINA

__all__ = ["TimeMatch", "find_timestamps", "parse_timestamp", "find_date_separator"]


@dataclass(frozen=True)
class TimeMatch:
    start: int
    end: int
    text: str
    dt: datetime
    has_date: bool


# --- pattern pieces --------------------------------------------------------------------------------------

_COLON = r"[:：]"
_PREFIX = r"(?P<ampm>凌晨|半夜|早上|早晨|清晨|上午|中午|下午|傍晚|晚上|夜里|夜间)"
# hh:mm[:ss[.fff]]  or  h点m分 / h点半 / (with a prefix) h点
_CLOCK = (
    rf"(?:(?P<h>\d{{1,2}}){_COLON}(?P<mi>\d{{2}})(?:{_COLON}(?P<s>\d{{2}})(?:[.,](?P<frac>\d{{1,6}}))?)?"
    r"|(?P<h2>\d{1,2})\s?[点时]\s?(?:(?P<mi2>\d{1,2})\s?分(?:\s?(?P<s2>\d{1,2})\s?秒)?|(?P<half>半))?)"
)
_TIME = rf"(?:{_PREFIX}\s*)?{_CLOCK}(?![\d:：])"
# After a plain date-time only "+hh:mm", "Z" or "UTC+8" count as a zone: "14:32-15:00" is a range.
_ZONE = r"(?P<zone>Z(?![A-Za-z])|\+\d{2}:?\d{2}(?!\d)|(?:UTC|GMT)\s?[+-]\d{1,2}(?::?\d{2})?)"

_YEAR = r"(?P<y>(?:19|20)\d{2})"
_FULL_DATE = (
    rf"(?<![\d.])(?:{_YEAR}\s*(?P<sep>[-/.])\s*(?P<m>\d{{1,2}})\s*(?P=sep)\s*(?P<d>\d{{1,2}})"
    rf"|{_YEAR.replace('y>', 'yc>')}\s*年\s*(?P<mc>\d{{1,2}})\s*月\s*(?P<dc>\d{{1,2}})\s*[日号]?)"
)
_MONTH_DAY = (
    r"(?<![\d\-/.:：年])(?:(?P<mm>\d{1,2})\s*月\s*(?P<md>\d{1,2})\s*[日号]"
    r"|(?P<mn>\d{1,2})[-/](?P<dn>\d{1,2})(?=\s*(?:凌晨|半夜|早上|早晨|清晨|上午|中午|下午|傍晚|晚上|夜里|夜间)?\s*\d))"
)
_RELATIVE = r"(?P<rel>今天|今日|昨天|昨日|前天)"
_WEEKDAY = r"(?:星期|周|礼拜)(?P<wd>[一二三四五六日天])"
_WEEKDAY_SUFFIX = rf"(?:\s*[（(]?\s*{_WEEKDAY.replace('wd>', 'wd2>')}\s*[）)]?)?"

# Regex alternatives in priority order; overlapping candidates are resolved by earliest start, then longest.
_ISO_RE = re.compile(
    r"(?<![\d.])(?P<y>(?:19|20)\d{2})-(?P<m>\d{2})-(?P<d>\d{2})T(?P<h>\d{2}):(?P<mi>\d{2})"
    r"(?::(?P<s>\d{2})(?:[.,](?P<frac>\d{1,6}))?)?(?P<zone>Z|[+-]\d{2}:?\d{2}(?!\d))"
)
_FULL_RE = re.compile(rf"{_FULL_DATE}{_WEEKDAY_SUFFIX}\s*(?:T\s*)?{_TIME}(?:\s?{_ZONE})?")
_MONTH_DAY_RE = re.compile(rf"{_MONTH_DAY}{_WEEKDAY_SUFFIX}\s*{_TIME}")
_RELATIVE_RE = re.compile(rf"{_RELATIVE}\s*{_TIME}")
_WEEKDAY_RE = re.compile(rf"{_WEEKDAY}\s*{_TIME}")
_BARE_RE = re.compile(rf"(?<![\d:：./])(?:{_PREFIX}\s*)?{_CLOCK}(?![\d:：])")
_PATTERNS = (_ISO_RE, _FULL_RE, _MONTH_DAY_RE, _RELATIVE_RE, _WEEKDAY_RE, _BARE_RE)

_DATE_ONLY_RE = re.compile(
    rf"(?:{_FULL_DATE}|{_MONTH_DAY.replace('(?=', '(?!')}|{_RELATIVE}|{_WEEKDAY}){_WEEKDAY_SUFFIX}"
)
# A separator line: only a date, possibly framed by dashes, brackets or spaces.
_FRAME = r"[\s\-—–=~·•*|\[\]【】()（）<>《》]*"
_SEPARATOR_RE = re.compile(rf"^{_FRAME}(?P<body>.+?){_FRAME}$", re.S)

_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_RELATIVE_DAYS = {"今天": 0, "今日": 0, "昨天": 1, "昨日": 1, "前天": 2}


# --- helpers ---------------------------------------------------------------------------------------------


def _today(now: datetime, tz: tzinfo) -> date:
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    return now.astimezone(tz).date()


def _month_day(month: int, dayn: int, today: date) -> date | None:
    """Most recent `month`/`dayn` not after today (Feb 29 rolls back to the last leap year)."""
    if not (1 <= month <= 12 and 1 <= dayn <= 31):
        return None
    for back in range(0, 9):
        try:
            d = date(today.year - back, month, dayn)
        except ValueError:
            continue
        if d <= today:
            return d
    return None


def _weekday(name: str, today: date) -> date:
    want = _WEEKDAYS[name]
    delta = (today.weekday() - want) % 7 or 7
    return today - timedelta(days=delta)


def _zone(text: str | None, default: tzinfo) -> tzinfo | None:
    if not text:
        return default
    if text == "Z":
        return timezone.utc
    m = re.fullmatch(r"(?:UTC|GMT)?\s?([+-])(\d{1,2}):?(\d{2})?", text)
    if not m:
        return None
    hours, minutes = int(m.group(2)), int(m.group(3) or 0)
    if hours > 14 or minutes > 59:
        return None
    off = timedelta(hours=hours, minutes=minutes)
    return timezone(-off if m.group(1) == "-" else off)


def _clock(g: dict) -> tuple[int, int, int, int, int] | None:
    """(hour, minute, second, microsecond, day_shift) from the named groups, 12-hour prefix applied."""
    if g.get("h") is not None:
        h, mi = int(g["h"]), int(g["mi"])
        s = int(g["s"]) if g.get("s") else 0
        frac = g.get("frac")
        us = int((frac + "000000")[:6]) if frac else 0
    elif g.get("h2") is not None:
        h = int(g["h2"])
        mi = 30 if g.get("half") else int(g["mi2"] or 0)
        s = int(g["s2"] or 0)
        us = 0
        if g.get("mi2") is None and not g.get("half") and not g.get("ampm"):
            return None  # a bare "5点" is too loose to be a timestamp
    else:
        return None
    shift = 0
    ampm = g.get("ampm")
    if ampm and h <= 12:
        if ampm in ("凌晨", "半夜"):
            if h == 12:
                h = 0
        elif ampm in ("下午", "傍晚"):
            if 1 <= h <= 11:
                h += 12
        elif ampm in ("晚上", "夜里", "夜间"):
            if 1 <= h <= 11:
                h += 12
            elif h == 12:
                h, shift = 0, 1
        elif ampm == "中午":
            if 1 <= h <= 10:
                h += 12
        # 早上 / 早晨 / 清晨 / 上午 keep the hour
    if s == 60:
        s = 59  # leap second as written by some systems
    if not (0 <= h <= 23 and 0 <= mi <= 59 and 0 <= s <= 59):
        return None
    return h, mi, s, us, shift


def _date_of(g: dict, today: date) -> date | None:
    """The calendar date named by the date groups of a match, or None if it names no valid date."""
    try:
        if g.get("y"):
            return date(int(g["y"]), int(g["m"]), int(g["d"]))
        if g.get("yc"):
            return date(int(g["yc"]), int(g["mc"]), int(g["dc"]))
    except ValueError:
        return None
    if g.get("mm"):
        return _month_day(int(g["mm"]), int(g["md"]), today)
    if g.get("mn"):
        return _month_day(int(g["mn"]), int(g["dn"]), today)
    if g.get("rel"):
        return today - timedelta(days=_RELATIVE_DAYS[g["rel"]])
    if g.get("wd"):
        return _weekday(g["wd"], today)
    return None


def _build(g: dict, now: datetime, day: date | None, tz: tzinfo) -> tuple[datetime, bool] | None:
    today = _today(now, tz)
    c = _clock(g)
    if c is None:
        return None
    h, mi, s, us, shift = c
    has_date = any(g.get(k) for k in ("y", "yc", "mm", "mn", "rel", "wd"))
    if has_date:
        d = _date_of(g, today)
        if d is None:
            return None
    else:
        d = day or today
    zone = _zone(g.get("zone"), tz)
    if zone is None:
        return None
    dt = datetime.combine(d, time(h, mi, s, us), tzinfo=zone) + timedelta(days=shift)
    return dt, has_date


# --- public API ------------------------------------------------------------------------------------------


def find_timestamps(
    text: str, now: datetime, *, day: date | None = None, tz: tzinfo = CHINA
) -> list[TimeMatch]:
    """Every timestamp (a time of day, with or without a date) in free text, in order of appearance.

    Date-only values (`2026-11-20`, `昨天`) are not timestamps; see find_date_separator.
    """
    if not text:
        return []
    # An invalid match (2026-02-30 10:00) still claims its span, so its time is not re-read as a bare time.
    candidates: list[tuple[int, int, datetime | None, bool]] = []
    for pattern in _PATTERNS:
        for m in pattern.finditer(text):
            built = _build(m.groupdict(), now, day, tz)
            dt, has_date = built if built is not None else (None, False)
            candidates.append((m.start(), m.end(), dt, has_date))
    candidates.sort(key=lambda c: (c[0], -(c[1] - c[0])))
    out: list[TimeMatch] = []
    last_end = -1
    for start, end, dt, has_date in candidates:
        if start < last_end:
            continue
        last_end = end
        if dt is not None:
            out.append(TimeMatch(start, end, text[start:end], dt, has_date))
    return out


def parse_timestamp(
    text: str, now: datetime, *, day: date | None = None, tz: tzinfo = CHINA
) -> datetime | None:
    """One value, e.g. a table cell: the first timestamp in it, else a lone date at 00:00, else None."""
    if not text:
        return None
    found = find_timestamps(text, now, day=day, tz=tz)
    if found:
        return found[0].dt
    d = find_date_separator(text, now, tz=tz)
    if d is not None:
        return datetime.combine(d, time(0, 0), tzinfo=tz)
    return None


def find_date_separator(text: str, now: datetime, *, tz: tzinfo = CHINA) -> date | None:
    """The date of a thread separator line ("2026-11-20", "11月23日", "今天", "星期三", "— 昨天 —"), else None.

    The line must hold nothing but the date (framing dashes/brackets and a weekday suffix are allowed).
    """
    if not text or len(text) > 60:
        return None
    m = _SEPARATOR_RE.match(text)
    if not m:
        return None
    body = m.group("body").strip()
    dm = _DATE_ONLY_RE.fullmatch(body)
    if not dm:
        return None
    g = dm.groupdict()
    return _date_of(g, _today(now, tz))
