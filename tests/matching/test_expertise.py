"""Expertise keywords of self-descriptions: the examples of issue 13, each handled."""

from __future__ import annotations

from pathlib import Path

import pytest

from matching import extract_expertise, extract_profile
from matching.expertise import _is_english_place_or_unit, _title_split
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


def _rules_show(text: str, shown: str, not_shown: str) -> None:
    """Assert that the rules (no learned filter) show ``shown`` and nothing containing
    ``not_shown`` for ``text``."""
    keywords = extract_expertise(text, learned_filter=False)
    assert shown in keywords, keywords
    assert not any(not_shown in k for k in keywords), keywords


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
    # The compound whole, with the abbreviation typed after it in its case, once.
    assert "双氟磺酰亚胺锂(LiFSI)" in found.keywords
    assert "LiFSI" not in found.keywords
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
    # 的 is dropped before comparing; the rule before 2026-12-01 (keep_de) kept it.
    assert keyword_is_expertise("焊接工装夹具调试", ["焊接工装夹具的调试"], [])
    assert not keyword_is_expertise("焊接工装夹具调试", ["焊接工装夹具的调试"], [], keep_de=True)


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


def test_the_lifsi_profile_shows_each_term_once_and_the_honour_apart() -> None:
    found = extract_profile(LIFSI)
    assert found.keywords[:2] == ["六氟磷酸锂合成工艺", "双氟磺酰亚胺锂(LiFSI)"]
    assert "六氟磷酸锂" not in found.keywords  # only inside 六氟磷酸锂合成工艺
    assert found.honours == ["获省部级奖励3项"]


