"""Pure text intelligence for HuaiCai: keywords, origin, industries and the match index.

Nothing here imports Flask, SQLAlchemy or any other HuaiCai package: text in, results out.
"""

from __future__ import annotations

from matching.index import Hit, MatchIndex
from matching.industries import classify_industries
from matching.keywords import extract_keywords
from matching.origin import OriginCandidate, recognise_origin

__all__ = [
    "Hit",
    "MatchIndex",
    "OriginCandidate",
    "classify_industries",
    "extract_keywords",
    "recognise_origin",
]
