"""A floor for bench/callback.py: the full callback's durable work with nothing else around it.

Served by gunicorn as ``bench.wechat_floor:create_app('TOKEN', 'postgresql://...')``. Per message:
the echo's signature check and wechatpy parse, then, on a psycopg connection kept per thread,
the same two statements the full app runs (``bot.services.inbound``: open the delivery, store
the reply), compiled once, and COMMIT; a fixed reply. No SQLAlchemy at request time, no ORM
session, no dialog dispatch, no reply-budget thread. What the full app costs beyond this is the
price of those parts; what this costs beyond the echo is the durable transaction itself.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

import psycopg
from flask import Flask, Response, request
from sqlalchemy.dialects import postgresql
from wechatpy.replies import create_reply

from bench.wechat_echo import signed_message
from bot.services.inbound import FINISH, HANDLED, OPEN_POSTGRESQL
from bot.services.replay_guard import SignedPair, body_digest, pair_parameters

REPLY = "您好！回复“注册”开始登记。"
# The full app's pair lifetime with the default 300 s timestamp window (twice it, plus 1 s).
PAIR_TTL_SECONDS = 601


def _compiled(statement: Any) -> tuple[str, dict[str, Any]]:
    """Return the statement's SQL for psycopg and its constant parameters (enums as text)."""
    compiled = statement.compile(dialect=postgresql.psycopg.dialect())
    constants = {k: str(v) if isinstance(v, str) else v for k, v in compiled.params.items()}
    return compiled.string, constants


def create_app(token: str, dsn: str) -> Flask:
    """Return the floor endpoint checking signatures with ``token`` and writing to ``dsn``."""
    app = Flask(__name__)
    # A message (it opens the 48-hour window) with its signed pair bound, as the full app runs it.
    opening = OPEN_POSTGRESQL[(True, True)]
    open_sql, open_constants = _compiled(opening)
    # The claimed row's id (None: a repeat); the first column is the bound pair's nonce.
    row_id = [column.name for column in opening.selected_columns].index("row_id")  # type: ignore[attr-defined]
    finish_sql, finish_constants = _compiled(FINISH)
    local = threading.local()
    # Every thread's connection, so whoever stops the floor can close them.
    opened: list[psycopg.Connection[Any]] = []
    app.extensions["floor_connections"] = opened

    @app.post("/wechat")
    def floor() -> Response:
        message = signed_message(token)
        if message is None:
            return Response("forbidden", 403)
        connection = getattr(local, "connection", None)
        if connection is None:
            connection = local.connection = psycopg.connect(dsn)
            opened.append(connection)
        now = datetime.now(UTC)
        with connection.cursor() as cursor:
            cursor.execute(
                open_sql,
                open_constants
                | {
                    "delivery_key": f"msg:{message.id}",
                    "person": message.source,
                    "message_kind": message.type,
                    "at": now,
                }
                | pair_parameters(
                    SignedPair(
                        int(request.args["timestamp"]),
                        request.args.get("nonce", ""),
                        body_digest(request.get_data()),
                        PAIR_TTL_SECONDS,
                    )
                ),
            )
            row = cursor.fetchone()
            if row is not None and row[row_id] is not None:
                cursor.execute(
                    finish_sql,
                    finish_constants
                    | {"row_id": row[row_id], "status": HANDLED, "reply": REPLY, "at": now},
                )
        connection.commit()
        return Response(create_reply(REPLY, message).render(), mimetype="application/xml")

    return app
