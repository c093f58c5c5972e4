"""Enterprise users: their own enterprise's needs, review notes, and the people who said yes.

Everything here is scoped by the signed-in user's enterprise: another enterprise's need is
answered 404, as if it did not exist.
"""

from __future__ import annotations

from flask import abort, render_template
from flask.typing import ResponseReturnValue

from bot.models import Demand, Enterprise
from bot.services import enterprises, introductions
from webhooks.console.base import ENTERPRISE, allow, blueprint, operator
from webhooks.console.demands import STATUS_LABELS
from webhooks.extensions import db_session


def _own_enterprise() -> Enterprise:
    enterprise = db_session().get(Enterprise, operator().enterprise_id)
    if enterprise is None:
        abort(403)
    return enterprise


@blueprint.get("/enterprise")
@allow(*ENTERPRISE)
def enterprise_home() -> ResponseReturnValue:
    """List the enterprise's needs with their status and the organisers' notes."""
    enterprise = _own_enterprise()
    rows = enterprises.list_demands(db_session(), enterprise=enterprise, limit=200)
    return render_template(
        "console/enterprise_home.html", enterprise=enterprise, rows=rows, labels=STATUS_LABELS
    )


@blueprint.get("/enterprise/demands/<int:demand_id>")
@allow(*ENTERPRISE)
def enterprise_demand(demand_id: int) -> ResponseReturnValue:
    """Show one of the enterprise's needs and only the people who agreed to be introduced."""
    enterprise = _own_enterprise()
    session = db_session()
    demand = session.get(Demand, demand_id)
    if demand is None or demand.enterprise_id != enterprise.id:
        abort(404)
    people = introductions.introduced_people(session, demand)
    return render_template(
        "console/enterprise_demand.html",
        enterprise=enterprise,
        demand=demand,
        people=people,
        labels=STATUS_LABELS,
    )
