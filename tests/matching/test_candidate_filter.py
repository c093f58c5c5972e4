"""The learned filter of proposed expertise keywords: its model file, its rule and its training."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from matching import extract_expertise
from matching.candidate_filter import (
    HASH_BITS,
    CandidateFilter,
    candidate_features,
    feature_index,
    kept_keywords,
    load_filter,
    save_filter,
)
from matching.expertise import propose_keywords, word_tag
from matching.lab import candidate_training


def _filter(weights: dict[str, float], first: float = 0.5, others: float = 0.5) -> CandidateFilter:
    """Return a filter whose hashed weights are ``weights`` (feature name → weight)."""
    array = np.zeros(2**HASH_BITS, dtype=np.float32)
    for name, weight in weights.items():
        array[feature_index(name) & (2**HASH_BITS - 1)] += weight
    return CandidateFilter(weights=array, bias=0.0, threshold_first=first, threshold=others)


def test_feature_hashes_are_stable_across_processes() -> None:
    # CRC-32, not Python's salted hash(): a saved model must mean the same in the next process.
    assert feature_index("kw=公众号") == 3174196205
    assert feature_index("b1=做") == feature_index("b1=做")


def test_features_describe_the_keyword_and_the_words_before_it() -> None:
    features = candidate_features(
        "我在郑州做锂电池正极材料，平时看看公众号", ["锂电池正极材料", "公众号"], word_tag
    )
    assert features[0]["b1=做"] == 1.0
    assert features[0]["kw=锂电池正极材料"] == 1.0
    assert features[1]["kw=公众号"] == 1.0
    assert "bw=看看" in features[1]
    assert features[1]["rel_pos"] > features[0]["rel_pos"]


def test_a_keyword_not_typed_as_shown_is_still_placed() -> None:
    (features,) = candidate_features("慢性肾病的诊疗", ["慢性肾病诊疗"], word_tag)
    assert features["not_verbatim"] == 1.0
    assert "not_found" not in features


def test_a_negative_weight_drops_the_keyword_and_the_order_is_kept() -> None:
    model = _filter({"kw=公众号": -5.0, "kw=电池回收": 5.0, "kw=热管理": 5.0})
    kept = model.keep(
        "做电池回收，也看公众号，还做热管理", ["电池回收", "公众号", "热管理"], word_tag
    )
    assert kept == ["电池回收", "热管理"]


def test_the_first_keyword_has_its_own_threshold() -> None:
    probabilities = [0.3, 0.3]
    lenient_first = _filter({}, first=0.2, others=0.5)
    assert kept_keywords(["a", "b"], probabilities, lenient_first) == ["a"]


def test_when_every_keyword_falls_under_the_threshold_the_best_one_is_shown() -> None:
    model = _filter({}, first=0.9, others=0.9)
    assert kept_keywords(["a", "b", "c"], [0.1, 0.4, 0.2], model) == ["b"]
    assert kept_keywords([], [], model) == []


def test_a_saved_filter_loads_back_the_same(tmp_path: Path) -> None:
    model = _filter({"kw=公众号": -3.0}, first=0.25, others=0.6)
    path = tmp_path / "filter.npz"
    save_filter(model, path, {"note": "test"})
    loaded = load_filter.__wrapped__(path)
    assert loaded is not None
    assert loaded.threshold_first == 0.25
    assert loaded.threshold == 0.6
    text, keywords = "看公众号", ["公众号"]
    assert loaded.probabilities(text, keywords, word_tag) == pytest.approx(
        model.probabilities(text, keywords, word_tag)
    )


def test_a_missing_model_file_keeps_every_keyword(tmp_path: Path) -> None:
    assert load_filter.__wrapped__(tmp_path / "none.npz") is None


def test_a_file_of_another_format_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.npz"
    np.savez(path, header=np.array('{"format": 99, "hash_bits": 1}'), weights=np.zeros(2))
    with pytest.raises(ValueError, match="not a candidate filter"):
        load_filter.__wrapped__(path)


def test_the_shipped_filter_is_present_and_only_ever_removes_keywords() -> None:
    assert load_filter() is not None
    text = "做日语翻译的，业余时间喜欢看公众号，在上海一家外企，这些年变化很大"
    proposed = propose_keywords(text)
    shown = extract_expertise(text)
    assert set(shown) <= set(proposed)
    assert extract_expertise(text, learned_filter=False) == proposed[:10]
    assert "日语翻译" in shown


def _text(set_name: str, marks: list[str], labels: list[bool]) -> candidate_training.LabelledText:
    """Return a labelled text whose candidates carry only the feature ``mark=<m>``."""
    gold = tuple(m for m, label in zip(marks, labels, strict=True) if label)
    return candidate_training.LabelledText(
        set_name=set_name,
        text="",
        gold=gold,
        not_expertise=(),
        candidates=tuple(marks),
        features=tuple({"mark=" + m.rstrip("0123456789"): 1.0} for m in marks),
        labels=tuple(labels),
        main_hits=tuple(bool(gold) and m == gold[0] for m in marks),
    )


def test_training_learns_which_candidates_are_chatter() -> None:
    texts = [_text(f"set {i % 3}", [f"term{i}", f"chat{i}"], [True, False]) for i in range(30)]
    weights, bias = candidate_training.fit(texts, 1.0)
    model = CandidateFilter(weights=weights, bias=bias, threshold_first=0.5, threshold=0.5)
    term, chat = model.probabilities_of([{"mark=term": 1.0}, {"mark=chat": 1.0}])
    assert term > 0.5 > chat
    setting = candidate_training.choose_setting(texts)
    assert setting.inner_filtered.precision == 1.0
    assert setting.inner_filtered.coverage == setting.inner_rules.coverage


def test_the_score_counts_as_the_evaluation_does() -> None:
    texts = [_text("a", ["term1", "chat1"], [True, False])]
    score = candidate_training.score(texts, [["term1", "chat1"]])
    assert (score.precision, score.coverage, score.n_right) == (0.5, 1.0, 1)


def test_a_best_keyword_under_the_floor_is_not_shown() -> None:
    model = CandidateFilter(
        weights=np.zeros(4, np.float32), bias=0.0, threshold_first=0.9, threshold=0.9, floor=0.3
    )
    assert kept_keywords(["a", "b"], [0.1, 0.2], model) == []  # 写代码的，打工人一个
    assert kept_keywords(["a", "b"], [0.1, 0.4], model) == ["b"]


def test_the_floor_is_saved_with_the_filter(tmp_path: Path) -> None:
    model = CandidateFilter(
        weights=np.zeros(2**HASH_BITS, np.float32),
        bias=0.0,
        threshold_first=0.2,
        threshold=0.5,
        floor=0.15,
    )
    path = tmp_path / "filter.npz"
    save_filter(model, path, {"note": "test"})
    loaded = load_filter.__wrapped__(path)
    assert loaded is not None and loaded.floor == 0.15


def test_the_vectorised_score_equals_the_score_of_the_kept_keywords() -> None:
    # Texts with one to twelve candidates, ties, a first keyword and no gold at all.
    rng = np.random.default_rng(7)
    texts, probabilities = [], {}
    for i in range(60):
        n = int(rng.integers(1, 13))
        labels = [bool(x) for x in rng.integers(0, 2, n)]
        if i % 7 == 0:
            labels = [False] * n
        texts.append(_text("s", [f"k{i}x{j}y" for j in range(n)], labels))
        probabilities[i] = [round(float(x), 1) for x in rng.random(n)]
    flat = candidate_training._flatten(texts, probabilities)
    for first, threshold, floor in [(0.0, 0.5, 0.0), (0.3, 0.6, 0.2), (0.9, 0.9, 0.5)]:
        slow = candidate_training.score(
            texts,
            [
                candidate_training._kept(t, probabilities[i], first, threshold, floor)
                for i, t in enumerate(texts)
            ],
        )
        assert candidate_training._fast_score(flat, first, threshold, floor) == slow
