"""Measure HuaiCai's text intelligence against plain baselines on shipped or shared data."""

from __future__ import annotations

import logging
import math
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)


# ---------------------------------------------------------------------------------------------
# Keyword extraction on CSL dev.
# ---------------------------------------------------------------------------------------------

KEYWORD_SYSTEMS = (
    "jieba extract_tags (baseline)",
    "jieba textrank (baseline)",
    "ours, 5-fold CV (held-out folds)",
    "ours, shipped ranker (full dev)",
)
KEYWORD_SUBSETS = ("all", "<15 keywords")
# Papers with this many author keywords or more carry indexer-style lists; reported apart.
MANY_KEYWORDS = 15


@dataclass(frozen=True)
class KeywordScores:
    """Macro-averaged precision, recall and F1 at 5 and 10 of one system on one subset."""

    p_at_5: float
    r_at_5: float
    f1_at_5: float
    p_at_10: float
    r_at_10: float
    f1_at_10: float


@dataclass(frozen=True)
class KeywordReport:
    """Keyword extraction on CSL dev, ours beside jieba's TF-IDF and TextRank, in one run."""

    n_docs: dict[str, int]
    scores: dict[tuple[str, str], KeywordScores]
    verbatim_share: float
    candidate_recall: float
    docs_per_second: dict[str, float]

    @property
    def throughput_ratio(self) -> float:
        """Return our extraction throughput over ``jieba.analyse.extract_tags``'s."""
        return self.docs_per_second["extract_keywords"] / self.docs_per_second["extract_tags"]

    def format(self) -> str:
        """Return the report as a table a person can read."""
        lines = [
            f"CSL dev keyword extraction: {self.n_docs['all']} papers "
            f"({self.n_docs['<15 keywords']} with fewer than {MANY_KEYWORDS} keywords); "
            "input = kg_dev's text field as published (abstract, a space, the title).",
            "Exact match after NFKC + lower-casing; P@k = hits / k, R@k = hits / author "
            "keywords, F1 per paper, macro-averaged.",
            f"Author keywords found verbatim in their text: {self.verbatim_share:.3f} "
            f"(the F1 ceiling); among our candidates: {self.candidate_recall:.3f}.",
            f"{'subset':<14}{'system':<36}{'P@5':>7}{'R@5':>7}{'F1@5':>7}"
            f"{'P@10':>7}{'R@10':>7}{'F1@10':>7}",
        ]
        for subset in KEYWORD_SUBSETS:
            for system in KEYWORD_SYSTEMS:
                s = self.scores[(system, subset)]
                lines.append(
                    f"{subset:<14}{system:<36}{s.p_at_5:>7.3f}{s.r_at_5:>7.3f}{s.f1_at_5:>7.3f}"
                    f"{s.p_at_10:>7.3f}{s.r_at_10:>7.3f}{s.f1_at_10:>7.3f}"
                )
        lines.append(
            "Honest figure: '5-fold CV' (each paper ranked by a ranker fitted on the other four "
            "folds, with the phrase IDF rebuilt from those folds and cls_ctg_train titles and the "
            "author-keyword lexicon from those folds, never from the fold scored). 'shipped "
            "ranker' was trained on all of dev, its IDF counts every dev paper and its lexicon "
            "lists every dev paper's keywords: not an estimate for unseen text."
        )
        ours = self.docs_per_second["extract_keywords"]
        jieba_rate = self.docs_per_second["extract_tags"]
        lines.append(
            f"throughput after warm-up, calls alternating paper by paper: extract_keywords "
            f"{ours:,.0f} docs/s, jieba extract_tags {jieba_rate:,.0f} docs/s, ratio "
            f"{self.throughput_ratio:.2f}x (target >= 0.7x)"
        )
        return "\n".join(lines)


def keyword_scores(
    predictions: Sequence[Sequence[str]], gold: Sequence[Sequence[str]]
) -> KeywordScores:
    """Score ranked keyword lists against author keywords (exact match after NFKC + lower)."""
    from matching.lab.keyword_training import normalise_keyword

    totals = np.zeros(6)
    for predicted, expected in zip(predictions, gold, strict=True):
        truth = {normalise_keyword(k) for k in expected}
        ranked = list(dict.fromkeys(normalise_keyword(k) for k in predicted))
        row = []
        for k in (5, 10):
            hits = sum(1 for p in ranked[:k] if p in truth)
            precision = hits / k
            recall = hits / len(truth) if truth else 0.0
            f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
            row += [precision, recall, f1]
        totals += row
    mean = totals / max(len(gold), 1)
    return KeywordScores(*(float(v) for v in mean))


