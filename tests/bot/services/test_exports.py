"""Exports: only people who consent, formula-safe cells, one audit entry naming everyone."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.models import AuditEntry, AuditSubject, ConsentPurpose
from bot.services import consents, exports
from bot.services.talent_records import TalentSelection
from tests.factories import make_talent


def test_export_leaves_out_people_who_have_not_consented(db_session: Session) -> None:
    agreed = make_talent(db_session, name="同意者", employer="=HYPERLINK(1)", phone="13800000001")
    make_talent(db_session, name="导入者", source="import", openid=None)
    withdrawn = make_talent(db_session, name="撤回者")
    for talent in (agreed, withdrawn):
        consents.record_consent(
            db_session,
            purpose=ConsentPurpose.REGISTRATION,
            version="t",
            granted=True,
            talent=talent,
        )
    db_session.flush()
    consents.withdraw_consent(db_session, withdrawn, ConsentPurpose.REGISTRATION)
    exported = exports.export_talents(db_session, TalentSelection(), actor="console:admin")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["编号", "姓名"] and "手机" not in rows[0]
    assert [row[1] for row in rows[1:]] == ["同意者"]
    assert rows[1][5] == "'=HYPERLINK(1)"
    entry = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "export")).one()
    assert entry.actor == "console:admin" and entry.detail["contacts"] is False
    named = db_session.scalars(
        select(AuditSubject.talent_id).where(AuditSubject.audit_id == entry.id)
    )
    assert list(named) == [agreed.id]


def test_xlsx_export_with_contacts(db_session: Session) -> None:
    talent = make_talent(db_session, name="表格人", phone="13800000002")
    consents.record_consent(
        db_session, purpose=ConsentPurpose.REGISTRATION, version="t", granted=True, talent=talent
    )
    exported = exports.export_talents(
        db_session, TalentSelection(text="表格"), actor="t", fmt="xlsx", with_contacts=True
    )
    sheet = load_workbook(io.BytesIO(exported.content)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert (
        rows[0][-2:] == ["手机", "邮箱"] and rows[1][1] == "表格人" and rows[1][-2] == "13800000002"
    )
