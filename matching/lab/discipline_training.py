"""Train the discipline classifier from CSL: 8,000 titles with categories, 1,000 dev papers.

Run ``python -m matching.lab.discipline_training --data data/eval/csl-dev`` to rewrite
``data/models/discipline_classifier.npz``. Both parts are sublinear TF-IDF over ``matching.index``
terms (tokens plus their inner dictionary words) feeding a multinomial logistic regression:

* the category model (13 classes) learns from the ``cls_ctg_train.tsv`` titles and the dev titles
  and abstracts;
* the discipline model (67 classes) learns from the dev abstracts (``cls_dcp_dev.tsv``) and titles
  (``cls_ctg_dev.tsv``), the only CSL files with disciplines.

The same pair is fitted a second time on the terms and their characters
(``matching.disciplines.classifier_terms``) to classify queries, which are short like titles
(``--no-query-characters`` leaves it out; ``--characters`` makes the items' model read characters
too, which matching does not gain from).

``huaicai eval match`` scores matching on those same dev papers, so the model header keeps a
SHA-256 fingerprint of every training file, and ``matching.lab.evaluation`` then classifies each
paper with a model cross-fitted without it (``cross_fitted_models``). The solver is deterministic
(lbfgs, fixed fold seed), so the same inputs give the same file.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import logging
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from matching.disciplines import (
    MODEL_FILE,
    MODEL_FORMAT,
    DisciplineModel,
    LinearTextModel,
    classifier_terms,
    vocabulary_of,
)
from matching.disciplines import model_path as default_model_path
from matching.text import analyse, index_terms

logger = logging.getLogger(__name__)

TRAIN_FILE = "cls_ctg_train.tsv"
DEV_ABSTRACTS_FILE = "cls_dcp_dev.tsv"
DEV_TITLES_FILE = "cls_ctg_dev.tsv"
TRAINING_FILES = (TRAIN_FILE, DEV_ABSTRACTS_FILE, DEV_TITLES_FILE)
# Inverse regularisation strengths, chosen on CSL dev out of fold (so tuned on dev): for
# categories C=10 and 30 gave title accuracy 0.737 and 0.731; for disciplines C=10, 30 and 100
# gave title accuracy 0.391, 0.397 and 0.400 and pure-prior P@5 within 0.005 of each other.
CATEGORY_C = 10.0
DISCIPLINE_C = 30.0
# Terms seen in fewer training texts are dropped (mostly typos and one-off names); for the
# discipline model this also halves the file (P@5 0.346 with every term, 0.348 without).
MIN_DOCUMENT_FREQUENCY = 2
CROSS_FIT_FOLDS = 5
CROSS_FIT_SEED = 0
SOURCE = (
    "CSL cls_ctg_train.tsv (8,000 titles, 13 categories) and the dev split's cls_dcp_dev.tsv / "
    "cls_ctg_dev.tsv (1,000 papers, 67 disciplines); CSL, Chinese Scientific Literature "
    "(Li et al., COLING 2022), Apache-2.0"
)


@dataclass(frozen=True)
class TrainingData:
    """The labelled texts behind the model: training titles and the dev papers."""

    titles: list[str]
    title_categories: list[str]
    paper_titles: list[str]
    paper_abstracts: list[str]
    paper_disciplines: list[str]
    paper_categories: list[str]


def read_titles(data_dir: Path) -> tuple[list[str], list[str]]:
    """Read the titles and categories of ``cls_ctg_train.tsv`` (``task<TAB>title<TAB>category``)."""
    return _read_pairs(Path(data_dir) / TRAIN_FILE)


def read_papers(data_dir: Path) -> tuple[list[str], list[str], list[str], list[str]]:
    """Read titles, abstracts, disciplines and categories of the dev papers (line i = paper i)."""
    abstracts, disciplines = _read_pairs(Path(data_dir) / DEV_ABSTRACTS_FILE)
    titles, categories = _read_pairs(Path(data_dir) / DEV_TITLES_FILE)
    if len(titles) != len(abstracts):
        raise ValueError(f"{DEV_ABSTRACTS_FILE} and {DEV_TITLES_FILE} must have the same papers")
    return titles, abstracts, disciplines, categories


def _read_pairs(path: Path) -> tuple[list[str], list[str]]:
    """Read the text and label columns of a CSL ``task<TAB>text<TAB>label`` file."""
    texts, labels = [], []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                _, text, label = line.rstrip("\n").split("\t")
                texts.append(text)
                labels.append(label)
    return texts, labels


def read_training_data(data_dir: Path) -> TrainingData:
    """Read every file the model learns from."""
    titles, title_categories = read_titles(data_dir)
    return TrainingData(titles, title_categories, *read_papers(data_dir))


def file_fingerprint(path: Path) -> str:
    """Return the SHA-256 hex digest of a file's bytes."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def training_fingerprints(data_dir: Path) -> dict[str, str]:
    """Return the SHA-256 of each training file found in ``data_dir``."""
    return {
        name: file_fingerprint(Path(data_dir) / name)
        for name in TRAINING_FILES
        if (Path(data_dir) / name).is_file()
    }


