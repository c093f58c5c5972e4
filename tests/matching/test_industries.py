"""Industry classification over the policy taxonomy."""

from __future__ import annotations

from pathlib import Path

import pytest

from matching import classify_industries
from matching.industries import classify_industry_ids, explain_industries, load_taxonomy
from matching.lab.evaluation import evaluate_industries
from matching.resources import data_path

KEY_INDUSTRIES = [
    "高端装备制造", "现代生物及生命健康", "绿色食品", "新能源汽车", "电子信息及大数据", "新材料",
    "现代物流", "文化旅游", "康养", "现代高效农业",
]  # fmt: skip
STRATEGIC_INDUSTRIES = [
    "新材料", "现代生物及生命健康", "电子信息及大数据", "新能源及网联汽车", "节能环保", "新能源",
]  # fmt: skip


def names(text: str, top: int = 2) -> list[str]:
    """Return the names of the ``top`` best industries for ``text``."""
    return [name for name, _ in classify_industries(text)[:top]]


def test_taxonomy_covers_every_policy_industry_once() -> None:
    taxonomy = load_taxonomy()
    labels = {i.name for i in taxonomy.industries} | {
        a for i in taxonomy.industries for a in i.aliases
    }
    for name in KEY_INDUSTRIES + STRATEGIC_INDUSTRIES:
        assert name in labels, name
    assert len(taxonomy.industries) == 12
    assert len({i.id for i in taxonomy.industries}) == 12
    key = [i.name for i in taxonomy.industries if "key" in i.groups]
    strategic = [i for i in taxonomy.industries if "strategic" in i.groups]
    assert sorted(key) == sorted(KEY_INDUSTRIES)
    assert len(strategic) == 6


def test_huai_yam_is_medicine_and_farming() -> None:
    found = dict(classify_industries("怀山药"))
    assert {"现代生物及生命健康", "现代高效农业"} <= set(found)
    assert names("温县怀山药规范化种植与病虫害防治", 1) == ["现代高效农业"]
    assert names("怀山药多糖的提取纯化及抗氧化活性研究", 1) == ["现代生物及生命健康"]
    assert names("铁棍山药粉的配方改良和货架期延长", 1) == ["绿色食品"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("四大怀药之怀地黄饮片炮制与梓醇含量测定", "现代生物及生命健康"),
        ("怀牛膝种子退化，想提高产量", "现代高效农业"),
        ("陈氏太极拳文化推广和研学旅行", "文化旅游"),
        ("云台山景区夜游项目策划", "文化旅游"),
        ("氟化工企业生产六氟磷酸锂和电子级氢氟酸", "新材料"),
        ("锂电池材料磷酸铁锂扩产", "新材料"),
        ("汽车零部件企业转型做电驱动壳体", "新能源汽车"),
        ("计算机视觉缺陷检测系统", "电子信息及大数据"),
        ("化工园区废水深度处理和VOCs治理", "节能环保"),
        ("冷链物流和智能仓储规划", "现代物流"),
        ("医养结合养老机构的康复护理服务", "康养"),
        ("数控机床主轴热误差补偿", "高端装备制造"),
        ("分布式光伏电站和储能系统", "新能源"),
    ],
)
def test_jiaozuo_specialities_land_in_their_industry(text: str, expected: str) -> None:
    assert names(text, 1) == [expected]


def test_photovoltaic_farming_is_farming_and_new_energy() -> None:
    assert set(names("光伏农业大棚农光互补种植蔬菜", 2)) == {"现代高效农业", "新能源"}


def test_scores_are_in_unit_interval_and_best_first() -> None:
    for text in [
        "锂离子电池正极材料",
        "怀菊花茶饮料",
        "太极拳 养生 康复 老年人",
        "Python 数据分析",
    ]:
        scores = [s for _, s in classify_industries(text)]
        assert scores, text
        assert all(0.0 <= s <= 1.0 for s in scores)
        assert scores == sorted(scores, reverse=True)


def test_more_evidence_gives_a_higher_score() -> None:
    weak = dict(classify_industries("材料"))["新材料"]
    strong = dict(classify_industries("新材料 石墨烯 复合材料 碳纤维"))["新材料"]
    assert strong > weak


def test_text_without_industry_terms_gets_nothing() -> None:
    assert classify_industries("") == []
    assert classify_industries("今天天气不错，我们去吃饭吧。") == []


def test_ascii_terms_match_whole_words_only() -> None:
    assert classify_industry_ids("appendix") == []
    assert classify_industry_ids("会用 PLC 编程")[0][0] == "high_end_equipment"


def test_ids_and_explanations_agree_with_names() -> None:
    text = "研究锂离子电池正极材料"
    explained = explain_industries(text)
    assert [e.name for e in explained] == [n for n, _ in classify_industries(text)]
    assert [e.id for e in explained] == [i for i, _ in classify_industry_ids(text)]
    assert "正极材料" in explained[0].terms or "正极材料" in explained[1].terms


def test_labelled_set_is_big_valid_and_classified_well() -> None:
    path = data_path("eval", "industry_labelled.tsv")
    ids = {i.id for i in load_taxonomy().industries}
    rows = [
        line.split("\t")
        for line in path.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith(("#", "kind\t"))
    ]
    assert len(rows) >= 200
    assert len({r[2] for r in rows}) == len(rows), "duplicate texts"
    for kind, labels, _ in rows:
        assert kind in {"talent", "need"}
        assert set(labels.split(",")) <= ids, labels
    assert {i for _, labels, _ in rows for i in labels.split(",")} == ids
    report = evaluate_industries(path)
    assert report.n == len(rows)
    # A regression floor well below what we measure, not a target.
    assert report.top1_accuracy >= 0.85
    assert report.top2_any_accuracy >= report.top1_accuracy


def test_a_custom_taxonomy_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "t.toml"
    path.write_text(
        '[[industry]]\nid = "a"\nname = "甲"\nstrong = ["山药"]\n'
        '[[industry]]\nid = "b"\nname = "乙"\nkeywords = ["山药", "地黄", "牛膝"]\n',
        encoding="utf-8",
    )
    taxonomy = load_taxonomy(path)
    scored = taxonomy.score("山药 地黄 牛膝")
    assert [s.id for s in scored] == ["b", "a"]
    assert taxonomy.score("山药")[0].id == "a"


def test_magnesia_carbon_bricks_are_new_materials_not_life_sciences() -> None:
    text = (
        "我公司生产镁碳砖，在转炉渣线部位使用时氧化脱碳严重，需要解决高温抗氧化问题，"
        "寻求抗氧化剂方面的合作。"
    )
    assert names(text, 1) == ["新材料"]
    assert names("高炉出铁沟用浇注料寿命短，希望开发长寿命铁沟料。", 1) == ["新材料"]


def test_the_independent_dev_split_is_classified_or_left_unclassified() -> None:
    from matching.lab.evaluation import evaluate_independent_industries

    report = evaluate_independent_industries(data_path("eval", "industry_independent.tsv"))
    assert report.n >= 150
    assert report.top1 >= 0.9
    assert report.top2 >= report.top1
    assert report.wrong <= 0.05 * report.n
