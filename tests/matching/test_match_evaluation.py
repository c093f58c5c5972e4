"""Match evaluation metrics and reports, checked on fixtures small enough to verify by hand."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from matching.evaluation import (
    MATCH_PROTOCOLS,
    MATCH_SYSTEMS,
    _score_rankings,
    evaluate_industries,
    evaluate_matching,
    ndcg_at_k,
    precision_at_k,
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
