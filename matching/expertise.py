"""Expertise keywords from a self-description, with what is not expertise set apart.

People describe their work in chat the way they talk: "我在上海一家新能源公司做研发总监，主要方向是
锂离子电池正极材料和固态电解质，带过十几人的团队". The keyword ranker (``matching.keywords``)
learned from paper abstracts that early, rare proper nouns are keywords; in a self-description
those are the employer, the city and the job title. This module reads such text as people write
it instead:

1. The text is cut with the project's tokenizer; a *phrase* is a run of adjacent content tokens,
   broken at punctuation, stop words, the verbs and fillers of spoken self-descriptions (做, 搞,
   主要, 就是, 这块, …) and list marks (、 和 以及 还有). A phrase is kept whole, so a compound
   jieba does not know (双氟磺酰亚胺锂) comes back as typed, and its case is the case typed
   (LiFSI, 5G基站).
   Lower-case English words stay one phrase (credit risk modeling); English function words
   break (at, in, the).
2. A phrase is cut at what it names apart: a known employer or an organisation's ending
   (宣武医院 | 神经内科), and a count (三百多亩 | 小麦, 五年 | 审计). A phrase ending in a count is
   all count (大棚二十个, 执业十五年); what follows a count of machines or shops is a possession
   (二十多台注塑机), what follows 几篇 a venue.
3. Each piece is sorted into expertise or one of the other fields a profile has: employer
   (ends like an organisation, a department, a known employer, or follows 在/于/at), place (a
   province, city, county or township from data/regions.toml and data/places/cities.tsv, or
   …脚下/附近), job title (工程师, 总监, any word ending in 师 or 员; what stands before the title
   is kept, cut at its characters: 刑事辩护律师 → 刑事辩护, unless it is one word or generic
   words only, which just say what kind of worker: 射频工程师, 化工工艺工程师), honours (奖, 称号,
   人才计划, credentials, licences, funding rounds), counts, education (博士, 在读, PhD).
4. Chatter at a phrase's ends is trimmed (写Rust → Rust) by word lists and jieba's tags of common
   words; generic words (项目, 算法, 产品) are dropped alone; a lone action joins the term it acts
   on (合成与提纯, 慢性肾病的诊疗 → 慢性肾病诊疗), as do two terms sharing a head of teaching,
   trade or care (力学与电磁学专题教学); a phrase nested in a longer kept phrase is shown once,
   as the longer one.
5. What names the main field in passing is kept: one word between 做/干/搞 and a closing 的 is
   the trade, however common (做会计的); a founded company's line is the founder's (创办一家做
   X的公司), or the line of a works set up (开了个注塑厂 → 注塑); work after 不做 is not shown; a
   pastime's terms are shown when nothing else is.
6. What the person does not do is left out: the rest of a clause about a plan (打算以后往CCUS方向
   走, shown only when nothing else is), the phrase after a negation (不是跑运输的, 不写代码了),
   former work a later clause says was given up (以前做Android开发，现在不写代码了), the
   family (爱人, 陪娃), career moves (赴美深造, 借调) and a team the person leads (研发团队).

7. The keywords the rules propose (``propose_keywords``) pass a learned filter
   (``matching.candidate_filter``: a logistic regression over features of the keyword and its
   clause, trained on the labelled self-descriptions of ``data/eval``), which drops those it
   judges chatter; a text keeps at least its best-scored keyword.

``extract_profile`` returns all of it; ``extract_expertise`` only the keywords.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from matching import text as textmod

MAX_PHRASE_CHARS = 24
# ... an English one may be longer: up to MAX_ENGLISH_WORDS words (wind turbine gearbox design).
MAX_ENGLISH_PHRASE_CHARS = 40
MAX_ENGLISH_WORDS = 4
# A phrase this short right before a colon is a label (现居：), unless a lexicon term (FPGA：).
MAX_LABEL_CHARS = 2
EMPLOYERS_FILE = "employers.txt"
# English place names (UC San Diego, HK, Boston), built by devtools/english_places.py.
ENGLISH_PLACES_FILE = "places_en.txt"
# Verbs, adverbs and fillers of spoken self-descriptions: they end a phrase and are never part of
# an expertise keyword. (Stop words already end a phrase; these are the ones they miss.)
_BREAKS = frozenset(
    """
    做 搞 弄 干 当 任 担任 从事 负责 主要 主做 主攻 专注 专注于 擅长 熟悉
    精通 懂 会 用 使用 学 学过 教 带 带过 管 看 跑 帮 帮助 帮忙 给 找 想
    希望 欢迎 可以 能 也 还 还有 另外 以及 之前 以前 现在 目前 最近 平时
    偶尔 一直 一般 常 常用 经常 比较 比较多 为主 这块 这些 那种 那个 这个 嗯
    啊 呢 吧 就是 然后 其实 差不多 大概 左右 多年 年 做过 搞过 干过 弄过
    参与 参与过 接触 接触过 涉及 包括 覆盖 方面 领域 方向 相关 之类 等等 等
    工作 上班 就职 任职 毕业 读 读的 在读 一家 一个 几个 家 自己 我们 我
    本人 老家 老乡 人 各位 大家 好 联系 交流 合作 机会 有 没有 是 叫 想要
    需要 在弄 在搞 在做 开了 开 负责人 之一 主营 经营 研究方向 主要方向 方向是
    专业 专业是 岗位 职位 手下 种 养 卖 回 去 到 base 您好 你好 大家好
    hi hello 学长 学姐 会用 有个 想回 求 写 持 回复 欢迎来 可能 慢慢
    挺 特别 有空 回老家 聚聚 那会 那会儿 那时 那时候 当时 小时候 后来 算下来 算起来
    厂里 村里 组里 所里 院里 家里 地里 公司里 单位里 这边 那边
    sorry thanks thx 谢谢 多谢 麻烦 不好意思 抱歉
    做成 做到 做好 做强 做点 搞点 弄点 搞好 搞定 做出 搞出 做了 搞了 干了 弄了
    学学 看看 试试 聊聊 问问 找找
    a an the at in on of for with and or to from by as i am im i'm my me we our
    is are was were be been work working worked years year currently now also etc
    based focus focusing specialise specialize specialising specializing including
    用得 用的 用过 常驻 驻 驻扎 转行 上架 感兴趣 兴趣 退休 退休了 急需 急招 诚聘 招聘
    旗下 跟着 接 以后 之后 将来 个体 退役 出差 流转 写过 写了 出身
    待过 呆过 待了 呆了 混过 还会 也会 都会 还懂 也懂 熟练 熟练掌握 熟练使用 掌握
    聚焦 聚焦于 专攻 致力于 深耕 侧重 侧重于 主抓 分管 主打 主讲 运用 重点关注 关注 供职 供职于
    出生于 生于 自幼 从小 不少 很多 若干 那块 那一块 了解 干活 干活儿 本职 本行 主业 本职工作
    练 练了 练过 苦练 专做 专门做
    爱人 老婆 老公 媳妇 娃 俩娃 陪娃 带娃 儿子 女儿 闺女
    比如 比如说 例如 譬如 自学 转做 讲授
    赴美 深造 回国 借调 调到 调去 调回 转去 转到 合伙 上学 跳槽 现于 现为 挂职
    """.split()
)
# The labels of a résumé-style profile (籍贯：焦作温县, 现就职某公司): they name a field of a
# form, never expertise, so they end a phrase wherever they stand, glued to their value or not.
# (Labels that also begin terms, 技能培训, 性别研究, 职务犯罪, 民族音乐, count only before a
# colon: see _LABEL_HEADS.)
_LABELS = frozenset(
    """
    现居 现住 现居住 现居地 居住地 所在地 所在城市 籍贯 祖籍 出生地 户籍 姓名 政治面貌
    毕业院校 毕业学校 现任 现任职 现就职 现工作 就职单位 工作单位 所在单位 专长 特长
    个人简介 简介 简历 自我介绍 个人介绍 经历 工作经历 教育经历 教育背景 履历 个人爱好
    代表成果 主要成果 代表作 代表作品 主要业绩 业余喜欢 业余爱好 兴趣爱好 爱好 主要方向
    研究方向 研究领域 主攻方向 主要领域 联系方式 个人情况 基本情况 基本信息 出生年月 目前状态
    技术领域 擅长领域
    """.split()
)
# Last words of a label before a colon (所获荣誉：, 目前单位：, 擅长领域：); a heading such as
# 固废处置： or 大数据平台： is a term and stays.
_LABEL_HEADS = (
    *"方向 领域 成果 经历 技能 单位 简介 情况 背景 业绩 荣誉 奖项 爱好 兴趣 特长 专长 地址".split(),
    *"职务 职位 岗位 学校 院校 城市 地区 家乡 老家 名称 时间 备注 其他 介绍 说明 类别 行业".split(),
    *"优势 资源 需求 擅长 身份 学历 专业 现居 居住 现任 就职 籍贯 skills skill about".split(),
    *"信息 年月 日期 状态 年限 证书 资质 特点 性格 年龄 户籍 住址 作品 项目 经验".split(),
    *"性别 民族 职称 学位".split(),
)
_LABEL_OPENERS = frozenset("[【")
_LABEL_CLOSERS = frozenset(":]】")
# Personal qualities a résumé lists (沟通能力强, 吃苦耐劳): not a field of expertise.
_PERSONAL_QUALITIES = re.compile(
    r"能力强|能力较强|吃苦耐劳|认真负责|踏实|肯干|勤奋|好学|抗压能力|责任心|执行力|上进心|"
    r"团队合作|团队协作|沟通能力|学习能力|表达能力|性格|开朗|乐观|细心|耐心|诚实|守信|靠谱"
)
# Locative particles ending a phrase that names a place of work (工厂里, 实验室里, 系统内).
_LOCATIVES = frozenset("里 内 边 旁 外头 里头 里面".split())
# Labels whose value is another field of the profile (籍贯焦作温县, 工作单位：中原内配): what
# follows them in the clause is not expertise.
_LABELS_OF_OTHER_FIELDS = frozenset(
    """
    现居 现住 现居住 现居地 居住地 所在地 所在城市 籍贯 祖籍 出生地 户籍 姓名 政治面貌
    毕业院校 毕业学校 现任 现任职 现就职 就职单位 工作单位 所在单位 联系方式 出生年月 目前状态
    """.split()
)
# Short labels whose value, after a colon, is another field of the profile (单位：NUS); unlike
# those above they are ordinary words elsewhere (单位, 公司), so they count only before a colon.
_FIELD_LABELS = frozenset(
    "单位 公司 职位 职务 职称 岗位 学校 院校 城市 地区 工作地 家乡 老家".split()
)
_PLATFORM_LOCATIVES = frozenset("上 里".split())
_DISTANCES = frozenset("公里 英里 海里 华里 千里 万里 邻里".split())
_FOR = frozenset("给 供 为 专供 面向".split())
# Prepositions that open a modifier (面向边缘计算的…, 用于锂电的…): a phrase they begin is cut
# off before its head, a fragment rather than a term.
_MODIFIER_OPENERS = frozenset("面向 用于 适用于 应用于 服务于".split())
# Vague phrases: "things" (抓东西), a pair of qualities joined by 又 (又快又准) and saying
# one has no skill (没什么技能, 无特长).
_VAGUE = re.compile(
    r"^(?:没|没有|无)(?:什么|啥|啥子)?(?:技能|专长|特长|本事|技术|手艺)|东西(?!方)|^又?[\u4e00-\u9fff]又[\u4e00-\u9fff]{1,2}$|^([做聊看玩吃逛])\1[\u4e00-\u9fff]$"
)
# Verbs said twice for odd jobs (写写材料, 做做报表, 画画PCB): never part of the term.
_REDUPLICATED_VERBS = frozenset("写做搞弄看聊跑学画修帮玩试")
# A pet's or a product's nickname (毛小焦, 豆小胖): a name, then 小 or 大, then a name.
_NICKNAME_FIRSTS = "毛豆糖球胖米团圆咪花"
# A region of a company's organisation (华北区, 西南大区): with what follows it, a unit, not work.
_REGION_UNIT = re.compile(
    r"(?:华北|华东|华南|华中|华西|西南|西北|东北|北方|南方)(?:大|片)?区(?!域)"
)
# jieba's tags of a brand's name (万华 is "nz").
_BRAND_TAGS = frozenset(["nz", "nr", "nrt"])
# Lines of business that end a company's name and never a term's first word (万华化学, 恒力石化;
# 电池 and 光伏 are left out: 钠离子电池硬碳负极 is one term).
_BRAND_LINES = frozenset(
    "化学 化工 石化 集团 股份 控股 药业 制药 重工 钢铁 建工 置业 地产 物流 特钢 铝业 煤业".split()
)
# Verbs of care or repair before a generic noun make no term (照顾老人, 修机器), unlike 推荐 in
# 推荐系统.
_CARE_VERBS = frozenset("照顾 抓 陪 伺候 修".split())
# Words that open a hobby when an activity follows them (业余玩无人机; 业余无线电 is a field).
_SPARE_TIME = frozenset("业余 闲暇 闲时".split())
# Labels after which the value is the person's name (姓名：李明).
_NAME_LABELS = frozenset("姓名 名字 称呼 name".split())
# Chatter of greetings and voice run-ons: feelings, life events, shifts and times of day,
# belonging to the group. They end a phrase and are never part of a keyword (夜班累死, 结婚生娃,
# 高兴加入老乡会, 终于找到组织).
_CHATTER_WORDS = frozenset(
    """
    高兴 开心 激动 荣幸 幸会 感谢 想念 怀念 思念 喜欢 爱吃 累死 好累 辛苦 郁闷
    无聊 羡慕 感慨 哈喽 嗨 早上好 上午好 中午好 下午好 晚上好 晚安 早安 终于 漂泊 在外
    打拼 闯荡 发财 结婚 生娃 生孩子 带娃 买房 相亲 吃饭 请客 夜班 白班 下夜班 加班 熬夜
    天天 每天 平时 周末 晚上 早上 夜里 凌晨 中午 下午 上午 有时候 有时 有时间 加入 找到
    认识 打交道 忙不过来 哎呀 哎 唉 咱们 群里 回去 回来 马上 刚刚 请多指教 多指教
    指教 关照 多多关照 进群 入群 群主 新人 报到 报个 小弟 小妹 在下 感谢群主
    老婆 老公 媳妇 孩子 儿子 女儿 闺女 爸妈 父母 妹子 小白 萌新 前辈 大佬 新生 失业 下岗
    二胎 二宝 怀孕 生病 下班 放假 追剧 爱 一段时间 常态 期间 感兴趣 很感兴趣
    出去 细分 专门 在职 离职 待业 求职 挺感兴趣 比较感兴趣 去年 今年 前年 明年 前几年
    冒泡 冒个 冒个泡 潜水 好久 好久没 很久 回家 拿手 在行 第一次 师傅 师父 徒弟
    同事 同学 朋友 乡亲 要死 得要死 一年到头 一天到晚 整天 成天 每年
    这两年 这几年 那几年 说来话长 一言难尽 当兵 参军 入伍 退伍
    很多年 好多年 好些年 都行 啥都行 都可以 什么都行 啥都干 强项 教书 一枚 在手 随便 随便聊
    我家 俺家 咱家 我们家 师弟 师妹 师兄 师姐 学弟 学妹 免费咨询 打工人 社畜 搬砖
    业余时间 空闲时间 闲暇时间 工作之余 下班后 闲来 一辈子 大半辈子 帮别人 给别人 替别人 帮人 替人
    """.split()
)
# English adverbs that open no term (mostly Kubernetes → Kubernetes).
_ENGLISH_LEADING_CHATTER = frozenset(
    "mostly mainly also currently now just especially particularly primarily esp".split()
)
# A spouse and children (俩娃, 陪娃): they end a phrase, and the clause they open is no work.
_FAMILY_MEMBERS = ("爱人", "老婆", "老公", "媳妇", "娃", "儿子", "女儿", "闺女")
# Words after which the rest of the clause is a hobby, a taste or a longing (业余喜欢钓鱼,
# 想念老家的烩面), not work; a work verb or the clause's end closes it.
# So is the time outside work (业余时间做木工, 工作之余学书法): what fills it is a pastime.
_HOBBY_CUES: tuple[str, ...] = (
    *("喜欢", "爱吃", "想念", "怀念", "思念", "爱好", "爱", "业余", "闲暇", "闲时"),
    *("业余时间", "空闲时间", "闲暇时间", "工作之余", "下班后", "闲来"),
    # ... and so is the family (爱人也是老师, 周末陪娃学钢琴): a clause about it is no work.
    *_FAMILY_MEMBERS,
)
# Words after which the rest of the clause is a plan (打算以后往CCUS方向走, 准备考个黑带,
# 下一步想去做氢能政策): what the person means to do, not what they know. Shown, like a
# pastime, only when the text names nothing else. 准备 and 计划 are cues only where they open
# a phrase (人才计划, 准备金评估 are terms); 想 only before a verb of going or changing.
_PLAN_CUES = frozenset("打算 准备 计划 下一步 今后 将来 想要 希望 有意".split())
_PLAN_NOUN_CUES = frozenset("准备 计划".split())
_AFTER_WANT = frozenset(
    """
    转 去 往 申请 考 考研 考博 试 试试 尝试 以后 将来 回 回去 再 换 转行 转型 进 读 读博 开
    搞 做 学 继续 拓展 发展 跨界 出国 留学 创业 找 认识 结识 交流 多 请教 对接 合作 问 问下
    """.split()
)
# Subjects before a formal 系 ("is"): 本人系….
_COPULA_SUBJECTS = frozenset("本人 我 其 现 目前".split())
# Who buys from the person (卖给周边的采摘园, 销往东南亚): customers, not expertise.
_SOLD_TO = frozenset("卖给 卖到 销往 销到 供货给 供应给 出口到 发往".split())
_SELLING_VERBS = frozenset("卖 销售 供货 供应 出口 批发 发货".split())
_TO = frozenset("给到")
_CLAUSE_ENDS = frozenset(",.;!?~()[]|\n。，；！？…～（）【】")
_WORK_CUES = frozenset(
    """
    做 搞 弄 干 从事 负责 主要 主做 主攻 专注 擅长 本职 专长 特长 本行 主业 职业 专业 专业是
    """.split()
)
# Interjections, modal particles and laughter (哈哈哈, 嗯, 呀, 哈 喽): never in a term.
_LAUGHTER = re.compile(
    r"^[哈呵嘿嘻嗯啊哦噢呃喽啦呀哇嘛耶诶]+$|^h{2,}$|^(?:ha){2,}$|^23{2,}$|^6{3,}$|^lol$|^hiahia$"
)
_INTERJECTION_TAGS = frozenset("e y o".split())
# A greeting to the group (你们好, 老乡们好, 家人们晚上好).
_GREETING = re.compile(
    r"^(?:你们|您们|大家|各位|老乡们?|亲们|家人们|朋友们|同学们|老师们|领导们|群友们?|兄弟们|"
    r"姐妹们|老铁们?)(?:好|早|早上好|上午好|中午好|下午好|晚上好)[呀啊哈]?$"
)
_DEGREE_ADVERBS = frozenset("好很挺太超真蛮巨怪")
# jieba's tags (or none) of what 刚 may be glued to in speech: a verb, a time (刚度 is "d").
_SPOKEN_TAGS = frozenset(["", "t", "v"])
_VERBS_BEFORE_A_LITTLE = frozenset("做搞弄干会用学教带管看想有去找求跑帮给懂当在回接养种画写玩")
# Stop words that sit inside terms, between two of their words (量子点发光).
_INNER_STOP_WORDS = frozenset("点")
# One-character stop words that begin terms when glued to one (小分子, 大语言模型, 多传感器融合).
_TERM_PREFIXES = frozenset("大小非光多")
# Terms of a prefix and a generic word that jieba's dictionary is too old to know (大模型).
_PREFIXED_TERMS = frozenset(
    "大模型 小模型 大数据 小程序 多模态 大语言模型 小样本 多组学 光模块".split()
)
# Tokens that may join two content tokens inside one term (LC-MS/MS, UI/UX, S7-1200, C++).
_JOINERS = frozenset("-/+.#·&")
# Words that name a phrase's head as an organisation: the phrase is an employer. (科技 is left out:
# 硬科技 and 金融科技 are fields; a company named XX科技 is found by 在 or 公司.)
_ORG_SUFFIXES = tuple(
    """
    公司 集团 大学 学院 学校 中学 小学 一中 二中 医院 附院 研究所 研究院
    设计院 设计所 研究中心 实验室 中心 厂 局 所 院 银行 券商 基金 事务所 律所
    股份 有限 工作室 合作社 养殖场 农场 基地 分院 总院 诊所 门诊 药企
    外企 国企 央企 私募 协会 委员会 政府 部门 办公室 小厂 馆 店 集团公司
    发改委 科委 经信委 工信委 卫健委 教委 农委 建委
    分公司 事业部 研究室 课题组 重工 企业 园区 工业园 产业园 开发区 高新区 景区
    高校 高职 职校 技校 党校 驾校 大厂 外资 合资 证券 期货 信托 资本
    施工队 车队 超市 饭店 餐馆 酒店 书协 作协 美协 侨联 工会 商会 学会 城商行 农商行 作坊
    物流园 科技园 眼镜店 车企 分行 支行 总行 猪场 鸡场 牛场 羊场 鸭场 剧团
    餐厅 琴行 车行 机构 委会 养老院 中介 总部 子公司 分部 事业群
    """.split()
)
# Job titles and roles (a phrase ending in one is a title; what precedes it may be expertise).
_TITLE_SUFFIXES = tuple(
    sorted(
        """
        工程师 总工 总监 经理 主管 主任 专员 顾问 分析师 设计师 架构师 研究员 助理
        技术员 科长 处长 局长 厂长 所长 院长 校长 店长 组长 队长 董事长 董事 总裁
        总经理 合伙人 创始人 联合创始人 负责人 医师 医生 大夫 护士 护师 药师 技师
        教授 副教授 讲师 老师 教师 导师 博导 硕导 律师 法务 会计师 审计师 建造师 主编 副主编
        结构师 规划师 评估师 咨询师 主播 责任编辑 记者 院士 学者 博士后 博后 专家
        管理师 精算师 营养师 理财师 培训师 核查员 业务员 传承人 传人 创业者 保代
        注会 高工 骨干 员工 ceo cto coo cfo sde engineer manager director pm vp
        scientist analyst consultant intern hr hrbp developer researcher professor
        lecturer founder cofounder co-founder lawyer doctor physician nurse student designer
        architect officer specialist lead
        dev operator sales pharmacist illustrator agronomist fae startup technician programmer
        editor journalist photographer trader banker broker auditor accountant attorney
        counsel advisor adviser entrepreneur freelancer desk leader bioinformatician statistician
        physicist chemist biochemist biologist economist geologist ecologist pathologist
        radiologist surgeon dentist therapist psychologist anesthesiologist cardiologist
        ophthalmologist oncologist writer pharmacologist toxicologist epidemiologist
        mentor trainee resident
        投资人 天使投资人 partner investor associate
        副总 老总 代理人 开发者 辅导员 公务员 程序员 养殖户 种植户 专业户 个体户 农户
        农民 果农 菜农 茶农 渔民 牧民 兽医 村医 宝妈 全职妈妈 军人 退伍军人 店主 老板
        主理人 站长 园长 馆长 社员 学员 学徒 志愿者 自由职业 自由职业者 护士长 班长 车间主任 带头人
        导演 主持人 制片人 翻译 机长 船长 线长 列车长 理事长 会长 秘书长 社长 美工 值长
        焊工 钳工 车工 铣工 瓦工 架子工 大户 干部 飞手
        教练 助产士 厨师 厨子 护工 fellow scholar postdoc post-doc
        enginner enginer engneer engeneer engr
        司机 厨师长 主厨 行政总厨 主创 兽医师 骑手 保安 保洁 快递小哥 网约车司机 博主 up主
        码农 程序猿 攻城狮
        课长 行长 planner coordinator controller
        处级 科级 厅级 局级 副处级 正处级 副科级 正科级 处级干部 科级干部
        镇长 乡长 县长 市长 区长 村长 书记 支书 村支书 工人
        """.split(),
        key=len,
        reverse=True,
    )
)
_TITLE_WORDS = frozenset(_TITLE_SUFFIXES)
# Languages and language pairs before 翻译 (日语, 西班牙语, 中英, 英汉): a translator's skill.
_LANGUAGE_CHARS = "中英日韩法德俄西葡意阿汉泰越蒙藏维朝"
_LANGUAGES = re.compile(rf"[{_LANGUAGE_CHARS}]{{2}}|[\u4e00-\u9fff]{{1,4}}[语文]")
_TITLE_LENGTHS = sorted({len(title) for title in _TITLE_WORDS}, reverse=True)
# What may stand before a title without being expertise (机械工程师 says no more than 工程师).
# Rank words that may open the words before a title (资深投资经理, 常年法律顾问).
_LEADING_RANKS = frozenset("资深 常年 兼职 高级 首席 特聘 客座 专职 直聘 全职 独立".split())
_TITLE_PREFIXES_NOT_EXPERTISE = frozenset(
    """
    高级 资深 首席 主任 副 总 主治 执业 注册 应用 研发 技术 算法 软件 硬件
    机械 电气 项目 产品 销售 市场 运营 质量 生产 工艺 设备 测试 实施 售前
    售后 现场 驻场 一级 二级 一注 二注 高工 助理 实习 见习 初级 中级 正高
    副高 正 客座 兼职 特聘 大学 高中 初中 小学 中学 研究 senior junior staff
    principal lead chief sr data software hardware research product project
    非遗 省级 市级 国家级 县级 主管 正高级 副高级 独立 全职 退伍 社区 乡村 家庭 基层
    直聘 聘任 专职 个体 教授级 常年 兼职 投资 投行 融资 临床
    财务 人事 行政 采购 人力 人力资源 商务 客服 机电 创意 区域 financial
    处级 科级 厅级 局级 副处级 正处级 副科级 正科级
    validation verification process test testing qa qc field application sales support
    design mechanical electrical embedded firmware system systems technical visiting
    postdoctoral graduate teaching
    backend back-end frontend front-end fullstack full-stack clinical freelance b2b b2c group team
    """.split()
)
# A university by its short name (华南理工, 中国农大, 郑大): an employer or a school, never a field.
_SCHOOL_SHORT_NAME = re.compile(
    r"^[\u4e00-\u9fff]{1,4}(?:理工|农大|师大|医大|工大|科大|财大|交大|林大|矿大|海大|民大|"
    r"石大|地大|外大|政法|体大|中医药大|理工大)$|^[郑浙北清复南人川山厦吉武同哈西湘苏河鲁兰]大$|"
    r"^(?:清华|复旦|南开|华科|北航|北理|北邮|西交|上交|同济|哈工大|西电|成电)$|"
    # A university's department (化学系, 测绘工程系, 中文系); 管理体系 and 关系 are no department.
    r"(?:学|工程|科学|技术|中文|外语|英语|化工|机械|电子|物理|土木|建筑|材料|环境|计算机|自动化|"
    r"电气|经济|法律|新闻|历史|哲学|体育|美术|音乐|生物)系$"
)
# What may follow a university's short name in one phrase: its department or the person's
# major (清华化工系, 中国农大作物), never a field of work of its own.
MAX_MAJOR_CHARS = 4
# A generation count closing the words before a title (陈氏太极拳第十二代传人 → 陈氏太极拳).
# A job grade at a technology company (P8, T3-2, L5, M2).
_JOB_LEVEL = re.compile(r"[PTLM][0-9]{1,2}(?:[-+][0-9])?")
_TRAILING_GENERATION = re.compile(r"第?[0-9零〇一二两三四五六七八九十百几]+代$")
_HONOUR = re.compile(
    r"奖|称号|荣誉|劳模|劳动模范|先进个人|优秀|标兵|人才计划|青年拔尖|杰青|优青|长江学者|"
    r"学者|金牌|银牌|铜牌|冠军|亚军|季军|一等|二等|三等|特等|入选|获评|评为|表彰|勋章|证书|"
    r"^获|^拿过|^拿了|科技进步|津贴|骨干|重点研发计划|子课题|基金项目|"
    # A funding round is an honour; 应收账款融资 is a trade.
    r"轮融资|^融资|"
    # A contest is an honour; coaching for one is a skill (数学竞赛辅导).
    r"(?:大赛|比赛|竞赛)(?!辅导|培训|教练|指导|命题)|"
    r"国审|省审|专利[0-9一二三四五六七八九十几多]|"
    # Credentials and licences are honours, not expertise (持CISP, 北美精算师FSA).
    r"(?<![a-z])(?:cfa|cpa|frm|acca|cma|cia|cisa|cisp|cissp|pmp|fsa|asa|fcia|cfp|aca|"
    r"ccie|ccnp|ocp|rhce|sci|ssci|cssci|ei)(?![a-z])(?!培训|辅导|备考|课程|教学)|核心期刊|资格证|执业证|上岗证|(?:作业|操作|合格|从业|职业)证|[级师员格工]证$|持证|持有|"
    # Licences and permits (A2驾照, 危化品运输证, 营业执照): held, not practised.
    r"驾照|执照|许可证|驾驶证|运输证|注册证|"
    # ... and any other 证 held (危化证, 高压焊证, 焊工证考证), unless the word ending in 证 is
    # work (AEO认证, 工艺验证, 内控鉴证, 电子取证, 文献考证, 庭审质证); belts of Six Sigma too.
    r"(?<![认论验循保实查取辨辩公签凭鉴见举印佐确求例考质互对])证(?:考证)?$|黑带|绿带|"
    r"党员|团员|人大代表|政协委员|^享受|职称|会员$|委员$|常委$|理事$|能手|工匠|名师|状元|祖传|销冠|"
    r"法考|司考|考研|考公|"
    # Qualifications held (保代资格, 证券期货相关业务评估资格) and authorship (第一作者).
    r"资格$|^(?:第一|通讯|共同第一)?作者$|"
    # Certificates by their short names (一建, 注安, 二造): held or not, never a field.
    r"(?:^|[持有考过到在])(?:[一二]级?建|[一二]造|[一二]消|注安|注[电岩结规消]|[一二]注)"
    r"(?:证书?)?$"
)
_EDUCATION = re.compile(
    r"(?<![a-z])(?:phd|ph\.d|msc|mba|bachelor|master)(?![a-z])|博士|硕士|本科|学士|研究生|博后|大专|在读|毕业|届|校友|读研|读博|规培|"
    # 大学生 is a student, 大学生心理健康教育 a field.
    r"(?:进修生|实习生|留学生|学生|直博生|学历)$|硕博连读|^(?:[大博][一二三四五]|研[一二三])新?生$|^[大博][一二三四五]$|^研[一二三]$|^[初高][一二三]$|^[初高]中$|"
    # 专科 is education alone (大专, 专科毕业), not in 专科护理 or 专科医院.
    r"^专科$"
)
_NUMERAL = "0-9零〇一二两三四五六七八九十百千万亿几多余来半数"
# What a number counts in a self-description: people, years, fields, papers, money, ….
# (次 is left out: 二次开发 and 一次性 are terms, not counts.)
# (粉 counts fans: 20万粉.)
_MEASURE = "个名位人年岁月天户家台项篇件亩头只万亿块届所多余来号条套吨倍级本架斤辆部粉%％"
# A count that is not a token of its own: 团队五六个, or a bare number ending a phrase, unless
# it is a model's (S7-1200, ISO 14064).
_COUNT = re.compile(
    rf"(?:团队|小组|手下|组里)[{_NUMERAL}]|(?<![0-9a-z+/. -])[{_NUMERAL}]{{2,}}$|"
    # 10w+, 5k: the chat spelling of 万 and 千.
    r"^[0-9]+(?:\.[0-9]+)?[wk]\+?$"
)
# A token that is a count (三百多亩, 五年, 十几人, 30万元) or only its number (三百多 before 亩).
# 元 needs a number of two characters or more: 三元正极材料 and 多元统计 are no sums of money.
# (零 is left out: 零件 and 零部件 are parts, not counts.)
_REAL_NUMERAL = "0-9一二两三四五六七八九十百千万亿几"
_COUNT_TOKEN = re.compile(
    rf"[第上近约]?(?=[{_NUMERAL}]*[{_REAL_NUMERAL}])[{_NUMERAL}]+\s*[{_MEASURE}]+|[{_NUMERAL}]{{2,}}元"
)
_NUMBER_TOKEN = re.compile(rf"[第上近约]?(?=[{_NUMERAL}]*[{_REAL_NUMERAL}])[{_NUMERAL}]+")
_MEASURE_WORDS = "小时|公里|平米|平方米|平方|万元|公斤|斤"
_MEASURE_TOKEN = re.compile(rf"[{_MEASURE}元]+|{_MEASURE_WORDS}")
# What follows a count of papers is where they were published (几篇Nature Energy).
# ... and what follows a number of 项 is an achievement (3项地方规划, 5项国审品种).
_VENUE_MEASURES = ("篇", "本", "项")
# What follows a count of machines, shops or things is a possession (二十多台注塑机); what follows
# years, fields or animals is read on its own (五年审计, 三百多亩小麦, 五千只蛋鸡).
# (个 is left out: 3个IND申报 are work done, 两个小游戏 things made.)
_POSSESSION_MEASURES = ("台", "家", "套", "辆", "间", "座", "处", "架")
# A duration ending a phrase says how long the person did what precedes it (养蜂二十年).
_DURATION_MEASURES = ("年", "月", "载")
# ... unless it is work done (上千台膝关节置换手术).
_COUNTED_WORK = ("手术", "介入", "治疗")
# The words right before a phrase that make it an employer or a place (在华为, 就职于中建八局).
_AT = frozenset(
    "在 于 就职于 任职于 供职于 来自 毕业于 回 到 去 位于 base 在中 常驻 驻 at @".split()
)
# Words before an organisation named by its kind or its name (一家煤矿, 某设计院, 一家VC).
_ONE_FIRM = frozenset("一家 这家 那家 某 某家 某个".split())
# Verbs whose object follows 于 (专注于超声诊断设备): there 于 names the work, not a place.
_DEVOTED_TO = frozenset(
    "专注 致力 聚焦 侧重 从事 服务 应用 擅长 精通 深耕 专攻 投身 热衷 着眼 着力 立足 主攻".split()
)
# 做化工的, 干销售的: the verb and 的 around one word name the person's trade, even a word too
# general or too common to be shown elsewhere; these words after 做 name no trade (做生意的).
_TRADE_VERBS = frozenset("做 干 搞 弄".split())
_NOT_TRADES = frozenset(
    """
    生意 买卖 小生意 工作 事情 事 东西 活 活儿 项目 业务 产品 技术 企业 公司 饭 菜 手艺 管理 这个
    那个 这行 这一行 啥 什么 一样 不错 好 多 少 出来 起来 下去 完 科研 研究 小生意
    """.split()
)
# Words before the verb that deny the trade (不是搞设计的).
_DENIALS = frozenset("不是 不 没 没有 并非 不再 别".split())
# Negations glued by jieba to the verb or adverb after them (不写 代码, 没定 方向, 不太会): with
# the phrase that follows, what the person does not do or has not settled.
_NEGATED = frozenset(
    """
    写 干 教 做 搞 弄 种 跑 当 卖 养 定 确定 什么 啥 会 懂 再 太 画 修 用 开 接 碰 带 管 拍
    """.split()
)
# First characters of the work a bare 不 denies (不 做实验, 不 种地); before other words 不 opens
# a term (不对称催化).
_NEGATED_WORK = frozenset("做干搞弄写种教跑当卖养开接碰懂会太再从在画修用带管拍")
# A clause that says the person quit a line of work (现在不写代码了, 已经彻底不干了): what the
# clauses opened by 以前/原来 before it name is no longer theirs.
_QUIT = re.compile(r"(?:不再|不)(?:做|干|写|种|教|搞|弄|当|跑|卖|开|养|从事)[\u4e00-\u9fff]{0,4}了")
# ... and the work it names (不做外贸了 → 外贸): shown nowhere else in the text.
_QUIT_OBJECT = re.compile(
    r"(?:不再|不)(?:做|干|写|种|教|搞|弄|当|跑|卖|开|养|从事)([\u4e00-\u9fff]{2,6})了"
)
_FORMERLY = re.compile(
    r"^(?:嗯|呃|那个|就是|\s)*(?:我|本人)?(?:以前|之前|原来|原先|过去|早年|曾经|当年|早先)"
)
_NOWADAYS = re.compile(r"^(?:嗯|呃|那个|就是|\s)*(?:我|本人)?(?:现在|目前|如今|眼下|后来)")
# A company the person founded (创办了一家做工业视觉检测的公司): its line of work is theirs.
_FOUNDED = re.compile(
    r"(?:创办|创立|创建|成立|开办|开了|办了)了?(?:一家|一个)?(?:做|搞|专做|专门做)$"
)
# ... and a works or a company the person set up, named by its line (开了个耐火材料厂, 干了个
# 装修公司, 创办一家工业视觉公司): the line is the founder's trade. (A shop, a clinic or a hall,
# 开了家养生馆, names a place of work rather than a trade, and stays the employer.)
_SET_UP = re.compile(r"(?:创办|创立|创建|成立|开办|开|办|干)了?(?:一家|一个|个|家)$")
_SET_UP_KINDS = ("有限公司", "公司", "工厂", "厂")
# Titles of a technical trade: a technology's name typed with a capital before one names the
# engineer's field (BIM工程师, SAP顾问, Java工程师), unlike one before a role (CMC负责人).
_TRADE_TITLES = frozenset("工程师 架构师 顾问 开发 专家 技术员 设计师".split())
_TECHNOLOGY_NAME = re.compile(r"[A-Za-z][A-Za-z0-9+#]{1,11}(?![A-Za-z])")
# Endings of a team's name (研发团队, 技术服务队): a unit of people, not a field.
_TEAMS = ("团队", "队", "班组")
# Measures of people before 的 and what they count (七八人的…, 百来号人的…).
# (个人 is left out: 我个人的钢琴调律 is the person's own.)
_PEOPLE_MEASURES = frozenset("人 号人 名".split())
# Words of a company's name that name no line of work (开了一家科技公司).
_VAGUE_LINES = frozenset("科技 智能 网络 文化 传媒 控股 实业 发展 信息 商贸 集团 股份".split())
# Verbs after an organisation that say the person works there (一家VC做投资经理).
_EMPLOYED_AS = frozenset("当 做 任 干 上班 工作 担任 负责 从事".split())
# Fillers of speech between 在 and the place or organisation (在那个义乌做货代).
_FILLERS = frozenset("那个 这个 嗯 呃".split())
# English articles between 在-like words and the organisation (at a fintech).
_ARTICLES = frozenset("a an the".split())
# ... unless the phrase is followed by one of these (在水稻和小麦上做, 在传感器方面).
_AT_NOT_PLACE_AFTER = frozenset("上 方面 领域 中 里 这块 方向 行业".split())
# Verbs after 在 that make it the progressive aspect (在搞银浆降本), not a place.
_PROGRESSIVE = frozenset("做 搞 弄 学 研究 开发 搭 写 带 跑 推 攻关 研发 优化 尝试 探索".split())
# Phrases too general to be shown as expertise on their own.
_GENERIC_PROFILE_WORDS = frozenset(
    """
    项目 企业 课题 机会 问题 岗位 行业 工作 经验 技术 产品 研发 算法 管理
    团队 客户 市场 业务 方向 领域 事情 东西 公司 单位 老家 家乡 朋友 学生
    孩子 资源 政策 平台 资料 信息 服务 咨询 科研 研究 开发 设计 生产 销售
    运营 质量 工艺 设备 测试 实施 应用 数据 系统 方案 模型 材料 软件 硬件
    高压 局部 放电 前端 后端 一线 基层 本地 当地 国内 国外 海外 全国 各地
    焦作人 河南人 老家人 人才 专家 领导 同事 同学 家人 微信 电话 手机 时间 空
    有空 随时 包教包会 三班倒 国家 省里 市里 小组 景区 村里 城市 职级 职称
    解决方案 配套 个人 参观 指导 业余时间 回来住 找我聊 内推 求内推 正高 副高
    实习 片子 超标 工序 要求 工地 现场 车间 农村 网上
    执业 从医 行医 从教 从业 从警 教龄 工龄 驾龄 创业 创业中 心得 经验 体会 兴趣 爱好
    工人 员工 职工 农户 村民 院子 房子 门店 营收 营业额 产值 年产值 销售额 利润 粉丝
    规模 产能 订单 流水 技术咨询 技术服务 技术支持 技术指导 技术交流 技术合作 智能化
    信息化 数字化 阶段 施工阶段 临床验证 一带 一路 一带一路 专精特新 上市公司 上市
    品牌 店铺 转行 操盘 上架 评价 连锁 厂房 爆文 专著 论文 教材 这行 这一行 本行
    种地 务农 打工 上班 自学 大棚 research work experience team project projects business
    茶园 果园 菜园 鱼塘 猪场 鸡场 牛场 园子 棚 门面 仓库 退休 需求 企业需求 年薪 月薪 待遇
    商单 私单 订单 纯手工 手工 村里人 老乡 乡亲 村民 广告 私活 经销商 代理商 供应商 量产
    小孩子 小孩 任教 执教 业余 爱人 同行 一部分 r&d workshop 小生意 资助
    工程化 产业化 商业化 规模化 市场化
    专门 模块 品种 细分 诊治 查验 活儿 活 东西 总部 化工 制造业 营养 品质 周边 老乡会 老乡群
    同乡会 组织 大家庭 群 天使投资 早期投资 早期项目 天使轮 投资 风投 创投 vc pe 毕业设计 毕设
    加工 感恩 疫情 住院 准备 打算 实验室 课题组 小鼠 外面 外地 全职 兼职 副业 主业 本职 正职
    行情 生意 买卖 日常 生活 家里
    调控 制备 制备工艺 放大 报表 材料 老人 老年人 fab foundry
    industry company remote onsite on-site freelance part-time full-time startup
    angew jacs nature science cell pnas ieee acs
    icml iclr neurips nips cvpr iccv eccv aaai ijcai kdd acl emnlp sigir sigmod vldb www
    originally grew grown born raised hometown home from based living live currently now just
    nice meet hobby hobbies love also hi hello hey thanks welcome contact happy interested
    looking hope want glad family kids wife husband retired working work up
    yrs years year doing studying study studied might do before after that this small big
    undergrad undergraduate assoc prof m im i'm previously formerly client clients
    teach teaching learn learning mostly mainly focus focused focusing
    综合协调 沟通协调 统筹协调 协调 对接 日常管理 日常事务 行政事务 打杂 杂活 手艺 手艺活
    拿手菜 招牌菜 账号 赛道 机器
    """.split()
)
# Words that end a phrase without being part of the term (SaaS产品 → SaaS, 夜游项目 → 夜游).
_TRAILING = frozenset(
    """
    人才 专家 需求 服务 研发 产品 出身 项目 业务 这一块 一块 算法 客户 要求 阶段 解析 产能 产量
    """.split()
)
# Small talk around the expertise (pass 4): words that read as terms alone but are feelings,
# times, kin, visits home or offers of help in a chatty or spoken text.
# Degree words before a word make it a quality or a feeling (挺有缘, 更安静, 很乐意, 特别有感情).
_DEGREE_WORDS = frozenset(
    "很 挺 更 特别 比较 非常 蛮 太 超 十分 相当 都挺 也挺 越来越 越 很大".split()
)
# Times of the year or of life (下学期, 寒假, 大半年, 逢年过节), the kin (他爸, 老父亲), and
# going home (回村, 离家近).
_SMALL_TALK = re.compile(
    r"^(?:[上下本这每今明去]?学期|[寒暑]假|假期|大?半年|小半年|大?半辈子|一辈子|逢年过节|过年|节假日)$"
    r"|^(?:孩子|[他她我俺咱])?老?(?:爸|妈|爹|娘|父亲|母亲|爸妈|爹娘|爷爷|奶奶|姥姥|姥爷|外公|外婆"
    r"|公公|婆婆|岳父|岳母|丈夫|妻子)$"
    r"|^回(?:村|乡|家|老家|国|来|去)$|^离家[近远]?$|^[做干搞弄帮出]点[事活忙力]|^[能会可][干做搞弄修]$"
    # ... odd jobs and tinkering (做些杂事, 自己瞎琢磨), where one lives, a channel alone (线上).
    r"|^(?:杂事|杂活|琐事|线上|线下)$|^瞎|定居$"
)
# Clause tails that say when, not what (读书那会儿).
_TIME_AFTER = frozenset("那会儿 那会 那时候 那时 时候 期间 以后 之后".split())
# Verbs of seeing or going that open what the person saw or wishes (看到焦作, 能回焦作).
_SEEING_OPENERS = frozenset("看到 看见 听说 觉得 感觉 能回 回到 想回".split())
# Complements that end a spoken verb phrase, never a term (车开起来, 搭上边, 运过来).
_COMPLEMENTS = frozenset("起来 上边 过来 过去 出来 下去 上来 下来".split())
# Words asking a question (为啥越种越小): a clause with one is told, not a field.
_QUESTION_WORDS = frozenset("为啥 为什么 怎么 咋 咋样 怎样 多少".split())
# Everyday verbs of a working day, never a field alone (在培训机构上课, 已经落地50+工厂).
_EVERYDAY_VERBS = frozenset("上课 讲课 上班 上学 打工 干活 过活 开口 落地 出差 开会".split())
# Whom the person works with (跟CAE那边对仿真): a counterpart, not the person's field.
_WITH = frozenset("跟 和 与 同".split())
# Plain words a modest person puts before their trade (一个普通的木匠).
_PLAIN = frozenset("普通 一般 平凡 小小".split())
# Coaching verbs before the students (带学生考证).
_COACHING = frozenset("带 帮 辅导 指导 教".split())
# One-character adjectives that end a statement (村里年轻人少, 离家远).
_PREDICATE_ADJECTIVES = frozenset("少 多 远 近 好 差 难 累 忙 穷".split())
# Counters right after a number (2次并购项目): the rest is what was counted.
_COUNTERS = frozenset("次 个 项 篇 家 名 位 场 期 批".split())
# The hometown's or reader's needs that the person offers help with (老家企业有合同方面的问题,
# 家乡要是有做文旅小程序的, 老家医院如果需要培训): their needs, not the person's field.
_HOMETOWN_NEEDS = re.compile(
    r"(?:家乡|老家|老乡)[^,.;!?，。；！？]*?(?:需要|有啥|有什么|要是有|如果有|有)"
)
# Whom an offer of help goes to (可以找我搭把手, 拉我进群聊): what follows is the offer.
_OFFER_VERBS = frozenset("找 拉 叫 喊 联系 私信 加".split())
# A list of clients closed by 等客户 (曾服务农夫山泉、蜜雪冰城等客户): names of clients.
_CLIENT_TAIL = re.compile(
    r"^[^,.;!?，。；！？\n]{0,40}?等(?:知名|大型|头部|多家)?(?:客户|企业|公司|品牌|单位|厂家|车企|厂商)"
)
# Work done for someone (给3C和锂电行业做外观检测, 主要给长城和奇瑞配套): the clients.
_FOR_CLIENT = frozenset("给 为".split())
_FOR_CLIENT_WORK = re.compile(r"^[^,.;!?，。；！？\n]{0,20}?(?:做|提供|配套|供货|服务)")
# ... and the clients' or counterparts' lines (客户多是新能源车和储能, 主要对接新能源和半导体项目).
_CLIENT_CUE = re.compile(r"客户(?:多|主要|大多|基本|大部分)?(?:是|为|有|包括)|对接")

# Lines of business of the state's utilities and carriers, whose branches are named by place
# (国网河南电力, 河南移动, 焦作烟草): after a place's name, the phrase is the employer.
_PROVINCIAL_LINES = (
    *"电力 电网 供电 移动 联通 电信 烟草 邮政 石油 石化 燃气 水务".split(),
    "交投",
    "城投",
)
# Words that end the name of an industry (光伏行业): the profile's industry, not expertise.
_SECTORS = ("行业", "赛道")
# Words after a place that point at it (陕西周至那边, 苏北一带).
_THERE = frozenset("那边 这边 那里 这里 那块 一带 那儿 这儿".split())
# Endings that make any phrase a location (云台山脚下, 郑州周边, 黄河边上).
_PLACE_TAILS = ("脚下", "山下", "附近", "周边", "边上", "一带", "境内", "老家")
# A surname and 工 or 总: how colleagues name an engineer or a boss (王工, 李总).
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严覃武戴莫孔向汤"
)
# ... and how friends name one another (小张, 老王, 李姐, 王哥).
# ... and how a case or a patient is anonymised (张某, 王某某).
_HONORIFIC_NAME = re.compile(
    f"^[{_SURNAMES}][工总哥姐叔姨]$|^[小老阿][{_SURNAMES}]$|^[{_SURNAMES}]某某?$"
)
# A surname and 某 (某某): a party to a case or a patient, anonymised. Surnames that end common
# words before 某 (现任某, 位于某, 面向某, 曾在某, 提高某) are left out.
_AMBIGUOUS_SURNAMES = "于任高石江金方严万史段龙武向曾余付白"
_ANONYMISED_SURNAMES = "".join(c for c in _SURNAMES if c not in _AMBIGUOUS_SURNAMES)
_ANONYMISED_NAME = re.compile(
    f"[{_ANONYMISED_SURNAMES}]某某?(?![\u4e00-\u9fff]?(?:公司|集团|单位|医院|机构|企业))"
)
# A person's name with the words that introduce it, glued by jieba (我姓赵, 我叫王磊).
_OWN_NAME = re.compile(r"^我?(?:姓|叫|名叫)[\u4e00-\u9fff]{1,3}$")
# "My family's": what follows it and 是 is the name of a pet or a relative (我家大黄是…).
_FAMILY = frozenset("我家 俺家 咱家 我们家".split())
# Words between 是 and a kind of worker (我是一名护士, 就是个电工).
_ONE_OF = frozenset("个 名 位 一个 一名 一位".split())
# Words before the title of a person's work in 《》 (代表作《太行》, 出版了《…》).
_WORKS = frozenset("代表作 代表作品 作品 著有 出版 出版了 主编 拍过 拍了 导演 编著 译著".split())
# Marks of a past event after a verb (跳槽了, 选育过).
_PAST_MARKS = frozenset("了 过".split())
# Words before a person's own name.
_NAME_CUES = frozenset("叫 名叫 姓".split())
# One-character verbs and prepositions that start no term: an unknown two-character word led by
# one is the word and the start of the term (会评 茶 → 会, 评茶; 对酱 卤制品 → 对, 酱卤制品).
_ONE_CHAR_VERBS = frozenset("做搞弄干会用学教带管看想有去找求跑帮给懂对把向为从叫")
# One-character verbs that take an ending of their own (读完, 还给, 开过).
_VERBS_WITH_ENDINGS = _ONE_CHAR_VERBS | frozenset("读还开")
# One-character verbs that jieba's HMM may glue to an unknown neighbour (药企做质量).
_GLUED_VERBS = frozenset("做搞弄干当在回接")
# Verbs that take 过 or 了, which jieba's HMM may glue to the next word (搞 过光 气化).
_VERBS_AFTER_A_PAST = frozenset("用学管带跑写修教")
# Words ending in 工 that are work, not a worker (深加工, 石油化工, 土建施工).
_WORK_WORDS = frozenset(
    "加工 化工 施工 竣工 开工 分工 用工 手工 员工 职工 电工 人工 做工 务工".split()
)
# One-character endings of words for a person's trade (建筑师, 调酒师, 业务员, 辅导员).
_TITLE_ENDINGS = ("师", "员")
# The people of an organisation: 郑大的学生 names 郑大 as one.
_MEMBERS = frozenset("学生 员工 毕业生 校友 老师 职工".split())
# Words that end a company's name after its brand (宇通客车, 中航复材, 中信重工).
_COMPANY_NAME_TAILS = frozenset(
    """
    客车 汽车 重工 复材 电气 电子 医药 药业 生物 化工 化学 能源 新能源 机械 重机 物流
    地产 置业 控股 科技 智能 集团 股份 电器 家电 光电 通信 网络 软件 传媒 文化 教育
    农业 食品 乳业 钢铁 特钢 铝业 煤业 建设 建工 新材 环保 水务 燃气 电力 航空 航天
    船舶 医疗 器械 云 智驾 半导体 微电子 制药 动力 电池 储能 光伏 风电 证券 银行 保险 石化
    """.split()
)
# Endings of the unit a person with a title heads or works in (兽医站, 技术部, 综合办).
_UNIT_ENDINGS = ("站", "部", "处", "办", "科室", "影楼", "务段")  # 机务段: a railway depot
# Two-character words for a kind of employer that never begin a field (集团合并报表 does).
_EMPLOYER_KINDS = frozenset("药企 国企 外企 央企 车企 私企 民企 大厂 律所 券商".split())
# Ordinary words that end like an organisation (专利布局 is no 局, 开网店 a skill).
_NOT_ORG_ENDINGS = (
    *("布局", "格局", "结局", "大局", "全局", "场所", "住所", "网店", "庭院", "处所"),
    *("加工中心", "数据中心", "配送中心", "控制中心"),
)
# A department named by its function (科技部, 风控部, 投行部): where, not what.
_DEPARTMENT = re.compile(
    r"(?:技术|研发|市场|销售|投行|风控|财务|人事|人力|采购|质量|质检|生产|工程|信息|运营|科技|"
    r"事业|设计|客服|行政|法务|战略|投资|产品|合规|审计|营销|网络|计划)部$|"
    # ... and a hospital's (护理部, 药剂科, 医务处): the ward of a clinical field (心内科) is not.
    r"^(?:护理|药学|药剂|医务|院办|科教|医保)[部科处]$"
)
# Platforms people work on rather than for: 小红书种草 and 亚马逊运营 are skills.
_PLATFORMS = frozenset(
    "小红书 抖音 快手 淘宝 天猫 拼多多 亚马逊 b站 视频号 公众号 闲鱼 速卖通 shopee tiktok "
    "google facebook amazon youtube instagram".split()
)
# Well-known employers whose names are also ordinary words: only whole, never a phrase's start.
_EMPLOYERS_ALSO_WORDS = frozenset("小米 思念 大众 联想 美的 浪潮 强生 三全 苹果".split())
# Endings of a school's name: what follows it before 专业 is the person's major.
_SCHOOLS = ("大学", "学院", "学校", "大", "党校", "职校", "技校")
# Endings of a department named after its organisation (投行部, 技术处, 综合办).
_DEPARTMENT_SUFFIXES = ("部", "处", "室", "办", "组", "系", "分院", "分公司", "事业部")
# Words after a phrase that make it an organisation's name (一家新能源公司 → 新能源 is employer).
_ORG_WORDS_AFTER = frozenset(
    "公司 企业 集团 工厂 厂 单位 医院 学校 机构 所 院 系 学院 局 大学 研究所 研究院 银行".split()
)
# Verbs that start a phrase without being part of the term (写Rust → Rust, 持CISP → CISP).
_LEADING_VERBS = frozenset(
    "写 持 做 搞 弄 干 用 会 学 教 讲 带 管 看 想 回 有 去 找 求 跑 帮 给 盯 聊 问".split()
    + ["推荐", "介绍"]
    # ... investing in a sector (投企业服务 → 企业服务), plans (准备学医 → 学医) and repairs
    # (修奔驰宝马: what is left are brands, set apart as employers).
    + ["投", "准备", "打算", "修"]
    # ... and the verbs of a need (生产镁碳砖 → 镁碳砖, 降低能耗 → 能耗).
    + "生产 寻求 筛选 满足 解决 提高 提升 降低 减少 引进 改进 改善 实现 寻找 招聘 采购".split()
    # ... and of a doctor's or maker's (治疗风湿骨病 → 风湿骨病, 自制膏药 → 膏药).
    + "治疗 自制 牵头 建成 主导 主持 参与 编制 制定 授权 承接 承揽".split()
    # ... and of care and holding (照顾老人 → 老人, 抓护理质量 → 护理质量).
    + "照顾 抓".split()
)
# Parts of speech (jieba's dictionary tags) of words that are never expertise on their own:
# adjectives, time words, pronouns, idioms, place words, adverbs, numerals, conjunctions, ….
_NOT_TERM_TAGS = frozenset(
    # (an, the adjectives that are also nouns, is left out: 安全评价, 健康管理.)
    "a ad t tg r rr rz l s ns d m mq c p u uj ul uz y e o q z zg i".split()
)
# A verb or a very common noun alone is no expertise (认识, 推荐, 法律, 重点); rarer ones may be
# (采矿, 焊接), so the cut is the word's frequency in jieba's dictionary.
COMMON_VERB_FREQUENCY = 1000
# ... and a verb of the domain lexicons this frequent in jieba's dictionary (操作, 计算).
COMMON_LEXICON_VERB_FREQUENCY = 3000
# Below this frequency a word's jieba tag says little: it is left in a term.
RARE_WORD_FREQUENCY = 100
COMMON_ADJECTIVE_FREQUENCY = 2000
_ADJECTIVE_TAGS = frozenset({"a"})
COMMON_NOUN_FREQUENCY = 10000
# A common noun this frequent after 在 is a thing (在水稻上), not an organisation (在小鹏).
COMMON_NOUN_AFTER_AT = 400
# A phrase about how to reach the person is never expertise (微信同手机号).
# (手机 alone is a phone number; 手机结构 and 手机影像 are fields.)
_CONTACT = re.compile(r"微信|手机号|^手机$|电话|邮箱|私信|私聊|qq|vx|联系方式")
_ASCII_WORD = re.compile(r"[0-9a-z]")
_HAN = re.compile(r"[\u4e00-\u9fff]")
# Spoken chatter tokens jieba does not know: a verb with 了 (考了), degree + adjective (挺累).
_CHATTER_TOKEN = re.compile(r"^[\u4e00-\u9fff]{1,2}了个?$|^[挺很蛮][\u4e00-\u9fff]$")
_LATIN_TOKEN = re.compile(r"[0-9a-z]+")
_LATIN_ALPHA = re.compile(r"^[a-z][0-9a-z]*$")
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


@dataclass(frozen=True)
class ProfileExtraction:
    """What a self-description says, sorted: expertise keywords and the other profile fields.

    Every list holds phrases as the person typed them (NFKC-normalised, case kept), in the
    order they appear. Only ``keywords`` is expertise; the rest may be offered for the
    profile's own fields (employer, city, title, …) after the person confirms.
    """

    keywords: list[str] = field(default_factory=list)
    employers: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    honours: list[str] = field(default_factory=list)
    counts: list[str] = field(default_factory=list)
    education: list[str] = field(default_factory=list)


@dataclass
class _Phrase:
    """A run of content tokens: its text as typed, its normalised form and its neighbours."""

    start: int
    typed: str
    norm: str
    tokens: list[str]
    spans: list[tuple[int, int]]
    before: str
    before2: str
    after: str
    # The token after ``after`` (一家做光伏的公司: 的 then 公司).
    after2: str = ""
    # The field the phrase belongs to whatever it says (what follows 几篇 is a venue).
    forced: str = ""


@lru_cache(maxsize=1)
def _place_names() -> frozenset[str]:
    """Return place names (provinces, big cities, Jiaozuo's divisions) from the gazetteer."""
    from matching.origin import load_gazetteer

    names = {t for t, term in load_gazetteer().terms.items() if term.role in {"alias", "foreign"}}
    names |= _city_names()
    return frozenset(n for n in names if len(n) >= 2)


def _city_names() -> set[str]:
    """Return the cities of data/places/cities.tsv: full names, and short ones safe to scan.

    A short name marked ``scan=no`` (沙河, 三河, 安国) is also an ordinary word or a company, so
    only its full name (沙河市) counts as a place.
    """
    from matching.resources import data_path

    names: set[str] = set()
    with data_path("places", "cities.tsv").open(encoding="utf-8") as fh:
        for raw in fh:
            fields = raw.rstrip("\n").split("\t")
            if raw.startswith("#") or len(fields) < 6 or fields[0] == "code":
                continue
            names.add(unicodedata.normalize("NFKC", fields[1]).lower())
            if fields[5] == "yes":
                names.add(unicodedata.normalize("NFKC", fields[2]).lower())
    return names


@lru_cache(maxsize=1)
def _employer_names() -> frozenset[str]:
    """Return well-known employers named without 公司 (data/lexicons/employers.txt), lower-cased."""
    from matching.resources import data_path

    names = set()
    with data_path("lexicons", EMPLOYERS_FILE).open(encoding="utf-8") as fh:
        for raw in fh:
            line = raw.split("#", 1)[0].strip()
            if line:
                names.add(unicodedata.normalize("NFKC", line).lower())
    return frozenset(names)


@lru_cache(maxsize=1)
def _english_places() -> frozenset[str]:
    """Return English place names as typed (Boston, HK, San Diego) from data/places/places_en.txt.

    Matched case-sensitively: a capitalised Boston is the city, a lower-case word is not.
    """
    from matching.resources import data_path

    with data_path("places", ENGLISH_PLACES_FILE).open(encoding="utf-8") as fh:
        return frozenset(line.strip() for line in fh if line.strip() and not line.startswith("#"))


def _english_place_at(words: Sequence[str], first: int) -> int:
    """Return how many of ``words`` from ``first`` name an English place (3, 2, 1 or 0)."""
    places = _english_places()
    for size in (3, 2, 1):
        if first + size <= len(words) and " ".join(words[first : first + size]) in places:
            return size
    return 0


# Words that make an English name an organisation's (Max Planck Institute, Bank of China).
_ENGLISH_ORG_WORDS = frozenset(
    """
    Institute University College School Laboratory Lab Labs Hospital Company Inc Ltd Corp
    Corporation Group Bank Foundation Academy Center Centre Journal Association Society
    Ministry Council Agency Department Dept GmbH AG LLC LLP Partners Capital Ventures
    """.split()
)


def _is_english_place_or_unit(typed: str) -> str:
    """Return "places" for an English place (Boston), "employers" for a unit named after one.

    A unit is a place and at most two more words (Singapore EDB, China desk, UC San Diego) or a
    name with an organisation's word (Max Planck Institute); "" when ``typed`` is neither
    (Spring Cloud, feature pipeline).
    """
    words = typed.split()
    if not words or not typed.isascii():
        return ""
    if words[-1].lower() not in _TITLE_WORDS and any(
        word.strip(".,") in _ENGLISH_ORG_WORDS for word in words
    ):
        return "employers"  # Max Planck Institute for Polymer Research, Journal of Power Sources
    for first in range(min(len(words), 2)):
        size = _english_place_at(words, first)
        if size:
            if first == 0 and size == len(words):
                return "places"
            rest = words[:first] + words[first + size :]
            if len(rest) <= 2 and not any(word.islower() for word in rest):
                return "employers"  # Singapore EDB, UC San Diego (not Henan heritage sites)
    return ""


def _employer_prefix(norm: str) -> int:
    """Return the length of the longest well-known employer ``norm`` starts with (0 if none)."""
    names = _employer_names()
    for k in range(min(len(norm), 8), 1, -1):
        if norm[:k] in names:
            return k
    return 0


def _is_employer_name(norm: str) -> bool:
    """Return whether ``norm`` is one or more well-known employers in a row (携程美团)."""
    if not norm:
        return False
    k = _employer_prefix(norm)
    return k > 0 and (k == len(norm) or _is_employer_name(norm[k:]))


def word_tag(token: str) -> tuple[str, int]:
    """Return jieba's part-of-speech tag of ``token`` and its dictionary frequency (``""``, 0)."""
    return _word_tags().get(token, ("", 0))


@lru_cache(maxsize=1)
def _word_tags() -> dict[str, tuple[str, int]]:
    """Return jieba's dictionary as word → (part-of-speech tag, frequency)."""
    import jieba

    tags: dict[str, tuple[str, int]] = {}
    path = jieba.get_dict_file()
    with path:
        for raw in path:
            fields = raw.decode("utf-8").split()
            if len(fields) == 3:
                tags[fields[0]] = (fields[2], int(fields[1]))
    return tags


def _is_chatter(token: str, *, leading: bool = False) -> bool:
    """Return whether ``token`` is a common word that cannot begin (or end) a term."""
    if token in _TRAILING and not leading:
        return True
    if leading and (
        token in _LEADING_VERBS
        or token in _ENGLISH_LEADING_CHATTER
        or (len(token) == 2 and token[0] == token[1] and token[0] in _REDUPLICATED_VERBS)
    ):
        return True
    if len(token) != 2:  # idioms (学前教育) and single adjectives (深基坑) are often in terms
        return False
    tag, freq = _word_tags().get(token, ("", 0))
    if tag in _ADJECTIVE_TAGS and freq < COMMON_ADJECTIVE_FREQUENCY:
        return False  # a rare "adjective" is a technical word (遥感, 超导)
    if freq < RARE_WORD_FREQUENCY or token in _generic():
        return False  # 喷淋, 林下; 海绵城市's 城市 (jieba tags it a place)
    if leading and tag == "d":
        return False  # 实时数仓, 高速接口: adverbs that start terms (chatty ones are stop words)
    return bool(tag) and tag in _NOT_TERM_TAGS and token not in textmod.lexicon()


def _is_common_word(token: str) -> bool:
    """Return whether ``token`` alone is too common a word to be expertise (法律, 认识)."""
    if len(token) >= 4:
        return False
    if token in textmod.lexicon():
        # The domain lexicons hold everyday verbs too (操作, 计算): alone they say nothing.
        tag, freq = _word_tags().get(token, ("", 0))
        return tag == "v" and freq >= COMMON_LEXICON_VERB_FREQUENCY
    if _is_chatter(token, leading=True):
        return True
    tag, freq = _word_tags().get(token, ("", 0))
    if tag == "v":
        return freq >= COMMON_VERB_FREQUENCY
    # Nouns and verbal nouns alike (建设, 管理): very common ones say nothing alone.
    return (tag.startswith("n") or tag == "vn") and freq >= COMMON_NOUN_FREQUENCY


@lru_cache(maxsize=1)
def _generic() -> frozenset[str]:
    """Return the generic words a keyword may contain but never be."""
    return textmod.generic_terms() | _GENERIC_PROFILE_WORDS


@lru_cache(maxsize=1)
def _stop() -> frozenset[str]:
    """Return every token that ends a phrase: stop words and the self-description fillers."""
    return textmod.stop_words() | _BREAKS | _LABELS | _CHATTER_WORDS


def _is_label(norm: str) -> bool:
    """Return whether ``norm``, right before a colon, is a form's label (专长, 所获荣誉)."""
    norm = norm.strip()
    if norm in _LABELS or norm.endswith(_LABEL_HEADS):
        return True
    return (
        len(norm) <= MAX_LABEL_CHARS
        and _HAN.match(norm) is not None
        and (norm not in textmod.lexicon())
    )


def _is_interjection(token: str) -> bool:
    """Return whether ``token`` is laughter, an interjection or spoken chatter (哈哈哈, 刚下)."""
    if token in _interjections() or _LAUGHTER.match(token) or _GREETING.match(token):
        return True
    if token[:1] in _DEGREE_ADVERBS and (token[1:] in _CHATTER_WORDS or token[1:] == "想"):
        return True  # 好开心, 怪想: a feeling with its degree
    if len(token) != 2 or token in textmod.lexicon():
        return False
    # 刚下 (夜班), 刚来: a spoken adverb glued to a verb (刚度 and 刚玉 are nouns); 卖菜, 买房:
    # selling and buying; 养点 (土鸡): a verb and "a little".
    return (
        (token[0] == "刚" and _word_tags().get(token, ("", 0))[0] in _SPOKEN_TAGS)
        or (token[0] in "累忙困饿烦" and token not in _word_tags())  # 累成 (狗)
        or (token[0] in "我你咱" and token not in _word_tags())  # 我来 (冒个泡); 他者 stays
        or token[0] in "卖买"
        or (token[1] in "点些" and token[0] in _VERBS_BEFORE_A_LITTLE)
    )


def _is_reduplicated_verb(token: str) -> bool:
    """Return whether ``token`` is a one-character verb said twice (讲讲, 练练): chatter."""
    if len(token) != 2 or token[0] != token[1] or _HAN.match(token) is None:
        return False
    if token in textmod.lexicon():
        return False
    tag = _word_tags().get(token, ("", 0))[0]
    return tag == "v" or (not tag and _word_tags().get(token[0], ("", 0))[0] == "v")


@lru_cache(maxsize=1)
def _interjections() -> frozenset[str]:
    """Return jieba's interjections, modal particles and onomatopoeia outside our lexicon."""
    lexicon = textmod.lexicon()
    return frozenset(
        word
        for word, (tag, _) in _word_tags().items()
        if tag in _INTERJECTION_TAGS and word not in lexicon
    )


def _cut_around_anonymised_names(lowered: str) -> list[str]:
    """Return jieba's tokens of ``lowered`` with each anonymised name (张某, 王某某) one token.

    jieba glues the surname to what precedes it (代理过张 + 某), which would leave half a name
    in a keyword.
    """
    tokens: list[str] = []
    at = 0
    for match in _ANONYMISED_NAME.finditer(lowered):
        tokens += textmod.cut(lowered[at : match.start()]) if match.start() > at else []
        tokens.append(match.group())
        at = match.end()
    return tokens + (textmod.cut(lowered[at:]) if at < len(lowered) else [])


def _lowered_in_place(typed: str) -> str:
    """Return ``typed`` lower-cased character by character, so positions stay the same (İ)."""
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in typed)


