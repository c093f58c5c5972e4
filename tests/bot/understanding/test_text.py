"""normalise_utterance: width, emoji, lead-ins and fillers."""

from __future__ import annotations

import pytest

from bot.understanding.text import clauses, clean_characters, normalise_utterance


@pytest.mark.parametrize(
    ("text", "normal"),
    [
        ("你好，我想登记一下", "我想登记一下"),
        ("嗯嗯 没错", "没错"),
        ("请问怀才是干什么的？", "怀才是干什么的"),
        ("看下我的个人资料😊", "看下我的个人资料"),
        ("ＨＥＬＬＯ", "hello"),
        ("👌", "好"),
        ("帮\x08助", "帮助"),
        ("liu yang 老师", "liu yang老师"),
    ],
)
def test_messages_are_normalised(text: str, normal: str) -> None:
    assert normalise_utterance(text) == normal


def test_case_is_kept_for_values() -> None:
    assert normalise_utterance("加上PLC", lower=False) == "加上PLC"


def test_control_characters_go_but_line_breaks_stay() -> None:
    assert clean_characters("a\x00b\nc") == "ab\nc"


def test_clauses_split_at_punctuation() -> None:
    assert clauses("基本对，把弄基站去掉。加上A") == ["基本对", "把弄基站去掉", "加上A"]
