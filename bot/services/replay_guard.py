"""Bind each signed (timestamp, nonce) pair of the callback to the body it first came with.

WeChat's plaintext signature covers the token, timestamp and nonce but not the body, so a signed
query string seen once (in a log, a proxy) could be posted again with another sender and another
body while its timestamp is fresh. The first body's SHA-256 is kept for the pair, in a store all
workers and nodes share (the database, or Redis), for as long as the timestamp is accepted:

- a pair never seen: remembered, the request goes on;
- the same pair with the same body: WeChat retrying, answered from the de-duplication cache;
- the same pair with another body: a replay, refused.

When the shared store cannot be reached (a database outage), the pair is checked against a
directory of small files on this machine instead, so the callback keeps answering.
"""

from __future__ import annotations

import enum
import hashlib
import logging
import os
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Protocol

import redis
from sqlalchemy import bindparam, delete, select, text
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from bot.db import UTCDateTime, utcnow
from bot.models import CallbackNonce

logger = logging.getLogger(__name__)

MAX_NONCE_LENGTH = 64


class Verdict(enum.Enum):
    FIRST = "first"  # never seen: go on
    RETRY = "retry"  # same pair, same body: WeChat's retry
    REPLAY = "replay"  # same pair, another body: refuse


class StoreUnavailable(RuntimeError):
    """The shared store could not be asked."""


def body_digest(body: bytes) -> str:
    """Return the hex SHA-256 of a request body."""
    return hashlib.sha256(body).hexdigest()


def _verdict(stored: str | None, digest: str) -> Verdict:
    if stored is None:
        return Verdict.FIRST
    return Verdict.RETRY if stored == digest else Verdict.REPLAY


class PairStore(Protocol):
    def bind(self, timestamp: int, nonce: str, digest: str, ttl_seconds: int) -> Verdict:
        """Bind the pair to ``digest`` unless already bound; raise StoreUnavailable."""
        ...


class DatabasePairStore:
    """Pairs in the ``callback_nonces`` table, each bound in its own short transaction."""

    def __init__(self, session_factory: Callable[[], Session]) -> None:
        self.session_factory = session_factory

    def bind(self, timestamp: int, nonce: str, digest: str, ttl_seconds: int) -> Verdict:
        for attempt in (1, 2):
            try:
                with self.session_factory() as session, session.begin():
                    return bind_pair(session, timestamp, nonce, digest, ttl_seconds)
            except DBAPIError as exc:
                # A pooled connection that died (database restart) invalidates the pool: the
                # second attempt gets a fresh one.
                if attempt == 1 and exc.connection_invalidated:
                    logger.warning("replay guard: lost the database connection; trying once more")
                    continue
                raise StoreUnavailable(str(exc).splitlines()[0]) from exc
        raise AssertionError("unreachable")  # pragma: no cover


# PostgreSQL binds a pair in one round trip: the transaction's commit skips the wait for the WAL
# flush (set_config(..., true) lasts for this transaction only), then the insert. A crash of the
# database server could forget the pairs bound in its last instant, which at worst lets a query
# string signed in that instant be replayed once within its window. Built once: every plaintext
# message runs it.
_POSTGRESQL_BIND = text(
    """
    WITH settings AS (SELECT set_config('synchronous_commit', 'off', true) AS value),
    inserted AS (
        INSERT INTO callback_nonces ("timestamp", nonce, body_sha256, expires_at)
        SELECT :timestamp, :nonce, :digest, :expires_at FROM settings
        ON CONFLICT ("timestamp", nonce) DO NOTHING
        RETURNING nonce
    )
    SELECT nonce FROM inserted
    """
).bindparams(bindparam("expires_at", type_=UTCDateTime()))
_STORED_DIGEST = select(CallbackNonce.body_sha256).where(
    CallbackNonce.timestamp == bindparam("timestamp"), CallbackNonce.nonce == bindparam("nonce")
)