def _typed_form(text: str) -> str:
    """Return ``text`` with full-width forms made half-width and NFKC applied, case kept."""
    text = text.translate(_FULL_WIDTH)
    return unicodedata.normalize("NFKC", text)


def _phrases(text: str, keep_pastimes: bool = False) -> list[_Phrase]:
    """Cut ``text`` into phrases (runs of content tokens) with their typed spelling.

    The phrases of a pastime (业余喜欢打太极拳) are left out unless ``keep_pastimes``.
    """
    typed = _typed_form(text)
    lowered = _lowered_in_place(typed)
    tokens = _split_glued(_cut_around_anonymised_names(lowered))
    if "".join(tokens) != lowered:  # the cut must cover the text to map tokens back
        typed = lowered
    stop = _stop()
    offsets = []
    pos = 0
    for token in tokens:
        offsets.append(pos)
        pos += len(token)

    def is_content(i: int) -> bool:
        token = tokens[i]
        stripped = token.strip()
        if _ANONYMISED_NAME.fullmatch(stripped):
            return False  # 代理过张某交通事故案: a party to a case, never part of a term
        if not stripped:
            # A single space between two latin words joins them (Spring Cloud).
            return (
                token == " "  # noqa: S105 - a space token, not a password
                and 0 < i < len(tokens) - 1
                and _ASCII_WORD.search(tokens[i - 1][-1:]) is not None
                and _ASCII_WORD.search(tokens[i + 1][:1]) is not None
                and tokens[i - 1].isascii()
                and tokens[i + 1].isascii()
            )
        if stripped in _JOINERS:
            return (
                0 < i
                and tokens[i - 1].strip() != ""
                and _ASCII_WORD.search(tokens[i - 1]) is not None
                and (i + 1 >= len(tokens) or tokens[i + 1] in _JOINERS or tokens[i + 1].isascii())
            )
        if stripped.isdigit() and i + 1 < len(tokens) and tokens[i + 1][:1] in _MEASURE:
            return True  # 60多人, 3项: a count, set apart as one
        if (
            i > 0
            and _MEASURE_TOKEN.fullmatch(stripped)
            and _NUMBER_TOKEN.fullmatch(tokens[i - 1].strip())
        ):
            return True  # the 年 of 6年 and the 家 of 3家, though both are stop words
        if (
            len(stripped) <= 2
            and _LATIN_ALPHA.fullmatch(stripped)
            and (
                (
                    i >= 2
                    and tokens[i - 1] in _JOINERS
                    and _LATIN_ALPHA.fullmatch(tokens[i - 2]) is not None
                )
                or (
                    i + 2 < len(tokens)
                    and tokens[i + 1] in _JOINERS
                    and _LATIN_ALPHA.fullmatch(tokens[i + 2]) is not None
                )
            )
        ):
            return True  # FP&A, A/B, I/O: an English word (a, i, or) at a joiner
        if stripped.isdigit() and i >= 2 and tokens[i - 1] in _JOINERS | {" "}:
            # The number of a model or standard (S7-1200, ISO 14064) belongs to it.
            return _LATIN_ALPHA.search(tokens[i - 2]) is not None
        if _is_plan_cue(i):
            return False
        if stripped == "不" and i + 1 < len(tokens):
            # 不做实验了: a denial of work; 不对称催化, 不饱和聚酯: 不 opens the term.
            after = tokens[i + 1]
            if i > 0 and tokens[i - 1][-1:] == after[:1]:
                return False  # 焦不焦虑, 会不会: a question, not a term
            return (
                after[:1] not in _NEGATED_WORK
                and _HAN.match(after) is not None
                and after not in stop
                and after not in _BREAKS
            )
        if _is_denial(stripped):
            return False
        if stripped == "系" and i > 0 and tokens[i - 1] in _COPULA_SUBJECTS:
            return False  # 本人系北京某律所合伙人: 系 is "is", not a department
        if stripped in _SPARE_TIME and i + 1 < len(tokens) and _is_activity(tokens[i + 1]):
            return False  # 业余玩无人机, 业余写写小说: a hobby follows
        if _CHATTER_TOKEN.match(stripped) and stripped not in textmod.lexicon():
            return False
        if _is_interjection(stripped) or _is_reduplicated_verb(stripped):
            return False
        if token in _INNER_STOP_WORDS and 0 < i < len(tokens) - 1:
            # 量子点发光, 焊点检测: 点 (a stop word) between two words of a term
            before, after = tokens[i - 1], tokens[i + 1]
            return all(
                w not in stop and w not in _BREAKS and _HAN.match(w) is not None
                for w in (before, after)
            )
        if len(stripped) == 1 and stripped.isascii() and i >= 2 and tokens[i - 2] == "to":
            return False  # to B, to C: who a business sells to
        if token in _TERM_PREFIXES:
            # 大客户销售: a generic word may follow when more of the term comes after it.
            return i + 1 < len(tokens) and (
                _begins_term(tokens[i + 1])
                or token + tokens[i + 1] in _PREFIXED_TERMS  # 大模型: a term of its own
                or (
                    tokens[i + 1] in _generic()
                    and i + 2 < len(tokens)
                    and tokens[i + 2] not in stop
                    and _HAN.match(tokens[i + 2]) is not None
                )
            )
        if _COUNT_TOKEN.fullmatch(stripped) and stripped not in _BREAKS:
            return True  # 二十年 is a stop word, but 这行快二十年 is one count
        return stripped not in stop and textmod.WORDLIKE.search(stripped) is not None

    def _begins_term(token: str) -> bool:
        """Return whether ``token`` may follow a one-character prefix inside a term."""
        return (
            token not in stop
            and _HAN.match(token) is not None
            and token not in _generic()
            and not _is_common_word(token)
            and not _COUNT_TOKEN.fullmatch(token)
        )

    def neighbour(i: int, step: int) -> str:
        """Return the ``abs(step)``-th non-blank token before or after token ``i``."""
        direction = 1 if step > 0 else -1
        j = i
        for _ in range(abs(step)):
            j += direction
            while 0 <= j < len(tokens) and not tokens[j].strip():
                j += direction
        return tokens[j].strip() if 0 <= j < len(tokens) else ""

    def _is_plan_cue(i: int) -> bool:
        """Return whether token ``i`` opens a plan (打算, 想转做, 准备 at a phrase's start)."""
        token = tokens[i].strip()
        if token == "想":  # noqa: S105 - a word, not a password
            after = neighbour(i, 1)
            return after in _AFTER_WANT or (len(after) == 2 and after[:1] in _AFTER_WANT)
        if token[:2] in _PLAN_CUES and len(token) == 3:
            # 准备考: a cue glued by jieba's dictionary to a rare verb (not 准备金, a term).
            if _word_tags().get(token, ("", 0))[1] >= RARE_WORD_FREQUENCY:
                return False
            token = token[:2]
        elif token not in _PLAN_CUES:
            return False
        if token in _PLAN_NOUN_CUES and tokens[i].strip() == token:
            # 计划明年搞连锁, 准备再拿个证: a time or a verb of going follows; not 做计划排产.
            before = tokens[i - 1].strip() if i > 0 else ""
            after = neighbour(i, 1)
            return (
                not before or before in stop or before in _BREAKS or before in _CLAUSE_ENDS
            ) and (
                after in _AFTER_WANT
                or after[:1] in _AFTER_WANT
                or _word_tags().get(after, ("", 0))[0] == "t"
            )
        return True

    found: list[_Phrase] = []
    i = 0
    # Inside a clause about a hobby, a longing or customers (业余喜欢钓鱼, 卖给超市): its
    # phrases are not the person's work.
    hobby = False
    # A pastime goes on past a comma (业余时间做木工，榫卯家具做了几十件) until work is named.
    pastime = False
    # Inside a plan (打算明年去墨西哥开仓): until the clause ends, whatever verbs follow.
    plan = False
    # After a negation (不是跑运输的, 不写代码了): the next phrase is what the person does not do.
    denied = False
    quit_from = _quit_spans(lowered)
    while i < len(tokens):
        if not is_content(i):
            stripped = tokens[i].strip()
            if _is_plan_cue(i):
                plan = True
            elif stripped in _CLAUSE_ENDS or not stripped:
                plan = denied = False
            if _is_denial(stripped):
                denied = True
            if stripped in _FIELD_LABELS and neighbour(i, 1) == ":":
                # 岗位：编导, 公司：某新材料科技有限公司: a label that is a stop word or a break
                # never forms a phrase of its own; its value is still another field.
                hobby = True
                pastime = False
            elif stripped.endswith(_HOBBY_CUES) or stripped in _LABELS_OF_OTHER_FIELDS:
                hobby = True  # 喜欢, 个人爱好; 籍贯焦作温县, 工作单位：中原内配
                pastime = stripped.endswith(_HOBBY_CUES)
            elif stripped in _SOLD_TO or (stripped in _TO and neighbour(i, -1) in _SELLING_VERBS):
                hobby = True  # 卖给周边的采摘园, 销往东南亚: who buys is no expertise
            elif stripped in _LABEL_CLOSERS and hobby:
                # 籍贯：焦作 goes on; 爱好 游泳 职业：… is a new field.
                hobby = neighbour(i, -1).endswith(_HOBBY_CUES) or (
                    neighbour(i, -1) in _LABELS_OF_OTHER_FIELDS | _FIELD_LABELS
                )
            elif (
                # 业余时间做木工: the verb right after the cue is the pastime's own.
                (stripped in _WORK_CUES and not neighbour(i, -1).endswith(_HOBBY_CUES))
                or (stripped in _CLAUSE_ENDS and not (pastime and stripped == ","))
                # A pause in speech ends the clause, unless after 的 (卖给周边的 采摘园).
                or (hobby and not stripped and neighbour(i, -1) != "的")
            ):
                hobby = pastime = False  # 业余喜欢：游泳、跑步 goes on past 、 and ：
            i += 1
            continue
        if not tokens[i].strip():
            i += 1  # a space joins two words; it never starts a phrase
            continue
        j = i
        while j < len(tokens) and is_content(j):
            j += 1
        # Joiners and spaces never end a phrase.
        end = j
        while end > i and (tokens[end - 1].strip() in _JOINERS or not tokens[end - 1].strip()):
            end -= 1
        # R&D after a term says it is research work, as 研发 does (coating R&D): not the term.
        if end - i > 3 and "".join(tokens[end - 3 : end]) == "r&d":
            end -= 3
            while end > i and not tokens[end - 1].strip():
                end -= 1
        # Three latin words or more are a list (Java Spring Cloud), not one name: split them.
        latin = [k for k in range(i, end) if tokens[k].strip()]
        words = sum(
            1
            for k in latin
            if tokens[k].strip() not in _JOINERS
            and (k == i or tokens[k - 1].strip() == "" or tokens[k - 1] == " ")
        )
        start_char, end_char = offsets[i], offsets[end - 1] + len(tokens[end - 1])
        if (
            (hobby and not (keep_pastimes and pastime))
            or (plan and not keep_pastimes)
            or denied
            or any(a <= start_char < b for a, b in quit_from)
            or (
                # 专长：, 【技术领域】: a form's label before a colon or in brackets.
                (
                    neighbour(end - 1, 1) == ":"
                    or (neighbour(i, -1) in _LABEL_OPENERS and neighbour(end - 1, 1) in "]】")
                )
                and _is_label(lowered[start_char:end_char])
            )
            # 姓名：李明: the value of a name label is a name.
            or (neighbour(i, -1) == ":" and neighbour(i, -2) in _NAME_LABELS)
        ):
            if neighbour(end - 1, 1) == ":" and lowered[start_char:end_char] in _FIELD_LABELS:
                hobby = True  # 单位：NUS, 职位：技术经理: the value is another field
            denied = False
            i = j
            continue
        lower_case = typed[start_char:end_char].islower()
        if words > 2 and _is_english_place_or_unit(typed[start_char:end_char]):
            # UC San Diego, Georgia Institute of Technology in a list: one name, not three words.
            found.append(
                _span_phrase(
                    tokens,
                    offsets,
                    typed,
                    lowered,
                    latin,
                    (neighbour(i, -1), neighbour(i, -2), neighbour(end - 1, 1)),
                    forced="employers",
                )
            )
            i = j
            continue
        if (
            words > 2
            and all(tokens[k].isascii() for k in range(i, end))
            and not (lower_case and words <= MAX_ENGLISH_WORDS)
            and tokens[end - 1].strip() not in _TITLE_WORDS
        ):
            # ... but a few lower-case words are one English term (credit risk modeling), and a
            # sentence is cut at its verbs (analyst covering new energy vehicles).
            for chunk in _english_chunks(tokens, typed, offsets, latin):
                if len(chunk) == 1:
                    found.append(_one_token_phrase(tokens, offsets, typed, lowered, chunk[0]))
                else:
                    context = (tokens[chunk[0] - 2] if chunk[0] >= 2 else "", "", "")
                    found.append(_span_phrase(tokens, offsets, typed, lowered, chunk, context))
            i = j
            continue
        if end > i:
            found.append(
                _Phrase(
                    start=start_char,
                    typed=typed[start_char:end_char],
                    norm=lowered[start_char:end_char],
                    tokens=[t for t in tokens[i:end] if t.strip()],
                    spans=[
                        (offsets[k] - start_char, offsets[k] - start_char + len(tokens[k]))
                        for k in range(i, end)
                        if tokens[k].strip()
                    ],
                    before=neighbour(i, -1),
                    before2=neighbour(i, -2),
                    after=neighbour(end - 1, 1),
                    after2=neighbour(end - 1, 2) if neighbour(end - 1, 1) else "",
                )
            )
        i = j
    return _joined_coordinations(found, lowered)


