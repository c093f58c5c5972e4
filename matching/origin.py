"""Origin recognition (placeholder until the conversations work lands)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OriginCandidate:
    code: str
    name: str
    confidence: float
    matched: tuple[str, ...]


def recognise_origin(text: str) -> list[OriginCandidate]:
    """Return candidate home divisions for ``text``, most likely first."""
    raise NotImplementedError
