"""Match evaluation metrics and reports, checked on fixtures small enough to verify by hand."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from matching.lab.evaluation import (
    MATCH_PROTOCOLS,
    MATCH_SYSTEMS,
    _score_rankings,
    evaluate_industries,
    evaluate_matching,
    evaluate_matching_nested,
    ndcg_at_k,
    precision_at_k,
    shipped_model_saw,
)

LOG2_3 = math.log2(3)


def test_precision_counts_missing_ranks_as_misses() -> None:
    assert precision_at_k([True, False, True], 5) == pytest.approx(0.4)
    assert precision_at_k([True] * 12, 10) == 1.0
    assert precision_at_k([], 5) == 0.0


def test_ndcg_on_a_hand_computed_example() -> None:
    # DCG = 2/1 + 0 + 1/2 = 2.5; ideal from [2, 2, 1, 0] = 2 + 2/log2(3) + 1/2.
    expected = 2.5 / (2 + 2 / LOG2_3 + 0.5)
    assert ndcg_at_k([2, 0, 1], [2, 2, 1, 0], 3) == pytest.approx(expected)
    assert ndcg_at_k([2, 2, 1], [1, 2, 0, 2], 3) == pytest.approx(1.0)
    assert ndcg_at_k([0, 0], [0, 0, 0], 10) == 0.0


def test_score_rankings_with_and_without_the_own_abstract() -> None:
    disciplines = ["a", "a", "b", "c"]
    categories = ["X", "X", "X", "Y"]
    ranking = [[0, 2, 1, 3]]  # query 0 ranks its own abstract first

    kept = _score_rankings(ranking, disciplines, categories, exclude_self=False)
    assert kept.p_at_5 == pytest.approx(2 / 5)
    assert kept.p_at_10 == pytest.approx(2 / 10)
    # gains [2, 1, 2, 0] against the ideal [2, 2, 1, 0]
    dcg = 2 + 1 / LOG2_3 + 2 / 2
    ideal = 2 + 2 / LOG2_3 + 1 / 2
    assert kept.ndcg_at_10 == pytest.approx(dcg / ideal)

    excluded = _score_rankings(ranking, disciplines, categories, exclude_self=True)
    assert excluded.p_at_5 == pytest.approx(1 / 5)
    assert excluded.p_at_10 == pytest.approx(1 / 10)
    # gains [1, 2, 0] against the ideal [2, 1, 0] of the pool without paper 0
    assert excluded.ndcg_at_10 == pytest.approx((1 + 2 / LOG2_3) / (2 + 1 / LOG2_3))


PAPERS = [
    (
        "锂离子电池正极材料磷酸铁锂的合成",
        "磷酸铁锂正极材料采用固相法合成，锂离子电池容量提高。",
        "材料",
        "工学",
    ),
    (
        "锂离子电池电解液添加剂研究",
        "电解液添加剂改善锂离子电池循环性能和正极界面稳定。",
        "材料",
        "工学",
    ),
    (
        "怀山药种植中的病虫害防治",
        "调查了怀山药种植田间病虫害发生规律，提出综合防治措施。",
        "作物",
        "农学",
    ),
    (
        "山药连作障碍与土壤改良",
        "山药连作导致土壤养分失衡，施用有机肥改良土壤提高种植产量。",
        "作物",
        "农学",
    ),
    (
        "太极拳对老年人平衡能力的影响",
        "老年人练习太极拳十二周后平衡能力和下肢力量明显改善。",
        "体育",
        "教育学",
    ),
    (
        "太极拳运动与中老年人骨密度",
        "太极拳运动持续一年的中老年人骨密度高于对照组，平衡能力更好。",
        "体育",
        "教育学",
    ),
]


@pytest.fixture
def csl_like_dir(tmp_path: Path) -> Path:
    """Write a six-paper corpus in CSL dev's layout."""
    with (tmp_path / "cls_dcp_dev.tsv").open("w", encoding="utf-8") as dcp:
        for _, abstract, discipline, _ in PAPERS:
            dcp.write(f"to discipline\t{abstract}\t{discipline}\n")
    with (tmp_path / "cls_ctg_dev.tsv").open("w", encoding="utf-8") as ctg:
        for title, _, _, category in PAPERS:
            ctg.write(f"to category\t{title}\t{category}\n")
    return tmp_path


