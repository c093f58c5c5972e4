"""Classify a text into the policy's key and strategic industries (data/industries.toml).

The classifier is deliberately transparent: it finds taxonomy terms in the text (longest match
first, so 锂电池材料 wins over 材料), adds up their weights per industry and turns the evidence
into a score.
A person can always be told which words put a profile into an industry (``explain_industries``).
"""

from __future__ import annotations

import logging
import math
import tomllib
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from matching.resources import data_path

logger = logging.getLogger(__name__)

# Evidence weights: an industry's own name or alias is the clearest sign, a specific term is good
# evidence on its own, a broad term only counts when several appear together.
NAME_WEIGHT = 3.0
STRONG_WEIGHT = 2.0
KEYWORD_WEIGHT = 1.0
# Total evidence at which we are about 63% sure the text belongs to the industries we found at all.
CONFIDENCE_SCALE = 3.0


@dataclass(frozen=True)
class Industry:
    """One industry of the taxonomy."""

    id: str
    name: str
    aliases: tuple[str, ...]
    groups: tuple[str, ...]
    strong: tuple[str, ...]
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class IndustryScore:
    """The score of one industry for a text, with the terms that gave it."""

    id: str
    name: str
    score: float
    terms: tuple[str, ...]


class Taxonomy:
    """The industries and a compiled matcher over all their terms."""

    def __init__(self, industries: list[Industry]) -> None:
        """Index the terms of ``industries`` for matching."""
        if len({i.id for i in industries}) != len(industries):
            raise ValueError("industry ids must be unique")
        self.industries = industries
        self.by_id = {i.id: i for i in industries}
        # term (NFKC, lower-case) -> list of (industry index, weight); a term keeps its best weight
        # per industry when it is listed twice.
        weights: dict[str, dict[int, float]] = {}
        for pos, industry in enumerate(industries):
            listed = [
                *((t, NAME_WEIGHT) for t in (industry.name, *industry.aliases)),
                *((t, STRONG_WEIGHT) for t in industry.strong),
                *((t, KEYWORD_WEIGHT) for t in industry.keywords),
            ]
            for term, weight in listed:
                key = normalise(term)
                per = weights.setdefault(key, {})
                per[pos] = max(per.get(pos, 0.0), weight)
        self.term_weights = {t: sorted(per.items()) for t, per in weights.items()}
        # first character -> terms starting with it, longest first (a greedy longest-match scan is
        # several times faster than one big regex alternation for ~700 terms)
        self._by_first: dict[str, list[str]] = {}
        for term in sorted(self.term_weights, key=lambda t: (-len(t), t)):
            self._by_first.setdefault(term[0], []).append(term)

    def find_terms(self, text: str) -> Counter[str]:
        """Count the taxonomy terms in ``text`` (longest match first, no overlaps)."""
        norm = normalise(text)
        found: Counter[str] = Counter()
        by_first = self._by_first
        i, n = 0, len(norm)
        while i < n:
            for term in by_first.get(norm[i], ()):
                if norm.startswith(term, i) and (not term.isascii() or _whole_word(norm, i, term)):
                    found[term] += 1
                    i += len(term)
                    break
            else:
                i += 1
        return found

    def scores(self, text: str) -> list[float]:
        """Return every industry's score for ``text`` in taxonomy order (0 without evidence)."""
        evidence = [0.0] * len(self.industries)
        for term, count in self.find_terms(text).items():
            repeat = 1.0 + math.log(count)
            for pos, weight in self.term_weights[term]:
                evidence[pos] += weight * repeat
        total = sum(evidence)
        if total == 0:
            return evidence
        confidence = 1.0 - math.exp(-max(evidence) / CONFIDENCE_SCALE)
        return [round(e / total * confidence, 4) for e in evidence]

    def score(self, text: str) -> list[IndustryScore]:
        """Return every industry with evidence in ``text``, best first, with the terms found."""
        found = self.find_terms(text)
        if not found:
            return []
        evidence = [0.0] * len(self.industries)
        terms: list[list[tuple[float, str]]] = [[] for _ in self.industries]
        for term, count in found.items():
            # Repeating a term adds a little, not linearly: a profile that says 山药 five times is
            # not five times more agricultural.
            repeat = 1.0 + math.log(count)
            for pos, weight in self.term_weights[term]:
                evidence[pos] += weight * repeat
                terms[pos].append((weight * repeat, term))
        total = sum(evidence)
        confidence = 1.0 - math.exp(-max(evidence) / CONFIDENCE_SCALE)
        scores = [
            IndustryScore(
                id=industry.id,
                name=industry.name,
                score=round(evidence[pos] / total * confidence, 4),
                terms=tuple(t for _, t in sorted(terms[pos], key=lambda wt: (-wt[0], wt[1]))),
            )
            for pos, industry in enumerate(self.industries)
            if evidence[pos] > 0
        ]
        scores.sort(key=lambda s: (-s.score, s.id))
        return scores


def normalise(text: str) -> str:
    """Return ``text`` NFKC-normalised and lower-cased, as terms are matched."""
    return unicodedata.normalize("NFKC", text).lower()


def _whole_word(text: str, start: int, term: str) -> bool:
    """Return whether the ASCII ``term`` at ``start`` is not part of a longer ASCII word."""
    end = start + len(term)
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    return not (before.isascii() and before.isalnum()) and not (after.isascii() and after.isalnum())


def load_taxonomy(path: Path | None = None) -> Taxonomy:
    """Read the taxonomy TOML at ``path`` (default ``data/industries.toml``)."""
    if path is None:
        return _default_taxonomy()
    return _read_taxonomy(path)


@lru_cache(maxsize=1)
def _default_taxonomy() -> Taxonomy:
    """Load the shipped taxonomy once per process."""
    return _read_taxonomy(data_path("industries.toml"))


def _read_taxonomy(path: Path) -> Taxonomy:
    """Parse a taxonomy file."""
    with path.open("rb") as fh:
        raw = tomllib.load(fh)
    industries = [
        Industry(
            id=entry["id"],
            name=entry["name"],
            aliases=tuple(entry.get("aliases", ())),
            groups=tuple(entry.get("groups", ())),
            strong=tuple(entry.get("strong", ())),
            keywords=tuple(entry.get("keywords", ())),
        )
        for entry in raw["industry"]
    ]
    logger.debug("loaded %d industries from %s", len(industries), path)
    return Taxonomy(industries)


def classify_industries(text: str) -> list[tuple[str, float]]:
    """Return (Chinese industry name, score in [0, 1]) pairs for ``text``, best first.

    The label is the industry's Chinese ``name`` from the taxonomy (e.g. "新材料"); use
    ``classify_industry_ids`` for the stable ids stored in the database and used by filters.
    An empty list means no industry term occurs in the text.
    """
    return [(s.name, s.score) for s in _default_taxonomy().score(text)]


def classify_industry_ids(text: str) -> list[tuple[str, float]]:
    """Return (industry id, score in [0, 1]) pairs for ``text``, best first."""
    return [(s.id, s.score) for s in _default_taxonomy().score(text)]


def explain_industries(text: str) -> list[IndustryScore]:
    """Return the industry scores of ``text`` with the terms that produced them."""
    return _default_taxonomy().score(text)


def industry_name(industry_id: str) -> str:
    """Return the Chinese name of the industry ``industry_id``."""
    return _default_taxonomy().by_id[industry_id].name
