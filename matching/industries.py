"""Industry classification (placeholder until the matching work lands)."""

from __future__ import annotations


def classify_industries(text: str) -> list[tuple[str, float]]:
    """Return (industry, score) pairs for ``text``, best first."""
    raise NotImplementedError
