"""GB/T 13745 discipline codes: the mapping file, coding a text, filtering and match reasons."""

from __future__ import annotations

import numpy as np

from matching import MatchIndex, classify_discipline_codes
from matching.discipline_codes import (
    MIN_PROBABILITY,
    code_name,
    code_table,
    codes_for_probabilities,
    codes_of,
)
from matching.disciplines import disciplines


def test_every_csl_discipline_has_a_first_level_code() -> None:
    table = code_table()
    assert set(table.first) == set(disciplines())
    assert len(table.first) == 67
    for name, codes in table.first.items():
        assert codes, name
        assert all(len(c) == 3 and c.isdigit() for c in codes), name
        assert all(c[:3] in codes for c in table.second[name]), name
        assert all(len(c) == 5 and c.isdigit() for c in table.second[name]), name


def test_known_codes_of_the_standard() -> None:
    assert [c.code for c in codes_of("法学")] == ["820"]
    assert code_name("820") == "法学"
    assert code_name("36010") == "中医学"
    assert [c.code for c in codes_of("中医学/中药学", second_level=True)] == [
        "360",
        "36010",
        "36040",
    ]
    assert codes_of("不存在的学科") == []


def test_codes_come_from_the_likely_disciplines_only() -> None:
    names = ("法学", "数学", "药学")
    assert codes_for_probabilities(names, np.array([0.7, 0.2, 0.1])) == ["820", "82030"]
    assert codes_for_probabilities(names, np.array([0.4, 0.3, 0.3])) == ["820", "110", "82030"]
    assert codes_for_probabilities(names, np.full(3, MIN_PROBABILITY - 0.01)) == []


def test_a_text_is_coded_with_its_field() -> None:
    assert "820" in classify_discipline_codes("律师，主做知识产权诉讼和专利侵权案件，也做商业秘密")
    assert "210" in classify_discipline_codes("小麦育种，抗赤霉病品种选育和栽培")


def test_items_are_filtered_by_their_inferred_discipline_codes() -> None:
    index = MatchIndex.build(
        [
            ("lawyer", "知识产权诉讼 专利侵权 商业秘密 合同纠纷 律师"),
            ("farmer", "小麦育种 抗赤霉病 品种选育 栽培 作物"),
        ]
    )
    law = index.search("专利 侵权 育种", discipline_codes="820")
    assert [h.id for h in law] == ["lawyer"]
    crops = index.search("专利 侵权 育种", discipline_codes=["21030"])
    assert [h.id for h in crops] == ["farmer"]
    assert index.search("专利 侵权 育种", discipline_codes="999") == []


def test_given_discipline_codes_attributes_win_over_inferred_ones() -> None:
    index = MatchIndex.build(
        [("a", "小麦育种 栽培", {"discipline_codes": ["820"]}), ("b", "小麦育种 栽培")]
    )
    assert [h.id for h in index.search("小麦育种", discipline_codes="820")] == ["a"]


def test_a_shared_discipline_is_shown_with_its_code() -> None:
    items = [("clinic", "糖尿病 护理"), ("bridge", "桥梁 混凝土")]
    hits = MatchIndex.build(items).search("高血压 患者")
    assert "学科（推测）：中医学/中药学" in hits[0].reasons
    assert "学科代码：360 中医学与中药学" in hits[0].reasons


def test_every_second_level_code_sits_under_a_named_first_level_code() -> None:
    names = code_table().names
    assert all(code.isdigit() and len(code) in (3, 5) for code in names)
    second = [code for code in names if len(code) == 5]
    assert second
    for code in second:
        assert code[:3] in names, code


# Pairs checked against two or more transcriptions of GB/T 13745-2009 (sources named in the
# mapping file's header), chosen where the 1992 edition differs or a slip is easy to make.
VERIFIED_2009 = {
    "190": "心理学",
    "19015": "认知心理学",
    "330": "预防医学与公共卫生学",
    "510": "电子与通信技术",
    "51020": "光电子学与激光技术",
    "610": "环境科学技术及资源科学技术",
    "630": "管理学",
    "63044": "公共管理",
    "790": "经济学",
    "79073": "金融学",
    "850": "民族学与文化学",
    "870": "图书馆、情报与文献学",
    "44055": "石油、天然气储存与运输工程",
    "58050": "船舶、舰船工程",
    "88054": "高等教育学",
}


def test_codes_and_names_are_those_of_the_2009_edition() -> None:
    names = code_table().names
    for code, name in VERIFIED_2009.items():
        assert names[code] == name, code
    # Names only the 1992 edition used must not creep back in.
    for old in (
        "预防医学与卫生学",
        "电子、通信与自动控制技术",
        "环境科学技术",
        "民族学",
        "货币银行学",
    ):
        assert old not in names.values(), old


def test_fields_with_a_2009_home_of_their_own_map_to_it() -> None:
    # GB/T 13745-2009 gave these degree-catalogue fields second-level codes (verified against
    # two public copies of the 2009 tables, see data/disciplines/gbt13745.toml).
    expected = {
        "控制科学与工程": "41310",
        "光学工程": "41620",
        "农业工程": "41650",
        "兵器科学与技术": "53520",
    }
    for discipline, code in expected.items():
        assert code in [c.code for c in codes_of(discipline, second_level=True)], discipline
