"""Normalise a work city to the gazetteer in ``data/places/cities.tsv``, suggesting typo fixes.

"深圳" / "深圳市" / "广东深圳" / "在深圳南山" → 深圳, certain; "深证" or "在深证" → 深圳, to be
confirmed (same pinyin but for one sound, one character off). Stored values are the short names
people use (深圳, 慕尼黑); ``CityMatch.name`` also gives the official name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from rapidfuzz.distance import Levenshtein

from bot.understanding.text import clean_characters, squeeze_spaces, strip_lead_ins

# Words around a city name in an answer ("我在深圳工作", "现在在杭州了").
_AROUND = re.compile(
    r"^(?:我(?:现在|目前)?(?:人)?|现在|目前|工作|人|常驻|base)*(?:在|于|到|去了?|搬到|调到|是|位于)?"
)
_AFTER = re.compile(r"(?:工作|上班|定居|发展|生活|这边|那边|了|呢|啊|吧|的)+$")
_SUFFIXES = ("特别行政区", "市", "地区", "盟")
# A typo may be this far from a city's pinyin (one letter: shen zheng → shen zhen).
MAX_PINYIN_DISTANCE = 1
# Longer answers are searched for city names but not for typos.
MAX_ANSWER_LENGTH = 20


@dataclass(frozen=True)
class City:
    """One row of the gazetteer."""

    code: str  # GB/T 2260 code, "" abroad
    name: str  # official name: 深圳市, 延边朝鲜族自治州, 慕尼黑
    short: str  # what people say and what is stored: 深圳, 延边, 慕尼黑
    province: str  # province, or country abroad
    kind: str  # municipality, prefecture, province_direct, county_city, sar, taiwan, foreign
    scan: bool  # whether the short name is recognised inside a sentence


@dataclass(frozen=True)
class CityMatch:
    """A city understood from an answer; ``certain`` False means "ask: 您是说深圳吗？"."""

    city: City
    certain: bool
    typed: str  # the words the match was made from

    @property
    def value(self) -> str:
        """The value to store: the short name (深圳)."""
        return self.city.short


@dataclass(frozen=True)
class Gazetteer:
    """Cities by every surface form, and the pinyin of each short name for typo look-ups."""

    by_form: dict[str, City]
    scannable: tuple[str, ...]  # forms recognised inside sentences, longest first


@cache
def load_cities() -> Gazetteer:
    """Read ``data/places/cities.tsv`` once."""
    by_form: dict[str, City] = {}
    scannable: set[str] = set()
    # Imported here: bench/ scripts that import bot have a bench/matching.py on their path.
    from matching.resources import data_path

    lines = data_path("places", "cities.tsv").read_text(encoding="utf-8").splitlines()
    rows = [line.split("\t") for line in lines if line and not line.startswith("#")]
    for code, name, short, province, kind, scan in rows[1:]:
        city = City(code, name, short, province, kind, scan == "yes")
        # A prefecture wins a short name it shares with a county-level city (恩施).
        for form in (name, short):
            known = by_form.get(form)
            if known is None or (known.kind == "county_city" and kind != "county_city"):
                by_form[form] = city
        scannable.add(name)
        if city.scan:
            scannable.add(short)
    return Gazetteer(by_form, tuple(sorted(scannable, key=len, reverse=True)))


@cache
def _short_name_pinyin() -> dict[str, str]:
    """Return each short name's toneless pinyin, syllables joined by spaces (深圳 → shen zhen)."""
    # pypinyin loads a large table: only typo look-ups pay for it, on first use.
    from pypinyin import Style, lazy_pinyin

    return {
        short: " ".join(lazy_pinyin(short, style=Style.NORMAL))
        for short, city in load_cities().by_form.items()
        if short == city.short
    }


def _strip_words(text: str) -> str:
    text = strip_lead_ins(squeeze_spaces(clean_characters(text).strip()))
    text = _AFTER.sub("", _AROUND.sub("", text))
    return text.strip(" ,，。")


