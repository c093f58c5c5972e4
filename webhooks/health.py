"""Liveness and readiness: ``GET /healthz``."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from bot import __version__
from webhooks.extensions import runtime

blueprint = Blueprint("health", __name__)


@blueprint.get("/healthz")
def healthz() -> ResponseReturnValue:
    """Report the version and whether the database answers."""
    database = runtime().database
    ok = database.ping()
    body = {
        "status": "ok" if ok else "degraded",
        "version": __version__,
        "database": {"ok": ok, "backend": database.engine.dialect.name},
    }
    return jsonify(body), 200 if ok else 503
