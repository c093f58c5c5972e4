"""Follow, unfollow, QR scenes nobody handles, help and the fallback."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from bot.dialogs import basics_texts as texts
from bot.dialogs import enterprise_texts, profile_texts, registration_texts
from bot.dispatch import Registry
from bot.services import talents
from tests.bot.dialogs.conftest import Chat


def test_follow_gets_a_welcome_offering_registration(chat: Chat) -> None:
    reply = chat.send(kind="event", event="subscribe")
    assert reply == texts.WELCOME
    assert "注册" in reply


def test_follow_through_an_unknown_scene_is_welcomed_with_a_note(chat: Chat) -> None:
    reply = chat.send(kind="event", event="subscribe", event_key="nobody-handles-this")
    assert reply.startswith(texts.WELCOME) and texts.UNKNOWN_SCENE in reply


def test_scan_of_an_unknown_scene_gets_a_polite_answer(chat: Chat) -> None:
    assert chat.send(kind="event", event="SCAN", event_key="expired-42") == texts.UNKNOWN_SCENE


def test_a_registered_scene_handler_wins_over_the_basics(
    chat: Chat, chat_registry: Registry
) -> None:
    chat_registry.scene("test-scene-")(lambda ctx: f"签到 {ctx.message.event_key}")
    assert chat.send(kind="event", event="SCAN", event_key="test-scene-7") == "签到 test-scene-7"


def test_unfollow_stops_sending_to_the_person(chat: Chat, db_session: Session) -> None:
    talent = talents.create_talent(db_session, name="李娜", openid=chat.openid)
    assert chat.send(kind="event", event="unsubscribe") == ""
    assert talent.is_following is False


def test_unfollow_of_a_stranger_is_quiet(chat: Chat) -> None:
    assert chat.send(kind="event", event="unsubscribe") == ""


@pytest.mark.parametrize("word", ["帮助", "help", "？", "菜单"])
def test_help_lists_what_one_can_do(chat: Chat, word: str) -> None:
    reply = chat.send(word)
    assert reply == texts.HELP
    for command in ("注册", "我的资料", "企业需求", "帮助"):
        assert command in reply


def test_help_button(chat: Chat) -> None:
    assert chat.click("HELP") == texts.HELP


@pytest.mark.parametrize("kind", ["image", "location", "link", "video", "shortvideo", "unknown"])
def test_messages_that_are_not_text_get_the_menu(chat: Chat, kind: str) -> None:
    assert chat.send(kind=kind) == texts.NOT_TEXT


def test_text_nobody_understands_gets_the_menu(chat: Chat) -> None:
    assert chat.send("今天天气怎么样") == texts.NOT_UNDERSTOOD


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("你好，请问怎么登记？", registration_texts.CONSENT.splitlines()[0]),
        ("我想加入人才库", registration_texts.CONSENT.splitlines()[0]),
        ("我想把我的资料删掉", profile_texts.NOT_REGISTERED),
        ("我们企业有个技术难题想找专家", enterprise_texts.INTRO.splitlines()[0]),
    ],
)
def test_a_sentence_that_clearly_asks_for_a_feature_starts_it(
    chat: Chat, sentence: str, expected: str
) -> None:
    assert expected in chat.send(sentence)


def test_a_sentence_that_only_hints_at_a_feature_is_pointed_at_its_command(chat: Chat) -> None:
    reply = chat.send("怎么修改手机号码")
    assert "“我的资料”" in reply
    assert reply != texts.NOT_UNDERSTOOD and len(reply) < len(texts.NOT_UNDERSTOOD)


def test_greetings_and_thanks_get_a_friendly_answer(chat: Chat) -> None:
    assert chat.send("您好").startswith("您好！")
    assert chat.send("谢谢！").startswith("不客气")


def test_recognised_voice_is_read_as_text(chat: Chat) -> None:
    assert chat.send("帮助", kind="voice") == texts.HELP
    assert chat.send("", kind="voice") == texts.NOT_TEXT


def test_unknown_button_gets_the_menu_and_other_events_get_nothing(chat: Chat) -> None:
    assert chat.click("NO_SUCH_KEY") == texts.UNKNOWN_BUTTON
    assert chat.send(kind="event", event="VIEW", event_key="http://example.com/") == ""
    assert chat.send(kind="event", event="LOCATION") == ""
