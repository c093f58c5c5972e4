"""Derive keywords and industries from free text, via the pure ``matching`` package."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import matching


@dataclass(frozen=True)
class TextAnalysis:
    keywords: list[str]
    industries: list[str]


def keywords_for(text: str, top_k: int = 10, exclude: Iterable[str] = ()) -> list[str]:
    """Return the keywords of ``text`` that are not about ``exclude`` (employer, city, name).

    People write their employer into their expertise ("我在复旦大学做数字文旅"); the employer
    has its own field and is no expertise, so terms overlapping those values are dropped.
    """
    own = [value.strip() for value in exclude if value and len(value.strip()) >= 2]
    # Expertise as the person typed it; employer, place, title and counts are set apart.
    extracted = matching.extract_expertise(text, top_k=top_k + len(own) * 2)
    kept = [term for term in extracted if not any(term in v or v in term for v in own)]
    return kept[:top_k]


def trade_of(text: str) -> list[str]:
    """Return the job titles ``text`` names (我是焊工 → 焊工; 纺织厂的挡车工 → 挡车工).

    A title is no expertise, but when a person names nothing else it is the best start for
    the keywords they are asked to confirm or extend.
    """
    return list(matching.extract_profile(text).titles)


def analyse(
    text: str, top_k: int = 10, industry_threshold: float = 0.2, exclude: Iterable[str] = ()
) -> TextAnalysis:
    """Return the keywords and likely industries of a profile or need text."""
    if not text.strip():
        return TextAnalysis([], [])
    keywords = keywords_for(text, top_k=top_k, exclude=exclude)
    industries = [
        name
        for name, score in matching.classify_industries(text)[:3]
        if score >= industry_threshold
    ]
    return TextAnalysis(keywords, industries)
