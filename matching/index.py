"""Explainable talent ↔ need matching: a TF-IDF index with an industry prior, filters and updates.

How a score is made: the query and every item are tokenised (``matching.text.analyse``) and
turned into sublinear TF-IDF vectors over the vocabulary fixed at ``build``. An item's score is
the cosine of the two vectors, plus ``industry_weight`` times the cosine of their industry vectors
(``matching.industries``), plus a discipline prior (``matching.priors``; averaged with the priors
of the item's nearest neighbours in the index), plus pseudo relevance feedback.

Pseudo relevance feedback: the specific terms of the three best first-pass matches form a second
query whose cosine (weight 0.7, each source leaving out its own words, capped at the item's
direct score + 0.1) finds people who write about the same field in other words. Search is a
sparse product over the postings of the query's terms, then ``argpartition`` for the top k.

Every hit says why it was found (``matching.explain``). Updates are incremental: ``add``
vectorises one text with the vocabulary and IDF of ``build``, appends it to a small pending
matrix and links it with its neighbours (and them with it, where it is nearer than one of
theirs); ``remove`` sets a tombstone, and a removed item stops counting as anyone's neighbour.
``compact`` (run automatically when the pending part reaches 1/8 of the index) merges pending
rows, and drops removed ones once they are a fifth of all rows.
Words that did not exist at ``build`` are not searchable until the index is rebuilt, which a
nightly job should do. ``save``/``load`` (``matching.persistence``) never unpickle.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from matching import discipline_codes, persistence, priors
from matching.disciplines import DisciplineClassifier
from matching.disciplines import load_model as load_discipline_model
from matching.explain import explain
from matching.industries import Taxonomy, load_taxonomy
from matching.priors import (
    DEFAULT_CATEGORY_WEIGHT,
    DEFAULT_DISCIPLINE_WEIGHT,
    DEFAULT_NEIGHBOUR_WEIGHT,
    SHARED_DISCIPLINE,
)
from matching.text import analyse, index_terms, subwords

__all__ = ["Hit", "MatchIndex", "analyse", "index_terms", "subwords"]

logger = logging.getLogger(__name__)

# Weight of the industry prior relative to the word cosine; a shared industry is a hint, shared
# specific words are the evidence.
DEFAULT_INDUSTRY_WEIGHT = 0.1
# Merge the pending rows into the main matrix once there are this many (or 1/8 of the index).
MIN_COMPACT_PENDING = 4096
# Cosine of industry vectors from which an item without a shared word still counts as a match.
INDUSTRY_ONLY_MATCH = 0.5
# Pseudo relevance feedback: expand each query with the heaviest terms of its best few matches.
DEFAULT_FEEDBACK_DOCS = 3
DEFAULT_FEEDBACK_WEIGHT = 0.7
DEFAULT_FEEDBACK_TERMS = 30
# Expansion terms must be rarer than one item in this many (IDF as scikit-learn smooths it).
FEEDBACK_MAX_DF_SHARE = 20.0
# An expansion term must occur in at least this many of the feedback sources (2 cost 0.02 P@5
# on CSL dev: there the single-source terms are mostly on topic).
FEEDBACK_MIN_SOURCES = 1
# Related words lift an item by at most what its own query words earned plus this.
FEEDBACK_CAP = 0.1
# Cosine with the expansion from which an item without a shared query word still matches.
FEEDBACK_ONLY_MATCH = 0.2

# The attribute (and filter) holding an item's GB/T 13745 discipline codes.
DISCIPLINE_CODES = "discipline_codes"

Item = tuple[Hashable, str] | tuple[Hashable, str, Mapping[str, Any]]


@dataclass(frozen=True)
class Hit:
    """One search result: the item's id, its score (higher is better) and why it matched."""

    id: Hashable
    score: float
    reasons: list[str] = field(default_factory=list)