def import_jieba_analyse() -> Any:
    """Import ``jieba.analyse``, which reads its IDF file unclosed on first import."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        import jieba.analyse

    return jieba.analyse


def evaluate_keywords(data_dir: Path) -> KeywordReport:
    """Measure keyword extraction on CSL dev beside jieba's two extractors, in one run.

    ``data_dir`` holds ``kg_dev.tsv`` (and, for exact titles, ``cls_ctg_dev.tsv``).
    """
    import jieba

    jieba_analyse = import_jieba_analyse()
    from matching.keywords import extract_keywords
    from matching.lab import keyword_training as training

    jieba.setLogLevel(logging.WARNING)
    papers = training.read_papers(Path(data_dir))
    # CSL publishes each paper as one field, the abstract then a space and the title: that
    # field is what every system reads.
    texts = [p.field for p in papers]
    titles_file = Path(data_dir) / "cls_ctg_train.tsv"
    extra = training.read_titles(titles_file) if titles_file.is_file() else []
    gold = [p.keywords for p in papers]
    subsets = {
        "all": list(range(len(papers))),
        "<15 keywords": [i for i, p in enumerate(papers) if len(p.keywords) < MANY_KEYWORDS],
    }

    sets = training.candidate_sets(papers, published=True)
    n_gold = sum(len(s.gold) for s in sets)
    verbatim = sum(
        sum(g in training.normalise_keyword(t) for g in s.gold)
        for s, t in zip(sets, texts, strict=True)
    )
    in_candidates = sum(len(s.gold & set(s.names)) for s in sets)

    extract_tags = jieba_analyse.extract_tags
    for body in texts[:20]:  # warm-up: load dictionaries, IDF tables and the ranker
        extract_tags(body, topK=10)
        extract_keywords(body, top_k=10)
    # Time the two extractors paper by paper, alternating, so that load from other processes on
    # a shared machine falls on both alike.
    jieba_seconds = ours_seconds = 0.0
    jieba_tfidf: list[list[str]] = []
    shipped: list[list[str]] = []
    clock = time.perf_counter
    for body in texts:
        started = clock()
        jieba_tfidf.append(extract_tags(body, topK=10))
        middle = clock()
        shipped.append(extract_keywords(body, top_k=10))
        jieba_seconds += middle - started
        ours_seconds += clock() - middle
    runs = {
        KEYWORD_SYSTEMS[0]: jieba_tfidf,
        KEYWORD_SYSTEMS[1]: [jieba_analyse.textrank(body, topK=10) for body in texts],
        KEYWORD_SYSTEMS[2]: training.cross_validated_as_published(papers, extra, top_k=10),
        KEYWORD_SYSTEMS[3]: shipped,
    }
    scores = {}
    for system, predictions in runs.items():
        for subset, members in subsets.items():
            scores[(system, subset)] = keyword_scores(
                [predictions[i] for i in members], [gold[i] for i in members]
            )
    return KeywordReport(
        n_docs={name: len(members) for name, members in subsets.items()},
        scores=scores,
        verbatim_share=verbatim / max(n_gold, 1),
        candidate_recall=in_candidates / max(n_gold, 1),
        docs_per_second={
            "extract_tags": len(texts) / max(jieba_seconds, 1e-9),
            "extract_keywords": len(texts) / max(ours_seconds, 1e-9),
        },
    )


# ---------------------------------------------------------------------------------------------
# Match evaluation on CSL dev and industry classification accuracy.
# ---------------------------------------------------------------------------------------------

MATCH_SYSTEMS = ("plain TF-IDF + jieba (baseline)", "MatchIndex")
# "excluded": the query paper's own abstract is out of the index while its title is searched;
# "in index, dropped": it stays in the index (relevance feedback may learn from it) and is only
# dropped from the hits; "kept": it counts like any other abstract.
MATCH_PROTOCOLS = ("own abstract excluded", "in index, dropped", "own abstract kept")


@dataclass(frozen=True)
class RankingScores:
    """Mean P@5, P@10 and graded nDCG@10 of one system under one protocol."""

    p_at_5: float
    p_at_10: float
    ndcg_at_10: float


@dataclass(frozen=True)
class MatchReport:
    """Title → abstract retrieval on CSL dev, ours beside the plain baseline."""

    n_queries: int
    pool_size: int
    scores: dict[tuple[str, str], RankingScores]
    seconds: dict[str, float]
    discipline_note: str = ""

    def format(self) -> str:
        """Return the report as a table a person can read."""
        lines = [
            f"CSL dev title → abstract matching: {self.n_queries} queries, pool of "
            f"{self.pool_size} abstracts; relevant = same discipline.",
            "nDCG@10 gains: same discipline 2, same category 1, else 0 (linear gain, log2 "
            "discount). Headline protocol: the query paper's own abstract is excluded.",
            "Protocols: 'excluded' takes the own abstract out of the index while its title is "
            "searched; 'in index, dropped' leaves it in the index and drops it from the hits; "
            "'kept' counts it like any other abstract.",
            f"{'protocol':<24}{'system':<34}{'P@5':>7}{'P@10':>7}{'nDCG@10':>9}",
        ]
        for protocol in MATCH_PROTOCOLS:
            for system in MATCH_SYSTEMS:
                s = self.scores[(protocol, system)]
                lines.append(
                    f"{protocol:<24}{system:<34}{s.p_at_5:>7.3f}{s.p_at_10:>7.3f}"
                    f"{s.ndcg_at_10:>9.3f}"
                )
        if self.discipline_note:
            lines.append(self.discipline_note)
        lines.append(
            f"time (build + {self.n_queries:,} searches): "
            + ", ".join(f"{k} {v:.1f} s" for k, v in self.seconds.items())
        )
        return "\n".join(lines)


def precision_at_k(relevant: Sequence[bool], k: int) -> float:
    """Return the share of the first ``k`` ranks that are relevant (missing ranks count as 0)."""
    return sum(bool(r) for r in relevant[:k]) / k


def ndcg_at_k(gains: Sequence[float], ideal_gains: Sequence[float], k: int) -> float:
    """Return DCG@k of ``gains`` over DCG@k of the best possible ordering of ``ideal_gains``."""

    def dcg(values: Sequence[float]) -> float:
        return sum(g / math.log2(rank + 2) for rank, g in enumerate(values[:k]))

    ideal = dcg(sorted(ideal_gains, reverse=True))
    return dcg(gains) / ideal if ideal > 0 else 0.0


def _read_csl(data_dir: Path) -> tuple[list[str], list[str], list[str], list[str]]:
    """Read titles, abstracts, disciplines and categories of CSL dev (line i = paper i)."""
    abstracts, disciplines, titles, categories = [], [], [], []
    with (data_dir / "cls_dcp_dev.tsv").open(encoding="utf-8") as fh:
        for line in fh:
            _, abstract, discipline = line.rstrip("\n").split("\t")
            abstracts.append(abstract)
            disciplines.append(discipline)
    with (data_dir / "cls_ctg_dev.tsv").open(encoding="utf-8") as fh:
        for line in fh:
            _, title, category = line.rstrip("\n").split("\t")
            titles.append(title)
            categories.append(category)
    if len(titles) != len(abstracts):
        raise ValueError("cls_dcp_dev.tsv and cls_ctg_dev.tsv must have the same papers")
    return titles, abstracts, disciplines, categories


def _score_rankings(
    rankings: Sequence[Sequence[int]],
    disciplines: Sequence[str],
    categories: Sequence[str],
    exclude_self: bool,
) -> RankingScores:
    """Average P@5, P@10 and graded nDCG@10 of ranked pool positions, query i = paper i."""
    p5 = p10 = ndcg = 0.0
    n = len(rankings)
    for query, ranked in enumerate(rankings):
        pool = [d for d in range(len(disciplines)) if not (exclude_self and d == query)]
        ranked = [d for d in ranked if not (exclude_self and d == query)][:10]

        def gain(doc: int, query: int = query) -> int:
            if disciplines[doc] == disciplines[query]:
                return 2
            return 1 if categories[doc] == categories[query] else 0

        relevant = [disciplines[d] == disciplines[query] for d in ranked]
        p5 += precision_at_k(relevant, 5)
        p10 += precision_at_k(relevant, 10)
        ndcg += ndcg_at_k([gain(d) for d in ranked], [gain(d) for d in pool], 10)
    return RankingScores(p_at_5=p5 / n, p_at_10=p10 / n, ndcg_at_10=ndcg / n)


def _baseline_rankings(titles: Sequence[str], abstracts: Sequence[str], k: int) -> list[list[int]]:
    """Rank abstracts for each title with a default ``TfidfVectorizer`` over ``jieba.lcut``.

    A fresh ``jieba.Tokenizer`` keeps the baseline plain even when our own set-up has added
    lexicons to jieba's default tokenizer in this process.
    """
    import jieba
    from sklearn.feature_extraction.text import TfidfVectorizer

    plain = jieba.Tokenizer()
    vectorizer = TfidfVectorizer(tokenizer=plain.lcut, token_pattern=None)
    pool = vectorizer.fit_transform(abstracts)
    scores = (vectorizer.transform(titles) @ pool.T).toarray()
    top = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    return [[int(d) for d in row if scores[i, d] > 0] for i, row in enumerate(top)]


def _ids(hits: Sequence[Any]) -> list[int]:
    """Return the integer ids of ``hits``."""
    return [int(h.id) for h in hits]


def shipped_model_saw(data_dir: Path) -> bool:
    """Return whether the shipped discipline model was trained on the dev papers in ``data_dir``.

    The model header keeps the SHA-256 of each file it learned from; one identical dev file
    (abstracts with disciplines, or titles) is enough.
    """
    from matching.disciplines import load_model
    from matching.lab.discipline_training import (
        DEV_ABSTRACTS_FILE,
        DEV_TITLES_FILE,
        file_fingerprint,
    )

    trained_on = load_model().header.get("training_files")
    if not isinstance(trained_on, dict):
        return False
    for name in (DEV_ABSTRACTS_FILE, DEV_TITLES_FILE):
        path = Path(data_dir) / name
        if name in trained_on and path.is_file() and file_fingerprint(path) == trained_on[name]:
            return True
    return False


def _title_accuracy_note(model: Any, titles: Sequence[str], disciplines: Sequence[str]) -> str:
    """Say how often ``model`` ranks each title's own discipline first, as a query (the guess
    the search starts from) and as an item."""
    from matching.text import analyse, index_terms

    terms = [index_terms(analyse(t)) for t in titles]
    names = list(model.disciplines)

    def share_right(probs: Sequence[np.ndarray]) -> float:
        return float(
            np.mean(
                [names[int(row.argmax())] == d for row, d in zip(probs, disciplines, strict=True)]
            )
        )

    as_query = share_right([model.query_probabilities(t) for t in terms])
    as_item = share_right(list(model.probabilities(terms)))
    return (
        f"Out of fold, a title's most likely discipline is its own for {as_query:.1%} of papers "
        f"as a query ({as_item:.1%} with the items' model)."
    )


def evaluate_matching(data_dir: Path) -> MatchReport:
    """Measure title → abstract matching on CSL dev beside a plain TF-IDF baseline, in one run.

    Query = a paper's title, pool = all abstracts, relevant = same discipline. The headline
    protocol leaves the query paper's own abstract out of the pool (finding it is trivial and
    says nothing about matching people): our index has it removed while that title is searched,
    the baseline (which has no feedback step) has it dropped from its ranking. "in index,
    dropped" keeps the own abstract in our index (its relevance feedback may use it) and drops
    it from the hits only. The "kept" protocol counts it like any other abstract. IDF is fitted
    on all 1,000 abstracts for both.

    The shipped discipline model learned from the CSL dev papers. When ``data_dir`` holds those
    papers (same file fingerprint), scoring with it would flatter the index, so every title and
    abstract is classified instead by a model cross-fitted without its paper
    (``matching.lab.discipline_training.cross_fitted_models``: 5 folds, fixed seed). Any other data
    are scored with the shipped model as it is.
    """
    from matching.disciplines import DisciplineClassifier
    from matching.index import MatchIndex

    data_dir = Path(data_dir)
    titles, abstracts, disciplines, categories = _read_csl(data_dir)
    k = 11  # one extra so that dropping the own abstract still leaves ten
    seconds: dict[str, float] = {}

    discipline_model: DisciplineClassifier | None = None
    if shipped_model_saw(data_dir):
        from matching.lab.discipline_training import (
            CROSS_FIT_FOLDS,
            TRAIN_FILE,
            cross_fitted_models,
        )

        if not (data_dir / TRAIN_FILE).is_file():
            raise ValueError(
                f"the shipped discipline model was trained on these papers; scoring them "
                f"honestly needs {TRAIN_FILE} beside them to cross-fit the model"
            )
        started = time.perf_counter()
        discipline_model = cross_fitted_models(data_dir)
        seconds["cross-fitting discipline models"] = time.perf_counter() - started
        note = (
            "Discipline prior: the shipped model was trained on these papers, so each title and "
            f"abstract is classified by one of {CROSS_FIT_FOLDS} out-of-fold models that never "
            "saw its paper. " + _title_accuracy_note(discipline_model, titles, disciplines)
        )
    else:
        note = "Discipline prior: the shipped model (not trained on these papers)."

    started = time.perf_counter()
    baseline = _baseline_rankings(titles, abstracts, k)
    seconds[MATCH_SYSTEMS[0]] = time.perf_counter() - started

    started = time.perf_counter()
    index = MatchIndex.build(enumerate(abstracts), discipline_model=discipline_model)
    ours_kept = [_ids(index.search(title, k=k)) for title in titles]
    # Without its own abstract: take it out of the index for the query, so that nothing
    # (relevance feedback included) can learn from it, then put it back.
    ours_excluded = []
    for paper, (title, abstract) in enumerate(zip(titles, abstracts, strict=True)):
        index.remove(paper)
        ours_excluded.append(_ids(index.search(title, k=k)))
        index.add(paper, abstract)
    seconds[MATCH_SYSTEMS[1]] = time.perf_counter() - started

    scores = {}
    runs = {
        (MATCH_PROTOCOLS[0], MATCH_SYSTEMS[0]): baseline,
        (MATCH_PROTOCOLS[0], MATCH_SYSTEMS[1]): ours_excluded,
        (MATCH_PROTOCOLS[1], MATCH_SYSTEMS[0]): baseline,
        (MATCH_PROTOCOLS[1], MATCH_SYSTEMS[1]): ours_kept,
        (MATCH_PROTOCOLS[2], MATCH_SYSTEMS[0]): baseline,
        (MATCH_PROTOCOLS[2], MATCH_SYSTEMS[1]): ours_kept,
    }
    for (protocol, system), rankings in runs.items():
        scores[(protocol, system)] = _score_rankings(
            rankings, disciplines, categories, exclude_self=protocol != MATCH_PROTOCOLS[2]
        )
    return MatchReport(
        n_queries=len(titles),
        pool_size=len(abstracts),
        scores=scores,
        seconds=seconds,
        discipline_note=note,
    )


# The settings that ``evaluate_matching_nested`` chooses among: (neighbour weight, discipline
# weight) of ``MatchIndex``. A neighbour weight of 0 is the index without neighbour smoothing.
MATCH_SETTINGS: tuple[tuple[float, float], ...] = (
    (0.0, 2.0),
    (0.0, 3.0),
    (0.5, 2.0),
    (0.5, 3.0),
    (0.7, 2.0),
    (0.7, 3.0),
)


@dataclass(frozen=True)
class NestedMatchReport:
    """Own-abstract-excluded P@5 with the settings chosen on the other folds' papers only."""

    settings: tuple[tuple[float, float], ...]
    inner: list[dict[tuple[float, float], float]]
    chosen: list[tuple[float, float]]
    full: dict[tuple[float, float], float]
    nested_p_at_5: float
    discipline_note: str

    def format(self) -> str:
        """Return the report as text a person can read."""
        lines = [
            "CSL dev title → abstract matching, own abstract excluded, settings (neighbour "
            "weight, discipline weight) chosen without the papers scored: for each fold, the "
            "setting with the best P@5 when the other folds' titles search an index of the "
            "other folds' abstracts scores that fold's titles against all abstracts.",
            f"{'setting':<14}" + "".join(f"{f'fold {f}':>9}" for f in range(len(self.inner)))
            + f"{'all papers':>12}",
        ]  # fmt: skip
        for setting in self.settings:
            label = f"{setting[0]:g} / {setting[1]:g}"
            lines.append(
                f"{label:<14}"
                + "".join(f"{inner[setting]:>9.3f}" for inner in self.inner)
                + f"{self.full[setting]:>12.3f}"
            )
        chosen = ", ".join(f"{n:g} / {d:g}" for n, d in self.chosen)
        lines.append(f"chosen per fold: {chosen}")
        lines.append(f"nested P@5 (own abstract excluded): {self.nested_p_at_5:.3f}")
        lines.append(self.discipline_note)
        return "\n".join(lines)


