"""Run a hot Core statement on the session's own DBAPI cursor, past SQLAlchemy's execution layer.

Every WeChat message runs the same two statements (``bot.services.inbound``: open the delivery,
store the reply). Through ``Session.execute`` each costs about 250 µs of CPU on top of psycopg's
own work, more than the database's answer takes; run here they cost what raw psycopg costs
(``bench/callback.py``; the figures are in docs/measurements.md). The statement is compiled once
per dialect, in the same transaction and on the same connection as the rest of the session's
work, so nothing about atomicity changes. What SQLAlchemy would do around the cursor is kept:

- bind and result values go through the column types' processors (``UTCDateTime`` and so on);
- ``before_cursor_execute`` / ``after_cursor_execute`` listeners see the statement (tests count
  statements and inject faults that way; ``echo`` logging is not replicated);
- a driver error goes through SQLAlchemy's own error handling: raised as its ``DBAPIError``
  subclass, ``handle_error`` listeners run, and a lost connection invalidates itself and the pool
  (whose other connections died with it), so the pool hands out none of them again.

Only for drivers with named parameters (psycopg; SQLite's driver is positional) and statements
whose SQL does not depend on the parameters (no expanding IN, no ``literal_execute``):
``DirectStatement`` refuses others when built.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, cast

from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.orm import Session
from sqlalchemy.sql import ClauseElement, Executable
from sqlalchemy.sql.compiler import Compiled


class DirectRow:
    """One result row: values by column name, as attributes (``row.row_id``)."""

    __slots__ = ("_values", "_index")

    def __init__(self, values: tuple[Any, ...], index: Mapping[str, int]) -> None:
        self._values = values
        self._index = index

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[self._index[name]]
        except KeyError:
            raise AttributeError(name) from None


class DirectStatement:
    """``statement`` compiled for one dialect, ready to run on a session's DBAPI cursor.

    Raises ``ValueError`` when built for a statement whose SQL would depend on its parameters.
    """

    def __init__(self, statement: Executable, dialect: Dialect) -> None:
        compiled: Compiled = cast(ClauseElement, statement).compile(dialect=dialect)
        if getattr(compiled, "positional", False):
            raise ValueError(f"{dialect.name}: positional parameters (only named styles are run)")
        if getattr(compiled, "literal_execute_params", None) or getattr(
            compiled, "post_compile_params", None
        ):
            raise ValueError("statement renders differently per parameter set")
        self.compiled = compiled
        self.sql = compiled.string
        binds = getattr(compiled, "binds", {})
        self.bind_processors: dict[str, Callable[[Any], Any]] = {}
        for name, bind in binds.items():
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                self.bind_processors[name] = processor
        self._plan = _parameter_plan(compiled, self.bind_processors)
        columns = getattr(compiled, "_result_columns", [])
        self.result_processors = tuple(
            column[3].dialect_impl(dialect).result_processor(dialect, None) for column in columns
        )
        self.index = {column[0]: position for position, column in enumerate(columns)}
        # Whether the statement answers with rows (SELECT, RETURNING): only then is one fetched,
        # without asking the cursor for its description (psycopg builds a column object each).
        self.returns_rows = bool(columns)

    def parameters(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """Return the DBAPI parameters for ``values`` (constants filled in, types applied).

        Raises ``sqlalchemy.exc.InvalidRequestError`` when a required parameter is missing.
        """
        if self._plan is None:
            merged = dict(self.compiled.construct_params(dict(values)) or {})
            for name, processor in self.bind_processors.items():
                if name in merged:
                    merged[name] = processor(merged[name])
            return merged
        constants, given = self._plan
        merged = dict(constants)
        for key, name, sent_as, required, process in given:
            if key in values:
                value = values[key]
            elif name in values:
                value = values[name]
            elif required:
                raise InvalidRequestError(f"A value is required for bind parameter {key!r}")
            else:
                continue
            merged[sent_as] = process(value) if process is not None else value
        return merged

    def run(self, session: Session, values: Mapping[str, Any]) -> DirectRow | None:
        """Execute in ``session``'s transaction; return the first row (None: no row or none kept).

        Raises what ``Session.execute`` would: a ``sqlalchemy.exc.DBAPIError`` subclass wrapping
        the driver's error (its connection invalidated when the server went away).
        """
        connection = _connection(session)
        sql = self.sql
        parameters: Any = self.parameters(values)
        dispatch = connection.dispatch
        pooled = connection.connection
        # One cursor per driver connection, kept in the pool's record of it (dropped with the
        # connection): psycopg builds a cursor's adapters afresh each time, about as much work
        # as binding the parameters.
        cursor = pooled.info.get(_CURSOR)
        if cursor is None or cursor.closed:
            try:
                cursor = pooled.info[_CURSOR] = pooled.driver_connection.cursor()  # type: ignore[union-attr]
            except connection.dialect.loaded_dbapi.Error as error:
                # A driver connection closed under the session fails here: raised and
                # invalidated as below, since the retry and the spool recognise only
                # SQLAlchemy's errors.
                connection._handle_dbapi_exception(error, sql, parameters, None, None)
        try:
            for listener in dispatch.before_cursor_execute:
                sql, parameters = listener(connection, cursor, sql, parameters, None, False)
            cursor.execute(sql, parameters)
            for after in dispatch.after_cursor_execute:
                after(connection, cursor, sql, parameters, None, False)
            row = cursor.fetchone() if self.returns_rows else None
        except connection.dialect.loaded_dbapi.Error as error:
            # SQLAlchemy's own handling, as under Session.execute: the error wrapped, handle_error
            # listeners run and, when the server went away, the connection and the whole pool
            # invalidated (its other connections are as dead, and bot.db pings only idle ones).
            connection._handle_dbapi_exception(error, sql, parameters, cursor, None)
        if row is None:
            return None
        values_out = tuple(
            processor(value) if processor is not None else value
            for processor, value in zip(self.result_processors, row, strict=True)
        )
        return DirectRow(values_out, self.index)


# What ``parameters`` needs of a compiled statement, worked out once: the values of the bind
# parameters nobody passes (types applied), and for each parameter a caller may pass: its key, its
# name, the name it is sent as, whether it is required, and its type's processor.
_Given = tuple[str, str, str, bool, Callable[[Any], Any] | None]
_Plan = tuple[dict[str, Any], tuple[_Given, ...]]


def _parameter_plan(
    compiled: Compiled, processors: Mapping[str, Callable[[Any], Any]]
) -> _Plan | None:
    """Return what ``Compiled.construct_params`` does per call, precomputed (same values).

    Values given to the statement when it was built (``TextClause.bindparams``, collected by
    SQLAlchemy 2.1 as it compiles) count as passed. None when a parameter's value is computed per
    call (``callable_``): such statements go through ``construct_params`` each time.
    """
    bind_names = getattr(compiled, "bind_names", {})
    escaped = getattr(compiled, "escaped_bind_names", {}) or {}
    collected = getattr(compiled, "_collected_params", None) or {}
    if any(bind.callable for bind in bind_names):
        return None
    constants: dict[str, Any] = {}
    given: list[_Given] = []
    for bind, name in bind_names.items():
        sent_as = escaped.get(name, name)
        processor = processors.get(sent_as)
        built_with = bind.key if bind.key in collected else name if name in collected else None
        required = bool(bind.required) and built_with is None
        given.append((bind.key, name, sent_as, required, processor))
        if not required:
            value = collected[built_with] if built_with is not None else bind.value
            constants[sent_as] = value if processor is None else processor(value)
    return constants, tuple(given)


_CONNECTION = "huaicai.direct.connection"
_CURSOR = "huaicai.direct.cursor"


def _connection(session: Session) -> Connection:
    """Return the connection of ``session``'s transaction (remembered for that transaction).

    ``Session.connection`` walks the session's transaction state on every call; a delivery runs
    two or three statements here in one transaction.
    """
    remembered = session.info.get(_CONNECTION)
    transaction = session.get_transaction()
    if remembered is not None and transaction is not None and remembered[0] is transaction:
        connection: Connection = remembered[1]
        if not connection.invalidated:
            return connection
    connection = session.connection()
    session.info[_CONNECTION] = (session.get_transaction(), connection)
    return connection


# Compiled statements by (dialect class, statement): built on first use in each process.
_COMPILED: dict[tuple[type, object], DirectStatement] = {}


def compiled_for(dialect: Dialect, statement: Executable) -> DirectStatement:
    """Return ``statement`` compiled for ``dialect`` (cached per process).

    Raises ``ValueError`` as ``DirectStatement`` does.
    """
    key = (type(dialect), statement)
    direct = _COMPILED.get(key)
    if direct is None:
        direct = _COMPILED[key] = DirectStatement(statement, dialect)
    return direct


def execute(session: Session, statement: Executable, values: Mapping[str, Any]) -> None:
    """Run a statement whose result is not needed: directly on PostgreSQL, else ``execute``."""
    dialect = session.get_bind().dialect
    if dialect.name == "postgresql":
        compiled_for(dialect, statement).run(session, values)
    else:
        session.execute(statement, dict(values))
