"""Recognise which of Jiaozuo's divisions a free-text origin (籍贯) names.

All place data lives in ``data/regions.toml``. The algorithm is deliberately plain:

1. normalise: NFKC, lower case, traditional → simplified for the characters we use, spaces
   dropped (kept only between two ASCII letters or digits, so pinyin words stay words);
2. scan left to right taking the longest known term at each position: division aliases, other
   places (温州 hides 温), ordinary words (博爱精神 hides 博爱) and 河南;
3. score every alias by the strongest context in the text (焦作 > 河南 > origin words such as
   老家/籍贯/…人 > none) through its confidence profile, drop ambiguous aliases that sit after
   another place (上海博爱医院) or next to a trap word (陕西山阳), and lower matches in a clause
   that talks about work or residence (在焦作工作);
4. merge the matches by code (several aliases agreeing raise the confidence) and sort;
5. only when nothing matched: near misses — a run of the text one character off a division's
   alias (two characters or more) where the differing character sounds the same (沁杨 → 沁阳,
   温悬 → 温县, 孟洲 → 孟州); these carry ``typed`` and are asked about ("您是说沁阳吗？").
"""

from __future__ import annotations

import logging
import re
import tomllib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from matching.resources import data_path

logger = logging.getLogger(__name__)

JIAOZUO_CITY_CODE = "410800"
# Each further distinct alias naming the same division (温县 + 赵堡镇) adds this much.
AGREEMENT_BONUS = 0.05
MAX_CONFIDENCE = 0.99
# A match in a clause about work or residence (在焦作工作) keeps this share of its confidence.
ELSEWHERE_FACTOR = 0.3
# Below this a candidate is noise, not worth showing to the person.
MIN_CONFIDENCE = 0.25
# The city-level candidate gives way to any more specific candidate at least this confident.
SPECIFIC_OVER_CITY = 0.6
# A near miss (same sound, one character off) keeps this share of the alias's bare confidence.
NEAR_MISS_FACTOR = 0.6
# Near misses are looked for only in answers this short (normalised characters).
NEAR_MISS_MAX_LENGTH = 30
CONTEXT_LEVELS = ("bare", "personal", "henan", "jiaozuo")
_PUNCTUATION = re.compile(r"[\s\W_]+")
_ASCII_WORD = re.compile(r"[a-z0-9]")


@dataclass(frozen=True)
class OriginCandidate:
    """A division the text may name, with the words that named it."""

    code: str  # GB/T 2260 (410871 for the demonstration zone, 419001 for 济源)
    name: str  # display name for the confirmation question: 焦作市温县, 焦作市, 济源市（原属焦作）
    confidence: float  # in [0, 1]
    matched: tuple[str, ...]  # the aliases found in the normalised text
    # "county": a district, county, county-level city or the zone; "city": 焦作市 as a whole,
    # county unknown; "historical": a former member (济源), which has in_jiaozuo False.
    kind: str = "county"
    in_jiaozuo: bool = True
    # For a near miss, the words as typed ("沁杨"); matched then holds the alias meant ("沁阳").
    typed: str = ""


@dataclass(frozen=True)
class Division:
    """A division from ``data/regions.toml``."""

    code: str
    name: str
    kind: str
    in_jiaozuo: bool


@dataclass(frozen=True)
class Alias:
    """A surface form of a division and its confidence by context level."""

    text: str
    code: str
    scores: tuple[float, float, float, float]
    ambiguous: bool = False
    traps: tuple[str, ...] = ()

    def confidence(self, level: str) -> float:
        """Return the confidence of this alias under a context ``level``."""
        return self.scores[CONTEXT_LEVELS.index(level)]


@dataclass(frozen=True)
class Term:
    """One entry of the scanning lexicon: an alias, another place, an ordinary word or 河南."""

    text: str
    role: str  # "alias", "foreign", "ordinary" or "henan"
    alias: Alias | None = None


@dataclass(frozen=True)
class Match:
    """A term found in the normalised text."""

    term: Term
    start: int
    end: int
    clause: int
    clause_text: str


