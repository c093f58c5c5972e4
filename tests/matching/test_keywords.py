"""Tests for expertise keyword extraction."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import extract_keywords
from matching import keywords as kw
from matching.text import stop_words

FILLER = (
    "本人",
    "从事",
    "现任",
    "研究",
    "方面",
    "负责",
    "主要",
    "工作",
    "相关",
    "领域",
    "多年",
    "经验",
)

PROFILES = [
    (
        "本人从事锂离子电池正极材料研究多年，现任某新能源公司研发总监，"
        "主要负责固态电解质和磷酸铁锂的工艺开发。",
        ("锂离子电池", "固态电解质", "磷酸铁锂"),
    ),
    (
        "焦作温县人，在郑州从事怀山药和怀地黄等四大怀药的深加工与品质检测工作，熟悉中药材规范化种植。",
        ("怀山药", "四大怀药", "怀地黄"),
    ),
    (
        "现任某大学计算机学院副教授，研究方向为计算机视觉和深度学习，近年来主要做工业产品表面缺陷检测。",
        ("计算机视觉", "深度学习", "缺陷检测"),
    ),
    (
        "长期从事氟化工方面的研究，主要方向为含氟精细化学品和六氟磷酸锂的合成工艺。",
        ("氟化工", "六氟磷酸锂", "含氟精细化学品"),
    ),
    (
        "我是孟州人，在上海一家汽车零部件企业负责制动系统研发，有十多年经验，希望和家乡企业合作。",
        ("汽车零部件", "制动系统"),
    ),
    (
        "在云台山景区做文化旅游策划，也教陈氏太极拳，对光伏农业和乡村振兴感兴趣。",
        ("文化旅游", "光伏农业", "陈氏太极拳"),
    ),
]


@pytest.mark.parametrize(("profile", "expected"), PROFILES)
def test_profile_keywords_contain_the_expertise(profile: str, expected: tuple[str, ...]) -> None:
    found = extract_keywords(profile, top_k=8)
    for term in expected:
        assert term in found, (term, found)


@pytest.mark.parametrize(("profile", "expected"), PROFILES)
def test_profile_keywords_contain_no_filler(profile: str, expected: tuple[str, ...]) -> None:
    found = extract_keywords(profile, top_k=10)
    assert found
    for keyword in found:
        assert keyword not in FILLER
        assert keyword not in stop_words()
        assert not any(keyword.startswith(f) or keyword.endswith(f) for f in ("本人", "从事"))


def test_phrase_jieba_splits_apart_comes_back_whole() -> None:
    text = "团队研究固态电解质与锂离子电池正极材料，固态电解质界面稳定性是关键，正极材料包覆改性。"
    found = extract_keywords(text, top_k=10)
    assert "固态电解质" in found
    assert "锂离子电池正极材料" in found or {"锂离子电池", "正极材料"} <= set(found)


def test_title_like_first_line_counts_for_more() -> None:
    body = "研究了一种新的结构。该结构稳定。实验表明效果良好，数值模拟与实验一致。"
    with_title = extract_keywords("钛白粉废酸回收工艺\n" + body, top_k=3)
    assert any("钛白粉" in k for k in with_title)


def test_keywords_are_best_first_unique_and_at_most_top_k() -> None:
    text = PROFILES[0][0]
    found = extract_keywords(text, top_k=10)
    assert len(found) == len(set(found))
    assert extract_keywords(text, top_k=3) == found[:3]
    assert len(extract_keywords(text, top_k=1)) == 1
    assert extract_keywords(text, top_k=0) == []
    assert extract_keywords(text) == found


@pytest.mark.parametrize(
    "odd",
    ["", " ", "\n\t  \r\n", "😀🚀👍", "，。！？、；：", "12345 678 9.5%", "\x00\x01", "\u200b"],
)
def test_odd_input_gives_no_keywords_and_never_raises(odd: str) -> None:
    assert extract_keywords(odd) == []


def test_full_width_input_is_normalised() -> None:
    found = extract_keywords("ＡＩ芯片设计，Ｐｙｔｈｏｎ，ＦＰＧＡ加速", top_k=10)
    assert "python" in found
    assert any("芯片设计" in k for k in found)
    assert all(k == k.lower() and "Ａ" not in k for k in found)


def test_ten_thousand_characters_are_handled() -> None:
    long_text = ("本人从事锂离子电池研究，熟悉固态电解质和计算机视觉。" * 400)[:10_000]
    assert len(long_text) == 10_000
    found = extract_keywords(long_text, top_k=10)
    assert "固态电解质" in found
    assert "计算机视觉" in found


def test_emoji_and_mixed_scripts_around_terms() -> None:
    found = extract_keywords("🔋锂离子电池🔋 and 光伏农业 ☀️ with ＲＴ-ＰＣＲ", top_k=10)
    assert "锂离子电池" in found
    assert "光伏农业" in found


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300), st.integers(min_value=-2, max_value=30))
def test_any_text_gives_a_short_list_of_real_terms(text: str, top_k: int) -> None:
    found = extract_keywords(text, top_k=top_k)
    assert isinstance(found, list)
    assert len(found) <= max(top_k, 0)
    assert len(found) == len(set(found))
    for keyword in found:
        assert keyword.strip() == keyword and keyword
        assert keyword not in stop_words()


def test_results_do_not_depend_on_earlier_calls() -> None:
    first = extract_keywords(PROFILES[1][0])
    for profile, _ in PROFILES:
        extract_keywords(profile)
    kw._STATIC_CACHE.clear()
    assert extract_keywords(PROFILES[1][0]) == first


def test_shipped_ranker_matches_the_feature_set() -> None:
    ranker = kw.load_ranker()
    assert ranker.weights.shape == (len(kw.FEATURE_NAMES),)
    names, features = kw.candidates(PROFILES[0][0])
    assert features.shape == (len(names), len(kw.BASE_FEATURES))
    expanded = (kw.expand_features(features) - ranker.mean) / ranker.scale
    np.testing.assert_allclose(ranker.score(features), expanded @ ranker.weights, atol=1e-9)


def test_missing_ranker_falls_back_to_hand_set_weights(tmp_path: Path) -> None:
    fallback = kw.load_ranker(tmp_path / "absent.json")
    kw.set_ranker(fallback)
    try:
        found = extract_keywords(PROFILES[3][0], top_k=5)
    finally:
        kw.set_ranker(None)
    assert "氟化工" in found


def test_ranker_for_other_features_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ranker.json"
    path.write_text('{"features": ["bias"], "weights": [1], "mean": [0], "scale": [1]}')
    with pytest.raises(ValueError, match="other features"):
        kw.load_ranker(path)


def test_importing_matching_loads_nothing_heavy() -> None:
    code = (
        "import matching, matching.keywords as k, matching.text as t;"
        "print(t._tokenizer is None, k.corpus_idf.cache_info().currsize,"
        " k._ranker is None)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.split() == ["True", "0", "True"]


def test_a_stop_word_head_noun_closes_the_phrase_before_it() -> None:
    found = kw.candidate_phrases("本文总结了池塘养殖饲养方法，提出防治对策。")
    assert "饲养方法" in found
    assert "防治对策" in found
    assert "方法" not in found and "对策" not in found  # never a keyword alone
    # Without a content word before it, the head noun starts nothing.
    assert not any(p.startswith("方法") for p in kw.candidate_phrases("方法简单，效果明显。"))


def test_an_idf_table_without_a_document_counts_its_phrases_once_less() -> None:
    table = kw.IdfTable(n_docs=10, df={"锂电池": 4, "正极材料": 2, "电解液": 3})
    without = table.without_document({"锂电池", "正极材料", "未知词"})
    # As if built from 9 documents: df 3 for 锂电池, 正极材料 drops under df 2, 电解液 stays.
    assert without.idf("锂电池") == pytest.approx(kw.IdfTable(9, {"锂电池": 3}).idf("锂电池"))
    assert without.idf("正极材料") == without.unseen == pytest.approx(kw.IdfTable(9, {}).unseen)
    assert without.idf("电解液") == pytest.approx(kw.IdfTable(9, {"电解液": 3}).idf("电解液"))
    assert table.idf("锂电池") == pytest.approx(kw.IdfTable(10, {"锂电池": 4}).idf("锂电池"))


def test_a_phrase_other_authors_chose_ranks_higher() -> None:
    text = "本文研究了池塘养殖中的水质调控和病害防治，分析了饲料配方。"
    column = kw.BASE_FEATURES.index("author_keyword")
    kw.set_author_keywords({"饲料配方": 5})
    try:
        names, features = kw.candidates(text)
    finally:
        kw.set_author_keywords(None)
    known = dict(zip(names, features[:, column], strict=True))
    assert known["饲料配方"] == pytest.approx(np.log1p(5))
    assert known["水质调控"] == 0.0
    weights = np.zeros(len(kw.FEATURE_NAMES))
    weights[kw.FEATURE_NAMES.index("author_keyword")] = 1.0
    ranker = kw.Ranker(weights, np.zeros(len(weights)), np.ones(len(weights)))
    assert kw.select(names, ranker.score(features), 1) == ["饲料配方"]


def test_one_character_prefixes_and_suffixes_stay_inside_a_phrase() -> None:
    found = kw.candidate_phrases("研究了大角度机动的控制，提出离群点检测算法，促进可持续发展。")
    assert {"大角度机动", "离群点检测", "可持续发展"} <= found
    assert not any(p.endswith(("大", "可")) or p.startswith("点") for p in found)


def test_the_title_after_a_published_abstract_is_the_title() -> None:
    # CSL's layout: abstract (its first sentence short), a space, then the title.
    field = "目的 观察疗效。方法 选取患者六十例，测定血清尿酸水平. 痛风性关节炎的中医治疗"
    names, features = kw.candidates(field)
    in_title = dict(zip(names, features[:, kw.BASE_FEATURES.index("in_title")], strict=True))
    assert in_title["痛风性关节炎"] == 1.0
    assert in_title["观察疗效"] == 0.0 and in_title["血清尿酸"] == 0.0
    # A line break still marks the first line as the title (a need typed in chat).
    names, features = kw.candidates("痛风性关节炎\n选取患者六十例，测定血清尿酸水平。")
    in_title = dict(zip(names, features[:, kw.BASE_FEATURES.index("in_title")], strict=True))
    assert in_title["痛风性关节炎"] == 1.0 and in_title["血清尿酸"] == 0.0