# Intercept of a class that had no training example (a rare discipline whose papers all fell in
# the held-out fold): its probability is then about e^-30 of the others'.
ABSENT_CLASS_INTERCEPT = -30.0


def _fit(
    term_lists: Sequence[Sequence[str]], labels: Sequence[str], c: float, classes: Sequence[str]
) -> tuple[LinearTextModel, list[str]]:
    """Fit one TF-IDF + logistic regression model over ``classes``; return it and its vocabulary.

    Classes without a training example get zero weights and a very low intercept, so that
    every model of a cross-fit scores the same classes in the same order.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    def analyser(terms: list[str]) -> list[str]:
        return terms

    vectorizer = TfidfVectorizer(
        analyzer=analyser, sublinear_tf=True, min_df=MIN_DOCUMENT_FREQUENCY, dtype=np.float32
    )
    features = vectorizer.fit_transform(term_lists)
    model = LogisticRegression(C=c, max_iter=5000)
    model.fit(features, list(labels))
    vocabulary = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.__getitem__)
    fitted = [str(label) for label in model.classes_]
    coef = np.zeros((len(classes), len(vocabulary)), dtype=np.float32)
    intercept = np.full(len(classes), ABSENT_CLASS_INTERCEPT, dtype=np.float32)
    rows = [list(classes).index(label) for label in fitted]
    # scikit-learn keeps a single row for two classes; CSL always has more than two.
    coef[rows] = model.coef_
    intercept[rows] = model.intercept_
    linear = LinearTextModel(
        classes=tuple(classes),
        term_index={t: i for i, t in enumerate(vocabulary)},
        idf=vectorizer.idf_.astype(np.float32),
        coef_t=np.ascontiguousarray(coef.T),
        intercept=intercept,
    )
    return linear, vocabulary


def train(
    data: TrainingData,
    papers: Sequence[int] | None = None,
    *,
    fingerprints: dict[str, str] | None = None,
    characters: bool = False,
    query_characters: bool = True,
) -> DisciplineModel:
    """Fit the model on the training titles and the dev ``papers`` (default: all of them)."""
    members = range(len(data.paper_titles)) if papers is None else papers
    title_terms = [index_terms(analyse(t)) for t in data.titles]
    paper_title_terms = [index_terms(analyse(data.paper_titles[i])) for i in members]
    paper_abstract_terms = [index_terms(analyse(data.paper_abstracts[i])) for i in members]
    return train_terms(
        data,
        list(members),
        title_terms,
        paper_title_terms,
        paper_abstract_terms,
        fingerprints=fingerprints,
        characters=characters,
        query_characters=query_characters,
    )


def train_terms(
    data: TrainingData,
    members: Sequence[int],
    title_terms: Sequence[Sequence[str]],
    paper_title_terms: Sequence[Sequence[str]],
    paper_abstract_terms: Sequence[Sequence[str]],
    *,
    fingerprints: dict[str, str] | None = None,
    characters: bool = False,
    query_characters: bool = True,
) -> DisciplineModel:
    """Fit the model from already analysed texts (``paper_*_terms`` follow ``members``).

    With ``characters`` every text also gives the characters of its terms as features. With
    ``query_characters`` (and not ``characters``) a second model that reads them too classifies
    queries (``DisciplineModel.query_model``); its weights are rounded to float16 as the file
    stores them, so a model classifies the same before and after it is written.
    """
    texts = (title_terms, paper_title_terms, paper_abstract_terms)
    model = _train_pair(data, members, *(_inputs(t, characters) for t in texts))
    query_model = None
    if query_characters and not characters:
        query_model = _train_pair(data, members, *(_inputs(t, True) for t in texts))
        query_model = DisciplineModel(
            _rounded(query_model.category_model),
            _rounded(query_model.discipline_model),
            query_model.parents,
            {"character_features": True},
        )
    header: dict[str, object] = {
        "format": MODEL_FORMAT,
        "categories": list(model.categories),
        "disciplines": list(model.disciplines),
        "category_vocabulary": vocabulary_of(model.category_model),
        "discipline_vocabulary": vocabulary_of(model.discipline_model),
        "features": (
            "sublinear TF-IDF over matching.disciplines.classifier_terms of "
            "index_terms(analyse(text)): the terms and their characters, L2"
            if characters
            else "sublinear TF-IDF over matching.index.index_terms(analyse(text)), L2"
        ),
        "character_features": characters,
        "query_features": (
            "queries: sublinear TF-IDF over matching.disciplines.classifier_terms (terms and "
            "their characters), L2; weights stored as float16"
            if query_model is not None
            else "queries: as items"
        ),
        "model": (
            f"P(category) x P(discipline | category); multinomial logistic regressions, "
            f"C={CATEGORY_C} (categories), C={DISCIPLINE_C} (disciplines)"
        ),
        "training_papers": len(members),
        "training_files": dict(fingerprints or {}),
        "source": SOURCE,
    }
    return DisciplineModel(
        model.category_model, model.discipline_model, model.parents, header, query_model
    )


def _inputs(term_lists: Sequence[Sequence[str]], characters: bool) -> list[list[str]]:
    """Return the model inputs of analysed term lists: the terms, maybe with their characters."""
    return [classifier_terms(terms) if characters else list(terms) for terms in term_lists]


def _rounded(model: LinearTextModel) -> LinearTextModel:
    """Return ``model`` with its weights rounded to float16, as ``DisciplineModel.arrays``
    stores a query model's."""
    coef = model.coef_t.astype(np.float16).astype(np.float32)
    return dataclasses.replace(model, coef_t=np.ascontiguousarray(coef))


