"""Which of CSL's 67 disciplines (材料科学与工程, 中医学/中药学, 法学, …) a text belongs to.

Two multinomial logistic regressions over sublinear TF-IDF term weights, trained by
``matching.lab.discipline_training`` and shipped as ``data/models/discipline_classifier.npz``
(arrays plus a JSON header, read without pickle):

* a *category* model over CSL's 13 top-level categories (工学, 医学, 法学, …), learned from 8,000
  training titles plus the 1,000 dev titles and abstracts;
* a *discipline* model over the 67 disciplines, learned from the 1,000 dev abstracts and titles
  (about 15 papers per discipline, too few to tell the categories apart reliably).

Both read a text's index terms; a model trained with ``--characters`` (header
``character_features``) also reads each character of those terms (``classifier_terms``): a title
has about ten terms, and a rare one may be in no training text while its characters (血, 肾, 桥,
钢, …) are. They are combined hierarchically: P(discipline) = P(category) ×
P(discipline | category), where the second factor is the discipline model's probabilities
renormalised within the discipline's category. The match index uses these probabilities as a
discipline prior: a need from medicine prefers doctors.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Protocol

import numpy as np
import scipy.sparse as sp

from matching.resources import data_path
from matching.text import analyse, index_terms

MODEL_FILE = "discipline_classifier.npz"
MODEL_FORMAT = 2
# Character features are told apart from terms by this prefix (no term starts with it).
CHARACTER_PREFIX = "#"


def classifier_terms(terms: Sequence[str]) -> list[str]:
    """Return the model's input features of analysed ``terms``: the terms, then their characters.

    On CSL dev titles, out of fold, this took discipline accuracy from 0.391 to 0.443, but
    matching's P@5 (own abstract excluded) only from 0.379 to 0.381, nested 0.377: abstracts
    classified with characters cost what titles gained. The shipped model is trained without.
    """
    return [*terms, *(CHARACTER_PREFIX + ch for term in terms for ch in term)]


def model_path() -> Path:
    """Return the path of the shipped discipline model."""
    return data_path("models", MODEL_FILE)


@dataclass(frozen=True)
class LinearTextModel:
    """One linear classifier: its classes, vocabulary, IDF and weights."""

    classes: tuple[str, ...]
    term_index: dict[str, int]
    idf: np.ndarray
    coef_t: np.ndarray  # (terms, classes)
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
        """Return the class probabilities of one analysed term list (no sparse matrix)."""
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
        return probs / probs.sum()

    def probabilities(self, term_lists: Iterable[Sequence[str]]) -> np.ndarray:
        """Return one row of class probabilities per analysed term list."""
        logits = np.asarray(self.features(term_lists) @ self.coef_t, dtype=np.float64)
        logits += self.intercept
        logits -= logits.max(axis=1, keepdims=True)
        probs = np.exp(logits)
        probs /= probs.sum(axis=1, keepdims=True)
        return probs

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        """Return the arrays that store this model in an ``.npz`` file."""
        return {
            f"{prefix}_idf": self.idf.astype(np.float32),
            f"{prefix}_coef": np.ascontiguousarray(self.coef_t.T, dtype=np.float32),
            f"{prefix}_intercept": self.intercept.astype(np.float32),
        }

    @classmethod
    def from_arrays(
        cls,
        classes: Sequence[str],
        vocabulary: Sequence[str],
        npz: dict[str, np.ndarray],
        prefix: str,
    ) -> LinearTextModel:
        """Rebuild a model from the arrays written by ``arrays``."""
        coef = np.asarray(npz[f"{prefix}_coef"], dtype=np.float32)
        return cls(
            classes=tuple(classes),
            term_index={t: i for i, t in enumerate(vocabulary)},
            idf=np.asarray(npz[f"{prefix}_idf"], dtype=np.float32),
            coef_t=np.ascontiguousarray(coef.T),
            intercept=np.asarray(npz[f"{prefix}_intercept"], dtype=np.float32),
        )


class DisciplineClassifier(Protocol):
    """What the match index needs from a discipline classifier (the shipped one or a stand-in)."""

    @property
    def disciplines(self) -> tuple[str, ...]:
        """Return the discipline names in the order of the probability vectors."""
        ...

    @property
    def parents(self) -> np.ndarray:
        """Return the category index of each discipline."""
        ...

    @property
    def categories(self) -> tuple[str, ...]:
        """Return the category names that ``parents`` points into."""
        ...

    def probabilities(self, term_lists: Sequence[Sequence[str]]) -> np.ndarray:
        """Return an (n, disciplines) float32 array of probabilities of analysed term lists."""
        ...

    def probabilities_one(self, terms: Sequence[str]) -> np.ndarray:
        """Return the float32 discipline probabilities of one analysed term list."""
        ...


@dataclass(frozen=True)
class DisciplineModel:
    """The category model, the discipline model and which category each discipline is in."""

    category_model: LinearTextModel
    discipline_model: LinearTextModel
    parents: np.ndarray  # category index of each discipline
    header: dict[str, object]

    @property
    def disciplines(self) -> tuple[str, ...]:
        """Return the discipline names in the order of the probability vectors."""
        return self.discipline_model.classes

    @property
    def character_features(self) -> bool:
        """Return whether the model reads the characters of the terms too."""
        return bool(self.header.get("character_features", False))

    def _inputs(self, terms: Sequence[str]) -> list[str]:
        """Return the model's input features of one analysed term list."""
        return classifier_terms(terms) if self.character_features else list(terms)

    @property
    def categories(self) -> tuple[str, ...]:
        """Return the category names in the order of the category probabilities."""
        return self.category_model.classes

    def _combine(self, category: np.ndarray, discipline: np.ndarray) -> np.ndarray:
        """Return P(category) × P(discipline | category), rows of (n, disciplines)."""
        membership = np.eye(len(self.categories))[self.parents]  # (disciplines, categories)
        within = discipline @ membership  # each category's share in the discipline model
        combined = discipline / np.maximum(within[:, self.parents], 1e-12)
        combined *= category[:, self.parents]
        combined /= combined.sum(axis=1, keepdims=True)
        return combined.astype(np.float32)

    def probabilities(self, term_lists: Sequence[Sequence[str]]) -> np.ndarray:
        """Return an (n, disciplines) array of probabilities of analysed term lists."""
        term_lists = [self._inputs(terms) for terms in term_lists]
        if not term_lists:
            return np.zeros((0, len(self.disciplines)), dtype=np.float32)
        return self._combine(
            self.category_model.probabilities(term_lists),
            self.discipline_model.probabilities(term_lists),
        )

    def probabilities_one(self, terms: Sequence[str]) -> np.ndarray:
        """Return the discipline probabilities of one analysed term list."""
        terms = self._inputs(terms)
        return self._combine(
            self.category_model.probabilities_one(terms)[None, :],
            self.discipline_model.probabilities_one(terms)[None, :],
        )[0]

    def category_probabilities(self, term_lists: Sequence[Sequence[str]]) -> np.ndarray:
        """Return an (n, categories) array of category probabilities of analysed term lists."""
        features = [self._inputs(terms) for terms in term_lists]
        return self.category_model.probabilities(features).astype(np.float32)

    def arrays(self) -> dict[str, np.ndarray]:
        """Return the arrays of the model file (the JSON header included)."""
        blob = np.frombuffer(json.dumps(self.header, ensure_ascii=False).encode("utf-8"), np.uint8)
        return {
            "header": blob,
            "parents": self.parents.astype(np.int32),
            **self.category_model.arrays("category"),
            **self.discipline_model.arrays("discipline"),
        }


