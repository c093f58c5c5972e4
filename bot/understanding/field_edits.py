"""Read a change of one profile item said in a sentence ("我换工作了，现在在华为" → employer)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.understanding.cities import normalise_city
from bot.understanding.phones import find_phone
from bot.understanding.text import clauses, normalise_utterance, unquote

# Profile items a person can change, with the words that name them, most specific first.
FIELD_CUES: dict[str, tuple[str, ...]] = {
    "phone": ("手机号码", "手机号", "电话号码", "联系电话", "手机", "电话", "号码"),
    "email": ("电子邮箱", "邮箱地址", "邮箱", "邮件地址", "email", "e-mail", "mail"),
    "keywords": ("关键词", "关键字"),
    "wishes": ("合作意向", "意向"),
    "city": ("工作城市", "工作地点", "工作地", "所在城市", "现居城市", "城市", "所在地"),
    "origin": ("籍贯", "老家", "家乡", "祖籍", "原籍", "出生地"),
    "education": ("最高学历", "学历", "学位"),
    "title": ("职称", "职务", "职位", "头衔"),
    "employer": ("工作单位", "单位", "公司名", "公司", "工作"),
    "expertise": (
        "研究方向", "研究领域", "专业领域", "专业方向", "专业", "专长", "研究", "方向", "领域",
        "擅长",
    ),
    "name": ("姓名", "名字", "称呼"),
}  # fmt: skip
# Phrases that both name the item and say it changed: 搬到杭州, 跳槽到宁德时代, 评上正高.
_VALUE = r"(?P<value>[^，,。]+?)"
_END = r"(?:了|啦|工作|上班|去了|方向|方面)*$"


def _verb(verbs: str) -> re.Pattern[str]:
    """Return a pattern: one of the space-separated ``verbs``, then the value to the clause end."""
    return re.compile("(?:" + "|".join(verbs.split()) + ")" + _VALUE + _END)


VERB_CUES: tuple[tuple[re.Pattern[str], str], ...] = (
    (_verb("搬到 搬去 调到 调去 去了 定居 落户到 落户 转到 回到 回"), "city"),
    (_verb("跳槽到 跳槽 入职 加入了 换到 去了 转到"), "employer"),
    (_verb("评上了 评上 评为 被评为 晋升为 晋升 升为 升到 升任 当上了 当上 升了 评了 升"), "title"),
    (_verb("主要做 主要搞 主要研究 现在做 现在搞 转做 转行做 改做"), "expertise"),
    (re.compile(r"(?P<value>博士|硕士|研究生|本科|大专|专科)(?:毕业|读完|拿到)"), "education"),
)
# Words that say an item changed or was wrong; without one, an idle message naming an item is
# not an edit ("我是温县一家机械公司的").
CHANGE_SIGNALS = (
    "改", "换", "更新", "更正", "修正", "写错", "错了", "不对", "有误", "应该是", "应为", "不是",
    "变了", "变成", "搬", "跳槽", "入职", "评上", "晋升", "升", "毕业了", "新的", "现在", "写：",
    "写:", "少打", "多打", "打错", "填错",
)  # fmt: skip
# Markers between an item and its new value ("城市改成上海", "名字写错了，是张伟").
_STRONG_MARKERS = re.compile(
    "(?:"
    + "|".join(
        "改成 改为 换成 换为 更新为 更新成 更正为 修改为 修改成 应该是 应为 应是 写成 评上了 评上 "
        "评为 晋升为 升为 升到 变成 现在在 现在是 目前在".split()
    )
    + ")"
)
# Weaker markers: the first one after the item's name ("单位是为民科技": 是, not the 为 in 为民).
_WEAK_MARKERS = re.compile(
    "(?:"
    + "|".join(
        "改一下 换了 变了 写错了 错了 不对 有误 填错了 打错了 少打了一位 多打了一位 "
        "是 为 写 : ：".split()
    )
    + ")"
)
# Correction markers that start a clause of their own ("…写错了，应该是X") lead in too.
_LEADING_NOISE = re.compile(
    r"^(?:应该是|应该叫|应该为|应该在|应是|应为|其实是|正确的是|改成|改为|"
    r"现在|目前|已经|新的|我的|我|是|在|到|叫|的|一下|了)+"
)
_TRAILING_NOISE = re.compile(r"(?:了|啦|吧|呢|啊|呀|哈|的|一下|就行|谢谢)+$")
_NOT_TAIL = re.compile(r"(?:[，,]?\s*(?:不是|而不是|并非).*)$")
EDUCATION_LEVELS = {"博士": "博士", "硕士": "硕士", "研究生": "硕士", "本科": "本科"}
EDUCATION_LEVELS |= {"学士": "本科", "大专": "大专", "专科": "大专", "高职": "大专"}
# Short forms of professional titles and what the profile stores.
TITLE_FORMS = {
    "正高": "正高级",
    "正高职称": "正高级",
    "副高": "副高级",
    "副高职称": "副高级",
    "中级职称": "中级",
    "初级职称": "初级",
}
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}")


LIKELY = 0.75


@dataclass(frozen=True)
class FieldEdit:
    """A new value for one profile item; ``value`` is "" when only the item was named."""

    field: str
    value: str
    confidence: float
    suggested: bool = False  # the value is a correction to confirm (深证 → 深圳)


_CLAUSE_END = re.compile(r"[，,。；;！!？?\n]")
# Words that contain a cue but do not name that item (研究生 is a degree, not 研究 = expertise).
_NOT_CUES = ("研究生", "研究所", "研究院", "研究员")


def named_field(text: str) -> tuple[str, int] | None:
    """Return the profile item a text names and where its name ends, or None.

    The first item named in a clause that says something changed wins ("名字对的，单位错了"
    → 单位); without such a clause, the first item named.
    """
    masked = text
    for word in _NOT_CUES:
        masked = masked.replace(word, "#" * len(word))
    found: list[tuple[int, int, str]] = []
    for field, cues in FIELD_CUES.items():
        for cue in cues:
            position = masked.find(cue)
            while position >= 0:
                found.append((position, -len(cue), field))
                position = masked.find(cue, position + len(cue))
    if not found:
        return None
    found.sort()
    for position, minus_length, field in found:
        clause_end = _CLAUSE_END.search(masked, position)
        clause = masked[position : clause_end.start() if clause_end else len(masked)]
        if any(signal in clause for signal in CHANGE_SIGNALS):
            return field, position - minus_length
    position, minus_length, field = found[0]
    return field, position - minus_length


def recognise_field_edit(text: str, *, need_signal: bool = True) -> FieldEdit | None:
    """Return the profile edit a message asks for, or None.

    ``need_signal`` (idle messages): the message must also say something changed (改, 换, 写错,
    现在 ...). At the summary a named item and a value are enough ("籍贯是焦作修武").
    """
    plain = normalise_utterance(text)
    if not plain:
        return None
    # Cues are found in the lower-cased text, values read from the text as typed (ABB, PLC).
    cased = normalise_utterance(text, lower=False)
    if len(cased) != len(plain):
        cased = plain
    verb_edit = _verb_edit(cased)
    named = named_field(plain)
    if named is None:
        return verb_edit
    field, cue_end = named
    if need_signal and not any(signal in plain for signal in CHANGE_SIGNALS):
        return verb_edit
    if verb_edit is not None and verb_edit.field != field and field == "employer":
        return verb_edit  # "换工作了，搬到杭州": the verb says more than the word 工作
    if verb_edit is not None and verb_edit.field == field:
        return verb_edit  # "主要做氢能了，专业方向改一下": the verb holds the value
    value = _value_for(field, text, cased, cue_end)
    return _finish(field, value, 0.9 if value else 0.7)


# Places one "joins" that are not employers.
_NOT_EMPLOYERS = re.compile(r"库|怀才|你们|公众号|活动|群")
# "我现在是教授了": a title when the words end like one.
_NOW_IS = re.compile(r"(?:现在|已经|如今)(?:是|成了|当上了?)" + _VALUE + r"(?:了|啦)+$")
_TITLE_WORDS = "教授 研究员 工程师 博导 硕导 主任 总监 院长 所长 正高级 副高级 正高 副高"
_TITLE_ENDINGS = re.compile("(?:" + "|".join(_TITLE_WORDS.split()) + ")$")
# "现在在腾讯上班" / "现在在深圳工作": a city or an employer, by the gazetteer.
_NOW_AT = re.compile(r"(?:现在|目前|已经|如今)(?:在|到)" + _VALUE + r"(?:上班|工作|任职|就职|了)+$")


def _verb_edit(plain: str) -> FieldEdit | None:
    for part in reversed(clauses(plain)):
        now_is = _NOW_IS.search(part)
        if now_is and _TITLE_ENDINGS.search(now_is.group("value")):
            return _finish("title", _clean_value(now_is.group("value")), LIKELY)
        now_at = _NOW_AT.search(part)
        if now_at:
            value = _clean_value(now_at.group("value"))
            city = normalise_city(value)
            if value:
                return _finish("city" if city and city.certain else "employer", value, LIKELY)
        for pattern, field in VERB_CUES:
            match = pattern.search(part)
            if match:
                value = _clean_value(match.group("value"))
                if field == "city" and normalise_city(value) is None:
                    continue  # 去了宁德时代: not a city, maybe an employer
                if field == "employer" and _NOT_EMPLOYERS.search(value):
                    continue  # 加入了人才库: joining HuaiCai, not a new job
                if value:
                    return _finish(field, value, 0.85)
    return None


def _value_for(field: str, raw: str, plain: str, cue_end: int) -> str:
    """Return the new value of ``field`` in the message, or "" when none is given."""
    if field == "phone":
        return find_phone(raw) or ""
    if field == "email":
        match = _EMAIL.search(raw)
        return match.group(0) if match else ""
    if field == "education":
        return next((level for word, level in EDUCATION_LEVELS.items() if word in plain), "")
    return _value_after_cue(plain, cue_end)


def _value_after_cue(plain: str, cue_end: int) -> str:
    """Return the words after the item's name and a marker, or from a neighbouring clause."""
    rest = plain[cue_end:]
    parts = clauses(rest)
    head = parts[0] if parts else ""
    value = _clean_value(_after_marker(head))
    if value:
        return value
    # "名字写错了，是张伟不是张玮": the value is in the next clause.
    for part in parts[1:]:
        value = _clean_value(part[1:] if part[:1] in "是为" else part)
        if value:
            return value
    # "我换工作了，现在在华为"/"现在在华为，单位改一下": a clause before the item's name.
    before = clauses(plain[: max(0, cue_end - 1)])
    for part in reversed(before[:-1] if before else []):
        match = re.search(r"(?:现在在|现在是|目前在|(?<![现])在|到)(?P<value>.+)$", part)
        if match:
            value = _clean_value(match.group("value"))
            if value:
                return value
    return ""


