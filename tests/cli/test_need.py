"""``huaicai need`` and ``huaicai liaison``: the organiser's side of the loop from the shell."""

from __future__ import annotations

from click.testing import CliRunner, Result

from bot.db import Database
from bot.models import Role
from bot.services import introductions, users
from cli import main
from tests.bot.services.cooperation_helpers import consenting_talent, submitted_need


def run(args: list[str], database: Database) -> Result:
    url = database.engine.url.render_as_string(hide_password=False)
    return CliRunner().invoke(main, args, env={"HUAICAI_DATABASE__URL": url})


def test_review_propose_ask_outcome_and_funnel(committed_database: Database) -> None:
    with committed_database.transaction() as session:
        talent = consenting_talent(session, name="李正极", origin_code="410825")
        demand = submitted_need(session, "o-cli-firm").demand
        users.create_user(
            session, username="wen", password="a-long-password-1", role=Role.ORGANISER
        )
        ids = talent.id, demand.id
    talent_id, demand_id = (str(i) for i in ids)

    rejected = run(["need", "review", demand_id, "reject"], committed_database)
    assert rejected.exit_code != 0 and "reason" in rejected.output
    assert run(["need", "review", demand_id, "approve"], committed_database).exit_code == 0
    proposed = run(["need", "propose", demand_id], committed_database)
    assert proposed.exit_code == 0 and "1 on the shortlist" in proposed.output, proposed.output
    shown = run(["need", "show", demand_id], committed_database)
    assert "李正极 [proposed]" in shown.output and "13700001111" in shown.output
    asked = run(["need", "ask", demand_id, talent_id], committed_database)
    assert "asked 1 of 1" in asked.output
    assert "asked 0 of 1" in run(["need", "ask", demand_id, talent_id], committed_database).output
    with committed_database.transaction() as session:
        stored = session.get(type(demand), ids[1])
        person = session.get(type(talent), ids[0])
        assert stored is not None and person is not None
        answered = introductions.answer(session, person, yes=True)
        assert answered is not None
        match_id = str(answered.match.id)
    outcome = run(
        ["need", "outcome", demand_id, "agreement", "--match", match_id, "--amount", "30"],
        committed_database,
    )
    assert outcome.exit_code == 0, outcome.output
    funnel = run(["need", "funnel"], committed_database).output
    assert "introduced" in funnel and "agreements" in funnel and "30 万元" in funnel
    listed = run(["need", "list", "--status", "approved"], committed_database).output
    assert "yes:1" in listed

    assert run(["liaison", "rule", "wen", "county", "410825"], committed_database).exit_code == 0
    assigned = run(["liaison", "assign", "--rules"], committed_database)
    assert "assigned 1 talents" in assigned.output, assigned.output
    assert run(["liaison", "log", talent_id, "call", "电话回访"], committed_database).exit_code == 0
    history = run(["liaison", "history", talent_id], committed_database).output
    assert "liaison: wen (county:410825)" in history and "电话回访" in history
    assert "0 overdue" in run(["liaison", "overdue"], committed_database).output
