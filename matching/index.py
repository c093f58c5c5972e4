"""Match index (placeholder until the matching work lands)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Hashable


@dataclass(frozen=True)
class Hit:
    id: Hashable
    score: float
    reasons: list[str] = field(default_factory=list)


class MatchIndex:
    """Placeholder."""