def _excluded_precisions(
    titles: Sequence[str],
    abstracts: Sequence[str],
    disciplines: Sequence[str],
    papers: Sequence[int],
    setting: tuple[float, float],
    discipline_model: Any,
) -> dict[int, float]:
    """Return each paper's P@5 when its title searches ``papers``' abstracts without its own."""
    from matching.index import MatchIndex

    neighbour_weight, discipline_weight = setting
    index = MatchIndex.build(
        ((p, abstracts[p]) for p in papers),
        neighbour_weight=neighbour_weight,
        discipline_weight=discipline_weight,
        discipline_model=discipline_model,
    )
    precisions = {}
    for paper in papers:
        index.remove(paper)
        ranked = _ids(index.search(titles[paper], k=5))
        index.add(paper, abstracts[paper])
        precisions[paper] = precision_at_k(
            [disciplines[d] == disciplines[paper] for d in ranked], 5
        )
    return precisions


def evaluate_matching_nested(
    data_dir: Path, settings: Sequence[tuple[float, float]] = MATCH_SETTINGS
) -> NestedMatchReport:
    """Measure P@5 (own abstract excluded) with settings chosen by an inner cross-validation.

    The papers fall into the discipline cross-fit's folds. For each fold, every setting is
    scored on the other folds alone (their titles searching an index of their abstracts, each
    without its own); the best is then used for this fold's titles against the whole pool. No
    paper's discipline decides the setting it is scored with. (The discipline models that
    classify the other folds' papers were fitted on folds that include this one: only their
    choice of setting could carry that, not the scores themselves.)
    """
    from matching.lab.discipline_training import (
        CROSS_FIT_FOLDS,
        CROSS_FIT_SEED,
        TRAIN_FILE,
        assign_folds,
        cross_fitted_models,
    )

    data_dir = Path(data_dir)
    titles, abstracts, disciplines, _ = _read_csl(data_dir)
    discipline_model: Any = None
    if shipped_model_saw(data_dir):
        if not (data_dir / TRAIN_FILE).is_file():
            raise ValueError(f"scoring these papers honestly needs {TRAIN_FILE} beside them")
        discipline_model = cross_fitted_models(data_dir)
        folds = np.asarray(discipline_model.folds)
        note = (
            f"Discipline prior: {CROSS_FIT_FOLDS} out-of-fold models, each paper classified by "
            "one that never saw it; the folds above are theirs."
        )
    else:
        folds = assign_folds(titles, abstracts, CROSS_FIT_FOLDS, CROSS_FIT_SEED)
        note = "Discipline prior: the shipped model (not trained on these papers)."
    settings = tuple(settings)
    everyone = list(range(len(titles)))
    per_paper = {
        s: _excluded_precisions(titles, abstracts, disciplines, everyone, s, discipline_model)
        for s in settings
    }
    inner: list[dict[tuple[float, float], float]] = []
    chosen: list[tuple[float, float]] = []
    for fold in range(int(folds.max()) + 1):
        others = [p for p in everyone if folds[p] != fold]
        scores = {
            s: float(
                np.mean(
                    list(
                        _excluded_precisions(
                            titles, abstracts, disciplines, others, s, discipline_model
                        ).values()
                    )
                )
            )
            for s in settings
        }
        inner.append(scores)
        # Ties go to the earlier setting (the simpler one comes first).
        chosen.append(max(settings, key=lambda s: (scores[s], -settings.index(s))))
    nested = float(np.mean([per_paper[chosen[folds[p]]][p] for p in everyone]))
    return NestedMatchReport(
        settings=settings,
        inner=inner,
        chosen=chosen,
        full={s: float(np.mean(list(per_paper[s].values()))) for s in settings},
        nested_p_at_5=nested,
        discipline_note=note,
    )


