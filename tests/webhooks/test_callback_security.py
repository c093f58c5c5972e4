"""The callback as an attacker and an operator see it: replayed signed query strings, message
modes, control characters, event-name case, a wrong or missing EncodingAESKey, access logs."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from bot.dialogs import basics_texts
from bot.models import CallbackNonce, InboundMessage
from bot.services.replay_guard import LocalPairStore, RedisPairStore, Verdict
from devtools.simulator import SignedRequest, message_xml
from tests.conftest import app_overrides
from tests.webhooks.conftest import MakeUser, Phone, inbound_count
from tests.wechat_fixtures import REDIS_URL
from webhooks import callback as callback_view
from webhooks import create_app, gunicorn_conf
from webhooks.extensions import runtime

OTHER_KEY = "A" * 42 + "0"  # 43 characters, a valid but different EncodingAESKey


@pytest.fixture
def make_app(
    database_url: str, db_connection: Connection, tmp_path: Path
) -> Iterator[Callable[..., Flask]]:
    """Return a starter of apps with ``wechat`` overrides, sharing the test's transaction."""
    apps: list[Flask] = []

    def start(**wechat: Any) -> Flask:
        wechat.setdefault("spool_dir", str(tmp_path / "spool"))
        app = create_app(app_overrides(database_url, wechat=wechat))
        app.config["TESTING"] = True
        with app.app_context():
            runtime().database.sessionmaker.configure(
                bind=db_connection, join_transaction_mode="create_savepoint"
            )
        apps.append(app)
        return app

    yield start
    for app in apps:
        app.extensions["huaicai"].database.dispose()


def _post(client: FlaskClient, request: SignedRequest) -> Any:
    return client.post("/wechat", query_string=request.query, data=request.body)


# --- issue 10 item 1: a signed query string is bound to its body -----------------------------


def test_signed_query_replayed_with_another_body_is_refused(
    client: FlaskClient, db_session: Session, wechat_user: MakeUser
) -> None:
    victim, attacker = wechat_user(), wechat_user()
    seen = victim.text("帮助")
    assert _post(client, seen).status_code == 200
    # The attacker reuses the signed query string (from a log) with a body of their choosing.
    forged_body = attacker.text("我的资料").body.replace(
        attacker.openid.encode(), victim.openid.encode()
    )
    assert forged_body != seen.body
    forged = SignedRequest(seen.query, forged_body, seen.nonce)
    assert _post(client, forged).status_code == 403
    assert inbound_count(db_session) == 1
    # WeChat's own retry (same pair, same body) is answered from the de-duplication cache.
    retry = _post(client, seen)
    assert retry.status_code == 200
    assert victim.read_reply(200, retry.get_data()).text == basics_texts.HELP
    assert inbound_count(db_session) == 1
    assert db_session.scalar(select(func.count()).select_from(CallbackNonce)) == 1


def test_pairs_are_bound_in_redis_when_configured(redis_key_prefix: str) -> None:
    store = RedisPairStore(redis.Redis.from_url(REDIS_URL), key_prefix=redis_key_prefix)
    try:
        assert store.bind(1700000000, "n1", "a" * 64, 601) is Verdict.FIRST
        assert store.bind(1700000000, "n1", "a" * 64, 601) is Verdict.RETRY
        assert store.bind(1700000000, "n1", "b" * 64, 601) is Verdict.REPLAY
        assert store.bind(1700000000, "n2", "b" * 64, 601) is Verdict.FIRST
    finally:
        store.redis.close()


def test_local_fallback_binds_pairs_across_stores_on_one_machine(tmp_path: Path) -> None:
    first, second = LocalPairStore(tmp_path), LocalPairStore(tmp_path)
    assert first.bind(1, "n", "a", 601) is Verdict.FIRST
    assert second.bind(1, "n", "a", 601) is Verdict.RETRY
    assert second.bind(1, "n", "b", 601) is Verdict.REPLAY


# --- issue 10 item 2: the configured message mode --------------------------------------------


@pytest.mark.parametrize(
    ("configured", "allowed"),
    [
        # Only the decrypted fields are read, so the plaintext copy a compatible-mode body also
        # carries is ignored rather than refused; a request without encryption is refused.
        ("safe", {"compatible", "safe"}),
        ("", {"compatible", "safe"}),  # a key without a mode means safe mode
        ("compatible", {"plain", "compatible", "safe"}),
        ("plaintext", {"plain"}),
    ],
)
def test_requests_of_a_mode_the_configuration_refuses_get_403(
    make_app: Callable[..., Flask], wechat_user: MakeUser, configured: str, allowed: set[str]
) -> None:
    client = make_app(message_mode=configured).test_client()
    for mode in ("plain", "compatible", "safe"):
        phone = Phone(client, wechat_user(mode))
        status = phone.post(phone.user.text("帮助")).status_code
        assert status == (200 if mode in allowed else 403), mode


