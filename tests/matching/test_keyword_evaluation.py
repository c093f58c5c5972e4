"""Tests for the CSL keyword evaluation: reading, scoring and the report."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from matching import keywords as kw
from matching.lab import keyword_training as training
from matching.lab.evaluation import (
    KEYWORD_SYSTEMS,
    evaluate_keywords,
    evaluate_profile_keywords,
    import_jieba_analyse,
    keyword_scores,
)

MANY = "_".join(f"词{i:02d}" for i in range(1, 16))  # 15 keywords: an indexer-style list
PAPERS = [
    # (abstract, title, keywords)
    (
        "本文研究锂离子电池正极材料的包覆改性，并制备固态电解质，测试循环性能。",
        "锂离子电池正极材料 与固态电解质研究",  # a title with a space in it
        "锂离子电池_固态电解质_正极材料",
    ),
    ("以怀山药为原料，研究深加工工艺和多糖提取。", "怀山药深加工工艺", "怀山药_LSTM"),
    ("讨论城市规划的若干问题。", "城市规划问题", MANY),
]


def write_csl(folder: Path, with_titles: bool = True) -> Path:
    """Write a tiny CSL dev folder in the real layout."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "kg_dev.tsv").open("w", encoding="utf-8") as fh:
        for abstract, title, keywords in PAPERS:
            fh.write(f"to keywords\t{abstract} {title}\t{keywords}\n")
    if with_titles:
        with (folder / "cls_ctg_dev.tsv").open("w", encoding="utf-8") as fh:
            for _, title, _ in PAPERS:
                fh.write(f"to category\t{title}\t工学\n")
    return folder


def test_papers_are_split_into_title_abstract_and_keywords(tmp_path: Path) -> None:
    papers = training.read_papers(write_csl(tmp_path))
    assert [p.title for p in papers] == [t for _, t, _ in PAPERS]
    assert [p.abstract for p in papers] == [a for a, _, _ in PAPERS]
    assert papers[0].keywords == ("锂离子电池", "固态电解质", "正极材料")
    assert len(papers[2].keywords) == 15
    assert papers[1].text == "怀山药深加工工艺\n以怀山药为原料，研究深加工工艺和多糖提取。"


def test_without_the_titles_file_the_last_space_splits(tmp_path: Path) -> None:
    papers = training.read_papers(write_csl(tmp_path, with_titles=False))
    assert papers[1].title == "怀山药深加工工艺"
    assert papers[0].title == "与固态电解质研究"  # the best a space split can do


def test_scores_by_hand() -> None:
    # Paper 1: 2 of 3 in the top 5, all 3 in the top 10. Paper 2: both found, full width and
    # upper case still match after NFKC + lower-casing, only 2 predictions. Paper 3: nothing.
    predictions = [
        ["锂离子电池", "正极材料", "a", "b", "c", "固态电解质", "d"],
        ["ＬＳＴＭ", "怀山药"],
        [],
    ]
    gold = [["锂离子电池", "固态电解质", "正极材料"], ["怀山药", "lstm"], ["x", "y"]]
    s = keyword_scores(predictions, gold)
    # P@5 = (2/5 + 2/5 + 0) / 3; R@5 = (2/3 + 1 + 0) / 3
    assert s.p_at_5 == pytest.approx((0.4 + 0.4) / 3)
    assert s.r_at_5 == pytest.approx((2 / 3 + 1) / 3)
    # F1@5: paper 1 2*.4*(2/3)/(.4+2/3) = 0.5; paper 2 2*.4*1/1.4 = 0.571429
    assert s.f1_at_5 == pytest.approx((0.5 + 0.8 / 1.4) / 3)
    # F1@10: paper 1 P=.3 R=1 -> .6/1.3; paper 2 P=.2 R=1 -> .4/1.2
    assert s.f1_at_10 == pytest.approx((0.6 / 1.3 + 0.4 / 1.2) / 3)
    assert s.p_at_10 == pytest.approx((0.3 + 0.2) / 3)


def test_duplicate_predictions_count_once() -> None:
    s = keyword_scores([["怀山药", "怀山药", "ＨＵＡＩ"]], [["怀山药"]])
    assert s.p_at_5 == pytest.approx(1 / 5)
    assert s.r_at_5 == pytest.approx(1.0)