@dataclass(frozen=True)
class Gazetteer:
    """Everything ``recognise_origin`` needs from the data file."""

    divisions: dict[str, Division]
    terms: dict[str, Term]
    max_length: int
    personal: tuple[str, ...]
    personal_suffixes: tuple[str, ...]
    elsewhere: tuple[str, ...]
    separators: tuple[str, ...]
    traditional: dict[int, str]


def _scores(table: dict[str, Any]) -> tuple[float, float, float, float]:
    """Read a confidence profile, one value per context level."""
    values = tuple(float(table[level]) for level in CONTEXT_LEVELS)
    if any(not 0.0 <= value <= 1.0 for value in values):
        raise ValueError(f"regions.toml: confidences must lie in [0, 1], got {table}")
    return (values[0], values[1], values[2], values[3])


def _add_term(terms: dict[str, Term], term: Term) -> None:
    """Add ``term`` to the lexicon, refusing a text listed twice with different meanings."""
    known = terms.get(term.text)
    if known is not None and known != term:
        raise ValueError(f"regions.toml: {term.text!r} is listed twice ({known.role}, {term.role})")
    terms[term.text] = term


def _clean(text: str) -> str:
    """Normalise a word of the data file the way input text is normalised."""
    return unicodedata.normalize("NFKC", text).lower()


@cache
def load_gazetteer() -> Gazetteer:
    """Read ``data/regions.toml`` once and build the scanning lexicon."""
    with data_path("regions.toml").open("rb") as handle:
        data = tomllib.load(handle)
    profiles = {name: _scores(table) for name, table in data["profiles"].items()}
    divisions: dict[str, Division] = {}
    terms: dict[str, Term] = {}
    for entry in data["division"]:
        division = Division(
            code=entry["code"],
            name=entry["name"],
            kind=entry["kind"],
            in_jiaozuo=entry.get("in_jiaozuo", True),
        )
        divisions[division.code] = division
        for profile, texts in entry.get("aliases", {}).items():
            for text in texts:
                alias = Alias(_clean(text), division.code, profiles[profile])
                _add_term(terms, Term(alias.text, "alias", alias))
    for entry in data["ambiguous"]:
        if entry["code"] not in divisions:
            raise ValueError(f"regions.toml: ambiguous {entry['text']!r} has unknown code")
        alias = Alias(
            _clean(entry["text"]),
            entry["code"],
            _scores(entry["scores"]),
            ambiguous=True,
            traps=tuple(_clean(word) for word in entry.get("traps", ())),
        )
        _add_term(terms, Term(alias.text, "alias", alias))
    for role, words in (
        ("foreign", data["foreign"]["names"]),
        ("ordinary", data["ordinary"]["words"]),
        ("henan", data["context"]["henan"]),
    ):
        for word in words:
            _add_term(terms, Term(_clean(word), role))
    context = data["context"]
    return Gazetteer(
        divisions=divisions,
        terms=terms,
        max_length=max(len(text) for text in terms),
        personal=tuple(context["personal"]),
        personal_suffixes=tuple(context["personal_suffixes"]),
        elsewhere=tuple(context["elsewhere"]),
        separators=tuple(_clean(word) for word in context["separators"]),
        traditional=str.maketrans(data["traditional"]),
    )


def normalise(text: str) -> str:
    """Return ``text`` in the form the lexicon is written in."""
    gazetteer = load_gazetteer()
    text = unicodedata.normalize("NFKC", text).lower().translate(gazetteer.traditional)
    # Line breaks separate clauses; other spaces only matter between two ASCII words.
    text = re.sub(r"[\r\n]+", ",", text)
    return re.sub(
        r"\s+",
        lambda m: " " if _between_ascii_words(text, m.start(), m.end()) else "",
        text,
    )


def _between_ascii_words(text: str, start: int, end: int) -> bool:
    before = text[start - 1 : start]
    after = text[end : end + 1]
    return bool(_ASCII_WORD.fullmatch(before) and _ASCII_WORD.fullmatch(after))


def _is_ascii_word(text: str) -> bool:
    return text.isascii() and text.isalnum()


