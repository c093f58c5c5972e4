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
    parse_xml,
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


# --- issue 11: never drop or garble a message -------------------------------------------------


@pytest.mark.parametrize("control", ["\x08", "\x00", "\x1b", "\x0b", "\ufffe"])
def test_characters_xml_forbids_are_dropped_and_the_text_kept(control: str) -> None:
    body = _xml(MsgType="text", Content=f"帮{control}助", MsgId=11)
    message = parse_message(body)
    assert (message.kind, message.text, message.msg_id) == ("text", "帮助", "11")


def test_tab_and_newline_stay() -> None:
    assert parse_message(_xml(MsgType="text", Content="a\tb\nc", MsgId=1)).content == "a\tb\nc"


@pytest.mark.parametrize(
    ("given", "documented"),
    [
        ("scan", "SCAN"),
        ("Scan", "SCAN"),
        ("SUBSCRIBE", "subscribe"),
        ("click", "CLICK"),
        ("Unsubscribe", "unsubscribe"),
        ("SCANCODE_PUSH", "scancode_push"),
    ],
)
def test_event_names_are_read_in_any_case(given: str, documented: str) -> None:
    message = parse_message(_xml(MsgType="event", Event=given, EventKey="k"))
    assert message.event == documented


def test_scene_prefix_is_removed_for_subscribe_and_scan_alike() -> None:
    for event, key in [("subscribe", "qrscene_7"), ("SCAN", "qrscene_7"), ("scan", "QRSCENE_7")]:
        assert parse_message(_xml(MsgType="event", Event=event, EventKey=key)).event_key == "7"
    # A menu key that happens to start like a scene is left as it is.
    click = parse_message(_xml(MsgType="event", Event="CLICK", EventKey="qrscene_menu"))
    assert click.event_key == "qrscene_menu"


def test_msg_id_is_read_in_both_spellings() -> None:
    assert parse_message(_xml(MsgType="text", Content="x", MsgID=42)).msg_id == "42"
    with pytest.raises(MalformedMessage):
        parse_message(_xml(MsgType="text", Content="x", MsgId=42, MsgID=43))


def test_scan_and_SCAN_share_one_identity() -> None:
    lower = parse_message(_xml(MsgType="event", Event="scan", EventKey="qrscene_9"))
    upper = parse_message(_xml(MsgType="event", Event="SCAN", EventKey="9"))
    assert delivery_key(lower) == delivery_key(upper)


# Pairs of different messages whose naive identities (sender:time:event:key) were equal.
DISTINCT_PAIRS = [
    (  # two texts without MsgId in the same second
        _xml(MsgType="text", Content="注册"),
        _xml(MsgType="text", Content="注销"),
    ),
    (  # two template sends finishing in the same second
        _xml(MsgType="event", Event="TEMPLATESENDJOBFINISH", MsgID=1, Status="success"),
        _xml(MsgType="event", Event="TEMPLATESENDJOBFINISH", MsgID=2, Status="success"),
    ),
    (  # an event's id next to a message with the same number
        _xml(MsgType="event", Event="MASSSENDJOBFINISH", MsgID=5),
        _xml(MsgType="text", Content="x", MsgId=5),
    ),
    (  # a separator moved between event name and key
        _xml(MsgType="event", Event="CLICK", EventKey="a:b"),
        _xml(MsgType="event", Event="CLICK", EventKey="a", FromUserName="o-1:b"),
    ),
]


@pytest.mark.parametrize(("first", "second"), DISTINCT_PAIRS)
def test_no_two_distinct_messages_share_a_delivery_key(first: str, second: str) -> None:
    keys = []
    for body in (first, second):
        try:
            keys.append(delivery_key(parse_message(body)))
        except MalformedMessage:
            keys.append(None)  # refused outright: it cannot take another message's place
    assert keys[0] is not None
    assert keys[0] != keys[1]


def test_delivery_keys_are_unique_over_many_generated_messages() -> None:
    import itertools

    seen: dict[str, str] = {}
    contents = ["注册", "注销", "a:b", "", "帮助"]
    events = ["subscribe", "SCAN", "CLICK", "VIEW", "TEMPLATESENDJOBFINISH"]
    keys_ = ["", "1", "1:2", "qrscene_1", "x" * 300]
    for openid, create_time in itertools.product(["o-1", "o-2", "o-12"], [1, 12, 112]):
        bodies = [
            _xml(FromUserName=openid, CreateTime=create_time, MsgType="text", Content=c)
            for c in contents
        ]
        bodies += [
            _xml(FromUserName=openid, CreateTime=create_time, MsgType="event", Event=e, EventKey=k)
            for e in events
            for k in keys_
        ]
        for body in bodies:
            message = parse_message(body)
            identity = repr(
                (
                    message.openid,
                    message.create_time,
                    message.kind,
                    message.content,
                    message.event,
                    message.event_key,
                )
            )
            key = delivery_key(message)
            assert seen.setdefault(key, identity) == identity


def _as_xmltodict_reads(xml: str) -> object:
    """The fields as xmltodict (wechatpy's reader, and ours before ElementTree) reads them."""
    return xmltodict.parse(xml, disable_entities=True)["xml"]


READER_SAMPLES = [
    message_xml(
        {"ToUserName": "gh_1", "FromUserName": "o-1", "CreateTime": "1", "MsgType": "text"}
        | {"Content": "  前后有空格  <b>&</b>", "MsgId": "10000000000000001"}
    ),
    "<xml><ToUserName><![CDATA[gh_1]]></ToUserName><Content><![CDATA[]]></Content></xml>",
    "<xml><A>1</A><B/><C>  </C><!-- a comment --><D>x<![CDATA[ y ]]>z</D></xml>",
    "<xml><ScanCodeInfo><ScanType>qrcode</ScanType><ScanResult>r</ScanResult></ScanCodeInfo></xml>",
    "<xml><SendPicsInfo><Count>2</Count><PicList><item><PicMd5Sum>a</PicMd5Sum></item>"
    "<item><PicMd5Sum>b</PicMd5Sum></item></PicList></SendPicsInfo></xml>",
    '<xml><Content lang="zh">有属性</Content><E a="1"/><F>前<G>中</G>后</F></xml>',
    "<xml><Location_X>23.1</Location_X>\n  <Location_Y>113.3</Location_Y>\n</xml>",
]


@pytest.mark.parametrize("xml", READER_SAMPLES)
def test_the_fields_are_read_as_xmltodict_reads_them(xml: str) -> None:
    assert parse_xml(xml.encode("utf-8")) == _as_xmltodict_reads(xml)


def test_a_body_in_another_encoding_is_refused_before_parsing() -> None:
    # UTF-16 with a byte-order mark would carry a DOCTYPE past a check on the raw bytes.
    hidden = '<!DOCTYPE xml [<!ENTITY a "b">]><xml><FromUserName>&a;</FromUserName></xml>'
    with pytest.raises(MalformedMessage, match="UTF-8"):
        parse_xml(hidden.encode("utf-16"))