@dataclass(frozen=True)
class IndustryReport:
    """Industry classification accuracy on a labelled set of profiles and needs."""

    n: int
    top1_accuracy: float
    top2_any_accuracy: float
    unclassified: int
    by_kind: dict[str, tuple[int, float, float]]
    errors: list[tuple[str, str, str]]

    def format(self) -> str:
        """Return the report as text a person can read."""
        lines = [
            f"industry classification on {self.n} labelled texts: top-1 accuracy "
            f"{self.top1_accuracy:.3f}, any-of-top-2 {self.top2_any_accuracy:.3f}, "
            f"no industry found for {self.unclassified}",
        ]
        for kind, (count, top1, top2) in sorted(self.by_kind.items()):
            lines.append(f"  {kind:<8} n={count:<4} top-1 {top1:.3f}  any-of-top-2 {top2:.3f}")
        return "\n".join(lines)


def evaluate_industries(path: Path) -> IndustryReport:
    """Score ``classify_industry_ids`` on a TSV of ``kind<TAB>ids<TAB>text`` (ids comma-separated).

    A prediction is right when it is one of the text's labelled ids; top-1 checks the best
    industry, any-of-top-2 checks whether either of the two best is labelled.
    """
    from matching.industries import classify_industry_ids

    rows: list[tuple[str, set[str], str]] = []
    with Path(path).open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip() or line.startswith("#"):
                continue
            kind, label_field, text = line.rstrip("\n").split("\t")
            if kind == "kind":
                continue  # header
            rows.append((kind, set(label_field.split(",")), text))
    hits1 = hits2 = unclassified = 0
    per_kind: dict[str, list[int]] = {}
    errors = []
    for kind, labels, text in rows:
        predicted = [i for i, _ in classify_industry_ids(text)[:2]]
        ok1 = bool(predicted) and predicted[0] in labels
        ok2 = any(p in labels for p in predicted)
        unclassified += not predicted
        hits1 += ok1
        hits2 += ok2
        counts = per_kind.setdefault(kind, [0, 0, 0])
        counts[0] += 1
        counts[1] += ok1
        counts[2] += ok2
        if not ok1:
            errors.append((text, ",".join(sorted(labels)), ",".join(predicted) or "-"))
    n = len(rows)
    return IndustryReport(
        n=n,
        top1_accuracy=hits1 / n if n else 0.0,
        top2_any_accuracy=hits2 / n if n else 0.0,
        unclassified=unclassified,
        by_kind={k: (c[0], c[1] / c[0], c[2] / c[0]) for k, c in per_kind.items()},
        errors=errors,
    )


