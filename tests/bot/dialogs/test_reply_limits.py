"""Properties of any conversation: every passive reply fits WeChat's 2,048 bytes, and no
instruction or command a person sends is ever kept as the value of a profile item."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.models import DialogState, Talent
from bot.understanding.names import INSTRUCTION_WORDS, REFUSED_WORDS
from tests.bot.dialogs.conftest import Chat, talk
from tests.bot.dialogs.test_any_input import OPENERS

MAX_REPLY_BYTES = 2048
# Items that hold a short value (the expertise is free text and may say anything).
VALUE_ITEMS = ("name", "origin_name", "city", "employer", "title", "education", "phone", "email")
LONG_KEYWORD = "高性能复合材料的制备工艺与表征研究方向"
INSTRUCTIONS = [
    "基本对，把“弄基站”去掉", "去掉第二个", "加上相控阵", "把锂电池改成钠电池", "都对", "不对",
    "改一下关键词", "工作城市写错了，是深圳", "我叫王建国", "同意", "确认", "确定", "好的",
    "没问题", "对的", "可以", "我换工作了，现在在华为", "我搬到杭州了", "手机换了 139 1234 5678",
    "职称评上正高了", "我想注销", "确认注销", "我想登记", "我想看一下我的资料", "在深证", "沁杨",
    "手机１３９２３４５６７８９", "138 1234 5678", "修改 关键词", "修改 城市", "跳过", "取消",
]  # fmt: skip
LISTS = ["，".join(f"{LONG_KEYWORD}{i}" for i in range(count)) for count in (5, 12, 20, 25)] + [
    "、".join(["锂电池"] * 30),
    "射频前端，弄基站，毫米波天线",
]
messages = st.one_of(
    st.sampled_from(INSTRUCTIONS),
    st.sampled_from(LISTS),
    st.sampled_from(["1", "2", "1 2", "温县", "北京", "华为", "教授", "上一步", "帮助"]),
    st.text(max_size=30),
)


def _values(session: Session) -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    for talent in session.scalars(select(Talent)):
        found += [(item, getattr(talent, item)) for item in VALUE_ITEMS]
        found += [("keywords", keyword) for keyword in talent.keywords]
    for state in session.scalars(select(DialogState)):
        found += [(item, state.data.get(item)) for item in VALUE_ITEMS]
        found += [("keywords", keyword) for keyword in state.data.get("keywords") or []]
    return [(item, value) for item, value in found if isinstance(value, str) and value]


def _is_instruction(value: str) -> bool:
    return value.lower() in REFUSED_WORDS or any(word in value for word in INSTRUCTION_WORDS)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    opener=st.sampled_from(["registering", "half registered", "at the summary", "registered"]),
    conversation=st.lists(messages, min_size=1, max_size=15),
)
def test_no_reply_is_too_long_and_no_instruction_is_kept_as_a_value(
    chat: Chat, db_session: Session, opener: str, conversation: list[str]
) -> None:
    savepoint = db_session.begin_nested()
    try:
        talk(chat, OPENERS[opener])
        for text in conversation:
            reply = chat.send(text)
            assert len(reply.encode("utf-8")) <= MAX_REPLY_BYTES, f"{text!r}: {len(reply)} chars"
            assert all(len(part.encode("utf-8")) <= MAX_REPLY_BYTES for part in chat.followups)
            kept = [(item, value) for item, value in _values(db_session) if _is_instruction(value)]
            assert kept == [], f"after {text!r}"
    finally:
        savepoint.rollback()
        chat.now += timedelta(days=1)


def test_the_check_sees_an_instruction_kept_as_a_value() -> None:
    assert _is_instruction("基本对、把“弄基站”去掉") and _is_instruction("同意")
    assert not _is_instruction("射频前端") and not _is_instruction("王建国")


@pytest.mark.parametrize("answer", ["NO", "0 NO", "no", "不"])
def test_a_bare_no_at_the_keyword_check_is_never_kept_as_a_keyword(
    chat: Chat, db_session: Session, answer: str
) -> None:
    # Found by the test above: the expertise accepted, then "0 NO" at the keyword check.
    talk(chat, OPENERS["half registered"])
    chat.send("，".join(f"{LONG_KEYWORD}{n}" for n in range(5)))
    chat.send(answer)
    kept = [(item, value) for item, value in _values(db_session) if _is_instruction(value)]
    assert kept == []
