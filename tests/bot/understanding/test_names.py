"""clean_name: lead-ins stripped, command and consent words refused."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.understanding.names import INSTRUCTION_WORDS, NotAName, clean_name


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("我叫王建国", "王建国"),
        ("王建国", "王建国"),
        ("我是李晓明。", "李晓明"),
        ("姓名：张三", "张三"),
        ("叫我小王就行", "小王"),
        ("您好，我叫欧阳娜娜", "欧阳娜娜"),
        ("阿依古丽·买买提", "阿依古丽·买买提"),
        ("Li Ming", "Li Ming"),
        ("ｗａｎｇ　ｊｉａｎｇｕｏ", "wang jianguo"),
    ],
)
def test_names_are_cleaned_of_lead_ins(text: str, name: str) -> None:
    assert clean_name(text) == name


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("同意", "command"),
        ("注册", "command"),
        ("确认", "command"),
        ("好的", "command"),
        ("我叫", "empty"),
        ("把弄基站去掉", "command"),
        ("", "empty"),
        ("。", "empty"),
        ("13812345678", "not_letters"),
        ("wang@example.com", "not_letters"),
        ("王" * 31, "too_long"),
    ],
)
def test_commands_consent_words_and_junk_are_not_names(text: str, reason: str) -> None:
    with pytest.raises(NotAName) as refused:
        clean_name(text)
    assert refused.value.reason == reason


@given(st.text(max_size=40))
def test_a_cleaned_name_never_holds_an_instruction_word(text: str) -> None:
    try:
        name = clean_name(text)
    except NotAName:
        return
    assert name
    assert not any(word in name for word in INSTRUCTION_WORDS)
    assert not any(char.isdigit() for char in name)