# ---------------------------------------------------------------------------------------------
# Expertise keywords of self-descriptions (data/eval/profile_keywords_labelled.tsv).
# ---------------------------------------------------------------------------------------------

PROFILE_MATCHING_RULE = (
    "a shown keyword counts as expertise when, after NFKC + lower-casing and dropping 的, it "
    "equals a gold keyword of the same text, contains one, or is contained in one while "
    "covering at least half of its characters, and contains none of the text's labelled "
    "non-expertise spans"
)
# Until 2026-12-01 的 was kept, so 焊接工装夹具调试 did not match the gold 焊接工装夹具的调试
# (the labellers copy spans verbatim): the report gives both figures.


@dataclass(frozen=True)
class ProfileKeywordReport:
    """Precision and coverage of ``extract_expertise`` on labelled self-descriptions."""

    split: str
    n_texts: int
    n_shown: int
    precision: float
    coverage: float
    misses: list[tuple[str, list[str], list[str]]]
    # The same under the rule before 2026-12-01, which kept 的 (a keyword without the 的 of a
    # gold span did not match it).
    precision_keeping_de: float = 0.0
    coverage_keeping_de: float = 0.0
    # Texts with no gold keyword (the person named no expertise) and how many of them were
    # shown nothing; coverage counts them as missed, coverage_with_gold leaves them out.
    n_without_gold: int = 0
    quiet_without_gold: int = 0

    @property
    def coverage_with_gold(self) -> float:
        """Coverage over the texts that have a gold keyword (0.0 when none has)."""
        with_gold = self.n_texts - self.n_without_gold
        return self.coverage * self.n_texts / with_gold if with_gold else 0.0

    def format(self) -> str:
        """Return the report as text a person can read."""
        lines = [
            f"profile keywords on the {self.split} split: {self.n_texts} self-descriptions, "
            f"{self.n_shown} keywords shown",
            f"precision (shown keywords that are expertise) {self.precision:.3f}",
            f"coverage (texts whose main gold keyword is shown) {self.coverage:.3f}",
            f"  with 的 kept when matching (the rule before 2026-12-01): precision "
            f"{self.precision_keeping_de:.3f}, coverage {self.coverage_keeping_de:.3f}",
        ]
        if self.n_without_gold:
            lines += [
                f"  {self.n_without_gold} texts name no expertise (no gold keyword); over the "
                f"other {self.n_texts - self.n_without_gold}: coverage "
                f"{self.coverage_with_gold:.3f}",
                f"  texts without gold shown nothing: {self.quiet_without_gold} of "
                f"{self.n_without_gold}",
            ]
        lines.append(
            f"matching rule: {PROFILE_MATCHING_RULE}; the main keyword is the first gold one."
        )
        return "\n".join(lines)


