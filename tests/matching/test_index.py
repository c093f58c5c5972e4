"""Behaviour of the match index: ranking, reasons, filters, updates and persistence."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from matching import Hit, MatchIndex

TALENTS = [
    (
        "li",
        "温县人，在上海交通大学从事锂离子电池正极材料研究十年，熟悉磷酸铁锂的合成与表征。",
        {"county": "410825", "city": "上海", "consent": True, "active": True, "wish": ["联合研发"]},
    ),
    (
        "wang",
        "在郑州做怀山药规范化种植和病虫害防治，带过三个合作社，老家武陟。",
        {"county": "410823", "city": "郑州", "consent": True, "active": True, "wish": ["技术咨询"]},
    ),
    (
        "zhao",
        "深圳一家公司的算法工程师，做计算机视觉和工业产品表面缺陷检测，擅长深度学习。",
        {
            "county": "410882",
            "city": "深圳",
            "consent": False,
            "active": True,
            "wish": ["兼职顾问"],
        },
    ),
    (
        "chen",
        "陈家沟人，陈氏太极拳传人，在新加坡开武馆，推广太极拳文化和研学旅行。",
        {"county": "410825", "city": "新加坡", "consent": True, "active": False, "wish": []},
    ),
    (
        "sun",
        "汽车零部件企业工程师，负责铝合金轮毂铸造工艺和汽车轻量化设计。",
        {"county": "410823", "city": "宁波", "consent": True, "active": True, "wish": ["项目合作"]},
    ),
    (
        "zhou",
        "研究锂离子电池电解液和固态电解质，在天津大学化工学院任副教授。",
        {"county": "410811", "city": "天津", "consent": True, "active": True, "wish": ["联合研发"]},
    ),
]


@pytest.fixture(scope="module")
def index() -> MatchIndex:
    """Return an index over the six talents with their attributes."""
    return MatchIndex.build(TALENTS)


def ids(hits: list[Hit]) -> list[object]:
    """Return the ids of ``hits`` in order."""
    return [h.id for h in hits]


@pytest.mark.parametrize(
    ("need", "expected"),
    [
        ("我公司生产磷酸铁锂正极材料，想提高压实密度，寻求合成工艺方面的专家。", "li"),
        ("合作社种的怀山药病虫害严重，需要种植技术指导。", "wang"),
        ("钢管表面划痕人工质检漏检多，想上一套深度学习缺陷检测系统。", "zhao"),
        ("想办太极拳研学旅行基地，需要懂太极拳文化的人。", "chen"),
        ("铸造铝合金轮毂气孔多，求铸造工艺专家。", "sun"),
    ],
)
def test_the_right_talent_ranks_first_for_a_need(
    index: MatchIndex, need: str, expected: str
) -> None:
    hits = index.search(need, k=3)
    assert hits[0].id == expected
    assert all(a.score >= b.score for a, b in zip(hits, hits[1:], strict=False))


def test_every_hit_explains_itself_with_shared_keywords(index: MatchIndex) -> None:
    hits = index.search("寻找磷酸铁锂正极材料合成方面的合作", k=5)
    assert hits
    for hit in hits:
        assert hit.reasons, hit
    top = hits[0]
    keyword_reason = next(r for r in top.reasons if r.startswith("共同关键词："))
    assert "磷酸铁锂" in keyword_reason
    assert "正极" in keyword_reason


def test_reasons_name_a_shared_industry(index: MatchIndex) -> None:
    hits = index.search("怀山药种植基地需要专家", k=1)
    assert hits[0].id == "wang"
    assert "行业：现代高效农业" in "；".join(hits[0].reasons)


def test_unrelated_query_finds_nothing(index: MatchIndex) -> None:
    assert index.search("婚礼摄影与新娘化妆造型", k=5) == []


def test_filters_exclude_items(index: MatchIndex) -> None:
    need = "锂离子电池材料合作"
    assert set(ids(index.search(need))) >= {"li", "zhou"}
    assert ids(index.search(need, county="410825")) == ["li"]
    assert "li" not in ids(index.search(need, county=["410811", "410823"]))
    assert "zhou" in ids(index.search(need, county=["410811", "410823"]))
    assert ids(index.search("缺陷检测", consent=True)) == []
    assert ids(index.search("太极拳", active=True)) == []
    assert ids(index.search("太极拳", active=False)) == ["chen"]
    assert "wang" not in ids(index.search("合作", wish="联合研发"))
    assert ids(index.search("锂离子电池", county="999999")) == []


def test_industry_filter_uses_classified_industries(index: MatchIndex) -> None:
    hits = index.search("锂离子电池 轮毂 山药", k=10, industry="new_materials")
    assert "li" in ids(hits)
    assert "wang" not in ids(hits)
    assert ids(index.search("山药", industry=["modern_agriculture", "culture_tourism"])) == ["wang"]


def test_two_tuple_items_are_enough() -> None:
    index = MatchIndex.build([(1, "怀地黄饮片炮制工艺"), (2, "数控机床主轴精度")])
    assert ids(index.search("地黄炮制")) == [1]
    assert ids(index.search("地黄炮制", industry="high_end_equipment")) == []


def test_build_rejects_duplicate_ids() -> None:
    with pytest.raises(ValueError, match="duplicate"):
        MatchIndex.build([("a", "山药"), ("a", "地黄")])


def test_add_makes_a_profile_searchable_without_rebuilding() -> None:
    index = MatchIndex.build(TALENTS)
    assert "new" not in ids(index.search("固态电解质 锂离子电池"))
    index.add("new", "焦作籍博士，研究固态电解质和锂离子电池界面。", {"consent": True})
    assert index.search("固态电解质 锂离子电池", k=1)[0].id in {"new", "zhou"}
    assert "new" in ids(index.search("固态电解质 锂离子电池", k=3, consent=True))
    assert len(index) == len(TALENTS) + 1


def test_add_with_an_existing_id_replaces_the_item() -> None:
    index = MatchIndex.build(TALENTS)
    index.add("li", "现在改做太极拳文化传播。")
    assert "li" not in ids(index.search("磷酸铁锂 正极材料"))
    assert "li" in ids(index.search("太极拳"))
    assert len(index) == len(TALENTS)


def test_remove_hides_an_item_and_unknown_ids_raise() -> None:
    index = MatchIndex.build(TALENTS)
    index.remove("wang")
    assert "wang" not in ids(index.search("怀山药种植"))
    assert "wang" not in index
    with pytest.raises(KeyError):
        index.remove("wang")


def test_compaction_keeps_results() -> None:
    index = MatchIndex.build(TALENTS)
    index.add("new", "怀山药多糖提取和抗氧化活性研究。", {"county": "410825"})
    index.remove("zhao")
    queries = ["怀山药", "锂离子电池", "缺陷检测", "铸造"]
    before = [index.search(q, county="410825") for q in queries] + [
        index.search(q) for q in queries
    ]
    index.compact()
    after = [index.search(q, county="410825") for q in queries] + [index.search(q) for q in queries]
    assert after == before


def test_save_and_load_give_identical_results(tmp_path: Path) -> None:
    index = MatchIndex.build(TALENTS)
    index.add(("talent", 7), "怀菊花茶饮料褐变和货架期研究。", {"county": "410883", "tags": ["a"]})
    index.remove("sun")
    path = tmp_path / "index.npz"
    index.save(path)
    loaded = MatchIndex.load(path)
    queries = ["怀菊花饮料", "锂离子电池材料", "太极拳", "铸造轮毂", "缺陷检测 深度学习"]
    for query in queries:
        assert loaded.search(query) == index.search(query)
        assert loaded.search(query, consent=True) == index.search(query, consent=True)
    assert ids(loaded.search("怀菊花", county="410883")) == [("talent", 7)]
    assert len(loaded) == len(index)
    loaded.add("later", "磷酸铁锂正极材料")
    assert "later" in ids(loaded.search("磷酸铁锂"))


def test_load_never_unpickles(tmp_path: Path) -> None:
    path = tmp_path / "evil.npz"
    np.savez(path, header=np.array([{"format": 1}], dtype=object))
    with pytest.raises(ValueError):
        MatchIndex.load(path)


def test_save_refuses_ids_that_json_cannot_hold(tmp_path: Path) -> None:
    index = MatchIndex.build([(frozenset({1}), "山药")])
    with pytest.raises(TypeError):
        index.save(tmp_path / "index.npz")


FILLER_WORDS = [
    "太极拳", "云台山", "小麦", "玉米", "数控机床", "轴承", "芯片", "物流", "仓储", "养老",
    "康复", "污水", "光伏", "风电", "区块链", "奶牛", "白酒", "博物馆",
]  # fmt: skip


def feedback_pool() -> list[tuple[str, str]]:
    """Return 60 items: unrelated fillers, one direct match and one related-only profile."""
    fillers = [
        (f"f{i}-{j}", f"{a}和{b}")
        for i, a in enumerate(FILLER_WORDS)
        for j, b in enumerate(FILLER_WORDS)
        if i < j
    ][:58]
    return [
        *fillers,
        ("direct", "磷酸铁锂正极材料的固相法合成与碳包覆改性"),
        ("related", "钠离子电池层状氧化物的固相法制备与碳包覆"),
    ]


def test_feedback_finds_related_profiles_and_says_so() -> None:
    query = "寻找磷酸铁锂正极材料专家"
    plain = MatchIndex.build(feedback_pool(), feedback_docs=0)
    assert "related" not in ids(plain.search(query))
    index = MatchIndex.build(feedback_pool())
    hits = index.search(query)
    assert ids(hits)[:2] == ["direct", "related"]
    related = hits[1].reasons
    assert any(r.startswith("相关词") and ("碳包覆" in r or "固相法" in r) for r in related)
    # Leave one out: the source of the feedback gains nothing from its own words.
    assert hits[0].score == pytest.approx(plain.search(query)[0].score)
    assert not any(r.startswith("相关词") for r in hits[0].reasons)


def test_background_texts_give_a_young_index_its_vocabulary() -> None:
    index = MatchIndex.build([], background=["怀山药种植", "锂离子电池正极材料", "太极拳文化"])
    assert len(index) == 0
    assert index.search("怀山药") == []
    index.add("late", "温县怀山药种植户")
    hits = index.search("怀山药种植技术")
    assert ids(hits) == ["late"]
    assert hits[0].reasons[0].startswith("共同关键词：")


def test_discipline_prior_prefers_the_querys_discipline() -> None:
    # Both share only 方案 with the query and are otherwise alike: only the discipline differs.
    items = [("bridge", "桥梁 混凝土 裂缝 方案"), ("clinic", "患者 临床 疗效 方案")]
    query = "高血压治疗方案"
    plain = MatchIndex.build(
        items, discipline_weight=0.0, category_weight=0.0, industry_weight=0.0, feedback_docs=0
    )
    tie = plain.search(query)
    assert len(tie) == 2
    assert tie[0].score == pytest.approx(tie[1].score)
    index = MatchIndex.build(items, industry_weight=0.0, feedback_docs=0)
    assert index.discipline_weight > 0
    hits = index.search(query)
    assert ids(hits) == ["clinic", "bridge"]
    assert hits[0].score > hits[1].score + 0.1


def test_a_probably_shared_discipline_makes_a_match_and_says_so() -> None:
    items = [("clinic", "糖尿病 护理"), ("bridge", "桥梁 混凝土")]
    # No shared word, and the shared industry alone is too weak to make a match.
    plain = MatchIndex.build(items, discipline_weight=0.0, category_weight=0.0)
    assert ids(plain.search("高血压 患者")) == []
    hits = MatchIndex.build(items).search("高血压 患者")
    assert ids(hits) == ["clinic"]
    assert "学科（推测）：中医学/中药学" in hits[0].reasons


def test_removed_items_do_not_refine_the_querys_discipline() -> None:
    # The evaluation removes the query paper's own abstract; it must not leak the discipline.
    index = MatchIndex.build([("clinic", "高血压 患者 临床 疗效"), ("bridge", "桥梁 混凝土")])
    terms = ["高血压", "患者"]
    own = index._discipline_model.query_probabilities(terms)
    words = np.array([0.8, 0.0], dtype=np.float32)
    refined = index._query_disciplines(terms, words, np.array([True, True]))
    assert not np.allclose(refined, own)
    alone = index._query_disciplines(terms, words, np.array([False, True]))
    assert np.allclose(alone, own)


def _rewrite_as_old_format(path: Path, old: Path, version: int) -> None:
    """Rewrite an index file saved now the way version 1, 2 or 3 of the format stored it."""
    with np.load(path, allow_pickle=False) as npz:
        arrays = {name: npz[name] for name in npz.files if not name.startswith("neighbour")}
    header = json.loads(arrays["header"].tobytes().decode("utf-8"))
    header["format"] = version
    del header["neighbours"], header["neighbour_weight"]
    if version == 3:
        arrays["header"] = np.frombuffer(json.dumps(header, ensure_ascii=False).encode(), np.uint8)
        np.savez(old, **arrays)  # type: ignore[arg-type]
        return
    del arrays["disciplines"]
    del header["category_weight"], header["discipline_sharpness"], header["disciplines"]
    if version == 1:
        del header["discipline_weight"]
    else:
        # Version 2 stored probabilities over the 13 categories, tuned with weight 0.3.
        header["discipline_weight"] = 0.3
        header["disciplines"] = ["工学", "医学", "农学", "法学", "理学", "管理学", "经济学"] + [
            "教育学", "文学", "历史学", "哲学", "艺术学", "军事学"
        ]  # fmt: skip
        n_items = len(header["ids"])
        arrays["disciplines"] = np.full((n_items, 13), 1 / 13, dtype=np.float32)
    arrays["header"] = np.frombuffer(json.dumps(header, ensure_ascii=False).encode(), np.uint8)
    np.savez(old, **arrays)  # type: ignore[arg-type]


@pytest.mark.parametrize("version", [1, 2, 3])
def test_index_files_of_older_formats_still_load(tmp_path: Path, version: int) -> None:
    index = MatchIndex.build(TALENTS)
    path = tmp_path / "index.npz"
    index.save(path)
    old = tmp_path / "old.npz"
    _rewrite_as_old_format(path, old, version)
    loaded = MatchIndex.load(old)
    assert loaded.discipline_weight == index.discipline_weight
    assert loaded._disciplines.shape == (len(TALENTS), 67)
    for query in ["锂离子电池材料", "太极拳", "铸造轮毂", "高血压 患者"]:
        assert loaded.search(query) == index.search(query)


def test_saved_discipline_vectors_are_reused(tmp_path: Path) -> None:
    index = MatchIndex.build(TALENTS)
    path = tmp_path / "index.npz"
    index.save(path)
    with np.load(path, allow_pickle=False) as npz:
        header = json.loads(npz["header"].tobytes().decode("utf-8"))
        stored = npz["disciplines"]
    assert header["format"] == 4
    assert stored.shape == (len(TALENTS), 67)
    loaded = MatchIndex.load(path)
    assert np.array_equal(loaded._disciplines[: len(TALENTS)], stored)


def _neighbour_pool() -> list[tuple[str, str]]:
    """Return 204 items: a vague one whose only rare words it shares with three clinicians."""
    fillers = [(f"f{i}", f"filler{i:03d} 档案") for i in range(200)]
    clinics = [(f"c{i}", f"高血压 患者 临床 疗效 code{i}") for i in range(3)]
    return [*fillers, *clinics, ("vague", "code0 code1 code2 方案")]


def _own_and_smoothed(index: MatchIndex, item: str) -> tuple[float, float]:
    """Return an item's discipline prior for a clinical query, alone and with its neighbours."""
    from matching import priors
    from matching.text import analyse, index_terms

    q_disc = index._discipline_model.query_probabilities(index_terms(analyse("高血压 患者")))
    n, row = len(index._ids), index._rows[item]
    own = priors.discipline_prior(
        index._disciplines[:n],
        q_disc,
        index._discipline_parents,
        index._n_categories,
        index.discipline_weight,
        index.category_weight,
    )
    return float(own[row]), float(index._discipline_prior(q_disc, n)[row])


