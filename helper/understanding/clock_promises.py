"""Clock-time promises ("今天21点前给你处理", "今晚9点前", "明天中午前", "21:00前", "周五前", "30号前") found in
text and placed on the calendar against the moment they count from (deadlines.anchor).

A clock-time promise is resolved against its anchor by DOMAIN.md's rules (our choices in brackets):
- 今天/今日 = the anchor's day, 明天/明日 = +1, 后天 = +2; 今晚/明晚 mean 晚上, 今早/明早 早上;
- 周X / 星期X / 礼拜X (日/天 = Sunday) = [the next such day on or after the anchor's day: a promise looks
  forward]; 下周X = that day of the next Monday-based week; 这周X / 本周X = that day of this week;
- 凌晨/早上/上午/中午/下午/晚上 before an hour apply as in times.py (晚上12点 and 24点 = midnight at the end of
  the day); [an hour with no such word and no zero ("9点", "9:30") is the next 9 or 21 o'clock after the anchor
  on that day; on a later day hours 1-6 are afternoon (明天3点 = 15:00), 7-12 as written; "09:00" is 09:00];
- a period alone: 中午前 / 上午前 = 12:00, 下午前 = 18:00, 晚上前 / 今晚前 = end of the day;
- dates: "11月30日前" = the next 30 November on or after the anchor's day; "30号前" = this month's 30th, else next
  month's (a shorter month's last day); "月底前" = this month's last day;
- [a day with no time (周五前, 明天之内, 今天内, 30号前) = the end of that day, 23:59:59];
- [with no day word, a time already past when said is the next day's ("21:00前" said at 22:00 = tomorrow 21:00)];
- [with a day word, a time already past when said ("今天21点前" said at 22:00) was due when it was said: the
  deadline is the moment it was said, within 0 seconds].
Payment windows and conditions are not promises: "请在今天21点前付款", "下午3点前下单当天发货".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from helper.core.clock import CHINA

from .times import parse_timestamp

_CN = "零一二两三四五六七八九十"
_DAY = r"(?P<day>大后天|后天|今天|今日|今儿|今晚|今早|今夜|明天|明日|明儿|明晚|明早)"
_DATE = r"(?:(?P<mon>\d{1,2})\s*月\s*(?P<mday>\d{1,2})\s*[日号]|(?<![\d月])(?P<dom>\d{1,2})\s*号|(?P<eom>月底|月末))"
_WEEK = rf"(?P<wk>下个?|这个?|本)?(?:星期|周|礼拜)(?P<wd>[一二三四五六日天1-7])"
_PERIOD = r"(?P<period>凌晨|早上|早晨|上午|中午|下午|傍晚|晚上|夜里)"
_CLOCK = (
    r"(?:(?P<h>\d{1,2})[:：](?P<mi>\d{2})"
    rf"|(?P<h2>\d{{1,2}}|[{_CN}]{{1,3}})\s*(?:点钟?|时)\s*(?:(?P<half>半)|(?P<mi2>\d{{1,2}}|[{_CN}]{{1,3}})\s*分?)?)"
)
_END = r"(?P<end>之前|以前|前|为止|之内|以内|内)(?![台面端后往夕几天])"
_LEAD = r"(?P<lead>最晚|最迟|不晚于|不迟于)"
_ACT = r"(?=\s*(?:给你|给您|帮你|帮您|发货|发给|发你|发您|处理|到账|安排|搞定|弄好|上号|补发|发出))"
_CLOCK_PROMISE = re.compile(
    rf"(?:{_LEAD}\s*)?(?:{_DAY}|{_WEEK}|{_DATE})?\s*(?:{_PERIOD})?\s*(?:{_CLOCK})?\s*(?:{_END}|{_ACT}|(?(lead)|(?!)))"
)
_CONDITION_AFTER = re.compile(r"^.{0,4}?(?:付款|支付|下单|拍下|购买|付清|转账|确认|申请|联系|提交|回复)")
_REQUEST_BEFORE = re.compile(r"(?:请|需|须|要|务必)\s*(?:在|于)?\s*$")

_DAY_OFFSETS = {"今天": 0, "今日": 0, "今儿": 0, "今晚": 0, "今早": 0, "今夜": 0,
                "明天": 1, "明日": 1, "明儿": 1, "明晚": 1, "明早": 1, "后天": 2, "大后天": 3}
_DAY_PERIOD = {"今晚": "晚上", "今夜": "晚上", "明晚": "晚上", "今早": "早上", "明早": "早上"}
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6,
             "1": 0, "2": 1, "3": 2, "4": 3, "5": 4, "6": 5, "7": 6}
_PERIOD_ALONE = {"中午": time(12), "上午": time(12), "早上": time(12), "早晨": time(12), "下午": time(18)}
_END_OF_DAY = time(23, 59, 59)


@dataclass(frozen=True)
class ClockSpec:
    """A promised time as written, not yet placed on a calendar."""

    day_offset: int | None = None  # 今天 0, 明天 1, 后天 2
    weekday: int | None = None  # Monday 0
    week: str = ""  # "" (next such day), "this", "next"
    month: int | None = None  # "11月30日": 11; "30号": 0 (this month or the next); "月底": 0 with mday 0
    mday: int | None = None
    period: str | None = None  # 上午, 下午, 晚上 …
    hour: int | None = None
    minute: int = 0
    padded: bool = False  # "09:00": a 24-hour time as written

    @property
    def has_day(self) -> bool:
        return self.day_offset is not None or self.weekday is not None or self.mday is not None


def _cn_number(s: str) -> int | None:
    if s.isdigit():
        return int(s)
    if s == "十":
        return 10
    digits = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"两": 2}
    if "十" in s:
        tens, _, ones = s.partition("十")
        t = digits.get(tens, None) if tens else 1
        o = digits.get(ones, None) if ones else 0
        return None if t is None or o is None else t * 10 + o
    return digits.get(s) if len(s) == 1 else None


def _spec(m: re.Match) -> ClockSpec | None:
    g = m.groupdict()
    hour_text = g["h"] or g["h2"]
    hour = _cn_number(hour_text) if hour_text else None
    minute = 30 if g["half"] else _cn_number(g["mi"] or g["mi2"] or "0")
    if hour_text and (hour is None or minute is None or hour > 24 or minute > 59 or (hour == 24 and minute)):
        return None
    day = g["day"]
    period = g["period"] or _DAY_PERIOD.get(day or "")
    month, mday = _date_parts(g)
    if month is not None and mday is None:
        return None  # "2月30号" names no day
    spec = ClockSpec(
        month=month, mday=mday,
        day_offset=_DAY_OFFSETS[day] if day else None,
        weekday=_WEEKDAYS[g["wd"]] if g["wd"] else None,
        week={"下": "next", "下个": "next", "这": "this", "这个": "this", "本": "this"}.get(g["wk"] or "", ""),
        period=period, hour=hour, minute=minute or 0,
        padded=bool(g["h"] and len(g["h"]) == 2 and g["h"].startswith("0")),
    )
    if spec.hour is None and not spec.has_day and period not in _PERIOD_ALONE and period != "晚上":
        return None  # a lone "前" / "内"
    if g["end"] in ("之内", "以内", "内") and (spec.hour is not None or not spec.has_day or g["dom"] or g["mday"]):
        return None  # "21点内" is not said; "30分钟内" is a duration (promises.py)
    if g["end"] is None and not (g["lead"] or spec.has_day):
        return None  # "9点给你发" is too loose without 今天/明天 or 最晚
    return spec


def _date_parts(g: dict) -> tuple[int | None, int | None]:
    """(month, day) of a date word: "11月30日" (11, 30), "30号" (0, 30), "月底" (0, 0); (None, None) for none."""
    if g["eom"]:
        return 0, 0
    if g["dom"]:
        day = int(g["dom"])
        return (0, day) if 1 <= day <= 31 else (0, None)
    if g["mon"]:
        month, day = int(g["mon"]), int(g["mday"])
        try:
            date(2024, month, day)  # a leap year: 2月29日 is a day
        except ValueError:
            return month, None
        return month, day
    return None, None


def find_clock_promises(text: str) -> list[tuple[int, int, ClockSpec]]:
    """(start, end, spec) of each clock-time promise in `text`; payment windows and conditions are skipped."""
    out = []
    for m in _CLOCK_PROMISE.finditer(text or ""):
        if m.end() == m.start() or not m.group(0).strip():
            continue
        spec = _spec(m)
        if spec is None:
            continue
        if _CONDITION_AFTER.match(text[m.end(): m.end() + 8]) or _REQUEST_BEFORE.search(text[max(0, m.start() - 6): m.start()]):
            continue
        out.append((m.start(), m.end(), spec))
    return out


# --- placing a spec on the calendar ----------------------------------------------------------------------------


def _calendar_day(spec: ClockSpec, today: date) -> date:
    """"11月30日": the next such date on or after today; "30号": this month's, else next month's (the month's last
    day when it is shorter); "月底": this month's last day."""
    if spec.month:
        for year in range(today.year, today.year + 9):
            try:
                d = date(year, spec.month, spec.mday)
            except ValueError:  # 2月29日 outside a leap year
                continue
            if d >= today:
                return d
    first = today.replace(day=1)
    for months in (0, 1):
        start = (first + timedelta(days=32 * months)).replace(day=1)
        last = ((start + timedelta(days=32)).replace(day=1) - timedelta(days=1)).day
        d = start.replace(day=min(spec.mday or last, last))
        if d >= today:
            return d
    return today