def _norm(text: str, *, keep_de: bool) -> str:
    """Return ``text`` NFKC-normalised, lower-cased and stripped (without 的 unless ``keep_de``)."""
    import unicodedata

    norm = unicodedata.normalize("NFKC", text).lower().strip()
    return norm if keep_de else norm.replace("的", "")


def keyword_is_expertise(
    shown: str, gold: Sequence[str], not_expertise: Sequence[str], *, keep_de: bool = False
) -> bool:
    """Return whether ``shown`` counts as expertise under ``PROFILE_MATCHING_RULE``.

    ``keep_de`` applies the rule before 2026-12-01, which compared the spans with their 的.
    """
    key = _norm(shown, keep_de=keep_de)
    if any((bad := _norm(b, keep_de=keep_de)) and bad in key for b in not_expertise):
        return False
    for g in gold:
        target = _norm(g, keep_de=keep_de)
        if key == target or target in key or (key in target and 2 * len(key) >= len(target)):
            return True
    return False


def judge_keywords(
    keywords: Sequence[str], gold: Sequence[str], bad: Sequence[str], *, keep_de: bool = False
) -> tuple[list[bool], bool]:
    """Return whether each of ``keywords`` is expertise under ``PROFILE_MATCHING_RULE`` (``bad``:
    the text's non-expertise spans), and whether the main (first) gold keyword is shown."""
    hits = [keyword_is_expertise(k, gold, bad, keep_de=keep_de) for k in keywords]
    main_found = bool(gold) and any(
        keyword_is_expertise(k, gold[:1], bad, keep_de=keep_de) for k in keywords
    )
    return hits, main_found