def test_evaluate_matching_scores_both_systems_under_both_protocols(csl_like_dir: Path) -> None:
    report = evaluate_matching(csl_like_dir)
    assert report.n_queries == 6
    assert report.pool_size == 6
    assert set(report.scores) == {(p, s) for p in MATCH_PROTOCOLS for s in MATCH_SYSTEMS}
    ours_excluded = report.scores[("own abstract excluded", "MatchIndex")]
    # Each paper has exactly one same-discipline partner, and ours finds it first every time:
    # P@5 = 1/5 and nDCG@10 = 1 (the partner is the only gain-2 paper; no gain-1 papers exist).
    assert ours_excluded.p_at_5 == pytest.approx(0.2)
    assert ours_excluded.p_at_10 == pytest.approx(0.1)
    assert ours_excluded.ndcg_at_10 == pytest.approx(1.0)
    ours_kept = report.scores[("own abstract kept", "MatchIndex")]
    assert ours_kept.p_at_5 == pytest.approx(0.4)
    # Left in the index but dropped from the hits, the partner is still all there is to find.
    in_index = report.scores[("in index, dropped", "MatchIndex")]
    assert in_index.p_at_5 == pytest.approx(0.2)
    baseline = "plain TF-IDF + jieba (baseline)"
    assert (
        report.scores[("in index, dropped", baseline)]
        == report.scores[("own abstract excluded", baseline)]
    )
    text = report.format()
    assert "P@5" in text and "nDCG@10" in text and "baseline" in text
    assert "0.200" in text


def test_evaluate_matching_refuses_misaligned_files(csl_like_dir: Path) -> None:
    with (csl_like_dir / "cls_ctg_dev.tsv").open("a", encoding="utf-8") as ctg:
        ctg.write("to category\t多出来的一篇\t工学\n")
    with pytest.raises(ValueError, match="same papers"):
        evaluate_matching(csl_like_dir)


def test_evaluate_industries_counts_top1_and_top2(tmp_path: Path) -> None:
    path = tmp_path / "labelled.tsv"
    path.write_text(
        "# comment\n"
        "kind\tindustries\ttext\n"
        "talent\tnew_materials\t研究石墨烯复合材料和碳纤维\n"  # right at top-1
        "need\tnew_materials\t锂离子电池正极材料\n"  # tie, broken by id: new_energy first
        "need\tmodern_logistics\t今天天气不错\n",  # nothing found
        encoding="utf-8",
    )
    report = evaluate_industries(path)
    assert report.n == 3
    assert report.unclassified == 1
    assert report.top2_any_accuracy == pytest.approx(2 / 3)
    assert report.top1_accuracy == pytest.approx(1 / 3)
    assert report.by_kind["talent"] == (1, 1.0, 1.0)
    assert "top-1" in report.format()


TRAIN_TITLES = [
    ("锂离子电池隔膜的制备", "工学"),
    ("正极材料的表面包覆改性", "工学"),
    ("山药块茎膨大期的施肥", "农学"),
    ("小麦田间杂草的化学防除", "农学"),
    ("太极拳教学方法探讨", "教育学"),
    ("中学体育课的运动负荷", "教育学"),
]


