"""``huaicai match`` and ``huaicai eval``: matching from the command line, and its measurements."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from bot.services import enterprises, events, talent_search, talents
from cli import CliContext, pass_context
from matching.resources import data_path

DEFAULT_CSL = data_path("eval", "csl-dev")


@click.group("match")
def match_group() -> None:
    """Show who matches a need, an event or a talent, and why."""


def _print_talent_hits(hits: list[talent_search.TalentHit]) -> None:
    if not hits:
        click.echo("no consenting talent matches")
    for rank, hit in enumerate(hits, 1):
        talent = hit.talent
        click.echo(
            f"{rank:>2}. [{hit.score:.3f}] #{talent.id} {talent.name}"
            f" · {talent.employer} · {talent.title}"
        )
        for reason in hit.reasons:
            click.echo(f"      {reason}")


@match_group.command("need")
@click.argument("demand_id", type=int)
@click.option("-k", "--top", default=10, show_default=True, help="How many hits.")
@click.option("--save", is_flag=True, help="Store the hits as proposed matches.")
@pass_context
def match_need(ctx: CliContext, demand_id: int, top: int, save: bool) -> None:
    """Print the talents who fit need DEMAND_ID (registration consent given)."""
    with ctx.database.transaction() as session:
        demand = enterprises.get_demand(session, demand_id)
        if demand is None:
            raise click.ClickException(f"no need with id {demand_id}")
        click.echo(f"need #{demand.id}: {demand.title} ({demand.enterprise.name})")
        # A one-off process: the index is built from the database, not loaded.
        index = talent_search.TalentIndexCache(ctx.config.matching)
        _print_talent_hits(talent_search.match_demand(session, index, demand, k=top))
        if save:
            stored = talent_search.propose_matches(session, index, demand, k=top)
            click.echo(f"stored {len(stored)} proposed matches")


@match_group.command("event")
@click.argument("event_id", type=int)
@click.option("-k", "--top", default=20, show_default=True, help="How many hits.")
@pass_context
def match_event(ctx: CliContext, event_id: int, top: int) -> None:
    """Print the talents to invite to event EVENT_ID (invitation consent given)."""
    with ctx.database.transaction() as session:
        event = events.get_event(session, event_id)
        if event is None:
            raise click.ClickException(f"no event with id {event_id}")
        click.echo(f"event #{event.id}: {event.title}")
        index = talent_search.TalentIndexCache(ctx.config.matching)
        _print_talent_hits(talent_search.match_event(session, index, event, k=top))


@match_group.command("talent")
@click.argument("talent_id", type=int)
@click.option("-k", "--top", default=10, show_default=True, help="How many hits.")
@pass_context
def match_talent(ctx: CliContext, talent_id: int, top: int) -> None:
    """Print the approved needs that fit talent TALENT_ID."""
    with ctx.database.transaction() as session:
        talent = talents.get_talent(session, talent_id)
        if talent is None:
            raise click.ClickException(f"no talent with id {talent_id}")
        click.echo(f"talent #{talent.id}: {talent.name} · {'、'.join(talent.keywords[:6])}")
        found = talent_search.match_needs_for_talent(session, talent, k=top)
        if not found:
            click.echo("no approved need matches")
        for rank, (demand, hit) in enumerate(found, 1):
            click.echo(
                f"{rank:>2}. [{hit.score:.3f}] need #{demand.id} {demand.title}"
                f" ({demand.enterprise.name})"
            )
            for reason in hit.reasons:
                click.echo(f"      {reason}")


@click.group("eval")
def eval_group() -> None:
    """Measure keyword extraction, matching and industry classification."""


csl_option = click.option(
    "--data",
    "data_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=DEFAULT_CSL,
    show_default=True,
    help="CSL folder (dev split).",
)


F = TypeVar("F", bound=Callable[..., Any])


def split_option(help_text: str) -> Callable[[F], F]:
    """Return the ``--split dev|holdout`` option of a labelled set (default dev)."""
    return click.option(
        "--split",
        type=click.Choice(["dev", "holdout"]),
        default="dev",
        show_default=True,
        help=help_text,
    )


@eval_group.command("keywords")
@csl_option
@click.option(
    "--profiles",
    is_flag=True,
    help="Score expertise keywords of self-descriptions instead of CSL papers.",
)
@split_option("Which rows of the labelled self-descriptions (with --profiles).")
@click.option(
    "--labelled",
    "labelled",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=data_path("eval", "profile_keywords_labelled.tsv"),
    show_default=True,
    help="Labelled self-descriptions (TSV: id, split, text, gold_keywords, not_expertise).",
)
@click.option(
    "--rules-only",
    is_flag=True,
    help="With --profiles: score the rules' keywords without the learned candidate filter.",
)
def eval_keywords(
    data_dir: Path, profiles: bool, split: str, labelled: Path, rules_only: bool
) -> None:
    """F1@5 and F1@10 of extract_keywords beside jieba's TF-IDF and TextRank.

    With --profiles: precision and coverage of the expertise keywords shown for the labelled
    self-descriptions (``--labelled``, by default data/eval/profile_keywords_labelled.tsv);
    --rules-only leaves out the learned filter (data/models/candidate_filter.npz). The filter's
    leave-one-set-out figures: python -m matching.lab.candidate_training --loso.
    """
    if profiles:
        from matching.lab.evaluation import evaluate_profile_keywords

        report = evaluate_profile_keywords(labelled, split, learned_filter=not rules_only)
        click.echo(report.format())
        return
    from matching.lab.evaluation import evaluate_keywords

    click.echo(evaluate_keywords(data_dir).format())


@eval_group.command("match")
@csl_option
@click.option(
    "--nested",
    is_flag=True,
    help="Instead: P@5 with the index's settings chosen on the other folds' papers (slow).",
)
def eval_match(data_dir: Path, nested: bool) -> None:
    """P@5, P@10 and nDCG@10 of MatchIndex beside a plain TF-IDF baseline."""
    if nested:
        from matching.lab.evaluation import evaluate_matching_nested

        click.echo(evaluate_matching_nested(data_dir).format())
        return
    from matching.lab.evaluation import evaluate_matching

    click.echo(evaluate_matching(data_dir).format())


@eval_group.command("industries")
@click.option(
    "--data",
    "path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=data_path("eval", "industry_labelled.tsv"),
    show_default=True,
    help="Labelled profiles and needs (TSV).",
)
@click.option(
    "--independent",
    is_flag=True,
    help="Score the independently written set (data/eval/industry_independent.tsv) instead.",
)
@split_option("Which rows of the independent set (with --independent).")
def eval_industries(path: Path, independent: bool, split: str) -> None:
    """Accuracy of classify_industries on our labelled profiles and needs.

    With --independent: top-1 and top-2 on texts written apart from the taxonomy, with how
    many were left 未归类 and how many got a wrong industry first.
    """
    if independent:
        from matching.lab.evaluation import evaluate_independent_industries

        data = data_path("eval", "industry_independent.tsv")
        click.echo(evaluate_independent_industries(data, split).format())
        return
    from matching.lab.evaluation import evaluate_industries

    click.echo(evaluate_industries(path).format())


COMMANDS = [match_group, eval_group]