def read_model(path: Path) -> DisciplineModel:
    """Read a discipline model file (never unpickles anything)."""
    with np.load(path, allow_pickle=False) as npz:
        header = json.loads(npz["header"].tobytes().decode("utf-8"))
        if header.get("format") != MODEL_FORMAT:
            raise ValueError(f"unsupported discipline model format: {header.get('format')!r}")
        arrays = {name: npz[name] for name in npz.files}
    return DisciplineModel(
        category_model=LinearTextModel.from_arrays(
            header["categories"], header["category_vocabulary"], arrays, "category"
        ),
        discipline_model=LinearTextModel.from_arrays(
            header["disciplines"], header["discipline_vocabulary"], arrays, "discipline"
        ),
        parents=np.asarray(arrays["parents"], dtype=np.int64),
        header={
            k: v
            for k, v in header.items()
            if k not in ("category_vocabulary", "discipline_vocabulary")
        },
    )


@cache
def load_model(path: Path | None = None) -> DisciplineModel:
    """Load the shipped discipline model once per process."""
    return read_model(path or model_path())


def disciplines() -> tuple[str, ...]:
    """Return the discipline names in the order of the probability vectors."""
    return load_model().disciplines


def categories() -> tuple[str, ...]:
    """Return the top-level category names in the order of ``classify_categories``."""
    return load_model().categories


def _terms(text: str) -> list[str]:
    """Return the classifier's input terms of ``text`` (the match index's terms)."""
    return index_terms(analyse(text))


def classify_disciplines_batch(texts: Iterable[str]) -> np.ndarray:
    """Return an (n, disciplines) array of discipline probabilities, one row per text."""
    return load_model().probabilities([_terms(t) for t in texts])


def classify_disciplines(text: str) -> list[tuple[str, float]]:
    """Return every discipline with its probability for ``text``, most likely first."""
    probs = load_model().probabilities_one(_terms(text))
    names = disciplines()
    order = np.argsort(-probs, kind="stable")
    return [(names[i], float(probs[i])) for i in order.tolist()]


def classify_categories(text: str) -> list[tuple[str, float]]:
    """Return every top-level category with its probability for ``text``, most likely first."""
    probs = load_model().category_probabilities([_terms(text)])[0]
    names = categories()
    order = np.argsort(-probs, kind="stable")
    return [(names[i], float(probs[i])) for i in order.tolist()]
