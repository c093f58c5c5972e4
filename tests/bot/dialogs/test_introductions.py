"""A talent's side by chat: answering an ask, 我的对接, withdrawal, progress, opt-outs, referral."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.config import Config
from bot.dispatch import Registry
from bot.models import Match, MatchStatus, OutcomeKind, Talent
from bot.services import funnel, introductions, keep_in_touch, needs, referrals, talents
from tests.bot.dialogs.conftest import Chat, talk
from tests.bot.services.cooperation_helpers import (
    approve,
    consenting_talent,
    new_index,
    outbox_for,
    submitted_need,
)


def _asked(db_session: Session, talent_openid: str, firm: str = "o-firm-chat") -> int:
    demand = submitted_need(db_session, firm).demand
    approve(db_session, demand)
    talent = consenting_talent(db_session, openid=talent_openid, name="冯教授")
    introductions.propose_shortlist(db_session, new_index(), demand, actor="o")
    [match] = introductions.ask(db_session, demand, [talent.id], actor="o", answer_days=7)
    return match.id


def test_yes_with_phone_only_then_progress_then_withdrawal(
    db_session: Session, chat_config: Config, chat_registry: Registry
) -> None:
    talent = Chat(db_session, chat_config, chat_registry, openid="o-talent-yes")
    firm = Chat(db_session, chat_config, chat_registry, openid="o-firm-chat")
    _asked(db_session, talent.openid)
    reply = talk(talent, [("1 手机", "企业联系人：焦作市测试新材料有限公司，王经理，13700001111")])[
        0
    ]
    assert "姓名、手机" in reply
    told = outbox_for(db_session, firm.openid)[-1]
    assert "冯教授" in told and "@example.cn" not in told
    talk(talent, [("1", "没有需要您回复"), ("我的对接", "已同意")])
    talk(
        talent,
        [
            ("对接进展", "进展1 已联系"),
            ("进展1 已签约", "签约金额"),
            ("50万", "已签约 50万元"),
        ],
    )
    talk(firm, [("对接进展", "冯教授"), ("进展1 已落地", "已落地")])
    kinds = {
        o.kind: o
        for o in funnel.outcomes_of(db_session, needs.visible_needs(db_session, firm.openid)[0])
    }
    assert kinds[OutcomeKind.AGREEMENT].amount_wan == 50
    assert OutcomeKind.LANDED in kinds
    talk(talent, [("撤回对接1", "企业已收到通知")])
    assert "撤回了对接意愿" in outbox_for(db_session, firm.openid)[-1]
    talk(firm, [("有哪些人才匹配", "还没有人才回复愿意")])


def test_no_is_recorded_and_never_asked_again(chat: Chat, db_session: Session) -> None:
    match_id = _asked(db_session, chat.openid)
    talk(chat, [("2", "不会再为这个需求问您"), ("我的对接", "未对接"), ("2", "没有需要您回复")])
    stored = db_session.get(Match, match_id)
    assert stored is not None and stored.status == MatchStatus.DECLINED


def _talent(db_session: Session, openid: str) -> Talent:
    talent = talents.get_talent_by_openid(db_session, openid)
    assert talent is not None
    return talent


def test_opt_in_and_out_per_kind(chat: Chat, db_session: Session) -> None:
    consenting_talent(db_session, openid=chat.openid)
    talk(
        chat,
        [
            ("订阅需求", "每周最多一次"),
            ("订阅需求", "已经是这个设置"),
            ("退订活动", "不再给您发活动"),
        ],
    )
    talent = _talent(db_session, chat.openid)
    assert keep_in_touch.preferences(db_session, talent) == {
        "活动": False,
        "需求": True,
        "资讯": False,
    }


def test_referral_code_scene_and_credit(
    db_session: Session, chat_config: Config, chat_registry: Registry
) -> None:
    referrer = Chat(db_session, chat_config, chat_registry, openid="o-referrer")
    friend = Chat(db_session, chat_config, chat_registry, openid="o-friend")
    talk(referrer, [("我的推荐码", "您还没有登记")])
    consenting_talent(db_session, openid=referrer.openid)
    talk(referrer, [("我的推荐码", "正在为您生成")])
    code = referrals.request_code(db_session, _talent(db_session, referrer.openid))
    reply = friend.send(kind="event", event="subscribe", event_key=code.scene)
    assert "朋友推荐" in reply
    consenting_talent(db_session, openid=friend.openid)
    assert referrals.credit_referrals(db_session) == 1
    assert referrals.credit_referrals(db_session) == 0
    newcomer = _talent(db_session, friend.openid)
    assert newcomer.source == "referral" and newcomer.referred_by_id is not None
    [thanks] = outbox_for(db_session, referrer.openid)
    assert "累计推荐1人" in thanks and newcomer.name not in thanks


def test_withdrawing_introductions_in_the_privacy_menu_tells_the_enterprise(
    db_session: Session, chat_config: Config, chat_registry: Registry
) -> None:
    talent = Chat(db_session, chat_config, chat_registry, openid="o-talent-revokes")
    firm = Chat(db_session, chat_config, chat_registry, openid="o-firm-chat")
    match_id = _asked(db_session, talent.openid)
    talk(talent, [("1", "企业联系人")])
    told_before = len(outbox_for(db_session, firm.openid))
    talk(talent, [("撤回引荐", "已撤回1项")])
    assert len(outbox_for(db_session, firm.openid)) == told_before + 1
    assert "撤回了对接意愿" in outbox_for(db_session, firm.openid)[-1]
    assert db_session.get(Match, match_id).status != MatchStatus.INTRODUCED
    # A second 撤回引荐 has nothing left to take back and tells nobody again.
    talk(talent, [("撤回引荐", "不需要撤回")])
    assert len(outbox_for(db_session, firm.openid)) == told_before + 1
