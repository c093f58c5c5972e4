"""Bind each signed (timestamp, nonce) pair of the callback to the body it first came with.

WeChat's plaintext signature covers the token, timestamp and nonce but not the body, so a signed
query string seen once (in a log, a proxy) could be posted again with another sender and another
body while its timestamp is fresh. The first body's SHA-256 is kept for the pair, in a store all
workers and nodes share, for as long as the timestamp is accepted:

- a pair never seen: remembered, the request goes on;
- the same pair with the same body: WeChat retrying, answered from the de-duplication cache;
- the same pair with another body: a replay, refused.

The shared store is the database (``callback_nonces``) or Redis. In the database a pair is bound
by the delivery's own transaction (``bot.services.inbound`` runs ``bind_pair`` or the PostgreSQL
statement built from ``PAIR_INSERT`` in the round trip that claims the delivery): the binding and
the delivery commit together, so a delivery that fails binds nothing and WeChat's retry is
handled as a first. In Redis a pair is bound before the delivery is handled (``RedisPairStore``).
When the shared store cannot be reached (a database outage), the pair is checked against a
directory of small files on this machine instead (``LocalPairStore``), so the callback keeps
answering.
"""

from __future__ import annotations

import enum
import hashlib
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, Protocol, cast

import redis
from sqlalchemy import Table, bindparam, delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
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


@dataclass(frozen=True)
class SignedPair:
    """A signed (timestamp, nonce) pair of the query string and its body's SHA-256 (hex)."""

    timestamp: int
    nonce: str
    digest: str
    ttl_seconds: int


_NONCES = cast(Table, CallbackNonce.__table__)


def _pair_insert(insert: Callable[..., Any]) -> Any:
    return (
        insert(_NONCES)
        .values(
            timestamp=bindparam("pair_timestamp"),
            nonce=bindparam("pair_nonce"),
            body_sha256=bindparam("pair_digest"),
            expires_at=bindparam("pair_expires_at", type_=UTCDateTime()),
        )
        .on_conflict_do_nothing(index_elements=["timestamp", "nonce"])
        .returning(_NONCES.c.nonce)
    )


# The binding as a PostgreSQL INSERT the delivery's claim embeds as a CTE (it yields the nonce
# when the pair is new, nothing when it was bound before). ON CONFLICT DO NOTHING waits for a
# concurrent transaction binding the same pair, then yields nothing; the stored digest is then
# read by a statement of its own (``stored_verdict``), whose snapshot sees that row.
PAIR_INSERT = _pair_insert(postgresql_insert)
# The same binding on its own, on either database (``bind_pair``).
_PAIR_INSERTS = {"postgresql": PAIR_INSERT, "sqlite": _pair_insert(sqlite_insert)}
_STORED_DIGEST = select(_NONCES.c.body_sha256).where(
    _NONCES.c.timestamp == bindparam("pair_timestamp"), _NONCES.c.nonce == bindparam("pair_nonce")
)


def pair_parameters(pair: SignedPair) -> dict[str, object]:
    """Return the bound parameters of ``PAIR_INSERT`` for ``pair`` (expiring ``ttl`` from now)."""
    return {
        "pair_timestamp": pair.timestamp,
        "pair_nonce": pair.nonce,
        "pair_digest": pair.digest,
        "pair_expires_at": utcnow() + timedelta(seconds=pair.ttl_seconds),
    }


def stored_verdict(session: Session, pair: SignedPair) -> Verdict:
    """Return RETRY or REPLAY for a pair already bound (its stored digest against ``pair``'s)."""
    stored = session.scalar(
        _STORED_DIGEST, {"pair_timestamp": pair.timestamp, "pair_nonce": pair.nonce}
    )
    # A first binding is the only way a row appears; it is never FIRST twice.
    return Verdict.RETRY if stored == pair.digest else Verdict.REPLAY


def bind_pair(session: Session, pair: SignedPair) -> Verdict:
    """Bind ``pair`` in ``session``'s transaction (any dialect); return the verdict."""
    inserted = session.execute(
        _PAIR_INSERTS[session.get_bind().dialect.name], pair_parameters(pair)
    ).scalar()
    if inserted is not None:
        return Verdict.FIRST
    return stored_verdict(session, pair)


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

    def bind_pair(self, pair: SignedPair) -> Verdict:
        """Bind ``pair`` (as ``bind``)."""
        return self.bind(pair.timestamp, pair.nonce, pair.digest, pair.ttl_seconds)

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
    """Check pairs in the shared store, falling back to this machine's directory when it is down.

    ``shared`` is None when the database is the shared store: the delivery's transaction binds
    the pair (``pair`` gives what to bind; ``check_locally`` is the fallback while the database
    is away). With Redis, ``check`` binds it first.
    """

    def __init__(
        self, shared: PairStore | None, local: LocalPairStore, window_seconds: int
    ) -> None:
        self.shared = shared
        self.local = local
        # A timestamp is accepted up to the window either side of now: remember the pair as long.
        self.ttl_seconds = 2 * window_seconds + 1

    @property
    def binds_in_delivery(self) -> bool:
        """Whether pairs are bound by the delivery's own database transaction."""
        return self.shared is None

    def pair(self, timestamp: int, nonce: str, body: bytes) -> SignedPair:
        """Return the pair to bind for a request (its body hashed)."""
        return SignedPair(timestamp, nonce, body_digest(body), self.ttl_seconds)

    def check(self, pair: SignedPair) -> Verdict:
        """Bind ``pair`` in the shared store (Redis), else locally; return the verdict."""
        if self.shared is not None:
            try:
                return self.shared.bind(pair.timestamp, pair.nonce, pair.digest, pair.ttl_seconds)
            except StoreUnavailable as exc:
                logger.warning("replay guard: shared store unavailable (%s); checking locally", exc)
        return self.check_locally(pair)

    def check_locally(self, pair: SignedPair) -> Verdict:
        """Bind ``pair`` in this machine's directory (the shared store is unreachable)."""
        return self.local.bind_pair(pair)