def _after_marker(head: str) -> str:
    """Return what follows the last strong marker in ``head``, else the first weak one."""
    strong = list(_STRONG_MARKERS.finditer(head))
    if strong:
        return head[strong[-1].end() :]
    weak = _WEAK_MARKERS.search(head)
    return head[weak.end() :] if weak else head


# A "value" that only asks for a change ("单位要改", "职称改下", "关键词不太准") is no value.
_REQUEST_ONLY = re.compile(
    r"^(?:那一?项|这一?项|那里|这里)?(?:要|需要|想|得|再|帮我|请)?"
    r"(?:修改|更改|更新|改改|改下|改一下|改|换一下|换|调整)?(?:一下|下)?"
    r"(?:不太?对|不太?准|不准确|不正确|有误|错了|有问题)?$"
)


def _clean_value(text: str) -> str:
    """Strip particles, quotes and a "不是…" tail from a value."""
    value = _NOT_TAIL.sub("", text)
    value = unquote(value)
    previous = None
    while previous != value:
        previous = value
        value = _TRAILING_NOISE.sub("", _LEADING_NOISE.sub("", value)).strip(" ，,。:：")
        value = unquote(value)
    return "" if _REQUEST_ONLY.match(value) else value


def _finish(field: str, value: str, confidence: float) -> FieldEdit:
    """Put ``value`` in the form the profile stores, marking corrections to confirm."""
    if field == "title":
        value = TITLE_FORMS.get(value, value)
    if field == "education":
        value = EDUCATION_LEVELS.get(value, value)
    if field == "city" and value:
        match = normalise_city(value)
        if match is not None:
            return FieldEdit(field, match.value, confidence, suggested=not match.certain)
    return FieldEdit(field, value, confidence)
