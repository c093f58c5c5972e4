"""Read-only deliveries may commit without waiting for the disk; anything that writes may not."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event, update
from sqlalchemy.orm import Session

from bot.config import load_config
from bot.db import Database, start_write_tracking, wrote_since
from bot.dispatch import Context, Incoming, Registry
from bot.models import DialogState, Talent
from bot.services import inbound
from tests.factories import make_talent


@pytest.fixture
def statements(committed_database: Database) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(committed_database.engine, "before_cursor_execute", record)
    yield seen
    event.remove(committed_database.engine, "before_cursor_execute", record)


def deliver(database: Database, registry: Registry, msg_id: str) -> inbound.Result:
    message = Incoming(openid="o-durable", kind="text", create_time=1, content="x", msg_id=msg_id)
    return inbound.process(database.session, load_config(), message, dispatcher=registry)


def registry_with(handler: Any) -> Registry:
    registry = Registry()
    registry.fallback(handler)
    return registry


def relaxed(statements: list[str]) -> bool:
    return any("synchronous_commit" in statement for statement in statements)


def test_read_only_reply_relaxes_durability_on_postgresql(
    committed_database: Database, statements: list[str]
) -> None:
    result = deliver(committed_database, registry_with(lambda ctx: "帮助内容"), "1")
    assert result.reply == "帮助内容"
    postgres = committed_database.engine.dialect.name == "postgresql"
    assert relaxed(statements) is postgres


def test_a_handler_that_writes_keeps_the_commit_durable(
    committed_database: Database, statements: list[str]
) -> None:
    def start_dialog(ctx: Context) -> str:
        ctx.session.add(DialogState(openid=ctx.openid, flow="registration", step="name", data={}))
        return "请问您的姓名？"

    assert deliver(committed_database, registry_with(start_dialog), "2").reply
    assert not relaxed(statements)


def test_a_core_update_counts_as_a_write(
    committed_database: Database, statements: list[str]
) -> None:
    def rename(ctx: Context) -> str:
        ctx.session.execute(update(Talent).where(Talent.openid == ctx.openid).values(city="上海"))
        return "好的"

    assert deliver(committed_database, registry_with(rename), "3").reply
    assert not relaxed(statements)


def test_write_tracking_sees_flushes_statements_and_pending_changes(db_session: Session) -> None:
    talent = make_talent(db_session)
    db_session.flush()
    start_write_tracking(db_session)
    db_session.get(Talent, talent.id)
    assert not wrote_since(db_session)
    talent.city = "深圳"
    assert wrote_since(db_session), "a pending change will be written at commit"
    db_session.flush()
    start_write_tracking(db_session)
    db_session.execute(update(Talent).values(title="研究员"))
    assert wrote_since(db_session)
