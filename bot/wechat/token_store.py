"""Shared storage for the access_token, so that many processes refresh it once.

Every process (web workers, scheduler, CLI) asks the store for the token. A valid cached token is
returned straight away; otherwise one process takes a lock, checks again (another may have
refreshed while it waited) and only then calls WeChat. Tokens are refreshed a little before they
expire so that a request never starts with a token about to die.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

import redis
from sqlalchemy import create_engine, event, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from bot.db import utcnow
from bot.models import WechatAccessToken

logger = logging.getLogger(__name__)

DEFAULT_REFRESH_MARGIN = timedelta(minutes=5)


@dataclass(frozen=True)
class IssuedToken:
    """A token as WeChat handed it out."""

    access_token: str
    expires_in: int


# Called with force_refresh; returns the token WeChat issued (raises on API errors).
TokenFetcher = Callable[[bool], IssuedToken]


class TokenStore(Protocol):
    """Where processes share the access_token."""

    def get_token(self, fetch: TokenFetcher) -> str:
        """Return a token valid for a while, refreshing it (once, across processes) if needed."""
        ...

    def replace_rejected(self, rejected: str, fetch: TokenFetcher) -> str:
        """Return a new token after WeChat rejected ``rejected`` (force refresh unless done)."""
        ...


class DatabaseTokenStore:
    """The token in the ``wechat_tokens`` row of the appid; refreshed under a row/database lock.

    PostgreSQL locks the row with ``SELECT ... FOR UPDATE``; SQLite has no row locks, so the
    refresh runs in a ``BEGIN IMMEDIATE`` transaction, which takes the database's write lock.
    On SQLite, then, do not ask for a token while this process holds an open write transaction
    on another connection: the refresh would wait for it (the outbox sender never does).
    """

    def __init__(
        self,
        engine: Engine,
        appid: str,
        *,
        refresh_margin: timedelta = DEFAULT_REFRESH_MARGIN,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.engine = engine
        self.appid = appid
        self.refresh_margin = refresh_margin
        self.clock = clock
        self._sqlite_engine: Engine | None = None

    def close(self) -> None:
        """Dispose of the SQLite locking engine, if one was made."""
        if self._sqlite_engine is not None:
            self._sqlite_engine.dispose()
            self._sqlite_engine = None

    def get_token(self, fetch: TokenFetcher) -> str:
        """Return the shared token, refreshing it under the lock when due."""
        with Session(self.engine) as session:
            row = session.get(WechatAccessToken, self.appid)
            if row is not None and self._fresh(row):
                return row.access_token
        return self._refresh(fetch, rejected=None)

    def replace_rejected(self, rejected: str, fetch: TokenFetcher) -> str:
        """Force a refresh unless another process already replaced ``rejected``."""
        return self._refresh(fetch, rejected=rejected)

    def _fresh(self, row: WechatAccessToken) -> bool:
        return bool(
            row.access_token
            and row.expires_at is not None
            and row.expires_at - self.refresh_margin > self.clock()
        )

    def _refresh(self, fetch: TokenFetcher, rejected: str | None) -> str:
        with self._locked_session() as session:
            row = session.get(WechatAccessToken, self.appid, populate_existing=True)
            if row is None:  # pragma: no cover - the locked session creates the row
                raise RuntimeError("wechat_tokens row missing under lock")
            # Another process may have refreshed while we waited for the lock.
            if rejected is None and self._fresh(row):
                return row.access_token
            if rejected is not None and row.access_token and row.access_token != rejected:
                if self._fresh(row):
                    return row.access_token
            issued = fetch(rejected is not None)
            now = self.clock()
            row.access_token = issued.access_token
            row.expires_at = now + timedelta(seconds=issued.expires_in)
            row.refreshed_at = now
            logger.info("access token for %s refreshed (force=%s)", self.appid, bool(rejected))
            return issued.access_token

    @contextmanager
    def _locked_session(self) -> Iterator[Session]:
        if self.engine.dialect.name == "postgresql":
            with Session(self.engine) as session:
                # Make sure the row exists so that there is something to lock.
                session.execute(
                    postgresql_insert(WechatAccessToken)
                    .values(appid=self.appid, access_token="")
                    .on_conflict_do_nothing(index_elements=["appid"])
                )
                session.commit()
                session.scalars(
                    select(WechatAccessToken)
                    .where(WechatAccessToken.appid == self.appid)
                    .with_for_update()
                ).one()
                yield session
                session.commit()
            return
        with Session(self._immediate_engine()) as session:
            # The first statement of the session begins the IMMEDIATE transaction.
            row = session.get(WechatAccessToken, self.appid)
            if row is None:
                session.add(WechatAccessToken(appid=self.appid, access_token=""))
                session.flush()
            yield session
            session.commit()

    def _immediate_engine(self) -> Engine:
        # A separate engine whose transactions start with BEGIN IMMEDIATE: the write lock is
        # taken before the re-check, so waiting processes see the refreshed token.
        if self._sqlite_engine is None:
            engine = create_engine(
                self.engine.url,
                poolclass=NullPool,
                connect_args={"check_same_thread": False, "timeout": 30},
            )
            event.listen(engine, "connect", _configure_sqlite_connection)
            event.listen(engine, "begin", _begin_immediate)
            self._sqlite_engine = engine
        return self._sqlite_engine


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _begin_immediate(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


# Release the lock only if we still hold it (it may have expired and been taken by another).
_RELEASE_SCRIPT = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('del', KEYS[1])
end
return 0
"""


