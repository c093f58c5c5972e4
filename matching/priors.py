"""The match index's priors: industry vectors and the discipline prior, as array functions.

The discipline prior: ``matching.disciplines`` (a classifier learned from CSL) gives every text
probabilities over 67 academic disciplines in 13 categories. The query's probabilities are
averaged with those of its best word matches (a short need says little about its field, the
profiles it matches say more); the prior is ``discipline_weight`` times their dot product with
the item's, plus ``category_weight`` times the same over categories. An item that shares no word
with the query still matches when both probably belong to the same discipline.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from matching.disciplines import DisciplineClassifier
from matching.industries import Taxonomy

# The discipline prior and its settings below were tuned together on CSL dev, with the query
# paper's own abstract excluded and out-of-fold discipline models (``huaicai eval match``, see
# ``matching.lab.evaluation.evaluate_matching``); the P@5 it prints is therefore tuned on dev. P@5
# stayed within 0.35-0.37 over discipline weights 1.5-8, category weights 0-1 and 8 or 12
# feedback items at weight 1 or 2, so the choice is not a sharp optimum.
# Weights of the discipline prior: the dot product of the query's and the item's probabilities
# over CSL's 67 disciplines (``matching.disciplines``), plus the dot product of their
# probabilities over the 13 categories those disciplines belong to. 2.0 is the smallest
# discipline weight on the plateau (P@5 0.341 at 0.5, 0.354 at 1, 0.367 at 2, 0.366 at 4): a
# larger one lets the field outweigh shared words more, for no gain.
DEFAULT_DISCIPLINE_WEIGHT = 2.0
DEFAULT_CATEGORY_WEIGHT = 0.3
# A short query says little about its discipline; the items it matches best say more. Its
# discipline probabilities are averaged (weighted by word score) with those of its best
# ``DISCIPLINE_FEEDBACK_DOCS`` word matches, which together count ``DISCIPLINE_FEEDBACK_WEIGHT``
# times as much as the query's own (P@5 0.330 without; 0.359, 0.367, 0.363 with 5, 8, 12).
DISCIPLINE_FEEDBACK_DOCS = 8
DISCIPLINE_FEEDBACK_WEIGHT = 1.0
# Items store their discipline probabilities squared and renormalised: the classifier, with
# about 15 papers per discipline, is under-confident, and sharpening puts the items it is sure of
# first (P@5 0.341 at power 1, 0.367 at 2, 0.365 at 3).
ITEM_DISCIPLINE_SHARPNESS = 2.0
# An item shares the query's discipline when P(query in d) x P(item in d) reaches this for the
# query's most likely discipline d. Such an item is a match even without a shared word, and
# its reasons name d as inferred. (About a quarter of such CSL dev pairs truly share their
# discipline, ten times the base rate; P@5 0.346 when they need a shared word, 0.367 when not,
# 0.360 at 0.2.)
SHARED_DISCIPLINE = 0.1
# An item belongs (for filters and reasons) to its best industry and to every industry scoring at
# least this fraction of the best one.
INDUSTRY_MEMBERSHIP = 0.5


def sharpen(probs: np.ndarray, power: float) -> np.ndarray:
    """Return each row of ``probs`` raised to ``power`` and renormalised, as float32."""
    if power != 1.0:
        probs = np.asarray(probs, dtype=np.float64) ** power
        probs /= np.maximum(probs.sum(axis=1, keepdims=True), 1e-300)
    return np.asarray(probs, dtype=np.float32)


def industry_vector(taxonomy: Taxonomy, text: str) -> np.ndarray:
    """Return the L2-normalised industry score vector of ``text`` (one entry per industry)."""
    vec = np.asarray(taxonomy.scores(text), dtype=np.float32)
    norm = float(np.linalg.norm(vec))
    return vec / norm if norm > 0 else vec


def industry_ids(taxonomy: Taxonomy, vec: np.ndarray) -> list[str]:
    """Return the ids of the industries an item with industry vector ``vec`` belongs to."""
    if not vec.any():
        return []
    best = float(vec.max())
    return [
        taxonomy.industries[pos].id
        for pos in np.argsort(-vec, kind="stable").tolist()
        if vec[pos] > 0 and vec[pos] >= INDUSTRY_MEMBERSHIP * best
    ]


def industry_cosines(industries: np.ndarray, q_ind: np.ndarray, n: int) -> np.ndarray:
    """Return the cosine of each of the first ``n`` rows of ``industries`` with ``q_ind``.

    A query has one to three industries, so adding those columns is ~100x faster than a
    BLAS matrix-vector product over all twelve, which is slow for this skinny shape.
    """
    cos = np.zeros(n, dtype=np.float32)
    for j in np.flatnonzero(q_ind).tolist():
        cos += industries[:n, j] * q_ind[j]
    return cos


def item_disciplines(
    model: DisciplineClassifier, term_lists: Sequence[Sequence[str]], n_disciplines: int
) -> np.ndarray:
    """Return the stored discipline vectors of items: their sharpened probabilities."""
    if not term_lists:
        return np.zeros((0, n_disciplines), dtype=np.float32)
    return sharpen(model.probabilities(term_lists), ITEM_DISCIPLINE_SHARPNESS)


def query_disciplines(
    model: DisciplineClassifier,
    items: np.ndarray,
    terms: Sequence[str],
    words: np.ndarray,
    live: np.ndarray,
) -> np.ndarray:
    """Return the query's discipline probabilities, refined by those of its best word matches.

    ``items`` holds the items' discipline vectors, ``words`` their word scores for the query and
    ``live`` which may take part: removed and filtered-out items do not, so an evaluation that
    removes the query's own paper cannot learn its discipline from it.
    """
    q_disc = model.probabilities_one(terms).astype(np.float64)
    candidates = np.flatnonzero(live & (words > 0))
    if not (DISCIPLINE_FEEDBACK_DOCS and DISCIPLINE_FEEDBACK_WEIGHT and len(candidates)):
        return q_disc.astype(np.float32)
    if len(candidates) > DISCIPLINE_FEEDBACK_DOCS:
        top = np.argpartition(-words[candidates], DISCIPLINE_FEEDBACK_DOCS - 1)
        candidates = candidates[top[:DISCIPLINE_FEEDBACK_DOCS]]
    weights = words[candidates].astype(np.float64)
    matched = weights @ items[candidates] / weights.sum()
    q_disc = (q_disc + DISCIPLINE_FEEDBACK_WEIGHT * matched) / (1.0 + DISCIPLINE_FEEDBACK_WEIGHT)
    return q_disc.astype(np.float32)


def discipline_prior(
    items: np.ndarray,
    q_disc: np.ndarray,
    parents: np.ndarray,
    n_categories: int,
    discipline_weight: float,
    category_weight: float,
) -> np.ndarray:
    """Return every item's discipline prior: weighted discipline and category dot products.

    Both are one product with the items' stored discipline vectors ``items``: an item's category
    share is the sum over that category's disciplines (``parents`` maps discipline → category),
    so the category term spreads each category's share of the query over all of its disciplines.
    """
    category_share = np.bincount(parents, weights=q_disc, minlength=n_categories)
    vector = discipline_weight * q_disc + category_weight * category_share[parents]
    return np.asarray(items @ vector.astype(np.float32), dtype=np.float32)