def _clause_starts(text: str, separators: Iterable[str]) -> list[int]:
    """Return the sorted positions where a new clause begins."""
    starts = {0}
    for separator in separators:
        position = text.find(separator)
        while position >= 0:
            starts.add(position + len(separator))
            position = text.find(separator, position + 1)
    return sorted(starts)


def scan(text: str, gazetteer: Gazetteer) -> list[Match]:
    """Find the known terms of normalised ``text``, longest first, without overlaps."""
    starts = _clause_starts(text, gazetteer.separators)
    matches: list[Match] = []
    clause = 0
    position = 0
    while position < len(text):
        while clause + 1 < len(starts) and starts[clause + 1] <= position:
            clause += 1
        longest = min(gazetteer.max_length, len(text) - position)
        for length in range(longest, 0, -1):
            term = gazetteer.terms.get(text[position : position + length])
            if term is None:
                continue
            end = position + length
            if _is_ascii_word(term.text) and (
                _ASCII_WORD.fullmatch(text[position - 1 : position] or " ")
                or _ASCII_WORD.fullmatch(text[end : end + 1] or " ")
            ):
                continue  # a pinyin alias inside a longer ASCII word
            clause_end = starts[clause + 1] if clause + 1 < len(starts) else len(text)
            matches.append(Match(term, position, end, clause, text[starts[clause] : clause_end]))
            position = end
            break
        else:
            position += 1
    return matches


def _is_city_term(match: Match) -> bool:
    return match.term.alias is not None and match.term.alias.code == JIAOZUO_CITY_CODE


def _nearest_place_before(match: Match, matches: list[Match]) -> Match | None:
    """Return the closest 焦作/河南/other-place term before ``match`` in its clause."""
    for other in reversed(matches):
        if other.end > match.start or other.clause != match.clause:
            continue
        if other.term.role in ("foreign", "henan") or _is_city_term(other):
            return other
    return None


def _context_level(
    match: Match, text: str, matches: list[Match], gazetteer: Gazetteer, bare_text: str
) -> str:
    if any(_is_city_term(other) for other in matches if other is not match):
        return "jiaozuo"
    if any(other.term.role == "henan" for other in matches):
        return "henan"
    alias_text = match.term.text
    following = text[match.end : match.end + 1]
    if (
        any(word in text for word in gazetteer.personal)
        or following in gazetteer.personal_suffixes
        or bare_text.rstrip("".join(gazetteer.personal_suffixes)) == alias_text
    ):
        return "personal"
    return "bare"


def _suppressed(match: Match, text: str, matches: list[Match]) -> bool:
    """Tell whether an ambiguous alias here means another place or an ordinary word."""
    alias = match.term.alias
    if alias is None or not alias.ambiguous:
        return False
    nearest = _nearest_place_before(match, matches)
    if nearest is not None and nearest.term.role == "foreign":
        return True
    ours_before = nearest is not None
    return not ours_before and any(trap in text for trap in alias.traps)


def _confidence(match: Match, text: str, matches: list[Match], gazetteer: Gazetteer) -> float:
    alias = match.term.alias
    if alias is None or _suppressed(match, text, matches):
        return 0.0
    bare_text = _PUNCTUATION.sub("", text)
    confidence = alias.confidence(_context_level(match, text, matches, gazetteer, bare_text))
    if any(word in match.clause_text for word in gazetteer.elsewhere):
        confidence *= ELSEWHERE_FACTOR
    return confidence


def recognise_origin(text: str) -> list[OriginCandidate]:
    """Return candidate home divisions for ``text``, most likely first."""
    gazetteer = load_gazetteer()
    normal = normalise(text)
    matches = scan(normal, gazetteer)
    evidence: dict[str, list[tuple[float, str, int]]] = {}
    for match in matches:
        confidence = _confidence(match, normal, matches, gazetteer)
        if match.term.alias is not None and confidence > 0.0:
            evidence.setdefault(match.term.alias.code, []).append(
                (confidence, match.term.text, match.start)
            )
    candidates = [
        (_merge(gazetteer.divisions[code], found), min(start for *_, start in found))
        for code, found in evidence.items()
    ]
    specific = any(
        candidate.code != JIAOZUO_CITY_CODE and candidate.confidence >= SPECIFIC_OVER_CITY
        for candidate, _ in candidates
    )
    kept = [
        (candidate, start)
        for candidate, start in candidates
        if candidate.confidence >= MIN_CONFIDENCE
        and not (specific and candidate.code == JIAOZUO_CITY_CODE)
    ]
    kept.sort(key=lambda pair: (-pair[0].confidence, pair[1]))
    if not kept:
        return near_misses(normal, matches, gazetteer)
    return [candidate for candidate, _ in kept]