class MatchIndex:
    """A searchable, explainable, incrementally updated set of texts with attributes.

    Searches may run side by side; ``add``, ``remove``, ``compact`` and ``save`` change shared
    state, so the caller must not run them concurrently with each other or with searches.
    """

    def __init__(
        self,
        vocabulary: Sequence[str],
        idf: np.ndarray,
        *,
        industry_weight: float = DEFAULT_INDUSTRY_WEIGHT,
        discipline_weight: float = DEFAULT_DISCIPLINE_WEIGHT,
        category_weight: float = DEFAULT_CATEGORY_WEIGHT,
        neighbour_weight: float = DEFAULT_NEIGHBOUR_WEIGHT,
        feedback_docs: int = DEFAULT_FEEDBACK_DOCS,
        feedback_weight: float = DEFAULT_FEEDBACK_WEIGHT,
        feedback_terms: int = DEFAULT_FEEDBACK_TERMS,
        taxonomy: Taxonomy | None = None,
        tokenize: Callable[[str], list[str]] | None = None,
        discipline_model: DisciplineClassifier | None = None,
    ) -> None:
        """Create an empty index over a fixed ``vocabulary`` with its ``idf`` weights.

        ``discipline_model`` replaces the shipped discipline classifier (evaluation passes
        models that never saw the papers they classify).
        """
        self.vocabulary = list(vocabulary)
        self.term_index = {t: i for i, t in enumerate(self.vocabulary)}
        self.idf = np.asarray(idf, dtype=np.float32)
        if self.idf.shape != (len(self.vocabulary),):
            raise ValueError("idf must have one weight per vocabulary term")
        self.industry_weight = float(industry_weight)
        self.discipline_weight = float(discipline_weight)
        self.category_weight = float(category_weight)
        self.neighbour_weight = float(neighbour_weight)
        self.feedback_docs = int(feedback_docs)
        self.feedback_weight = float(feedback_weight)
        self.feedback_terms = int(feedback_terms)
        self.taxonomy = taxonomy or load_taxonomy()
        self._tokenize = tokenize
        n_terms, n_ind = len(self.vocabulary), len(self.taxonomy.industries)
        # Rows 0..n_main-1 live in the main matrices, the rest in the pending list.
        self._main = sp.csr_matrix((0, n_terms), dtype=np.float32)
        self._main_t = sp.csr_matrix((n_terms, 0), dtype=np.float32)
        self._pending: list[tuple[np.ndarray, np.ndarray]] = []
        self._pending_matrix: sp.csr_matrix | None = None
        self._ids: list[Hashable] = []
        self._rows: dict[Hashable, int] = {}
        self._alive = np.zeros(0, dtype=bool)
        # Column-major: search reads one industry's column for every item at once.
        self._industries = np.zeros((0, n_ind), dtype=np.float32, order="F")
        self._discipline_model = discipline_model or load_discipline_model()
        self.disciplines = tuple(self._discipline_model.disciplines)
        self._discipline_parents = np.asarray(self._discipline_model.parents, dtype=np.int64)
        self._n_categories = len(self._discipline_model.categories)
        self._disciplines = np.zeros((0, len(self.disciplines)), dtype=np.float32, order="F")
        # Each row's nearest rows over rare terms and their similarities (``priors``), how many
        # live items use each term (which terms are rare enough to link neighbours), and the
        # discipline vectors smoothed over live neighbours that the prior reads.
        self._smoothed = np.zeros((0, len(self.disciplines)), dtype=np.float32, order="F")
        self._neighbours = np.zeros((0, priors.NEIGHBOURS), dtype=np.int32)
        self._neighbour_weights = np.zeros((0, priors.NEIGHBOURS), dtype=np.float32)
        self._df = np.zeros(len(self.vocabulary), dtype=np.int64)
        self._attrs: list[dict[str, Any]] = []
        self._texts: list[str] = []
        self._postings: dict[str, dict[Hashable, list[int]]] = {}
        self._posting_cache: dict[tuple[str, Hashable], np.ndarray] = {}

    # ----------------------------------------------------------------- building
    @classmethod
    def build(
        cls,
        items: Iterable[Item],
        *,
        industry_weight: float = DEFAULT_INDUSTRY_WEIGHT,
        discipline_weight: float = DEFAULT_DISCIPLINE_WEIGHT,
        category_weight: float = DEFAULT_CATEGORY_WEIGHT,
        neighbour_weight: float = DEFAULT_NEIGHBOUR_WEIGHT,
        feedback_docs: int = DEFAULT_FEEDBACK_DOCS,
        feedback_weight: float = DEFAULT_FEEDBACK_WEIGHT,
        min_df: int = 1,
        background: Iterable[str] = (),
        tokenize: Callable[[str], list[str]] | None = None,
        discipline_model: DisciplineClassifier | None = None,
    ) -> MatchIndex:
        """Build an index from ``(id, text)`` or ``(id, text, attrs)`` items.

        The vocabulary and IDF come from these texts (plus any ``background`` texts, which are
        not searchable but give a young index words and word weights for later additions) and
        stay fixed for later ``add`` calls.
        """
        from sklearn.feature_extraction.text import TfidfVectorizer

        ids: list[Hashable] = []
        texts: list[str] = []
        attrs: list[dict[str, Any]] = []
        seen: set[Hashable] = set()
        for item in items:
            item_id, text, item_attrs = _unpack(item)
            if item_id in seen:
                raise ValueError(f"duplicate id in build: {item_id!r}")
            seen.add(item_id)
            ids.append(item_id)
            texts.append(text)
            attrs.append(item_attrs)

        # Tokenise once: the same terms feed the TF-IDF vectors and the discipline classifier.
        def analyser(terms: list[str]) -> list[str]:
            return terms

        vectorizer = TfidfVectorizer(
            analyzer=analyser, sublinear_tf=True, min_df=min_df, dtype=np.float32
        )
        terms = [index_terms(analyse(t, tokenize)) for t in texts]
        extra = [index_terms(analyse(t, tokenize)) for t in background]
        if texts or extra:
            if extra:
                vectorizer.fit(terms + extra)
                matrix = (
                    vectorizer.transform(terms)
                    if terms
                    else sp.csr_matrix((0, len(vectorizer.vocabulary_)), dtype=np.float32)
                )
            else:
                matrix = vectorizer.fit_transform(terms)
            vocabulary = [""] * len(vectorizer.vocabulary_)
            for term, col in vectorizer.vocabulary_.items():
                vocabulary[col] = term
            idf = vectorizer.idf_
        else:
            matrix = sp.csr_matrix((0, 0), dtype=np.float32)
            vocabulary, idf = [], np.zeros(0, dtype=np.float32)
        index = cls(
            vocabulary,
            idf,
            industry_weight=industry_weight,
            discipline_weight=discipline_weight,
            category_weight=category_weight,
            neighbour_weight=neighbour_weight,
            feedback_docs=feedback_docs,
            feedback_weight=feedback_weight,
            tokenize=tokenize,
            discipline_model=discipline_model,
        )
        industries = np.vstack(
            [index._industry_vector(t) for t in texts]
            or [np.zeros((0, len(index.taxonomy.industries)), dtype=np.float32)]
        )
        index._load_rows(
            ids,
            texts,
            sp.csr_matrix(matrix, dtype=np.float32),
            industries,
            index._item_disciplines(terms),
            attrs,
        )
        logger.info("built match index: %d items, %d terms", len(ids), len(vocabulary))
        return index

    def _load_rows(
        self,
        ids: list[Hashable],
        texts: list[str],
        matrix: sp.csr_matrix,
        industries: np.ndarray,
        disciplines: np.ndarray,
        attrs: list[dict[str, Any]],
        alive: np.ndarray | None = None,
        neighbours: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> None:
        """Replace the contents with ``ids`` (all live) and their vectors, priors and attributes.

        ``neighbours`` holds the neighbour rows and their weights; without it they are linked
        from ``matrix``.
        """
        self._main = matrix
        self._main_t = matrix.T.tocsr()
        self._pending, self._pending_matrix = [], None
        self._ids = list(ids)
        self._alive = np.ones(len(ids), dtype=bool) if alive is None else alive.copy()
        self._rows = {i: r for r, i in enumerate(self._ids) if self._alive[r]}
        self._industries = np.asfortranarray(industries, dtype=np.float32)
        self._disciplines = np.asfortranarray(
            np.asarray(disciplines, dtype=np.float32).reshape(len(ids), len(self.disciplines))
        )
        self._attrs = attrs
        self._texts = texts
        self._df = np.bincount(matrix.indices, minlength=len(self.vocabulary)).astype(np.int64)
        if neighbours is None:
            terms = priors.neighbour_terms(self._df, len(ids))
            rows, weights = priors.neighbour_lists(matrix, terms)
        else:
            rows, weights = neighbours
        self._neighbours = np.asarray(rows, dtype=np.int32).reshape(len(ids), priors.NEIGHBOURS)
        self._neighbour_weights = np.asarray(weights, dtype=np.float32).reshape(
            len(ids), priors.NEIGHBOURS
        )
        self._smoothed = np.asfortranarray(
            self._smooth(np.arange(len(ids))).reshape(len(ids), len(self.disciplines))
        )
        self._postings, self._posting_cache = {}, {}
        for row, item_attrs in enumerate(attrs):
            self._post(row, item_attrs)

    # ----------------------------------------------------------------- vectors
    def _vectorise(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Return the (term columns, weights) of ``text``'s L2-normalised TF-IDF vector."""
        return self._vectorise_terms(index_terms(analyse(text, self._tokenize)))

    def _vectorise_terms(self, terms: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Return the (term columns, weights) of the L2-normalised TF-IDF vector of ``terms``."""
        counts: dict[int, int] = {}
        for term in terms:
            col = self.term_index.get(term)
            if col is not None:
                counts[col] = counts.get(col, 0) + 1
        if not counts:
            return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
        cols = np.fromiter(sorted(counts), dtype=np.int32, count=len(counts))
        tf = np.array([counts[c] for c in cols.tolist()], dtype=np.float32)
        weights = (1.0 + np.log(tf)) * self.idf[cols]
        weights /= np.linalg.norm(weights)
        return cols, weights.astype(np.float32)

    def _industry_vector(self, text: str) -> np.ndarray:
        """Return the L2-normalised industry score vector of ``text``."""
        return priors.industry_vector(self.taxonomy, text)

    def _industry_ids(self, vec: np.ndarray) -> list[str]:
        """Return the ids of the industries an item with industry vector ``vec`` belongs to."""
        return priors.industry_ids(self.taxonomy, vec)

    def row_vector(self, row: int) -> tuple[np.ndarray, np.ndarray]:
        """Return the (term columns, weights) of the stored row ``row``."""
        return self._row_vector(row)

    def text_of(self, row: int) -> str:
        """Return the text stored for row ``row``."""
        return self._texts[row]

    def industry_vector_of(self, row: int) -> np.ndarray:
        """Return the industry vector stored for row ``row``."""
        return self._industries[row]

    def discipline_vector_of(self, row: int) -> np.ndarray:
        """Return the (sharpened) discipline probabilities stored for row ``row``."""
        return self._disciplines[row]

    # ----------------------------------------------------------------- updates
    def __len__(self) -> int:
        """Return the number of live items."""
        return len(self._rows)

    def __contains__(self, item_id: object) -> bool:
        """Return whether ``item_id`` is a live item."""
        return item_id in self._rows

    def add(self, id: Hashable, text: str, attrs: Mapping[str, Any] | None = None) -> None:
        """Add an item, replacing any live item with the same id."""
        if id in self._rows:
            self.remove(id)
        terms = index_terms(analyse(text, self._tokenize))
        cols, weights = self._vectorise_terms(terms)
        row = len(self._ids)
        self._pending.append((cols, weights))
        self._pending_matrix = None
        self._ids.append(id)
        self._rows[id] = row
        if row >= len(self._alive):
            self._alive = _grow(self._alive, row + 1)
            self._industries = _grow(self._industries, row + 1)
            self._disciplines = _grow(self._disciplines, row + 1)
            self._neighbours = _grow(self._neighbours, row + 1)
            self._neighbour_weights = _grow(self._neighbour_weights, row + 1)
            self._smoothed = _grow(self._smoothed, row + 1)
        self._alive[row] = True
        self._industries[row] = self._industry_vector(text)
        self._disciplines[row] = self._item_disciplines([terms])[0]
        self._df[cols] += 1
        self._link(row, cols, weights)
        item_attrs = dict(attrs or {})
        self._attrs.append(item_attrs)
        self._texts.append(text)
        self._post(row, item_attrs)
        if len(self._pending) >= max(MIN_COMPACT_PENDING, self._main.shape[0] // 8):
            self.compact()

    def _link(self, row: int, cols: np.ndarray, weights: np.ndarray) -> None:
        """Link a new ``row`` with its nearest live rows, and them with it where it is nearer.

        Another row takes the new one in place of its weakest live neighbour (or a free slot)
        when the new row is nearer, so that a removed and re-added item is linked as before.
        """
        rare = priors.neighbour_terms(self._df[cols], len(self._rows))
        found, near = self._rare_overlap(cols[rare], weights[rare])
        keep = (found != row) & self._alive[found] & (near > 0)
        found, near = found[keep], near[keep]
        k = priors.NEIGHBOURS
        self._neighbours[row] = row
        self._neighbour_weights[row] = 0.0
        if len(found) == 0:
            self._smoothed[row] = self._disciplines[row]
            return
        best = np.lexsort((found, -near))[:k]
        self._neighbours[row, : len(best)] = found[best]
        self._neighbour_weights[row, : len(best)] = near[best]
        # Each found row's weakest slot, counting slots of removed rows (and free ones) as 0.
        slots = self._neighbours[found]
        held = np.where(self._alive[slots], self._neighbour_weights[found], 0.0)
        held[slots == found[:, None]] = 0.0
        weakest = held.argmin(axis=1)
        nearer = near > held[np.arange(len(found)), weakest]
        self._neighbours[found[nearer], weakest[nearer]] = row
        self._neighbour_weights[found[nearer], weakest[nearer]] = near[nearer]
        changed = np.concatenate([[row], found[nearer]])
        self._smoothed[changed] = self._smooth(changed)

    def _rare_overlap(self, cols: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return the rows using any of the terms ``cols`` and their dot products with them.

        Reads only those terms' postings (and the pending rows), not a score for every row.
        """
        postings = self._main_t[cols]
        found = [postings.indices.astype(np.int64)]
        near = [postings.data * np.repeat(weights, np.diff(postings.indptr))]
        if self._pending:
            pending = self._pending_block()[:, cols] @ weights
            hit = np.flatnonzero(pending)
            found.append(hit + self._main.shape[0])
            near.append(pending[hit])
        rows, position = np.unique(np.concatenate(found), return_inverse=True)
        return rows, np.bincount(position, weights=np.concatenate(near), minlength=len(rows))

    def _smooth(self, rows: np.ndarray) -> np.ndarray:
        """Return the smoothed discipline vectors of ``rows`` (``priors.smooth_disciplines``)."""
        n = len(self._ids)
        return priors.smooth_disciplines(
            self._disciplines[:n],
            self._neighbours[:n],
            self._neighbour_weights[:n],
            self._alive[:n],
            self.neighbour_weight,
            rows,
        )

    def remove(self, id: Hashable) -> None:
        """Remove the item ``id``; raise ``KeyError`` if there is no such live item."""
        row = self._rows.pop(id)
        self._alive[row] = False
        self._df[self._row_vector(row)[0]] -= 1
        # Whoever had it as a neighbour is smoothed again without it.
        n = len(self._ids)
        linked = np.unique(np.flatnonzero(self._neighbours[:n].ravel() == row) // priors.NEIGHBOURS)
        linked = linked[linked != row]
        if len(linked):
            self._smoothed[linked] = self._smooth(linked)

    def compact(self, *, drop_removed: bool | None = None) -> None:
        """Merge pending rows into the main matrix; drop removed items if many (or if asked).

        Merging keeps row numbers, so it is a sparse stack and transpose; dropping removed items
        renumbers rows and rebuilds the filter postings, so by default it only happens once a
        fifth of the rows are tombstones.
        """
        n = len(self._ids)
        if drop_removed is None:
            drop_removed = n - len(self._rows) > n // 5
        if drop_removed:
            matrix = sp.vstack([self._main, self._pending_block()], format="csr")
            keep = np.flatnonzero(self._alive[:n])
            # Renumber the neighbour lists; a removed neighbour becomes the row itself at weight 0.
            new_row = np.full(n, -1, dtype=np.int64)
            new_row[keep] = np.arange(len(keep))
            rows = new_row[self._neighbours[keep]]
            weights = np.where(rows >= 0, self._neighbour_weights[keep], 0.0)
            own = np.broadcast_to(np.arange(len(keep))[:, None], rows.shape)
            rows = np.where(rows >= 0, rows, own)
            self._load_rows(
                [self._ids[r] for r in keep.tolist()],
                [self._texts[r] for r in keep.tolist()],
                sp.csr_matrix(matrix[keep], dtype=np.float32),
                self._industries[keep],
                self._disciplines[keep],
                [self._attrs[r] for r in keep.tolist()],
                neighbours=(rows, weights),
            )
        elif self._pending:
            self._main = sp.vstack([self._main, self._pending_block()], format="csr")
            self._main_t = self._main.T.tocsr()
            self._pending, self._pending_matrix = [], None
        logger.debug("compacted match index: %d rows, %d live", len(self._ids), len(self._rows))

    def _pending_block(self) -> sp.csr_matrix:
        """Return the pending rows as one CSR matrix (cached until the next add)."""
        if self._pending_matrix is None:
            n_terms = len(self.vocabulary)
            if not self._pending:
                self._pending_matrix = sp.csr_matrix((0, n_terms), dtype=np.float32)
            else:
                indptr = np.zeros(len(self._pending) + 1, dtype=np.int64)
                indptr[1:] = np.cumsum([len(c) for c, _ in self._pending])
                self._pending_matrix = sp.csr_matrix(
                    (
                        np.concatenate([w for _, w in self._pending]),
                        np.concatenate([c for c, _ in self._pending]),
                        indptr,
                    ),
                    shape=(len(self._pending), n_terms),
                )
        return self._pending_matrix

    # ----------------------------------------------------------------- filters
    def _post(self, row: int, attrs: Mapping[str, Any]) -> None:
        """Record ``row`` under each of its attribute values (and its industries)."""
        values = dict(attrs)
        if "industry" not in values:
            values["industry"] = self._industry_ids(self._industries[row])
        for key, value in values.items():
            per_key = self._postings.setdefault(key, {})
            for v in _as_values(value):
                per_key.setdefault(v, []).append(row)
                self._posting_cache.pop((key, v), None)

    def _filter_mask(self, filters: Mapping[str, Any], n: int) -> np.ndarray:
        """Return the rows whose attributes match every filter (any value of a list filter)."""
        mask = np.ones(n, dtype=bool)
        for key, wanted in filters.items():
            if key == DISCIPLINE_CODES and key not in self._postings:
                mask &= self._discipline_code_mask(_as_values(wanted), n)
                continue
            allowed = np.zeros(n, dtype=bool)
            per_key = self._postings.get(key, {})
            for v in _as_values(wanted):
                rows = self._posting_cache.get((key, v))
                if rows is None:
                    rows = np.asarray(per_key.get(v, []), dtype=np.int64)
                    self._posting_cache[(key, v)] = rows
                allowed[rows] = True
            mask &= allowed
        return mask

    def _discipline_code_mask(self, codes: Sequence[Any], n: int) -> np.ndarray:
        """Return the rows likely in a discipline with any of the GB/T 13745 ``codes``.

        Used when items carry no ``discipline_codes`` attribute: a row qualifies when one of
        the disciplines mapped to a wanted code has at least ``MIN_PROBABILITY`` in its stored
        (sharpened) discipline vector.
        """
        wanted = {str(c) for c in codes}
        columns = [
            pos
            for pos, name in enumerate(self.disciplines)
            if wanted & set(discipline_codes.all_codes_of(name))
        ]
        if not columns:
            return np.zeros(n, dtype=bool)
        probs = self._disciplines[:n, columns]
        return np.asarray((probs >= discipline_codes.MIN_PROBABILITY).any(axis=1))

    # ----------------------------------------------------------------- search
    def search(self, query: str, k: int = 10, **filters: Any) -> list[Hit]:
        """Return up to ``k`` best live items for ``query`` that pass ``filters``, best first.

        A filter ``key=value`` keeps items whose attribute ``key`` equals ``value``; either side
        may be a list, and then any overlap matches. ``industry`` filters on the item's own
        ``industry`` attribute or, when it has none, on the industries classified from its text;
        ``discipline_codes`` (GB/T 13745 codes, e.g. ``"820"`` or ``"82030"``) likewise falls
        back to the disciplines classified from the text.
        Items sharing neither a word, an industry nor (probably) a discipline with the query are
        never returned.
        """
        n = len(self._ids)
        if k <= 0 or n == 0:
            return []
        q_terms = analyse(query, self._tokenize)
        q_index_terms = index_terms(q_terms)
        cols, weights = self._vectorise_terms(q_index_terms)
        q_ind = self._industry_vector(query)
        live = self._alive[:n].copy()
        if filters:
            live &= self._filter_mask(filters, n)
        words = self._word_scores(cols, weights, n)
        scores = words.copy()
        valid = words > 0
        if self.industry_weight and q_ind.any():
            industry_cos = self._industry_cos(q_ind, n)
            scores += self.industry_weight * industry_cos
            # Without a shared word, only a clearly shared industry makes an item a match.
            valid |= industry_cos >= INDUSTRY_ONLY_MATCH
        q_disc: np.ndarray | None = None
        if (self.discipline_weight or self.category_weight) and q_index_terms:
            q_disc = self._query_disciplines(q_index_terms, words, live)
            scores += self._discipline_prior(q_disc, n)
            # Without a shared word, only a probably shared discipline makes an item a match.
            best = int(np.argmax(q_disc))
            valid |= self._disciplines[:n, best] * q_disc[best] >= SHARED_DISCIPLINE
        expansion = self._feedback_vector(scores, live & (words > 0), exclude=cols)
        sources: set[int] = set()
        if expansion is not None:
            e_cols, e_weights_arr, source_rows, own = expansion
            sources = set(source_rows.tolist())
            related = self._word_scores(e_cols, e_weights_arr, n)
            # Leave one out: a source must not be lifted by its own words.
            related[source_rows] -= own
            # Related words can add at most what the query's own words earned plus a little, so
            # an item matching the query itself stays ahead of one that only resembles a match.
            scores += self.feedback_weight * np.minimum(related, words + FEEDBACK_CAP)
            # An item sharing no query word needs clearly related words to be a match.
            valid |= related >= FEEDBACK_ONLY_MATCH
        candidates = np.flatnonzero(valid & live)
        if len(candidates) > k:
            part = np.argpartition(-scores[candidates], k - 1)[:k]
            candidates = candidates[part]
        # Ties break by insertion order so results are reproducible across save/load.
        order = candidates[np.lexsort((candidates, -scores[candidates]))]
        q_weights = dict(zip(cols.tolist(), weights.tolist(), strict=True))
        e_weights = (
            {}
            if expansion is None
            else {
                c: self.feedback_weight * w
                for c, w in zip(expansion[0].tolist(), expansion[1].tolist(), strict=True)
            }
        )
        return [
            Hit(
                id=self._ids[row],
                score=round(float(scores[row]), 6),
                reasons=explain(
                    self,
                    row,
                    q_terms,
                    q_weights,
                    {} if row in sources else e_weights,
                    q_ind,
                    q_disc,
                ),
            )
            for row in order.tolist()
        ]

    def _industry_cos(self, q_ind: np.ndarray, n: int) -> np.ndarray:
        """Return the cosine of every item's industry vector with ``q_ind``."""
        return priors.industry_cosines(self._industries, q_ind, n)

    def _item_disciplines(self, term_lists: Sequence[Sequence[str]]) -> np.ndarray:
        """Return the stored discipline vectors of items: their sharpened probabilities."""
        return priors.item_disciplines(self._discipline_model, term_lists, len(self.disciplines))

    def _query_disciplines(
        self, terms: Sequence[str], words: np.ndarray, live: np.ndarray
    ) -> np.ndarray:
        """Return the query's discipline probabilities, refined by those of its best matches."""
        return priors.query_disciplines(
            self._discipline_model, self._disciplines, terms, words, live
        )

    def _discipline_prior(self, q_disc: np.ndarray, n: int) -> np.ndarray:
        """Return every item's discipline prior, smoothed over its neighbours (``priors``)."""
        return priors.discipline_prior(
            self._smoothed[:n],
            q_disc,
            self._discipline_parents,
            self._n_categories,
            self.discipline_weight,
            self.category_weight,
        )

    def _word_scores(self, cols: np.ndarray, weights: np.ndarray, n: int) -> np.ndarray:
        """Return the dot product of the sparse query (cols, weights) with every row."""
        scores = np.zeros(n, dtype=np.float32)
        if len(cols):
            n_main = self._main.shape[0]
            scores[:n_main] = weights @ self._main_t[cols]
            if self._pending:
                scores[n_main:] = self._pending_block()[:, cols] @ weights
        return scores

    def _feedback_vector(
        self, first: np.ndarray, eligible: np.ndarray, exclude: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
        """Return the feedback terms and weights, their source rows and each source's own part.

        The items that match the query best say what else people in that field write: their
        score-weighted centroid, cut to its ``feedback_terms`` heaviest terms not in the query,
        becomes a second query (Rocchio-style relevance feedback without the user's clicks).
        """
        if not self.feedback_docs:
            return None
        candidates = np.flatnonzero(eligible)
        if len(candidates) == 0:
            return None
        if len(candidates) > self.feedback_docs:
            top = np.argpartition(-first[candidates], self.feedback_docs - 1)
            candidates = candidates[top[: self.feedback_docs]]
        total: dict[int, float] = {}
        parts: list[dict[int, float]] = []
        for row in candidates.tolist():
            weight = float(first[row])
            row_cols, row_weights = self._row_vector(row)
            part = {
                c: weight * w for c, w in zip(row_cols.tolist(), row_weights.tolist(), strict=True)
            }
            parts.append(part)
            for c, w in part.items():
                total[c] = total.get(c, 0.0) + w
        for c in exclude.tolist():
            total.pop(c, None)
        # A term only one source uses is that person's idiosyncrasy (a city, a side interest);
        # terms that several of the best matches share describe the field.
        if FEEDBACK_MIN_SOURCES > 1 and len(parts) >= FEEDBACK_MIN_SOURCES:
            total = {
                c: w
                for c, w in total.items()
                if sum(c in part for part in parts) >= FEEDBACK_MIN_SOURCES
            }
        # Only specific terms expand a query: words that a twentieth of all items use (研究,
        # 从事, a university's name in a small pool) would pull in everyone.
        min_idf = math.log(FEEDBACK_MAX_DF_SHARE) + 1.0
        total = {c: w for c, w in total.items() if self.idf[c] >= min_idf}
        if not total:
            return None
        best = sorted(total.items(), key=lambda cw: (-cw[1], cw[0]))[: self.feedback_terms]
        best.sort()
        e_cols = np.array([c for c, _ in best], dtype=np.int32)
        e_weights = np.array([w for _, w in best], dtype=np.float32)
        norm = float(np.linalg.norm(e_weights))
        e_weights /= norm
        # What each source adds to its own related score: its part of the centroid · itself.
        own = np.array(
            [sum(part.get(c, 0.0) ** 2 for c, _ in best) / float(first[r]) / norm
             for part, r in zip(parts, candidates.tolist(), strict=True)],
            dtype=np.float32,
        )  # fmt: skip
        return e_cols, e_weights, candidates, own

    def _row_vector(self, row: int) -> tuple[np.ndarray, np.ndarray]:
        """Return the (columns, weights) of a stored row."""
        n_main = self._main.shape[0]
        if row < n_main:
            start, end = self._main.indptr[row], self._main.indptr[row + 1]
            return self._main.indices[start:end], self._main.data[start:end]
        return self._pending[row - n_main]

    # ----------------------------------------------------------------- persistence
    def save(self, path: str | Path) -> None:
        """Write the index to ``path`` as a pickle-free ``.npz`` file (``matching.persistence``)."""
        persistence.save_index(self, path)

    @classmethod
    def load(
        cls, path: str | Path, *, tokenize: Callable[[str], list[str]] | None = None
    ) -> MatchIndex:
        """Read an index written by ``save``; never unpickles anything."""
        return persistence.load_index(cls, path, tokenize=tokenize)


def _unpack(item: Item) -> tuple[Hashable, str, dict[str, Any]]:
    """Split an item into id, text and attributes."""
    if len(item) == 2:
        return item[0], item[1], {}
    if len(item) == 3:
        return item[0], item[1], dict(item[2])
    raise ValueError("an item is (id, text) or (id, text, attrs)")


def _as_values(value: Any) -> list[Hashable]:
    """Return a filter or attribute value as a list of hashable values."""
    if isinstance(value, list | tuple | set | frozenset):
        return list(value)
    return [value]


def _grow(array: np.ndarray, minimum: int) -> np.ndarray:
    """Return ``array`` with room for at least ``minimum`` rows (doubling, zero-filled)."""
    size = max(minimum, 2 * len(array), 16)
    shape = (size, *array.shape[1:])
    if array.ndim > 1 and array.flags.f_contiguous:
        grown = np.zeros(shape, dtype=array.dtype, order="F")
    else:
        grown = np.zeros(shape, dtype=array.dtype)
    grown[: len(array)] = array
    return grown
