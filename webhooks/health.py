"""Liveness and readiness: ``GET /healthz``."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from bot import __version__
from bot.migrations import head_revision
from webhooks.extensions import runtime

blueprint = Blueprint("health", __name__)


@blueprint.get("/healthz")
def healthz() -> ResponseReturnValue:
    """Report the version and whether the database answers."""
    database = runtime().database
    revision = database.schema_revision()
    ok = revision is not False
    body = {
        "status": "ok" if ok else "degraded",
        "version": __version__,
        "database": {
            "ok": ok,
            "backend": database.engine.dialect.name,
            "schema": revision if ok else None,
            "schema_current": ok and revision == head_revision(),
        },
    }
    return jsonify(body), 200 if ok else 503