def bind_pair(
    session: Session, timestamp: int, nonce: str, digest: str, ttl_seconds: int
) -> Verdict:
    """Bind (timestamp, nonce) to ``digest`` in ``session``'s transaction; return the verdict."""
    expires_at = utcnow() + timedelta(seconds=ttl_seconds)
    if session.get_bind().dialect.name == "postgresql":
        # ON CONFLICT DO NOTHING waits for a concurrent insert of the same pair, then yields
        # nothing; the digest is then read by a statement of its own, which sees that row.
        inserted = session.execute(
            _POSTGRESQL_BIND,
            {"timestamp": timestamp, "nonce": nonce, "digest": digest, "expires_at": expires_at},
        ).scalar()
    else:
        inserted = session.execute(
            sqlite_insert(CallbackNonce)
            .values(timestamp=timestamp, nonce=nonce, body_sha256=digest, expires_at=expires_at)
            .on_conflict_do_nothing(index_elements=["timestamp", "nonce"])
            .returning(CallbackNonce.nonce)
        ).scalar()
    if inserted is not None:
        return Verdict.FIRST
    stored = session.scalar(_STORED_DIGEST, {"timestamp": timestamp, "nonce": nonce})
    # A first binding is the only way a row appears; it is never FIRST twice.
    return Verdict.RETRY if stored == digest else Verdict.REPLAY


def purge_expired(session: Session) -> int:
    """Delete pairs whose timestamp can no longer be accepted; return how many."""
    result = session.execute(delete(CallbackNonce).where(CallbackNonce.expires_at < utcnow()))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


class RedisPairStore:
    """Pairs as Redis keys with the window as their time to live (``SET NX EX``)."""

    def __init__(self, client: redis.Redis, key_prefix: str = "huaicai:callback-pair") -> None:
        self.redis = client
        self.key_prefix = key_prefix

    @classmethod
    def from_url(cls, url: str, **kwargs: str) -> RedisPairStore:
        """Connect to Redis at ``url`` with a short timeout."""
        return cls(redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2), **kwargs)

    def bind(self, timestamp: int, nonce: str, digest: str, ttl_seconds: int) -> Verdict:
        key = f"{self.key_prefix}:{timestamp}:{nonce}"
        try:
            if self.redis.set(key, digest, nx=True, ex=ttl_seconds):
                return Verdict.FIRST
            stored = self.redis.get(key)
        except redis.RedisError as exc:
            raise StoreUnavailable(str(exc)) from exc
        text = stored.decode("ascii") if isinstance(stored, bytes) else stored
        return _verdict(text, digest)


class LocalPairStore:
    """Pairs as files in a directory of this machine: the fallback while the shared store is down.

    Each pair is a file created with O_EXCL (atomic across processes) holding the digest; files
    older than their time to live are removed as new pairs arrive.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._last_sweep = 0.0

    def bind(self, timestamp: int, nonce: str, digest: str, ttl_seconds: int) -> Verdict:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._sweep(ttl_seconds)
        name = hashlib.sha256(f"{timestamp}:{nonce}".encode()).hexdigest()
        path = self.directory / name
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return _verdict(path.read_text(encoding="ascii").strip() or None, digest)
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(digest)
        return Verdict.FIRST

    def _sweep(self, ttl_seconds: int) -> None:
        now = time.time()
        if now - self._last_sweep < 60:
            return
        self._last_sweep = now
        for entry in os.scandir(self.directory):
            try:
                if now - entry.stat().st_mtime > ttl_seconds:
                    os.unlink(entry.path)
            except FileNotFoundError:
                pass


class ReplayGuard:
    """Check pairs in the shared store, falling back to this machine's directory when it is down."""

    def __init__(self, shared: PairStore, local: LocalPairStore, window_seconds: int) -> None:
        self.shared = shared
        self.local = local
        # A timestamp is accepted up to the window either side of now: remember the pair as long.
        self.ttl_seconds = 2 * window_seconds + 1

    def check(self, timestamp: int, nonce: str, body: bytes) -> Verdict:
        """Return what the request is: first, WeChat's retry or a replay with another body."""
        digest = body_digest(body)
        try:
            return self.shared.bind(timestamp, nonce, digest, self.ttl_seconds)
        except StoreUnavailable as exc:
            logger.warning("replay guard: shared store unavailable (%s); checking locally", exc)
            return self.local.bind(timestamp, nonce, digest, self.ttl_seconds)
