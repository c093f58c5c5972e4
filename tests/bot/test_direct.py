"""bot.direct: a Core statement run on the session's DBAPI cursor answers like Session.execute."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import bindparam, event, func, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from bot.db import Database
from bot.direct import DirectStatement
from bot.models import DialogState, InboundMessage
from bot.services import dialog_states, spool
from bot.services.inbound import FINISH, OPEN_POSTGRESQL
from bot.services.replay_guard import SignedPair, pair_parameters
from tests.faults import statements_fail, terminate_backends


def _postgresql(session: Session) -> None:
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("the direct path runs on PostgreSQL (SQLite's driver is positional)")


def _opening(key: str, openid: str, now: datetime) -> dict[str, Any]:
    pair = SignedPair(int(now.timestamp()), f"nonce-{key}", f"digest-{key}", 601)
    return {
        "delivery_key": key,
        "person": openid,
        "message_kind": "text",
        "at": now,
    } | pair_parameters(pair)


def test_sqlites_positional_driver_is_refused(db_session: Session) -> None:
    if db_session.get_bind().dialect.name != "sqlite":
        pytest.skip("SQLite only")
    with pytest.raises(ValueError, match="positional"):
        DirectStatement(FINISH, db_session.get_bind().dialect)


def test_a_statement_rendered_per_parameter_set_is_refused(db_session: Session) -> None:
    _postgresql(db_session)
    expanding = select(InboundMessage.id).where(
        InboundMessage.id.in_(bindparam("ids", expanding=True))
    )
    with pytest.raises(ValueError, match="per parameter set"):
        DirectStatement(expanding, db_session.get_bind().dialect)


def test_the_claim_reads_what_session_execute_reads(db_session: Session) -> None:
    _postgresql(db_session)
    now = datetime(2026, 11, 30, 21, 0, tzinfo=UTC)
    openid = "o-direct-state"
    db_session.add(
        DialogState(
            openid=openid,
            flow="register",
            step="name",
            data={"姓名": "王磊", "_history": ["start"]},
            started_at=now - timedelta(minutes=3),
            updated_at=now - timedelta(minutes=1),
        )
    )
    db_session.flush()
    statement = OPEN_POSTGRESQL[(True, True)]
    direct = DirectStatement(statement, db_session.get_bind().dialect)
    row = direct.run(db_session, _opening("msg:direct-1", openid, now))
    assert row is not None
    reference = db_session.execute(statement, _opening("msg:direct-2", openid, now)).one()
    assert (row.pair_bound, reference.pair_bound) == ("nonce-msg:direct-1", "nonce-msg:direct-2")
    names = ["talent_id", "released"] + [f"state_{name}" for name in dialog_states.STATE_COLUMNS]
    assert {n: getattr(row, n) for n in names} == {n: getattr(reference, n) for n in names}
    # Values come back as the column types hand them out: aware UTC instants, parsed JSON.
    assert row.state_updated_at == now - timedelta(minutes=1)
    assert row.state_updated_at.tzinfo is not None
    assert row.state_data == {"姓名": "王磊", "_history": ["start"]}
    assert isinstance(row.row_id, int) and row.row_id != reference.row_id
    # The claim happened in the session's own transaction.
    stored = db_session.scalars(
        select(InboundMessage).where(InboundMessage.dedup_key == "msg:direct-1")
    ).one()
    assert stored.received_at == now and stored.openid == openid


def test_an_update_returns_no_row_and_binds_through_the_column_types(db_session: Session) -> None:
    _postgresql(db_session)
    now = datetime(2026, 11, 30, 22, 0, tzinfo=UTC)
    claim = DirectStatement(OPEN_POSTGRESQL[(False, False)], db_session.get_bind().dialect)
    opened = claim.run(db_session, {k: v for k, v in _opening("msg:d3", "o-d3", now).items()
                                    if not k.startswith("pair_")})  # fmt: skip
    assert opened is not None
    finish = DirectStatement(FINISH, db_session.get_bind().dialect)
    local = now.astimezone(UTC).replace(tzinfo=None)
    with pytest.raises(ValueError, match="naive"):  # UTCDateTime's bind check still runs
        finish.run(db_session, {"row_id": opened.row_id, "status": "handled", "reply": "好",
                                "at": local})  # fmt: skip
    assert (
        finish.run(
            db_session, {"row_id": opened.row_id, "status": "handled", "reply": "好", "at": now}
        )
        is None
    )
    stored = db_session.get(InboundMessage, opened.row_id)
    assert stored is not None
    db_session.refresh(stored)
    assert (stored.status, stored.reply, stored.handled_at) == ("handled", "好", now)


def test_listeners_see_the_statement_and_their_faults_surface_as_sqlalchemys(
    db_session: Session, db_connection: Connection
) -> None:
    _postgresql(db_session)
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    direct = DirectStatement(FINISH, db_session.get_bind().dialect)
    values = {"row_id": -1, "status": "handled", "reply": None, "at": datetime.now(UTC)}
    event.listen(db_connection, "before_cursor_execute", record)
    try:
        direct.run(db_session, values)
    finally:
        event.remove(db_connection, "before_cursor_execute", record)
    assert [s for s in seen if not s.startswith("SAVEPOINT")] == [direct.sql]

    import psycopg

    refused = psycopg.OperationalError("connection refused")
    with statements_fail(db_connection, refused), pytest.raises(OperationalError) as failure:
        direct.run(db_session, values)
    assert isinstance(failure.value.orig, psycopg.OperationalError)


def test_a_lost_connection_is_invalidated_and_the_next_transaction_gets_a_fresh_one(
    migrated_database: Database,
) -> None:
    database_url = migrated_database.url  # the schema: FINISH reaches the server
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has no server connection to lose")
    database = Database(database_url)
    killer = Database(database_url)
    direct = DirectStatement(FINISH, database.engine.dialect)
    values = {"row_id": -1, "status": "handled", "reply": None, "at": datetime.now(UTC)}
    try:
        with pytest.raises(DBAPIError) as failure, database.session() as session, session.begin():
            victim = session.scalar(text("SELECT pg_backend_pid()"))
            with killer.engine.connect() as connection:
                connection.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": victim})
            direct.run(session, values)
        assert failure.value.connection_invalidated
        with database.session() as session, session.begin():
            assert session.scalar(text("SELECT pg_backend_pid()")) != victim
            assert direct.run(session, values) is None
    finally:
        database.dispose()
        killer.dispose()


def test_one_session_running_several_transactions_uses_each_ones_connection(
    migrated_database: Database,
) -> None:
    database_url = migrated_database.url
    if not database_url.startswith("postgresql"):
        pytest.skip("the direct path runs on PostgreSQL (SQLite's driver is positional)")
    database = Database(database_url)
    direct = DirectStatement(select(func.pg_backend_pid().label("pid")), database.engine.dialect)
    backend = text("SELECT pg_backend_pid()")
    try:
        with database.session() as session:
            with session.begin():
                first = direct.run(session, {})
                assert first is not None and first.pid == session.scalar(backend)
            # The first transaction's connection is back in the pool: someone else takes it.
            with database.engine.connect() as holder:
                assert holder.scalar(backend) == first.pid
                with session.begin():
                    row = direct.run(session, {})
                    assert row is not None and row.pid == session.scalar(backend) != first.pid
    finally:
        database.dispose()


@pytest.mark.parametrize("path", ["direct", "session"])
def test_a_lost_connection_invalidates_the_whole_pool_as_session_execute_does(
    migrated_database: Database, path: str
) -> None:
    # bot.db pings a pooled connection only after it sat idle: a database restart under load is
    # noticed when a statement fails, and that failure must discard every pooled connection
    # (SQLAlchemy invalidates the pool), or the retry gets the next dead one.
    database_url = migrated_database.url
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has no server connection to lose")
    database = Database(database_url, pool_size=3)
    killer = Database(database_url)
    direct = DirectStatement(FINISH, database.engine.dialect)
    values = {"row_id": -1, "status": "handled", "reply": None, "at": datetime.now(UTC)}

    def finish(session: Session) -> None:
        if path == "direct":
            direct.run(session, values)
        else:
            session.execute(FINISH, values)

    try:
        # Three pooled connections, all just returned (so none is pinged on its next checkout).
        sessions = [database.session() for _ in range(3)]
        pids = [session.scalar(text("SELECT pg_backend_pid()")) for session in sessions]
        for session in sessions:
            session.close()
        terminate_backends(killer, pids)
        with pytest.raises(DBAPIError) as failure, database.session() as session, session.begin():
            finish(session)
        assert failure.value.connection_invalidated
        with database.session() as session, session.begin():
            assert session.scalar(text("SELECT pg_backend_pid()")) not in pids
            finish(session)
    finally:
        database.dispose()
        killer.dispose()


def test_a_closed_driver_connection_raises_what_the_spool_takes_for_an_outage(
    migrated_database: Database,
) -> None:
    # The cursor is opened on the driver's connection; failing there must still be SQLAlchemy's
    # error (the retry and the spool recognise only those) and invalidate the connection.
    if not migrated_database.url.startswith("postgresql"):
        pytest.skip("SQLite has no server connection to lose")
    database = Database(migrated_database.url)
    direct = DirectStatement(FINISH, database.engine.dialect)
    values = {"row_id": -1, "status": "handled", "reply": None, "at": datetime.now(UTC)}
    try:
        with database.session() as session:
            session.connection().connection.driver_connection.close()  # type: ignore[union-attr]
            with pytest.raises(OperationalError) as failure:
                direct.run(session, values)
            assert failure.value.connection_invalidated
            assert spool.database_unreachable(failure.value)
            session.rollback()  # an invalidated connection needs no ROLLBACK: this one cannot
    finally:
        database.dispose()


def test_statements_on_one_driver_connection_share_one_cursor(db_session: Session) -> None:
    _postgresql(db_session)
    backend = DirectStatement(
        select(func.pg_backend_pid().label("pid")), db_session.get_bind().dialect
    )
    first = backend.run(db_session, {})
    pooled = db_session.connection().connection
    cursor = pooled.info["huaicai.direct.cursor"]
    second = backend.run(db_session, {})
    assert first is not None and second is not None and first.pid == second.pid
    assert pooled.info["huaicai.direct.cursor"] is cursor and not cursor.closed


def _construct_params(direct: DirectStatement, values: dict[str, Any]) -> dict[str, Any]:
    """What SQLAlchemy's own Compiled.construct_params gives, with the types' processors applied."""
    merged = dict(direct.compiled.construct_params(dict(values)) or {})
    return {
        name: direct.bind_processors[name](value) if name in direct.bind_processors else value
        for name, value in merged.items()
    }


def _comparable(parameters: dict[str, Any]) -> dict[str, Any]:
    """psycopg's JSON wrappers compare by identity: compare what they wrap."""
    return {name: getattr(value, "obj", value) for name, value in parameters.items()}