# A word after 的 this frequent in jieba's dictionary is a facet of the term before it.
COMMON_FACET_FREQUENCY = 80
# Conjunctions between two actions on one object (六氟磷酸锂合成与提纯, 召回和排序).
_AND = frozenset("与 和 及 或".split())
_VERB_TAGS = frozenset(["v", "vn"])
# Words of teaching, research, trade, care and genre that end the second of two terms joined by
# 和 are the head both share (力学与电磁学专题教学, 铁矿石和焦炭进口, 都市和玄幻题材): the first
# term alone is cut off from it. (Other heads are the second term's own: 法务和合同审查.)
_SHARED_HEADS = frozenset(
    "教学 研究 进口 出口 题材 治疗 诊疗 防治 防控 课程 培训 专业 方向 护理".split()
)
MAX_SHARING_CHARS = 3
# "and its": what follows belongs to what precedes (机械设计制造及其自动化 is one major).
_AND_ITS = "及其"


def _is_denial(token: str) -> bool:
    """Return whether ``token`` is a negation, maybe glued to its verb (不, 没有, 不写, 没定)."""
    if token in _DENIALS:
        return token != "别"  # noqa: S105 - 别看我年轻: not a denial of what follows
    return (
        2 <= len(token) <= 3
        and token[0] in "不没"
        and (token[1:] in _NEGATED or token[1:2] in "太再")
        and token not in textmod.lexicon()
    )


