"""Read a person's name from an answer like "我叫王建国", refusing command and consent words."""

from __future__ import annotations

import re

from bot.understanding.text import clean_characters, squeeze_spaces, strip_lead_ins

MAX_NAME_LENGTH = 30
# Lead-ins people put before their name; longest first.
_LEAD_INS = re.compile(
    r"^(?:我的名字叫|我的名字是|我的姓名是|名字叫|名字是|姓名是|姓名叫|我叫做|我名叫|本人叫|本人是|"
    r"大家叫我|叫我|我叫|我是|本人|姓名|名字|称呼)[:：]?"
)
_TRAILERS = re.compile(r"(?:就行了|就行|就好|就可以|吧|啦|哈|呢|哦|。|！|!|~|～)+$")
# Words that answer a question or steer a dialog; a person who sends one of these has not
# given their name (同意 after the consent step, 确认, 好的 ...).
REFUSED_WORDS = frozenset(
    {
        "同意", "不同意", "确认", "确定", "好", "好的", "好滴", "行", "可以", "是", "是的", "对",
        "对的", "嗯", "嗯嗯", "没问题", "ok", "yes", "no", "不", "不是", "否", "注册", "登记",
        "入库", "开始", "开始登记", "开始注册", "取消", "退出", "帮助", "跳过", "上一步", "返回",
        "继续", "重新开始", "重来", "修改", "我的资料", "资料", "隐私", "注销", "企业需求",
        "我的需求", "活动", "你好", "您好", "谢谢", "hi", "hello", "在吗", "不知道", "不想说",
        "保密", "匿名", "无", "没有", "算了", "人工", "客服", "姓名", "名字",
    }
)  # fmt: skip
# Words that give an instruction; never part of a name.
INSTRUCTION_WORDS = ("去掉", "删掉", "删除", "改成", "改为", "换成", "加上", "确认", "同意", "把")


class NotAName(ValueError):
    """The answer is not a name; ``reason`` is "empty", "command", "too_long" or "not_letters"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def clean_name(text: str) -> str:
    """Return the name in an answer: "我叫王建国" → "王建国"; "Li Ming" stays as typed.

    Raises NotAName when the answer is empty, a command or consent word (同意, 注册, 好的),
    an instruction, too long, or holds digits, @ or other characters no name has.
    """
    plain = squeeze_spaces(clean_characters(text).strip())
    if plain.lower() in REFUSED_WORDS:
        raise NotAName("command")
    name = strip_lead_ins(plain)
    name = _TRAILERS.sub("", _LEAD_INS.sub("", name)).strip(" ,，。:：\"'“”")
    if not name:
        raise NotAName("empty")
    if name.lower() in REFUSED_WORDS or any(word in name for word in INSTRUCTION_WORDS):
        raise NotAName("command")
    if len(name) > MAX_NAME_LENGTH:
        raise NotAName("too_long")
    if not all(_is_name_character(char) for char in name):
        raise NotAName("not_letters")
    return name


def _is_name_character(char: str) -> bool:
    """Tell whether ``char`` may appear in a name: letters of any script, space, · . - '."""
    return char.isalpha() or char in " ·•.-'"
