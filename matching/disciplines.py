"""Which of CSL's 67 disciplines (材料科学与工程, 中医学/中药学, 法学, …) a text belongs to.

Two multinomial logistic regressions over sublinear TF-IDF term weights, trained by
``matching.lab.discipline_training`` and shipped as ``data/models/discipline_classifier.npz``
(arrays plus a JSON header, read without pickle):

* a *category* model over CSL's 13 top-level categories (工学, 医学, 法学, …), learned from 8,000
  training titles plus the 1,000 dev titles and abstracts;
* a *discipline* model over the 67 disciplines, learned from the 1,000 dev abstracts and titles
  (about 15 papers per discipline, too few to tell the categories apart reliably).

Both read a text's index terms. They are combined hierarchically: P(discipline) = P(category) ×
P(discipline | category), where the second factor is the discipline model's probabilities
renormalised within the discipline's category. The match index uses these probabilities as a
discipline prior: a need from medicine prefers doctors.

The file holds a second pair of the same kind for queries (``query_probabilities``): it also reads
each character of the terms (``classifier_terms``). A need is short, like a paper's title: it has
about ten terms, and a rare one may be in no training text while its characters (血, 肾, 桥, 钢,
…) are. Items (profiles, abstracts) keep the terms-only pair: on abstracts characters gain
nothing, and a short profile that lists two unrelated words (玉米和轴承) would get a confident
discipline from their characters alone (轴, 承 → 材料科学与工程).
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
MODEL_FORMAT = 3
# Character features are told apart from terms by this prefix (no term starts with it).
CHARACTER_PREFIX = "#"


def classifier_terms(terms: Sequence[str]) -> list[str]:
    """Return the model's input features of analysed ``terms``: the terms, then their characters.

    On CSL dev titles, out of fold, this took discipline accuracy from 0.391 to 0.444. Used for
    both titles and abstracts it took matching's P@5 (own abstract excluded) only from 0.379 to
    0.381, nested 0.377: abstracts classified with characters cost what titles gained. So only
    the query model reads characters (``DisciplineModel.query_model``).
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

    def arrays(self, prefix: str, coef_dtype: type = np.float32) -> dict[str, np.ndarray]:
        """Return the arrays that store this model in an ``.npz`` file."""
        return {
            f"{prefix}_idf": self.idf.astype(np.float32),
            f"{prefix}_coef": np.ascontiguousarray(self.coef_t.T, dtype=coef_dtype),
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

    def query_probabilities(self, terms: Sequence[str]) -> np.ndarray:
        """Return the float32 discipline probabilities of one analysed query (a need)."""
        ...


@dataclass(frozen=True)
class DisciplineModel:
    """The category model, the discipline model and which category each discipline is in.

    ``query_model``, when there is one, classifies queries (``query_probabilities``): a model of
    the same disciplines that also reads characters.
    """

    category_model: LinearTextModel
    discipline_model: LinearTextModel
    parents: np.ndarray  # category index of each discipline
    header: dict[str, object]
    query_model: DisciplineModel | None = None

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

    def query_probabilities(self, terms: Sequence[str]) -> np.ndarray:
        """Return the discipline probabilities of one analysed query (the query model's)."""
        if self.query_model is None:
            return self.probabilities_one(terms)
        return self.query_model.probabilities_one(terms)

    def category_probabilities(self, term_lists: Sequence[Sequence[str]]) -> np.ndarray:
        """Return an (n, categories) array of category probabilities of analysed term lists."""
        features = [self._inputs(terms) for terms in term_lists]
        return self.category_model.probabilities(features).astype(np.float32)

    def arrays(self) -> dict[str, np.ndarray]:
        """Return the arrays of the model file (the JSON header included).

        The query model's weights are stored as float16, which keeps the file under 4 MB
        (``train_terms`` rounds them so already).
        """
        header = dict(self.header)
        arrays = {
            "parents": self.parents.astype(np.int32),
            **self.category_model.arrays("category"),
            **self.discipline_model.arrays("discipline"),
        }
        if self.query_model is not None:
            query = self.query_model
            header["query_character_features"] = query.character_features
            header["query_category_vocabulary"] = vocabulary_of(query.category_model)
            header["query_discipline_vocabulary"] = vocabulary_of(query.discipline_model)
            arrays.update(query.category_model.arrays(f"{QUERY}_category", np.float16))
            arrays.update(query.discipline_model.arrays(f"{QUERY}_discipline", np.float16))
        blob = np.frombuffer(json.dumps(header, ensure_ascii=False).encode("utf-8"), np.uint8)
        return {"header": blob, **arrays}


# Prefix of the query model's arrays and header keys in the model file.
QUERY = "query"
VOCABULARIES = ("category_vocabulary", "discipline_vocabulary")


def vocabulary_of(model: LinearTextModel) -> list[str]:
    """Return a linear model's terms in column order."""
    return sorted(model.term_index, key=model.term_index.__getitem__)


def read_model(path: Path) -> DisciplineModel:
    """Read a discipline model file (never unpickles anything)."""
    with np.load(path, allow_pickle=False) as npz:
        header = json.loads(npz["header"].tobytes().decode("utf-8"))
        if header.get("format") != MODEL_FORMAT:
            raise ValueError(f"unsupported discipline model format: {header.get('format')!r}")
        arrays = {name: npz[name] for name in npz.files}
    parents = np.asarray(arrays["parents"], dtype=np.int64)

    def linear_pair(prefix: str) -> tuple[LinearTextModel, LinearTextModel]:
        return (
            LinearTextModel.from_arrays(
                header["categories"],
                header[f"{prefix}category_vocabulary"],
                arrays,
                f"{prefix}category",
            ),
            LinearTextModel.from_arrays(
                header["disciplines"],
                header[f"{prefix}discipline_vocabulary"],
                arrays,
                f"{prefix}discipline",
            ),
        )

    query_model = None
    if f"{QUERY}_category_vocabulary" in header:
        query_model = DisciplineModel(
            *linear_pair(f"{QUERY}_"),
            parents=parents,
            header={"character_features": bool(header["query_character_features"])},
        )
    return DisciplineModel(
        *linear_pair(""),
        parents=parents,
        header={
            k: v
            for k, v in header.items()
            if k not in VOCABULARIES and not k.startswith(f"{QUERY}_")
        },
        query_model=query_model,
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
