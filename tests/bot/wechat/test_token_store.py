"""The shared access-token store: caching, early refresh, forced refresh, one refresh for all."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import pytest

from bot.config import PROJECT_ROOT
from bot.db import Database, utcnow
from bot.wechat.client import HuaiCaiWeChatClient
from bot.wechat.token_store import DatabaseTokenStore, RedisTokenStore, TokenStore
from devtools.fake_wechat import FakeWeChat
from tests.wechat_fixtures import FAKE_APPID, FAKE_SECRET, REDIS_URL

WORKERS = 4


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    """Return a hand-moved clock."""
    return Clock()


@pytest.fixture(params=["database", "redis"])
def store(
    request: pytest.FixtureRequest,
    clock: Clock,
    redis_key_prefix: str,
    committed_database: Database,
) -> Iterator[TokenStore]:
    """Yield each kind of token store, on the hand-moved clock."""
    if request.param == "redis":
        redis_store = RedisTokenStore.from_url(
            REDIS_URL, FAKE_APPID, key_prefix=redis_key_prefix, clock=clock
        )
        yield redis_store
        redis_store.close()
        return
    database_store = DatabaseTokenStore(committed_database.engine, FAKE_APPID, clock=clock)
    yield database_store
    database_store.close()


def _client(fake: FakeWeChat, store: TokenStore) -> HuaiCaiWeChatClient:
    return HuaiCaiWeChatClient(FAKE_APPID, FAKE_SECRET, store=store, api_base_url=fake.api_base_url)


def _forced(fake: FakeWeChat) -> list[bool]:
    return [call.body["force_refresh"] for call in fake.calls("stable_token")]


def test_token_is_fetched_once_and_then_served_from_the_store(
    fake_wechat: FakeWeChat, store: TokenStore
) -> None:
    client = _client(fake_wechat, store)
    try:
        tokens = {client.access_token for _ in range(3)}
    finally:
        client.close()
    assert len(tokens) == 1
    assert _forced(fake_wechat) == [False]
    [call] = fake_wechat.calls("stable_token")
    assert call.method == "POST"
    assert call.body == {
        "grant_type": "client_credential",
        "appid": FAKE_APPID,
        "secret": FAKE_SECRET,
        "force_refresh": False,
    }


def test_token_is_refreshed_five_minutes_before_it_expires(
    fake_wechat: FakeWeChat, store: TokenStore, clock: Clock
) -> None:
    client = _client(fake_wechat, store)
    try:
        first = client.access_token
        clock.now += timedelta(seconds=7200 - 301)
        assert client.access_token == first
        assert len(fake_wechat.calls("stable_token")) == 1
        clock.now += timedelta(seconds=2)
        # Due for refresh: stable_token is asked again (without force) and, still valid at
        # WeChat, hands back the same token.
        assert client.access_token == first
        assert _forced(fake_wechat) == [False, False]
        # Once WeChat's token has expired too, the refresh brings a new one.
        fake_wechat.advance(7200)
        clock.now += timedelta(seconds=7200)
        assert client.access_token != first
        assert _forced(fake_wechat) == [False, False, False]
    finally:
        client.close()


def test_rejected_token_is_replaced_once_by_a_forced_refresh(
    fake_wechat: FakeWeChat, store: TokenStore
) -> None:
    client = _client(fake_wechat, store)
    try:
        old = client.access_token
        new = store.replace_rejected(old, client._fetch_stable_token)
        assert new != old
        # A second process that saw the same rejection takes the new token: no second refresh.
        assert store.replace_rejected(old, client._fetch_stable_token) == new
        assert client.access_token == new
    finally:
        client.close()
    assert _forced(fake_wechat) == [False, True]


def _run_workers(argv: list[str]) -> list[str]:
    """Start WORKERS processes, release them together and return the tokens they print."""
    command = [sys.executable, "-m", "tests.bot.wechat.token_worker", *argv]
    workers = [
        subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(WORKERS)
    ]
    try:
        for worker in workers:
            assert worker.stdout is not None
            assert worker.stdout.readline().strip() == "ready"
        for worker in workers:
            assert worker.stdin is not None
            worker.stdin.write("go\n")
            worker.stdin.flush()
        outputs = [worker.communicate(timeout=60)[0] for worker in workers]
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.communicate()
    assert [worker.returncode for worker in workers] == [0] * WORKERS
    return [output.strip() for output in outputs]


def _assert_one_refresh(fake: FakeWeChat, tokens: list[str]) -> None:
    assert len(tokens) == WORKERS
    assert len(set(tokens)) == 1
    assert tokens[0].startswith("fake-")
    assert len(fake.calls("stable_token")) == 1


@pytest.fixture
def slow_token_endpoint(fake_wechat: FakeWeChat) -> FakeWeChat:
    """Make stable_token slow, so that every worker asks while the first refresh is running."""
    fake_wechat.inject(latency=0.3, times=None, path="stable_token")
    return fake_wechat


def test_four_processes_sharing_the_database_store_refresh_once(
    slow_token_endpoint: FakeWeChat, committed_database: Database
) -> None:
    fake = slow_token_endpoint
    url = committed_database.engine.url.render_as_string(hide_password=False)
    tokens = _run_workers(["database", url, fake.api_base_url, FAKE_APPID, FAKE_SECRET])
    _assert_one_refresh(fake, tokens)


def test_four_processes_sharing_the_redis_store_refresh_once(
    slow_token_endpoint: FakeWeChat, redis_key_prefix: str
) -> None:
    fake = slow_token_endpoint
    argv = ["redis", REDIS_URL, fake.api_base_url, FAKE_APPID, FAKE_SECRET, redis_key_prefix]
    tokens = _run_workers(argv)
    _assert_one_refresh(fake, tokens)


def test_redis_lock_is_released_when_the_refresh_fails(
    fake_wechat: FakeWeChat, redis_token_store: RedisTokenStore
) -> None:
    def failing(_force: bool) -> None:
        raise RuntimeError("WeChat unreachable")

    fetch: Callable[[bool], object] = failing
    with pytest.raises(RuntimeError):
        redis_token_store.get_token(fetch)  # type: ignore[arg-type]
    assert redis_token_store.redis.get(redis_token_store.lock_key) is None
    client = _client(fake_wechat, redis_token_store)
    try:
        assert client.access_token.startswith("fake-")
    finally:
        client.close()