# Self-descriptions written for these tests (not taken from the labelled set), in the styles
# people type into WeChat: each with the expertise that must be shown and spans that must not.
TRANSCRIPTS = [
    # researchers
    (
        "我是河南理工大学材料学院的副教授，主要研究镁合金腐蚀防护和微弧氧化涂层，"
        "主持过两项国家自然科学基金",
        ("镁合金腐蚀防护", "微弧氧化涂层"),
        ("河南理工大学", "副教授", "两项", "国家自然科学基金"),
    ),
    (
        "我在清华读博，做钙钛矿太阳能电池的界面钝化，发过几篇Nature Energy",
        ("钙钛矿太阳能电池", "界面钝化"),
        ("清华", "读博", "Nature Energy", "几篇"),
    ),
    (
        "药物化学，主要做小分子激酶抑制剂的合成和构效关系研究，入选省青年人才计划",
        ("药物化学", "小分子激酶抑制剂", "构效关系"),
        ("人才计划", "入选"),
    ),
    (
        "河南农业大学教授 小麦育种 抗赤霉病 主持选育了5个国审品种",
        ("小麦育种", "抗赤霉病"),
        ("河南农业大学", "教授", "国审"),
    ),
    (
        "正高级工程师，享受国务院特殊津贴，中原学者，从事超硬材料和金刚石线锯研究三十年",
        ("超硬材料", "金刚石线锯"),
        ("正高级", "津贴", "中原学者", "三十年", "国务院"),
    ),
    (
        "海归博士，党员，在德国弗劳恩霍夫研究所做过三年访问学者，研究激光增材制造和钛合金",
        ("激光增材制造", "钛合金"),
        ("海归", "党员", "弗劳恩霍夫", "三年", "访问学者"),
    ),
    # engineers
    (
        "化工工艺工程师，在中石化洛阳分公司，负责催化裂化装置的工艺优化，"
        "获得过集团公司科技进步二等奖",
        ("催化裂化装置", "工艺优化"),
        ("工程师", "中石化", "洛阳", "科技进步", "集团公司"),
    ),
    (
        "在宇通客车做氢燃料电池系统集成，研发经理，带二十人团队",
        ("氢燃料电池系统集成",),
        ("宇通", "客车", "研发经理", "二十人"),
    ),
    (
        "嗯那个我在比亚迪干电控的主要是电机控制器软件开发用的是AUTOSAR架构然后也搞过BMS "
        "干了有七八年了吧",
        ("电机控制器软件开发", "AUTOSAR架构", "BMS"),
        ("比亚迪", "七八年", "干了"),
    ),
    (
        "就是我现在呢是在一个做光伏的公司然后主要是做那个异质结电池的镀膜工艺PECVD这块 "
        "然后以前呢在隆基做过TOPCon",
        ("异质结电池", "TOPCon"),
        ("光伏", "隆基", "这块"),
    ),
    (
        "我呢是做那个煤矿安全的 就是瓦斯抽采还有矿压监测这一块 在焦煤集团干了十几年了 "
        "现在出来自己弄了个公司做安全评价",
        ("煤矿安全", "瓦斯抽采", "矿压监测", "安全评价"),
        ("焦煤集团", "十几年", "公司"),
    ),
    (
        "在富士康做SMT工艺，负责锡膏印刷和回流焊温度曲线调试",
        ("SMT工艺", "锡膏印刷", "回流焊温度曲线调试"),
        ("富士康",),
    ),
    (
        "风电运维工程师，负责风机齿轮箱故障诊断和振动监测，常驻内蒙古",
        ("风机齿轮箱故障诊断", "振动监测"),
        ("工程师", "内蒙古", "常驻"),
    ),
    (
        "IC验证工程师，UVM，SystemVerilog，做过PCIe和DDR的验证",
        ("UVM", "SystemVerilog", "PCIe", "DDR"),
        ("工程师",),
    ),
    (
        "嵌入式软件 STM32 FreeRTOS 低功耗蓝牙BLE",
        ("嵌入式软件", "低功耗蓝牙BLE"),
        (),
    ),
    (
        "研究生在读 做大语言模型的RAG检索增强和Agent 用PyTorch和LangChain",
        ("大语言模型", "RAG检索增强", "PyTorch", "LangChain"),
        ("研究生", "在读", "做大"),
    ),
    (
        "A轮融资后的创业公司CTO，做工业视觉缺陷检测，团队二十多人，欢迎交流",
        ("工业视觉缺陷检测",),
        ("融资", "创业公司", "CTO", "二十多"),
    ),
    # doctors and health
    (
        "您好，我是焦作市人民医院心内科的主任医师，擅长心律失常射频消融，从医二十多年",
        ("心律失常射频消融",),
        ("人民医院", "主任医师", "从医", "二十多年"),
    ),
    (
        "中医师，擅长针灸治疗颈肩腰腿痛和失眠，在修武县开了个诊所",
        ("针灸治疗颈肩腰腿痛", "失眠"),
        ("中医师", "修武", "诊所"),
    ),
    (
        "皮肤科医生，擅长痤疮、银屑病和激光美容，省级劳动模范",
        ("痤疮", "银屑病", "激光美容"),
        ("医生", "劳动模范"),
    ),
    (
        "骨科医生，关节置换，运动医学，做过上千台膝关节置换手术",
        ("运动医学", "膝关节置换手术"),
        ("医生", "上千台"),
    ),
    (
        "检验科主管技师，生化免疫，质谱检测",
        ("生化免疫", "质谱检测"),
        ("主管", "技师"),
    ),
    (
        "心理咨询师，擅长青少年厌学、亲子关系和焦虑抑郁",
        ("青少年厌学", "亲子关系"),
        ("咨询师",),
    ),
    # lawyers, finance, services
    (
        "在郑州一家律所做合伙人，主攻知识产权诉讼和商业秘密保护，执业十五年",
        ("知识产权诉讼", "商业秘密保护"),
        ("郑州", "律所", "合伙人", "执业", "十五年"),
    ),
    (
        "刑事辩护律师，专注职务犯罪和经济犯罪辩护，全国优秀律师",
        ("职务犯罪", "经济犯罪辩护"),
        ("律师", "优秀"),
    ),
    (
        "高级会计师，负责集团合并报表和税务筹划，之前在四大干了五年审计",
        ("集团合并报表", "税务筹划", "审计"),
        ("会计师", "四大", "五年"),
    ),
    (
        "资深HR，招聘、绩效考核、薪酬体系搭建，在互联网大厂干了八年",
        ("绩效考核", "薪酬体系搭建"),
        ("HR", "大厂", "八年"),
    ),
    (
        "知识产权代理人，专利撰写，主要是机械和电学领域，也做PCT国际申请",
        ("专利撰写", "PCT国际申请"),
        ("代理人",),
    ),
    # farmers and rural work
    (
        "种了三百多亩小麦和玉米，在温县，搞过测土配方施肥和无人机飞防",
        ("小麦", "玉米", "测土配方施肥", "无人机飞防"),
        ("三百多亩", "温县"),
    ),
    (
        "养殖户，养了五千只蛋鸡，也做有机肥发酵",
        ("蛋鸡", "有机肥发酵"),
        ("养殖户", "五千"),
    ),
    (
        "我在武陟县种葡萄，阳光玫瑰，避雨栽培，也做水肥一体化",
        ("葡萄", "阳光玫瑰", "避雨栽培", "水肥一体化"),
        ("武陟",),
    ),
    (
        "做中药材种植和初加工，主要是怀菊花、怀牛膝，合作社有五十多户社员",
        ("中药材种植", "怀菊花", "怀牛膝"),
        ("合作社", "五十多户", "社员"),
    ),
    (
        "我们合作社种植富硒小米，有两百亩，也做小米深加工和电商销售",
        ("小米深加工",),
        ("合作社", "两百亩"),
    ),
    (
        "我是开民宿的，在云台山脚下，懂一些乡村旅游规划",
        ("民宿", "乡村旅游规划"),
        ("云台山",),
    ),
    (
        "兽医，做猪病诊断和非洲猪瘟防控，在牧原干过三年",
        ("猪病诊断",),
        ("兽医", "牧原", "三年"),
    ),
    # founders and trades
    (
        "创业中，公司做宠物食品冻干工艺，年营收两千万，团队三十人",
        ("宠物食品冻干工艺",),
        ("创业", "营收", "两千万", "三十人"),
    ),
    (
        "在焦作做铝型材挤压模具，自己的厂，三十多个工人",
        ("铝型材挤压模具",),
        ("焦作", "三十多", "工人"),
    ),
    (
        "做直播电商运营，操盘过几个千万级的店铺，擅长投流和选品",
        ("直播电商运营", "投流", "选品"),
        ("千万级", "店铺", "操盘"),
    ),
    (
        "退伍军人，现在做消防工程和消防设备维保，持有一级消防工程师证",
        ("消防工程", "消防设备维保"),
        ("退伍军人", "工程师证", "持有"),
    ),
    (
        "我是一个宝妈 在家做烘焙 擅长翻糖蛋糕和裱花 也教学员",
        ("烘焙", "翻糖蛋糕", "裱花"),
        ("宝妈", "学员"),
    ),
    (
        "高分子材料，PVC助剂，热稳定剂，在山东一家化工厂当技术总监",
        ("高分子材料", "PVC助剂", "热稳定剂"),
        ("山东", "化工厂", "总监"),
    ),
    # students and teachers
    (
        "老师好，我是郑大的学生，大三，学的是化学工程与工艺，对锂电池回收感兴趣",
        ("锂电池回收",),
        ("郑大", "老师", "感兴趣"),
    ),
    (
        "985硕士在读，研究方向是图神经网络和知识图谱补全",
        ("图神经网络", "知识图谱补全"),
        ("985", "硕士", "在读"),
    ),
    (
        "高校辅导员，做大学生心理健康教育和职业生涯规划",
        ("大学生心理健康教育", "职业生涯规划"),
        ("辅导员", "高校辅导"),
    ),
    (
        "我是一名小学语文老师，教龄十二年，对儿童阅读推广和作文教学有些心得",
        ("儿童阅读推广", "作文教学"),
        ("老师", "教龄", "十二年", "心得"),
    ),
    # lists and English terms
    (
        "前端开发，React、TypeScript、Node.js",
        ("前端开发", "React", "TypeScript", "Node.js"),
        (),
    ),
    (
        "本科学的是土木，现在转行做UI设计，Figma、Sketch用得比较熟",
        ("UI设计", "Figma", "Sketch"),
        ("转行", "用得", "本科"),
    ),
    (
        "独立开发者，iOS开发，Swift，SwiftUI，上架了几个App",
        ("iOS开发", "SwiftUI"),
        ("开发者", "上架"),
    ),
    (
        "在读硕士，导师是做水处理的，我主要做膜生物反应器MBR和反渗透RO",
        ("水处理", "膜生物反应器MBR", "反渗透RO"),
        ("导师", "做膜", "硕士"),
    ),
    (
        "Senior data scientist at a fintech in Singapore, credit risk modeling, XGBoost, "
        "causal inference",
        ("credit risk modeling", "XGBoost", "causal inference"),
        ("Senior", "data scientist", "fintech", "Singapore"),
    ),
    (
        "Java后端，高并发，Redis，MySQL调优，Kafka，在郑州一家银行科技部",
        ("Java后端", "高并发", "Redis", "MySQL调优", "Kafka"),
        ("郑州", "银行", "科技部"),
    ),
    (
        "电气工程师 PLC编程 变频器调试 西门子S7-1500 组态王",
        ("PLC编程", "变频器调试", "S7-1500", "组态王"),
        ("工程师", "西门子"),
    ),
    (
        "就是在上海一家芯片公司 做模拟IC设计 主要是LDO和ADC 之前在TI待过",
        ("模拟IC设计", "LDO", "ADC"),
        ("上海", "芯片公司", "TI"),
    ),
    # more people, written after the rules above, to check them on text they were not made on
    (
        "我是沁阳人，在中科院大连化物所做催化，主要是甲醇制烯烃MTO和分子筛合成，"
        "副研究员，发了二十多篇SCI",
        ("甲醇制烯烃MTO", "分子筛合成"),
        ("沁阳", "大连化物所", "研究员", "二十多篇", "SCI"),
    ),
    (
        "律师，婚姻家事，遗产继承，在焦作执业八年",
        ("婚姻家事", "遗产继承"),
        ("律师", "焦作", "八年", "执业"),
    ),
    (
        "那个我是搞钢结构的 厂房 网架 还有那个彩钢板 自己有个施工队 四十来号人 在孟州",
        ("钢结构", "网架", "彩钢板"),
        ("施工队", "四十来号", "孟州"),
    ),
    (
        "我在修武种了八十亩猕猴桃，红心的，也搞些林下养鸡",
        ("猕猴桃", "林下养鸡"),
        ("修武", "八十亩"),
    ),
    (
        "建筑给排水设计，消防喷淋，海绵城市，注册公用设备工程师",
        ("建筑给排水设计", "消防喷淋", "海绵城市"),
        ("工程师",),
    ),
    (
        "机器学习算法工程师，推荐系统，CTR预估，召回排序，在快手",
        ("推荐系统", "CTR预估", "召回排序"),
        ("工程师", "快手"),
    ),
    (
        "新媒体运营，公众号写作，小红书种草，做过几个10w+爆文",
        ("新媒体运营", "公众号写作", "小红书种草"),
        ("10w", "爆文"),
    ),
    (
        "我是一名护士长，糖尿病专科护理，伤口造口护理，国际造口治疗师",
        ("糖尿病专科护理", "伤口造口护理"),
        ("护士长", "治疗师"),
    ),
    (
        "食用菌种植，香菇，羊肚菌，大棚二十个",
        ("食用菌种植", "香菇", "羊肚菌"),
        ("大棚", "二十个"),
    ),
    (
        "嗯我是在焦作市第二人民医院做康复的 主要是脑卒中康复和针灸推拿 康复治疗师 中级职称",
        ("脑卒中康复", "针灸推拿"),
        ("人民医院", "治疗师", "职称"),
    ),
    (
        "我是开超市的，三家连锁，想学学社区团购和私域运营",
        ("社区团购", "私域运营"),
        ("超市", "连锁", "学学"),
    ),
    (
        "从事怀药文化研究和非遗保护，出版过两本专著，市政协委员",
        ("非遗保护",),
        ("专著", "政协", "委员"),
    ),
    (
        "茶艺师，会评茶，也做茶叶电商，店在信阳",
        ("评茶", "茶叶电商"),
        ("茶艺师", "信阳", "会评"),
    ),
    (
        "我是焦作师范的老师，教美术的，擅长山水画和书法，市书协会员",
        ("山水画", "书法"),
        ("焦作师范", "老师", "书协", "会员"),
    ),
    (
        "高中数学老师，带数学竞赛辅导，也研究新高考命题",
        ("数学竞赛辅导", "新高考命题"),
        ("老师",),
    ),
    (
        "资深投资经理，专注硬科技早期投资，半导体、新材料、商业航天，管理基金规模20亿",
        ("硬科技早期投资", "半导体", "商业航天"),
        ("经理", "基金规模", "20亿"),
    ),
    (
        "就是那个我之前在深圳做手机结构的后来回焦作自己开了个注塑厂 现在主要做汽车内饰件注塑 "
        "模具也自己做 有二十多台注塑机",
        ("手机结构", "汽车内饰件注塑", "模具"),
        ("深圳", "焦作", "注塑厂", "注塑机", "二十多台"),
    ),
    (
        "专利律师，生物医药专利布局和FTO分析，前药企研发出身",
        ("生物医药专利布局", "FTO分析"),
        ("律师", "药企", "出身"),
    ),
    (
        "原来在富士康干了五年 现在在老家开网店卖怀山药和山药粉 顺便做点直播",
        # 网店 alone was expected here until the filter trained on sets 10-25, whose labellers
        # call a bare 网店 generic; what is sold and how are the expertise.
        ("怀山药", "山药粉", "直播"),
        ("富士康", "五年", "老家"),
    ),
    (
        "在读博士生，课题是固体氧化物燃料电池SOFC阴极材料",
        ("固体氧化物燃料电池SOFC阴极材料",),
        ("博士生", "在读"),
    ),
    (
        # The rules propose 电工 too (test_the_rules_propose_a_trade_known_a_little); the learned
        # filter drops it (P < 0.6), one of the right keywords it costs.
        "我们村搞了个光伏扶贫电站，我是负责人，也懂一点电工",
        ("光伏扶贫电站",),
        ("搞了个", "负责人"),
    ),
    (
        "PhD in materials science, working on perovskite LEDs at KAUST, 10 years research",
        ("materials science", "perovskite LEDs"),
        ("PhD", "KAUST", "years", "research"),
    ),
    (
        "铸造工程师，消失模铸造，球墨铸铁，熔炼工艺，省技术能手",
        ("消失模铸造", "球墨铸铁", "熔炼工艺"),
        ("工程师", "能手"),
    ),
    (
        "大二在读，计算机专业，自学了Unity游戏开发和C#，做过两个小游戏",
        ("Unity游戏开发", "C#"),
        ("大二", "自学", "两个"),
    ),
    (
        "我是做茶叶的 信阳毛尖 自己有茶园 三百亩 也做茶叶深加工 抹茶",
        ("信阳毛尖", "茶叶深加工", "抹茶"),
        ("茶园", "三百亩"),
    ),
    (
        "王工，电力系统继电保护，变电站综合自动化，做了快三十年，国网退休",
        ("电力系统继电保护", "变电站综合自动化"),
        ("王工", "三十年", "退休"),
    ),
    (
        "跨境电商独立站运营｜Google Ads｜Facebook广告投放｜SEO",
        ("跨境电商独立站运营", "Google Ads", "Facebook广告投放", "SEO"),
        (),
    ),
    (
        "退休教师，以前教化学，现在研究焦作地方史和太极拳文化",
        ("焦作地方史", "太极拳文化"),
        ("教师", "退休"),
    ),
    (
        "供应链金融，应收账款融资，保理，在一家城商行",
        ("供应链金融", "应收账款融资", "保理"),
        ("城商行",),
    ),
    (
        "我是一名飞行员，空客A320机长，飞了一万多小时",
        ("空客A320",),
        ("飞行员", "机长", "小时"),
    ),
    (
        "在郑州富士康当线长，懂一些精益生产和5S管理",
        ("精益生产", "5S管理"),
        ("郑州", "富士康", "线长"),
    ),
    (
        "对 我就是说 我是做那个 半导体封装的 然后呢 主要是那个 引线键合 还有倒装焊 在苏州 "
        "干了有十年了",
        ("半导体封装", "引线键合", "倒装焊"),
        ("苏州", "十年", "然后"),
    ),
    (
        "plc编程，erp实施，会一点python",
        ("plc编程", "erp实施", "python"),
        ("一点",),
    ),
    (
        "创业者，做农业无人机植保服务，旗下有三十多架无人机，服务面积五十万亩",
        ("农业无人机植保",),
        ("创业者", "旗下", "架无人机", "五十万亩", "三十多架"),
    ),
    (
        "嗯 你好 我姓赵 在新乡化纤做纺丝工艺 氨纶 二十多年了",
        ("纺丝工艺", "氨纶"),
        ("赵", "新乡", "二十多年"),
    ),
    (
        "数控加工中心操作，五轴编程，UG编程，精密零件加工",
        ("数控加工中心操作", "五轴编程", "UG编程", "精密零件加工"),
        (),
    ),
    (
        "铁路信号工，CTCS-2列控，联锁设备维护，在郑州局干了十二年",
        ("CTCS-2列控", "联锁设备维护"),
        ("信号工", "郑州局", "十二年"),
    ),
    (
        "养蜂二十年，中华蜂，蜂蜜和蜂王浆，在太行山里",
        ("养蜂", "中华蜂", "蜂蜜", "蜂王浆"),
        ("二十年", "太行山"),
    ),
    (
        "Hi, I'm a product designer in Shanghai, focusing on B2B SaaS and design systems",
        ("B2B SaaS", "design systems"),
        ("designer", "Shanghai", "Hi", "focusing"),
    ),
    (
        "搞红薯粉条的，纯手工，自己有作坊，一年能做二十万斤",
        ("红薯粉条",),
        ("手工", "作坊", "二十万斤"),
    ),
    (
        "在郑州做律师助理两年了 主要跟着做公司法务和合同审查",
        ("合同审查",),
        ("律师", "助理", "两年", "跟着"),
    ),
    (
        "做SaaS销售的，to B大客户销售，CRM，年度销冠",
        ("SaaS销售", "大客户销售", "CRM"),
        ("销冠",),
    ),
    (
        "博士毕业于中科大，现为郑州大学直聘研究员，研究二维材料光电器件和柔性传感",
        ("二维材料光电器件", "柔性传感"),
        ("中科大", "郑州大学", "直聘", "研究员", "博士"),
    ),
    (
        "那个我是一个焊工 氩弧焊 二保焊 都会 管道焊接 有焊工证 在工地干了十几年",
        ("氩弧焊", "二保焊", "管道焊接"),
        ("焊工", "工地", "十几年"),
    ),
    (
        "安全工程师，危化品企业安全管理，HAZOP分析，双重预防机制",
        ("危化品企业安全管理", "HAZOP分析", "双重预防机制"),
        ("工程师",),
    ),
    (
        "我是个体中医，祖传三代，擅长治疗风湿骨病，用的是自制膏药",
        ("风湿骨病", "膏药"),
        ("祖传", "三代", "个体"),
    ),
    (
        "化工安全评价，在一家第三方评价机构，注册安全工程师",
        ("化工安全评价",),
        ("评价机构", "注册安全", "工程师"),
    ),
    (
        "主要研究黄河流域生态保护和水沙调控，水利部黄委会的高工",
        ("黄河流域生态保护", "水沙调控"),
        ("黄委会", "高工"),
    ),
    (
        "农机合作社理事长，玉米收获机，小麦联合收割，农机维修",
        ("玉米收获机", "小麦联合收割", "农机维修"),
        ("合作社", "理事长"),
    ),
    (
        "我现在在上海读研 做的是视觉SLAM和三维重建 想毕业以后回河南找工作",
        ("视觉SLAM", "三维重建"),
        ("上海", "读研", "以后", "河南"),
    ),
    (
        "我在焦作一家钛白粉厂做工艺，氯化法钛白，沸腾氯化和氧化工段，干了九年",
        ("氯化法钛白", "沸腾氯化", "氧化工段"),
        ("焦作", "钛白粉厂", "九年"),
    ),
    (
        "我是开驾校的 也做二手车评估 有十几辆教练车",
        ("二手车评估",),
        ("驾校", "教练车", "十几辆"),
    ),
    (
        "我们厂做耐火材料 高铝砖 刚玉砖 我负责销售 跑钢厂客户",
        ("耐火材料", "高铝砖", "刚玉砖"),
        ("钢厂", "客户"),
    ),
    (
        "博士，主攻秸秆生物质热解制备生物炭，发表SCI论文十余篇",
        ("秸秆生物质热解制备生物炭",),
        ("博士", "SCI", "十余篇"),
    ),
    (
        "乡镇兽医站站长，牛羊疫病防治，人工授精技术",
        ("牛羊疫病防治", "人工授精技术"),
        ("兽医站", "站长"),
    ),
    (
        "影楼摄影师，婚纱摄影，儿童摄影，后期修图",
        ("婚纱摄影", "儿童摄影"),
        ("影楼", "摄影师"),
    ),
    (
        "从事旅游规划设计十五年，主持过云台山、青天河景区提升规划，国家注册城乡规划师",
        ("旅游规划设计",),
        ("十五年", "云台山", "注册", "规划师"),
    ),
    (
        "大数据开发 Hadoop Spark Flink 实时数仓",
        ("大数据开发", "Hadoop", "Spark", "Flink", "实时数仓"),
        (),
    ),
    (
        "我是一名退役运动员，现在做青少年篮球培训，国家一级运动员",
        ("青少年篮球培训",),
        ("退役", "运动员"),
    ),
    (
        "退休前是郑州轻工业大学的教授，研究食品发酵和酶工程，现在给企业做顾问",
        ("食品发酵", "酶工程"),
        ("轻工业", "郑州", "教授", "顾问", "退休"),
    ),
    (
        "我是开物流公司的，零担专线，焦作到广州，有二十台车",
        ("零担专线",),
        ("物流公司", "焦作", "广州", "台车", "二十"),
    ),
    (
        "刚毕业的法学硕士，研究方向是数据合规和个人信息保护，通过了法考",
        ("数据合规", "个人信息保护"),
        ("硕士", "法考"),
    ),
    (
        "我是护理部主任，护理质量管理，护理人才培养，省护理学会常委",
        ("护理质量管理", "护理人才培养"),
        ("护理部", "主任", "学会", "常委"),
    ),
    (
        "电厂集控运行值长，600MW超临界机组，DCS操作",
        ("600MW超临界机组", "DCS操作"),
        ("值长",),
    ),
    (
        "从事桥梁设计二十余年，预应力混凝土连续梁，钢箱梁，斜拉桥，教授级高工",
        ("桥梁设计", "预应力混凝土连续梁", "钢箱梁", "斜拉桥"),
        ("二十余年", "教授级", "高工"),
    ),
    (
        "我在一家做backend开发的小公司，主要写Go和gRPC微服务，k8s部署也会",
        ("gRPC微服务", "k8s部署"),
        ("小公司",),
    ),
    (
        "药企QA经理，GMP合规，偏差和CAPA管理，数据完整性",
        ("GMP合规", "CAPA管理", "数据完整性"),
        ("药企", "经理"),
    ),
    (
        "博士在读，研究钙钛矿量子点发光，导师是长江学者",
        ("钙钛矿量子点发光",),
        ("博士", "导师", "长江学者"),
    ),
    (
        "种植大户，流转了一千多亩地，种小麦和大豆，也搞农机社会化服务",
        ("小麦", "大豆", "农机社会化"),
        ("大户", "流转", "一千多亩"),
    ),
    (
        "做了十几年的电梯维保，曳引机，门机调试，持特种设备作业证",
        ("电梯维保", "曳引机", "门机调试"),
        ("十几年", "作业证"),
    ),
    (
        "物流园区运营管理，多式联运，公铁联运，在焦作有个物流园",
        ("物流园区运营管理", "多式联运", "公铁联运"),
        ("焦作",),
    ),
    (
        "我是做肥料的 水溶肥 微生物菌剂 在河南几个县都有经销商",
        ("水溶肥", "微生物菌剂"),
        ("河南", "经销商"),
    ),
    (
        "我是一名编剧，写过几部网络电影，擅长悬疑和古装题材",
        ("网络电影", "悬疑", "古装题材"),
        ("写过", "几部"),
    ),
    (
        "主要做合同纠纷和民间借贷案件，也给几家小企业当常年法律顾问",
        ("合同纠纷", "民间借贷案件"),
        ("小企业", "常年", "顾问"),
    ),
    (
        "数字人民币试点推广，支付结算，在一家国有银行分行",
        ("数字人民币试点推广", "支付结算"),
        ("银行", "分行"),
    ),
    (
        "我家开了个养猪场，存栏一千多头，我负责猪场生物安全和疫病防控",
        ("猪场生物安全", "疫病防控"),
        ("养猪场", "一千多头"),
    ),
    (
        "我是做豫剧的 唱青衣 也教小孩子学戏 在市豫剧团",
        ("豫剧",),
        ("小孩子", "豫剧团"),
    ),
    (
        "1）高血压诊疗 2）心衰管理 3）心脏康复｜心内科副主任医师｜焦作市第一人民医院",
        ("高血压诊疗", "心衰管理", "心脏康复"),
        ("主任医师", "人民医院"),
    ),
]


