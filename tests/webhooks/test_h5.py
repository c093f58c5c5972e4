"""The H5 RSVP page: WeChat web OAuth (snsapi_base) against the fake server, CSRF, answers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from bot.db import utcnow
from bot.models import EventStatus, InvitationStatus
from bot.services import events
from devtools.fake_wechat import FakeWeChat
from tests.conftest import app_overrides
from tests.factories import make_event, make_talent
from webhooks import create_app
from webhooks.extensions import runtime


@pytest.fixture
def h5_app(
    database_url: str, db_connection: Connection, fake_wechat: FakeWeChat
) -> Iterator[Flask]:
    overrides = app_overrides(
        database_url,
        wechat={"api_base_url": fake_wechat.api_base_url},
        events={"oauth_authorize_url": f"{fake_wechat.url}/connect/oauth2/authorize"},
    )
    flask_app = create_app(overrides)
    flask_app.config["TESTING"] = True
    with flask_app.app_context():
        runtime().database.sessionmaker.configure(
            bind=db_connection, join_transaction_mode="create_savepoint"
        )
    yield flask_app
    flask_app.extensions["huaicai"].database.dispose()


@pytest.fixture
def h5_session(h5_app: Flask, db_connection: Connection) -> Iterator[Session]:
    session = Session(bind=db_connection, join_transaction_mode="create_savepoint")
    yield session
    session.close()


def _sign_in(client: FlaskClient, path: str, openid: str) -> str:
    """Open ``path`` as ``openid``: through the fake's OAuth page and back; return the page."""
    first = client.get(path)
    assert first.status_code == 302
    authorize = first.headers["Location"]
    query = parse_qs(urlsplit(authorize).query)
    assert query["scope"] == ["snsapi_base"] and query["response_type"] == ["code"]
    wechat = requests.get(
        authorize.split("#")[0], params={"fake_openid": openid}, allow_redirects=False, timeout=5
    )
    assert wechat.status_code == 302
    back = urlsplit(wechat.headers["Location"])
    returned = client.get(f"{back.path}?{back.query}")
    assert returned.status_code == 302 and returned.headers["Location"].endswith(path)
    page = client.get(path)
    assert page.status_code == 200
    return page.get_data(as_text=True)


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def test_invited_person_registers_on_the_page_after_oauth(
    h5_app: Flask, h5_session: Session, fake_wechat: FakeWeChat
) -> None:
    event = make_event(
        h5_session, title="院地科技合作洽谈会", kind="洽谈会", status=EventStatus.OPEN, capacity=50
    )
    talent = make_talent(h5_session, openid="o-h5")
    events.transition(
        events.propose_invitation(h5_session, event, talent), InvitationStatus.INVITED, utcnow()
    )
    h5_session.commit()
    client = h5_app.test_client()
    path = f"/h5/events/{event.id}"
    html = _sign_in(client, path, "o-h5")
    assert "院地科技合作洽谈会" in html and "待您回复" in html and "我要报名" in html
    assert 'name="viewport"' in html
    assert len(fake_wechat.calls("sns/oauth2/access_token")) == 1

    # Without the CSRF token the form is refused.
    assert client.post(path, data={"register": "1"}).status_code == 400
    done = client.post(path, data={"register": "1", "csrf_token": _csrf(html)})
    assert done.status_code == 302
    h5_session.expire_all()
    row = events.participation(h5_session, event.id, openid="o-h5")
    assert row is not None and row.status is InvitationStatus.REGISTERED
    after = client.get(path).get_data(as_text=True)
    assert "报名成功" in after and "取消报名" in after


def test_oauth_with_a_wrong_state_or_code_is_refused(h5_app: Flask) -> None:
    client = h5_app.test_client()
    assert client.get("/h5/oauth?code=x&state=y").status_code == 400
    first = client.get("/h5/events/1")
    state = parse_qs(urlsplit(first.headers["Location"]).query)["state"][0]
    # A code the fake never issued: WeChat answers 40029, the page says so.
    assert client.get(f"/h5/oauth?code=forged&state={state}").status_code == 502


def test_anonymous_post_is_forbidden_and_draft_events_are_hidden(
    h5_app: Flask, h5_session: Session
) -> None:
    draft = make_event(h5_session, starts_at=utcnow() + timedelta(days=3), title="筹备中")
    public = make_event(h5_session, status=EventStatus.OPEN, title="康养产业沙龙")
    h5_session.commit()
    client = h5_app.test_client()
    assert client.post(f"/h5/events/{draft.id}", data={"register": "1"}).status_code == 403
    html = _sign_in(client, f"/h5/events/{public.id}", "o-someone")
    assert "未报名" in html
    assert client.get(f"/h5/events/{draft.id}").status_code == 404
    listing = client.get("/h5/events").get_data(as_text=True)
    assert "康养产业沙龙" in listing and "筹备中" not in listing
