"""The match index's priors: industry vectors and the discipline prior, as array functions.

The discipline prior: ``matching.disciplines`` (a classifier learned from CSL) gives every text
probabilities over 67 academic disciplines in 13 categories; a query (a need, short like a
paper's title) is classified by its query model, which also reads characters. The query's
probabilities are averaged with those of its best word matches (a short need says little about
its field, the profiles it matches say more); the prior is ``discipline_weight`` times their dot
product with the item's, plus ``category_weight`` times the same over categories. An item that
shares no word with the query still matches when both probably belong to the same discipline.

An item's prior is then averaged with the priors of its nearest neighbours in the index (the
items sharing most of its rare words): one text is classified with noise, the people who write
like it say more about where it belongs. Neighbours are linked without any label, from the
index's own texts; removed items stop counting at once.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from matching.disciplines import DisciplineClassifier
from matching.industries import Taxonomy

# The discipline prior and its settings below were tuned together on CSL dev, with the query
# paper's own abstract excluded and out-of-fold discipline models (``huaicai eval match``, see
# ``matching.lab.evaluation.evaluate_matching``); the P@5 it prints is therefore tuned on dev. P@5
# stayed within 0.35-0.37 over discipline weights 1.5-8, category weights 0-1 and 8 or 12
# feedback items at weight 1 or 2, so the choice is not a sharp optimum.
# Weights of the discipline prior: the dot product of the query's and the item's probabilities
# over CSL's 67 disciplines (``matching.disciplines``), plus the dot product of their
# probabilities over the 13 categories those disciplines belong to. Without neighbour smoothing
# 2.0 was the smallest discipline weight on the plateau (P@5 0.341 at 0.5, 0.354 at 1, 0.367 at
# 2, 0.366 at 4). With it (below), the discipline weight and the neighbour weight were chosen
# among 2 or 3 and 0, 0.5 or 0.7 by nested cross-validation (``huaicai eval match --nested``):
# on each of the five folds' complements alone 3.0 with 0.5 was best, so no paper's discipline
# chose the setting it is scored with.
DEFAULT_DISCIPLINE_WEIGHT = 3.0
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
# Neighbour smoothing of the discipline prior: each item takes DEFAULT_NEIGHBOUR_WEIGHT of its
# prior from the weighted mean prior of its NEIGHBOURS nearest items (and keeps the rest).
# Nearness is the dot product of TF-IDF vectors over rare terms only (used by at least 2 items
# and at most NEIGHBOUR_MAX_DF_SHARE of them): rare shared words say two people work on the same
# thing, and they keep linking cheap (a few seconds of CPU for 100k profiles). These two were set
# from a prototype on CSL dev, not by the nested selection: neighbours over terms in at most 1%,
# 2% or 5% of the abstracts, or over all terms, gave P@5 0.377, 0.376, 0.374, 0.370 (own abstract
# excluded), i.e. no sharp optimum.
NEIGHBOURS = 10
DEFAULT_NEIGHBOUR_WEIGHT = 0.5
NEIGHBOUR_MAX_DF_SHARE = 0.01
# Rows of the index compared with all others at once while linking neighbours (bounds memory).
NEIGHBOUR_CHUNK = 512
# Smoothing this many rows or more reads every item's vector once (a sparse product); fewer rows
# gather just their neighbours' vectors.
SMOOTH_IN_ONE_PRODUCT = 4096
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

    The query's own come from the classifier's query model (``query_probabilities``). ``items``
    holds the items' discipline vectors, ``words`` their word scores for the query and
    ``live`` which may take part: removed and filtered-out items do not, so an evaluation that
    removes the query's own paper cannot learn its discipline from it.
    """
    q_disc = model.query_probabilities(terms).astype(np.float64)
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


def neighbour_terms(df: np.ndarray, n: int) -> np.ndarray:
    """Return which terms, given their document frequencies ``df`` among ``n`` items, are rare
    enough to link neighbours (a boolean mask)."""
    # In an index of fewer than 2 / NEIGHBOUR_MAX_DF_SHARE items no word is rare: no neighbours.
    max_df = int(NEIGHBOUR_MAX_DF_SHARE * n)
    return np.asarray((df >= 2) & (df <= max_df))


def neighbour_lists(
    matrix: sp.csr_matrix, terms: np.ndarray, k: int = NEIGHBOURS
) -> tuple[np.ndarray, np.ndarray]:
    """Return each row's ``k`` nearest other rows and their similarities, as two (n, k) arrays.

    Similarity is the dot product of the rows over the columns in ``terms``. A row with fewer
    than ``k`` neighbours fills the rest with itself at weight 0 (which counts for nothing).
    """
    n = matrix.shape[0]
    rows = np.repeat(np.arange(n, dtype=np.int32)[:, None], k, axis=1)
    weights = np.zeros((n, k), dtype=np.float32)
    if n < 2 or not terms.any():
        return rows, weights
    rare = sp.csr_matrix(matrix[:, np.flatnonzero(terms)], dtype=np.float32)
    rare_t = sp.csr_matrix(rare.T)
    for start in range(0, n, NEIGHBOUR_CHUNK):
        sims = sp.csr_matrix(rare[start : start + NEIGHBOUR_CHUNK] @ rare_t)
        # A row is not its own neighbour.
        own = np.repeat(np.arange(start, start + sims.shape[0]), np.diff(sims.indptr))
        sims.data[sims.indices == own] = 0.0
        sims.eliminate_zeros()
        indptr, indices, data = sims.indptr, sims.indices, sims.data
        for offset in range(sims.shape[0]):
            lo, hi = int(indptr[offset]), int(indptr[offset + 1])
            if hi - lo > k:
                top = lo + np.argpartition(-data[lo:hi], k - 1)[:k]
            else:
                top = np.arange(lo, hi)
            rows[start + offset, : len(top)] = indices[top]
            weights[start + offset, : len(top)] = data[top]
    return rows, weights


def smooth_disciplines(
    disciplines: np.ndarray,
    rows: np.ndarray,
    weights: np.ndarray,
    alive: np.ndarray,
    neighbour_weight: float,
    targets: np.ndarray,
) -> np.ndarray:
    """Return the smoothed discipline vectors of the rows ``targets``, one row each.

    A row's smoothed vector is its own (``disciplines``) mixed with the weighted mean vector of
    its live neighbours (``rows`` and ``weights``, the (n, k) neighbour lists), the mean taking
    ``neighbour_weight``; a row without a live neighbour keeps its own. The discipline prior is
    linear in the item vectors, so this smooths the prior itself at no cost to a search.
    """
    own = np.asarray(disciplines[targets], dtype=np.float32)
    if not neighbour_weight or len(targets) == 0:
        return own
    near = rows[targets]
    live_weights = (weights[targets] * alive[near]).astype(np.float32)
    total = live_weights.sum(axis=1)
    if len(targets) < SMOOTH_IN_ONE_PRODUCT:
        around = np.einsum("rk,rkd->rd", live_weights, disciplines[near])
    else:
        # Many rows (a build or a load): one sparse (targets x items) product, no big gather.
        k = near.shape[1]
        spread = sp.csr_matrix(
            (live_weights.ravel(), near.ravel(), np.arange(0, k * len(targets) + 1, k)),
            shape=(len(targets), len(disciplines)),
        )
        around = np.asarray(spread @ disciplines, dtype=np.float32)
    around /= np.maximum(total, 1e-12)[:, None]
    mixed = (1.0 - neighbour_weight) * own + neighbour_weight * around
    return np.asarray(np.where(total[:, None] > 0, mixed, own), dtype=np.float32)