# Résumé forms, greetings, voice run-ons and students (written for these tests): labels, feelings,
# life events, school years, customers and places of work are never shown as expertise.
FORMS_AND_CHATTER = [
    (
        "现居：郑州 籍贯：焦作沁阳 专长：注塑模具设计、热流道 现就职：某汽车零部件公司",
        ("注塑模具设计", "热流道"),
        ("现居", "籍贯", "专长", "现就职", "沁阳", "零部件公司"),
    ),
    (
        "户籍焦作解放区，现居北京海淀，就职于某央企设计院，专业给排水",
        ("给排水",),
        ("户籍", "解放区", "现居", "海淀", "设计院"),
    ),
    (
        "【基本信息】男，85后，焦作山阳区人 【工作单位】中原内配 【技术领域】气缸套珩磨工艺",
        ("气缸套珩磨工艺",),
        ("基本信息", "工作单位", "内配", "技术领域", "山阳"),
    ),
    (
        "姓名：李明 籍贯：修武 经历：2015年至今在三一重工从事液压系统设计 "
        "代表成果：挖掘机负载敏感液压系统 业余喜欢钓鱼",
        ("液压系统设计", "挖掘机负载敏感液压系统"),
        ("李明", "籍贯", "经历", "代表成果", "业余", "钓鱼"),
    ),
    (
        "个人爱好：游泳、跑步 职业：结构工程师 专长:钢结构",
        ("钢结构",),
        ("爱好", "游泳", "跑步", "职业"),
    ),
    (
        "个人优势：沟通能力强，吃苦耐劳；主要从事数控车床编程",
        ("数控车床编程",),
        ("优势", "沟通", "吃苦耐劳"),
    ),
    (
        "大家好！！很高兴加入老乡会，我是温县的，在外漂泊十几年了，"
        "做的是工业机器人视觉引导，哈哈哈终于找到组织了",
        ("工业机器人视觉引导",),
        ("高兴", "老乡会", "漂泊", "哈哈", "组织"),
    ),
    (
        "嗯嗯那个我现在在东莞做SMT贴片这块的工艺 夜班累死了 有时候想回老家发展 "
        "主要是回流焊温度曲线和锡膏印刷",
        ("SMT贴片",),
        ("夜班", "累死", "有时候"),
    ),
    (
        "哈喽哈喽 我是焦作的 现在上海 做跨境电商的亚马逊运营 结婚生娃以后就很少回去了 "
        "想念老家的烩面",
        ("跨境电商", "亚马逊运营"),
        ("哈喽", "结婚", "生娃", "想念", "烩面"),
    ),
    (
        "老乡们晚上好呀！我是焦作修武的妹子，在杭州做电商美工，PS和C4D都会，平时爱追剧哈哈",
        ("PS", "C4D"),
        ("晚上好", "妹子", "追剧", "哈哈"),
    ),
    (
        "刚来群里报个到，本人武陟人，目前在读博士，研究方向：锂金属负极",
        ("锂金属负极",),
        ("刚来", "报个", "群里", "研究方向", "博士"),
    ),
    (
        "新人报到！在外打拼多年，做汽车内饰注塑，孩子都上小学了，去年刚生了二胎",
        ("汽车内饰注塑",),
        ("新人", "打拼", "孩子", "二胎"),
    ),
    (
        "博三，在中国农大动物医学院，做猪流行性腹泻病毒的疫苗，天天和小鼠打交道",
        ("疫苗",),
        ("博三", "农大", "小鼠", "打交道", "天天"),
    ),
    (
        "高中在焦作一中，本科在郑大，现在浙大读研，研一，方向是联邦学习和隐私计算",
        ("联邦学习", "隐私计算"),
        ("高中", "一中", "本科", "郑大", "浙大", "研一"),
    ),
    (
        "直博生，博士二年级，本科学的化工，做二维材料的化学气相沉积",
        ("二维材料", "化学气相沉积"),
        ("直博生", "本科", "化工"),
    ),
    (
        "专门做中小型汽配厂用的MES系统实施，工厂里的数字化改造，细分是质量追溯模块",
        ("MES系统实施", "数字化改造"),
        ("专门", "汽配厂", "工厂里", "细分"),
    ),
    (
        "抖音直播卖菜 工厂里 中小型汽配厂用 小鼠打交道 做工业视觉检测",
        ("工业视觉检测",),
        ("卖菜", "工厂", "汽配厂", "小鼠"),
    ),
    (
        "我在村里种了一百多亩温室草莓 也育苗 有时候也卖给周边的 采摘园",
        ("温室草莓", "育苗"),
        ("有时候", "周边", "采摘园"),
    ),
    (
        "做电商的，主要是拼多多上卖水果，也做给小区业主用的社区团购小程序",
        ("社区团购小程序",),
        ("拼多多", "小区业主"),
    ),
    (
        "嗨大家好呀 我是来自沁阳的小张 目前在宁波做外贸 很开心能认识各位老乡 "
        "刚下班 累成狗了 天天忙得要死",
        ("外贸",),
        ("小张", "开心", "下班", "累成", "要死"),
    ),
    (
        "你们好 研三在读 郑州大学 化学系 方向 有机光电材料 明年毕业 本科华科，硕士清华",
        ("有机光电材料",),
        ("你们好", "研三", "化学系", "华科", "清华"),
    ),
    (
        "哈哈哈哈 我来冒个泡 在长沙做电液控制 好久没回家了 怪想的 变速箱维修比较拿手 "
        "主要修奔驰宝马 下午一般都在店里",
        ("电液控制", "变速箱维修"),
        ("我来", "冒个", "好久", "怪想", "拿手", "奔驰", "宝马", "店里"),
    ),
    (
        "今天第一次进群 初中学历，跟师傅学了十几年木工，PE投资总监的朋友介绍来的",
        ("木工",),
        ("第一次", "学历", "师傅", "PE", "投资"),
    ),
    (
        "各位老乡好，我在北京做VC投资人，主要看医疗器械和创新药，天使投资也做一些",
        ("医疗器械", "创新药"),
        ("VC", "投资人", "天使投资"),
    ),
]


