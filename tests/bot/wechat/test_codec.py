"""Reading WeChat's XML into Incoming, signatures, reply rendering and the stored delivery key."""

from __future__ import annotations

import pytest
import xmltodict
from wechatpy.crypto import WeChatCrypto

from bot.dispatch import Incoming
from bot.services.inbound import MAX_KEY_LENGTH, delivery_key
from bot.wechat.codec import (
    ForgedMessage,
    MalformedMessage,
    open_envelope,
    parse_message,
    render_text_reply,
    sign,
    signature_matches,
)
from devtools.simulator import message_xml
from tests.conftest import TEST_WECHAT
from tests.webhooks.test_callback import (
    VECTOR_ENCRYPT,
    VECTOR_MSG_SIGNATURE,
    VECTOR_NONCE,
    VECTOR_TIMESTAMP,
)


def _xml(**fields: str | int) -> str:
    base: dict[str, str | int] = {"ToUserName": "gh", "FromUserName": "o-1", "CreateTime": 100}
    base.update(fields)
    return message_xml(base)


def test_plain_signature_vector() -> None:
    expected = sign("test", "1410685589", "test")
    assert expected == "f21891de399b4e33a1a93c9a7b8a8fffb5a443ff"
    assert signature_matches(expected, "f21891de399b4e33a1a93c9a7b8a8fffb5a443ff")
    assert not signature_matches(expected, "f21891de399b4e33a1a93c9a7b8a8fffb5a443fe")
    assert not signature_matches(expected, "签名")  # non-ASCII input is refused, not raised


def test_safe_mode_vector_decrypts_to_messense_test() -> None:
    crypto = WeChatCrypto(
        TEST_WECHAT["token"], TEST_WECHAT["encoding_aes_key"], TEST_WECHAT["appid"]
    )
    plain = open_envelope(
        crypto,
        {"Encrypt": VECTOR_ENCRYPT},
        token=TEST_WECHAT["token"],
        msg_signature=VECTOR_MSG_SIGNATURE,
        timestamp=VECTOR_TIMESTAMP,
        nonce=VECTOR_NONCE,
    )
    message = parse_message(plain)
    assert (message.openid, message.kind, message.content, message.msg_id) == (
        "messense",
        "text",
        "test",
        "4363689963896700987",
    )
    with pytest.raises(ForgedMessage):
        open_envelope(
            crypto,
            {"Encrypt": VECTOR_ENCRYPT},
            token=TEST_WECHAT["token"],
            msg_signature=VECTOR_MSG_SIGNATURE[:-1] + "0",
            timestamp=VECTOR_TIMESTAMP,
            nonce=VECTOR_NONCE,
        )
    other = WeChatCrypto(TEST_WECHAT["token"], TEST_WECHAT["encoding_aes_key"], "wxother")
    with pytest.raises(ForgedMessage):
        open_envelope(
            other,
            {"Encrypt": VECTOR_ENCRYPT},
            token=TEST_WECHAT["token"],
            msg_signature=VECTOR_MSG_SIGNATURE,
            timestamp=VECTOR_TIMESTAMP,
            nonce=VECTOR_NONCE,
        )


def test_text_message() -> None:
    message = parse_message(_xml(MsgType="text", Content="注册", MsgId=42))
    assert message == Incoming(
        openid="o-1",
        kind="text",
        create_time=100,
        content="注册",
        msg_id="42",
        raw=message.raw,
    )
    assert message.dedup_key == "msg:42"


def test_voice_with_recognition_is_text_and_without_it_is_not() -> None:
    recognised = parse_message(_xml(MsgType="voice", MediaId="m", Recognition="帮助", MsgId=1))
    silent = parse_message(_xml(MsgType="voice", MediaId="m", MsgId=2))
    assert (recognised.is_text, recognised.text) == (True, "帮助")
    assert (silent.is_text, silent.text) == (False, "")


def test_subscribe_through_a_qr_code_carries_the_scene() -> None:
    message = parse_message(_xml(MsgType="event", Event="subscribe", EventKey="qrscene_event-7"))
    assert (message.kind, message.event, message.event_key) == ("event", "subscribe", "event-7")
    assert message.msg_id is None
    assert message.dedup_key == "evt:o-1:100:subscribe:event-7"
    scan = parse_message(_xml(MsgType="event", Event="SCAN", EventKey="event-7", Ticket="t"))
    assert (scan.event, scan.event_key) == ("SCAN", "event-7")


def test_unknown_message_type_becomes_unknown() -> None:
    assert parse_message(_xml(MsgType="miniprogrampage", MsgId=3)).kind == "unknown"


@pytest.mark.parametrize(
    "body",
    [
        '<!DOCTYPE xml [<!ENTITY a "b">]><xml><FromUserName>&a;</FromUserName></xml>',
        "<!DOCTYPE xml><xml><FromUserName>o</FromUserName></xml>",
        "<xml><FromUserName>o</FromUserName>",
        "<xml><FromUserName>o</FromUserName><FromUserName>p</FromUserName></xml>",
        "<xml>text only</xml>",
        "<xml><FromUserName>o</FromUserName><CreateTime>x</CreateTime></xml>",
        "<xml><FromUserName><a>nested</a></FromUserName><CreateTime>1</CreateTime></xml>",
        _xml(MsgType="text", FromUserName="o" * 65),
        "",
    ],
)
def test_malformed_bodies_are_refused(body: str) -> None:
    with pytest.raises(MalformedMessage):
        parse_message(body)


def test_reply_text_cannot_break_out_of_cdata() -> None:
    sneaky = "好]]><MsgType>news</MsgType><![CDATA["
    xml = render_text_reply(to_user="o]]>x", from_user="gh", content=sneaky, create_time=1)
    fields = xmltodict.parse(xml)["xml"]
    assert (fields["ToUserName"], fields["Content"], fields["MsgType"]) == (
        "o]]>x",
        sneaky,
        "text",
    )


def test_long_event_identity_is_hashed_to_fit_the_column() -> None:
    message = parse_message(_xml(MsgType="event", Event="VIEW", EventKey="http://x/" + "a" * 500))
    key = delivery_key(message)
    assert len(key) <= MAX_KEY_LENGTH and key.startswith("sha256:")
    assert delivery_key(parse_message(_xml(MsgType="text", MsgId=9))) == "msg:9"
