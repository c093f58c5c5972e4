"""``huaicai match`` and ``huaicai eval`` from the command line."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from bot.db import Database
from bot.models import ConsentPurpose
from bot.services import consents, enterprises
from cli import main
from tests.factories import make_demand, make_event, make_talent


def run(args: list[str], database: Database) -> Result:
    url = database.engine.url.render_as_string(hide_password=False)
    return CliRunner().invoke(main, args, env={"HUAICAI_DATABASE__URL": url})


def test_match_commands_print_hits_with_reasons(committed_database: Database) -> None:
    with committed_database.transaction() as session:
        talent = make_talent(
            session, name="李正极", expertise="锂离子电池正极材料，高镍三元材料烧结工艺"
        )
        for purpose in (ConsentPurpose.REGISTRATION, ConsentPurpose.INVITATIONS):
            consents.record_consent(
                session, talent=talent, purpose=purpose, version="t", granted=True
            )
        demand = make_demand(session)
        enterprises.review_demand(session, demand, approve=True, reviewer="t")
        event = make_event(session, title="锂电池正极材料对接会", topics=["正极材料"])
        ids = talent.id, demand.id, event.id

    need = run(["match", "need", str(ids[1]), "--save"], committed_database)
    assert need.exit_code == 0, need.output
    assert "李正极" in need.output and "共同关键词" in need.output
    assert "stored 1 proposed matches" in need.output

    invite = run(["match", "event", str(ids[2])], committed_database)
    assert "李正极" in invite.output

    needs = run(["match", "talent", str(ids[0])], committed_database)
    assert "高镍正极材料烧结工艺优化" in needs.output

    missing = run(["match", "need", "999999"], committed_database)
    assert missing.exit_code != 0 and "no need with id 999999" in missing.output


def test_eval_industries_reports_accuracy_on_a_labelled_file(tmp_path: Path) -> None:
    labelled = tmp_path / "labelled.tsv"
    labelled.write_text(
        "kind\tindustries\ttext\n"
        "talent\tnew_materials\t从事锂电池正极材料和高分子复合材料研究\n"
        "need\tmodern_agriculture\t怀山药标准化种植与病虫害防治\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["eval", "industries", "--data", str(labelled)])
    assert result.exit_code == 0, result.output
    assert "on 2 labelled texts: top-1 accuracy 1.000" in result.output
