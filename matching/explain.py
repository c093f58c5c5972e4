"""Why an item matched a query, in words a person reads: shared keywords, related words, fields.

Every hit of ``MatchIndex.search`` carries these reasons: the shared keywords (adjacent tokens
rejoined into the phrase the item actually contains, e.g. 磷酸铁锂), related words where those
carried the match, the shared industries, and the discipline both probably belong to (marked as
inferred, with its GB/T 13745 code when the discipline table maps it).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from matching.priors import INDUSTRY_MEMBERSHIP, SHARED_DISCIPLINE
from matching.text import subwords

if TYPE_CHECKING:
    from matching.index import MatchIndex

MAX_REASON_WORDS = 5
MAX_RELATED_WORDS = 3
# Rejoin at most this many adjacent tokens into one phrase of a reason.
MAX_PHRASE_TERMS = 4


def discipline_codes_label(discipline: str) -> str:
    """Return the GB/T 13745 codes of a CSL ``discipline`` as shown (``""`` when unmapped)."""
    from matching.discipline_codes import codes_of

    return "、".join(f"{code.code} {code.name}" for code in codes_of(discipline))


def explain(
    index: MatchIndex,
    row: int,
    q_terms: Sequence[str],
    q_weights: Mapping[int, float],
    e_weights: Mapping[int, float],
    q_ind: np.ndarray,
    q_disc: np.ndarray | None = None,
) -> list[str]:
    """Return the Chinese reasons why ``row`` of ``index`` matched the query.

    ``q_terms`` are the query's index terms in order, ``q_weights`` and ``e_weights`` map term
    columns to the query's and the relevance-feedback expansion's weights, ``q_ind`` is the
    query's industry vector and ``q_disc`` its discipline probabilities (or ``None``).
    """
    cols, weights = index.row_vector(row)
    pairs = list(zip(cols.tolist(), weights.tolist(), strict=True))
    contribution = {index.vocabulary[c]: q_weights[c] * w for c, w in pairs if c in q_weights}
    related = sorted(
        ((e_weights[c] * w, index.vocabulary[c]) for c, w in pairs if c in e_weights),
        key=lambda cw: (-cw[0], cw[1]),
    )
    reasons = []
    phrases = shared_phrases(q_terms, contribution, index.text_of(row))
    if phrases:
        reasons.append("共同关键词：" + "、".join(phrases[:MAX_REASON_WORDS]))
    # Name related words where they carried more of the match than the query's own words
    # (the caller passes none for the matches the related words were taken from).
    if related and sum(c for c, _ in related) > sum(contribution.values()):
        words = [t for _, t in related if len(t) > 1] or [t for _, t in related]
        reasons.append("相关词（与最匹配者相近）：" + "、".join(words[:MAX_RELATED_WORDS]))
    products = index.industry_vector_of(row) * q_ind
    best = float(products.max()) if len(products) else 0.0
    common = [
        index.taxonomy.industries[pos].name
        for pos in np.argsort(-products, kind="stable").tolist()
        if best > 0 and products[pos] >= INDUSTRY_MEMBERSHIP * best
    ]
    if common:
        reasons.append("行业：" + "、".join(common))
    if q_disc is not None and len(q_disc):
        best_discipline = int(np.argmax(q_disc))
        if (
            index.discipline_vector_of(row)[best_discipline] * q_disc[best_discipline]
            >= SHARED_DISCIPLINE
        ):
            name = index.disciplines[best_discipline]
            reasons.append("学科（推测）：" + name)
            coded = discipline_codes_label(name)
            if coded:
                reasons.append("学科代码：" + coded)
    return reasons


def shared_phrases(
    q_terms: Sequence[str], contribution: Mapping[str, float], item_text: str
) -> list[str]:
    """Return the shared keywords, joining adjacent shared query terms the item also has verbatim.

    Tokenisers split compounds (磷酸铁锂 → 磷酸/铁锂); a person wants to read 磷酸铁锂 and 正极材料,
    so runs of consecutive shared query terms are rejoined when the joined phrase occurs in the
    item's text. A query word shared only through its inner words (怀山药 ↔ 山药) is shown as those
    inner words. Phrases are ordered by the score they contributed.
    """
    text = unicodedata.normalize("NFKC", item_text).lower()
    phrases: dict[str, float] = {}
    i = 0
    while i < len(q_terms):
        if q_terms[i] not in contribution:
            for part in subwords(q_terms[i]):
                if part in contribution:
                    phrases[part] = max(phrases.get(part, 0.0), contribution[part])
            i += 1
            continue
        end = i + 1
        while end < len(q_terms) and q_terms[end] in contribution and end - i < MAX_PHRASE_TERMS:
            end += 1
        # Longest prefix of the run that the item has verbatim.
        while end - i > 1 and "".join(q_terms[i:end]) not in text:
            end -= 1
        phrase = "".join(q_terms[i:end])
        weight = sum(contribution[t] for t in q_terms[i:end])
        phrases[phrase] = max(phrases.get(phrase, 0.0), weight)
        i = end
    # 山药 says nothing more once 怀山药 is listed.
    kept = [p for p in phrases if not any(p != other and p in other for other in phrases)]
    ranked = sorted(kept, key=lambda p: (-phrases[p], p))
    return [p for p in ranked if len(p) > 1] or ranked