def _sounds(char: str) -> frozenset[str]:
    """Return the toneless readings of one Chinese character (all of a heteronym's)."""
    # pypinyin loads a large table: only texts with no exact match pay for it.
    from pypinyin import Style, pinyin

    return frozenset(pinyin(char, style=Style.NORMAL, heteronym=True)[0])


def _masked(text: str, position: int) -> str:
    return text[:position] + "\0" + text[position + 1 :]


@cache
def _near_miss_index() -> dict[str, tuple[Alias, ...]]:
    """Return the unambiguous Chinese aliases by each form with one character masked."""
    index: dict[str, list[Alias]] = {}
    for alias_text, term in load_gazetteer().terms.items():
        alias = term.alias
        if alias is None or alias.ambiguous or len(alias_text) < 2 or alias_text.isascii():
            continue
        for position in range(len(alias_text)):
            index.setdefault(_masked(alias_text, position), []).append(alias)
    return {key: tuple(aliases) for key, aliases in index.items()}


def near_misses(normal: str, matches: list[Match], gazetteer: Gazetteer) -> list[OriginCandidate]:
    """Return divisions whose alias ``normal`` misses by one same-sounding character.

    ``normal`` is normalised text and ``matches`` its scan: characters inside another place's
    name or an ordinary word (沁水, 温度) are never read as a typo of ours.
    """
    if len(normal) > NEAR_MISS_MAX_LENGTH:
        return []  # a paragraph is not an origin answer with a typo in it
    covered = {
        index
        for match in matches
        if match.term.role != "alias"
        for index in range(match.start, match.end)
    }
    index = _near_miss_index()
    lengths = sorted({len(key) for key in index})
    found: dict[str, tuple[float, str, str]] = {}
    for length in lengths:
        for start in range(len(normal) - length + 1):
            if any(i in covered for i in range(start, start + length)):
                continue
            window = normal[start : start + length]
            for position, char in enumerate(window):
                if not "\u4e00" <= char <= "\u9fff":
                    continue
                for alias in index.get(_masked(window, position), ()):
                    if alias.text == window or not _sounds(char) & _sounds(alias.text[position]):
                        continue
                    confidence = round(alias.confidence("bare") * NEAR_MISS_FACTOR, 2)
                    known = found.get(alias.code)
                    if known is None or (confidence, len(alias.text)) > (known[0], len(known[1])):
                        found[alias.code] = (confidence, alias.text, window)
    candidates = [
        OriginCandidate(
            code=code,
            name=gazetteer.divisions[code].name,
            confidence=confidence,
            matched=(alias_text,),
            kind=gazetteer.divisions[code].kind,
            in_jiaozuo=gazetteer.divisions[code].in_jiaozuo,
            typed=typed,
        )
        for code, (confidence, alias_text, typed) in found.items()
        if confidence >= MIN_CONFIDENCE
    ]
    return sorted(candidates, key=lambda candidate: -candidate.confidence)


def _merge(division: Division, found: list[tuple[float, str, int]]) -> OriginCandidate:
    """Combine the matches naming one division into a candidate."""
    words = tuple(dict.fromkeys(word for _, word, _ in sorted(found, key=lambda f: f[2])))
    best = max(confidence for confidence, _, _ in found)
    confidence = min(MAX_CONFIDENCE, best + AGREEMENT_BONUS * (len(words) - 1))
    return OriginCandidate(
        code=division.code,
        name=division.name,
        confidence=round(confidence, 2),
        matched=words,
        kind=division.kind,
        in_jiaozuo=division.in_jiaozuo,
    )
