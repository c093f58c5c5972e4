"""The API client: stable token, one refresh on token errors, back-off, outcomes never raise."""

from __future__ import annotations

import socket

import pytest
from wechatpy.exceptions import WeChatClientException

from bot.config import load_config
from bot.db import Database
from bot.wechat.client import (
    NETWORK_ERROR,
    HuaiCaiWeChatClient,
    make_client,
)
from bot.wechat.token_store import DatabaseTokenStore, RedisTokenStore
from devtools.fake_wechat import FakeWeChat
from tests.wechat_fixtures import FAKE_APPID, FAKE_SECRET

SEND = "message/custom/send"


def _forced(fake: FakeWeChat) -> list[bool]:
    return [call.body["force_refresh"] for call in fake.calls("stable_token")]


def test_make_client_uses_the_configured_base_url_and_store(
    fake_wechat: FakeWeChat, committed_database: Database
) -> None:
    config = load_config(
        overrides={
            "wechat": {
                "appid": FAKE_APPID,
                "secret": FAKE_SECRET,
                "api_base_url": fake_wechat.api_base_url,
            }
        },
        environ={},
    )
    client = make_client(config, committed_database)
    try:
        assert isinstance(client.store, DatabaseTokenStore)
        assert client.API_BASE_URL == fake_wechat.api_base_url
        fake_wechat.interact("o-1")
        assert client.send_customer_service_text("o-1", "您好").ok
    finally:
        client.close()
    assert [call.path for call in fake_wechat.calls()] == ["stable_token", SEND]


def test_make_client_can_keep_the_token_in_redis(committed_database: Database) -> None:
    config = load_config(overrides={"wechat": {"token_store": "redis"}}, environ={})
    client = make_client(config, committed_database)
    try:
        assert isinstance(client.store, RedisTokenStore)
    finally:
        client.close()


def test_customer_service_text_reaches_the_person(
    fake_wechat: FakeWeChat, wechat_client: HuaiCaiWeChatClient
) -> None:
    fake_wechat.interact("o-1")
    outcome = wechat_client.send_customer_service_text("o-1", "怀才欢迎您")
    assert outcome.ok
    [call] = fake_wechat.calls(SEND)
    assert call.body == {"touser": "o-1", "msgtype": "text", "text": {"content": "怀才欢迎您"}}
    assert call.params["access_token"].startswith("fake-")


def test_invalid_token_is_refreshed_once_and_the_call_retried(
    fake_wechat: FakeWeChat, wechat_client: HuaiCaiWeChatClient
) -> None:
    fake_wechat.interact("o-1")
    fake_wechat.inject(errcode=40001, times=1, path=SEND)
    assert wechat_client.send_customer_service_text("o-1", "hi").ok
    assert [call.errcode for call in fake_wechat.calls(SEND)] == [40001, 0]
    assert _forced(fake_wechat) == [False, True]
    first, second = fake_wechat.calls(SEND)
    assert first.params["access_token"] != second.params["access_token"]


def test_expired_token_is_refreshed_and_the_call_retried(
    fake_wechat: FakeWeChat, wechat_client: HuaiCaiWeChatClient
) -> None:
    fake_wechat.interact("o-1")
    assert wechat_client.send_customer_service_text("o-1", "one").ok
    fake_wechat.expire_tokens()  # expired at WeChat although our store still trusts it
    assert wechat_client.send_customer_service_text("o-1", "two").ok
    assert [call.errcode for call in fake_wechat.calls(SEND)] == [0, 42001, 0]
    assert _forced(fake_wechat) == [False, True]


def test_token_error_that_persists_is_refreshed_only_once(
    fake_wechat: FakeWeChat, wechat_client: HuaiCaiWeChatClient
) -> None:
    fake_wechat.interact("o-1")
    fake_wechat.inject(errcode=40014, times=None, path=SEND)
    outcome = wechat_client.send_customer_service_text("o-1", "hi")
    assert (outcome.ok, outcome.errcode) == (False, 40014)
    assert len(fake_wechat.calls(SEND)) == 2
    assert _forced(fake_wechat) == [False, True]


