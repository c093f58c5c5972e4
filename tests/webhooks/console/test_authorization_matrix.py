"""Every route × every method × {anonymous, enterprise A, enterprise B, organiser, admin}.

The routes come from ``app.url_map``: a route missing from ``ACCESS`` fails the test, so a new
page cannot be added without saying who may open it. Requests carry no CSRF token, so no POST
changes anything; what is checked is who gets past the door.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from bot.models import Role
from tests.factories import make_demand, make_enterprise, make_talent
from tests.webhooks.console.conftest import make_user, sign_in
from webhooks.callback import CallbackFirst

ANONYMOUS, ENTERPRISE_A, ENTERPRISE_B, ORGANISER, ADMIN = (
    "anonymous",
    "enterprise A",
    "enterprise B",
    "organiser",
    "admin",
)
PERSONAS = (ANONYMOUS, ENTERPRISE_A, ENTERPRISE_B, ORGANISER, ADMIN)
STAFF = {ORGANISER, ADMIN}
ADMINS = {ADMIN}
ENTERPRISES = {ENTERPRISE_A, ENTERPRISE_B}
EVERYONE_SIGNED_IN = STAFF | ENTERPRISES
# Open to anyone, signed in or not (the console's login, public pages, WeChat, monitoring).
PUBLIC = "public"
# Enterprise pages about one object of enterprise A: A may open it, B gets 404.
OWN_TO_A = "own to enterprise A"

ACCESS: dict[str, object] = {
    "static": PUBLIC,
    "pages.about": PUBLIC,
    "health.healthz": PUBLIC,
    "metrics.metrics": PUBLIC,
    "console.login": PUBLIC,
    "console.logout": EVERYONE_SIGNED_IN,
    "console.dashboard": STAFF,
    "console.talent_list": STAFF,
    "console.talent_detail": STAFF,
    "console.talent_edit": STAFF,
    "console.duplicate_list": STAFF,
    "console.talent_merge": STAFF,
    "console.demand_list": STAFF,
    "console.demand_detail": STAFF,
    "console.review_demand": STAFF,
    "console.reopen_demand": STAFF,
    "console.propose_shortlist": STAFF,
    "console.ask_talents": STAFF,
    "console.record_outcome": STAFF,
    "console.import_form": STAFF,
    "console.import_upload": STAFF,
    "console.import_run": STAFF,
    "console.import_batch": STAFF,
    "console.import_duplicate": STAFF,
    "console.export_form": ADMINS,
    "console.user_list": ADMINS,
    "console.user_change": ADMINS,
    "console.api_client_create": ADMINS,
    "console.audit_log": ADMINS,
    "console.erasure_form": ADMINS,
    "console.event_list": STAFF,
    "console.event_new": STAFF,
    "console.event_edit": STAFF,
    "console.event_detail": STAFF,
    "console.event_propose": STAFF,
    "console.event_add_invitee": STAFF,
    "console.event_remove_invitee": STAFF,
    "console.event_send": STAFF,
    "console.event_approve": STAFF,
    "console.event_attendance": STAFF,
    "console.event_poster": STAFF,
    "console.event_poster_file": STAFF,
    "console.liaison_home": STAFF,
    "console.liaison_contact": STAFF,
    "console.enterprise_home": ENTERPRISES,
    "console.enterprise_demand": OWN_TO_A,
}
# Talents' own H5 pages sign people in through WeChat, not the console.
PUBLIC_PREFIXES = ("h5.", "simulator.", "api.")
# The JSON API: the same personas as bearer tokens of API clients.
API_ACCESS: dict[str, object] = {
    "api.openapi": PUBLIC,
    "api.list_talents": STAFF,
    "api.get_talent": STAFF,
    "api.list_needs": EVERYONE_SIGNED_IN,
    "api.get_need": OWN_TO_A,
    "api.list_events": STAFF,
    "api.event_attendance": STAFF,
    "api.statistics": STAFF,
    "api.submit_need": EVERYONE_SIGNED_IN,
    "api.check_in": STAFF,
    "api.record_outcome": STAFF,
}


@dataclass
class World:
    clients: dict[str, FlaskClient]
    values: dict[str, object]


@pytest.fixture
def world(app: Flask, db_session: Session) -> World:
    firm_a, firm_b = make_enterprise(db_session), make_enterprise(db_session)
    talent, other = make_talent(db_session), make_talent(db_session, openid=None)
    demand = make_demand(db_session, firm_a)
    accounts = {
        ENTERPRISE_A: make_user(db_session, Role.ENTERPRISE, firm_a),
        ENTERPRISE_B: make_user(db_session, Role.ENTERPRISE, firm_b),
        ORGANISER: make_user(db_session, Role.ORGANISER),
        ADMIN: make_user(db_session, Role.ADMIN),
    }
    db_session.commit()
    clients = {ANONYMOUS: app.test_client()}
    for persona, user in accounts.items():
        clients[persona] = app.test_client()
        assert sign_in(clients[persona], user.username) == 302
    values: dict[str, object] = {
        "talent_id": talent.id,
        "other_id": other.id,
        "demand_id": demand.id,
        "user_id": accounts[ORGANISER].id,
        "batch_id": 999_999,
        "duplicate_id": 999_999,
        # No such event: the pages answer 404 past the door, and no QR code is asked of WeChat.
        "event_id": 999_999,
        "invitation_id": 999_999,
        "kind": "png",
        "token": "x" * 24,
        "filename": "console/console.css",
    }
    return World(clients, values)


def _url(app: Flask, endpoint: str, arguments: set[str], values: dict[str, object]) -> str:
    with app.test_request_context():
        from flask import url_for

        return url_for(endpoint, **{name: values[name] for name in arguments})


def test_the_callback_answers_everyone_alike(app: Flask, world: World) -> None:
    # WeChat's callback is served in front of the Flask app: its own signature decides, the
    # same way whoever is signed in to the console.
    assert isinstance(app.wsgi_app, CallbackFirst)
    for method in ("GET", "POST"):
        seen: set[int] = set()
        for persona in PERSONAS:
            response = world.clients[persona].open(CallbackFirst.ROUTE, method=method)
            seen.add(response.status_code)
            response.close()
        assert seen == {403}, (method, seen)


def test_every_route_says_who_may_open_it(app: Flask, world: World) -> None:
    checked = 0
    forgotten = []
    # The WeChat callback in front of the app is checked on its own (above).
    for rule in app.url_map.iter_rules():
        endpoint = rule.endpoint
        if endpoint.startswith(PUBLIC_PREFIXES):
            continue
        if endpoint not in ACCESS:
            forgotten.append(endpoint)
            continue
        allowed = ACCESS[endpoint]
        url = _url(app, endpoint, set(rule.arguments), world.values)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            for persona in PERSONAS:
                response = world.clients[persona].open(url, method=method)
                status = response.status_code
                location = response.headers.get("Location", "")
                response.close()
                checked += 1
                where = f"{method} {url} as {persona}: {status} {location}"
                if allowed == PUBLIC:
                    assert status not in (401, 403) and "/console/login" not in location, where
                elif persona == ANONYMOUS:
                    assert status == 302 and "/console/login" in location, where
                elif allowed == OWN_TO_A:
                    expected = {ENTERPRISE_A: 200, ENTERPRISE_B: 404}.get(persona, 403)
                    assert status == expected, where
                elif persona in allowed:  # type: ignore[operator]
                    assert status not in (401, 403, 429) and "/console/login" not in location, where
                else:
                    assert status == 403, where
    assert not forgotten, f"routes missing from ACCESS: {forgotten}"
    print(f"authorization matrix: {checked} requests")
    assert checked >= 150


def test_admin_only_actions_are_refused_to_organisers() -> None:
    admin_only = {endpoint for endpoint, who in ACCESS.items() if who == ADMINS}
    assert {
        "console.user_list",
        "console.user_change",
        "console.export_form",
        "console.erasure_form",
        "console.audit_log",
    } <= admin_only


def test_every_api_route_says_who_may_call_it(app: Flask, db_session: Session) -> None:
    from bot.models import ConsentPurpose
    from bot.services import consents, users

    firm_a, firm_b = make_enterprise(db_session), make_enterprise(db_session)
    talent = make_talent(db_session)
    consents.record_consent(
        db_session, purpose=ConsentPurpose.REGISTRATION, version="t", granted=True, talent=talent
    )
    demand = make_demand(db_session, firm_a)
    tokens: dict[str, dict[str, str]] = {ANONYMOUS: {}}
    for persona, role, firm in (
        (ENTERPRISE_A, Role.ENTERPRISE, firm_a),
        (ENTERPRISE_B, Role.ENTERPRISE, firm_b),
        (ORGANISER, Role.ORGANISER, None),
        (ADMIN, Role.ADMIN, None),
    ):
        _, token = users.create_api_client(
            db_session, name=persona, role=role, enterprise_id=firm.id if firm else None
        )
        tokens[persona] = {"Authorization": f"Bearer {token}"}
    db_session.commit()
    values = {"talent_id": talent.id, "demand_id": demand.id, "event_id": 999_999}
    client = app.test_client()
    checked, forgotten = 0, []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api."):
            continue
        if rule.endpoint not in API_ACCESS:
            forgotten.append(rule.endpoint)
            continue
        allowed = API_ACCESS[rule.endpoint]
        url = _url(app, rule.endpoint, set(rule.arguments), values)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            for persona in PERSONAS:
                status = client.open(url, method=method, headers=tokens[persona]).status_code
                checked += 1
                where = f"{method} {url} as {persona}: {status}"
                if allowed == PUBLIC:
                    assert status == 200, where
                elif persona == ANONYMOUS:
                    assert status == 401, where
                elif allowed == OWN_TO_A:
                    expected = {ENTERPRISE_B: 404}.get(persona, 200)
                    assert status == expected, where
                elif persona in allowed:  # type: ignore[operator]
                    # A write without a body gets past the door and is refused as invalid.
                    assert status in ((400,) if method == "POST" else (200, 404)), where
                else:
                    assert status == 403, where
    assert not forgotten, f"API routes missing from API_ACCESS: {forgotten}"
    print(f"API authorization matrix: {checked} requests")
