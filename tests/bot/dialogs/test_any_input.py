"""Whatever people send, the dialogs answer, never raise, and never store an invalid value."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.models import Demand, DialogState, Enterprise, Talent
from bot.services import talents
from bot.validators import validate_credit_code, validate_mobile
from tests.bot.dialogs.conftest import Chat, talk
from tests.bot.dialogs.test_registration import FULL_REGISTRATION

# Where a conversation starts, so that the later steps of every flow are reached too.
OPENERS: dict[str, list[tuple[str, str]]] = {
    "nothing": [],
    "registering": [("注册", "同意"), ("同意", "姓名")],
    "half registered": FULL_REGISTRATION[:9],
    "at the summary": FULL_REGISTRATION[:-1],
    "registered": FULL_REGISTRATION,
    "entering a need": [("企业需求", "企业"), ("焦作市怀川新材料有限公司", "信用代码")],
}

FLOW_WORDS = [
    "注册", "同意", "不同意", "企业需求", "我的需求", "我的资料", "修改", "修改 单位",
    "修改 手机", "修改 专业", "隐私", "撤回邀请", "导出", "注销", "确认注销", "确认", "对",
    "不对", "是", "1", "2", "1 3 5", "上一步", "跳过", "取消", "帮助", "重新开始", "继续",
    "温县", "老家武陟", "德国慕尼黑", "张伟", "北京", "锂离子电池正极材料的研发",
    "2027年3月", "2020-01-01", "50万元", "焦作市怀川新材料有限公司",
    "91410800MA44XQ1Y0X", "13812345678", "wang@example.com", "13812345678 a@b.cn",
]  # fmt: skip
NASTY = [
    "",
    "   ",
    "\u3000\u3000",
    "😀🎉👍",
    "１３８１２３４５６７８",
    "ＡＢＣ　全角",
    "x" * 10_000,
    "锂" * 10_000,
    "'; DROP TABLE talents; --",
    "Robert'); DELETE FROM consents WHERE ('1'='1",
    "<script>alert(1)</script>",
    "<a href='http://evil.example'>点我</a>",
    "**粗体** [链接](http://x.y)",
    "\x00\x01\x1b[31m",
    "1" * 40,
    "http://example.com/page",
]
texts = st.one_of(
    st.sampled_from(FLOW_WORDS),
    st.sampled_from(NASTY),
    st.text(max_size=60),
    st.text(alphabet="０１２３４５６７８９ＡＢＣａｂｃ　，。！😀🇨🇳\u200b", max_size=20),
    st.from_regex(r"1[3-9]\d{9}", fullmatch=True),
)
messages = st.one_of(
    texts.map(lambda text: ("text", text)),
    texts.map(lambda text: ("voice", text)),
    st.sampled_from(["image", "location", "link", "video", "shortvideo"]).map(lambda k: (k, "")),
    st.sampled_from(["REGISTER", "PROFILE", "PRIVACY", "DEMAND_NEW", "DEMAND_MINE"]).map(
        lambda key: ("click", key)
    ),
    st.sampled_from([1, 90, 3 * 24 * 60]).map(lambda minutes: ("wait", str(minutes))),
)


def _assert_stored_values_are_valid(session: Session) -> None:
    for talent in session.scalars(select(Talent)):
        values = {field: getattr(talent, field) for field in talents.PERSONAL_EXPORT_FIELDS}
        values.pop("source")
        assert talents.clean_fields(values) == values
        assert 1 <= len(talent.name) <= 32
    for enterprise in session.scalars(select(Enterprise)):
        assert validate_credit_code(enterprise.credit_code) == enterprise.credit_code
        assert not enterprise.contact_phone or validate_mobile(enterprise.contact_phone)
        assert 1 <= len(enterprise.name) <= 100
    for demand in session.scalars(select(Demand)):
        assert 1 <= len(demand.title) <= 100 and 10 <= len(demand.description) <= 4000
    for state in session.scalars(select(DialogState)):
        data = state.data
        assert len(data.get("name") or "") <= 32
        assert not data.get("phone") or validate_mobile(data["phone"]) == data["phone"]
        assert not data.get("contact_phone") or validate_mobile(data["contact_phone"])


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    opener=st.sampled_from(sorted(OPENERS)),
    conversation=st.lists(messages, min_size=1, max_size=25),
)
def test_any_conversation_is_answered_and_stores_only_valid_values(
    chat: Chat,
    db_session: Session,
    opener: str,
    conversation: list[tuple[str, str]],
) -> None:
    actions: dict[str, Callable[[str], str]] = {
        "click": chat.click,
        "text": lambda text: chat.send(text),
        "voice": lambda text: chat.send(text, kind="voice"),
    }
    savepoint = db_session.begin_nested()
    try:
        talk(chat, OPENERS[opener])
        for kind, value in conversation:
            if kind == "wait":
                chat.wait(minutes=int(value))
                continue
            send = actions.get(kind) or (lambda _value, kind=kind: chat.send(kind=kind))
            reply = send(value)
            assert reply.strip(), f"no answer to {kind} {value[:40]!r}"
            _assert_stored_values_are_valid(db_session)
    finally:
        savepoint.rollback()
        chat.now += timedelta(days=1)