def test_neighbours_lend_an_item_their_discipline_until_removed(tmp_path: Path) -> None:
    pool = _neighbour_pool()
    index = MatchIndex.build(pool)
    own, smoothed = _own_and_smoothed(index, "vague")
    # The three clinicians are its neighbours (rare shared words) and pull it towards medicine.
    assert smoothed > own + 0.1
    # A filler shares no rare word with anyone: its prior is its own.
    assert _own_and_smoothed(index, "f7")[0] == pytest.approx(_own_and_smoothed(index, "f7")[1])
    # Removed neighbours stop counting at once (the evaluation relies on it).
    for i in range(3):
        index.remove(f"c{i}")
    assert _own_and_smoothed(index, "vague") == pytest.approx((own, own))
    # Added back, they are linked again as before, through compaction and a save.
    for item_id, text in pool[200:203]:
        index.add(item_id, text)
    assert _own_and_smoothed(index, "vague") == pytest.approx((own, smoothed))
    index.compact(drop_removed=True)
    assert _own_and_smoothed(index, "vague") == pytest.approx((own, smoothed))
    index.save(tmp_path / "index.npz")
    loaded = MatchIndex.load(tmp_path / "index.npz")
    assert _own_and_smoothed(loaded, "vague") == pytest.approx((own, smoothed))
    assert loaded.search("高血压 方案") == index.search("高血压 方案")


