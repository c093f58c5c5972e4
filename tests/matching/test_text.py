"""Tests for the shared jieba set-up and tokenisation."""

from __future__ import annotations

import logging

import pytest

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