def fixed(table: dict[str, list[str]]) -> object:
    """Return a stand-in extractor answering from ``table`` by the title the text ends with."""

    def extract(text: str, *args: object, **kwargs: object) -> list[str]:
        return next((v for title, v in table.items() if text.endswith(" " + title)), [])

    return extract


def test_report_has_hand_checked_f1_for_each_system_and_subset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    jieba_analyse = import_jieba_analyse()

    ours = {
        PAPERS[0][1]: ["锂离子电池", "正极材料", "a", "b", "c", "固态电解质", "d"],
        PAPERS[1][1]: ["ＬＳＴＭ", "怀山药"],
    }
    perfect = {PAPERS[0][1]: ["锂离子电池", "固态电解质", "正极材料"]}

    def cross_validated(
        papers: Sequence[training.Paper], extra: Sequence[str], top_k: int
    ) -> list[list[str]]:
        return [ours.get(p.title, []) for p in papers]

    monkeypatch.setattr(jieba_analyse, "extract_tags", fixed({}))
    monkeypatch.setattr(jieba_analyse, "textrank", fixed(perfect))
    monkeypatch.setattr(kw, "extract_keywords", fixed(ours))
    monkeypatch.setattr(training, "cross_validated_as_published", cross_validated)

    report = evaluate_keywords(write_csl(tmp_path))
    assert report.n_docs == {"all": 3, "<15 keywords": 2}
    tfidf, textrank, cv, shipped = KEYWORD_SYSTEMS
    paper1_f1_5, paper2_f1_5 = 0.5, 0.8 / 1.4
    paper1_f1_10, paper2_f1_10 = 0.6 / 1.3, 0.4 / 1.2
    for system in (cv, shipped):
        assert report.scores[(system, "all")].f1_at_5 == pytest.approx(
            (paper1_f1_5 + paper2_f1_5) / 3
        )
        assert report.scores[(system, "all")].f1_at_10 == pytest.approx(
            (paper1_f1_10 + paper2_f1_10) / 3
        )
        assert report.scores[(system, "<15 keywords")].f1_at_5 == pytest.approx(
            (paper1_f1_5 + paper2_f1_5) / 2
        )
    assert report.scores[(tfidf, "all")].f1_at_5 == 0.0
    # TextRank stand-in is perfect on paper 1 only: P@5 = 3/5, R = 1 -> F1 = 0.75.
    assert report.scores[(textrank, "all")].f1_at_5 == pytest.approx(0.75 / 3)
    assert report.scores[(textrank, "<15 keywords")].f1_at_5 == pytest.approx(0.75 / 2)
    # 3 of paper 1's, 1 of paper 2's (怀山药; not LSTM) and none of the 15 occur verbatim.
    assert report.verbatim_share == pytest.approx(4 / 20)
    text = report.format()
    for system in KEYWORD_SYSTEMS:
        assert system in text
    assert "F1@5" in text and "ratio" in text


def test_real_pipeline_runs_on_a_tiny_folder(tmp_path: Path) -> None:
    report = evaluate_keywords(write_csl(tmp_path))
    ours = report.scores[(KEYWORD_SYSTEMS[3], "all")]
    assert 0.0 < ours.f1_at_5 <= 1.0
    assert 0.0 <= report.candidate_recall <= report.verbatim_share <= 1.0
    assert report.throughput_ratio > 0
    assert set(report.docs_per_second) == {"extract_tags", "extract_keywords"}


def test_cross_validation_never_scores_a_paper_with_a_ranker_that_saw_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    papers = [training.Paper(t, a, tuple(k.split("_"))) for a, t, k in PAPERS] * 4
    sets = training.candidate_sets(papers)
    trained_on: list[set[int]] = []
    real_fit = training.fit_ranker

    def recording_fit(train: Sequence[training.CandidateSet], c: float = 1.0) -> kw.Ranker:
        trained_on.append({id(s) for s in train})
        return real_fit(train, c)

    monkeypatch.setattr(training, "fit_ranker", recording_fit)
    result = training.cross_validated_keywords(sets, top_k=5, n_folds=3)
    assert len(trained_on) == 3
    for fold, members in enumerate(trained_on):
        held_out = {id(s) for i, s in enumerate(sets) if training.fold_of(i, 3) == fold}
        assert not members & held_out
        assert len(members) + len(held_out) == len(sets)
    assert all(len(r) <= 5 for r in result)


