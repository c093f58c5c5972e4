"""Behaviour of the discipline classifier behind the match index's discipline prior."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from matching.disciplines import (
    CHARACTER_PREFIX,
    categories,
    classifier_terms,
    classify_categories,
    classify_disciplines,
    classify_disciplines_batch,
    disciplines,
    load_model,
    model_path,
    read_model,
)
from matching.lab.discipline_training import (
    TRAINING_FILES,
    TrainingData,
    assign_folds,
    train,
    write_model,
)


def category_of(discipline: str) -> str:
    """Return the top-level category a discipline belongs to."""
    model = load_model()
    return model.categories[int(model.parents[model.disciplines.index(discipline)])]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("补肾活血汤治疗老年高血压患者的临床疗效观察", "医学"),
        ("锂离子电池正极材料的制备与电化学性能", "工学"),
        ("怀山药种植密度对产量和品质的影响", "农学"),
        ("论合同法中的违约责任", "法学"),
    ],
)
def test_a_title_gets_its_category_first(text: str, expected: str) -> None:
    assert classify_categories(text)[0][0] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("补肾活血汤治疗老年高血压患者的临床疗效观察", "中医学/中药学"),
        ("锂离子电池正极材料的制备与电化学性能", "材料科学与工程"),
        ("论合同法中的违约责任", "法学"),
    ],
)
def test_a_clear_title_gets_its_discipline_first(text: str, expected: str) -> None:
    assert classify_disciplines(text)[0][0] == expected


def test_a_clinical_abstract_lands_in_a_medical_discipline() -> None:
    abstract = (
        "目的探讨2型糖尿病患者胰岛素抵抗与血脂水平的关系。方法选取我院收治的120例患者，"
        "检测空腹血糖、胰岛素及血脂。结果胰岛素抵抗指数与甘油三酯呈正相关。"
    )
    best, probability = classify_disciplines(abstract)[0]
    assert category_of(best) == "医学"
    assert probability > 0.3


def test_every_discipline_is_scored_and_probabilities_sum_to_one() -> None:
    ranked = classify_disciplines("基于深度学习的工业产品表面缺陷检测")
    assert sorted(name for name, _ in ranked) == sorted(disciplines())
    assert len(ranked) == 67
    assert len(categories()) == 13
    assert sum(p for _, p in ranked) == pytest.approx(1.0, abs=1e-5)
    assert [p for _, p in ranked] == sorted((p for _, p in ranked), reverse=True)


def test_discipline_probabilities_add_up_to_the_category_model() -> None:
    # P(discipline) = P(category) x P(discipline | category): summed over a category's
    # disciplines they give back the category model's probability.
    text = "小麦赤霉病抗性品种的筛选与田间鉴定"
    by_discipline = dict(classify_disciplines(text))
    summed: dict[str, float] = {}
    for name, probability in by_discipline.items():
        summed[category_of(name)] = summed.get(category_of(name), 0.0) + probability
    for category, probability in classify_categories(text):
        assert summed[category] == pytest.approx(probability, abs=1e-5)


def test_batch_agrees_with_single_texts() -> None:
    texts = ["太极拳文化的传承与推广", "", "高血压"]
    batch = classify_disciplines_batch(texts)
    assert batch.shape == (3, len(disciplines()))
    for text, row in zip(texts, batch, strict=True):
        single = dict(classify_disciplines(text))
        assert [single[d] for d in disciplines()] == pytest.approx(row.tolist(), abs=1e-6)


def test_model_file_is_small_pickle_free_and_fingerprints_its_training_files() -> None:
    path = model_path()
    assert path.stat().st_size < 4_000_000
    with np.load(path, allow_pickle=False) as npz:
        assert {"header", "parents", "category_coef", "discipline_coef"} <= set(npz.files)
        assert all(npz[name].dtype != object for name in npz.files)
    fingerprints = load_model().header["training_files"]
    assert isinstance(fingerprints, dict)
    assert set(fingerprints) == set(TRAINING_FILES)
    assert all(len(digest) == 64 for digest in fingerprints.values())


TINY = TrainingData(
    titles=["高血压患者的临床疗效", "桥梁混凝土的裂缝", "糖尿病患者的护理", "钢筋混凝土的强度"],
    title_categories=["医学", "工学", "医学", "工学"],
    paper_titles=["针灸治疗失眠", "中药汤剂治疗咳嗽", "隧道围岩变形", "桥梁抗震设计", "数据库索引"],
    paper_abstracts=[
        "针灸 失眠 患者 疗效",
        "中药 汤剂 咳嗽 患者",
        "隧道 围岩 变形 监测",
        "桥梁 抗震 设计 混凝土",
        "数据库 索引 查询 优化",
    ],
    paper_disciplines=["中医学", "中医学", "土木工程", "土木工程", "计算机"],
    paper_categories=["医学", "医学", "工学", "工学", "工学"],
)


def test_training_is_reproducible() -> None:
    first, second = train(TINY).arrays(), train(TINY).arrays()
    assert first.keys() == second.keys()
    for name, array in first.items():
        assert np.array_equal(array, second[name])


def test_a_discipline_missing_from_the_training_papers_is_kept_but_unlikely() -> None:
    # As in a cross-fit fold that happens to hold every paper of a rare discipline.
    model = train(TINY, papers=[0, 1, 2, 3])
    assert model.disciplines == ("中医学", "土木工程", "计算机")
    probs = model.probabilities_one(["数据库", "索引"])
    assert probs[model.disciplines.index("计算机")] < 1e-6
    assert [model.categories[i] for i in model.parents.tolist()] == ["医学", "工学", "工学"]


def test_papers_sharing_a_title_or_an_abstract_share_a_fold() -> None:
    titles = ["t0", "t1", "t0", "t3", "t4", "t5", "t6", "t7"]
    abstracts = ["a0", "a1", "a2", "a1", "a4", "a5", "a6", "a7"]
    folds = assign_folds(titles, abstracts, folds=4, seed=0)
    assert folds[0] == folds[2]
    assert folds[1] == folds[3]
    assert np.array_equal(folds, assign_folds(titles, abstracts, folds=4, seed=0))
    assert set(folds.tolist()) == {0, 1, 2, 3}


def test_the_classifier_reads_the_characters_of_each_term() -> None:
    assert classifier_terms(["桥梁", "抗震"]) == [
        "桥梁",
        "抗震",
        *(CHARACTER_PREFIX + ch for ch in "桥梁抗震"),
    ]


def test_a_word_never_seen_in_training_is_classified_by_its_characters() -> None:
    # 桥墩 and 库表 are in no training text, but 桥 is in 桥梁 and 库 in 数据库.
    model = train(TINY, characters=True)
    assert model.character_features
    civil, computing = model.disciplines.index("土木工程"), model.disciplines.index("计算机")
    bridge_pier = model.probabilities_one(["桥墩"])
    assert bridge_pier[civil] > 5 * bridge_pier[computing]
    table = model.probabilities_one(["库表"])
    assert table[computing] > 2 * table[civil]

    # Without characters the unseen words leave only the intercepts.
    plain = train(TINY)
    assert not plain.character_features
    unseen = plain.probabilities_one(["桥墩"])
    assert unseen[civil] < 5 * unseen[computing]


def test_a_written_character_model_reads_characters_again(tmp_path: Path) -> None:
    model = train(TINY, characters=True)
    write_model(model, tmp_path / "model.npz")
    again = read_model(tmp_path / "model.npz")
    assert again.character_features
    assert again.probabilities_one(["桥墩"]) == pytest.approx(model.probabilities_one(["桥墩"]))


def test_queries_are_classified_by_their_characters_items_by_their_terms(tmp_path: Path) -> None:
    model = train(TINY)
    assert not model.character_features
    assert model.query_model is not None and model.query_model.character_features
    civil, computing = model.disciplines.index("土木工程"), model.disciplines.index("计算机")
    # 桥墩 is in no training text: as a query its character 桥 (桥梁) says civil engineering,
    # as an item it is left to the intercepts.
    query = model.query_probabilities(["桥墩"])
    item = model.probabilities_one(["桥墩"])
    assert query[civil] > 5 * query[computing]
    assert item[civil] < 5 * item[computing]
    assert query.sum() == pytest.approx(1.0, abs=1e-5)
    # Written and read again, both classify as before (the query weights are float16 already).
    write_model(model, tmp_path / "model.npz")
    again = read_model(tmp_path / "model.npz")
    assert again.query_model is not None and again.query_model.character_features
    assert np.array_equal(again.query_probabilities(["桥墩"]), query)
    assert np.array_equal(again.probabilities_one(["桥墩"]), item)


def test_without_a_query_model_queries_are_classified_like_items(tmp_path: Path) -> None:
    model = train(TINY, query_characters=False)
    assert model.query_model is None
    assert np.array_equal(model.query_probabilities(["桥墩"]), model.probabilities_one(["桥墩"]))
    write_model(model, tmp_path / "model.npz")
    assert read_model(tmp_path / "model.npz").query_model is None


def test_the_shipped_model_classifies_queries_with_characters() -> None:
    model = load_model()
    assert model.query_model is not None and model.query_model.character_features
    assert not model.character_features
