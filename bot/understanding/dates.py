"""Resolve the dates people write for a deadline ("明年3月底前", "下个月", "2027年6月").

Everything is relative to a ``today`` the caller gives in Asia/Shanghai (``today_in``); the
resolved date is shown back for confirmation. A month without a day means its last day, a
year without a month its last day (a deadline "by then").
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.understanding.text import clean_characters, squeeze_spaces

SHANGHAI = ZoneInfo("Asia/Shanghai")
_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6}
_DIGITS |= {"七": 7, "八": 8, "九": 9}
# Words that only say "by": removed before reading.
_BY_WORDS = re.compile(
    r"(?:之前|以前|前|为止|截止|截至|左右|内|以内|之内|大概|大约|争取|最好|希望|在)"
)
_YEAR_WORDS = {"今年": 0, "本年": 0, "明年": 1, "来年": 1, "后年": 2}
_PART_OF_MONTH = {"初": 10, "上旬": 10, "中": 20, "中旬": 20, "下旬": -1, "底": -1, "末": -1}


@dataclass(frozen=True)
class ResolvedDate:
    """A date read from text; ``exact`` False when a month or year stood for its last day."""

    value: date
    exact: bool


def today_in(now: datetime, zone: ZoneInfo = SHANGHAI) -> date:
    """Return the calendar date of the aware datetime ``now`` in ``zone`` (Asia/Shanghai)."""
    return now.astimezone(zone).date()


def _chinese_number(text: str) -> int | None:
    """Read 三, 十二, 二十五, 二〇二七 (digit by digit) as an integer."""
    if not text:
        return None
    if "十" in text:
        tens, _, ones = text.partition("十")
        tens_value = _DIGITS.get(tens, 1) if tens else 1
        ones_value = _DIGITS.get(ones, 0) if ones else 0
        if (tens and tens not in _DIGITS) or (ones and ones not in _DIGITS):
            return None
        return tens_value * 10 + ones_value
    if all(char in _DIGITS for char in text):
        return int("".join(str(_DIGITS[char]) for char in text))
    return None


def _arabic(text: str) -> str:
    """Replace Chinese numerals before 年/月/日/号/个/周/天 with digits."""
    return re.sub(
        r"([〇零一二两三四五六七八九十]+)(?=年|月|日|号|个|周|天|星期)",
        lambda m: str(_chinese_number(m.group(1)) or m.group(1)),
        text,
    )


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _in_month(year: int, month: int, part: str) -> ResolvedDate | None:
    if not 1 <= month <= 12 or not 1900 <= year <= 2200:
        return None
    day = _PART_OF_MONTH.get(part, -1)
    if day == -1:
        return ResolvedDate(_month_end(year, month), exact=False)
    return ResolvedDate(date(year, month, day), exact=False)


def resolve_date(text: str, today: date) -> ResolvedDate | None:
    """Return the date ``text`` means relative to ``today``, or None when it names no date.

    Understood: 2027-03-31, 2027/3/31, 2027.3.31, 2027年3月31日, 2027年6月, 27年6月, 3月31号,
    3月底/初/中, 明年3月底, 今年年底, 年底, 明年, 下个月(底), 月底, 下周, 三个月内, 半年内, 年中,
    明年上半年 — each optionally followed by 前/之前/以内. A month or day without a year is the
    next one to come.
    """
    plain = _arabic(squeeze_spaces(clean_characters(text).strip().lower()))
    plain = _BY_WORDS.sub("", plain).strip("。.!！ ")
    if not plain:
        return None
    for reader in _READERS:
        result = reader(plain, today)
        if result is not None:
            return result
    return None


def _read_iso(plain: str, today: date) -> ResolvedDate | None:
    match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})[日号]?", plain)
    if not match:
        return None
    try:
        return ResolvedDate(date(*(int(part) for part in match.groups())), exact=True)
    except ValueError:
        return None


def _year_of(token: str, today: date) -> int | None:
    if token in _YEAR_WORDS:
        return today.year + _YEAR_WORDS[token]
    digits = token.rstrip("年")
    if digits.isdigit() and len(digits) == 4:
        return int(digits)
    if digits.isdigit() and len(digits) == 2:
        return 2000 + int(digits)
    return None


_YEAR = r"(今年|本年|明年|来年|后年|\d{4}年|\d{2}年)?"
_PARTS = "初|上旬|中旬|中|下旬|底|末"


def _read_month(plain: str, today: date) -> ResolvedDate | None:
    match = re.fullmatch(_YEAR + r"(\d{1,2})(?:月份?|-|/)(\d{1,2}[日号]?|" + _PARTS + ")?", plain)
    if not match:
        return None
    year_token, month_text, rest = match.groups()
    month = int(month_text)
    year = _year_of(year_token, today) if year_token else today.year
    if year is None:
        return None
    result: ResolvedDate | None
    if rest and rest[0].isdigit():
        try:
            result = ResolvedDate(date(year, month, int(rest.rstrip("日号"))), exact=True)
        except ValueError:
            return None
    else:
        result = _in_month(year, month, rest or "底")
    if result is not None and not year_token and result.value < today:
        return _read_month(f"{today.year + 1}年{plain}", today)
    return result


def _read_day_only(plain: str, today: date) -> ResolvedDate | None:
    match = re.fullmatch(r"(\d{1,2})[日号]", plain)
    if not match:
        return None
    day_number = int(match.group(1))
    for months in range(3):
        month_start = _add_months(today.replace(day=1), months)
        if day_number <= calendar.monthrange(month_start.year, month_start.month)[1]:
            candidate = month_start.replace(day=day_number)
            if candidate >= today:
                return ResolvedDate(candidate, exact=True)
    return None


def _read_year(plain: str, today: date) -> ResolvedDate | None:
    match = re.fullmatch(_YEAR + "(年底|年末|底|末|上半年|年中|下半年|年)?", plain)
    if not match or not any(match.groups()):
        return None
    year_token, part = match.groups()
    year = _year_of(year_token, today) if year_token else today.year
    if year is None or not 1900 <= year <= 2200:
        return None
    if part in ("上半年", "年中"):
        return ResolvedDate(date(year, 6, 30), exact=False)
    return ResolvedDate(date(year, 12, 31), exact=False)


def _read_relative_month(plain: str, today: date) -> ResolvedDate | None:
    match = re.fullmatch(r"(这个月|本月|当月|下下个?月|下个?月|月)?(底|末|初|中)?", plain)
    if not match or not any(match.groups()):
        return None
    which, part = match.groups()
    shift = {None: 0, "这个月": 0, "本月": 0, "当月": 0, "月": 0}.get(which)
    if shift is None:
        shift = 2 if which and which.startswith("下下") else 1
    start = _add_months(today.replace(day=1), shift)
    return _in_month(start.year, start.month, part or "底")


def _read_span(plain: str, today: date) -> ResolvedDate | None:
    match = re.fullmatch(r"(\d{1,3}|半)(个月|个星期|星期|周|天|年)", plain)
    if not match:
        return None
    amount_text, unit = match.groups()
    if amount_text == "半":
        if unit != "年":
            return None
        return ResolvedDate(_add_months(today, 6), exact=False)
    amount = int(amount_text)
    if unit == "个月":
        return ResolvedDate(_add_months(today, amount), exact=False)
    if unit == "年":
        return ResolvedDate(_add_months(today, 12 * amount), exact=False)
    days = amount * 7 if unit in ("个星期", "星期", "周") else amount
    return ResolvedDate(today + timedelta(days=days), exact=False)


def _read_week(plain: str, today: date) -> ResolvedDate | None:
    if plain in ("下周", "下星期", "下个星期", "下礼拜", "下个礼拜"):
        return ResolvedDate(today + timedelta(days=13 - today.weekday()), exact=False)
    if plain in ("这周", "本周", "这个星期", "这礼拜"):
        return ResolvedDate(today + timedelta(days=6 - today.weekday()), exact=False)
    return None


_READERS = (
    _read_iso,
    _read_month,
    _read_day_only,
    _read_year,
    _read_relative_month,
    _read_span,
    _read_week,
)