@pytest.fixture
def trained_on_dir(csl_like_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Make a model trained on ``csl_like_dir`` (plus training titles) the shipped one."""
    from matching import disciplines
    from matching.lab import discipline_training

    with (csl_like_dir / "cls_ctg_train.tsv").open("w", encoding="utf-8") as fh:
        for title, category in TRAIN_TITLES:
            fh.write(f"to category\t{title}\t{category}\n")
    model = discipline_training.train(
        discipline_training.read_training_data(csl_like_dir),
        fingerprints=discipline_training.training_fingerprints(csl_like_dir),
    )
    path = tmp_path / "model.npz"
    discipline_training.write_model(model, path)
    shipped = disciplines.read_model(path)
    monkeypatch.setattr(disciplines, "load_model", lambda path=None: shipped)
    return csl_like_dir


def _copy_papers(source: Path, target: Path, *, change_first_abstract: bool) -> Path:
    """Copy the two dev files of ``source`` to ``target``, maybe editing one abstract."""
    target.mkdir()
    for name in ("cls_dcp_dev.tsv", "cls_ctg_dev.tsv", "cls_ctg_train.tsv"):
        text = (source / name).read_text(encoding="utf-8")
        if change_first_abstract and name == "cls_dcp_dev.tsv":
            text = text.replace("固相法合成", "溶胶凝胶法合成", 1)
        (target / name).write_text(text, encoding="utf-8")
    return target


def test_cross_fitting_triggers_on_the_papers_the_model_was_trained_on(
    trained_on_dir: Path, tmp_path: Path
) -> None:
    assert shipped_model_saw(trained_on_dir)
    same = _copy_papers(trained_on_dir, tmp_path / "same", change_first_abstract=False)
    assert shipped_model_saw(same)
    other = _copy_papers(trained_on_dir, tmp_path / "other", change_first_abstract=True)
    # The titles file is still the one the model learned from: that alone is enough.
    assert shipped_model_saw(other)
    (other / "cls_ctg_dev.tsv").write_text(
        (other / "cls_ctg_dev.tsv").read_text(encoding="utf-8").replace("合成", "制备", 1),
        encoding="utf-8",
    )
    assert not shipped_model_saw(other)


def test_the_report_says_which_discipline_model_scored(
    trained_on_dir: Path, tmp_path: Path
) -> None:
    honest = evaluate_matching(trained_on_dir)
    assert "out-of-fold" in honest.format()
    assert "cross-fitting discipline models" in honest.seconds
    other = _copy_papers(trained_on_dir, tmp_path / "other", change_first_abstract=True)
    (other / "cls_ctg_dev.tsv").write_text(
        (other / "cls_ctg_dev.tsv").read_text(encoding="utf-8").replace("合成", "制备", 1),
        encoding="utf-8",
    )
    plain = evaluate_matching(other)
    assert "the shipped model (not trained on these papers)" in plain.format()
    assert "cross-fitting discipline models" not in plain.seconds


def test_cross_fitting_needs_the_training_titles(trained_on_dir: Path) -> None:
    (trained_on_dir / "cls_ctg_train.tsv").unlink()
    with pytest.raises(ValueError, match="cls_ctg_train.tsv"):
        evaluate_matching(trained_on_dir)


def test_each_paper_is_classified_by_a_model_that_never_saw_it(trained_on_dir: Path) -> None:
    from matching.index import analyse, index_terms
    from matching.lab.discipline_training import (
        cross_fitted_models,
        read_papers,
        read_training_data,
        train,
    )

    fitted = cross_fitted_models(trained_on_dir, folds=3, seed=0)
    titles, abstracts, _, _ = read_papers(trained_on_dir)
    data = read_training_data(trained_on_dir)
    for fold, model in enumerate(fitted.models):
        outside = np.flatnonzero(fitted.folds != fold).tolist()
        assert 0 < len(outside) < len(titles)
        expected = train(data, papers=outside).arrays()
        for name, array in model.arrays().items():
            if name != "header":
                assert np.array_equal(array, expected[name]), name
    for paper, (title, abstract) in enumerate(zip(titles, abstracts, strict=True)):
        model = fitted.models[int(fitted.folds[paper])]
        for text in (title, abstract):
            terms = index_terms(analyse(text))
            assert np.array_equal(fitted.probabilities_one(terms), model.probabilities_one(terms))
            assert np.array_equal(fitted.probabilities([terms])[0], model.probabilities([terms])[0])
            assert np.array_equal(
                fitted.query_probabilities(terms), model.query_probabilities(terms)
            )
    with pytest.raises(ValueError, match="only classifies"):
        fitted.probabilities_one(["没见过的", "文本"])


def test_nested_evaluation_chooses_each_folds_setting_without_its_papers(
    csl_like_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from matching.lab import evaluation
    from matching.lab.discipline_training import CROSS_FIT_FOLDS, CROSS_FIT_SEED, assign_folds

    scored: list[list[int]] = []
    real = evaluation._excluded_precisions

    def spy(*args: object) -> dict[int, float]:
        scored.append(list(args[3]))  # type: ignore[call-overload]
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(evaluation, "_excluded_precisions", spy)
    settings = ((0.0, 2.0), (0.5, 3.0))
    report = evaluate_matching_nested(csl_like_dir, settings)
    titles = [p[0] for p in PAPERS]
    folds = assign_folds(titles, [p[1] for p in PAPERS], CROSS_FIT_FOLDS, CROSS_FIT_SEED)
    n_folds = int(folds.max()) + 1
    # First every setting on all papers, then on each fold's complement only.
    assert scored[: len(settings)] == [list(range(6))] * len(settings)
    for fold in range(n_folds):
        calls = scored[len(settings) * (fold + 1) : len(settings) * (fold + 2)]
        assert calls == [[p for p in range(6) if folds[p] != fold]] * len(settings)
    assert len(report.chosen) == len(report.inner) == n_folds
    for inner, chosen in zip(report.inner, report.chosen, strict=True):
        assert inner[chosen] == max(inner.values())
    # Each paper has one partner, found first by either setting: P@5 = 1/5 over all papers.
    assert report.full == {s: pytest.approx(0.2) for s in settings}
    assert report.nested_p_at_5 == pytest.approx(0.2)
    assert "nested P@5 (own abstract excluded): 0.200" in report.format()
