"""Contract tests: the fake WeChat API answers like the documented endpoints."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from devtools.fake_wechat import FakeWeChat
from tests.wechat_fixtures import FAKE_APPID, FAKE_SECRET


@pytest.fixture
def http() -> Iterator[requests.Session]:
    """Yield a plain HTTP session (closed afterwards)."""
    with requests.Session() as session:
        yield session


def _stable_token(http: requests.Session, fake: FakeWeChat, force: bool = False) -> Any:
    body = {
        "grant_type": "client_credential",
        "appid": FAKE_APPID,
        "secret": FAKE_SECRET,
        "force_refresh": force,
    }
    return http.post(f"{fake.api_base_url}stable_token", json=body, timeout=5).json()


def _plain_token(http: requests.Session, fake: FakeWeChat) -> Any:
    params = {"grant_type": "client_credential", "appid": FAKE_APPID, "secret": FAKE_SECRET}
    return http.get(f"{fake.api_base_url}token", params=params, timeout=5).json()


def _call(http: requests.Session, fake: FakeWeChat, path: str, token: str, body: Any = None) -> Any:
    url = f"{fake.api_base_url}{path}"
    if body is None:
        return http.get(url, params={"access_token": token}, timeout=5).json()
    return http.post(url, params={"access_token": token}, json=body, timeout=5).json()


def _text(openid: str) -> dict[str, Any]:
    return {"touser": openid, "msgtype": "text", "text": {"content": "您好"}}


def test_stable_token_is_the_same_until_it_expires(
    fake_wechat: FakeWeChat, http: requests.Session
) -> None:
    first = _stable_token(http, fake_wechat)
    second = _stable_token(http, fake_wechat)
    assert first["access_token"] == second["access_token"]
    assert first["expires_in"] == 7200
    fake_wechat.advance(7201)
    third = _stable_token(http, fake_wechat)
    assert third["access_token"] != first["access_token"]
    assert third["expires_in"] == 7200


def test_forced_stable_token_replaces_the_old_one(
    fake_wechat: FakeWeChat, http: requests.Session
) -> None:
    old = _stable_token(http, fake_wechat)["access_token"]
    new = _stable_token(http, fake_wechat, force=True)["access_token"]
    assert new != old
    assert _call(http, fake_wechat, "menu/get", old)["errcode"] == 40001
    assert _call(http, fake_wechat, "menu/get", new)["errcode"] == 46003  # no menu yet


def test_token_endpoint_invalidates_the_previous_token(
    fake_wechat: FakeWeChat, http: requests.Session
) -> None:
    first = _plain_token(http, fake_wechat)["access_token"]
    stable = _stable_token(http, fake_wechat)["access_token"]
    second = _plain_token(http, fake_wechat)["access_token"]
    assert _call(http, fake_wechat, "tags/get", first)["errcode"] == 40001
    assert _call(http, fake_wechat, "tags/get", second) == {"tags": []}
    # /token and /stable_token do not invalidate each other.
    assert _call(http, fake_wechat, "tags/get", stable) == {"tags": []}


def test_expired_and_missing_tokens_are_refused(
    fake_wechat: FakeWeChat, http: requests.Session
) -> None:
    token = _stable_token(http, fake_wechat)["access_token"]
    assert http.get(f"{fake_wechat.api_base_url}menu/get", timeout=5).json()["errcode"] == 41001
    fake_wechat.expire_tokens()
    assert _call(http, fake_wechat, "menu/get", token)["errcode"] == 42001


def test_wrong_credentials_are_refused(fake_wechat: FakeWeChat, http: requests.Session) -> None:
    body = {"grant_type": "client_credential", "appid": FAKE_APPID, "secret": "wrong"}
    answer = http.post(f"{fake_wechat.api_base_url}stable_token", json=body, timeout=5).json()
    assert answer["errcode"] == 40125
    params = {"grant_type": "client_credential", "appid": "wxother", "secret": FAKE_SECRET}
    answer = http.get(f"{fake_wechat.api_base_url}token", params=params, timeout=5).json()
    assert answer["errcode"] == 40013


def test_customer_service_message_needs_the_48_hour_window(
    fake_wechat: FakeWeChat, http: requests.Session
) -> None:
    token = _stable_token(http, fake_wechat)["access_token"]
    fake_wechat.set_user("o-silent")
    assert (
        _call(http, fake_wechat, "message/custom/send", token, _text("o-silent"))["errcode"]
        == 45015
    )
    fake_wechat.interact("o-silent")
    assert _call(http, fake_wechat, "message/custom/send", token, _text("o-silent"))["errcode"] == 0
    fake_wechat.advance(48 * 3600 + 1)
    fake_wechat.expire_tokens()  # the advance expired the token too; take a fresh one
    token = _stable_token(http, fake_wechat)["access_token"]
    assert (
        _call(http, fake_wechat, "message/custom/send", token, _text("o-silent"))["errcode"]
        == 45015
    )


def test_customer_service_quota_is_five_messages_per_interaction(
    fake_wechat: FakeWeChat, http: requests.Session
) -> None:
    token = _stable_token(http, fake_wechat)["access_token"]
    fake_wechat.interact("o-chatty")
    codes = [
        _call(http, fake_wechat, "message/custom/send", token, _text("o-chatty"))["errcode"]
        for _ in range(6)
    ]
    assert codes == [0, 0, 0, 0, 0, 45047]
    fake_wechat.interact("o-chatty")
    assert _call(http, fake_wechat, "message/custom/send", token, _text("o-chatty"))["errcode"] == 0


def test_sends_to_someone_not_following_get_43004(
    fake_wechat: FakeWeChat, http: requests.Session
) -> None:
    token = _stable_token(http, fake_wechat)["access_token"]
    fake_wechat.set_user("o-gone", following=False, last_interaction=fake_wechat.now())
    template = {"touser": "o-gone", "template_id": "T1", "data": {}}
    assert (
        _call(http, fake_wechat, "message/custom/send", token, _text("o-gone"))["errcode"] == 43004
    )
    assert _call(http, fake_wechat, "message/template/send", token, template)["errcode"] == 43004
    assert (
        _call(http, fake_wechat, "message/custom/send", token, _text("o-unknown"))["errcode"]
        == 40003
    )


def test_template_message_returns_a_msgid(fake_wechat: FakeWeChat, http: requests.Session) -> None:
    token = _stable_token(http, fake_wechat)["access_token"]
    fake_wechat.set_user("o-1")
    body = {"touser": "o-1", "template_id": "T1", "data": {"thing1": {"value": "对接会"}}}
    answer = _call(http, fake_wechat, "message/template/send", token, body)
    assert answer["errcode"] == 0
    assert isinstance(answer["msgid"], int)


def test_subscribe_message_needs_a_subscription_and_uses_up_one_time_grants(
    fake_wechat: FakeWeChat, http: requests.Session
) -> None:
    token = _stable_token(http, fake_wechat)["access_token"]
    fake_wechat.set_user("o-once", subscriptions={"S1": 1, "S-long": None})
    body = {"touser": "o-once", "template_id": "S1", "data": {}}
    assert _call(http, fake_wechat, "message/subscribe/bizsend", token, body)["errcode"] == 0
    assert _call(http, fake_wechat, "message/subscribe/bizsend", token, body)["errcode"] == 43101
    long_term = {"touser": "o-once", "template_id": "S-long", "data": {}}
    for _ in range(3):
        answer = _call(http, fake_wechat, "message/subscribe/bizsend", token, long_term)
        assert answer["errcode"] == 0


def test_menu_qrcode_user_info_and_tags(fake_wechat: FakeWeChat, http: requests.Session) -> None:
    token = _stable_token(http, fake_wechat)["access_token"]
    menu = {"button": [{"type": "click", "name": "注册", "key": "REGISTER"}]}
    assert _call(http, fake_wechat, "menu/create", token, menu)["errcode"] == 0
    assert _call(http, fake_wechat, "menu/get", token) == {"menu": menu}

    qr = {
        "expire_seconds": 600,
        "action_name": "QR_STR_SCENE",
        "action_info": {"scene": {"scene_str": "event-7"}},
    }
    answer = _call(http, fake_wechat, "qrcode/create", token, qr)
    assert answer["ticket"] and answer["url"].startswith("http://weixin.qq.com/q/")
    assert answer["expire_seconds"] == 600

    fake_wechat.set_user("o-info", nickname="怀川人")
    info = http.get(
        f"{fake_wechat.api_base_url}user/info",
        params={"access_token": token, "openid": "o-info", "lang": "zh_CN"},
        timeout=5,
    ).json()
    assert (info["subscribe"], info["openid"], info["nickname"]) == (1, "o-info", "怀川人")

    created = _call(http, fake_wechat, "tags/create", token, {"tag": {"name": "新材料"}})
    assert created["tag"]["name"] == "新材料"
    duplicate = _call(http, fake_wechat, "tags/create", token, {"tag": {"name": "新材料"}})
    assert duplicate["errcode"] == 45157
    assert _call(http, fake_wechat, "tags/get", token)["tags"] == [
        {"id": created["tag"]["id"], "name": "新材料", "count": 0}
    ]


def test_every_call_is_recorded(fake_wechat: FakeWeChat, http: requests.Session) -> None:
    token = _stable_token(http, fake_wechat)["access_token"]
    fake_wechat.interact("o-1")
    _call(http, fake_wechat, "message/custom/send", token, _text("o-1"))
    [call] = fake_wechat.calls("message/custom/send")
    assert call.method == "POST"
    assert call.body == _text("o-1")
    assert call.errcode == 0
    assert [c.path for c in fake_wechat.calls()] == ["stable_token", "message/custom/send"]
    over_http = http.get(f"{fake_wechat.url}/fake/calls", timeout=5).json()["calls"]
    assert [c["path"] for c in over_http] == ["stable_token", "message/custom/send"]


def test_injected_errors_hit_the_given_number_of_calls(
    fake_wechat: FakeWeChat, http: requests.Session
) -> None:
    token = _stable_token(http, fake_wechat)["access_token"]
    fake_wechat.inject(errcode=-1, times=2, path="tags/get")
    codes = [_call(http, fake_wechat, "tags/get", token).get("errcode", 0) for _ in range(3)]
    assert codes == [-1, -1, 0]


def test_injected_error_rate_hits_some_calls(
    fake_wechat: FakeWeChat, http: requests.Session
) -> None:
    token = _stable_token(http, fake_wechat)["access_token"]
    fake_wechat.inject(errcode=45009, times=None, rate=0.5)
    codes = [_call(http, fake_wechat, "tags/get", token).get("errcode", 0) for _ in range(40)]
    assert 5 < codes.count(45009) < 35
    assert set(codes) == {0, 45009}
    # Token endpoints are spared by rules without a path.
    assert "access_token" in _stable_token(http, fake_wechat)


def test_injected_latency_slows_calls(fake_wechat: FakeWeChat, http: requests.Session) -> None:
    token = _stable_token(http, fake_wechat)["access_token"]
    fake_wechat.inject(latency=0.2, times=None, path="tags/get")
    answer = http.get(
        f"{fake_wechat.api_base_url}tags/get", params={"access_token": token}, timeout=5
    )
    assert answer.elapsed.total_seconds() >= 0.2


def test_users_can_be_set_over_http(fake_wechat: FakeWeChat, http: requests.Session) -> None:
    http.post(f"{fake_wechat.url}/fake/users/o-http", json={"following": False}, timeout=5)
    assert fake_wechat.users["o-http"].following is False
    http.post(f"{fake_wechat.url}/fake/users/o-http2", json={"interact": True}, timeout=5)
    assert fake_wechat.users["o-http2"].last_interaction is not None


def test_demo_mode_takes_unknown_openids_for_followers_who_just_wrote(
    http: requests.Session,
) -> None:
    with FakeWeChat(FAKE_APPID, FAKE_SECRET, auto_follow=True) as fake:
        token = _stable_token(http, fake)["access_token"]
        assert _call(http, fake, "message/custom/send", token, _text("o-new"))["errcode"] == 0
        assert fake.users["o-new"].following
