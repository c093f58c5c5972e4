"""The WeChat callback: verification, the three modes, refusals, attacks and de-duplication."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db import utcnow
from bot.dialogs import basics_texts
from bot.models import InboundMessage, OutboxMessage, OutboxStatus
from bot.services import outbox, talents
from bot.wechat.codec import sign
from devtools.simulator import SignedRequest, WeChatUser, message_xml
from tests.conftest import TEST_WECHAT, app_overrides
from tests.webhooks.conftest import CountingHandler, MakeUser, Phone, inbound_count
from webhooks import callback as callback_view
from webhooks import create_app
from webhooks.callback import SORRY

# WECHAT.md: wechatpy's safe-mode decrypt vector.
VECTOR_TIMESTAMP = "1411525903"
VECTOR_NONCE = "461056294"
VECTOR_MSG_SIGNATURE = "74d92dfeb87ba7c714f89d98870ae5eb62dff26d"
VECTOR_ENCRYPT = (
    "RgqEoJj5A4EMYlLvWO1F86ioRjZfaex/gePD0gOXTxpsq5Yj4GNglrBb8I2BAJVODGajiFnXBu7mCPatfjsu6IHCrs"
    "TyeDXzF6Bv283dGymzxh6ydJRvZsryDyZbLTE7rhnus50qGPMfp2wASFlzEgMW9z1ef/RD8XzaFYgm7iTdaXpXaG4+B"
    "iYyolBug/gYNx410cvkKR2/nPwBiT+P4hIiOAQqGp/TywZBtDh1yCF2KOd0gpiMZ5jSw3e29mTvmUHzkVQiMS6td7vX"
    "UaWOMZnYZlF3So2SjHnwh4jYFxdgpkHHqIrH/54SNdshoQgWYEvccTKe7FS709/5t6NMxuGhcUGAPOQipvWTT4dShyq"
    "io7mlsl5noTrb++x6En749zCpQVhDpbV6GDnTbcX2e8K9QaNWHp91eBdCRxthuL0="
)


@pytest.fixture
def vector_app(database_url: str) -> Iterator[Flask]:
    """Yield an app with token ``test`` (the plain signature vector); GET only."""
    app = create_app(app_overrides(database_url, wechat={"token": "test"}))
    app.config["TESTING"] = True
    yield app
    app.extensions["huaicai"].database.dispose()


def _freeze(monkeypatch: pytest.MonkeyPatch, timestamp: str) -> None:
    monkeypatch.setattr(callback_view, "current_time", lambda: float(timestamp))


def test_server_check_with_the_public_vector(
    vector_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    _freeze(monkeypatch, "1410685589")
    client = vector_app.test_client()
    query = {"timestamp": "1410685589", "nonce": "test", "echostr": "hello-wechat"}
    good = client.get(
        "/wechat", query_string={**query, "signature": "f21891de399b4e33a1a93c9a7b8a8fffb5a443ff"}
    )
    bad = client.get(
        "/wechat", query_string={**query, "signature": "f21891de399b4e33a1a93c9a7b8a8fffb5a443fe"}
    )
    assert (good.status_code, good.get_data(as_text=True)) == (200, "hello-wechat")
    assert bad.status_code == 403


def test_server_check_refuses_a_stale_timestamp(client: FlaskClient, wechat_user: MakeUser) -> None:
    user = wechat_user()
    request = user.verification("echo", timestamp=int(user.clock()) - 301)
    assert client.get("/wechat", query_string=request.query).status_code == 403
    fresh = user.verification("echo")
    assert client.get("/wechat", query_string=fresh.query).get_data(as_text=True) == "echo"


def test_safe_mode_vector_is_decrypted_and_answered_encrypted(
    client: FlaskClient, db_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    _freeze(monkeypatch, VECTOR_TIMESTAMP)
    query = {
        "timestamp": VECTOR_TIMESTAMP,
        "nonce": VECTOR_NONCE,
        "signature": sign(TEST_WECHAT["token"], VECTOR_TIMESTAMP, VECTOR_NONCE),
        "encrypt_type": "aes",
        "msg_signature": VECTOR_MSG_SIGNATURE,
    }
    body = message_xml({"ToUserName": "wx49f0ab532d5d035a", "Encrypt": VECTOR_ENCRYPT})
    response = client.post("/wechat", query_string=query, data=body)

    assert response.status_code == 200
    raw = response.get_data(as_text=True)
    assert "<Encrypt>" in raw and "messense" not in raw
    user = WeChatUser(
        token=TEST_WECHAT["token"],
        appid=TEST_WECHAT["appid"],
        encoding_aes_key=TEST_WECHAT["encoding_aes_key"],
        mode="safe",
    )
    reply = user.read_reply(response.status_code, raw)
    assert reply.fields["ToUserName"] == "messense"
    assert reply.text == basics_texts.NOT_UNDERSTOOD  # "test" is nothing we know
    stored = db_session.scalars(select(InboundMessage)).one()
    assert (stored.dedup_key, stored.openid, stored.status) == (
        "msg:4363689963896700987",
        "messense",
        "handled",
    )


@pytest.mark.parametrize("mode", ["plain", "compatible", "safe"])
def test_each_mode_round_trips(
    client: FlaskClient, db_session: Session, wechat_user: MakeUser, mode: str
) -> None:
    phone = Phone(client, wechat_user(mode))
    request = phone.user.text("帮助")
    response = phone.post(request)
    raw = response.get_data(as_text=True)
    assert (mode == "plain") == ("<Encrypt>" not in raw)
    reply = phone.user.read_reply(response.status_code, raw)
    assert reply.text == basics_texts.HELP
    assert reply.fields["ToUserName"] == phone.user.openid
    assert reply.fields["FromUserName"] == phone.user.account
    assert inbound_count(db_session) == 1


REFUSALS: dict[str, Callable[[WeChatUser], dict[str, str]]] = {
    "stale timestamp": lambda user: {"timestamp": str(int(user.clock()) - 301)},
    "future timestamp": lambda user: {"timestamp": str(int(user.clock()) + 301)},
    "timestamp not a number": lambda user: {"timestamp": "yesterday"},
    "forged signature": lambda user: {"signature": "0" * 40},
    "no signature": lambda user: {"signature": ""},
    "forged msg_signature": lambda user: {"msg_signature": "f" * 40},
    "unknown encrypt_type": lambda user: {"encrypt_type": "rot13"},
}


@pytest.mark.parametrize("refusal", sorted(REFUSALS))
def test_unauthentic_requests_are_refused_and_nothing_is_stored(
    client: FlaskClient, db_session: Session, wechat_user: MakeUser, refusal: str
) -> None:
    user = wechat_user("safe")
    request = user.text("注册")
    tampered = {**request.query, **REFUSALS[refusal](user)}
    if refusal == "stale timestamp" or refusal == "future timestamp":
        # Re-sign with the bad timestamp so only freshness is wrong.
        stamp, nonce = tampered["timestamp"], tampered["nonce"]
        tampered["signature"] = sign(TEST_WECHAT["token"], stamp, nonce)
    response = client.post("/wechat", query_string=tampered, data=request.body)
    assert response.status_code == 403
    assert inbound_count(db_session) == 0


def test_message_encrypted_for_another_appid_is_refused(
    client: FlaskClient, db_session: Session, wechat_user: MakeUser
) -> None:
    user = wechat_user("safe")
    fields: dict[str, str | int] = {
        "ToUserName": "gh",
        "FromUserName": user.openid,
        "CreateTime": int(user.clock()),
        "MsgType": "text",
        "Content": "注册",
        "MsgId": 1,
    }
    request = user.sign_body(message_xml(fields), appid="wx0000000000000bad")
    response = client.post("/wechat", query_string=request.query, data=request.body)
    assert response.status_code == 403
    assert inbound_count(db_session) == 0


def test_body_over_the_cap_is_refused_by_its_length(
    client: FlaskClient, db_session: Session, wechat_user: MakeUser
) -> None:
    request = wechat_user().text("长" * 30_000)  # 90 kB of UTF-8, cap 64 KiB
    response = client.post("/wechat", query_string=request.query, data=request.body)
    assert response.status_code == 413
    assert inbound_count(db_session) == 0


BOMB = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    "<xml><ToUserName>gh</ToUserName><FromUserName>o-bomb</FromUserName>"
    "<CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&lol3;</Content>"
    "<MsgId>1</MsgId></xml>"
)
EXTERNAL_ENTITY = (
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    "<xml><FromUserName>o-x</FromUserName><CreateTime>1</CreateTime>"
    "<MsgType>text</MsgType><Content>&e;</Content><MsgId>2</MsgId></xml>"
)
UNREADABLE = {
    "entity bomb": BOMB,
    "external entity": EXTERNAL_ENTITY,
    "not xml": "hello, this is not xml",
    "unclosed": "<xml><FromUserName>o-x</FromUserName><MsgType>text",
    "empty": "",
    "wrong root": "<message><MsgType>text</MsgType></message>",
    "repeated field": (
        "<xml><FromUserName>a</FromUserName><FromUserName>b</FromUserName>"
        "<CreateTime>1</CreateTime><MsgType>text</MsgType><MsgId>3</MsgId></xml>"
    ),
    "no sender": "<xml><CreateTime>1</CreateTime><MsgType>text</MsgType><MsgId>4</MsgId></xml>",
    "bad time": (
        "<xml><FromUserName>o</FromUserName><CreateTime>soon</CreateTime>"
        "<MsgType>text</MsgType><MsgId>5</MsgId></xml>"
    ),
    "event without name": (
        "<xml><FromUserName>o</FromUserName><CreateTime>1</CreateTime>"
        "<MsgType>event</MsgType></xml>"
    ),
}


@pytest.mark.parametrize("mode", ["plain", "safe"])
@pytest.mark.parametrize("case", sorted(UNREADABLE))
def test_unreadable_bodies_get_success_and_store_nothing(
    client: FlaskClient, db_session: Session, wechat_user: MakeUser, case: str, mode: str
) -> None:
    request = wechat_user(mode).sign_body(UNREADABLE[case])
    response = client.post("/wechat", query_string=request.query, data=request.body)
    assert (response.status_code, response.get_data(as_text=True)) == (200, "success")
    assert inbound_count(db_session) == 0


def test_garbage_ciphertext_with_a_valid_signature_gets_success(
    client: FlaskClient, db_session: Session, wechat_user: MakeUser
) -> None:
    user = wechat_user("safe")
    request = user.text("hi")
    encrypted = "bm90IGEgY2lwaGVydGV4dA=="
    query = {
        **request.query,
        "msg_signature": sign(
            TEST_WECHAT["token"], request.query["timestamp"], request.query["nonce"], encrypted
        ),
    }
    body = message_xml({"ToUserName": "gh", "Encrypt": encrypted})
    response = client.post("/wechat", query_string=query, data=body)
    assert response.get_data(as_text=True) == "success"
    assert inbound_count(db_session) == 0


def test_unknown_message_type_gets_a_polite_answer(phone: Phone) -> None:
    fields: dict[str, str | int] = {
        "ToUserName": "gh",
        "FromUserName": phone.user.openid,
        "CreateTime": int(phone.user.clock()),
        "MsgType": "miniprogrampage",
        "Title": "小程序",
        "MsgId": 77,
    }
    assert phone.send(phone.user.request(fields)).text == basics_texts.NOT_TEXT


def test_retried_message_gets_the_same_reply_and_is_handled_once(
    phone: Phone, db_session: Session, command: Callable[..., CountingHandler]
) -> None:
    handler = command("计数", reply="第一次的回复", followups=("稍后补充",))
    request = phone.user.text("计数")
    replies = [phone.send(request).text for _ in range(3)]
    assert replies == ["第一次的回复"] * 3
    assert handler.calls == 1
    assert inbound_count(db_session) == 1
    queued = db_session.scalars(select(OutboxMessage)).all()
    assert [(m.dedupe_key, m.payload["content"]) for m in queued] == [
        (f"followup:msg:{_msg_id(request.body)}:0", "稍后补充")
    ]


def _msg_id(body: bytes) -> str:
    return body.decode("utf-8").split("<MsgId>")[1].split("</MsgId>")[0]


def test_retried_event_is_handled_once(phone: Phone, db_session: Session) -> None:
    request = phone.user.subscribe()
    first, second = phone.send(request), phone.send(request)
    assert first.text == second.text == basics_texts.WELCOME
    stored = db_session.scalars(select(InboundMessage)).one()
    assert stored.dedup_key.startswith(f"evt:{phone.user.openid}:")


def test_failing_handler_gets_an_apology_and_leaves_nothing(
    phone: Phone, db_session: Session, command: Callable[..., CountingHandler]
) -> None:
    handler = command("坏了", fail=True)
    request = phone.user.text("坏了")
    assert phone.send(request).text == SORRY
    assert inbound_count(db_session) == 0
    handler.fail = False
    assert phone.send(request).text == "收到"  # WeChat's retry is handled afresh
    assert handler.calls == 2


def test_message_opens_the_window_and_releases_deferred_messages(
    phone: Phone, db_session: Session
) -> None:
    talent = talents.create_talent(db_session, name="王芳", openid=phone.user.openid)
    talent.is_following = False
    long_ago = utcnow() - timedelta(days=3)
    talent.last_interaction_at = long_ago
    message = outbox.enqueue(
        db_session,
        kind="text",
        openid=phone.user.openid,
        payload={"content": "活动邀请"},
        dedupe_key="deferred-1",
    )
    message.status = OutboxStatus.DEFERRED
    db_session.commit()
    profile_changed_at = talent.updated_at

    phone.say("你们是做什么的")

    db_session.expire_all()
    assert talent.last_interaction_at is not None and talent.last_interaction_at > long_ago
    assert talent.is_following
    # A message is no profile change: the match index, which syncs on updated_at, is left alone.
    assert talent.updated_at == profile_changed_at
    assert talent.openid == phone.user.openid
    assert db_session.get(OutboxMessage, message.id).status is OutboxStatus.PENDING  # type: ignore[union-attr]


def test_replayed_request_is_refused_once_outside_the_window(
    phone: Phone, db_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    request = phone.user.text("帮助")
    sent_at = float(request.query["timestamp"])
    monkeypatch.setattr(callback_view, "current_time", lambda: sent_at + 60)
    assert phone.send(request).text == basics_texts.HELP  # a retry inside the window
    monkeypatch.setattr(callback_view, "current_time", lambda: sent_at + 301)
    assert phone.post(request).status_code == 403
    assert inbound_count(db_session) == 1


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        (lambda user: user.subscribe(), basics_texts.WELCOME),
        (lambda user: user.subscribe("no-such-scene"), basics_texts.UNKNOWN_SCENE),
        (lambda user: user.scan("no-such-scene"), basics_texts.UNKNOWN_SCENE),
        (lambda user: user.voice("帮助"), basics_texts.HELP),
        (lambda user: user.voice(), basics_texts.NOT_TEXT),
        (lambda user: user.image(), basics_texts.NOT_TEXT),
        (lambda user: user.location(), basics_texts.NOT_TEXT),
        (lambda user: user.click("HELP"), basics_texts.HELP),
        (lambda user: user.event("VIEW", "http://example.com/"), ""),
    ],
    ids=["subscribe", "unknown-scene", "scan", "voice", "mute-voice", "image", "location",
         "help-button", "view"],
)  # fmt: skip
def test_messages_and_events_through_the_callback(
    phone: Phone, action: Callable[[WeChatUser], SignedRequest], expected: str
) -> None:
    reply = phone.send(action(phone.user)).text
    assert expected in reply if expected else reply == ""


def test_unfollow_through_the_callback_answers_success(phone: Phone, db_session: Session) -> None:
    talent = talents.create_talent(db_session, name="赵强", openid=phone.user.openid)
    response = phone.post(phone.user.unsubscribe())
    assert response.get_data(as_text=True) == "success"
    db_session.expire_all()
    assert talent.is_following is False