def evaluate_profile_keywords(
    path: Path, split: str = "dev", *, learned_filter: bool = True
) -> ProfileKeywordReport:
    """Score ``extract_expertise`` on the rows of ``split`` of a labelled TSV.

    Columns: ``id, split, text, gold_keywords, not_expertise`` (lists separated by 、).
    ``learned_filter=False`` scores the rules alone (no ``matching.candidate_filter``).
    Raises ``ValueError`` when the split has no rows.
    """
    import csv

    from matching.expertise import extract_expertise

    with Path(path).open(encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh, delimiter="\t") if r["split"] == split]
    if not rows:
        raise ValueError(f"no rows of split {split!r} in {path}")
    shown = good = covered = without_gold = quiet = good_de = covered_de = 0
    misses = []
    for row in rows:
        gold = [g for g in row["gold_keywords"].split("、") if g.strip()]
        bad = [b for b in row["not_expertise"].split("、") if b.strip()]
        keywords = extract_expertise(row["text"], learned_filter=learned_filter)
        hits, main_found = judge_keywords(keywords, gold, bad, keep_de=False)
        hits_de, main_found_de = judge_keywords(keywords, gold, bad, keep_de=True)
        shown += len(keywords)
        good += sum(hits)
        good_de += sum(hits_de)
        covered += main_found
        covered_de += main_found_de
        if not gold:
            without_gold += 1
            quiet += not keywords
        if not all(hits) or not main_found:
            misses.append((row["id"], keywords, gold))
    return ProfileKeywordReport(
        split=split,
        n_texts=len(rows),
        n_shown=shown,
        precision=good / shown if shown else 0.0,
        coverage=covered / len(rows),
        misses=misses,
        precision_keeping_de=good_de / shown if shown else 0.0,
        coverage_keeping_de=covered_de / len(rows),
        n_without_gold=without_gold,
        quiet_without_gold=quiet,
    )