def _given_up(lowered: str) -> list[str]:
    """Return the work the text names as given up (现在不做外贸了 → 外贸), if specific enough."""
    return [
        m.group(1)
        for m in _QUIT_OBJECT.finditer(lowered)
        if len(m.group(1)) >= 2 and m.group(1) not in _generic()
    ]


def _quit_spans(lowered: str) -> list[tuple[int, int]]:
    """Return the spans of the clauses about a line of work the text says was given up.

    In 以前做了六年Android开发，现在不写代码了 the first clause is what the person did once
    and left: the clauses from one opened by 以前 or 原来 up to the one saying 不…了.
    """
    clauses: list[tuple[int, int]] = []
    start = 0
    for k, char in enumerate(lowered + "。"):
        if char in "，。；,;!！?？\n":
            if k > start:
                clauses.append((start, k))
            start = k + 1
    spans: list[tuple[int, int]] = []
    former: int | None = None
    for a, b in clauses:
        clause = lowered[a:b].strip()
        quit_at = _QUIT.search(lowered, a, b)
        if quit_at and former is not None:
            spans.append((former, a))
            former = None
        elif quit_at and _FORMERLY.match(clause):
            # 以前在工地开塔吊后来不干了: one spoken clause, the former work before 不…了.
            spans.append((a, quit_at.start()))
        elif _FORMERLY.match(clause):
            former = a if former is None else former
        elif _NOWADAYS.match(clause):
            former = None
    return spans