def _exact(form: str, gazetteer: Gazetteer) -> City | None:
    city = gazetteer.by_form.get(form)
    if city is not None:
        return city
    for suffix in _SUFFIXES:
        if form.endswith(suffix) and form[: -len(suffix)] in gazetteer.by_form:
            return gazetteer.by_form[form[: -len(suffix)]]
    return None


def find_city(text: str) -> City | None:
    """Return the city named anywhere in a sentence (the most specific one), or None."""
    gazetteer = load_cities()
    plain = clean_characters(text)
    forms = frozenset(gazetteer.scannable)
    lengths = sorted({len(form) for form in forms}, reverse=True)
    last: City | None = None
    position = 0
    while position < len(plain):
        # The longest form starting here wins: 延边朝鲜族自治州 over 延边.
        length = next((n for n in lengths if plain[position : position + n] in forms), 0)
        if length:
            last = gazetteer.by_form[plain[position : position + length]]
            position += length
        else:
            position += 1
    # "广东深圳南山": the last city named is the most specific one.
    return last


def _masked(text: str, position: int) -> str:
    return text[:position] + "\0" + text[position + 1 :]


@cache
def _one_character_off() -> dict[str, tuple[str, ...]]:
    """Return short names by each form with one character masked (深圳 → "\0圳", "深\0")."""
    index: dict[str, list[str]] = {}
    for short, city in load_cities().by_form.items():
        if short == city.short and len(short) >= 2:
            for position in range(len(short)):
                index.setdefault(_masked(short, position), []).append(short)
    return {key: tuple(shorts) for key, shorts in index.items()}


def suggest_cities(typed: str, limit: int = 3) -> list[City]:
    """Return cities one character off ``typed`` whose pinyin is close, closest first."""
    gazetteer = load_cities()
    if not typed or len(typed) > 6:
        return []
    from pypinyin import Style, lazy_pinyin

    near = {
        short
        for position in range(len(typed))
        for short in _one_character_off().get(_masked(typed, position), ())
        if short != typed
    }
    if not near:
        return []
    typed_pinyin = " ".join(lazy_pinyin(typed, style=Style.NORMAL))
    pinyin_of = _short_name_pinyin()
    scored: list[tuple[int, int, str]] = []
    for short in near:
        distance = Levenshtein.distance(pinyin_of[short], typed_pinyin)
        if distance <= MAX_PINYIN_DISTANCE:
            priority = 0 if gazetteer.by_form[short].kind != "county_city" else 1
            scored.append((distance, priority, short))
    scored.sort()
    return [gazetteer.by_form[short] for _, _, short in scored[:limit]]


def normalise_city(text: str) -> CityMatch | None:
    """Return the city an answer names, certain or suggested, or None when none is near.

    A whole answer naming a known city (深圳, 深圳市, 在深圳工作) is certain; a city named inside
    a longer answer (广东深圳南山区) is certain too; a near miss (深证) is a suggestion.
    """
    gazetteer = load_cities()
    form = _strip_words(text)
    city = _exact(form, gazetteer)
    if city is not None:
        return CityMatch(city, True, form)
    city = find_city(form)
    if city is not None:
        return CityMatch(city, True, form)
    if len(form) > MAX_ANSWER_LENGTH:
        return None  # not an answer naming a city; no typo search through a paragraph
    for candidate in (form, *_trailing_forms(form)):
        suggestions = suggest_cities(candidate)
        if suggestions:
            return CityMatch(suggestions[0], False, candidate)
    return None


def _trailing_forms(form: str) -> list[str]:
    """Return 2- and 3-character windows of a short ``form`` (a typo inside "深证南山")."""
    if len(form) > 4:
        return []
    return [form[i : i + n] for n in (3, 2) for i in range(len(form) - n + 1) if len(form) > n]
