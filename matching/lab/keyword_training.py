"""Learn the keyword ranker, the corpus IDF and the author-keyword lexicon from CSL dev only.

Run ``python -m matching.lab.keyword_training --data data/eval/csl-dev`` to rewrite
``data/models/keyword_idf.json`` (phrase document frequencies over the dev abstracts with their
titles plus the 8,000 category titles; phrases seen in one document only are dropped),
``data/models/keyword_lexicon.json`` (in how many dev papers each author keyword is listed) and
``data/models/keyword_ranker.json`` (logistic-regression coefficients over
``matching.keywords.FEATURE_NAMES``, fitted on all of CSL dev, each paper featurised as if the
IDF and the lexicon had not counted it). ``evaluation.evaluate_keywords`` uses
``cross_validated_as_published`` to score every paper with a ranker, an IDF and a lexicon built
from the other folds only.
"""

from __future__ import annotations

import argparse
import json
import logging
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from matching import keywords
from matching.resources import data_path

logger = logging.getLogger(__name__)

N_FOLDS = 5
# Inverse regularisation strength of the logistic regression (chosen by cross-validation on dev).
REGULARISATION_C = 1.0
MIN_DOCUMENT_FREQUENCY = 2


@dataclass(frozen=True)
class Paper:
    """One CSL paper: title, abstract, author keywords, and its text field as published."""

    title: str
    abstract: str
    keywords: tuple[str, ...]
    published: str = ""

    @property
    def text(self) -> str:
        """Return the title on its own line, then the abstract (a re-assembled text)."""
        return f"{self.title}\n{self.abstract}"

    @property
    def field(self) -> str:
        """Return the extraction input as CSL publishes it: abstract, a space, the title."""
        return self.published or f"{self.abstract} {self.title}"


def normalise_keyword(keyword: str) -> str:
    """Return ``keyword`` as compared in evaluation: NFKC, lower-case, outer spaces stripped."""
    return unicodedata.normalize("NFKC", keyword).lower().strip()


def read_papers(data_dir: Path) -> list[Paper]:
    """Read CSL's ``kg_dev.tsv`` (``task<TAB>abstract title<TAB>kw1_kw2_…``) under ``data_dir``.

    The abstract and the title are joined by one space in that file; ``cls_ctg_dev.tsv`` (same
    papers, same order) gives the exact title when it is there, else the last space splits them.
    """
    data_dir = Path(data_dir)
    rows = []
    with (data_dir / "kg_dev.tsv").open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                fields = line.rstrip("\n").split("\t")
                rows.append((fields[-2], fields[-1]))
    titles: list[str] | None = None
    titles_file = data_dir / "cls_ctg_dev.tsv"
    if titles_file.exists():
        with titles_file.open(encoding="utf-8") as fh:
            titles = [line.rstrip("\n").split("\t")[-2] for line in fh if line.strip()]
        if len(titles) != len(rows):
            titles = None
    papers = []
    for i, (joined, keyword_field) in enumerate(rows):
        if titles is not None and joined.endswith(" " + titles[i]):
            title = titles[i]
            abstract = joined[: -len(title) - 1]
        else:
            abstract, _, title = joined.rpartition(" ")
        found = tuple(k for k in keyword_field.split("_") if k.strip())
        papers.append(Paper(title=title, abstract=abstract, keywords=found, published=joined))
    return papers


def read_titles(path: Path) -> list[str]:
    """Read the titles of a CSL ``cls_ctg_*.tsv`` file (``task<TAB>title<TAB>category``)."""
    with Path(path).open(encoding="utf-8") as fh:
        return [line.rstrip("\n").split("\t")[-2] for line in fh if line.strip()]


def document_frequencies(texts: Sequence[str]) -> dict[str, int]:
    """Count in how many of ``texts`` each candidate phrase occurs (kept from df 2 on)."""
    counts: Counter[str] = Counter()
    for body in texts:
        counts.update(keywords.candidate_phrases(body))
    return {k: v for k, v in sorted(counts.items()) if v >= MIN_DOCUMENT_FREQUENCY}


@dataclass(frozen=True)
class CandidateSet:
    """The candidates of one paper, their features and whether each is an author keyword."""

    names: list[str]
    features: np.ndarray
    labels: np.ndarray
    gold: frozenset[str]