class RedisTokenStore:
    """The token cached in Redis with its TTL; refreshed under a ``SET NX PX`` lock."""

    def __init__(
        self,
        client: redis.Redis,
        appid: str,
        *,
        refresh_margin: timedelta = DEFAULT_REFRESH_MARGIN,
        lock_timeout: float = 30.0,
        poll_interval: float = 0.05,
        key_prefix: str = "huaicai:wechat",
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.redis = client
        self.appid = appid
        self.refresh_margin = refresh_margin
        self.lock_timeout = lock_timeout
        self.poll_interval = poll_interval
        self.clock = clock
        self.token_key = f"{key_prefix}:{appid}:access_token"
        self.lock_key = f"{key_prefix}:{appid}:refresh_lock"

    @classmethod
    def from_url(cls, url: str, appid: str, **kwargs: Any) -> RedisTokenStore:
        """Connect to the Redis at ``url``."""
        return cls(redis.Redis.from_url(url, socket_timeout=5), appid, **kwargs)

    def close(self) -> None:
        """Close the Redis connection pool."""
        self.redis.close()

    def get_token(self, fetch: TokenFetcher) -> str:
        """Return the cached token, refreshing it under the lock when due."""
        cached = self._cached()
        if cached is not None and self._fresh(cached):
            return cached[0]
        return self._refresh(fetch, rejected=None)

    def replace_rejected(self, rejected: str, fetch: TokenFetcher) -> str:
        """Force a refresh unless another process already replaced ``rejected``."""
        return self._refresh(fetch, rejected=rejected)

    def _cached(self) -> tuple[str, datetime] | None:
        raw = self.redis.get(self.token_key)
        if raw is None:
            return None
        try:
            value = json.loads(raw)
            return str(value["access_token"]), datetime.fromisoformat(value["expires_at"])
        except (ValueError, KeyError, TypeError):
            logger.warning("unreadable access token cache entry %s; refreshing", self.token_key)
            return None

    def _fresh(self, cached: tuple[str, datetime]) -> bool:
        return cached[1] - self.refresh_margin > self.clock()

    def _refresh(self, fetch: TokenFetcher, rejected: str | None) -> str:
        with self._lock():
            cached = self._cached()
            # Another process may have refreshed while we waited for the lock.
            if cached is not None and self._fresh(cached):
                if rejected is None or cached[0] != rejected:
                    return cached[0]
            issued = fetch(rejected is not None)
            expires_at = self.clock() + timedelta(seconds=issued.expires_in)
            entry = json.dumps(
                {"access_token": issued.access_token, "expires_at": expires_at.isoformat()}
            )
            self.redis.set(self.token_key, entry, ex=max(1, issued.expires_in))
            logger.info("access token for %s refreshed (force=%s)", self.appid, bool(rejected))
            return issued.access_token

    @contextmanager
    def _lock(self) -> Iterator[None]:
        owner = secrets.token_hex(16)
        deadline = time.monotonic() + self.lock_timeout
        # The lock expires by itself so that a crashed holder cannot block refreshes forever.
        while not self.redis.set(self.lock_key, owner, nx=True, px=int(self.lock_timeout * 1000)):
            if time.monotonic() > deadline:
                raise TimeoutError(f"could not take {self.lock_key} in {self.lock_timeout} s")
            time.sleep(self.poll_interval)
        try:
            yield
        finally:
            self.redis.eval(_RELEASE_SCRIPT, 1, self.lock_key, owner)
