"""Console fixtures: users of every role, signed-in clients, the CSRF token of a page."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from bot.models import ConsoleUser, Enterprise, Role
from bot.services import users
from tests.factories import make_enterprise

PASSWORD = "console-password"
_numbers = itertools.count(1)


def csrf_token(client: FlaskClient, path: str) -> str:
    """Return the CSRF token of the first form on ``path``."""
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page
    )
    assert match, page[:2000]
    return match.group(1)


def make_user(
    session: Session, role: Role, enterprise: Enterprise | None = None, username: str = ""
) -> ConsoleUser:
    """Create a console user of ``role`` (committed, so the app's requests see it)."""
    user = users.create_user(
        session,
        username=username or f"{role.value}-{next(_numbers)}",
        password=PASSWORD,
        role=role,
        enterprise_id=enterprise.id if enterprise else None,
    )
    session.commit()
    return user


def sign_in(client: FlaskClient, username: str, password: str = PASSWORD) -> int:
    """Sign ``username`` in; return the status of the login POST."""
    token = csrf_token(client, "/console/login")
    response = client.post(
        "/console/login", data={"username": username, "password": password, "csrf_token": token}
    )
    return response.status_code


SignIn = Callable[..., FlaskClient]


@pytest.fixture
def signed_in(app: Flask, db_session: Session) -> SignIn:
    """Return a factory of clients signed in as a new user: ``signed_in(Role.ADMIN)``."""

    def make(role: Role = Role.ORGANISER, enterprise: Enterprise | None = None) -> FlaskClient:
        if role == Role.ENTERPRISE and enterprise is None:
            enterprise = make_enterprise(session := db_session)
            session.commit()
        user = make_user(db_session, role, enterprise)
        client = app.test_client()
        assert sign_in(client, user.username) == 302
        return client

    return make