@dataclass(frozen=True)
class Counted:
    """What was counted over the training papers: phrase IDF and author-keyword counts."""

    idf: keywords.IdfTable
    author_keywords: dict[str, int]


def author_keyword_counts(papers: Sequence[Paper]) -> dict[str, int]:
    """Count in how many of ``papers`` each normalised phrase is an author keyword."""
    counts: Counter[str] = Counter()
    for paper in papers:
        counts.update({normalise_keyword(k) for k in paper.keywords})
    return dict(sorted(counts.items()))


def candidate_sets(
    papers: Sequence[Paper],
    *,
    published: bool = False,
    leave_one_out: Counted | None = None,
) -> list[CandidateSet]:
    """Compute candidates, features and labels of every paper (of its field if ``published``).

    With ``leave_one_out`` (IDF and author keywords counted over these papers), each paper is
    featurised as if it had not been counted: its phrases look as rare, and its own keywords
    as unknown, as those of a paper never seen, so the ranker learns from features distributed
    as they are when it scores.
    """
    sets = []
    try:
        for paper in papers:
            gold = frozenset(normalise_keyword(k) for k in paper.keywords)
            body = paper.field if published else paper.text
            if leave_one_out is not None:
                keywords.set_corpus_idf(leave_one_out.idf)
                own = keywords.candidate_phrases(body)
                keywords.set_corpus_idf(leave_one_out.idf.without_document(own))
                known = dict(leave_one_out.author_keywords)
                for phrase in gold:
                    if known.get(phrase, 0) > 1:
                        known[phrase] -= 1
                    else:
                        known.pop(phrase, None)
                keywords.set_author_keywords(known)
            names, features = keywords.candidates(body)
            labels = np.array([name in gold for name in names], dtype=bool)
            sets.append(CandidateSet(names=names, features=features, labels=labels, gold=gold))
    finally:
        if leave_one_out is not None:
            keywords.set_corpus_idf(leave_one_out.idf)
            keywords.set_author_keywords(leave_one_out.author_keywords)
    return sets


def fit_ranker(sets: Sequence[CandidateSet], c: float = REGULARISATION_C) -> keywords.Ranker:
    """Fit a logistic regression on the candidates of ``sets``; return it as a ``Ranker``."""
    from sklearn.linear_model import LogisticRegression

    used = [s for s in sets if s.names]
    y = np.concatenate([s.labels for s in used]) if used else np.zeros(0, dtype=bool)
    if y.all() or not y.any():
        logger.warning("no positive or no negative candidates to learn from: hand-set weights")
        return keywords.fallback_ranker()
    x = keywords.expand_features(np.vstack([s.features for s in used]))
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    mean[0] = 0.0  # the bias column stays 1
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=c, max_iter=5000, fit_intercept=False)
    model.fit((x - mean) / scale, y)
    return keywords.Ranker(weights=model.coef_[0].copy(), mean=mean, scale=scale)


def fold_of(index: int, n_folds: int = N_FOLDS) -> int:
    """Return the cross-validation fold of paper ``index`` (interleaved, so folds mix topics)."""
    return index % n_folds


def cross_validated_keywords(
    sets: Sequence[CandidateSet], top_k: int, n_folds: int = N_FOLDS
) -> list[list[str]]:
    """Return each paper's keywords as ranked by a ranker fitted on the other folds only."""
    result: list[list[str]] = [[] for _ in sets]
    n_folds = max(1, min(n_folds, len(sets)))
    if n_folds == 1:  # nothing to hold out against: score with the hand-set weights
        ranker = keywords.fallback_ranker()
        return [keywords.select(s.names, ranker.score(s.features), top_k) for s in sets]
    for fold in range(n_folds):
        train = [s for i, s in enumerate(sets) if fold_of(i, n_folds) != fold]
        ranker = fit_ranker(train)
        for i, s in enumerate(sets):
            if fold_of(i, n_folds) == fold and s.names:
                result[i] = keywords.select(s.names, ranker.score(s.features), top_k)
    return result


def idf_table(texts: Sequence[str]) -> keywords.IdfTable:
    """Return the phrase IDF table of ``texts`` (df >= 2, as shipped)."""
    return keywords.IdfTable(n_docs=len(texts), df=document_frequencies(texts))


