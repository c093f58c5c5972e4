"""Expertise keywords of self-descriptions: the examples of issue 13, each handled."""

from __future__ import annotations

from pathlib import Path

import pytest

from matching import extract_expertise, extract_profile
from matching.lab.evaluation import evaluate_profile_keywords, keyword_is_expertise
from matching.resources import data_path

LITHIUM = (
    "我在上海一家新能源公司做研发总监，主要方向是锂离子电池正极材料和固态电解质，"
    "也做动力电池热管理和电池回收，带过十几人的团队"
)
LIFSI = (
    "主要从事六氟磷酸锂合成工艺研究，也做双氟磺酰亚胺锂（LiFSI）的中试放大，"
    "六氟磷酸锂产能提升，获省部级奖励3项"
)


def test_the_research_director_is_shown_expertise_not_title_or_team_size() -> None:
    found = extract_profile(LITHIUM)
    assert "锂离子电池正极材料" in found.keywords
    assert "固态电解质" in found.keywords
    assert "电池回收" in found.keywords
    assert not any("总监" in k or "十几" in k for k in found.keywords)
    assert "研发总监" in found.titles
    assert "十几人" in found.counts
    assert "上海" in found.places


def test_a_nested_fragment_of_one_term_is_shown_once() -> None:
    keywords = extract_expertise(LITHIUM)
    assert "锂离子电池" not in keywords  # only inside 锂离子电池正极材料
    assert len({k.lower() for k in keywords}) == len(keywords)


def test_an_unknown_compound_stays_whole_and_the_acronym_keeps_its_case() -> None:
    found = extract_profile(LIFSI)
    assert "双氟磺酰亚胺锂" in found.keywords
    assert "LiFSI" in found.keywords
    for fragment in ("双氟", "酰亚胺", "双氟磺", "酰亚胺锂"):
        assert fragment not in found.keywords
    assert not any("省部级" in k or "奖励" in k for k in found.keywords)
    assert any("省部级" in h for h in found.honours)
    assert sum("六氟磷酸锂" in k for k in found.keywords) <= 2


def test_5g_keeps_its_capital_and_the_employer_is_set_apart() -> None:
    found = extract_profile("在深圳华为做5G基站射频")
    assert found.keywords == ["5G基站射频"]
    assert "深圳华为" in found.employers


@pytest.mark.parametrize(
    ("text", "not_shown"),
    [
        ("郑州大学化工学院博导，做锂电池电解液", ("郑州大学化工学院", "郑州大学", "博导")),
        ("在博爱县种怀山药，一百多户一起种", ("博爱县", "一百多户")),
        ("主治医师，执业十二年，主攻冠心病介入", ("主治医师", "执业十二年")),
        ("技术科长，团队五六个，做煤矿瓦斯抽采", ("技术科长", "团队五六个")),
        ("注册专员，药企做质量体系", ("注册专员", "药企做质量", "药企")),
        ("回焦作投资，做高压电缆局部放电检测算法产品", ("回焦作投资", "焦作投资", "高压")),
    ],
)
def test_employers_places_titles_counts_and_chatter_are_not_expertise(
    text: str, not_shown: tuple[str, ...]
) -> None:
    keywords = extract_expertise(text)
    assert keywords, text
    for phrase in not_shown:
        assert phrase not in keywords


def test_generic_fragments_are_not_shown_alone() -> None:
    keywords = extract_expertise("回焦作投资，做高压电缆局部放电检测算法产品")
    assert keywords == ["高压电缆局部放电检测"]
    for fragment in ("高压", "局部", "放电", "算法", "产品"):
        assert fragment not in keywords


def test_every_field_other_than_expertise_is_offered_for_its_own_field() -> None:
    found = extract_profile(
        "我是沁阳人，在宁德时代任研发总监，博士毕业，带一个60多人的团队，拿过科技进步一等奖"
    )
    assert "沁阳" in found.places
    assert "宁德时代" in found.employers
    assert "研发总监" in found.titles
    assert found.counts
    assert found.honours
    assert not found.keywords


def test_two_latin_words_separated_by_a_space_stay_one_term() -> None:
    assert extract_expertise("会用ROS和Isaac Gym") == ["ROS", "Isaac Gym"]
    assert extract_expertise("后端开发 Java Spring Cloud") == [
        "后端开发",
        "Java",
        "Spring",
        "Cloud",
    ]


def test_empty_and_blank_texts_give_nothing() -> None:
    assert extract_expertise("") == []
    assert extract_expertise("   ") == []
    assert extract_expertise("做锂电池正极材料的", top_k=0) == []


def test_the_matching_rule_of_the_evaluation() -> None:
    assert keyword_is_expertise("LiFSI", ["lifsi"], [])
    assert keyword_is_expertise("锂离子电池正极材料", ["正极材料"], [])
    assert keyword_is_expertise("固态电解", ["固态电解质"], [])
    assert not keyword_is_expertise("电池", ["锂离子电池正极材料"], [])
    assert not keyword_is_expertise("宣武医院神经内科", ["神经内科"], ["宣武医院"])


def test_dev_precision_and_coverage_reach_the_issue_targets() -> None:
    report = evaluate_profile_keywords(data_path("eval", "profile_keywords_labelled.tsv"), "dev")
    assert report.n_texts >= 100
    assert report.precision >= 0.85
    assert report.coverage >= 0.9


def test_an_unknown_split_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.tsv"
    path.write_text("id\tsplit\ttext\tgold_keywords\tnot_expertise\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no rows"):
        evaluate_profile_keywords(path, "dev")


def test_latin_terms_with_joiners_and_numbers_stay_whole() -> None:
    keywords = extract_expertise("熟悉HPLC-MS/MS，PLC用S7-300，做过ISO 9001体系和Kafka")
    assert "HPLC-MS/MS" in keywords
    assert "S7-300" in keywords
    assert "ISO 9001体系" in keywords
    assert "Kafka" in keywords


def test_well_known_employers_are_set_apart_even_glued_to_a_term() -> None:
    found = extract_profile("之前在美团做推荐系统，现在用欧姆龙PLC做产线改造，客户有宇通")
    assert "美团" in found.employers
    assert "欧姆龙" in found.employers
    assert "PLC" in found.keywords
    assert not {"美团", "宇通", "欧姆龙PLC", "欧姆龙"} & set(found.keywords)


@pytest.mark.parametrize(
    ("text", "shown", "not_shown"),
    [
        ("武汉大学教授，研究遥感影像解译", "遥感影像解译", "武汉大学"),
        ("SaaS产品经理，做医院HIS系统", "SaaS", "SaaS产品经理"),
        ("持CPA和ACCA，做并购财务尽调", "并购财务尽调", "CPA"),
        ("我是staff engineer，写Go做分布式调度", "分布式调度", "staff engineer"),
        ("去年考了二建，厂里挺忙的，主要做钢结构焊接", "钢结构焊接", "考了"),
        ("老家在神农山脚下的乡里，做猕猴桃种植", "猕猴桃种植", "神农山"),
    ],
)
def test_titles_credentials_places_and_chatter_around_expertise(
    text: str, shown: str, not_shown: str
) -> None:
    keywords = extract_expertise(text)
    assert shown in keywords, keywords
    assert not any(not_shown.lower() in k.lower() for k in keywords), keywords
