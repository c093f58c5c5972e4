"""Read edits of a shown keyword list: 去掉 X, 加上 Y, 把 X 改成 Y, 都对, 不对."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.understanding.text import clauses, normalise_utterance, strip_lead_ins, unquote

_ITEM = r"[“\"'‘「『]?(?P<{name}>[^，,。；;“”\"'‘’「」『』]+?)[”\"'’」』]?"
_OLD = _ITEM.format(name="old")
_NEW = _ITEM.format(name="new")


def _alt(words: str) -> str:
    """Return a regex group matching any of the space-separated ``words``."""
    return "(?:" + "|".join(words.split()) + ")"


_TO = _alt("改成 改为 换成 换为 替换成 替换为 改叫 写成 应该是")
_DROP = _alt("去掉 删掉 删除 删了 去除 拿掉 划掉 去了 不要了 不要")
_PLUS = _alt(
    "加上 加个 加一个 添加 添上 增加 补充 补上 补个 补一个 还有 漏了 少了 缺了 "
    "还应该有 应该还有 还差 再来个"
    # 加 alone, but not the first character of a word (加盟, 加工, 加班 …).
    " 加(?!盟|工|班|油|热|速|密|强|载|固|拿大|减|湿|压|注|州|息|快|大|深|紧|剧|装|持|入)"
)
# Each pattern reads one edit from one clause; the first that matches a clause wins.
_REPLACE = (
    re.compile("^(?:把|将)" + _OLD + _TO + _NEW + "$"),
    re.compile("^" + _OLD + _TO + _NEW + "$"),
    re.compile("^(?:不是|不要)" + _OLD + "[,，]?(?:是|要|而是)" + _NEW + "$"),
)
_REMOVE = (
    re.compile("^(?:把|将)" + _OLD + _DROP + "$"),
    re.compile("^(?:" + _DROP + "|删)(?:关键词|关键字)?[:：]?" + _OLD + "(?:这个词|这一个|这个)?$"),
    re.compile(
        "^"
        + _OLD
        + "(?:"
        + _DROP
        + "|不对|不是|多余|不用|不相关|无关|没关系|跟我没关系|不是我的方向)"
        + "(?:吧|了)?$"
    ),
)
_ADD = (
    re.compile(
        "^(?:再|还|另外|帮我|请)?"
        + _PLUS
        + "(?:个|一个|一下)?(?:关键词|关键字)?[:：]?"
        + _NEW
        + "$"
    ),
    re.compile("^(?:把|将)" + _NEW + _alt("加上 加进去 加进来 加入 添加 也加上 补上") + "$"),
    re.compile("^" + _NEW + _alt("也要 也加上 也算 漏了 没有 少了") + "$"),
)
# Words that point at an item by position instead of naming it ("最后一个弄基站删了").
_POSITION = re.compile(
    r"^(?:最后一个|最后那个|第[一二三四五六七八九十\d]+个|前面的|后面的|其中的?|那个|这个)"
)
_ORDINAL = re.compile(
    r"^(?:第(?P<number>[一二三四五六七八九十\d]+)个|(?P<last>最后一个|最后那个))$"
)
_ORDINALS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8}
_ORDINALS |= {"九": 9, "十": 10}
# Clauses that reject the whole list.
REJECT_WORDS = (
    "都不对", "全不对", "都不是", "全都不对", "全错", "都错了", "错了错了", "完全不对", "不对",
    "不是", "错了", "不准", "不准确", "都不准", "不行", "不太对", "差太远", "不是这些", "不太准",
    "不大对", "不对劲", "对不上", "不沾边", "不", "否", "no", "nope", "wrong",
)  # fmt: skip
# Words that may stand before an edit without meaning anything for it ("基本对，把X去掉").
_HEDGES = re.compile(r"^(?:基本对|基本上对|大体对|差不多|其他都对|其他的对|前两个对|前面的对|都对)")


@dataclass(frozen=True)
class KeywordEdit:
    """One change of the keyword list; ``old`` is removed or replaced, ``new`` added."""

    operation: str  # "remove", "add" or "replace"
    old: str = ""
    new: str = ""
    # When the item is pointed at by place ("第二个不对"): 1-based, -1 for the last; else 0.
    position: int = 0


# What stands where an item would but names none ("都不对" is not "remove 都").
_NOT_ITEMS = frozenset({"都", "全", "全部", "这些", "这些都", "它们", "都是", "关键词", "关键字"})


def _item(text: str) -> str:
    item = _POSITION.sub("", unquote(text)).strip()
    item = unquote(re.sub(r"(?:这个词|这个|那个|这一个|一词|吧|了)$", "", item))
    # A question is not an item ("还有问题吗").
    return "" if item in _NOT_ITEMS or item.endswith(("吗", "呢", "么")) else item


def _split_items(text: str) -> list[str]:
    """Split "A和B" / "A、B" / "A 与 B" into items."""
    parts = re.split(r"[、/]|和|与|及|以及", text)
    return [_item(part) for part in parts if _item(part)]


def _edit_clauses(text: str) -> list[str]:
    """Return the clauses of ``text`` without hedges and lead-ins ("基本对，把X去掉" → 把X去掉)."""
    parts = [
        strip_lead_ins(_HEDGES.sub("", part).strip())
        for part in clauses(normalise_utterance(text, lower=False))
    ]
    return [part for part in parts if part]


def read_keyword_edits(text: str) -> list[KeywordEdit]:
    """Return the edits a message asks of a keyword list, in order ([] when none)."""
    return [edit for part in _edit_clauses(text) for edit in _edits_in_clause(part)]


def only_edits(text: str) -> bool:
    """Return whether every clause of ``text`` edits a keyword list (把X去掉，加上Y).

    A self-description with one such clause among others (律师，做并购，还有劳动争议) is a
    description, not a command.
    """
    parts = _edit_clauses(text)
    return bool(parts) and all(_edits_in_clause(part) for part in parts)


def _edits_in_clause(part: str) -> list[KeywordEdit]:
    for pattern in _REPLACE:
        match = pattern.match(part)
        if match and _item(match.group("old")) and _item(match.group("new")):
            return [KeywordEdit("replace", _item(match.group("old")), _item(match.group("new")))]
    for pattern in _REMOVE:
        match = pattern.match(part)
        if match and _split_items(match.group("old")):
            return [KeywordEdit("remove", old=item) for item in _split_items(match.group("old"))]
        position = _position(match.group("old")) if match else 0
        if position:
            return [KeywordEdit("remove", position=position)]
    for pattern in _ADD:
        match = pattern.match(part)
        if match and _split_items(match.group("new")):
            return [KeywordEdit("add", new=item) for item in _split_items(match.group("new"))]
    return []


def _position(text: str) -> int:
    """Return the place an ordinal names ("第二个" → 2, "最后一个" → -1), or 0."""
    match = _ORDINAL.match(unquote(text))
    if match is None:
        return 0
    if match.group("last"):
        return -1
    number = match.group("number")
    return int(number) if number.isdigit() else _ORDINALS.get(number, 0)


def rejects_list(text: str) -> bool:
    """Tell whether a message rejects the whole list ("不对", "错了错了，这些都不是")."""
    plain = normalise_utterance(text)
    parts = clauses(plain)
    return (
        bool(parts)
        and any(part in REJECT_WORDS for part in parts[:1])
        or any(
            word in plain
            for word in ("都不对", "都不是", "全不对", "全错", "这些都不是", "完全不对")
        )
    )