def _train_pair(
    data: TrainingData,
    members: Sequence[int],
    title_inputs: Sequence[Sequence[str]],
    paper_title_inputs: Sequence[Sequence[str]],
    paper_abstract_inputs: Sequence[Sequence[str]],
) -> DisciplineModel:
    """Fit the category and the discipline model on one kind of input (header left empty)."""
    paper_categories = [data.paper_categories[i] for i in members]
    paper_disciplines = [data.paper_disciplines[i] for i in members]
    category_model, _ = _fit(
        [*title_inputs, *paper_title_inputs, *paper_abstract_inputs],
        [*data.title_categories, *paper_categories, *paper_categories],
        CATEGORY_C,
        sorted({*data.title_categories, *data.paper_categories}),
    )
    discipline_model, _ = _fit(
        [*paper_abstract_inputs, *paper_title_inputs],
        [*paper_disciplines, *paper_disciplines],
        DISCIPLINE_C,
        sorted(set(data.paper_disciplines)),
    )
    # Every discipline belongs to one category (CSL's own hierarchy, read off the dev papers).
    parent_of: dict[str, str] = {}
    for i in range(len(data.paper_titles)):
        known = parent_of.setdefault(data.paper_disciplines[i], data.paper_categories[i])
        if known != data.paper_categories[i]:
            raise ValueError(f"discipline {data.paper_disciplines[i]} is in two categories")
    position = {c: j for j, c in enumerate(category_model.classes)}
    parents = np.array([position[parent_of[d]] for d in discipline_model.classes], np.int64)
    return DisciplineModel(category_model, discipline_model, parents, {})


