"""Registration by chat, as transcripts: what the person says and what HuaiCai answers."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.models import Consent, ConsentPurpose, DialogState, Talent
from bot.services import talents
from tests.bot.dialogs.conftest import Chat, talk

FULL_REGISTRATION = [
    ("注册", "同意"),
    ("同意", "（1/9）"),
    ("张伟", "（2/9）您的籍贯"),
    ("老家温县", "焦作市温县，对吗"),
    ("对", "（3/9）"),
    ("北京", "（4/9）"),
    ("清华大学材料学院", "（5/9）"),
    ("教授", "（6/9）"),
    ("1", "（7/9）"),
    ("锂离子电池正极材料和固态电解质的研发", "锂离子电池"),
    ("对", "（8/9）"),
    ("1 3 5", "（9/9）"),
    ("13812345678", "请核对"),
    ("确认", "登记完成"),
]


def test_full_registration_creates_the_talent(chat: Chat, db_session: Session) -> None:
    replies = talk(chat, FULL_REGISTRATION)
    assert "博士" in replies[-2] and "技术咨询、成果转化、兼职/顾问" in replies[-2]
    talent = talents.get_talent_by_openid(db_session, chat.openid)
    assert talent is not None
    assert (talent.name, talent.origin_code, talent.origin_name) == ("张伟", "410825", "焦作市温县")
    assert talent.is_from_jiaozuo is True
    assert (talent.city, talent.employer, talent.title, talent.education) == (
        "北京",
        "清华大学材料学院",
        "教授",
        "博士",
    )
    assert "锂离子电池" in talent.keywords
    assert talent.cooperation_wishes == ["技术咨询", "成果转化", "兼职/顾问"]
    assert talent.phone == "13812345678"
    granted = {c.purpose for c in talent.consents if c.granted}
    assert granted == {ConsentPurpose.REGISTRATION, ConsentPurpose.INVITATIONS}
    assert all(c.version == "2026-11" for c in talent.consents)
    assert db_session.scalars(select(DialogState)).all() == []


def test_declining_consent_stores_only_the_refusal(chat: Chat, db_session: Session) -> None:
    talk(chat, [("登记", "同意书版本 2026-11"), ("不同意", "没有保存")])
    assert db_session.scalars(select(Talent)).all() == []
    assert db_session.scalars(select(DialogState)).all() == []
    (consent,) = db_session.scalars(select(Consent).where(Consent.openid == chat.openid))
    assert (consent.granted, consent.purpose, consent.version) == (
        False,
        ConsentPurpose.REGISTRATION,
        "2026-11",
    )