def cross_validated_as_published(
    papers: Sequence[Paper],
    extra_texts: Sequence[str],
    top_k: int,
    n_folds: int = N_FOLDS,
) -> list[list[str]]:
    """Return each paper's keywords from its published field, nothing fitted on its fold.

    For each fold, the phrase IDF is rebuilt from the other folds' fields plus
    ``extra_texts`` (titles of other papers), every paper's candidates are featurised with it,
    the ranker is fitted on the other folds and ranks the fold's papers.
    """
    result: list[list[str]] = [[] for _ in papers]
    n_folds = max(2, min(n_folds, len(papers)))
    try:
        for fold in range(n_folds):
            train_idx = [i for i in range(len(papers)) if fold_of(i, n_folds) != fold]
            test_idx = [i for i in range(len(papers)) if fold_of(i, n_folds) == fold]
            train_papers = [papers[i] for i in train_idx]
            counted = Counted(
                idf=idf_table([p.field for p in train_papers] + list(extra_texts)),
                author_keywords=author_keyword_counts(train_papers),
            )
            keywords.set_corpus_idf(counted.idf)
            keywords.set_author_keywords(counted.author_keywords)
            test = candidate_sets([papers[i] for i in test_idx], published=True)
            train = candidate_sets(train_papers, published=True, leave_one_out=counted)
            ranker = fit_ranker(train)
            for i, s in zip(test_idx, test, strict=True):
                if s.names:
                    result[i] = keywords.select(s.names, ranker.score(s.features), top_k)
    finally:
        keywords.set_corpus_idf(None)
        keywords.set_author_keywords(None)
    return result


def ranker_to_json(ranker: keywords.Ranker, note: str) -> str:
    """Serialise a ranker's coefficients (no pickle)."""
    return json.dumps(
        {
            "note": note,
            "features": list(keywords.FEATURE_NAMES),
            "weights": [round(float(w), 6) for w in ranker.weights],
            "mean": [round(float(m), 6) for m in ranker.mean],
            "scale": [round(float(s), 6) for s in ranker.scale],
        },
        ensure_ascii=False,
        indent=1,
    )


def main(argv: Sequence[str] | None = None) -> None:
    """Rewrite the corpus IDF table, the author-keyword lexicon and the ranker from CSL dev."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, required=True, help="folder with CSL dev files")
    parser.add_argument("--skip-idf", action="store_true", help="keep the existing IDF table")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    papers = read_papers(args.data)
    if not args.skip_idf:
        extra = read_titles(args.data / "cls_ctg_train.tsv")
        # The shipped model reads text as people type it, title first: train it that way. The
        # evaluation (``cross_validated_as_published``) reads the field as CSL publishes it.
        texts = [p.text for p in papers] + extra
        df = document_frequencies(texts)
        write_json(
            data_path("models", "keyword_idf.json"),
            {
                "note": "Candidate-phrase document frequencies: CSL dev (title + abstract) "
                "and cls_ctg_train titles (Apache-2.0); df >= 2 only.",
                "n_docs": len(texts),
                "df": df,
            },
        )
        keywords.corpus_idf.cache_clear()
        logger.info("wrote the IDF table: %d phrases over %d documents", len(df), len(texts))
    known = author_keyword_counts(papers)
    write_json(
        data_path("models", "keyword_lexicon.json"),
        {
            "note": "Author keywords of CSL dev kg_dev.tsv (Apache-2.0), NFKC + lower-cased: "
            "in how many papers each is listed.",
            "n_papers": len(papers),
            "papers": known,
        },
    )
    keywords.author_keywords.cache_clear()
    logger.info("wrote the author-keyword lexicon: %d phrases", len(known))
    counted = Counted(idf=keywords.corpus_idf(), author_keywords=known)
    try:
        sets = candidate_sets(papers, leave_one_out=counted)
    finally:
        keywords.set_corpus_idf(None)
        keywords.set_author_keywords(None)
    ranker = fit_ranker(sets)
    path = data_path("models", "keyword_ranker.json")
    path.write_text(
        ranker_to_json(
            ranker,
            f"LogisticRegression(C={REGULARISATION_C}) on all CSL dev, each paper featurised "
            "without its own phrases in the IDF and its own keywords in the lexicon",
        ),
        encoding="utf-8",
    )
    logger.info("wrote %s", path)


def write_json(path: Path, content: dict[str, object]) -> None:
    """Write ``content`` as compact UTF-8 JSON to ``path``, creating its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(content, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
    )


if __name__ == "__main__":
    main()
