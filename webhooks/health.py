"""Liveness and readiness: ``GET /healthz``.

``database`` says whether the database answers (503 when it does not). ``wechat`` says whether
this process could read WeChat's encrypted messages lately: a wrong or missing EncodingAESKey
makes every message unreadable, which would otherwise only show as an account that answers
nothing. That state is ``degraded`` with the likely cause, still 200 (taking the node out of
rotation would not help). ``spool`` counts deliveries waiting for the database.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue

from bot import __version__
from bot.migrations import head_revision
from webhooks import callback
from webhooks.extensions import runtime

blueprint = Blueprint("health", __name__)


@blueprint.get("/healthz")
def healthz() -> ResponseReturnValue:
    """Report the version, whether the database answers and whether WeChat's messages are read."""
    database = runtime().database
    revision = database.schema_revision()
    ok = revision is not False
    wechat = callback.key_health(current_app)
    body = {
        "status": "ok" if ok and wechat["ok"] else "degraded",
        "version": __version__,
        "database": {
            "ok": ok,
            "backend": database.engine.dialect.name,
            "schema": revision if ok else None,
            "schema_current": ok and revision == head_revision(),
        },
        "wechat": wechat,
        "spool": {"waiting": callback.spooled_count(current_app)},
    }
    return jsonify(body), 200 if ok else 503