@pytest.mark.parametrize(("text", "shown", "not_shown"), FORMS_AND_CHATTER)
def test_labels_chatter_school_years_and_customers_are_not_expertise(
    text: str, shown: tuple[str, ...], not_shown: tuple[str, ...]
) -> None:
    keywords = extract_expertise(text)
    for term in shown:
        assert term in keywords, (term, keywords)
    for span in not_shown:
        assert not any(span.lower() in k.lower() for k in keywords), (span, keywords)


def test_a_heading_before_a_colon_is_a_term_and_a_label_is_not() -> None:
    assert extract_expertise("固废处置：危废焚烧、飞灰固化")[:1] == ["固废处置"]
    assert extract_expertise("所获荣誉：省劳模 擅长：数控车床编程") == ["数控车床编程"]


def test_words_of_chatter_inside_terms_are_kept() -> None:
    # 刚度, 拉晶, 组织工程, 累积 and 漂白 hold characters that are chatter on their own.
    keywords = extract_expertise("做结构刚度分析、单晶硅拉晶、组织工程支架、疲劳累积损伤和漂白工艺")
    for term in ("结构刚度分析", "单晶硅拉晶", "组织工程支架", "疲劳累积损伤", "漂白工艺"):
        assert term in keywords, (term, keywords)


def test_label_words_inside_terms_are_kept() -> None:
    # 性别, 职务, 民族 are labels before a colon only; 抗压, 额, 特 and 他 are no chatter in a term.
    text = (
        "性别社会学、职务犯罪辩护、民族音乐、混凝土抗压强度、索赔额分布、特种会计、他者理论、"
        "中药汤剂应用的规范"
    )
    keywords = extract_expertise(text, learned_filter=False)  # the rules' reading of labels
    for term in (
        "性别社会学",
        "职务犯罪辩护",
        "民族音乐",
        "混凝土抗压强度",
        "索赔额分布",
        "特种会计",
        "他者理论",
    ):
        assert term in keywords, (term, keywords)
    assert any("汤剂应用" in k for k in keywords), keywords


def test_the_helpers_style_sets_stay_precise() -> None:
    # Written and labelled before the rules for forms and chatter (precision 0.562 and 0.535).
    # Set c was written after b was used and scored once (0.545 before this work, 0.755 after).
    for name, floor in (("a", 0.9), ("b", 0.85), ("c", 0.85)):
        path = data_path("eval", f"profile_keywords_styles_{name}.tsv")
        report = evaluate_profile_keywords(path, "dev")
        assert report.precision >= floor, (name, report.precision)
        assert report.coverage >= 0.95, (name, report.coverage)


@pytest.mark.parametrize(
    ("need", "shown", "not_shown"),
    [
        (
            "急需锂电池正极材料研发人才，三元材料和磷酸铁锂",
            ("锂电池正极材料", "三元材料"),
            ("急需", "人才"),
        ),
        ("企业需求：降低铝型材挤压能耗，提高成品率", ("铝型材挤压能耗",), ("企业需求", "降低")),
        (
            "需要懂PLC和工业机器人的工程师，负责产线自动化改造，年薪20万",
            ("PLC",),
            ("年薪", "工程师"),
        ),
    ],
)
def test_a_need_shows_what_is_needed_not_how_it_is_asked(
    need: str, shown: tuple[str, ...], not_shown: tuple[str, ...]
) -> None:
    keywords = extract_expertise(need)
    for term in shown:
        assert term in keywords, (term, keywords)
    for span in not_shown:
        assert not any(span in k for k in keywords), (span, keywords)


@pytest.mark.parametrize(("text", "shown", "not_shown"), TRANSCRIPTS)
def test_a_self_description_shows_its_expertise_and_nothing_about_the_person(
    text: str, shown: tuple[str, ...], not_shown: tuple[str, ...]
) -> None:
    keywords = extract_expertise(text)
    for term in shown:
        assert term in keywords, (term, keywords)
    for span in not_shown:
        assert not any(span.lower() in k.lower() for k in keywords), (span, keywords)


def test_a_count_is_set_apart_and_what_it_counts_kept() -> None:
    found = extract_profile("种了三百多亩小麦，之前在四大干了五年审计，发过几篇Nature Energy")
    assert found.keywords == ["小麦", "审计"]
    assert found.counts == ["三百多亩", "五年", "几篇"]
    assert found.honours == ["Nature Energy"]


def test_numbers_inside_terms_are_no_counts() -> None:
    keywords = extract_expertise("三元正极材料、二次开发、第三代半导体")
    assert keywords == ["三元正极材料", "二次开发", "第三代半导体"]


def test_a_title_is_cut_at_its_characters_and_a_generation_dropped() -> None:
    assert extract_profile("刑事辩护律师").keywords == ["刑事辩护"]
    assert extract_profile("中医师").keywords == []
    found = extract_profile("陈氏太极拳第十二代传人")
    assert found.keywords == ["陈氏太极拳"]
    assert found.titles == ["陈氏太极拳第十二代传人"]


def test_an_employer_name_that_is_an_ordinary_word_is_read_as_the_word() -> None:
    assert "小米深加工" in extract_expertise("做小米深加工")
    assert extract_profile("在小米做手机影像").employers == ["小米"]


def test_the_organisation_before_de_and_its_department_are_the_employer() -> None:
    found = extract_profile("在一家做光伏的公司，之前在中原证券投行部做IPO")
    assert found.keywords == ["IPO"]
    assert "光伏" in found.employers
    assert "投行部" in found.employers


@pytest.mark.parametrize(
    "text", ["😊😊", "12345", "上千", "——", "\u3000", "to B", "第", "A" * 3000]
)
def test_numbers_symbols_and_odd_input_show_nothing(text: str) -> None:
    assert extract_expertise(text) == []


@pytest.mark.parametrize(
    ("text", "shown", "not_shown"),
    [
        ("从事电子信息行业7年，先后参与机器视觉缺陷检测等项目", "机器视觉缺陷检测", ("7", "年")),
        ("擅长怀牛膝有效成分分析，参与编制3项地方规划或标准", "怀牛膝有效成分分析", ("地方规划",)),
        ("研究酱卤制品标准化，相关成果已在3家单位推广应用", "酱卤制品标准化", ("单位", "推广")),
        ("主攻钠离子电池，授权发明专利4项，主导的项目实现量产", "钠离子电池", ("专利", "量产")),
    ],
)
def test_achievements_of_the_demo_profiles_are_not_expertise(
    text: str, shown: str, not_shown: tuple[str, ...]
) -> None:
    keywords = extract_expertise(text)
    assert shown in keywords, keywords
    for span in not_shown:
        assert not any(span in k for k in keywords), (span, keywords)


def test_style_set_d_of_the_remaining_error_categories_stays_precise() -> None:
    # Written and labelled before these rules (precision 0.570, coverage 0.853).
    report = evaluate_profile_keywords(data_path("eval", "profile_keywords_styles_d.tsv"), "dev")
    assert report.precision >= 0.9, report.precision
    assert report.coverage >= 0.9, report.coverage


@pytest.mark.parametrize(
    ("text", "shown", "title"),
    [
        (
            "Senior Research Fellow, 做钠离子电池硬碳负极",
            "钠离子电池硬碳负极",
            "Senior Research Fellow",
        ),
        ("test enginner，做汽车电子EMC测试", "汽车电子EMC测试", "test enginner"),
        ("Postdoc，研究肠道菌群代谢", "肠道菌群代谢", "Postdoc"),
        ("月子中心的助产士，擅长母乳喂养指导", "母乳喂养指导", "助产士"),
        ("护工出身，现在做失智老人照护", "失智老人照护", "护工"),
        ("visiting scholar at MIT，做软体机器人", "软体机器人", "visiting scholar"),
    ],
)
def test_english_misspelt_and_trade_titles_are_titles(text: str, shown: str, title: str) -> None:
    found = extract_profile(text)
    assert shown in found.keywords, found
    assert title in found.titles, found
    assert not any(title.lower() in k.lower() for k in found.keywords), found


def test_the_employer_before_a_trade_is_cut_off_and_years_of_chatter_dropped() -> None:
    found = extract_profile("在宾馆西点厨师干了八年，带研究生导师好多年了", learned_filter=False)
    assert "西点" in found.keywords, found
    assert not any("宾馆" in k or "好多年" in k for k in found.keywords), found


@pytest.mark.parametrize(
    ("text", "certificate"),
    [
        ("有一建证，做市政桥梁", "一建证"),
        ("考了二造，做安装工程预算", "二造"),
        ("注安一枚，做化工园区安全管理", "注安"),
        ("持一消，做商业综合体消防改造", "持一消"),
        ("手上有二建和注安，想找安全管理的活", "注安"),
        ("执业药师证在手，做处方审核", "执业药师证"),
    ],
)
def test_certificates_by_their_short_names_are_honours(text: str, certificate: str) -> None:
    found = extract_profile(text)
    assert certificate in found.honours, found
    assert len(found.keywords) == 1 and certificate not in found.keywords[0], found


@pytest.mark.parametrize(
    ("text", "employer", "shown"),
    [
        ("北大中文系的，现在做古籍数字化", "北大中文系", "古籍数字化"),
        ("浙大材料，做锂电隔膜", "浙大材料", "锂电隔膜"),
        ("在顺丰华东区做干线运输调度", "华东区", "干线运输调度"),
        ("在房产中介上班，懂二手房贷款", "房产中介", "二手房贷款"),
        ("化工厂管安全，重点是危化品储存", "化工厂", "危化品储存"),
        ("烟台万华化学TDI装置操作", "万华化学", "TDI装置操作"),
        ("恒力石化PTA工艺，做氧化反应器", "恒力石化", "PTA工艺"),
    ],
)
def test_schools_with_majors_units_and_employers_glued_to_work_are_set_apart(
    text: str, employer: str, shown: str
) -> None:
    found = extract_profile(text)
    assert any(employer in e for e in found.employers), found
    assert any(shown in k for k in found.keywords), found
    assert not any(employer in k for k in found.keywords), found


def test_a_county_after_a_mistyped_city_is_a_place() -> None:
    found = extract_profile("焦做温县人，做怀山药深加工")
    assert found.keywords == ["怀山药深加工"], found
    assert "焦做温县" in found.places