def test_the_published_field_is_the_abstract_a_space_and_the_title(tmp_path: Path) -> None:
    papers = training.read_papers(write_csl(tmp_path))
    for paper, (abstract, title, _) in zip(papers, PAPERS, strict=True):
        assert paper.field == f"{abstract} {title}"
        assert "\n" not in paper.field


def test_each_fold_is_ranked_with_an_idf_built_without_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    papers = training.read_papers(write_csl(tmp_path)) * 3
    idf_texts: list[list[str]] = []
    real_idf = training.idf_table

    def recording_idf(texts: Sequence[str]) -> kw.IdfTable:
        idf_texts.append(list(texts))
        return real_idf(texts)

    monkeypatch.setattr(training, "idf_table", recording_idf)
    result = training.cross_validated_as_published(papers, ["额外标题"], top_k=5, n_folds=3)
    assert len(idf_texts) == 3
    for fold, texts in enumerate(idf_texts):
        scored = [i for i in range(len(papers)) if training.fold_of(i, 3) == fold]
        assert "额外标题" in texts
        assert len(texts) == len(papers) - len(scored) + 1
    assert len(result) == len(papers)
    assert kw._idf_override is None  # the shipped IDF is back


def test_training_papers_never_count_their_own_keywords_or_phrases(tmp_path: Path) -> None:
    papers = training.read_papers(write_csl(tmp_path))[:2] * 2  # each paper twice
    counted = training.Counted(
        idf=training.idf_table([p.field for p in papers]),
        author_keywords=training.author_keyword_counts(papers),
    )
    assert counted.author_keywords["固态电解质"] == 2
    own = training.candidate_sets(papers[:1], published=True, leave_one_out=counted)[0]
    keyword = kw.BASE_FEATURES.index("author_keyword")
    idf = kw.BASE_FEATURES.index("corpus_idf")
    row = own.names.index("固态电解质")
    # Its other copy is the one paper left that lists it and contains it.
    assert own.features[row, keyword] == pytest.approx(np.log1p(1))
    assert own.features[row, idf] == pytest.approx(kw.IdfTable(3, {"x": 1}).unseen)
    assert kw._idf_override is counted.idf  # the table counted over all is back
    kw.set_corpus_idf(None)
    kw.set_author_keywords(None)


def test_each_fold_is_ranked_with_author_keywords_of_the_other_folds_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    papers = [dataclasses.replace(p) for p in training.read_papers(write_csl(tmp_path)) * 3]
    counted_over: list[list[training.Paper]] = []
    real_counts = training.author_keyword_counts

    def recording_counts(train: Sequence[training.Paper]) -> dict[str, int]:
        counted_over.append(list(train))
        return real_counts(train)

    monkeypatch.setattr(training, "author_keyword_counts", recording_counts)
    training.cross_validated_as_published(papers, [], top_k=5, n_folds=3)
    assert len(counted_over) == 3
    for fold, train in enumerate(counted_over):
        scored = [papers[i] for i in range(len(papers)) if training.fold_of(i, 3) == fold]
        assert not {id(p) for p in train} & {id(p) for p in scored}
        assert len(train) == len(papers) - len(scored)
    assert kw._author_keywords_override is None


def test_texts_naming_no_expertise_are_reported_apart(tmp_path: Path) -> None:
    path = tmp_path / "profiles.tsv"
    path.write_text(
        "id\tsplit\ttext\tgold_keywords\tnot_expertise\n"
        "a\tx\t主要做锂离子电池正极材料\t锂离子电池正极材料\t\n"
        "b\tx\t我在郑州上班\t\t郑州\n"
        "c\tx\t谢谢，暂时没有\t\t\n",
        encoding="utf-8",
    )
    report = evaluate_profile_keywords(path, "x")
    assert report.n_without_gold == 2
    assert report.coverage == pytest.approx(1 / 3)
    assert report.coverage_with_gold == 1.0
    assert report.quiet_without_gold == 2
    assert "2 texts name no expertise" in report.format()