def assign_folds(
    titles: Sequence[Hashable], abstracts: Sequence[Hashable], folds: int, seed: int
) -> np.ndarray:
    """Return each paper's fold; papers sharing a title or an abstract share a fold.

    Titles and abstracts may be given as analysed terms (tuples): a model must not have seen
    the very input it classifies, even under another paper's name.
    """
    parent = list(range(len(titles)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_with: dict[Hashable, int] = {}
    for i, text in enumerate([*titles, *abstracts]):
        paper = i % len(titles)
        other = first_with.setdefault(text, paper)
        parent[root(paper)] = root(other)
    groups = [root(i) for i in range(len(titles))]
    unique = sorted(set(groups))
    order = np.random.default_rng(seed).permutation(len(unique))
    fold_of_group = {unique[g]: rank % folds for rank, g in enumerate(order.tolist())}
    return np.array([fold_of_group[g] for g in groups], dtype=np.int64)


@dataclass(frozen=True)
class CrossFittedModels:
    """One model per fold, each trained without that fold's papers, used as one classifier.

    It classifies only the dev papers' titles and abstracts (as analysed terms), each with the
    model of its own fold, so that no paper is classified by a model that saw it; it stands in
    for the shipped model where ``MatchIndex`` takes a ``discipline_model``.
    """

    folds: np.ndarray  # fold of each dev paper
    models: list[DisciplineModel]
    fold_of_terms: dict[tuple[str, ...], int]

    @property
    def disciplines(self) -> tuple[str, ...]:
        """Return the discipline names (the same for every fold)."""
        return self.models[0].disciplines

    @property
    def categories(self) -> tuple[str, ...]:
        """Return the category names (the same for every fold)."""
        return self.models[0].categories

    @property
    def parents(self) -> np.ndarray:
        """Return the category index of each discipline."""
        return self.models[0].parents

    def _fold(self, terms: Sequence[str]) -> int:
        """Return the fold of the paper whose title or abstract analyses to ``terms``."""
        fold = self.fold_of_terms.get(tuple(terms))
        if fold is None:
            raise ValueError("a cross-fitted model only classifies the papers it was fitted on")
        return fold

    def probabilities(self, term_lists: Sequence[Sequence[str]]) -> np.ndarray:
        """Return each term list's probabilities from the model of its paper's fold."""
        term_lists = list(term_lists)
        probs = np.zeros((len(term_lists), len(self.disciplines)), dtype=np.float32)
        folds = np.array([self._fold(t) for t in term_lists], dtype=np.int64)
        for fold, model in enumerate(self.models):
            rows = np.flatnonzero(folds == fold)
            if len(rows):
                probs[rows] = model.probabilities([term_lists[r] for r in rows.tolist()])
        return probs

    def probabilities_one(self, terms: Sequence[str]) -> np.ndarray:
        """Return the probabilities of one title or abstract from its fold's model."""
        return self.models[self._fold(terms)].probabilities_one(terms)

    def query_probabilities(self, terms: Sequence[str]) -> np.ndarray:
        """Return the query probabilities of one title or abstract from its fold's model."""
        return self.models[self._fold(terms)].query_probabilities(terms)


def cross_fitted_models(
    data_dir: Path,
    folds: int = CROSS_FIT_FOLDS,
    seed: int = CROSS_FIT_SEED,
    *,
    characters: bool | None = None,
    query_characters: bool | None = None,
) -> CrossFittedModels:
    """Train ``folds`` models on ``data_dir``, each on every dev paper outside its fold.

    ``characters`` adds the terms' characters as features, ``query_characters`` a query model
    that reads them (``train_terms``); both default to what the shipped model does.
    """
    from matching.disciplines import load_model

    if characters is None:
        characters = load_model().character_features
    if query_characters is None:
        query_model = load_model().query_model
        query_characters = query_model is not None and query_model.character_features
    data = read_training_data(data_dir)
    title_terms = [index_terms(analyse(t)) for t in data.titles]
    paper_titles = [index_terms(analyse(t)) for t in data.paper_titles]
    paper_abstracts = [index_terms(analyse(t)) for t in data.paper_abstracts]
    keys = [tuple(t) for t in paper_titles], [tuple(t) for t in paper_abstracts]
    fold_of = assign_folds(*keys, folds, seed)
    models = []
    for fold in range(folds):
        members = np.flatnonzero(fold_of != fold).tolist()
        models.append(
            train_terms(
                data,
                members,
                title_terms,
                [paper_titles[i] for i in members],
                [paper_abstracts[i] for i in members],
                characters=characters,
                query_characters=query_characters,
            )
        )
        logger.info("cross-fitted discipline model %d/%d", fold + 1, folds)
    fold_of_terms = {
        key: int(fold_of[paper]) for per_paper in keys for paper, key in enumerate(per_paper)
    }
    return CrossFittedModels(fold_of, models, fold_of_terms)


def write_model(model: DisciplineModel, path: Path) -> None:
    """Write ``model`` as a pickle-free ``.npz`` file."""
    with Path(path).open("wb") as fh:
        np.savez_compressed(fh, **model.arrays())  # type: ignore[arg-type]


def main(argv: Sequence[str] | None = None) -> None:
    """Rebuild ``data/models/discipline_classifier.npz`` from the CSL files."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--data", type=Path, required=True, help="CSL folder with " + ", ".join(TRAINING_FILES)
    )
    parser.add_argument("--out", type=Path, default=None, help=f"default: data/models/{MODEL_FILE}")
    parser.add_argument(
        "--characters",
        action="store_true",
        help="items too are classified from the characters of each term (title accuracy up, "
        "P@5 not)",
    )
    parser.add_argument(
        "--no-query-characters",
        dest="query_characters",
        action="store_false",
        help="classify queries with the items' model (no character model for queries)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    data = read_training_data(args.data)
    model = train(
        data,
        fingerprints=training_fingerprints(args.data),
        characters=args.characters,
        query_characters=args.query_characters,
    )
    out = args.out or default_model_path()
    write_model(model, out)
    logger.info(
        "wrote %s: %d titles, %d papers, %d + %d terms",
        out,
        len(data.titles),
        len(data.paper_titles),
        len(model.category_model.idf),
        len(model.discipline_model.idf),
    )


if __name__ == "__main__":
    main()