@pytest.mark.parametrize(
    ("text", "shown", "dropped"),
    [
        ("做面向新能源汽车的热管理系统", "热管理系统", "面向"),
        ("主要做基因表达，也搞些调控", "基因表达", "调控"),
        ("写写方案、画画图纸，偶尔做做报表", None, "写写"),
        ("分拣机器人，让它抓东西又快又稳", "分拣机器人", "东西"),
        ("我家大黄是条土狗，我做兽药销售", "兽药销售", "大黄"),
        ("做宠物食品的，品牌叫糖小胖", "宠物食品", "小胖"),
        ("业余玩玩摄影，本职做隧道监测", "隧道监测", "摄影"),
        ("啥都行，都可以聊", None, "都行"),
        ("闲暇时玩玩摄影，做隧道监测", "隧道监测", "摄影"),
        ("做做饭、聊聊天，本行是做陶瓷釉料", "陶瓷釉料", "做做"),
        ("照顾老人的", None, "老人"),
    ],
)
def test_fragments_vague_words_nicknames_and_hobbies_are_not_expertise(
    text: str, shown: str | None, dropped: str
) -> None:
    keywords = extract_expertise(text)
    if shown is not None:
        assert shown in keywords, keywords
    assert not any(dropped in k for k in keywords), keywords


def test_a_reduplicated_verb_is_trimmed_not_the_term_it_opens() -> None:
    keywords = extract_expertise("平时画画PCB，写写单片机固件")
    assert "PCB" in keywords, keywords
    assert "单片机固件" in keywords, keywords
    assert not any("画画" in k or "写写" in k for k in keywords), keywords


def test_spare_time_before_a_noun_is_a_field_not_a_hobby() -> None:
    assert extract_expertise("做业余无线电通信设备") == ["业余无线电通信设备"]
    assert any("区域经济" in k for k in extract_expertise("做东北区域经济研究"))


# A pass that generalises: each rule below is checked on sentences written for it, none taken
# from the labelled sets.


@pytest.mark.parametrize(
    ("text", "role", "shown"),
    [
        ("暖通工程师，在武汉做洁净室空调系统", "暖通", "洁净室空调系统"),
        ("我是个木匠，做实木楼梯", "木匠", "实木楼梯"),
        ("我是一名网约车司机，懂新能源车保养", "网约车司机", "新能源车保养"),
        ("处级干部，主要从事土地储备工作", "处级干部", "土地储备"),
        ("拼多多店主，做农产品上行", "拼多多店主", "农产品上行"),
        ("临床医生，主攻痛风", "临床医生", "痛风"),
        ("产品经理（PM），做跨境支付风控", "PM", "跨境支付风控"),
    ],
)
def test_a_word_that_only_names_the_kind_of_worker_is_a_title(
    text: str, role: str, shown: str
) -> None:
    found = extract_profile(text)
    assert shown in found.keywords, found
    assert role in found.titles, found
    assert not any(role in k for k in found.keywords), found


def test_a_method_before_a_title_stays_expertise() -> None:
    keywords = extract_expertise("钢结构焊接工艺工程师，做厚板焊接变形控制")
    assert "钢结构焊接工艺" in keywords, keywords


@pytest.mark.parametrize(
    ("text", "shown", "dropped"),
    [
        ("在宁德时代待过两年，还会液压系统调试，熟练使用SolidWorks", "液压系统调试", "待过"),
        ("在宁德时代待过两年，还会液压系统调试，熟练使用SolidWorks", "SolidWorks", "还会"),
        ("在宁德时代待过两年，还会液压系统调试，熟练使用SolidWorks", "SolidWorks", "熟练"),
        ("有学弟学妹想了解芯片验证可以找我", "芯片验证", "学弟"),
        ("有学弟学妹想了解芯片验证可以找我", "芯片验证", "了解"),
        ("平时给新人讲讲注塑工艺", "注塑工艺", "讲讲"),
        ("前年转岗了，现在做数据治理", "数据治理", "转岗"),
    ],
)
def test_spoken_verbs_and_people_around_the_term_are_not_part_of_it(
    text: str, shown: str, dropped: str
) -> None:
    keywords = extract_expertise(text)
    assert shown in keywords, keywords
    assert not any(dropped in k for k in keywords), keywords


def test_what_fills_the_spare_time_is_a_pastime() -> None:
    assert extract_expertise("业余时间玩航模，平时做电梯维保") == ["电梯维保"]


def test_licences_and_counts_of_fans_are_not_expertise() -> None:
    found = extract_profile("开冷藏车的，有C1驾照和道路运输许可证，熟悉冷链温控")
    assert "冷链温控" in found.keywords, found
    assert {"C1驾照", "道路运输许可证"} <= set(found.honours), found
    assert not any("驾照" in k or "许可证" in k for k in found.keywords), found
    found = extract_profile("视频号有5万粉，做母婴用品直播带货")
    assert "5万粉" in found.counts, found
    assert not any("万粉" in k for k in found.keywords), found


def test_a_county_before_there_is_a_place() -> None:
    found = extract_profile("在云南元谋那边种冬早蔬菜")
    assert any("元谋" in p for p in found.places), found
    assert not any(k.startswith("元谋") for k in found.keywords), found


def test_a_verb_opening_a_lexicon_term_is_kept_with_it() -> None:
    assert extract_expertise("做推荐系统冷启动") == ["推荐系统冷启动"]


def test_what_a_product_is_for_is_not_the_persons_field() -> None:
    assert extract_expertise("做电镀用添加剂配方") == ["添加剂配方"]


def test_a_figure_of_the_business_per_year_is_not_expertise() -> None:
    keywords = extract_expertise("做建材批发，年营业额两千万")
    assert keywords == ["建材批发"], keywords


def test_two_actions_on_one_object_stay_together() -> None:
    assert extract_expertise("擅长锂矿浸出与提纯") == ["锂矿浸出与提纯"]
    # Generic actions are not joined into a keyword of their own.
    assert not any("开发" in k for k in extract_expertise("负责产品设计与开发"))


def test_r_and_d_after_an_english_term_is_cut_off() -> None:
    keywords = extract_expertise("battery separator R&D，湿法隔膜涂覆")
    assert keywords == ["battery separator", "湿法隔膜涂覆"], keywords


def test_the_title_of_a_work_is_not_expertise_but_a_law_one_knows_is() -> None:
    found = extract_profile("出版了《豫北民歌集成》，研究戏曲音乐")
    assert found.keywords == ["戏曲音乐"], found
    assert "豫北民歌集成" in found.honours, found
    assert extract_profile("代表作《黄河谣》，擅长民族声乐").keywords == ["民族声乐"]
    assert extract_expertise("熟悉《劳动合同法》") == ["劳动合同法"]


@pytest.mark.parametrize(
    ("text", "employer", "shown"),
    [
        ("在湖北移动做5G专网", "湖北移动", "5G专网"),
        ("国网山东电力，配网自动化", "山东电力", "配网自动化"),
        ("在一家猎头做半导体人才寻访", "猎头", "半导体人才寻访"),
        ("Data scientist @ Grab, working on fraud detection", "Grab", "fraud detection"),
        ("在上汽大众做底盘调校", "上汽大众", "底盘调校"),
    ],
)
def test_branches_firms_named_by_kind_and_firms_after_at_are_employers(
    text: str, employer: str, shown: str
) -> None:
    found = extract_profile(text)
    assert employer in found.employers, found
    assert shown in found.keywords, found
    assert not any(employer in k for k in found.keywords), found


def test_a_founded_brand_after_one_is_not_taken_for_the_employer() -> None:
    keywords = extract_expertise("创办了一家手工皂品牌，做冷制皂配方")
    assert "冷制皂配方" in keywords, keywords


def test_values_of_short_form_labels_are_other_fields() -> None:
    found = extract_profile("公司：某光伏企业；职位：工艺主管；专长：扩散制结")
    assert found.keywords == ["扩散制结"], found


def test_generic_words_before_a_title_are_part_of_it() -> None:
    found = extract_profile("化工工艺工程师，做聚醚多元醇装置")
    assert found.keywords == ["聚醚多元醇装置"], found
    assert "化工工艺" in found.titles, found


def test_an_everyday_verb_of_the_lexicons_is_not_expertise_alone() -> None:
    assert extract_expertise("会操作和维护叉车") == ["维护叉车"]
    assert extract_expertise("做数值计算和有限元") == ["数值计算", "有限元"]


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("做宠物犬的训导", "宠物犬训导"),
        ("做多模态大模型的评测", "多模态大模型评测"),
    ],
)
def test_a_common_word_after_de_is_shown_with_its_term(text: str, shown: str) -> None:
    assert extract_expertise(text) == [shown]


def test_a_workplace_or_a_title_after_de_is_not_joined_to_the_term() -> None:
    found = extract_profile("我是做挖掘机的司机")
    assert found.keywords == ["挖掘机"], found
    assert "司机" in found.titles, found
    assert extract_expertise("在工厂里的仓库干活") == []


def test_a_prefix_and_a_generic_word_jieba_does_not_know_are_one_term() -> None:
    assert extract_expertise("在杭州搞大模型的") == ["大模型"]
    assert extract_expertise("把市场做大") == []


@pytest.mark.parametrize(
    ("text", "title", "shown"),
    [
        ("抖音店主，做农产品直播", "抖音店主", "农产品直播"),
        ("是个小红书博主，做护肤测评", "小红书博主", "护肤测评"),
    ],
)
def test_a_platform_before_a_title_is_not_expertise(text: str, title: str, shown: str) -> None:
    found = extract_profile(text)
    assert found.keywords == [shown], found
    assert title in found.titles, found


def test_a_hospitals_office_is_an_employer_but_a_clinical_ward_is_a_field() -> None:
    found = extract_profile("在省医院护理部，负责护理质量控制")
    assert found.keywords == ["护理质量控制"], found
    assert "护理部" in found.employers, found
    assert "心内科" in extract_expertise("在协和医院心内科，主攻心律失常")


def test_a_major_after_a_school_and_before_zhuanye_is_education() -> None:
    found = extract_profile("郑州大学土木工程专业毕业，做桥梁健康监测")
    assert found.keywords == ["桥梁健康监测"], found
    assert "土木工程" in found.education, found


def test_an_industry_named_with_hangye_is_not_expertise_but_a_title_prefix_is_kept() -> None:
    assert extract_expertise("新能源汽车行业，做电驱NVH测试") == ["电驱NVH测试"]
    assert extract_expertise("看消费赛道，重点是新茶饮供应链") == ["新茶饮供应链"]
    assert "化工行业" in extract_expertise("化工行业分析师，跟踪聚氨酯产业链")


def test_a_pastime_goes_on_past_a_comma_until_work_is_named() -> None:
    keywords = extract_expertise("业余时间做陶艺，拉坯练了好几年，本职是电力调度")
    assert keywords == ["电力调度"], keywords
    keywords = extract_expertise("平时喜欢钓鱼，主要做水质监测")
    assert keywords == ["水质监测"], keywords


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        # jieba glues a filler to the next word's first character (还会气 | 相色谱) ...
        ("熟悉农残检测，还会气相色谱", ["农残检测", "气相色谱"]),
        # ... or a conjunction to a word's last one (运 | 维和 | 带电作业).
        ("做配电网运维和带电作业", ["配电网运维", "带电作业"]),
    ],
)
def test_words_jieba_glued_across_a_filler_or_a_conjunction_are_cut_apart(
    text: str, shown: list[str]
) -> None:
    assert extract_expertise(text) == shown


def test_a_word_that_is_one_when_nothing_stands_before_it_is_kept() -> None:
    found = extract_profile("在维和部队待过，现在做安保")
    assert "维和部队" in found.employers, found
    assert found.keywords == ["安保"], found


@pytest.mark.parametrize(
    ("text", "shown", "not_shown"),
    [
        ("科研狗一枚，博后，做钙钛矿的缺陷钝化", "缺陷钝化", "科研狗"),
        ("打工人，在工地搬砖，会看CAD图纸", "CAD图纸", "打工人"),
        ("搞农业无人机植保的，承接小麦飞防", "小麦飞防", "承接"),
    ],
)
def test_slang_for_oneself_and_business_verbs_are_not_expertise(
    text: str, shown: str, not_shown: str
) -> None:
    keywords = extract_expertise(text)
    assert shown in keywords, keywords
    assert not any(not_shown in k for k in keywords), keywords