def _joined_coordinations(found: list[_Phrase], lowered: str) -> list[_Phrase]:
    """Join a lone word to the phrase before it when it only says what is done with it.

    In 六氟磷酸锂合成与提纯 the second action has no object of its own: alone, 提纯 is a
    fragment. Both actions must be verbs and the second neither generic nor common. In
    慢性肾病的诊疗 the common word after 的 is a facet of the term: 慢性肾病诊疗, one keyword.
    """
    out: list[_Phrase] = []
    for phrase in found:
        prev = out[-1] if out else None
        if prev is not None and _is_facet_of(prev, phrase, lowered):
            out[-1] = _joined(prev, "", phrase)  # 慢性肾病的诊疗 → 慢性肾病诊疗
            continue
        if (
            prev is not None
            and len(phrase.tokens) == 1
            and phrase.before in _AND
            and lowered[prev.start + len(prev.norm) : phrase.start] == phrase.before
            and len(prev.tokens) >= 2
            and _word_tags().get(prev.tokens[-1], ("", 0))[0] in _VERB_TAGS
            and _word_tags().get(phrase.tokens[0], ("", 0))[0] in _VERB_TAGS
            and phrase.tokens[0] not in _generic()
            and not _is_common_word(phrase.tokens[0])
            and phrase.after2 != "的"
        ):
            out[-1] = _joined(prev, phrase.before, phrase)
            continue
        if prev is not None and _shares_head(prev, phrase, lowered):
            out[-1] = _joined(prev, phrase.before, phrase)
            continue
        out.append(phrase)
    return out