def test_a_new_item_gets_neighbours_and_becomes_one() -> None:
    pool = _neighbour_pool()
    index = MatchIndex.build([item for item in pool if item[0] != "vague"])
    index.add("vague", "code0 code1 code2 方案")
    rebuilt = MatchIndex.build(pool)
    assert _own_and_smoothed(index, "vague") == pytest.approx(_own_and_smoothed(rebuilt, "vague"))
    assert _own_and_smoothed(index, "c1") == pytest.approx(_own_and_smoothed(rebuilt, "c1"))


def test_neighbour_lists_that_do_not_fit_are_linked_again(tmp_path: Path) -> None:
    index = MatchIndex.build(_neighbour_pool())
    path = tmp_path / "index.npz"
    index.save(path)
    with np.load(path, allow_pickle=False) as npz:
        arrays = {name: npz[name] for name in npz.files}
    arrays["neighbours"] = np.full_like(arrays["neighbours"], 10**6)
    np.savez(tmp_path / "tampered.npz", **arrays)  # type: ignore[arg-type]
    loaded = MatchIndex.load(tmp_path / "tampered.npz")
    assert np.array_equal(loaded._neighbours, index._neighbours)
    assert loaded.search("高血压 方案") == index.search("高血压 方案")


def test_neighbour_weight_zero_keeps_every_prior_its_own(tmp_path: Path) -> None:
    index = MatchIndex.build(_neighbour_pool(), neighbour_weight=0.0)
    own, smoothed = _own_and_smoothed(index, "vague")
    assert smoothed == pytest.approx(own)
    index.save(tmp_path / "index.npz")
    assert MatchIndex.load(tmp_path / "index.npz").neighbour_weight == 0.0