def test_system_busy_is_retried_with_growing_delays(
    fake_wechat: FakeWeChat, redis_token_store: RedisTokenStore
) -> None:
    delays: list[float] = []
    client = HuaiCaiWeChatClient(
        FAKE_APPID,
        FAKE_SECRET,
        store=redis_token_store,
        api_base_url=fake_wechat.api_base_url,
        backoff_seconds=0.01,
        sleep=delays.append,
    )
    fake_wechat.interact("o-1")
    fake_wechat.inject(errcode=-1, times=2, path=SEND)
    try:
        assert client.send_customer_service_text("o-1", "hi").ok
    finally:
        client.close()
    assert [call.errcode for call in fake_wechat.calls(SEND)] == [-1, -1, 0]
    assert delays == [0.01, 0.02]


def test_api_quota_is_retried_a_bounded_number_of_times_then_recorded(
    fake_wechat: FakeWeChat, wechat_client: HuaiCaiWeChatClient
) -> None:
    fake_wechat.interact("o-1")
    fake_wechat.inject(errcode=45009, times=None, path=SEND)
    outcome = wechat_client.send_customer_service_text("o-1", "hi")
    assert (outcome.ok, outcome.errcode) == (False, 45009)
    assert "quota" in outcome.describe()
    assert len(fake_wechat.calls(SEND)) == wechat_client.max_retries + 1


@pytest.mark.parametrize(
    ("setup", "errcode"),
    [
        (lambda fake: fake.set_user("o-1"), 45015),
        (lambda fake: fake.set_user("o-1", following=False), 43004),
        (lambda fake: None, 40003),
    ],
    ids=["window-closed", "not-following", "unknown-openid"],
)
def test_other_errors_become_outcomes_without_retry(
    fake_wechat: FakeWeChat, wechat_client: HuaiCaiWeChatClient, setup: object, errcode: int
) -> None:
    setup(fake_wechat)  # type: ignore[operator]
    outcome = wechat_client.send_customer_service_text("o-1", "hi")
    assert (outcome.ok, outcome.errcode) == (False, errcode)
    assert len(fake_wechat.calls(SEND)) == 1


def test_unreachable_api_is_an_outcome_not_a_crash(redis_token_store: RedisTokenStore) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = HuaiCaiWeChatClient(
        FAKE_APPID,
        FAKE_SECRET,
        store=redis_token_store,
        api_base_url=f"http://127.0.0.1:{port}/cgi-bin/",
        timeout=2,
    )
    try:
        outcome = client.send_customer_service_text("o-1", "hi")
    finally:
        client.close()
    assert (outcome.ok, outcome.errcode) == (False, NETWORK_ERROR)


def test_template_and_subscribe_sends(
    fake_wechat: FakeWeChat, wechat_client: HuaiCaiWeChatClient
) -> None:
    fake_wechat.set_user("o-1", subscriptions={"S1": 1})
    data = {"thing1": {"value": "新材料院地合作对接会"}}
    template = wechat_client.send_template_message("o-1", "T1", data, url="https://example.org/e")
    assert template.ok and template.result is not None and "msgid" in template.result
    assert wechat_client.send_subscribe_message("o-1", "S1", data, page="pages/e").ok
    refused = wechat_client.send_subscribe_message("o-1", "S1", data)
    assert refused.errcode == 43101
    assert fake_wechat.calls("message/template/send")[0].body["url"] == "https://example.org/e"


def test_wechatpy_apis_work_through_the_client(
    fake_wechat: FakeWeChat, wechat_client: HuaiCaiWeChatClient
) -> None:
    menu = {"button": [{"type": "click", "name": "我要注册", "key": "REGISTER"}]}
    wechat_client.menu.create(menu)
    assert wechat_client.menu.get() == {"menu": menu}
    ticket = wechat_client.qrcode.create(
        {"action_name": "QR_LIMIT_STR_SCENE", "action_info": {"scene": {"scene_str": "ev-1"}}}
    )
    assert ticket["url"].startswith("http://weixin.qq.com/q/")
    fake_wechat.set_user("o-1")
    assert wechat_client.user.get("o-1")["subscribe"] == 1
    tag = wechat_client.tag.create("锂电池材料")
    assert wechat_client.tag.get() == [{"id": tag["id"], "name": "锂电池材料", "count": 0}]
    with pytest.raises(WeChatClientException) as raised:
        wechat_client.tag.create("锂电池材料")
    assert raised.value.errcode == 45157