def _shares_head(first: _Phrase, second: _Phrase, lowered: str) -> bool:
    """Return whether ``first`` and ``second``, joined by 和/与/及, share ``second``'s head.

    In 力学与电磁学专题教学 one word comes first, and the second term ends in a word of
    teaching (教学) that both take; in 机械设计制造及其自动化 及其 makes one name of both.
    """
    link = second.before
    if lowered[first.start + len(first.norm) : second.start] != link:
        return False
    if link == _AND_ITS:
        return True
    if link not in _AND - {"或"} or len(first.tokens) != 1:
        return False
    word, head, opener = first.tokens[0], second.tokens[-1], second.tokens[0]
    if len(second.tokens) == 1:
        # 靶向和免疫治疗: the second term is one word, ending in the head both share.
        ends = [h for h in _SHARED_HEADS if head.endswith(h) and len(head) > len(h)]
        if not ends:
            return False
        head = ends[0]
        opener = second.tokens[0][: -len(head)]
    return (
        # A longer first term is one of its own (有限元分析和疲劳寿命评估, 收银系统和…).
        2 <= len(word) <= MAX_SHARING_CHARS
        and _HAN.fullmatch(word[-1]) is not None
        and _HAN.fullmatch(opener[:1]) is not None
        and word not in _generic()
        and not _is_common_word(word)
        and not _is_common_word(opener)
        and _word_tags().get(word, ("", 0))[0] not in _VERB_TAGS
        and head in _SHARED_HEADS
        and word not in _SHARED_HEADS  # 教学和思维品质培养
        and first.before not in _AND | {"、"}
        and not _is_place(word)
        and not _is_employer_name(word)
        and not word.endswith(_ORG_SUFFIXES)
    )


def _joined(first: _Phrase, link: str, second: _Phrase) -> _Phrase:
    """Return one phrase made of ``first``, the word ``link`` (may be '') and ``second``."""
    width = len(first.typed) + len(link)
    return dataclasses.replace(
        first,
        typed=first.typed + link + second.typed,
        norm=first.norm + link + second.norm,
        tokens=[*first.tokens, *([link] if link else []), *second.tokens],
        spans=[
            *first.spans,
            *([(len(first.typed), width)] if link else []),
            *[(a + width, b + width) for a, b in second.spans],
        ],
        after=second.after,
        after2=second.after2,
    )


def _is_facet_of(term: _Phrase, word: _Phrase, lowered: str) -> bool:
    """Return whether ``word``, after ``term`` and 的, is a common facet of it (ECMO的护理).

    A common word alone after 的 (诊疗, 护理, 科普, 生长) says what is done with the term
    before it and nothing by itself; a place, an organisation or a workplace before 的 is no
    such term (工厂里的电机).
    """
    token = word.tokens[0]
    return (
        len(word.tokens) == 1
        and word.before == "的"
        and lowered[term.start + len(term.norm) : word.start] == "的"
        and _HAN.fullmatch(token[:1]) is not None
        and len(token) >= 2
        and token not in _generic()
        # A term of the lexicons is one of its own (疫苗), unless it is an action (诊疗).
        and (token not in textmod.lexicon() or _word_tags().get(token, ("", 0))[0] in _VERB_TAGS)
        and _word_tags().get(token, ("", 0))[1] >= COMMON_FACET_FREQUENCY
        # PCIe和DDR的验证, 抑制剂的合成和构效关系: a facet of a list, or one of a list
        and term.before not in _AND | {"、"}
        and word.after not in _AND | {"、"}
        and token not in _TITLE_WORDS
        and not token.endswith(_TITLE_ENDINGS)
        and term.before not in _AT
        and term.tokens[-1] not in _LOCATIVES
        and not term.tokens[-1].endswith("里")
        and not _is_place(term.norm)
        and not term.norm.endswith(_ORG_SUFFIXES)
        and not _is_employer_name(term.norm)
    )


# Verbs that join the terms of an English sentence (analyst covering new energy vehicles).
_ENGLISH_VERBS = frozenset(
    """
    covering covered working worked doing did leading led managing managed building built
    focusing focused specializing specialising specialized specialised helping helped running
    ran delivered delivering using used serving served supporting supported handling handled
    including included developing developed designing designed making made
    """.split()
)


def _english_chunks(
    tokens: list[str], typed: str, offsets: list[int], latin: list[int]
) -> list[list[int]]:
    """Return the latin tokens of a run of three or more English words, cut into terms.

    The run is cut at verbs (covering, delivered), and after a job title (Equity research
    analyst | new energy vehicles). A piece of two to MAX_ENGLISH_WORDS words with a
    lower-case word in it is one term (new energy vehicles); any other piece is a list of
    names, one word each (Java Spring Cloud).
    """
    pieces: list[list[int]] = [[]]
    for k in latin:
        word = tokens[k].strip().lower()
        if word in _ENGLISH_VERBS:
            pieces.append([])
            continue
        pieces[-1].append(k)
        if word in _TITLE_WORDS:
            pieces.append([])
    out: list[list[int]] = []
    for piece in pieces:
        while piece and tokens[piece[-1]].strip() in _JOINERS:
            piece.pop()
        while piece and tokens[piece[0]].strip() in _JOINERS:
            piece.pop(0)
        names = [
            typed[offsets[k] : offsets[k] + len(tokens[k])]
            for k in piece
            if tokens[k].strip() not in _JOINERS
        ]
        if 2 <= len(names) <= MAX_ENGLISH_WORDS and any(n.islower() for n in names):
            out.append(piece)
        else:
            out.extend([k] for k in piece)
    return out


def _span_phrase(
    tokens: list[str],
    offsets: list[int],
    typed: str,
    lowered: str,
    ks: list[int],
    context: tuple[str, str, str],
    forced: str = "",
) -> _Phrase:
    """Return the phrase from token ``ks[0]`` to ``ks[-1]``; ``context`` is (before, before2,
    after)."""
    a, b = offsets[ks[0]], offsets[ks[-1]] + len(tokens[ks[-1]])
    return _Phrase(
        start=a,
        typed=typed[a:b],
        norm=lowered[a:b],
        tokens=[tokens[k] for k in ks],
        spans=[(offsets[k] - a, offsets[k] - a + len(tokens[k])) for k in ks],
        before=context[0],
        before2=context[1],
        after=context[2],
        forced=forced,
    )


def _one_token_phrase(
    tokens: list[str], offsets: list[int], typed: str, lowered: str, k: int
) -> _Phrase:
    """Return the phrase made of token ``k`` alone."""
    before = tokens[k - 1].strip() if k > 0 else ""
    after = tokens[k + 1].strip() if k + 1 < len(tokens) else ""
    return _span_phrase(tokens, offsets, typed, lowered, [k], (before, "", after))


def _split_glued(tokens: list[str]) -> list[str]:
    """Split a filler verb off an unknown word jieba's HMM glued it to (药企做 → 药企, 做).

    Adjacent latin or digit tokens with nothing between them are joined back into the one word
    the person typed (s, pa, rk → spark).
    """
    freq = textmod.tokenizer().FREQ
    out: list[str] = []
    for token in tokens:
        if out and out[-1] + token in _LABELS:
            out[-1] += token  # 代表 成果, 业余 喜欢: one label
            continue
        if out and out[-1] == "本" and token.startswith("科") and len(token) >= 2:
            out[-1:] = ["本科", token[1:]]  # 本 科学 的化工: 本科, then 学
            continue
        if (
            out
            and len(token) >= 2
            and token[0] in _MEASURE
            and _NUMBER_TOKEN.fullmatch(out[-1])
            and not _COUNT_TOKEN.fullmatch(token)
        ):
            out += [token[0], token[1:]]  # 二十 台车 → 二十 台 车: the count's measure
            continue
        if (
            out
            and len(out[-1]) == 1
            and len(token) == 1
            and out[-1] in _LANGUAGE_CHARS
            and token in _LANGUAGE_CHARS
            and out[-1] != token
        ):
            out[-1] += token  # 从事 中 英 翻译: the language pair 中英 (中 is a stop word)
            continue
        if out and _LATIN_TOKEN.fullmatch(token) and _LATIN_TOKEN.fullmatch(out[-1]):
            out[-1] += token
            continue
        if (
            len(token) == 2
            and token[0] in _ONE_CHAR_VERBS
            and token[0] not in "做搞弄"
            and not freq.get(token)
            and _HAN.match(token[1])
        ):
            out += [token[0], token[1]]  # 会评茶: 会, then 评茶
            continue
        if (
            len(token) == 2
            and token[0] in "厂所院局店司企"
            and token[1] in "管做搞弄干当带"
            and not freq.get(token)
        ):
            out += [token[0], token[1]]  # 碳素 厂管 技术: the 厂 of 碳素厂, then 管
            continue
        if (
            out
            and out[-1] in _GLUED_VERBS | _VERBS_AFTER_A_PAST
            and len(token) >= 2
            and token[0] in "过了"
            and not freq.get(token)
        ):
            out += [token[0], token[1:]]  # 搞 过光 气化: 过, then the term
            continue
        if len(token) == 2 and token[1] in "卖买" and not freq.get(token):
            out += [token[0], token[1]]  # 拼多多 上卖 水果: 上, then 卖
            continue
        if len(token) == 2 and token[0] in "卖买" and not freq.get(token) and _HAN.match(token[1]):
            out += [token[0], token[1]]  # 卖高 铝砖: 卖, then the 高 of 高铝砖
            continue
        if (
            len(token) == 2
            and token[0] in "做搞弄"
            and (token[1] in _TERM_PREFIXES or not freq.get(token))
        ):
            out += [token[0], token[1]]  # 做大语言模型, 做膜生物反应器: 做, then the term
            continue
        if len(token) >= 3 and not freq.get(token):
            if token[-1] in _GLUED_VERBS:
                out += [token[:-1], token[-1]]
                continue
            if token[0] in _GLUED_VERBS:
                out += [token[0], token[1:]]
                continue
            if token[0] in "教练学懂帮" and out and out[-1] in textmod.lexicon() | freq.keys():
                out += [token[0], token[1:]]  # 武馆 教陈式 太极拳: 教, then 陈式太极拳
                continue
            if token[:2] in _BREAKS | _PLAN_CUES and _HAN.fullmatch(token[:2][-1]) is not None:
                out += [token[:2], token[2:]]  # 还会气 相色谱: 还会, then 气相色谱
                continue
        if (
            out
            and len(out[-1]) == 1
            and len(token) == 2
            and token[1] in _AND
            and _HAN.match(out[-1]) is not None
            # A lone character jieba left is the start of a word it did not know (运维).
            and out[-1] not in textmod.stop_words()
            and out[-1] not in _ONE_CHAR_VERBS | _GLUED_VERBS
        ):
            out[-1:] = [out[-1] + token[0], token[1]]  # 运 维和 带电作业: 运维, 和, 带电作业
            continue
        out.append(token)
    return out


def _title_split(norm: str) -> tuple[int, str] | None:
    """Return (length of the prefix before a job title, the title) if ``norm`` ends in one."""
    for size in _TITLE_LENGTHS:  # longest first: 副主任医师 before 医师
        if len(norm) >= size and norm[-size:] in _TITLE_WORDS:
            if norm[-size:].isascii() and _ASCII_WORD.fullmatch(norm[-size - 1 : -size] or "."):
                continue  # an English title is a whole word (webdev, rpm are not dev, pm)
            return len(norm) - size, norm[-size:]
    return None


def _is_place(norm: str) -> bool:
    """Return whether ``norm`` is a place name, maybe with 人/市/省/县/区 (焦作人, 博爱县)."""
    places = _place_names()
    if norm in places:
        return True
    # A place name in jieba's dictionary (云台山, 青龙峡), or a township (岸上乡).
    if _word_tags().get(norm, ("", 0))[0] == "ns" and norm not in textmod.lexicon():
        return True
    if 3 <= len(norm) <= 4 and norm.endswith(("乡", "镇")):
        return True
    for tail in ("人", "市", "省", "县", "区", "那边", "这边", "本地", "本地人", "两地"):
        if norm.endswith(tail) and norm[: -len(tail)] in places:
            return True
    for tail in _PLACE_TAILS:
        if norm.endswith(tail) and len(norm) > len(tail) + 1:
            return True  # 云台山脚下, 黄河边上: where, not what
    # Two places in a row (广东湛江, 焦作博爱), the first maybe mistyped (焦做武陟).
    return any(
        (norm[:k] in places or _mistyped_place(norm[:k])) and norm[k:] in places
        for k in range(2, len(norm) - 1)
    )


def _opens_with_place(norm: str) -> bool:
    """Return whether ``norm`` begins with a province's or a city's name (陕西周至)."""
    places = _place_names()
    return any(norm[:k] in places for k in range(2, min(len(norm), 4) + 1))


def _mistyped_place(word: str) -> bool:
    """Return whether ``word``, unknown to jieba, is a two-character place with one typo (焦做)."""
    if len(word) != 2 or word in _word_tags() or _HAN.match(word) is None:
        return False
    first, second = _two_char_places()
    return word[0] in first or word[1] in second


@lru_cache(maxsize=1)
def _two_char_places() -> tuple[frozenset[str], frozenset[str]]:
    """Return the first and the last characters of the gazetteer's two-character places."""
    names = [n for n in _place_names() if len(n) == 2 and _HAN.match(n)]
    return frozenset(n[0] for n in names), frozenset(n[1] for n in names)


def _is_employer(phrase: _Phrase) -> bool:
    """Return whether ``phrase`` names an organisation (by its ending or by 在/于 before it)."""
    norm = phrase.norm
    if (
        norm.endswith(_ORG_SUFFIXES) and len(norm) > 1 and not norm.endswith(_NOT_ORG_ENDINGS)
    ) or phrase.after in _ORG_WORDS_AFTER:
        return True
    if _DEPARTMENT.search(norm):
        return True
    if _is_employer_name(norm) or _is_provincial_company(norm):
        return True
    if phrase.before == "in" and phrase.typed[:1].isupper() and phrase.typed.isascii():
        return True  # in Singapore, in Shenzhen
    if phrase.before in _ARTICLES and phrase.before2 == "in" and phrase.typed.isascii():
        return True  # in a fab, in a startup
    if phrase.before in _ONE_FIRM and (phrase.before2 in _AT or phrase.after in _EMPLOYED_AS):
        return True  # 在一家煤矿当机电副总, 一家VC做投资经理: the organisation, not the work
    # at a fintech, 在那个义乌: an article or a spoken filler between 在 and the name.
    before = phrase.before2 if phrase.before in _ARTICLES | _FILLERS else phrase.before
    if before == "于" and phrase.before2 in _DEVOTED_TO:
        return False  # 专注于便携式超声设备研发, 致力于…: the work the person gives themself to
    if before in _AT or phrase.before2 + phrase.before in _AT:
        if phrase.after in _AT_NOT_PLACE_AFTER:
            return False
        if phrase.tokens and phrase.tokens[0] in _PROGRESSIVE:
            return False
        tag, freq = _word_tags().get(norm, ("", 0))
        if tag == "n" and freq >= COMMON_NOUN_AFTER_AT:
            return False  # 在水稻和小麦上: a common noun is no organisation's name
        return True
    return False


def _is_provincial_company(norm: str) -> bool:
    """Return whether ``norm`` is a utility's or a carrier's branch in a place (国网河南电力)."""
    for line in _PROVINCIAL_LINES:
        if norm.endswith(line) and len(norm) > len(line):
            head = norm[: -len(line)]
            if any(_is_place(head[k:]) for k in range(max(0, len(head) - 4), len(head) - 1)):
                return True
    return False


