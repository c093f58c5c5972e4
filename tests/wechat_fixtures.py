"""Pytest plugin: the fake WeChat API on 127.0.0.1 and clients pointed at it."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest
import redis

from bot.wechat.client import HuaiCaiWeChatClient
from bot.wechat.token_store import RedisTokenStore
from devtools.fake_wechat import FakeWeChat

FAKE_APPID = "wx49f0ab532d5d035a"
FAKE_SECRET = "test-app-secret"
REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def fake_wechat() -> Iterator[FakeWeChat]:
    """Yield a running fake WeChat API (fresh state per test); ``.api_base_url`` for clients."""
    fake = FakeWeChat(FAKE_APPID, FAKE_SECRET, seed=1).start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def redis_key_prefix() -> Iterator[str]:
    """Yield a Redis key prefix of this test alone; its keys are deleted afterwards."""
    prefix = f"huaicai-test:{secrets.token_hex(6)}"
    yield prefix
    connection = redis.Redis.from_url(REDIS_URL)
    try:
        keys = list(connection.scan_iter(f"{prefix}:*"))
        if keys:
            connection.delete(*keys)
    finally:
        connection.close()


@pytest.fixture
def redis_token_store(redis_key_prefix: str) -> Iterator[RedisTokenStore]:
    """Yield a token store in the local Redis, isolated by key prefix."""
    store = RedisTokenStore.from_url(REDIS_URL, FAKE_APPID, key_prefix=redis_key_prefix)
    try:
        yield store
    finally:
        store.close()


@pytest.fixture
def wechat_client(
    fake_wechat: FakeWeChat, redis_token_store: RedisTokenStore
) -> Iterator[HuaiCaiWeChatClient]:
    """Yield an API client of the fake with a Redis token store and millisecond back-off."""
    client = HuaiCaiWeChatClient(
        FAKE_APPID,
        FAKE_SECRET,
        store=redis_token_store,
        api_base_url=fake_wechat.api_base_url,
        backoff_seconds=0.001,
    )
    try:
        yield client
    finally:
        client.close()