def test_the_precomputed_parameters_are_what_construct_params_gives() -> None:
    from sqlalchemy.dialects import postgresql

    from bot.services.dialog_states import UPSERT

    dialect = postgresql.psycopg.dialect()
    now = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
    cases: list[tuple[Any, dict[str, Any]]] = [
        (statement, _opening("msg:1", "o-plan", now)) for statement in OPEN_POSTGRESQL.values()
    ]
    cases.append((FINISH, {"row_id": 7, "status": "handled", "reply": "你好", "at": now}))
    cases.append(
        (
            UPSERT["postgresql"],
            {
                "person": "o-plan",
                "flow": "registration",
                "step": "name",
                "data": {"name": "张三"},
                "started_at": now,
                "updated_at": now,
            },
        )
    )
    for statement, values in cases:
        direct = DirectStatement(statement, dialect)
        assert direct._plan is not None  # the hot statements take the precomputed path
        assert _comparable(direct.parameters(values)) == _comparable(
            _construct_params(direct, values)
        )


def test_a_missing_required_parameter_is_refused_as_sqlalchemy_refuses_it() -> None:
    from sqlalchemy.dialects import postgresql
    from sqlalchemy.exc import InvalidRequestError

    direct = DirectStatement(FINISH, postgresql.psycopg.dialect())
    with pytest.raises(InvalidRequestError, match="row_id"):
        direct.parameters({"status": "handled", "reply": "x", "at": datetime.now(UTC)})


def test_a_parameter_computed_per_call_goes_through_construct_params() -> None:
    from itertools import count

    from sqlalchemy.dialects import postgresql

    counter = count(1)
    statement: Any = select(bindparam("n", callable_=lambda: next(counter)))
    direct = DirectStatement(statement, postgresql.psycopg.dialect())
    assert direct._plan is None
    assert direct.parameters({})["n"] == 1
    assert direct.parameters({})["n"] == 2


def test_values_given_when_the_statement_was_built_count_as_passed() -> None:
    from sqlalchemy.dialects import postgresql

    statement = text("SELECT :a AS a, :b AS b").bindparams(a=1)
    direct = DirectStatement(statement, postgresql.psycopg.dialect())
    assert direct.parameters({"b": 2}) == _construct_params(direct, {"b": 2}) == {"a": 1, "b": 2}
    assert direct.parameters({"a": 5, "b": 2}) == {"a": 5, "b": 2}
