"""Behaviour of the discipline classifier behind the match index's discipline prior."""

from __future__ import annotations

import numpy as np
import pytest

from matching.discipline_training import train
from matching.disciplines import (
    categories,
    classify_disciplines,
    classify_disciplines_batch,
    model_path,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("补肾活血汤治疗老年高血压患者的临床疗效观察", "医学"),
        ("锂离子电池正极材料的制备与电化学性能", "工学"),
        ("怀山药种植密度对产量和品质的影响", "农学"),
        ("论合同法中的违约责任", "法学"),
    ],
)
def test_a_title_gets_its_discipline_first(text: str, expected: str) -> None:
    assert classify_disciplines(text)[0][0] == expected


def test_every_discipline_is_scored_and_probabilities_sum_to_one() -> None:
    ranked = classify_disciplines("基于深度学习的工业产品表面缺陷检测")
    assert sorted(name for name, _ in ranked) == sorted(categories())
    assert len(ranked) == 13
    assert sum(p for _, p in ranked) == pytest.approx(1.0, abs=1e-5)
    assert [p for _, p in ranked] == sorted((p for _, p in ranked), reverse=True)


def test_batch_agrees_with_single_texts() -> None:
    texts = ["太极拳文化的传承与推广", "", "高血压"]
    batch = classify_disciplines_batch(texts)
    assert batch.shape == (3, len(categories()))
    for text, row in zip(texts, batch, strict=True):
        single = dict(classify_disciplines(text))
        assert [single[c] for c in categories()] == pytest.approx(row.tolist(), abs=1e-6)


def test_model_file_is_small_and_pickle_free() -> None:
    path = model_path()
    assert path.stat().st_size < 3_000_000
    with np.load(path, allow_pickle=False) as npz:
        assert {"header", "idf", "coef", "intercept"} <= set(npz.files)
        assert all(npz[name].dtype != object for name in npz.files)


def test_training_is_reproducible() -> None:
    titles = [
        "高血压患者的临床疗效",
        "糖尿病患者的护理",
        "桥梁混凝土的裂缝",
        "钢筋混凝土的强度",
    ] * 2
    labels = ["医学", "医学", "工学", "工学"] * 2
    first, second = train(titles, labels), train(titles, labels)
    assert first.keys() == second.keys()
    for name, array in first.items():
        assert np.array_equal(array, second[name])
