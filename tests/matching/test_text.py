"""Tests for the shared jieba set-up and tokenisation."""

from __future__ import annotations

import logging
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import text


def test_lexicon_terms_stay_whole_and_filler_is_dropped() -> None:
    tokens = text.tokenize(
        "本人从事锂离子电池正极材料研究多年，熟悉怀山药深加工和计算机视觉缺陷检测。"
    )
    for term in ("锂离子电池", "正极材料", "怀山药", "计算机视觉", "缺陷检测"):
        assert term in tokens
    for filler in ("本人", "从事", "研究", "多年", "，", "和"):
        assert filler not in tokens


def test_full_width_and_latin_are_normalised() -> None:
    tokens = text.tokenize("ＰＹＴＨＯＮ与Ｊａｖａ，ＧＰＳ定位")
    assert "python" in tokens
    assert "java" in tokens
    assert all(t == t.lower() and "，" not in t for t in tokens)


@pytest.mark.parametrize("odd", ["", "   \n\t", "😀🚀", "。。。！！", "12345 678"])
def test_odd_input_gives_no_tokens(odd: str) -> None:
    assert text.tokenize(odd) == []


def test_long_input_is_tokenised() -> None:
    tokens = text.tokenize("固态电解质" * 2000)
    assert tokens == ["固态电解质"] * 2000


def test_tokenizer_is_loaded_once_and_is_not_jiebas_global() -> None:
    import jieba

    first = text.tokenizer()
    assert text.tokenizer() is first
    assert first is not jieba.dt
    # Our lexicons must not leak into jieba's default tokenizer (plain baselines stay plain).
    assert "怀山药" not in jieba.dt.FREQ or jieba.dt.FREQ["怀山药"] == 0


def test_dictionary_is_cached_on_disk() -> None:
    text.tokenizer()
    caches = list(text.cache_dir().glob("huaicai-dict-*.cache"))
    assert caches, "jieba's prefix dict should be cached in the cache directory"


def test_jieba_logs_nothing_below_warning() -> None:
    text.tokenizer()
    assert logging.getLogger("jieba").getEffectiveLevel() >= logging.WARNING


def test_stop_words_include_resume_filler() -> None:
    for filler in ("本人", "从事", "现任", "研究", "方面", "负责", "经验"):
        assert filler in text.stop_words()
    assert not text.is_content_word("本人")
    assert text.is_content_word("氟化工")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_normalise_is_nfkc_and_lower_case(raw: str) -> None:
    assert text.normalise(raw) == unicodedata.normalize("NFKC", raw).lower()


CUT_SAMPLES = [
    "一种基于平方和优化的飞行器大角度机动镇定控制器设计方法\n采用修正的Rodrigues参数(MRP)",
    "本人从事锂离子电池正极材料研究多年，熟悉RT-PCR、c++ 与 3.5% 的 Python3 代码。",
    "在硅谷做氟化工已经24年了，擅长催化剂与生物成因，老家沁阳市。",
    "ＡＢＣ  x\r\n😀 锂电池\t\tand  mixed 文本",
]


@pytest.mark.parametrize("sample", CUT_SAMPLES)
@pytest.mark.parametrize("hmm", [True, False])
def test_cut_gives_exactly_jiebas_tokens(sample: str, hmm: bool) -> None:
    expected = list(text.tokenizer().cut(text.normalise(sample), HMM=hmm))
    assert text.cut(sample, hmm=hmm) == expected
    assert text.cut(sample, hmm=hmm) == expected  # again, from the remembered HMM runs


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from("锂离子电池正极材料固态电解质怀山药计算机视觉的和与ab1 ,-。"),
        max_size=60,
    )
)
def test_cut_matches_jieba_on_any_mix(sample: str) -> None:
    expected = list(text.tokenizer().cut(text.normalise(sample))) if sample.strip() else []
    assert text.cut(sample) == expected