# --- issue 11: never drop or garble a message ------------------------------------------------


def test_control_character_in_the_text_is_dropped_and_answered(
    phone: Phone, db_session: Session
) -> None:
    assert phone.say("帮\x08助") == basics_texts.HELP
    assert inbound_count(db_session) == 1


@pytest.mark.parametrize("mode", ["plain", "safe"])
def test_control_characters_in_decrypted_bodies_too(
    client: FlaskClient, wechat_user: MakeUser, mode: str
) -> None:
    phone = Phone(client, wechat_user(mode))
    assert phone.say("帮\x01助\x1f") == basics_texts.HELP


def test_scan_in_lower_case_is_answered_like_SCAN(
    client: FlaskClient, wechat_user: MakeUser
) -> None:
    upper = Phone(client, wechat_user())
    lower = Phone(client, wechat_user())
    expected = upper.send(upper.user.event("SCAN", "no-such-scene")).text
    assert expected
    assert lower.send(lower.user.event("scan", "no-such-scene")).text == expected


def test_same_second_events_with_different_keys_are_both_handled(
    phone: Phone, db_session: Session
) -> None:
    clock = phone.user.clock
    frozen = int(clock())
    phone.user.clock = lambda: frozen
    try:
        phone.send(phone.user.click("HELP"))
        phone.send(phone.user.event("SCAN", "x"))
    finally:
        phone.user.clock = clock
    assert inbound_count(db_session) == 2


# --- issue 11: a wrong or missing EncodingAESKey ---------------------------------------------


def test_wrong_key_is_logged_once_a_minute_and_shown_in_healthz(
    make_app: Callable[..., Flask],
    wechat_user: MakeUser,
    db_session: Session,
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = make_app(encoding_aes_key=OTHER_KEY, message_mode="safe")
    client = app.test_client()
    assert client.get("/healthz").get_json()["wechat"]["ok"] is True
    phone = Phone(client, wechat_user("safe"))
    with caplog.at_level(logging.ERROR, logger="webhooks.callback"):
        for text in ("帮助", "注册", "我的资料"):
            response = phone.post(phone.user.text(text))
            assert (response.status_code, response.get_data(as_text=True)) == (200, "success")
    errors = [r.getMessage() for r in caplog.records if r.name == "webhooks.callback"]
    assert len(errors) == 1
    assert "EncodingAESKey" in errors[0] and "appid" not in errors[0]
    health = client.get("/healthz").get_json()
    assert health["status"] == "degraded"
    assert health["wechat"]["ok"] is False
    assert "EncodingAESKey" in health["wechat"]["problem"]
    assert inbound_count(db_session) == 0


def test_message_for_another_appid_is_still_called_that(
    client: FlaskClient, wechat_user: MakeUser, caplog: pytest.LogCaptureFixture
) -> None:
    user = wechat_user("safe")
    request = user.sign_body(message_xml(user._message("text", {"Content": "x"})), appid="wxother")
    with caplog.at_level(logging.WARNING, logger="webhooks.callback"):
        assert _post(client, request).status_code == 403
    assert any("another appid" in r.getMessage() for r in caplog.records)
    assert client.get("/healthz").get_json()["wechat"]["ok"] is True


def test_missing_key_is_shown_in_healthz(
    make_app: Callable[..., Flask], wechat_user: MakeUser
) -> None:
    client = make_app(encoding_aes_key="", message_mode="").test_client()
    phone = Phone(client, wechat_user("safe"))
    response = phone.post(phone.user.text("帮助"))
    assert response.get_data(as_text=True) == "success"
    health = client.get("/healthz").get_json()
    assert health["wechat"]["ok"] is False
    assert "encoding_aes_key is empty" in health["wechat"]["problem"]


# --- issue 10 item 1: signatures and nonces stay out of access logs ---------------------------


def test_access_logs_carry_no_query_string() -> None:
    fmt = gunicorn_conf.access_log_format
    assert "%(r)s" not in fmt and "%(q)s" not in fmt and "%(f)s" not in fmt
    assert "%(U)s" in fmt
    record = logging.LogRecord(
        "werkzeug",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        ("POST /wechat?signature=abc&timestamp=1&nonce=2&openid=o-x HTTP/1.1", "200", "-"),
        None,
    )
    callback_view.RedactQueryStrings().filter(record)
    line = record.getMessage()
    assert "signature" not in line and "o-x" not in line and "/wechat" in line


def test_stored_delivery_keeps_no_signature(phone: Phone, db_session: Session) -> None:
    request = phone.user.text("帮助")
    phone.send(request)
    stored = db_session.scalars(select(InboundMessage)).one()
    assert request.query["signature"] not in repr(vars(stored))
