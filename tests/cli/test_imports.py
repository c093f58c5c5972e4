"""``huaicai import FILE`` (dry run, then --commit) and ``huaicai export``."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from click.testing import CliRunner, Result
from sqlalchemy import func, select

from bot.db import Database
from bot.models import AuditEntry, ConsentPurpose, Talent
from bot.services import consents
from cli import main
from tests.factories import make_talent


def _run(args: list[str], database: Database) -> Result:
    url = database.engine.url.render_as_string(hide_password=False)
    return CliRunner().invoke(main, args, env={"HUAICAI_DATABASE__URL": url})


def _talents(database: Database) -> int:
    with database.transaction() as session:
        return int(session.scalar(select(func.count(Talent.id))) or 0)


def test_import_is_a_dry_run_until_commit(committed_database: Database, tmp_path: Path) -> None:
    listing = tmp_path / "校友会.csv"
    listing.write_text("姓名,手机,单位\n李雷,13800000011,华为\n韩梅梅,999,腾讯\n", encoding="utf-8")
    dry = _run(["import", str(listing), "--column", "单位=employer"], committed_database)
    assert dry.exit_code == 0, dry.output
    assert "row 3, 手机: 手机号格式不对" in dry.output
    assert "would import 1, rejected 1" in dry.output and _talents(committed_database) == 0
    done = _run(
        ["import", str(listing), "--commit", "--tie", "studied", "--source", "校友会"],
        committed_database,
    )
    assert done.exit_code == 0, done.output
    assert "imported 1" in done.output and _talents(committed_database) == 1


def test_export_writes_only_consenting_people(committed_database: Database, tmp_path: Path) -> None:
    with committed_database.transaction() as session:
        agreed = make_talent(session, name="同意导出")
        make_talent(session, name="没同意")
        consents.record_consent(
            session, purpose=ConsentPurpose.REGISTRATION, version="t", granted=True, talent=agreed
        )
    output = tmp_path / "out.csv"
    result = _run(["export", "-o", str(output)], committed_database)
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(output.read_bytes().decode("utf-8-sig"))))
    assert [row[1] for row in rows[1:]] == ["同意导出"]
    with committed_database.transaction() as session:
        assert session.scalars(select(AuditEntry).where(AuditEntry.action == "export")).one()
