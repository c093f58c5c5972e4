"""bench/wechat_floor.py does the full app's durable work: claim the delivery, store the reply."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from bench.wechat_floor import REPLY, create_app
from bot.db import Database
from bot.models import CallbackNonce, InboundMessage
from devtools.simulator import SignedRequest, WeChatUser


def test_the_floor_claims_the_delivery_and_stores_its_reply_on_that_row(
    committed_database: Database,
) -> None:
    if committed_database.engine.dialect.name != "postgresql":
        pytest.skip("the floor runs raw psycopg against PostgreSQL")
    url = committed_database.engine.url.render_as_string(hide_password=False)
    floor = create_app("floor-token", url.replace("postgresql+psycopg://", "postgresql://"))
    user = WeChatUser(token="floor-token", appid="wxfloor", openid="o-floor-1")
    request = user.text("帮助")
    client = floor.test_client()
    try:
        _check(client, request, committed_database)
    finally:
        for connection in floor.extensions["floor_connections"]:
            connection.close()


def _check(client: FlaskClient, request: SignedRequest, committed_database: Database) -> None:
    answer = client.post(request.url("/wechat"), data=request.body)
    assert answer.status_code == 200 and REPLY in answer.get_data(as_text=True)
    with committed_database.session() as session:
        row = session.scalars(select(InboundMessage)).one()
        assert (row.openid, row.status, row.reply) == ("o-floor-1", "handled", REPLY)
        assert row.handled_at is not None
        assert session.scalars(select(CallbackNonce)).one().nonce == request.nonce
    # The same delivery again (WeChat's retry) claims nothing and stores nothing more.
    assert client.post(request.url("/wechat"), data=request.body).status_code == 200
    with committed_database.session() as session:
        assert len(session.scalars(select(InboundMessage)).all()) == 1
