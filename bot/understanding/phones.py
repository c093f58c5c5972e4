"""Read a phone number however it is typed: full-width, spaced, dashed, prefixed, +86."""

from __future__ import annotations

import re

from bot.understanding.text import clean_characters

# A mainland mobile number: 11 digits starting 13-19, optionally after the country code.
_MAINLAND_MOBILE = re.compile(r"^(?:0{0,2}86)?(1[3-9]\d{9})$")
# Another country's number in international form: + then 8 to 15 digits (ITU-T E.164).
_INTERNATIONAL = re.compile(r"^\+([1-9]\d{7,14})$")
# Words people put before a number; removed before reading the digits.
_PREFIXES = re.compile(
    r"(?:我的|新的?|联系)?(?:手机号码|手机号|手机|电话号码|电话号|电话|联系电话|联系方式|号码|tel|phone|mobile)"
    r"(?:是|为|换成|改成|改为|换了|变成)?[:：]?",
    re.IGNORECASE,
)
# Characters allowed between the digits of one number.
_SEPARATORS = re.compile(r"[\s\-–—_.·()（）/]")
# A run of digits possibly broken by separators, maybe led by +.
_NUMBER_RUN = re.compile(r"\+?\d[\d\s\-–—_.·()（）/]{6,24}\d")


def normalise_phone(text: str) -> str | None:
    """Return the phone number in ``text`` in stored form, or None when it is not one.

    Mainland mobiles come back as their 11 digits (13912345678) whatever the prefix (+86, 0086,
    手机：) or separators; another country's number written with + comes back E.164-like
    (+4915112345678). The whole text must be the number and its prefix words.
    """
    cleaned = _PREFIXES.sub("", clean_characters(text)).strip().rstrip("。.!！")
    compact = _SEPARATORS.sub("", cleaned)
    mainland = _MAINLAND_MOBILE.match(compact.lstrip("+"))
    if mainland:
        return mainland.group(1)
    international = _INTERNATIONAL.match(compact)
    if international:
        return "+" + international.group(1)
    return None


def find_phone(text: str) -> str | None:
    """Return the first phone number found anywhere in a sentence ("手机换了 139 1234 5678")."""
    cleaned = clean_characters(text)
    for run in _NUMBER_RUN.finditer(cleaned):
        number = normalise_phone(run.group(0))
        if number is not None:
            return number
    return None
