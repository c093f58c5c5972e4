"""Talents' H5 pages: register by form with the chat's consent and validation, edit, events."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.dialogs import registration_texts
from bot.models import Consent, ConsentPurpose, Talent
from webhooks.h5 import OPENID_KEY

OPENID = "o-h5-person"


def as_person(client: FlaskClient, openid: str = OPENID) -> None:
    with client.session_transaction() as session:
        session[OPENID_KEY] = openid


def token(client: FlaskClient, path: str) -> str:
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get(path).text)
    assert found
    return found.group(1)


FORM = {
    "name": "我叫王建国",
    "county": "410825",
    "city": "深圳市",
    "employer": "华为",
    "education": "博士",
    "expertise": "锂离子电池正极材料",
    "cooperation_wishes": ["技术咨询"],
    "phone": "138 1234 5678",
}


def test_a_visitor_without_openid_is_sent_to_wechat_oauth(client: FlaskClient) -> None:
    response = client.get("/h5/register")
    assert response.status_code == 302 and "snsapi_base" in response.headers["Location"]


def test_register_by_form_with_consent_and_the_chats_validation(
    client: FlaskClient, db_session: Session
) -> None:
    as_person(client)
    page = client.get("/h5/register").text
    assert "用途" in page and registration_texts.CONSENT_VERSION in page
    # The whole notice (its last point included), none of the chat's "reply 同意" line.
    assert "回复“注销”可删除全部资料" in page and "同意请回复" not in page
    data = {**FORM, "csrf_token": token(client, "/h5/register")}
    refused = client.post("/h5/register", data=data)
    assert refused.status_code == 400 and "勾选同意" in refused.text
    assert (
        client.post("/h5/register", data={**data, "consent": "y", "city": "深证"}).status_code
        == 400
    )
    response = client.post("/h5/register", data={**data, "consent": "y"})
    assert response.status_code == 302
    talent = db_session.scalars(select(Talent).where(Talent.openid == OPENID)).one()
    assert (talent.name, talent.city, talent.phone) == ("王建国", "深圳", "13812345678")
    assert talent.origin_code == "410825" and talent.source == "h5" and talent.keywords
    purposes = {
        c.purpose for c in db_session.scalars(select(Consent).where(Consent.talent_id == talent.id))
    }
    assert purposes == {ConsentPurpose.REGISTRATION, ConsentPurpose.INVITATIONS}
    # Registered people land on their profile and may edit it there.
    assert client.get("/h5/register").headers["Location"].endswith("/h5/me")
    edit = {**FORM, "employer": "中兴", "csrf_token": token(client, "/h5/me")}
    assert client.post("/h5/me", data=edit).status_code == 302
    db_session.refresh(talent)
    assert talent.employer == "中兴"
    assert "还没有报名的活动" in client.get("/h5/my-events").text