def _day(spec: ClockSpec, today: date) -> date:
    if spec.mday is not None:
        return _calendar_day(spec, today)
    if spec.day_offset is not None:
        return today + timedelta(days=spec.day_offset)
    if spec.weekday is None:
        return today
    monday = today - timedelta(days=today.weekday())
    if spec.week == "this":
        return monday + timedelta(days=spec.weekday)
    if spec.week == "next":
        return monday + timedelta(days=7 + spec.weekday)
    return today + timedelta(days=(spec.weekday - today.weekday()) % 7)


def _at(d: date, hour: int, minute: int, period: str | None, said: datetime) -> datetime:
    """`period` + hour:minute on day `d`, by the one timestamp normaliser (times.py)."""
    if hour == 24:
        return datetime.combine(d + timedelta(days=1), time(0, minute), tzinfo=CHINA)
    dt = parse_timestamp(f"{period or ''}{hour}:{minute:02d}", said, day=d)
    assert dt is not None  # hour 0-23 and minute 0-59 always parse
    return dt


def _candidates(spec: ClockSpec, d: date, said: datetime) -> list[datetime]:
    """The readings of the spec's time on day `d`, most likely first."""
    if spec.hour is None:
        if spec.period in _PERIOD_ALONE:
            return [datetime.combine(d, _PERIOD_ALONE[spec.period], tzinfo=CHINA)]
        return [datetime.combine(d, _END_OF_DAY, tzinfo=CHINA)]
    h, mi = spec.hour, spec.minute
    if spec.period or spec.padded or h == 0 or h > 12:
        return [_at(d, h, mi, spec.period, said)]
    if d > said.astimezone(CHINA).date():
        return [_at(d, h + 12 if h <= 6 else h, mi, None, said)]
    morning, evening = _at(d, h, mi, None, said), _at(d, h + 12, mi, None, said)
    return [t for t in (morning, evening) if t >= said] or [evening]


def resolve(spec: ClockSpec, said: datetime) -> datetime:
    """The promised time of `spec` said at `said` (see the module doc for the rules)."""
    if said.tzinfo is None:
        raise ValueError("said must be an aware datetime")
    said = said.astimezone(CHINA)
    d = _day(spec, said.date())
    due = _candidates(spec, d, said)[0]
    if due < said and not spec.has_day:
        due = _candidates(spec, d + timedelta(days=1), said)[0]
    return max(due, said)