@pytest.mark.parametrize(
    ("text", "trade"),
    [
        ("我就是干物流的，在郑州", "物流"),
        ("搞设计的，平面和包装都接", "设计"),
        ("做审计的吧，事务所待了几年", "审计"),
    ],
)
def test_one_word_between_a_work_verb_and_a_closing_de_is_the_trade(text: str, trade: str) -> None:
    assert trade in extract_expertise(text)


@pytest.mark.parametrize(
    "text",
    ["我家里是做生意的", "以前不是搞运营的，后来转了行", "在厂里做管理的"],
)
def test_business_denial_and_management_are_no_trade(text: str) -> None:
    keywords = extract_expertise(text)
    assert not {"生意", "运营", "管理"} & set(keywords), keywords


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("前年在苏州创办了一家做晶圆缺陷检测设备的公司", "晶圆缺陷检测设备"),
        ("回焦作成立一家专做山药深加工的企业", "山药深加工"),
    ],
)
def test_a_founded_companys_line_of_work_is_the_founders(text: str, line: str) -> None:
    assert line in extract_expertise(text)


def test_the_line_of_a_company_one_only_works_at_is_still_the_employer() -> None:
    found = extract_profile("在一家做光伏组件的公司当会计")
    assert "光伏组件" not in found.keywords, found


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("毕业后一直专注于锂电池隔膜涂覆", "锂电池隔膜涂覆"),
        ("公司致力于高速公路桥梁检测", "高速公路桥梁检测"),
    ],
)
def test_yu_after_a_verb_of_devotion_names_the_work_not_a_place(text: str, shown: str) -> None:
    found = extract_profile(text)
    assert shown in found.keywords, found
    assert shown not in found.employers, found


def test_a_products_registration_certificate_is_an_honour() -> None:
    found = extract_profile("做体外诊断试剂，两个产品拿到了三类注册证")
    assert not any("注册证" in k for k in found.keywords), found


@pytest.mark.parametrize(
    ("text", "shown", "not_shown"),
    [
        ("书法练了十几年，主攻隶书", "书法", "书法练"),
        ("开了个琴行教古筝和琵琶", "古筝", "行教"),
    ],
)
def test_practising_and_teaching_verbs_are_cut_off_the_art(
    text: str, shown: str, not_shown: str
) -> None:
    keywords = extract_expertise(text)
    assert shown in keywords, keywords
    assert not any(not_shown in k for k in keywords), keywords


@pytest.mark.parametrize(
    ("text", "pastime"),
    [
        ("在超市当收银员，没什么技能，业余喜欢练书法", "书法"),
        ("退休在家，闲暇时候喜欢养兰花", "兰花"),
    ],
)
def test_a_pastime_is_shown_when_no_other_expertise_is_named(text: str, pastime: str) -> None:
    keywords = extract_expertise(text)
    assert any(pastime in k for k in keywords), keywords


def test_saying_one_has_no_skill_is_not_a_keyword() -> None:
    assert extract_expertise("在物业上班，没什么技能") == []


def test_a_pastime_stays_apart_when_work_is_named() -> None:
    keywords = extract_expertise("做钢结构焊接工艺的，业余喜欢钓鱼")
    assert keywords and not any("钓鱼" in k for k in keywords), keywords


@pytest.mark.parametrize(("text", "field"), [("眼科大夫", "眼科"), ("我是个外科大夫", "外科")])
def test_a_department_before_a_title_is_no_schools_short_name(text: str, field: str) -> None:
    found = extract_profile(text)
    assert field in found.keywords, found
    assert not found.employers, found


@pytest.mark.parametrize(
    ("text", "field"),
    [("我是室内设计师，做别墅和样板间", "室内设计"), ("汽车设计师，画过几款SUV的内饰", "汽车设计")],
)
def test_a_common_word_before_x_shi_makes_the_field_with_x(text: str, field: str) -> None:
    assert field in extract_expertise(text)


def test_a_certificates_grade_before_a_title_is_not_a_field() -> None:
    keywords = extract_expertise("人力资源管理师，在一家物流公司")
    assert not any("管理" in k for k in keywords), keywords


def test_work_the_person_says_they_do_not_do_is_not_shown() -> None:
    keywords = extract_expertise("我不做刑事辩护，主要做建设工程纠纷")
    assert "建设工程纠纷" in keywords, keywords
    assert not any("刑事" in k for k in keywords), keywords


def test_an_employer_kind_glued_to_a_verb_is_cut_before_the_acronym() -> None:
    found = extract_profile("在车企做NVH，整车异响排查")
    assert "NVH" in found.keywords, found


@pytest.mark.parametrize(
    ("text", "shown", "plan"),
    [
        ("现在做光伏电站运维，打算过两年往储能系统集成方向转", "光伏电站运维", "储能"),
        ("在县医院做超声诊断，下一步想去进修介入超声", "超声诊断", "介入"),
        ("主业是跨境电商选品，准备明年学一下直播带货", "跨境电商选品", "直播"),
        ("做了五年注塑模具设计，计划年底考个注册安全工程师", "注塑模具设计", "安全"),
        ("硕士做的是土壤重金属修复，博士想转去做微塑料", "土壤重金属修复", "微塑料"),
    ],
)
def test_a_plan_is_not_shown_beside_the_work_done(text: str, shown: str, plan: str) -> None:
    keywords = extract_expertise(text)
    assert shown in keywords, keywords
    assert not any(plan in k for k in keywords), keywords


def test_a_plan_is_shown_when_the_text_names_nothing_else() -> None:
    assert any("数控编程" in k for k in extract_expertise("还在上学，打算以后学数控编程"))


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("主要做寿险的准备金评估", "准备金评估"),
        ("入选了省级人才计划，做电镀废水处理", "电镀废水处理"),
    ],
)
def test_plan_words_inside_a_term_are_no_plan(text: str, term: str) -> None:
    assert term in extract_expertise(text)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("十年前在佛山开了个陶瓷釉料厂", "陶瓷釉料"),
        ("我自己干了个保温材料公司，主要接外墙工程", "保温材料"),
        ("2018年创办一家激光焊接公司，任总经理", "激光焊接"),
        ("在温县开了一家石墨电极厂", "石墨电极"),
    ],
)
def test_the_line_of_a_works_the_person_set_up_is_their_trade(text: str, line: str) -> None:
    assert line in extract_expertise(text)


@pytest.mark.parametrize("text", ["在郑州开了家养生馆", "开了个小公司，做点生意"])
def test_a_shop_or_a_company_named_by_no_line_gives_no_trade(text: str) -> None:
    assert extract_expertise(text) == []


@pytest.mark.parametrize(
    ("text", "whole"),
    [
        ("擅长声学与光学专题教学", "声学与光学专题教学"),
        ("主要做棉纱和化纤进口", "棉纱和化纤进口"),
        ("专业是电气工程及其自动化", "电气工程及其自动化"),
    ],
)
def test_two_terms_sharing_one_head_stay_one_keyword(text: str, whole: str) -> None:
    assert whole in extract_expertise(text)


def test_two_terms_each_with_its_own_head_stay_apart() -> None:
    keywords = extract_expertise("做税务筹划和股权架构设计")
    assert "税务筹划" in keywords and "股权架构设计" in keywords, keywords


@pytest.mark.parametrize(
    ("text", "shown", "denied"),
    [
        ("我在律所但不是打官司的，做的是企业并购尽调", "企业并购尽调", "官司"),
        ("现在不画图纸了，主要做工程造价审计", "工程造价审计", "图纸"),
        ("刚开始做电路板设计，还不太熟", "电路板设计", "不太"),
        ("研二，还没定课题，目前做目标检测", "目标检测", "没定"),
    ],
)
def test_what_follows_a_negation_is_not_shown(text: str, shown: str, denied: str) -> None:
    keywords = extract_expertise(text)
    assert shown in keywords, keywords
    assert not any(denied in k for k in keywords), keywords


@pytest.mark.parametrize(
    ("text", "term"), [("做不对称氢化", "不对称氢化"), ("主营不饱和聚酯树脂", "不饱和聚酯树脂")]
)
def test_a_negated_quality_opens_a_term(text: str, term: str) -> None:
    assert term in extract_expertise(text)


def test_a_question_in_speech_is_no_term() -> None:
    keywords = extract_expertise("做婴幼儿睡眠咨询，正不正常都能看")
    assert keywords == ["婴幼儿睡眠咨询"], keywords


@pytest.mark.parametrize(
    ("text", "left", "now"),
    [
        ("以前做了五年外贸跟单，现在不干外贸了，开网店卖茶叶", "外贸跟单", "茶叶"),
        ("原来在电厂搞锅炉检修，后来不干检修了，转做光伏运维", "锅炉检修", "光伏运维"),
    ],
)
def test_work_the_person_says_they_gave_up_is_not_shown(text: str, left: str, now: str) -> None:
    keywords = extract_expertise(text, learned_filter=False)  # the rule of given-up work
    assert any(now in k for k in keywords), keywords
    assert not any(left in k for k in keywords), keywords


def test_former_work_stays_when_the_text_does_not_say_it_was_given_up() -> None:
    keywords = extract_expertise("以前在药厂做制剂工艺，现在做注册申报")
    assert "制剂工艺" in keywords and "注册申报" in keywords, keywords


@pytest.mark.parametrize(
    ("text", "event"),
    [
        ("博士毕业后赴美深造，现在做拓扑光子学", "深造"),
        ("前年回国创业，做细胞培养基", "回国"),
        ("去年借调到市里，管安全生产监管", "借调"),
        ("还在上学，学的是测绘工程", "上学"),
        ("本人系郑州某设计院高工，做岩土勘察", "系郑州"),
    ],
)
def test_moves_of_a_career_are_not_expertise(text: str, event: str) -> None:
    keywords = extract_expertise(text)
    assert keywords, keywords
    assert not any(event in k for k in keywords), keywords


@pytest.mark.parametrize(
    ("text", "shown", "family"),
    [
        ("做园林景观设计，老公在银行，周末陪娃练游泳", "园林景观设计", ("老公", "娃", "游泳")),
        ("桥梁检测工程师，爱人是护士，家里俩娃", "桥梁检测", ("爱人", "娃")),
    ],
)
def test_the_family_is_not_expertise(text: str, shown: str, family: tuple[str, ...]) -> None:
    keywords = extract_expertise(text)
    assert any(shown in k for k in keywords), keywords
    assert not any(word in k for k in keywords for word in family), keywords


def test_spare_time_alone_is_no_keyword() -> None:
    keywords = extract_expertise("做水处理药剂销售，业余画点水彩")
    assert "业余" not in keywords, keywords


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("姓名：刘洋｜岗位：质量体系专员｜专长：IATF16949内审、供应商审核", "质量体系"),
        ("单位：某市自来水公司 职位：管网调度 技能：漏损控制、DMA分区计量", "管网调度"),
        ("公司：某环保科技有限公司｜业务：VOCs治理", "环保科技"),
    ],
)
def test_a_forms_job_and_company_values_are_not_expertise(text: str, value: str) -> None:
    keywords = extract_expertise(text)
    assert keywords, keywords
    assert not any(value in k for k in keywords), keywords


@pytest.mark.parametrize("text", ["在市卫健委，管院感质控", "省经信委的，负责工业节能监察"])
def test_a_government_commission_is_the_employer(text: str) -> None:
    found = extract_profile(text)
    assert found.keywords, found
    assert not any("委" in k for k in found.keywords), found