def _kind(phrase: _Phrase) -> tuple[str, str]:
    """Return the field a phrase belongs to and the part of it that is expertise (may be '')."""
    norm = phrase.norm
    if phrase.forced:
        return phrase.forced, ""
    english = _is_english_place_or_unit(phrase.typed.strip())
    if english:
        return english, ""  # in Boston, HK, Singapore EDB: where, or the unit there
    if phrase.after == "的" and phrase.after2 in _ORG_WORDS_AFTER | _MEMBERS:
        return "employers", ""  # 一家做光伏的公司
    if norm.endswith(_TEAMS) and len(norm) > 2:
        return "employers", ""  # 研发团队, 技术服务队, 安装队: the unit the person leads
    if phrase.before == "的" and phrase.before2 in _PEOPLE_MEASURES:
        return "counts", ""  # 三十多人的安装班组: what a head count counts
    if (
        _COUNT.search(norm)
        or _NUMBER_TOKEN.fullmatch(norm)  # 上千, 几十
        or _count_run(phrase.tokens) == (0, len(phrase.tokens))
    ):
        return "counts", ""
    if _HONOUR.search(norm):
        return "honours", ""
    if _EDUCATION.search(norm):
        return "education", ""
    if _SCHOOL_SHORT_NAME.search(norm) or _REGION_UNIT.search(norm):
        return "employers", ""  # 华南理工, 化学系; 华北区仓配: a unit of the employer
    title_at = _title_split(norm)
    if any(
        _SCHOOL_SHORT_NAME.fullmatch(norm[:k])
        and _HAN.match(norm[k:])
        # 儿科大夫 is no 儿科大 (a school's short name) and 夫: the title's word overlaps it.
        and (title_at is None or title_at[0] >= k)
        for k in range(max(2, len(norm) - MAX_MAJOR_CHARS), len(norm))
    ):
        return "employers", ""  # 清华化工系, 中国农大作物: the school and the major
    if _is_place(norm) or (phrase.after in _THERE and _opens_with_place(norm)):
        return "places", ""  # 陕西周至那边: a county the gazetteer lacks, after its province
    split = _title_split(norm)
    if (
        split is None
        and phrase.after in _TITLE_WORDS
        and (
            norm.startswith("注册")
            or all(part in _TITLE_PREFIXES_NOT_EXPERTISE for part in _split_known(norm))
        )
    ):
        # 主任 + 工程师, 注册安全 + 工程师: the title word itself ended the phrase (a stop word).
        split = (len(norm), phrase.after)
    if split is None and _is_role_word(phrase):
        return "titles", ""
    last = phrase.tokens[-1] if phrase.tokens else ""
    if split is None and last.endswith(_TITLE_ENDINGS) and _HAN.match(last):
        # Any word ending in 师 or 员 names a person's trade (注册建筑师, 调酒师, 业务员); a
        # 师 jieba cut off is the trade with the word before it (茶艺 师).
        trade = last if len(last) >= 2 else "".join(phrase.tokens[-2:])
        split = (len(norm) - len(trade), trade)
    if split is None and last == "工" and len(phrase.tokens) >= 2:
        trade = "".join(phrase.tokens[-2:])  # 铁路信号 工: a trade
        split = (len(norm) - len(trade), trade)
    elif split is None and len(last) == 3 and last.endswith("工") and last[1:] not in _WORK_WORDS:
        split = (len(norm) - 3, last)  # 电焊工, 信号工, 装配工 (电工 and 化工 are fields)
    if split is not None:
        rest = norm[: split[0]]
        # SaaS产品经理 → SaaS: rank and department words before the title are not expertise.
        rest = _TRAILING_GENERATION.sub("", _strip_rank(rest))
        # 酒店中餐厨师: the organisation before the trade is the employer, not expertise.
        skip = _organisation_prefix(rest)
        rest = rest[skip:]
        if split[1] == "翻译" and _LANGUAGES.fullmatch(rest):
            # 日语翻译, 中英翻译: the language (pair) and 翻译 together are the skill.
            start = norm.find(rest)
            return "titles", phrase.typed[start:].strip()
        # 高级工程师, 研发总监: the prefix is rank or department; 南开大学副教授: the employer.
        if (
            len(rest) < 2
            or rest in _generic()
            or all(part in _generic() for part in textmod.cut(rest))  # 化工工艺 + 工程师
            or rest in _PLATFORMS  # 淘宝店主: where the shop is, not what the person knows
            or all(part in _TITLE_PREFIXES_NOT_EXPERTISE for part in _split_known(rest))
            or rest.endswith(_ORG_SUFFIXES + ("幼儿园", "托育园"))  # 幼儿园 + 园长
            or _SCHOOL_SHORT_NAME.search(rest) is not None  # 清华电子系 + postdoc
            or _is_place(rest)
            or _is_employer_name(rest)
            or _title_split(rest) is not None  # 律师助理: one title before another
            or "注册" in rest  # (国家)注册安全工程师: a registration, not a field
            or rest.endswith(_UNIT_ENDINGS)  # 乡镇兽医站站长: the unit the person heads
            or textmod.cut(rest)[:1] == ["原"]  # 原中原油田 + 地质师: the former employer
        ):
            return "titles", ""
        start = norm.find(rest)
        if _is_english_place_or_unit(phrase.typed[start : start + len(rest)].strip()):
            return "titles", ""  # China desk: the desk of a place, not expertise
        title = split[1]
        if len(title) == 3 and title.endswith("师") and title != "管理师" and _is_common_word(rest):
            # 室内设计师 → 室内设计: a common word alone before X师 is half the field of X
            # (健康管理师 is a certificate's grade, not a field).
            rest = norm[start : split[0]] + title[:2]
            return "titles", phrase.typed[start : start + len(rest)].strip()
        return "titles", phrase.typed[start : start + len(rest)].strip()
    if _is_employer(phrase):
        # 在字节, 在郑州: a place after 在 is a place, anything else the employer.
        return ("places" if _is_place(norm) else "employers"), ""
    if _JOB_LEVEL.fullmatch(phrase.typed.strip()) or (
        (generation := _TRAILING_GENERATION.search(norm)) and generation.start() <= 2
    ):
        return "titles", ""  # P8, T3-2: a grade; 陈式第十二代: a lineage, not a skill
    if len(phrase.tokens) >= 2 and phrase.tokens[0] == "原":
        # 原中原油田, 原焦作市: 原 alone is "former", so what follows is a former employer or
        # place (原位, 原料 and 原子 are words of their own to jieba).
        return ("places" if _is_place(norm[1:]) else "employers"), ""
    return "keywords", phrase.typed


def _is_role_word(phrase: _Phrase) -> bool:
    """Return whether ``phrase`` is one word that only says what kind of worker one is.

    One dictionary word before a title that ended the phrase names the title's specialty, no
    more (射频 + 工程师, 环保 + 工程师, CMC + 负责人), as do generic words alone (化工工艺 +
    工程师); so does one word before 人 (自媒体人) and one after 是个 or 是一名 (就是个电工). A
    longer phrase before a title (焊接工艺 + 工程师) names a method and stays expertise.
    """
    if phrase.after in _TITLE_WORDS and all(t in _generic() for t in phrase.tokens):
        return True  # 化工工艺 + 工程师: generic words only
    if phrase.after == "一枚":
        return True  # 科研狗一枚, 吃货一枚: what the person calls themselves
    if len(phrase.tokens) != 1:
        return False
    acronym = _TECHNOLOGY_NAME.match(phrase.typed)
    if (
        phrase.after in _TRADE_TITLES
        and acronym is not None
        and not acronym.group().islower()
        and acronym.group().lower() not in _TITLE_PREFIXES_NOT_EXPERTISE
        and phrase.norm[acronym.end() :] in {"", *_generic()}
    ):
        return False  # BIM + 工程师, AI算法 + 工程师: a technology, the engineer's field
    if phrase.after in _TITLE_WORDS or phrase.after == "人":
        return True
    return phrase.before in _ONE_OF and phrase.before2.endswith("是")


def _organisation_prefix(norm: str) -> int:
    """Return the length of an organisation's name opening ``norm`` (酒店中餐 → 2), or 0.

    Only when at least two characters are left after it.
    """
    for k in range(len(norm) - 2, 1, -1):
        head = norm[:k]
        if (
            head.endswith(_ORG_SUFFIXES)
            and not head.endswith(_NOT_ORG_ENDINGS)
            and _HAN.match(head) is not None
        ):
            return k
    return 0


def _strip_rank(norm: str) -> str:
    """Return ``norm`` without the rank or department words at its end (saas产品 → saas)."""
    norm = norm.strip()
    if norm.isascii():
        # Senior data scientist → senior data → nothing: English rank words, word by word.
        words = norm.split()
        while words and words[-1] in _TITLE_PREFIXES_NOT_EXPERTISE:
            words.pop()
        while words and words[0] in _TITLE_PREFIXES_NOT_EXPERTISE:
            words.pop(0)
        return " ".join(words)
    changed = True
    while changed and norm:
        changed = False
        for size in (2, 1):
            if len(norm) > size and norm[-size:] in _TITLE_PREFIXES_NOT_EXPERTISE:
                norm = norm[:-size].strip()
                changed = True
                break
    # ... and the rank words at its start (资深投资 → 投资, 常年法律 → 法律; 高中数学 stays).
    while len(norm) > 2 and norm[:2] in _LEADING_RANKS:
        norm = norm[2:]
    return norm


def _split_known(norm: str) -> list[str]:
    """Return ``norm`` cut into the title-prefix words it is made of, or ``[norm]``."""
    return _split_prefix_words(norm) or [norm]


def _split_prefix_words(norm: str) -> list[str] | None:
    """Return ``norm`` as title-prefix words (正高级 → 正, 高级), or ``None`` if it is not."""
    if not norm:
        return []
    for size in (3, 2, 1):
        if norm[:size] in _TITLE_PREFIXES_NOT_EXPERTISE:
            rest = _split_prefix_words(norm[size:])
            if rest is not None:
                return [norm[:size], *rest]
    return None


def _is_expertise(keyword: str) -> bool:
    """Return whether a phrase left as expertise is specific enough to show."""
    norm = keyword.lower()
    limit = MAX_ENGLISH_PHRASE_CHARS if norm.isascii() else MAX_PHRASE_CHARS
    if norm in _generic() or len(norm) > limit or _CONTACT.search(norm):
        return False
    if norm[:1] in "年月日" and norm[1:] in _generic():
        return False  # 年销售额, 月流水: a figure of the business per year or month
    if _PERSONAL_QUALITIES.search(norm):
        return False
    if len(norm) == 1:
        return False
    # A lone latin letter or digit run (a, 3) is not a keyword; PLC and 5G are.
    if norm.isascii():
        if all(word in _generic() for word in norm.split()):
            return False  # nice meet, grew up: English words of small talk only
        return len(norm) >= 2 and any(c.isalpha() for c in norm)
    return True


def _sub(phrase: _Phrase, first: int, last: int) -> _Phrase:
    """Return the part of ``phrase`` made of its tokens ``first`` to ``last - 1``."""
    a, b = phrase.spans[first][0], phrase.spans[last - 1][1]
    return _Phrase(
        start=phrase.start + a,
        typed=phrase.typed[a:b],
        norm=phrase.norm[a:b],
        tokens=phrase.tokens[first:last],
        spans=[(x - a, y - a) for x, y in phrase.spans[first:last]],
        before=phrase.tokens[first - 1] if first > 0 else phrase.before,
        before2=phrase.before,
        after=phrase.tokens[last] if last < len(phrase.tokens) else phrase.after,
        after2=(
            phrase.tokens[last + 1]
            if last + 1 < len(phrase.tokens)
            else phrase.after
            if last + 1 == len(phrase.tokens)
            else phrase.after2
        ),
    )


def _pieces(phrase: _Phrase) -> list[_Phrase]:
    """Split a phrase at an organisation inside it (宣武医院神经内科 → 宣武医院, 神经内科)."""
    known = _employer_prefix(phrase.norm)
    if phrase.norm[:known] in _EMPLOYERS_ALSO_WORDS:
        known = 0  # 小米深加工 is millet, not Xiaomi
    if phrase.norm[:known] in _PLATFORMS and known < len(phrase.norm):
        known = 0  # 小红书种草: a platform is where the work is done, not the employer
    if known and phrase.norm[known:] in _COMPANY_NAME_TAILS:
        # 宇通客车, 中航复材: the line of business that ends a company's name.
        return [dataclasses.replace(phrase, forced="employers")]
    if 0 < known < len(phrase.norm):
        # 基恩士PLC: a well-known employer, then what the person does with its products.
        for k, (_, end) in enumerate(phrase.spans[:-1]):
            if end == known:
                if k + 2 < len(phrase.tokens) and phrase.tokens[k + 1] in _BRAND_LINES | (
                    _COMPANY_NAME_TAILS
                ):
                    # 恒力石化PTA工艺: the line of business ends the company's name.
                    return [
                        dataclasses.replace(_sub(phrase, 0, k + 2), forced="employers"),
                        *_pieces(_after_organisation(phrase, k + 2)),
                    ]
                return [_sub(phrase, 0, k + 1), *_pieces(_after_organisation(phrase, k + 1))]
    if (
        len(phrase.tokens) > 2
        and phrase.tokens[1] in _BRAND_LINES
        and 2 <= len(phrase.tokens[0]) <= 4
        and _HAN.match(phrase.tokens[0])
        and _is_brand(phrase.tokens[0])
    ):
        # 万华化学MDI装置工艺: a brand and its line of business, then the work.
        return [
            dataclasses.replace(_sub(phrase, 0, 2), forced="employers"),
            *_pieces(_sub(phrase, 2, len(phrase.tokens))),
        ]
    run = _count_run(phrase.tokens)
    if run is not None and run != (0, len(phrase.tokens)):
        # 三百多亩小麦, 五年审计: the count apart, what it counts or precedes read on its own.
        first, last = run
        if last == len(phrase.tokens) and first > 0 and phrase.norm.endswith(_DURATION_MEASURES):
            # 养蜂二十年: the activity, then how long.
            return [*_pieces(_sub(phrase, 0, first)), _sub(phrase, first, last)]
        if last == len(phrase.tokens):
            # 大棚二十个, 粉丝十几万, 执业十五年: what is counted is a possession, not a skill.
            kind = "honours" if _HONOUR.search(phrase.norm) else "counts"  # 获省部级奖励3项
            return [dataclasses.replace(phrase, forced=kind)]
        parts = [_sub(phrase, first, last)]
        if first > 0:
            parts = [*_pieces(_sub(phrase, 0, first)), *parts]
        if last < len(phrase.tokens):
            rest = _sub(phrase, last, len(phrase.tokens))
            if phrase.tokens[last - 1].endswith(_POSSESSION_MEASURES) and not rest.norm.endswith(
                _COUNTED_WORK
            ):
                # 二十多台注塑机, 三家胡辣汤店, 两个小游戏: what the person owns or made.
                rest = dataclasses.replace(rest, forced="counts")
                parts.append(rest)
            elif phrase.tokens[last - 1].endswith(_VENUE_MEASURES):
                rest = dataclasses.replace(rest, forced="honours")
                parts.append(rest)
            else:
                parts += _pieces(rest)
        return parts
    norm_so_far = ""
    for k, token in enumerate(phrase.tokens[:-1]):
        norm_so_far += token
        if (
            norm_so_far.endswith(_ORG_SUFFIXES)
            and (len(norm_so_far) >= 3 or norm_so_far in _EMPLOYER_KINDS)  # 药企 | QA经理
            and not norm_so_far.endswith(_NOT_ORG_ENDINGS)
            # 危化品企业安全管理, 物流园区运营管理: one field
            and not norm_so_far.endswith(("企业", "园区"))
        ):
            return [_sub(phrase, 0, k + 1), *_pieces(_after_organisation(phrase, k + 1))]
    return [phrase]


def _is_brand(word: str) -> bool:
    """Return whether ``word`` is a brand's name: jieba's proper noun, or unknown to both."""
    tag = _word_tags().get(word, ("", 0))[0]
    return tag in _BRAND_TAGS or (not tag and word not in textmod.lexicon())


def _after_organisation(phrase: _Phrase, first: int) -> _Phrase:
    """Return the tokens of ``phrase`` from ``first`` on, which follow an organisation's name.

    A department of that organisation (中原证券投行部) is the employer too.
    """
    rest = _sub(phrase, first, len(phrase.tokens))
    if rest.norm.endswith(_DEPARTMENT_SUFFIXES):
        return dataclasses.replace(rest, forced="employers")
    if rest.after == "专业" and phrase.norm[: len(phrase.norm) - len(rest.norm)].endswith(_SCHOOLS):
        return dataclasses.replace(rest, forced="education")  # 南京大学环境科学专业: the major
    return rest


def _count_run(tokens: list[str]) -> tuple[int, int] | None:
    """Return the first run of tokens that is a count (三百多 亩, 五年), as (first, last + 1)."""
    for k, token in enumerate(tokens):
        if _COUNT_TOKEN.fullmatch(token):
            end = k + 1
        elif (
            _NUMBER_TOKEN.fullmatch(token)
            and k + 1 < len(tokens)
            and _MEASURE_TOKEN.fullmatch(tokens[k + 1])
        ):
            end = k + 2
        else:
            continue
        while end < len(tokens) and _MEASURE_TOKEN.fullmatch(tokens[end]):
            end += 1
        return k, end
    return None


def _trimmed(phrase: _Phrase) -> _Phrase | None:
    """Return ``phrase`` without chatter at its ends (写Rust → Rust); ``None`` if all chatter."""
    first, last = 0, len(phrase.tokens)
    while first < last and _is_chatter(phrase.tokens[first], leading=True):
        first += 1
    while last > first and _is_chatter(phrase.tokens[last - 1]):
        last -= 1
    if first == last:
        return None
    if (
        first > 0
        and last - first == 1
        and phrase.tokens[first] in _generic()
        and phrase.tokens[first - 1] not in _CARE_VERBS
        and phrase.tokens[first - 1][:1] * 2 != phrase.tokens[first - 1]  # 写写材料
    ):
        first = 0  # 推荐系统, 控制系统: a verb before a generic noun makes a term
    elif (
        first > 0
        and phrase.tokens[first - 1] + phrase.tokens[first] in textmod.lexicon()
        and phrase.tokens[first - 1] not in _CARE_VERBS
    ):
        first -= 1  # 推荐系统召回: the verb opens a term of the lexicon
    part = _sub(phrase, first, last) if (first, last) != (0, len(phrase.tokens)) else phrase
    if len(part.tokens) == 1 and _is_common_word(part.tokens[0]):
        return None
    if part is not phrase and (
        _is_place(part.norm) or part.norm.endswith(_ORG_SUFFIXES) or _is_employer_name(part.norm)
    ):
        return None  # 跑钢厂客户 → 钢厂: what is left is a customer's or a place's name
    return part


def _is_scene(phrase: _Phrase) -> bool:
    """Return whether ``phrase`` says where or for whom the work is done (工厂里, 汽配厂用的)."""
    last = phrase.tokens[-1] if phrase.tokens else ""
    if last in _LOCATIVES or (len(last) == 2 and last.endswith("里") and last not in _DISTANCES):
        return True  # 工厂里, 车间内, 店里: a place of work (公里 is a distance)
    if phrase.after in _PLATFORM_LOCATIVES and phrase.norm in _PLATFORMS:
        return True  # 拼多多上卖水果: where the person sells
    if phrase.before in _FOR and phrase.after == "用":
        return True  # 给小区业主用的: the customer
    # 中小型汽配厂用的 (MES): the customer who uses it (jieba glues 厂用, a word it does not know).
    if len(last) == 2 and last.endswith("用") and last not in _word_tags():
        return True  # 厂用: a glue of jieba's HMM (应用, 民用 are words)
    if (
        phrase.after == "用"
        and len(phrase.tokens) == 1
        and _HAN.fullmatch(phrase.norm[-1:])
        and phrase.after2
        and phrase.after2 not in _stop()
    ):
        return True  # 钢包用 (镁碳砖): what the product is for, not the person's work
    return last == "用" and phrase.after == "的"