# ---------------------------------------------------------------------------------------------
# Industries on the independently written set (data/eval/industry_independent.tsv).
# ---------------------------------------------------------------------------------------------

UNCLASSIFIED = "未归类"


@dataclass(frozen=True)
class IndependentIndustryReport:
    """Industry classification on texts written apart from the taxonomy, per split."""

    split: str
    n: int
    top1: float
    top2: float
    abstained: int
    wrong: int
    errors: list[tuple[str, str, str]]

    def format(self) -> str:
        """Return the report as text a person can read."""
        return "\n".join(
            [
                f"industries on the independent set, {self.split} split: {self.n} texts",
                f"top-1 {self.top1:.3f}, any-of-top-2 {self.top2:.3f}; "
                f"{UNCLASSIFIED} (no industry found) for {self.abstained}, "
                f"a wrong industry first for {self.wrong}",
                f"right = the labelled industry or its alternative; {UNCLASSIFIED} is right only "
                "for texts labelled so.",
            ]
        )


def evaluate_independent_industries(path: Path, split: str = "dev") -> IndependentIndustryReport:
    """Score ``classify_industries`` on one split of ``id, split, kind, text, industry, alt``.

    Labels are the taxonomy's Chinese names (or an alias of one) or 未归类. Raises ``ValueError``
    when the split has no rows.
    """
    import csv

    from matching.industries import classify_industries, load_taxonomy

    canonical = {}
    for industry in load_taxonomy().industries:
        for name in (industry.name, *industry.aliases):
            canonical[name] = industry.name
    with Path(path).open(encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh, delimiter="\t") if r["split"] == split]
    if not rows:
        raise ValueError(f"no rows of split {split!r} in {path}")
    top1 = top2 = abstained = wrong = 0
    errors = []
    for row in rows:
        labels = {canonical.get(x, x) for x in (row["industry"], row["industry_alt"]) if x}
        predicted = [name for name, _ in classify_industries(row["text"])[:2]]
        if not predicted:
            abstained += 1
            ok1 = ok2 = UNCLASSIFIED in labels
        else:
            ok1 = predicted[0] in labels
            ok2 = any(p in labels for p in predicted)
            wrong += not ok1
        top1 += ok1
        top2 += ok2
        if not ok1:
            errors.append((row["id"], "/".join(sorted(labels)), "/".join(predicted) or "-"))
    n = len(rows)
    return IndependentIndustryReport(
        split=split,
        n=n,
        top1=top1 / n,
        top2=top2 / n,
        abstained=abstained,
        wrong=wrong,
        errors=errors,
    )
