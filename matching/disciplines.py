"""Which of CSL's 13 top-level disciplines (工学, 医学, 法学, …) a text belongs to.

A multinomial logistic regression over sublinear TF-IDF term weights, trained by
``matching.discipline_training`` on CSL's 8,000 category-labelled titles and shipped as
``data/models/discipline_classifier.npz`` (arrays plus a JSON header, read without pickle). The
match index uses the probabilities as a discipline prior: a need from medicine prefers doctors.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from matching.resources import data_path

MODEL_FILE = "discipline_classifier.npz"


def model_path() -> Path:
    """Return the path of the shipped discipline model."""
    return data_path("models", MODEL_FILE)


@dataclass(frozen=True)
class DisciplineModel:
    """The classifier's categories, vocabulary, IDF and linear weights."""

    categories: tuple[str, ...]
    term_index: dict[str, int]
    idf: np.ndarray
    coef_t: np.ndarray  # (terms, categories)
    intercept: np.ndarray

    def features(self, term_lists: Iterable[Sequence[str]]) -> sp.csr_matrix:
        """Return the L2-normalised sublinear TF-IDF rows of already analysed term lists."""
        indptr: list[int] = [0]
        cols: list[int] = []
        data: list[int] = []
        for terms in term_lists:
            counts: dict[int, int] = {}
            for term in terms:
                col = self.term_index.get(term)
                if col is not None:
                    counts[col] = counts.get(col, 0) + 1
            cols.extend(counts)
            data.extend(counts.values())
            indptr.append(len(cols))
        matrix = sp.csr_matrix(
            (np.asarray(data, dtype=np.float32), np.asarray(cols, dtype=np.int32), indptr),
            shape=(len(indptr) - 1, len(self.idf)),
        )
        matrix.data = (1.0 + np.log(matrix.data)) * self.idf[matrix.indices]
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        matrix.data /= np.repeat(norms, np.diff(matrix.indptr)).astype(np.float32)
        return matrix

    def probabilities_one(self, terms: Sequence[str]) -> np.ndarray:
        """Return the category probabilities of one analysed term list (no sparse matrix)."""
        counts: dict[int, int] = {}
        for term in terms:
            col = self.term_index.get(term)
            if col is not None:
                counts[col] = counts.get(col, 0) + 1
        logits = self.intercept.astype(np.float64)
        if counts:
            cols = np.fromiter(counts, dtype=np.int64, count=len(counts))
            tf = np.fromiter(counts.values(), dtype=np.float32, count=len(counts))
            weights = (1.0 + np.log(tf)) * self.idf[cols]
            weights /= np.linalg.norm(weights)
            logits = logits + weights @ self.coef_t[cols]
        logits -= logits.max()
        probs = np.exp(logits)
        return (probs / probs.sum()).astype(np.float32)

    def probabilities(self, term_lists: Iterable[Sequence[str]]) -> np.ndarray:
        """Return one row of category probabilities per analysed term list."""
        logits = np.asarray(self.features(term_lists) @ self.coef_t) + self.intercept
        logits -= logits.max(axis=1, keepdims=True)
        probs = np.exp(logits)
        probs /= probs.sum(axis=1, keepdims=True)
        return probs.astype(np.float32)


@cache
def load_model(path: Path | None = None) -> DisciplineModel:
    """Load the discipline model once per process (never unpickles anything)."""
    with np.load(path or model_path(), allow_pickle=False) as npz:
        header = json.loads(npz["header"].tobytes().decode("utf-8"))
        coef = np.asarray(npz["coef"], dtype=np.float32)
        return DisciplineModel(
            categories=tuple(header["categories"]),
            term_index={t: i for i, t in enumerate(header["vocabulary"])},
            idf=np.asarray(npz["idf"], dtype=np.float32),
            coef_t=np.ascontiguousarray(coef.T),
            intercept=np.asarray(npz["intercept"], dtype=np.float32),
        )


def categories() -> tuple[str, ...]:
    """Return the discipline names in the order of the probability vectors."""
    return load_model().categories


def _terms(text: str) -> list[str]:
    """Return the classifier's input terms of ``text`` (the match index's terms)."""
    from matching.index import analyse, index_terms

    return index_terms(analyse(text))


def discipline_probabilities(term_lists: Iterable[Sequence[str]]) -> np.ndarray:
    """Return an (n, categories) array of probabilities for already analysed term lists."""
    return load_model().probabilities(term_lists)


def term_probabilities(terms: Sequence[str]) -> np.ndarray:
    """Return the discipline probabilities of one already analysed term list."""
    return load_model().probabilities_one(terms)


def classify_disciplines_batch(texts: Iterable[str]) -> np.ndarray:
    """Return an (n, categories) array of discipline probabilities, one row per text."""
    return discipline_probabilities([_terms(t) for t in texts])


def classify_disciplines(text: str) -> list[tuple[str, float]]:
    """Return every discipline with its probability for ``text``, most likely first."""
    probs = term_probabilities(_terms(text))
    names = categories()
    order = np.argsort(-probs, kind="stable")
    return [(names[i], float(probs[i])) for i in order.tolist()]
