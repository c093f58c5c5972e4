"""H5 requests are one transaction each, on a database with real commits: a successful form is
committed, and a request that fails after writing (an exception, or a 400 answer) stores nothing.

Faults are injected by wrapping a service the view calls so that it raises after the real write;
the database itself is real, and what is stored is read back through a separate connection.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from bot.db import Database, utcnow
from bot.models import AuditEntry, Consent, EventStatus, Invitation, InvitationStatus, Talent
from bot.services import events, talents
from bot.validators import ValidationError
from tests.factories import make_event, make_talent
from tests.webhooks.conftest import committed_app
from tests.webhooks.test_h5_talents import FORM, as_person, token
from webhooks.callback import EXTENSION_KEY

OPENID = "o-h5-transaction"


class FailedOnPurpose(RuntimeError):
    """Raised by a wrapped service after its real write."""


@pytest.fixture
def h5_app(committed_database: Database) -> Iterator[Flask]:
    """Return the app on the committed database; an exception answers 500 as in production."""
    app = committed_app(committed_database)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    yield app
    app.extensions[EXTENSION_KEY].responder.close()
    app.extensions["huaicai"].database.dispose()


@pytest.fixture
def client(h5_app: Flask) -> FlaskClient:
    client = h5_app.test_client()
    as_person(client, OPENID)
    return client


def _count(database: Database, model: Any, *where: Any) -> int:
    """Return how many rows of ``model`` match, read through a new connection."""
    with database.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def _stored_talent(database: Database) -> Talent | None:
    with database.transaction() as session:
        talent = session.scalars(select(Talent).where(Talent.openid == OPENID)).one_or_none()
        session.expunge_all()
        return talent


def _fail_after(original: Callable[..., Any], error: Exception) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        original(*args, **kwargs)
        raise error

    return wrapper


def _register(client: FlaskClient, **changes: str) -> Any:
    data = {**FORM, "consent": "y", "csrf_token": token(client, "/h5/register"), **changes}
    return client.post("/h5/register", data=data)


def test_an_h5_registration_is_committed(client: FlaskClient, committed_database: Database) -> None:
    response = _register(client)
    assert response.status_code == 302 and response.headers["Location"].endswith("/h5/me")
    # The pages carry personal data: kept out of shared caches, as the console's.
    assert response.headers["Cache-Control"] == "no-store"
    talent = _stored_talent(committed_database)
    assert talent is not None and talent.name == "王建国"
    assert _count(committed_database, Consent, Consent.talent_id == talent.id) == 2
    assert "登记成功" in client.get("/h5/me").text


def test_an_invalid_registration_stores_nothing(
    client: FlaskClient, committed_database: Database
) -> None:
    response = _register(client, city="深证")
    assert response.status_code == 400 and "没找到“深证”这个城市" in response.text
    assert _stored_talent(committed_database) is None
    assert _count(committed_database, Consent, Consent.openid == OPENID) == 0


@pytest.mark.parametrize("propagate", [False, True], ids=["answered-500", "propagated"])
def test_a_registration_failing_after_its_writes_stores_nothing(
    h5_app: Flask,
    client: FlaskClient,
    committed_database: Database,
    monkeypatch: pytest.MonkeyPatch,
    propagate: bool,
) -> None:
    # Production answers 500 (after_request sees it); in debug the exception leaves the app
    # and only teardown_request sees it. Both must roll back.
    h5_app.config["PROPAGATE_EXCEPTIONS"] = propagate
    # Linking walk-ins runs after the consents and the talent are written.
    monkeypatch.setattr(
        events, "link_walk_ins", _fail_after(events.link_walk_ins, FailedOnPurpose())
    )
    if propagate:
        with pytest.raises(FailedOnPurpose):
            _register(client)
    else:
        assert _register(client).status_code == 500
    assert _stored_talent(committed_database) is None
    assert _count(committed_database, Consent, Consent.openid == OPENID) == 0
    assert _count(committed_database, AuditEntry, AuditEntry.subject_type == "talent") == 0
    monkeypatch.undo()
    # The same person can still register: nothing half-written stands in the way.
    assert _register(client).status_code == 302
    assert _stored_talent(committed_database) is not None


def test_a_profile_edit_refused_after_a_partial_write_stores_nothing(
    client: FlaskClient, committed_database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _register(client).status_code == 302
    audits = _count(committed_database, AuditEntry)
    # The edit is applied, then refused as a form error: the page answers 400 with the message.
    refusal = ValidationError("employer", "工作单位填写有误。", "refused on purpose")
    monkeypatch.setattr(talents, "update_talent", _fail_after(talents.update_talent, refusal))
    edit = {**FORM, "employer": "中兴", "csrf_token": token(client, "/h5/me")}
    response = client.post("/h5/me", data=edit)
    assert response.status_code == 400 and "工作单位填写有误" in response.text
    talent = _stored_talent(committed_database)
    assert talent is not None and talent.employer == "华为"
    assert _count(committed_database, AuditEntry) == audits
    monkeypatch.undo()
    assert client.post("/h5/me", data=edit).status_code == 302
    talent = _stored_talent(committed_database)
    assert talent is not None and talent.employer == "中兴"


def test_an_rsvp_failing_after_its_write_stores_nothing(
    client: FlaskClient, committed_database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    with committed_database.transaction() as session:
        event = make_event(session, status=EventStatus.OPEN, capacity=10)
        talent = make_talent(session, openid=OPENID)
        events.transition(
            events.propose_invitation(session, event, talent), InvitationStatus.INVITED, utcnow()
        )
        event_id = event.id
    path = f"/h5/events/{event_id}"
    csrf = token(client, path)

    def status() -> InvitationStatus:
        with committed_database.transaction() as session:
            row = events.participation_of(session, event_id, OPENID)
            assert row is not None
            return row.status

    monkeypatch.setattr(events, "register", _fail_after(events.register, FailedOnPurpose()))
    assert client.post(path, data={"register": "1", "csrf_token": csrf}).status_code == 500
    assert status() is InvitationStatus.INVITED
    assert _count(committed_database, Invitation, Invitation.event_id == event_id) == 1
    monkeypatch.undo()
    assert client.post(path, data={"register": "1", "csrf_token": csrf}).status_code == 302
    assert status() is InvitationStatus.REGISTERED
