"""read_keyword_edits / rejects_list: edits of the shown keyword list, never stored as data."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.understanding.keyword_edits import (
    KeywordEdit,
    only_edits,
    read_keyword_edits,
    rejects_list,
)

INSTRUCTION_WORDS = ("去掉", "删掉", "删了", "加上", "改成", "换成", "把", "确认", "不对")


@pytest.mark.parametrize(
    ("text", "edits"),
    [
        ("基本对，把“弄基站”去掉", [KeywordEdit("remove", old="弄基站")]),
        ("去掉弄基站", [KeywordEdit("remove", old="弄基站")]),
        ("弄基站删了吧", [KeywordEdit("remove", old="弄基站")]),
        ("前两个对，最后一个弄基站删了", [KeywordEdit("remove", old="弄基站")]),
        ("加上固态电解质", [KeywordEdit("add", new="固态电解质")]),
        ("加个关键词：电池回收", [KeywordEdit("add", new="电池回收")]),
        ("把弄基站改成负极材料", [KeywordEdit("replace", "弄基站", "负极材料")]),
        ("正极材料改成三元正极材料", [KeywordEdit("replace", "正极材料", "三元正极材料")]),
        ("去掉PLC和SLAM", [KeywordEdit("remove", old="PLC"), KeywordEdit("remove", old="SLAM")]),
        ("都对", []),
        ("不对", []),
        ("都不对，我是搞机械的", []),
    ],
)
def test_edits_of_the_list_are_read(text: str, edits: list[KeywordEdit]) -> None:
    assert read_keyword_edits(text) == edits


@pytest.mark.parametrize("text", ["不对", "都不对，我是搞机械的", "错了错了，这些都不是", "全错"])
def test_rejecting_the_whole_list(text: str) -> None:
    assert rejects_list(text)


@pytest.mark.parametrize("text", ["都对", "基本对，把“弄基站”去掉", "加上固态电解质"])
def test_not_a_rejection(text: str) -> None:
    assert not rejects_list(text)


_KEYWORD = st.text(alphabet=st.characters(categories=["Lo", "Lu", "Nd"]), min_size=1, max_size=8)


@given(
    st.sampled_from(
        ["把{a}去掉", "去掉{a}", "加上{a}", "把{a}改成{b}", "基本对，把“{a}”去掉", "{a}删了"]
    ),
    _KEYWORD,
    _KEYWORD,
)
def test_no_edit_ever_stores_an_instruction_word(template: str, a: str, b: str) -> None:
    for edit in read_keyword_edits(template.format(a=a, b=b)):
        for item in (edit.old, edit.new):
            assert not any(word in item for word in INSTRUCTION_WORDS if word not in a + b)
            assert "“" not in item and "”" not in item


@pytest.mark.parametrize(
    ("text", "position"), [("第二个不对", 2), ("删掉第3个", 3), ("最后一个去掉", -1)]
)
def test_an_item_pointed_at_by_place_is_removed_by_place(text: str, position: int) -> None:
    assert read_keyword_edits(text) == [KeywordEdit("remove", position=position)]


@pytest.mark.parametrize(
    "text", ["基本对就是把弄基站去掉吧", "弄基站那个不要", "基本对把弄基站去掉"]
)
def test_fillers_around_an_item_are_not_part_of_it(text: str) -> None:
    assert read_keyword_edits(text) == [KeywordEdit("remove", old="弄基站")]


@pytest.mark.parametrize(
    ("text", "edits"),
    [
        ("漏了固态电池", [KeywordEdit("add", new="固态电池")]),
        ("还应该有储能", [KeywordEdit("add", new="储能")]),
        ("弄基站跟我没关系", [KeywordEdit("remove", old="弄基站")]),
        ("还有问题吗", []),  # a question, not an item
    ],
)
def test_more_ways_of_adding_and_removing(text: str, edits: list[KeywordEdit]) -> None:
    assert read_keyword_edits(text) == edits


def test_jia_opening_a_word_is_no_add_command() -> None:
    assert read_keyword_edits("加盟了两家") == []
    assert read_keyword_edits("加工牛肉干") == []
    assert read_keyword_edits("加区块链") == [KeywordEdit("add", new="区块链")]


def test_a_message_is_a_command_only_when_every_clause_edits() -> None:
    assert only_edits("把锂电池去掉，加上固态电解质")
    assert not only_edits("律师，主要做公司并购、知识产权诉讼，还有劳动争议")
    assert not only_edits("")
