"""The dashboard: progress against the policy's targets, in figures and charts."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue

from bot.db import utcnow
from bot.services import stats
from webhooks.console.base import STAFF, allow, blueprint
from webhooks.extensions import config, db_session


@blueprint.get("/")
@allow(*STAFF)
def dashboard() -> ResponseReturnValue:
    """Show progress against the policy targets."""
    figures = stats.dashboard(db_session(), config().targets, utcnow())
    return render_template(
        "console/dashboard.html", figures=figures, labels=stats.DEMAND_STATUS_LABELS
    )