@pytest.mark.parametrize(
    ("text", "held"),
    [
        ("做压力容器焊接，持特种设备焊工证", "焊工证"),
        ("跑长途冷链的，有A2驾照和危货证", "危货证"),
        ("精益生产顾问，有六西格玛绿带", "绿带"),
    ],
)
def test_a_certificate_held_is_not_expertise(text: str, held: str) -> None:
    keywords = extract_expertise(text)
    assert keywords, keywords
    assert not any(held in k for k in keywords), keywords


@pytest.mark.parametrize(
    ("text", "work"), [("做医疗器械工艺验证", "医疗器械工艺验证"), ("电子数据取证", "电子数据取证")]
)
def test_work_that_ends_in_zheng_stays(text: str, work: str) -> None:
    assert work in extract_expertise(text)


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("台资厂的品保课长，做来料检验和SPC", "课长"),
        ("在农商行当支行行长，以前做对公授信", "行长"),
        ("广告公司创意总监，做品牌整合传播", "创意"),
        ("物流公司区域经理，管干线调度和网点运营", "区域"),
    ],
)
def test_a_title_and_its_rank_words_are_not_expertise(text: str, title: str) -> None:
    keywords = extract_expertise(text)
    assert keywords, keywords
    assert not any(title in k for k in keywords), keywords


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("Demand planner，做MRP和库存优化", "Demand"),
        ("Financial controller，负责合并报表", "Financial"),
    ],
)
def test_an_english_title_is_set_apart_whole(text: str, field: str) -> None:
    keywords = extract_expertise(text)
    assert keywords, keywords
    assert not any(k in ("planner", "controller", "Financial") for k in keywords), keywords


@pytest.mark.parametrize(
    ("text", "term"), [("做M&A尽调", "M&A尽调"), ("熟悉P&L管理和FP&A", "FP&A")]
)
def test_a_latin_letter_after_an_ampersand_stays_in_the_term(text: str, term: str) -> None:
    assert term in extract_expertise(text)


def test_a_schools_department_before_an_english_title_is_the_employer() -> None:
    keywords = extract_expertise("北大物理系postdoc，做超冷原子")
    assert keywords == ["超冷原子"], keywords


@pytest.mark.parametrize(
    "text", ["在研究所，搞科研的", "做点小生意", "曾获省自然科学基金资助，做纳米酶"]
)
def test_vague_work_and_funding_are_not_expertise(text: str) -> None:
    keywords = extract_expertise(text)
    assert not any(k in ("科研", "小生意", "资助") for k in keywords), keywords


def test_a_shared_head_inside_one_word_joins_the_word_before() -> None:
    assert "化疗和免疫治疗" in extract_expertise("主要做胃癌的化疗和免疫治疗")


def test_a_trade_before_a_pause_in_speech_is_the_trade() -> None:
    assert "会计" in extract_expertise("我是做会计的嗯在一家物流公司")


@pytest.mark.parametrize(
    ("text", "team"),
    [
        ("带了一个十来人的售后服务队，做数控机床维修", "服务队"),
        ("管理三十人的测试团队，主攻车载以太网", "测试团队"),
        ("手下有个五六个人的安装班组，做钢结构", "安装班组"),
    ],
)
def test_a_team_the_person_leads_is_not_expertise(text: str, team: str) -> None:
    keywords = extract_expertise(text)
    assert keywords, keywords
    assert not any(team in k for k in keywords), keywords


@pytest.mark.parametrize(
    ("text", "work"), [("主要做计划和排产", "排产"), ("做港口规划设计的", "港口规划设计")]
)
def test_plan_words_that_name_work_stay(text: str, work: str) -> None:
    assert work in extract_expertise(text)


def test_teaching_for_a_credential_is_a_skill() -> None:
    keywords = extract_expertise("在培训机构做CPA辅导和CFA培训")
    assert "CPA辅导" in keywords and "CFA培训" in keywords, keywords


def test_for_example_is_never_part_of_a_term() -> None:
    keywords = extract_expertise("做食品检测，比如说农残和重金属")
    assert not any("比如" in k for k in keywords), keywords


def test_a_place_after_a_spoken_filler_is_still_a_place() -> None:
    found = extract_profile("嗯我在那个昆山做模具设计的")
    assert "模具设计" in found.keywords, found
    assert not any("昆山" in k for k in found.keywords), found


def test_a_company_named_by_a_vague_word_gives_no_trade() -> None:
    assert extract_expertise("前年开了一家科技公司") == []


@pytest.mark.parametrize(
    ("text", "wish"),
    [("做宫颈癌筛查，想多结识些妇产科同行", "同行"), ("以前在超市当收银，想找点兼职做做", "兼职")],
)
def test_a_wish_to_meet_or_find_is_not_expertise(text: str, wish: str) -> None:
    assert not any(wish in k for k in extract_expertise(text))


def test_work_named_as_given_up_is_shown_nowhere() -> None:
    keywords = extract_expertise("干了八年二手车评估，现在不干二手车评估了，开了个洗车店")
    assert not any("二手车" in k for k in keywords), keywords


@pytest.mark.parametrize(
    ("text", "term"),
    [("后来转做锂电池回收，之前做废钢", "锂电池回收"), ("在自学Rust和WebAssembly", "Rust")],
)
def test_verbs_of_changing_and_learning_are_not_part_of_the_term(text: str, term: str) -> None:
    keywords = extract_expertise(text)
    assert term in keywords, keywords
    assert not any(k.startswith(("转做", "自学")) for k in keywords), keywords


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("SAP顾问，做FICO模块实施", "SAP"),
        ("Unity工程师，做手游客户端", "Unity"),
        ("CV算法工程师", "CV"),
    ],
)
def test_a_technology_named_before_an_engineers_title_is_expertise(text: str, field: str) -> None:
    assert any(k.startswith(field) for k in extract_expertise(text))


@pytest.mark.parametrize("text", ["CMC负责人，在一家biotech", "射频工程师，在一家通信公司"])
def test_one_word_before_a_role_still_only_says_the_kind_of_worker(text: str) -> None:
    keywords = extract_expertise(text)
    assert not any(k in ("CMC", "射频") for k in keywords), keywords


@pytest.mark.parametrize(
    ("text", "noise"),
    [
        ("做饲料配方的，郑州本地人", "本地人"),
        ("做桥梁抗震分析，有需要可以私聊", "私聊"),
        ("做文物修复，参与过龙门石窟的一部分", "一部分"),
    ],
)
def test_locals_private_chats_and_parts_are_not_expertise(text: str, noise: str) -> None:
    keywords = extract_expertise(text)
    assert keywords, keywords
    assert not any(noise in k for k in keywords), keywords


@pytest.mark.parametrize(
    ("text", "term"), [("做A/B测试平台", "A/B测试平台"), ("负责I/O模块选型", "I/O模块")]
)
def test_a_single_latin_letter_before_a_joiner_stays_in_the_term(text: str, term: str) -> None:
    assert any(k.startswith(term) for k in extract_expertise(text))


def test_work_given_up_within_one_spoken_clause_is_not_shown() -> None:
    keywords = extract_expertise("嗯我以前跑长途货运后来不跑了现在在县城做快递驿站")
    assert not any("货运" in k for k in keywords), keywords
    assert any("快递驿站" in k for k in keywords), keywords


def test_what_follows_my_own_is_not_a_head_count() -> None:
    keywords = extract_expertise("我个人的钢琴调律手艺还行")
    assert any(k.startswith("钢琴调律") for k in keywords), keywords


def test_a_question_to_the_group_is_not_the_persons_work() -> None:
    keywords = extract_expertise("想问下群里有没有做光刻胶的，我自己做湿电子化学品")
    assert "湿电子化学品" in keywords, keywords
    assert not any("光刻胶" in k for k in keywords), keywords


@pytest.mark.parametrize(
    ("text", "term", "noise"),
    [
        # A word after a degree word is a feeling or a quality.
        ("做齿轮箱振动分析，这个活儿我挺有缘的", "齿轮箱振动分析", "有缘"),
        ("搞冷库制冷系统设计，我很乐意给大家帮忙", "冷库制冷系统设计", "乐意"),
        ("做了多年的汽车座椅舒适性测评，让坐着更舒服", "汽车座椅舒适性测评", "舒服"),
        # Times of the year or of life.
        ("在设计院做给排水设计，暑假带孩子回老家", "给排水设计", "暑假"),
        ("做注塑模具，上学期还在学校代课", "注塑模具", "上学期"),
        ("开挖掘机的，一年大半年在工地上", "挖掘机", "大半年"),
        ("做钻井液体系，在油田干了大半辈子", "钻井液体系", "辈子"),
        # The kin.
        ("做饲料添加剂研发，他爸也在焦作上班", "饲料添加剂", "他爸"),
        ("做玻璃深加工，老母亲在武陟住", "玻璃深加工", "母亲"),
        # Going home and what the person saw there.
        ("做铝型材挤压工艺，去年调回郑州，离家近", "铝型材挤压工艺", "离家"),
        ("做环评报告编制，希望以后能回修武发展", "环评报告编制", "修武"),
        ("做光伏支架设计，过年回家看到焦作也在建电站", "光伏支架设计", "看到"),
        ("大学学的食品工程，毕业后回村种了几亩地", "食品工程", "回村"),
        # A spoken verb with its ending or complement.
        ("做锅炉水处理药剂，硕士读完就进了厂", "锅炉水处理药剂", "读完"),
        ("做发动机标定，说白了就是让车跑起来更省油", "发动机标定", "起来"),
        ("研究玉米秸秆还田，跟农民种地都能搭上边", "玉米秸秆还田", "搭上边"),
        # Offers of a chat.
        ("做跨境电商物流，有兴趣的可以找我进群聊", "跨境电商物流", "群聊"),
        ("做知识产权代理，老乡有问题免费聊", "知识产权代理", "免费聊"),
        # Plain words, titles and the working day.
        ("做木结构古建修缮，一个普通的木匠", "木结构古建修缮", "普通"),
        ("做电梯维保，一般的技术工人", "电梯维保", "工人"),
        ("联合创始人兼CTO，做工业互联网平台", "工业互联网平台", "创始人"),
        ("在机构上课，主要教英语口语", "英语口语", "上课"),
        # The clients' or counterparts' lines.
        ("做机器视觉算法，主要给家电和汽车行业做缺陷检测", "机器视觉算法", "家电"),
        ("做品牌包装设计，服务过娃哈哈、三全等客户", "品牌包装设计", "三全"),
        ("在招商局做项目评估，主要对接生物医药和新材料项目", "项目评估", "生物医药"),
        ("做电机控制器软件，平时也跟测试那边对接口", "电机控制器软件", "测试"),
        # The hometown's needs the person offers help with.
        ("做家具定制，老家企业要是有做板式家具拆单的可以找我", "家具定制", "拆单"),
        # A question told in passing, the students' exams, a statement about others.
        ("做葡萄栽培，邻居老问葡萄为啥越长越酸", "葡萄栽培", "为啥"),
        ("带学生考驾照，本职是汽修", "汽修", "驾照"),
        ("做园林绿化养护，厂里懂电气的年轻人少", "园林绿化养护", "年轻人"),
    ],
)
def test_small_talk_around_the_expertise_is_not_shown(text: str, term: str, noise: str) -> None:
    keywords = extract_expertise(text)
    assert any(term in k for k in keywords), keywords
    assert not any(noise in k for k in keywords), keywords


