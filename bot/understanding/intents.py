"""Recognise what a message asks for, over a closed set of intents, given where the person is.

``recognise_intent(text, context)`` returns an ``Understanding``: the intent, how sure (0..1),
and for edits the item and value. The rules are tables of patterns read in order per context;
the first that matches wins. A pinyin pass catches typed homophones of the main command words
(注侧 → 注册, 等级 → 登记) when nothing else matched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache

from bot.understanding.field_edits import FieldEdit, recognise_field_edit
from bot.understanding.keyword_edits import KeywordEdit, read_keyword_edits, rejects_list
from bot.understanding.text import clauses, clean_characters, normalise_utterance


class Intent(StrEnum):
    """What a message asks for."""

    REGISTER = "register"
    SHOW_PROFILE = "show_profile"
    ERASE = "erase"
    ERASE_CONFIRM_EXACT = "erase_confirm_exact"  # exactly the words the erase prompt asked for
    ERASE_KEEP = "erase_keep"  # anything else at the erase prompt keeps the profile
    HELP = "help"
    POST_NEED = "post_need"
    MY_NEEDS = "my_needs"
    EVENTS = "events"
    EDIT_FIELD = "edit_field"
    CONFIRM = "confirm"
    KEYWORDS_REMOVE = "keywords_remove"
    KEYWORDS_ADD = "keywords_add"
    KEYWORDS_REPLACE = "keywords_replace"
    KEYWORDS_REJECT = "keywords_reject"
    HUMAN = "human"
    OTHER = "other"


class Context(StrEnum):
    """Where the person is when the message arrives."""

    IDLE_REGISTERED = "idle_registered"
    IDLE_UNREGISTERED = "idle_unregistered"
    SUMMARY = "summary"  # the registration summary: 确认 or corrections
    KEYWORDS_CHECK = "keywords_check"  # the extracted keywords shown for confirmation
    ERASE_CONFIRM = "erase_confirm"  # "回复“确认注销”…"


# The exact reply the erase prompt asks for.
ERASE_CONFIRMATION = "确认注销"
CERTAIN = 1.0
CLEAR = 0.9
LIKELY = 0.75
GUESS = 0.5
UNSURE = 0.3


@dataclass(frozen=True)
class Understanding:
    """What was understood from one message and how sure.

    ``field``/``value`` are set for EDIT_FIELD (value "" when only the item was named, as in
    "改一下关键词"); ``keyword_edits`` for the KEYWORDS_* intents (several for "去掉A，加上B");
    ``suggested`` when the value is a correction to confirm (深证 → 深圳).
    """

    intent: Intent
    confidence: float
    field: str = ""
    value: str = ""
    keyword_edits: tuple[KeywordEdit, ...] = ()
    suggested: bool = False
    rule: str = ""  # which rule decided, for logs and the evaluation's confusions

    @property
    def keyword_value(self) -> str:
        """The first keyword edit as one string: "X", or "X→Y" for a replacement."""
        if not self.keyword_edits:
            return ""
        edit = self.keyword_edits[0]
        if edit.operation == "replace":
            return f"{edit.old}→{edit.new}"
        if edit.position:
            return f"#{edit.position}"
        return edit.old or edit.new


@dataclass(frozen=True)
class Rule:
    """A pattern that, found in the normalised message, means ``intent``."""

    intent: Intent
    pattern: re.Pattern[str]
    confidence: float
    name: str = field(default="")


def _rule(intent: Intent, pattern: str, confidence: float = CLEAR) -> Rule:
    return Rule(intent, re.compile(pattern), confidence, f"{intent.value}:{pattern[:24]}")


def _alt(words: str) -> str:
    """Return a regex group matching any of the space-separated ``words``."""
    return "(?:" + "|".join(words.split()) + ")"


_DELETE = _alt("删除 删掉 删了 清除 清掉 清空 抹掉 移除 移出 撤销 撤回 退出")
_MY_DATA = _alt("资料 信息 数据 档案 记录 账号 账户")
_POSTED = _alt("发 提 提交 发布 登记 填 报 上报")
# Messages that need a person, not a bot.
_HUMAN = [
    _rule(Intent.HUMAN, _alt("人工 客服 工作人员 真人 转人工 联系你们 找你们的人 负责人 投诉")),
    _rule(Intent.HUMAN, r"你们.{0,4}(?:电话|联系方式|地址|邮箱)|联系电话|客服电话"),
]
# Taking oneself out of the database. Before the profile rules: "把我的信息删除".
_ERASE = [
    _rule(Intent.ERASE, _alt("注销 销户 退库 退出人才库") + "|" + _DELETE + ".{0,3}(?:人才库|库)"),
    _rule(Intent.ERASE, _DELETE + "(?:我的|我|掉)?.{0,8}" + _MY_DATA),
    _rule(Intent.ERASE, _MY_DATA + ".{0,6}(?:" + _DELETE + "|不要了)"),
    _rule(Intent.ERASE, r"把我.{0,8}(?:删|移除|移出|去掉|清)"),
    _rule(Intent.ERASE, _alt("取消 撤销 撤回 退出") + "(?:我的)?" + _alt("登记 注册 入库")),
    _rule(Intent.ERASE, r"不想(?:在|待在|留在|呆在).{0,4}库|(?:帮我|给我)删(?:掉|了|除)"),
    _rule(
        Intent.ERASE, "^(?:我要|我想|我)?" + _alt("退出 不想待了 不想登记了 不参加了") + "$", LIKELY
    ),
]
# Needs an enterprise posted. Before _POST_NEED: "我们发的需求到哪一步了".
_MY_NEEDS = [
    _rule(Intent.MY_NEEDS, _alt("我的需求 我们的需求 需求列表 需求进度 需求状态")),
    _rule(
        Intent.MY_NEEDS,
        _alt("我 我们 上次 之前 以前 已经") + ".{0,8}" + _POSTED + "(?:的|过的|了的).{0,8}需求",
    ),
    _rule(
        Intent.MY_NEEDS,
        "需求.{0,8}"
        + _alt("进度 到哪 哪一步 怎么样了 有人回应 有回应 有人回 有人联系 结果 审核 通过了 状态"),
    ),
]
_POST_NEED = [
    _rule(Intent.POST_NEED, _POSTED + "(?:一个|个|一下)?(?:技术)?需求|企业需求|技术需求"),
    _rule(
        Intent.POST_NEED,
        _alt("企业 公司 厂 我们单位")
        + ".{0,30}"
        + _alt("找(?!我) 需要 寻求 对接 攻关 难题 解决 合作 招"),
    ),
    _rule(
        Intent.POST_NEED,
        "技术"
        + _alt("难题 攻关 瓶颈 问题")
        + "|"
        + _alt("找 需要 对接 有没有")
        + ".{0,8}"
        + _alt("专家 教授 技术人才 高校人才"),
        LIKELY,
    ),
]
_EVENTS = [
    _rule(
        Intent.EVENTS,
        _alt("活动 对接会 交流会 洽谈会 发布会 座谈会 见面会 沙龙 讲座 论坛 招才引智 峰会 年会")
        + r"|^(?:我想|我要)?报名(?!.{0,4}(?:入库|人才库|登记|注册))",
    ),
]
_SHOW_PROFILE = [
    _rule(
        Intent.SHOW_PROFILE,
        _alt("看 查 核对 核实 确认 发给我 发我 给我 显示 瞧 瞅 调出 打开")
        + ".{0,10}"
        + _alt("资料 信息 档案 登记 填的 个人"),
    ),
    _rule(Intent.SHOW_PROFILE, "^(?:我的)?(?:个人)?" + _alt("资料 信息 档案") + "$"),
    _rule(
        Intent.SHOW_PROFILE,
        _alt("资料 信息 档案")
        + ".{0,8}"
        + _alt("对不对 对吗 准吗 准不准 是什么样 什么样 长什么样 是啥 有哪些 都有啥 怎么样"),
    ),
    _rule(
        Intent.SHOW_PROFILE,
        _alt("资料 信息 档案") + ".{0,6}" + _alt("发给我 发我 给我看 发过来 发一下"),
    ),
    _rule(
        Intent.SHOW_PROFILE,
        _alt("登记的啥 登记的什么 登记了什么 填的啥 填的什么 填了什么 填了啥 个人中心"),
    ),
    _rule(Intent.SHOW_PROFILE, r"(?:登记|注册|入库)(?:(?:成功|好)?了|过了?)(?:吗|没|没有)$"),
    _rule(Intent.SHOW_PROFILE, r"我.{0,4}(?:还在|在不在|有没有在).{0,6}库", LIKELY),
]
_REGISTER = [
    _rule(
        Intent.REGISTER,
        _alt("注册 登记 入库 入驻 录入 录进 录一下 想加入 申请加入 怎么加入 填写资料 填资料"),
    ),
    _rule(Intent.REGISTER, "加入.{0,6}" + _alt("人才库 库 你们 怀才") + "|存到.{0,8}库"),
    _rule(
        Intent.REGISTER, r"进.{0,4}人才库|成为.{0,8}(?:人才|会员|成员)|人才库.{0,6}(?:加入|进|入)"
    ),
]
_HELP = [
    _rule(Intent.HELP, r"^(?:帮助|help|菜单|功能|说明|使用说明|\?|？)$", CERTAIN),
    _rule(
        Intent.HELP,
        _alt("干什么 干嘛 干啥 做什么 能做 能干 有什么用 有啥用 什么功能 哪些功能 有啥功能")
        + "|"
        + _alt("怎么用 如何使用 怎么使用 是什么 介绍一下 是啥"),
    ),
]
# "修改资料": an edit of the profile without saying which item.
_CHANGE = _alt("修改 更改 更新 改 改改 改一改 改下 改一下")
_OF_MY_PROFILE = "(?:一下)?(?:我的)?(?:个人)?" + _alt("资料 信息 档案")
_EDIT_SOMETHING = re.compile(_CHANGE + _OF_MY_PROFILE)
# "关键词里的" before a keyword edit said at the summary.
_KEYWORDS_OF = re.compile(r"关键[词字](?:里|中|里面|当中)?(?:的)?")
# At the summary: something is wrong, not saying what.
_SOMETHING_WRONG = re.compile(
    "^(?:不对|不太对|不正确|有错|有错误|错了|有误|有问题|"
    + r"(?:有|有一)?(?:项|个地方|处|点)?(?:写|填)?错了|(?:我)?(?:要|想|需要)(?:修改|改)(?:一下)?)$"
)
IDLE_RULES = (
    *_HUMAN, *_ERASE, *_MY_NEEDS, *_POST_NEED, *_EVENTS, *_SHOW_PROFILE, *_REGISTER, *_HELP,
)  # fmt: skip
# Words that say yes, alone or strung together ("嗯嗯 没错", "对的没错", "好👌").
YES_WORDS = (
    "没问题", "没毛病", "没错", "对的", "对头", "是的", "是对的", "正确", "准确", "确认", "确定",
    "可以", "可以的", "行的", "好的", "好滴", "好嘞", "都对", "全对", "都是对的", "是这些",
    "就这些", "就这样", "ok", "okay", "yes", "嗯", "对", "是", "好", "行", "中", "妥", "同意",
    "提交", "没有问题", "挺好", "很好", "不错", "很准", "挺准", "无误", "差不多", "基本对",
    "基本准确", "没什么问题", "都没问题", "好了", "完美", "赞",
)  # fmt: skip
_YES_FILLERS = ("了", "啊", "呀", "的", "哈", "呢", "吧", "嘞", "哦", "都", "全", "没", "就")
# Homophones of the main command words, for a pinyin pass when nothing else matched.
PINYIN_COMMANDS: dict[str, Intent] = {
    "zhuce": Intent.REGISTER,
    "dengji": Intent.REGISTER,
    "ruku": Intent.REGISTER,
    "zhuxiao": Intent.ERASE,
    "ziliao": Intent.SHOW_PROFILE,
    "huodong": Intent.EVENTS,
    "bangzhu": Intent.HELP,
    "xuqiu": Intent.POST_NEED,
    "rengong": Intent.HUMAN,
}


def is_yes(text: str) -> bool:
    """Tell whether a message only says yes ("没问题", "嗯嗯 没错", "对的没错", "👌")."""
    plain = normalise_utterance(text)
    plain = re.sub(r"[\s,，。.!！~～、]+", "", plain)
    if not plain:
        return False
    words = sorted(YES_WORDS, key=len, reverse=True)
    position = 0
    saw_yes = False
    while position < len(plain):
        word = next((w for w in words if plain.startswith(w, position)), None)
        if word is not None:
            saw_yes = True
            position += len(word)
            continue
        if plain[position] in _YES_FILLERS:
            position += 1
            continue
        return False
    return saw_yes


def recognise_intent(text: str, context: Context | str) -> Understanding:
    """Return what ``text`` asks for, said in ``context`` (a Context or its value).

    Never raises on any text; an empty or meaningless message is OTHER with low confidence.
    """
    context = Context(context)
    plain = normalise_utterance(text)
    if context is Context.ERASE_CONFIRM:
        return _at_erase_confirm(text)
    if context is Context.KEYWORDS_CHECK:
        return _at_keywords_check(text, plain)
    if context is Context.SUMMARY:
        return _at_summary(text, plain)
    return _when_idle(text, plain, registered=context is Context.IDLE_REGISTERED)


def _at_erase_confirm(text: str) -> Understanding:
    """Only the exact words the prompt asked for erase; anything else keeps the profile."""
    # Exactly as asked: width and the ends are forgiven, a space inside is not ("确认 注销").
    typed = clean_characters(text).strip().strip("。.!！")
    if typed == ERASE_CONFIRMATION:
        return Understanding(Intent.ERASE_CONFIRM_EXACT, CERTAIN, rule="erase:exact")
    return Understanding(Intent.ERASE_KEEP, CERTAIN, rule="erase:other")


_KEYWORD_INTENTS = {
    "remove": Intent.KEYWORDS_REMOVE,
    "add": Intent.KEYWORDS_ADD,
    "replace": Intent.KEYWORDS_REPLACE,
}


def _at_keywords_check(text: str, plain: str) -> Understanding:
    if rejects_list(text):
        return Understanding(Intent.KEYWORDS_REJECT, CLEAR, rule="keywords:reject")
    edits = tuple(read_keyword_edits(text))
    if edits:
        intent = _KEYWORD_INTENTS[edits[0].operation]
        return Understanding(intent, CLEAR, keyword_edits=edits, rule="keywords:edit")
    if is_yes(text):
        return Understanding(Intent.CONFIRM, CLEAR, rule="keywords:yes")
    return _when_idle(text, plain, registered=True, fallback_confidence=UNSURE)


def _at_summary(text: str, plain: str) -> Understanding:
    edit = recognise_field_edit(text, need_signal=False)
    if edit is not None and edit.field == "keywords":
        # "把关键词里的弄基站去掉": an edit of the list itself, said at the summary.
        edits = tuple(read_keyword_edits(_KEYWORDS_OF.sub("", text)))
        if edits:
            intent = _KEYWORD_INTENTS[edits[0].operation]
            return Understanding(intent, CLEAR, keyword_edits=edits, rule="summary:keywords")
        return _edit(FieldEdit("keywords", "", edit.confidence))
    if edit is not None:
        return _edit(edit)
    if is_yes(text):
        return Understanding(Intent.CONFIRM, CLEAR, rule="summary:yes")
    if _SOMETHING_WRONG.search(plain):
        # "不对" / "有一项写错了": an edit, the item still to be asked for.
        return Understanding(Intent.EDIT_FIELD, LIKELY, rule="summary:something-wrong")
    return _when_idle(text, plain, registered=False, fallback_confidence=UNSURE)


def _edit(edit: FieldEdit) -> Understanding:
    return Understanding(
        Intent.EDIT_FIELD,
        edit.confidence,
        field=edit.field,
        value=edit.value,
        suggested=edit.suggested,
        rule=f"edit:{edit.field}",
    )


def _when_idle(
    text: str, plain: str, *, registered: bool, fallback_confidence: float = GUESS
) -> Understanding:
    if not plain:
        if re.fullmatch(r"[?？]+", clean_characters(text).strip()):
            return Understanding(Intent.HELP, CLEAR, rule="question-mark")
        return Understanding(Intent.OTHER, UNSURE, rule="empty")
    for rule in (*_HUMAN, *_ERASE):
        if rule.pattern.search(plain):
            return Understanding(rule.intent, rule.confidence, rule=rule.name)
    if registered:
        edit = recognise_field_edit(text)
        if edit is not None:
            return _edit(edit)
        if _EDIT_SOMETHING.search(plain):
            return Understanding(Intent.EDIT_FIELD, LIKELY, rule="edit:unnamed")
    for rule in IDLE_RULES:
        if rule.pattern.search(plain):
            return Understanding(rule.intent, rule.confidence, rule=rule.name)
    homophone = _homophone(plain)
    if homophone is not None:
        return Understanding(homophone, GUESS, rule="pinyin")
    return Understanding(Intent.OTHER, fallback_confidence, rule="none")


def _homophone(plain: str) -> Intent | None:
    """Return the intent of a command word typed with the wrong characters (注侧, 等级)."""
    if len(plain) > 12:
        return None
    hanzi = [char for char in plain if "\u4e00" <= char <= "\u9fff"]
    if not any(
        first + second in PINYIN_COMMANDS
        for before, after in zip(hanzi, hanzi[1:], strict=False)
        for first in _readings(before)
        for second in _readings(after)
    ):
        # No two neighbours can be read as a command whatever their readings: the phrase-aware
        # reading (a tenth of a millisecond and more) would find nothing either.
        return None
    return _homophone_by_phrase(plain)


def _homophone_by_phrase(plain: str) -> Intent | None:
    """Return the command ``plain`` sounds like, read with pypinyin's phrase-aware conversion."""
    # pypinyin loads a large table: only messages that reach this pass pay for it.
    from pypinyin import Style, lazy_pinyin

    syllables = lazy_pinyin(plain, style=Style.NORMAL, errors="ignore")
    for start in range(len(syllables)):
        for end in (start + 2, start + 3):
            joined = "".join(syllables[start:end])
            if joined in PINYIN_COMMANDS and end <= len(syllables):
                return PINYIN_COMMANDS[joined]
    return None


@lru_cache(maxsize=4096)
def _readings(char: str) -> frozenset[str]:
    """Return every toneless reading of one Chinese character (pypinyin's heteronyms)."""
    from pypinyin import Style, pinyin

    return frozenset(pinyin(char, style=Style.NORMAL, heteronym=True, errors="ignore")[0])


def split_clauses(text: str) -> list[str]:
    """Return the clauses of a message after normalisation (for callers that act per clause)."""
    return clauses(normalise_utterance(text))
