"""Pure text intelligence for HuaiCai: keywords, origin, industries and the match index.

Nothing here imports Flask, SQLAlchemy or any other HuaiCai package: text in, results out.
"""

from __future__ import annotations

from matching.discipline_codes import classify_discipline_codes
from matching.expertise import ProfileExtraction, extract_expertise, extract_profile
from matching.index import Hit, MatchIndex
from matching.industries import classify_industries
from matching.keywords import extract_keywords
from matching.origin import OriginCandidate, recognise_origin

__all__ = [
    "Hit",
    "warm_up",
    "MatchIndex",
    "OriginCandidate",
    "ProfileExtraction",
    "classify_discipline_codes",
    "classify_industries",
    "extract_expertise",
    "extract_keywords",
    "extract_profile",
    "recognise_origin",
]


def warm_up() -> None:
    """Load the lexicons, models and tables now, so the first real request does not wait."""
    sample = "从事锂离子电池正极材料研究，老家焦作温县"
    extract_keywords(sample)
    extract_profile(sample)
    classify_industries(sample)
    recognise_origin(sample)
    MatchIndex.build([(0, sample)])