def test_the_small_talk_rules_apply_to_the_local_government_titles() -> None:
    found = extract_profile("在县里当副县长，分管工业和招商")
    assert "招商" in found.keywords
    assert not any("县长" in k for k in found.keywords), found.keywords


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("搞钢结构焊接", "焊接"),
        ("少儿编程", "编程"),
        ("专业做同声传译和笔译", "笔译"),
        ("负责PLC调试", "调试"),
        ("研究不对称催化", "不对称催化"),
    ],
)
def test_verbs_that_are_expertise_are_still_shown(text: str, term: str) -> None:
    assert any(term in k for k in extract_expertise(text))


@pytest.mark.parametrize(
    ("text", "term", "noise"),
    [
        ("在律所做破产重整，有法律职业资格", "破产重整", "资格"),
        ("研究盾构隧道沉降，以通讯作者发表论文6篇", "盾构隧道沉降", "作者"),
        ("做矿山通风安全，曾在县里挂职科技副县长", "矿山通风安全", "挂职"),
    ],
)
def test_qualifications_authorship_and_secondments_are_not_expertise(
    text: str, term: str, noise: str
) -> None:
    keywords = extract_expertise(text)
    assert any(term in k for k in keywords), keywords
    assert not any(noise in k for k in keywords), keywords


@pytest.mark.parametrize(
    ("text", "keyword"),
    [
        ("做日语翻译", "日语翻译"),
        ("从事中英翻译", "中英翻译"),
        ("我是做日语翻译的，在上海一家外企", "日语翻译"),
        ("从事中英翻译工作十年", "中英翻译"),
        ("资深西班牙语翻译", "西班牙语翻译"),
    ],
)
def test_a_translator_s_language_and_translation_are_one_keyword(text: str, keyword: str) -> None:
    keywords = extract_expertise(text, learned_filter=False)
    assert keyword in keywords, keywords
    assert not any(k != keyword and k in keyword for k in keywords), keywords  # no 日语, 英翻译


def test_translation_alone_is_still_a_job_title() -> None:
    found = extract_profile("在一家外贸公司当翻译", learned_filter=False)
    assert "翻译" in found.titles
    assert not any("翻译" in k for k in found.keywords)


def test_the_rules_propose_a_trade_known_a_little() -> None:
    text = "我们村搞了个光伏扶贫电站，我是负责人，也懂一点电工"
    assert extract_expertise(text, learned_filter=False) == ["光伏扶贫电站", "电工"]


@pytest.mark.parametrize(
    ("text", "shown", "not_shown"),
    [
        ("Backend dev @ ByteDance，Go/K8s，做推荐系统的feature pipeline", "推荐系统", "Backend"),
        ("Senior FAE @ 英飞凌，automotive MCU和power module", "automotive MCU", "FAE"),
        ("B2B sales，工业气体和特气，KA管理", "工业气体", "sales"),
        ("Clinical pharmacist @ 301，做TDM和抗菌药物管理", "抗菌药物管理", "Clinical"),
        ("Freelance illustrator，画picture book和IP角色", "IP角色", "illustrator"),
        ("植保无人机飞手+agronomist，做飞防", "植保无人机", "agronomist"),
        ("iOS dev，Swift/SwiftUI，remote", "Swift/SwiftUI", "remote"),
    ],
)
def test_english_job_titles_and_work_arrangements_are_not_expertise(
    text: str, shown: str, not_shown: str
) -> None:
    keywords = extract_expertise(text, learned_filter=False)
    assert shown in keywords, keywords
    assert not any(not_shown.lower() in k.lower() for k in keywords), keywords


@pytest.mark.parametrize(
    ("text", "shown", "place"),
    [
        ("在UC San Diego读的生物工程PhD，做mRNA递送", "mRNA递送", "UC San Diego"),
        ("Singapore EDB，China desk，做investment promotion", "investment promotion", "EDB"),
        ("HK做equity research，CFA", "equity research", "HK"),
        ("在Boston做CAR-T工艺开发", "CAR-T工艺开发", "Boston"),
    ],
)
def test_english_places_and_units_named_after_them_are_not_expertise(
    text: str, shown: str, place: str
) -> None:
    found = extract_profile(text, learned_filter=False)
    assert shown in found.keywords, found
    assert not any(place in k or k in place for k in found.keywords), found


def test_an_english_title_is_a_whole_word_and_a_lower_case_word_no_place() -> None:
    # "webdev" does not end in the title "dev"; "boston" typed in lower case is not the city.
    assert _title_split("webdev") is None
    assert _title_split("backend dev") == (8, "dev")
    assert _is_english_place_or_unit("Boston") == "places"
    assert _is_english_place_or_unit("boston") == ""
    assert _is_english_place_or_unit("Spring Cloud") == ""


@pytest.mark.parametrize(
    ("text", "shown", "not_shown"),
    [
        ("原中原油田地质师，退了，懂测井解释", "测井解释", "中原油田"),
        ("原焦作市某化工集团总工程师（已退休），从事氯碱化工", "氯碱化工", "焦作"),
        ("原职务：郑州铁路局机务段总工（退休）；专长：内燃机车检修", "内燃机车检修", "机务段"),
        ("储能BMS开发，团队40人，深圳+焦作两地", "储能BMS开发", "两地"),
    ],
)
def test_a_former_employer_a_depot_and_two_places_are_not_expertise(
    text: str, shown: str, not_shown: str
) -> None:
    _rules_show(text, shown, not_shown)


def test_words_opening_with_yuan_are_still_terms() -> None:
    assert extract_expertise("做原位表征和原料药合成", learned_filter=False) == [
        "原位表征",
        "原料药合成",
    ]


@pytest.mark.parametrize(
    ("text", "shown", "not_shown"),
    [
        ("代理过张某交通事故案和王某某离婚纠纷", "离婚纠纷", "张"),
        ("代理过张某交通事故案和王某某离婚纠纷", "交通事故案", "代理"),
        (
            "Research Fellow at University of Melbourne, hydrology and climate modelling. "
            "Originally from Qinyang, Henan.",
            "hydrology",
            "Originally",
        ),
        (
            "Bioinformatician @ Genentech, working on single-cell RNA-seq. Grew up in Mengzhou.",
            "single-cell RNA-seq",
            "Grew",
        ),
        ("ICML和CVPR发过几篇，做多模态大模型", "多模态大模型", "ICML"),
    ],
)
def test_anonymised_parties_english_small_talk_and_venues_are_not_expertise(
    text: str, shown: str, not_shown: str
) -> None:
    _rules_show(text, shown, not_shown)


def test_a_surname_ending_a_word_before_mou_is_no_anonymised_name() -> None:
    text = "本人现任某省级电视台纪录片导演，从事人文历史类纪录片编导"
    assert extract_expertise(text, learned_filter=False) == ["人文历史类纪录片编导"]


@pytest.mark.parametrize(
    ("text", "keyword"),
    [
        ("德国博士，专注线控制动（EHB）与ESC控制算法", "线控制动(EHB)"),
        ("做甲醇制烯烃(MTO)工艺开发", "甲醇制烯烃(MTO)"),
        ("擅长品牌视觉识别系统（VI）与文创衍生品开发", "品牌视觉识别系统(VI)"),
    ],
)
def test_a_term_and_its_bracketed_abbreviation_are_one_keyword(text: str, keyword: str) -> None:
    keywords = extract_expertise(text, learned_filter=False)
    assert keyword in keywords, keywords
    abbreviation = keyword[keyword.index("(") + 1 : -1]
    assert abbreviation not in keywords, keywords


@pytest.mark.parametrize(
    ("text", "keywords"),
    [
        ("王芳，女，中站区人，主任医师，擅长创新药NDA申报", ["创新药NDA申报"]),
        ("本人张伟，武陟县人，做电解铝节能降耗", ["电解铝节能降耗"]),
        ("刘建国，主任医师，脊柱微创手术", ["脊柱微创手术"]),
        # Herbs and terms that open a text like a name are kept.
        ("何首乌，种植二十年", ["何首乌"]),
        ("金银花种植，在封丘", ["金银花种植"]),
        ("张力测试，做表面张力仪", ["张力测试", "表面张力仪"]),
    ],
)
def test_the_person_s_own_name_opening_the_text_is_not_expertise(
    text: str, keywords: list[str]
) -> None:
    assert extract_expertise(text, learned_filter=False) == keywords


@pytest.mark.parametrize(
    ("text", "shown", "not_shown"),
    [
        ("幼儿园园长｜郑州｜蒙氏教育、园本课程设计", "蒙氏教育", "幼儿园"),
        ("阿里云技术专家（P8），负责分布式数据库存储引擎研发", "分布式数据库存储引擎", "P8"),
        ("太极拳教练｜陈式第十二代｜教：老架一路、推手", "老架一路", "第十二代"),
        ("MIT MechE PhD，深圳做humanoid actuator", "humanoid actuator", "MIT"),
    ],
)
def test_heads_of_units_job_grades_lineages_and_schools_are_not_expertise(
    text: str, shown: str, not_shown: str
) -> None:
    _rules_show(text, shown, not_shown)


@pytest.mark.parametrize(
    ("text", "keywords"),
    [
        (
            "Group leader at Max Planck Institute for Polymer Research, working on organic "
            "semiconductors.",
            ["organic semiconductors"],
        ),
        ("8 yrs at Gamesa, wind turbine gearbox design", ["wind turbine gearbox design"]),
        ("Team lead，做推荐系统", ["推荐系统"]),
        ("Undergrad at NYU, doing research on causal inference", ["causal inference"]),
    ],
)
def test_english_institutions_small_talk_and_long_english_terms(
    text: str, keywords: list[str]
) -> None:
    assert extract_expertise(text, learned_filter=False) == keywords


@pytest.mark.parametrize(
    ("text", "shown", "not_shown"),
    [
        (
            "Equity research analyst covering new energy vehicles and lithium battery supply chain",
            "new energy vehicles",
            "covering",
        ),
        (
            "Radiologist working on AI-assisted CT imaging for lung nodules",
            "AI-assisted CT imaging",
            "Radiologist",
        ),
        ("Singapore EDB，China desk，做investment promotion", "investment promotion", "China"),
    ],
)
def test_an_english_sentence_is_cut_at_its_verbs_and_titles(
    text: str, shown: str, not_shown: str
) -> None:
    _rules_show(text, shown, not_shown)


@pytest.mark.parametrize(
    ("text", "keywords"),
    [
        ("高建军，高级农艺师，做怀地黄规范化种植", ["怀地黄规范化种植"]),  # jieba: 高 + 建军
        ("本人马向东，高级技师，做牵引变流器故障诊断", ["牵引变流器故障诊断"]),
        ("Clinical pharmacologist，做PK/PD分析", ["PK/PD分析"]),
        ("做chiplet互连和SI/PI仿真", ["chiplet互连", "SI/PI"]),  # PI: power integrity
    ],
)
def test_names_cut_by_jieba_known_names_and_english_titles(text: str, keywords: list[str]) -> None:
    assert extract_expertise(text, learned_filter=False) == keywords


@pytest.mark.parametrize(
    ("text", "keywords"),
    [
        ("退休教师，教了一辈子中学数学", ["中学数学"]),
        ("在淘宝卖女装，也帮别人代运营", ["女装", "代运营"]),
        ("distributed systems, mostly Kubernetes and TPU scheduling", None),
    ],
)
def test_a_lifetime_a_favour_and_an_english_adverb_do_not_open_a_term(
    text: str, keywords: list[str] | None
) -> None:
    shown = extract_expertise(text, learned_filter=False)
    if keywords is not None:
        assert shown == keywords
    assert not any(k.startswith(("一辈子", "帮别人", "mostly")) for k in shown), shown
