"""Issue 11's dialog exchanges, each played through the signed /wechat callback.

Every transcript starts from a line a real person sent that the chat used to misread; the test
checks the reply and what was (or was not) stored.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.dialogs import basics_texts, profile_texts, registration_texts
from bot.models import OutboxMessage, Talent
from bot.services import talents
from tests.bot.dialogs.conftest import text_models_loaded  # noqa: F401 - autouse warm-up
from tests.webhooks.conftest import CountingHandler, Phone, new_user
from tests.webhooks.test_conversations import _ticking_clock, talk

MAX_REPLY_BYTES = 2048
# Registration up to the keyword check, with the answers people actually gave.
UP_TO_EXPERTISE = [
    ("注册", "同意"),
    ("好的", "（1/9）"),
    ("我叫王建国", "（2/9）"),
    ("沁杨", "您是说沁阳"),
    ("对", "（3/9）"),
    ("在深证", "您是说深圳吗"),
    ("对", "（4/9）"),
    ("华南理工大学", "（5/9）"),
    ("高级工程师", "（6/9）"),
    ("2", "（7/9）"),
    ("5G基站射频前端和毫米波天线的设计与测试", "关键词"),
]
AFTER_KEYWORDS = [
    ("1 2", "（9/9）"),
    ("手机１３９２３４５６７８９", "请核对"),
]


@pytest.fixture
def person(client: FlaskClient) -> Phone:
    """Return a follower whose requests are one second apart."""
    ticks = _ticking_clock()
    return Phone(client, new_user(clock=lambda: next(ticks)))


def registered(person: Phone, db_session: Session) -> Talent:
    """Register the person through the chat and return their record."""
    talk(person, [*UP_TO_EXPERTISE, ("对", "（8/9）"), *AFTER_KEYWORDS, ("确认", "登记完成")])
    talent = talents.get_talent_by_openid(db_session, person.user.openid)
    assert talent is not None
    return talent


def test_values_are_stored_as_meant_not_as_typed(person: Phone, db_session: Session) -> None:
    talent = registered(person, db_session)
    assert talent.name == "王建国"
    assert (talent.origin_code, talent.city) == ("410882", "深圳")
    assert talent.phone == "13923456789"


def test_a_consent_word_is_not_taken_for_a_name(person: Phone) -> None:
    talk(person, [("注册", "同意"), ("好的", "（1/9）")])
    reply = person.say("同意")
    assert reply.startswith(registration_texts.NAME_AFTER_CONSENT) and "（1/9）" in reply
    talk(person, [("注册", "您正在人才登记"), ("确认", "不是姓名")])


def test_a_phone_number_with_spaces_is_accepted(person: Phone, db_session: Session) -> None:
    talk(person, [*UP_TO_EXPERTISE, ("对", "（8/9）"), ("1", "（9/9）")])
    talk(person, [("138 1234 5678", "请核对"), ("确认", "登记完成")])
    talent = talents.get_talent_by_openid(db_session, person.user.openid)
    assert talent is not None and talent.phone == "13812345678"


def test_keyword_edits_are_understood_and_never_stored_as_keywords(
    person: Phone, db_session: Session
) -> None:
    talk(person, UP_TO_EXPERTISE)
    shown = person.say("不对")
    assert shown.startswith(registration_texts.OWN_KEYWORDS)
    talk(person, [("射频前端，弄基站，毫米波天线", "（8/9）"), *AFTER_KEYWORDS])
    talk(person, [("改一下关键词", "射频前端、弄基站、毫米波天线")])
    talk(person, [("基本对，把“弄基站”去掉，加上相控阵", "射频前端、毫米波天线、相控阵")])
    talk(person, [("都对", "请核对"), ("没问题", "登记完成")])
    talent = talents.get_talent_by_openid(db_session, person.user.openid)
    assert talent is not None
    assert talent.keywords == ["射频前端", "毫米波天线", "相控阵"]


def test_the_summary_takes_a_correction_in_a_sentence(person: Phone, db_session: Session) -> None:
    talk(person, [*UP_TO_EXPERTISE, ("对", "（8/9）"), *AFTER_KEYWORDS])
    reply = person.say("工作城市写错了，是广州")
    assert reply.startswith(registration_texts.CORRECTED) and "3. 工作城市：广州" in reply
    talk(person, [("对的", "登记完成")])
    talent = talents.get_talent_by_openid(db_session, person.user.openid)
    assert talent is not None and talent.city == "广州"


def test_a_clear_wish_starts_the_feature(person: Phone, db_session: Session) -> None:
    assert "同意请回复“同意”" in person.say("你好，我想登记一下")
    talk(person, [("取消", "登记已取消")])
    talent = registered(person, db_session)
    assert "这是您的资料" in person.send(person.user.voice(recognition="我想看一下我的资料")).text
    again = person.say("我想登记")
    assert "已经登记过了" in again and "1. 姓名：王建国" in again
    assert talent.id


def test_erase_does_exactly_what_its_prompt_says(person: Phone, db_session: Session) -> None:
    registered(person, db_session)
    assert person.say("我想注销") == profile_texts.ERASE_CONFIRM
    assert person.say("确定") == profile_texts.ERASE_KEPT
    assert talents.get_talent_by_openid(db_session, person.user.openid) is not None
    talk(person, [("我想注销", "确认注销"), ("确认注销", "已经注销")])
    assert talents.get_talent_by_openid(db_session, person.user.openid) is None


@pytest.mark.parametrize(
    ("sentence", "proposed", "field", "stored"),
    [
        ("我换工作了，现在在华为", "工作单位改成“华为”", "employer", "华为"),
        ("我搬到杭州了", "工作城市改成“杭州”", "city", "杭州"),
        ("手机换了 139 1111 2222", "手机号改成“13911112222”", "phone", "13911112222"),
        ("职称评上正高了", "职务/职称改成“正高级”", "title", "正高级"),
    ],
)
def test_a_change_said_in_a_sentence_is_confirmed_then_stored(
    person: Phone, db_session: Session, sentence: str, proposed: str, field: str, stored: str
) -> None:
    talent = registered(person, db_session)
    before = getattr(talent, field)
    reply = person.say(sentence)
    assert proposed in reply and "回复“对”确认" in reply
    assert getattr(talent, field) == before, "nothing changes before the yes"
    assert "改好了" in person.say("对")
    db_session.refresh(talent)
    assert getattr(talent, field) == stored


def test_a_change_can_be_declined(person: Phone, db_session: Session) -> None:
    talent = registered(person, db_session)
    talk(person, [("我搬到杭州了", "改成“杭州”"), ("不", profile_texts.EDIT_CANCELLED)])
    db_session.refresh(talent)
    assert talent.city == "深圳"


def test_an_edit_asks_in_its_own_words(person: Phone, db_session: Session) -> None:
    registered(person, db_session)
    reply = person.say("修改 手机")
    assert profile_texts.EDIT_ASK["contact"] in reply
    assert "最后" not in reply and registration_texts.ASK_CONTACT not in reply


def test_a_registered_follower_coming_back_is_welcomed_by_name(
    person: Phone, db_session: Session
) -> None:
    talent = registered(person, db_session)
    person.send(person.user.unsubscribe())
    db_session.refresh(talent)
    assert talent.is_following is False
    welcome = person.send(person.user.subscribe()).text
    assert welcome == basics_texts.WELCOME_BACK.format(name="王建国")
    assert "回复“注册”" not in welcome
    db_session.refresh(talent)
    assert talent.is_following is True


def test_twenty_long_keywords_still_fit_every_passive_reply(
    person: Phone, db_session: Session
) -> None:
    keywords = [f"第{i}种新型高性能复合材料的制备工艺研究" for i in range(1, 21)]
    talk(person, UP_TO_EXPERTISE)
    replies = [person.say("，".join(keywords)), *(person.say(text) for text, _ in AFTER_KEYWORDS)]
    replies += [person.say("确认"), person.say("我的资料"), person.say("修改 关键词")]
    assert all(len(reply.encode("utf-8")) <= MAX_REPLY_BYTES for reply in replies)
    summary, profile = replies[2], replies[4]
    assert "等20个" in summary and "等20个" in profile
    talent = talents.get_talent_by_openid(db_session, person.user.openid)
    assert talent is not None and talent.keywords == keywords


def test_an_overlong_reply_continues_in_a_follow_up(
    person: Phone, db_session: Session, command: Callable[..., CountingHandler]
) -> None:
    long_text = "\n".join(f"第{i}行：" + "很长的说明" * 20 for i in range(30))
    command("长回复", reply=long_text)
    reply = person.say("长回复")
    assert len(reply.encode("utf-8")) <= MAX_REPLY_BYTES and reply.endswith("（未完，接下一条）")
    rest = [m.payload["content"] for m in db_session.scalars(select(OutboxMessage))]
    assert rest and all(len(part.encode("utf-8")) <= MAX_REPLY_BYTES for part in rest)
    assert (reply.removesuffix("\n（未完，接下一条）") + "\n" + "\n".join(rest)) == long_text


def test_keyword_edits_and_vague_requests_at_the_summary(
    person: Phone, db_session: Session
) -> None:
    talk(person, [*UP_TO_EXPERTISE, ("射频前端，毫米波天线", "（8/9）"), *AFTER_KEYWORDS])
    assert registration_texts.SUMMARY_WHICH in person.say("要改")
    talk(person, [("关键词加上相控阵", "射频前端、毫米波天线、相控阵"), ("对", "请核对")])
    talk(person, [("确认", "登记完成")])
    talent = talents.get_talent_by_openid(db_session, person.user.openid)
    assert talent is not None and talent.keywords == ["射频前端", "毫米波天线", "相控阵"]


def test_a_registered_person_is_never_offered_registration(
    person: Phone, db_session: Session
) -> None:
    assert "“注册”" in person.say("今天天气怎么样"), "a stranger is"
    registered(person, db_session)
    assert person.say("今天天气怎么样") == basics_texts.NOT_UNDERSTOOD_REGISTERED
    assert person.say("帮助") == basics_texts.HELP_REGISTERED
    assert "“注册”" not in basics_texts.HELP_REGISTERED
