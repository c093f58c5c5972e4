"""The fake WeChat API failing: timeouts, errors on the token endpoint; the client recovers."""

from __future__ import annotations

from bot.wechat.client import NETWORK_ERROR, HuaiCaiWeChatClient
from bot.wechat.token_store import RedisTokenStore
from devtools.fake_wechat import FakeWeChat
from tests.wechat_fixtures import FAKE_APPID, FAKE_SECRET

SEND = "message/custom/send"


def _client(fake: FakeWeChat, store: RedisTokenStore, timeout: float) -> HuaiCaiWeChatClient:
    return HuaiCaiWeChatClient(
        FAKE_APPID,
        FAKE_SECRET,
        store=store,
        api_base_url=fake.api_base_url,
        timeout=timeout,
        backoff_seconds=0.001,
    )


def test_a_send_that_times_out_is_an_outcome_and_the_next_one_succeeds(
    fake_wechat: FakeWeChat, redis_token_store: RedisTokenStore
) -> None:
    client = _client(fake_wechat, redis_token_store, timeout=0.3)
    try:
        fake_wechat.interact("o-1")
        fake_wechat.inject(path=SEND, latency=1.0)
        slow = client.send_customer_service_text("o-1", "第一条")
        assert slow.errcode == NETWORK_ERROR
        assert "Timeout" in slow.errmsg
        fake_wechat.clear_injections()
        assert client.send_customer_service_text("o-1", "第二条").ok
    finally:
        client.close()


def test_a_token_endpoint_that_times_out_then_answers(
    fake_wechat: FakeWeChat, redis_token_store: RedisTokenStore
) -> None:
    client = _client(fake_wechat, redis_token_store, timeout=0.3)
    try:
        fake_wechat.interact("o-1")
        fake_wechat.inject(path="stable_token", latency=1.0)
        first = client.send_customer_service_text("o-1", "您好")
        assert first.errcode == NETWORK_ERROR
        fake_wechat.clear_injections()
        assert client.send_customer_service_text("o-1", "您好").ok
    finally:
        client.close()


def test_system_busy_on_the_token_endpoint_then_recovery(
    fake_wechat: FakeWeChat, redis_token_store: RedisTokenStore
) -> None:
    client = _client(fake_wechat, redis_token_store, timeout=5)
    try:
        fake_wechat.interact("o-1")
        fake_wechat.inject(-1, path="stable_token", times=1)
        first = client.send_customer_service_text("o-1", "您好")
        assert not first.ok
        assert client.send_customer_service_text("o-1", "您好").ok
    finally:
        client.close()


def test_tokens_expired_on_the_server_mid_run_are_replaced_once(
    fake_wechat: FakeWeChat, redis_token_store: RedisTokenStore
) -> None:
    client = _client(fake_wechat, redis_token_store, timeout=5)
    try:
        fake_wechat.interact("o-1")
        assert client.send_customer_service_text("o-1", "一").ok
        fake_wechat.expire_tokens()
        assert client.send_customer_service_text("o-1", "二").ok
        assert client.send_customer_service_text("o-1", "三").ok
    finally:
        client.close()
    token_calls = fake_wechat.calls("stable_token")
    assert len(token_calls) == 2
    sends = fake_wechat.calls(SEND)
    assert [call.errcode for call in sends] == [0, 42001, 0, 0]
