"""After 注销 nothing of the person's values remains in any table (full dump), drafts included."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import MetaData, func, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from bot.db import Database, utcnow
from bot.models import (
    ConsentPurpose,
    DialogState,
    Enterprise,
    EnterpriseContact,
    InboundMessage,
    OutboxMessage,
)
from bot.services import audit, consents, erasure, outbox, talents
from tests.factories import make_demand, make_enterprise, make_talent

NAME = "魏澜清"
PHONE = "13987654321"
EMAIL = "weilanqing@example.org"
EXPERTISE = "钨铼热电偶在超高温冶金炉中的漂移补偿方法研究"
OPENID = "o-erase-wei-lan-qing-000001"
VALUES = (NAME, PHONE, EMAIL, EXPERTISE, OPENID)


def dump_with_reflection(connection: Connection) -> str:
    """Return every row of every table as text (values JSON-encoded without escaping)."""
    metadata = MetaData()
    metadata.reflect(bind=connection)
    lines = []
    for table in metadata.sorted_tables:
        for row in connection.execute(table.select()):
            lines.append(table.name + " " + json.dumps(list(row), ensure_ascii=False, default=str))
    return "\n".join(lines)


def dump_database(database: Database) -> str:
    """Return a full dump: pg_dump on PostgreSQL when available, reflection otherwise."""
    url = database.engine.url
    if url.get_backend_name() == "postgresql" and shutil.which("pg_dump"):
        command = [
            "pg_dump",
            "--data-only",
            "-h",
            url.host or "127.0.0.1",
            "-p",
            str(url.port or 5432),
            "-U",
            url.username or "postgres",
            url.database or "",
        ]
        completed = subprocess.run(command, capture_output=True, check=True, timeout=60)
        return completed.stdout.decode("utf-8")
    with database.engine.connect() as connection:
        return dump_with_reflection(connection)


@pytest.fixture
def committed(committed_database: Database) -> Iterator[Database]:
    yield committed_database


def _leave_traces_everywhere(session: Session) -> int:
    """Create the person and put their values wherever the product copies them; return id."""
    talent = make_talent(
        session, name=NAME, openid=OPENID, phone=PHONE, email=EMAIL, expertise=EXPERTISE
    )
    consents.record_consent(
        session,
        purpose=ConsentPurpose.REGISTRATION,
        version="1",
        granted=True,
        talent=talent,
        openid=OPENID,
    )
    # They were the chat contact of an enterprise and posted a need.
    enterprise = make_enterprise(session, contact_name=NAME, contact_phone=PHONE)
    enterprise.contact_openid = OPENID
    session.add(
        EnterpriseContact(enterprise_id=enterprise.id, openid=OPENID, name=NAME, phone=PHONE)
    )
    make_demand(session, enterprise)
    # A conversation in progress, a delivery with its cached reply, a message to them.
    session.add(
        DialogState(openid=OPENID, flow="edit", step="phone", data={"phone": PHONE, "n": NAME})
    )
    session.add(
        InboundMessage(
            dedup_key="msg:990001", openid=OPENID, msg_type="text", reply=f"{NAME}，您好"
        )
    )
    outbox.enqueue(session, kind="text", openid=OPENID, payload={"content": NAME}, dedupe_key="e-1")
    # Their values copied into someone else's rows: an introduction sent to an enterprise
    # contact, a reply cached for that contact, an audit detail that held a value.
    outbox.enqueue(
        session,
        kind="text",
        openid="o-enterprise-contact",
        payload={"content": f"{NAME}（{PHONE}）同意与您联系"},
        dedupe_key="e-2",
    )
    session.add(
        InboundMessage(
            dedup_key="msg:990002",
            openid="o-enterprise-contact",
            msg_type="text",
            reply=f"匹配到：{NAME}",
        )
    )
    audit.record(session, "console:li", "update", "talent", talent.id, old_phone=PHONE)
    audit.record_shown(session, "console:li", "list", [talent.id], view="console talent list")
    session.flush()
    return talent.id


def test_after_erasure_no_value_of_the_person_is_left_in_any_table(committed: Database) -> None:
    with committed.transaction() as session:
        talent_id = _leave_traces_everywhere(session)
    before = dump_database(committed)
    assert all(value in before for value in VALUES)  # the dump does see them
    with committed.transaction() as session:
        talent = talents.get_talent(session, talent_id)
        assert talent is not None
        talents.erase_talent(session, talent, actor="self")
    after = dump_database(committed)
    left = [value for value in VALUES if value in after]
    assert left == []
    with committed.transaction() as session:
        enterprise = session.scalars(select(Enterprise)).one()
        assert (enterprise.contact_name, enterprise.contact_phone) == ("", "")
        # Other people's rows stay, without the copied values.
        assert session.scalar(select(func.count(InboundMessage.id))) == 1
        erased = audit.entries_for(session, "talent", talent_id)
        assert [entry.action for entry in erased][-1] == "erase"


def test_draft_of_an_unregistered_person_is_erased(db_session: Session) -> None:
    openid = "o-draft-only"
    db_session.add(DialogState(openid=openid, flow="registration", step="city", data={"n": NAME}))
    consents.record_consent(
        db_session, purpose=ConsentPurpose.REGISTRATION, version="1", granted=True, openid=openid
    )
    db_session.flush()
    assert erasure.discard_draft(db_session, openid) is True
    assert db_session.scalar(select(func.count(DialogState.id))) == 0
    assert erasure.discard_draft(db_session, openid) is False


def test_abandoned_drafts_are_purged_after_the_configured_days(db_session: Session) -> None:
    old, fresh = "o-draft-old", "o-draft-fresh"
    for openid in (old, fresh):
        db_session.add(DialogState(openid=openid, flow="registration", step="city", data={}))
        consents.record_consent(
            db_session,
            purpose=ConsentPurpose.REGISTRATION,
            version="1",
            granted=True,
            openid=openid,
        )
    db_session.flush()
    db_session.execute(
        update(DialogState)
        .where(DialogState.openid == old)
        .values(updated_at=utcnow() - timedelta(days=31))
    )
    assert erasure.purge_abandoned_drafts(db_session, 30) == 1
    left = set(db_session.scalars(select(DialogState.openid)))
    assert left == {fresh}


def test_outbox_message_naming_someone_else_is_kept(db_session: Session) -> None:
    talent = make_talent(db_session, name="甲乙丙", openid="o-keep-1")
    outbox.enqueue(
        db_session,
        kind="text",
        openid="o-other",
        payload={"content": "别人的消息"},
        dedupe_key="keep-1",
    )
    talents.erase_talent(db_session, talent, actor="self")
    assert db_session.scalar(select(func.count(OutboxMessage.id))) == 1


def test_an_erased_persons_access_log_is_no_one_elses(db_session: Session) -> None:
    talent = make_talent(db_session, openid="o-log-1")
    old_id = talent.id
    audit.record(db_session, "console:li", "read", "talent", old_id)
    talents.erase_talent(db_session, talent, actor="self")
    # Whoever gets this id next (SQLite may give it out again) sees none of the old reads.
    actions = [entry.action for entry in audit.entries_for(db_session, "talent", old_id)]
    assert "read" not in actions
    kept = audit.entries_for(db_session, erasure.ERASED_SUBJECT, old_id)
    assert [(entry.action, entry.detail) for entry in kept] == [("create", {}), ("read", {})]
