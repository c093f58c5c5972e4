"""Expertise keyword extraction (placeholder until the matching work lands)."""

from __future__ import annotations


def extract_keywords(text: str, top_k: int = 10) -> list[str]:
    """Return up to ``top_k`` keywords of ``text``, best first."""
    raise NotImplementedError
