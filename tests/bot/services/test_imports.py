"""Spreadsheet imports: mapping, every rejected row, duplicates, people not yet consenting."""

from __future__ import annotations

import io

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import TargetsConfig
from bot.db import utcnow
from bot.models import DuplicateStatus, ImportDuplicate, OutboxMessage, Talent
from bot.services import imports, stats
from tests.factories import make_talent

HEADERS = ["姓名", "手机", "邮箱", "工作单位", "工作城市", "籍贯", "与焦作关系", "备注"]


def xlsx(rows: list[list[object]], headers: list[str] = HEADERS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_headers_are_recognised_and_every_bad_row_is_reported(db_session: Session) -> None:
    data = xlsx(
        [
            ["李明", 13812345678, "", "华为", "深圳", "温县", "", "x"],
            ["", "13812345679", "", "腾讯", "深圳", "", "求学", ""],
            ["王芳", "12345", "not-an-email", "", "", "", "", ""],
            ["赵强", "13912345678", "", "", "", "", "看不懂", ""],
        ]
    )
    table = imports.read_table(data, "校友会.xlsx")
    mapping = imports.guess_mapping(table.headers)
    assert [mapping[i] for i in range(7)] == [
        "name",
        "phone",
        "email",
        "employer",
        "city",
        "origin_text",
        "ties",
    ]
    assert 7 not in mapping  # 备注 is not imported
    report = imports.plan_import(db_session, table, mapping, filename="校友会.xlsx")
    assert [number for number, _ in report.ready] == [2]
    problems = {(p.row, p.column) for p in report.problems}
    assert problems == {(3, "姓名"), (4, "手机"), (4, "邮箱"), (5, "与焦作关系")}
    first = report.ready[0][1]
    # An Excel number keeps its digits; 温县 is recognised as the home county.
    assert first["phone"] == "13812345678"
    assert first["origin_code"] == "410825" and first["ties"] == ["born"]


def test_csv_in_gb18030_with_a_mapping_chosen_by_hand(db_session: Session) -> None:
    data = "名字,电话号码,单位名称\n张三,13812345670,河南理工大学\n".encode("gb18030")
    table = imports.read_table(data, "roster.csv")
    assert table.headers == ["名字", "电话号码", "单位名称"]
    report = imports.plan_import(
        db_session,
        table,
        {0: "name", 1: "phone", 2: "employer"},
        filename="roster.csv",
        default_ties=["studied"],
    )
    assert report.ready[0][1]["employer"] == "河南理工大学"
    assert report.ready[0][1]["ties"] == ["studied"]


def test_duplicates_of_stored_talents_and_within_the_file(db_session: Session) -> None:
    make_talent(db_session, name="王建国", phone="13800000001", employer="中科院物理所")
    make_talent(db_session, name="刘洋", employer="北京大学化学学院")
    data = xlsx(
        [
            ["王建国", "13800000001", "", "", "", "", "", ""],  # same name and phone
            ["刘样", "", "", "北京大学化学学院", "", "", "", ""],  # typo in the name, same employer
            ["陈晨", "13800000009", "", "", "", "", "", ""],
            ["陈晨", "13800000009", "", "", "", "", "", ""],  # twice in the same file
        ]
    )
    table = imports.read_table(data, "a.xlsx")
    report = imports.plan_import(
        db_session, table, imports.guess_mapping(table.headers), filename="a.xlsx"
    )
    reasons = {d.row: d.reasons for d in report.duplicates}
    assert "手机相同" in reasons[2] and "姓名相同" in reasons[2]
    assert any(r.startswith("姓名相近") for r in reasons[3]) and "单位相同" in reasons[3]
    assert [n for n, _ in report.ready] == [4]
    assert [(p.row, p.problem) for p in report.problems] == [(5, "与第4行是同一个人，只导入一次。")]


def test_imported_people_wait_for_their_confirmation(db_session: Session) -> None:
    make_talent(db_session, name="王建国", phone="13800000001")
    data = xlsx(
        [
            ["王建国", "13800000001", "", "", "", "", "", ""],
            ["孙丽", "13800000002", "", "", "北京", "沁阳", "", ""],
        ],
        headers=[*HEADERS[:7], "openid"],
    )
    table = imports.read_table(data, "b.xlsx")
    before = stats.dashboard(db_session, TargetsConfig(), utcnow())
    dry = imports.run_import(
        db_session, table, imports.guess_mapping(table.headers), filename="b.xlsx", actor="t"
    )
    assert dry.dry_run and db_session.scalar(select(Talent).where(Talent.name == "孙丽")) is None
    report = imports.run_import(
        db_session,
        table,
        imports.guess_mapping(table.headers),
        filename="b.xlsx",
        actor="console:li",
        source_label="河南理工大学北京校友会",
        dry_run=False,
    )
    added = db_session.scalars(select(Talent).where(Talent.name == "孙丽")).one()
    assert added.source == "import" and added.consents == [] and not added.is_following
    after = stats.dashboard(db_session, TargetsConfig(), utcnow())
    assert after.talents == before.talents
    assert after.awaiting_confirmation == before.awaiting_confirmation + 1
    pending = db_session.scalars(select(ImportDuplicate)).one()
    assert pending.batch_id == report.batch_id and pending.status == DuplicateStatus.PENDING
    assert db_session.scalars(select(OutboxMessage)).all() == []


def test_an_imported_person_with_an_openid_is_asked_to_confirm(db_session: Session) -> None:
    table = imports.Table(["姓名", "openid"], [["周杰", "o-import-0001"]])
    imports.run_import(
        db_session, table, {0: "name", 1: "openid"}, filename="c.csv", actor="t", dry_run=False
    )
    message = db_session.scalars(select(OutboxMessage)).one()
    assert message.openid == "o-import-0001"
    assert "确认之前" in message.payload["content"]
    assert message.proactive, "the request to confirm is ours to send: it waits out quiet hours"


def test_a_duplicate_is_merged_added_or_skipped_once(db_session: Session) -> None:
    existing = make_talent(db_session, name="王建国", phone="13800000001", city="")
    table = imports.Table(["姓名", "手机", "城市"], [["王建国", "13800000001", "杭州"]])
    imports.run_import(
        db_session,
        table,
        {0: "name", 1: "phone", 2: "city"},
        filename="d.csv",
        actor="t",
        dry_run=False,
    )
    duplicate = imports.pending_duplicates(db_session)[0]
    kept = imports.decide_duplicate(db_session, duplicate, DuplicateStatus.MERGED, actor="t")
    assert kept is not None and kept.id == existing.id and kept.city == "杭州"
    assert duplicate.fields == {} and imports.pending_duplicates(db_session) == []
    assert db_session.scalars(select(Talent).where(Talent.name == "王建国")).all() == [existing]


def test_unreadable_files_are_refused_in_chinese(db_session: Session) -> None:
    import pytest

    from bot.validators import ValidationError

    for data, name in ((b"PK\x03\x04broken", "x.xlsx"), (b"", "x.csv"), (b"abc", "x.pdf")):
        with pytest.raises(ValidationError) as caught:
            imports.read_table(data, name)
        assert caught.value.message_zh
    with pytest.raises(ValidationError):
        imports.plan_import(db_session, imports.Table(["a"], [["b"]]), {}, filename="x.csv")
