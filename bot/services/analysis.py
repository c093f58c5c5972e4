"""Derive keywords and industries from free text, via the pure ``matching`` package."""

from __future__ import annotations

from dataclasses import dataclass

import matching


@dataclass(frozen=True)
class TextAnalysis:
    keywords: list[str]
    industries: list[str]


def analyse(text: str, top_k: int = 10, industry_threshold: float = 0.2) -> TextAnalysis:
    """Return the keywords and likely industries of a profile or need text."""
    if not text.strip():
        return TextAnalysis([], [])
    keywords = matching.extract_keywords(text, top_k=top_k)
    industries = [
        name
        for name, score in matching.classify_industries(text)[:3]
        if score >= industry_threshold
    ]
    return TextAnalysis(keywords, industries)
