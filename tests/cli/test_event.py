"""``huaicai event``: create, propose, send and attendance from the command line."""

from __future__ import annotations

from click.testing import CliRunner, Result
from sqlalchemy import select

from bot.db import Database
from bot.models import ConsentPurpose, Event, OutboxMessage
from bot.services import consents, events
from cli import main
from devtools.fake_wechat import FakeWeChat
from tests.factories import make_event, make_talent
from tests.wechat_fixtures import FAKE_APPID, FAKE_SECRET


def _run(args: list[str], database: Database) -> Result:
    environment = {
        "HUAICAI_DATABASE__URL": database.engine.url.render_as_string(hide_password=False),
    }
    return CliRunner().invoke(main, args, env=environment)


def test_event_from_creation_to_attendance(committed_database: Database) -> None:
    with committed_database.transaction() as session:
        for city in ("北京", "上海"):
            talent = make_talent(session, city=city)
            consents.record_consent(
                session,
                purpose=ConsentPurpose.INVITATIONS,
                version="t",
                granted=True,
                talent=talent,
            )
        talent_ids = [t.id for t in session.scalars(select(events.Talent))]

    created = _run(
        [
            "event", "create", "--title", "新材料院地合作对接会", "--kind", "对接会",
            "--starts", "2030-05-20 14:30", "--topic", "锂电池材料", "--topic", "新材料",
            "--place", "焦作市科技局", "--capacity", "40",
        ],
        committed_database,
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    with committed_database.transaction() as session:
        event_id = session.scalars(select(Event.id)).one()
    assert f"event #{event_id} created (draft)" in created.output

    bad = _run(
        ["event", "create", "--title", "x", "--kind", "对接会", "--starts", "明天"],
        committed_database,
    )
    assert bad.exit_code != 0 and "YYYY-MM-DD HH:MM" in bad.output

    proposed = _run(
        ["event", "propose", str(event_id), "--city", "北京", "--save"], committed_database
    )
    assert proposed.exit_code == 0, proposed.output
    assert "added 1 to the list" in proposed.output
    edited = _run(
        ["event", "propose", str(event_id), "--top", "0", "--add", str(talent_ids[1])],
        committed_database,
    )
    assert "2 people on the list" in edited.output, edited.output

    shown = _run(["event", "show", str(event_id), "--people"], committed_database)
    assert shown.exit_code == 0, shown.output
    assert "proposed 2" in shown.output and "回复“报名”参加" in shown.output

    sent = _run(["event", "send", str(event_id)], committed_database)
    assert sent.exit_code == 0, sent.output
    assert "2 invitations queued" in sent.output
    with committed_database.transaction() as session:
        keys = set(session.scalars(select(OutboxMessage.dedupe_key)))
    assert keys == {f"invite:{event_id}:{tid}" for tid in talent_ids}

    listed = _run(["event", "list", "--all"], committed_database)
    assert "新材料院地合作对接会" in listed.output and "invited 2" in listed.output

    attendance = _run(["event", "attendance", str(event_id)], committed_database)
    assert attendance.exit_code == 0, attendance.output
    assert attendance.output.count("已邀请") == 2 and "姓名,工作单位" in attendance.output


def test_event_qrcode_is_created_once_through_the_api(
    committed_database: Database, fake_wechat: FakeWeChat
) -> None:
    with committed_database.transaction() as session:
        event = make_event(session)
        event_id, scene = event.id, event.qr_scene
    environment = {
        "HUAICAI_DATABASE__URL": committed_database.engine.url.render_as_string(
            hide_password=False
        ),
        "HUAICAI_WECHAT__APPID": FAKE_APPID,
        "HUAICAI_WECHAT__SECRET": FAKE_SECRET,
        "HUAICAI_WECHAT__API_BASE_URL": fake_wechat.api_base_url,
    }
    first = CliRunner().invoke(main, ["event", "qrcode", str(event_id)], env=environment)
    assert first.exit_code == 0, first.output
    assert f"scene {scene}, ticket gQ" in first.output and "showqrcode?ticket=gQ" in first.output
    (created,) = fake_wechat.calls("qrcode/create")
    assert created.body["action_info"]["scene"]["scene_str"] == scene
    again = CliRunner().invoke(main, ["event", "qrcode", str(event_id)], env=environment)
    assert again.exit_code == 0 and len(fake_wechat.calls("qrcode/create")) == 1