def _starts_with_place(phrase: _Phrase) -> bool:
    """Return whether the first token(s) of a longer phrase name a place (焦作龙源湖公园改造).

    A place and one more word is a local product or subject, not a place (信阳毛尖, 焦作地方史).
    """
    places = _place_names()
    norm = phrase.norm
    if len(phrase.tokens) == 1:
        return False  # one dictionary word: a product (信阳毛尖), not a place's project
    for k in range(2, min(len(norm) - 1, 5)):
        if norm[:k] in places:
            rest = norm[k:]
            return not (
                rest in phrase.tokens and rest not in _generic() and not _is_common_word(rest)
            )
    return False


def extract_profile(
    text: str, top_k: int = 10, *, learned_filter: bool = True
) -> ProfileExtraction:
    """Return the expertise keywords of a self-description and its other facts, sorted apart.

    ``keywords`` holds at most ``top_k`` phrases, in the order the person wrote them; nested
    phrases (六氟磷酸锂 inside 六氟磷酸锂合成) are shown once, as the longer one. A pastime's
    terms are shown only when the text names no other expertise (银行柜员，业余练太极拳二十年):
    then the pastime is what the person has to offer. With ``learned_filter`` the keywords the
    rules propose pass ``matching.candidate_filter`` (when its model file is present) before the
    first ``top_k`` are taken.
    """
    if not isinstance(text, str) or not text.strip() or top_k <= 0:
        return ProfileExtraction()
    found = _rule_profile(text)
    keywords = found.keywords
    if learned_filter and keywords:
        from matching.candidate_filter import load_filter

        model = load_filter()
        if model is not None:
            keywords = model.keep(text, keywords, word_tag)
    return dataclasses.replace(found, keywords=keywords[:top_k])


def propose_keywords(text: str) -> list[str]:
    """Return every expertise keyword the rules propose for ``text``, before the learned filter."""
    if not isinstance(text, str) or not text.strip():
        return []
    return _rule_profile(text).keywords


def _rule_profile(text: str) -> ProfileExtraction:
    """Return what the rules find in ``text``: every keyword they propose and the other fields."""
    found = _extract_profile(text, _ALL, keep_pastimes=False)
    if found.keywords:
        return found
    with_pastimes = _extract_profile(text, _ALL, keep_pastimes=True)
    return dataclasses.replace(found, keywords=with_pastimes.keywords)


# No cap: the rules' keywords are all proposed, and the learned filter runs before ``top_k``.
_ALL = 1_000_000


def _extract_profile(text: str, top_k: int, *, keep_pastimes: bool) -> ProfileExtraction:
    """Return what ``extract_profile`` returns, with or without the terms of pastimes."""
    fields: dict[str, list[str]] = {
        name: [] for name in ("employers", "places", "titles", "honours", "counts", "education")
    }
    keywords: list[str] = []
    # The field of the phrase before and where it ended: an abbreviation in brackets right
    # after a title is the title's (质量工程师（SQE）).
    previous, previous_end = "", -1
    cased = _typed_form(text)
    typed = cased.lower()
    for whole in _phrases(text, keep_pastimes):
        for phrase in _pieces(whole):
            kind, expertise = _kind(phrase)
            if (
                kind == "keywords"
                and previous == "titles"
                and phrase.before == "("
                and phrase.after == ")"
                and typed[previous_end : phrase.start].rstrip("(").strip() in _TITLE_WORDS | {""}
            ):
                kind, expertise = "titles", ""
            elif (
                kind == "keywords"
                and phrase.before == "《"
                and typed[: max(phrase.start - 1, 0)].rstrip("了").endswith(tuple(_WORKS))
            ):
                kind, expertise = "honours", ""  # 代表作《太行》: a work's title
            elif (
                kind == "keywords"
                and previous == "employers"
                and phrase.before in {"for", "of"}
                and phrase.typed.isascii()
                and phrase.typed[:1].isupper()
                and typed[previous_end : phrase.start].strip() == phrase.before
            ):
                kind, expertise = "employers", ""  # Max Planck Institute for Polymer Research
            if (
                kind == "employers"
                and phrase.after == "的"
                and phrase.after2 in _ORG_WORDS_AFTER
                and _FOUNDED.search(typed[: phrase.start].replace(" ", ""))
            ):
                kind, expertise = "keywords", ""  # 创办一家做X的公司: the founder's own line
            elif kind == "employers" and (line := _line_set_up(phrase, typed)):
                expertise = line  # 开了个注塑厂: the works' line is the founder's trade
            previous, previous_end = kind, phrase.start + len(phrase.typed)
            if kind != "keywords":
                if phrase.typed not in fields[kind]:
                    fields[kind].append(phrase.typed)
                if not expertise:
                    continue
                phrase = _head(phrase, len(expertise), phrase.typed.find(expertise))
            if (
                phrase.before in _NAME_CUES
                or (phrase.before in _FAMILY and phrase.after == "是")  # 我家大黄是条狗
                or _HONORIFIC_NAME.match(phrase.norm)
                or _OWN_NAME.match(phrase.norm)
                or _is_signature(phrase, typed)
            ):
                continue  # 我叫张伟, 王工: a person's name
            if len(phrase.tokens) == 1 and phrase.after == "过" and phrase.after2:
                continue  # 代理过 (…案), 参与过: what the person once did, the verb alone
            if phrase.before in _TRADE_VERBS and phrase.before2 in _DENIALS:
                continue  # 不做诉讼: work the person says they do not do
            if _starts_with_place(phrase):
                continue  # a place's own project, site or employer, not a field of work
            if phrase.tokens[0] in _MODIFIER_OPENERS or _is_vague(phrase.norm):
                continue  # 面向边缘计算 (的…): a fragment; 写写材料, 抓东西: vague
            if _is_scene(phrase):
                continue  # 工厂里, 中小型汽配厂用的: where or for whom, not what
            part = _trimmed(phrase)
            if part is not None and _is_small_talk(part, typed):
                continue  # 挺有缘, 寒假, 他爸, 能回焦作, 找我搭把手: chat around the expertise
            if part is not None and _is_told_event(part):
                continue  # 选育了, 后来跳槽了: an event of the person's life, not a field
            if kind == "keywords" and _is_trade(phrase):
                keywords.append(phrase.typed)  # 做会计的, 干化工的: the trade, however common
                continue
            if kind == "keywords" and part is not None and part.norm.endswith(_SECTORS):
                continue  # 光伏行业, 硬科技赛道: the industry, a field of the profile of its own
            if part is not None and _is_expertise(part.typed):
                keywords.append(part.typed)
    given_up = _given_up(typed)
    keywords = [k for k in keywords if not any(g in k.lower() for g in given_up)]
    keywords = _with_acronyms(_unnest(keywords), cased)
    return ProfileExtraction(keywords=keywords[:top_k], **fields)


# An abbreviation in brackets (线控制动（EHB）, 甲醇制烯烃(MTO)): letters, digits, - + / and spaces.
_BRACKETED_ACRONYM = re.compile(r"\(([A-Za-z][A-Za-z0-9+/\- ]{0,15})\)")


def _with_acronyms(keywords: list[str], typed: str) -> list[str]:
    """Return ``keywords`` with each term and the abbreviation bracketed after it made one.

    线控制动 and EHB of 线控制动（EHB） become 线控制动(EHB): the term whole, the abbreviation
    in the case typed, and neither shown twice. ``typed`` is the text in ``_typed_form``.
    """
    lowered = {k.lower() for k in keywords}
    low = _lowered_in_place(typed)
    out: list[str] = []
    merged: set[str] = set()
    for keyword in keywords:
        at = low.find(keyword.lower())
        match = _BRACKETED_ACRONYM.match(typed, at + len(keyword)) if at >= 0 else None
        if match is not None and match.group(1).strip().lower() in lowered:
            out.append(keyword + match.group())
            merged.add(match.group(1).strip().lower())
        else:
            out.append(keyword)
    return [k for k in out if k.lower() not in merged]


def _line_set_up(phrase: _Phrase, typed: str) -> str:
    """Return the line of a works or company the person set up (开了个注塑厂 → 注塑), or ''."""
    if not _SET_UP.search(typed[: phrase.start].replace(" ", "")):
        return ""
    for kind in ("", *_SET_UP_KINDS):
        if (not kind and phrase.after in _SET_UP_KINDS) or (kind and phrase.norm.endswith(kind)):
            # 干了个装修公司: the company's word ended the phrase; a common trade is a trade.
            line = phrase.typed[: len(phrase.typed) - len(kind)].strip()
            norm = line.lower()
            if (
                len(norm) >= 2
                and norm not in _generic()
                and norm not in _NOT_TRADES
                and norm not in _VAGUE_LINES
                and not _is_place(norm)
                and not norm.endswith(_ORG_SUFFIXES)
                and not _opens_with_place(norm)
            ):
                return line
            return ""
    return ""


def _is_trade(phrase: _Phrase) -> bool:
    """Return whether ``phrase`` is one word between 做/干/搞 and a closing 的 (做会计的)."""
    return (
        len(phrase.tokens) == 1
        and len(phrase.norm) >= 2
        and _HAN.match(phrase.norm) is not None
        and phrase.before in _TRADE_VERBS
        and phrase.before2 not in _DENIALS
        and phrase.after == "的"
        and (phrase.after2 in _CLAUSE_ENDS or phrase.after2 in ("", "吧", "啊", "呢", "嘛", "嗯"))
        and phrase.norm not in _NOT_TRADES
    )


def _is_small_talk(phrase: _Phrase, typed: str) -> bool:
    """Return whether ``phrase`` is chat around the expertise, not a field (挺有缘, 他爸)."""
    norm, tokens = phrase.norm, phrase.tokens
    if _SMALL_TALK.search(norm):
        return True
    degree = phrase.before in _DEGREE_WORDS or (
        phrase.before == "有" and phrase.before2 in _DEGREE_WORDS
    )
    if degree and len(tokens) <= 2:
        return True  # 很乐意, 挺有实力, 更舒服, 挺适合出海: how, not what
    if phrase.after in _TIME_AFTER and len(tokens) == 1:
        return True  # 读书那会儿: a time of life
    if norm in _EVERYDAY_VERBS:
        return True  # 在培训机构上课: the working day, not the subject
    if norm.endswith("兼") and norm[:-1] in _TITLE_WORDS:
        return True  # 创始人兼CEO
    if phrase.after in _THERE and phrase.before in _WITH:
        return True  # 跟CAE那边对仿真: the people the person works with
    if tokens[0] in _SEEING_OPENERS or tokens[-1] in _COMPLEMENTS or phrase.after in _COMPLEMENTS:
        return True  # 看到焦作, 车开起来, 搭上边
    if any(token in _QUESTION_WORDS for token in tokens):
        return True  # 亲戚问山药为啥越种越: a question told in passing
    if phrase.before in ("啥", "什么") and phrase.before2 in ("有", "没"):
        return True  # 有啥疑问, 有啥数字化转型的事儿: whatever the reader has
    if phrase.before in _COACHING and tokens[0] in ("学生", "孩子"):
        return True  # 带学生考教资: the students' exams, not the person's field
    if len(tokens) >= 2 and tokens[-1] in _PREDICATE_ADJECTIVES:
        return True  # 村里年轻人少: a statement, not a term
    if tokens[-1] == "转" or (_NUMBER_TOKEN.fullmatch(phrase.before) and tokens[0] in _COUNTERS):
        return True  # CRA转的PM: a career move; 2次并购项目: a count
    if _HOMETOWN_NEEDS.search(typed[_clause_start(phrase, typed) : phrase.start]):
        return True  # 老家企业有合同方面的问题: the hometown's needs, offered help with
    if phrase.before in ("我", "俺") and phrase.before2 in _OFFER_VERBS:
        return True  # 可以找我搭把手, 拉我进群聊: the offer, not the field
    if tokens[-1] in ("聊", "群聊"):
        return True  # 免费聊
    if tokens[0] in _PLAIN and (
        len(tokens) == 1
        or _title_split(tokens[-1]) is not None
        or tokens[-1].endswith((*_TITLE_ENDINGS, "匠", "工"))
    ):
        return True  # 普通的外科医生, 一个普通的木匠: a word about the person, not the field
    if (
        len(norm) == 2
        and norm[0] in _VERBS_WITH_ENDINGS
        and norm[1] in "完给过"
        and norm not in textmod.lexicon()
        and _word_tags().get(norm, ("v", 0))[0] == "v"  # unknown to jieba (开过) counts too
    ):
        return True  # 读完, 还给, 开过: a verb and its ending
    end = phrase.start + len(phrase.typed)
    if phrase.before in _FOR_CLIENT and _FOR_CLIENT_WORK.match(typed[end:]):
        return True  # 给3C和锂电行业做外观检测: whom the work is for
    if _CLIENT_TAIL.match(typed[end:]):
        return True  # 服务农夫山泉、蜜雪冰城等客户: the clients' names
    if (
        _CLIENT_CUE.search(typed[_clause_start(phrase, typed) : phrase.start])
        or tokens[0] == "对接"
    ):
        return True  # 客户多是新能源车和储能: the clients' lines
    return False


# What may stand before a name that opens a self-description (本人张伟，…; 我是李静，…).
_NAME_OPENERS = re.compile(r"^(?:大家好|您好|你好|各位好)?[，,！!\s]*(?:本人|我是|我叫|我)?$")
# A name in jieba's dictionary this rare is a person's, not a herb's (何首乌 26; 马向东 8).
MAX_NAME_FREQUENCY = 10


def _is_signature(phrase: _Phrase, typed: str) -> bool:
    """Return whether ``phrase`` is the person's own name opening the text (王芳，主任医师…).

    Two or three characters, a common surname first, unknown to jieba's dictionary or a rare
    name in it, and nothing but a greeting or 本人/我是 before it. jieba may cut the surname off
    (高 + 建军): then the whole is judged.
    """
    norm = phrase.norm
    split_surname = len(phrase.tokens) == 2 and len(phrase.tokens[0]) == 1
    if (len(phrase.tokens) != 1 and not split_surname) or not 2 <= len(norm) <= 3:
        return False
    if norm[0] not in _SURNAMES:
        return False
    if not _NAME_OPENERS.match(typed[: phrase.start]):
        return False
    tag, freq = word_tag(norm)
    if norm in textmod.lexicon():
        return False
    return (tag == "" and freq == 0) or (tag == "nr" and freq <= MAX_NAME_FREQUENCY)


def _clause_start(phrase: _Phrase, typed: str) -> int:
    """Return where the clause holding ``phrase`` starts in ``typed``."""
    return max(typed.rfind(c, 0, phrase.start) for c in _CLAUSE_ENDS) + 1


def _is_told_event(phrase: _Phrase) -> bool:
    """Return whether ``phrase`` is one verb followed by 了 or 过: something that happened."""
    return (
        len(phrase.tokens) == 1
        and phrase.after in _PAST_MARKS
        and _word_tags().get(phrase.tokens[0], ("", 0))[0] == "v"
        and phrase.tokens[0] not in textmod.lexicon()
    )


def _is_activity(token: str) -> bool:
    """Return whether ``token`` is a verb or filler that opens an activity (玩, 做做, 喜欢)."""
    if token in _stop() or token[:1] * 2 == token[:2]:
        return True
    return _word_tags().get(token, ("", 0))[0].startswith("v")


def _is_vague(norm: str) -> bool:
    """Return whether ``norm`` is vague chatter or a nickname (写写材料, 快又准, 毛小焦)."""
    if _VAGUE.search(norm):
        return True
    return (
        len(norm) == 3
        and norm[0] in _NICKNAME_FIRSTS
        and norm[1] in "小大"
        and _HAN.match(norm[2]) is not None
        and norm not in _word_tags()
        and norm not in textmod.lexicon()
    )


def _head(phrase: _Phrase, chars: int, first: int = 0) -> _Phrase:
    """Return ``chars`` characters of ``phrase`` from ``first``, cutting tokens if need be.

    jieba often glues a title to the word before it (辩护律师): 刑事辩护律师 → 刑事辩护; an
    employer may open it (酒店中餐厨师 → 中餐, from 2).
    """
    first = max(first, 0)
    end = first + chars
    tokens, spans = [], []
    for token, (a, b) in zip(phrase.tokens, phrase.spans, strict=True):
        if a >= end:
            break
        if b <= first:
            continue
        tokens.append(token[max(first - a, 0) : end - a])
        spans.append((max(a, first) - first, min(b, end) - first))
    return dataclasses.replace(
        phrase,
        start=phrase.start + first,
        typed=phrase.typed[first:end],
        norm=phrase.norm[first:end],
        tokens=tokens,
        spans=spans,
        before=phrase.norm[:first] or phrase.before,
        after=phrase.norm[end:] or phrase.after,
    )


def _unnest(keywords: list[str]) -> list[str]:
    """Keep each keyword once, dropping any that is part of a longer one (case-insensitive)."""
    lowered = [k.lower() for k in keywords]
    kept: list[str] = []
    seen: set[str] = set()
    for keyword, low in zip(keywords, lowered, strict=True):
        if low in seen:
            continue
        if any(low != other and low in other for other in lowered):
            continue
        seen.add(low)
        kept.append(keyword)
    return kept


def extract_expertise(text: str, top_k: int = 10, *, learned_filter: bool = True) -> list[str]:
    """Return up to ``top_k`` expertise keywords of a self-description or need, as typed."""
    return extract_profile(text, top_k, learned_filter=learned_filter).keywords
