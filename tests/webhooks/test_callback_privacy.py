"""Erasure and the access log through the signed callback (issue 10 items 8 and 9)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.dialogs import profile_texts
from bot.models import Consent, DialogState
from bot.services import talents
from tests.factories import make_talent
from tests.webhooks.conftest import Phone


def test_erase_in_the_middle_of_a_registration_deletes_the_draft_and_says_so(
    phone: Phone, db_session: Session
) -> None:
    phone.say("注册")
    phone.say("同意")
    phone.say("魏澜清")
    openid = phone.user.openid
    assert db_session.scalar(select(func.count(DialogState.id))) == 1
    reply = phone.say("注销")
    assert reply.startswith(profile_texts.DRAFT_ERASED)
    assert profile_texts.NOT_REGISTERED not in reply
    assert db_session.scalar(select(func.count(DialogState.id))) == 0
    assert db_session.scalar(select(func.count(Consent.id)).where(Consent.openid == openid)) == 0
    # Nothing is left to resume.
    assert "魏澜清" not in phone.say("我的资料")


def test_a_list_view_shows_under_who_saw_my_profile(phone: Phone, db_session: Session) -> None:
    talent = make_talent(db_session, openid=phone.user.openid)
    db_session.commit()
    shown = talents.list_talents(
        db_session, actor="console:li", view="console talent list", limit=500
    )
    assert talent in shown
    db_session.commit()
    reply = phone.say("隐私")
    assert "工作人员（li）" + profile_texts.ACTIONS["list"] in reply
