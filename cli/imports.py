"""``huaicai import FILE`` and ``huaicai export``: talents from and to spreadsheets."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from bot.services import exports, imports, talent_records
from bot.services.talent_search import TalentIndexCache
from bot.validators import ValidationError
from cli import CliContext, pass_context

TIES = click.Choice(list(talent_records.TIES))


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--source", "source_label", default="", help="Where the list came from (校友会 ...).")
@click.option("--tie", "ties", multiple=True, type=TIES, help="A tie everyone listed has (repeat).")
@click.option(
    "--column",
    "columns",
    multiple=True,
    metavar="HEADER=FIELD",
    help=f"Map a header to a field ({', '.join(imports.FIELD_LABELS)}); others are guessed.",
)
@click.option("--commit", is_flag=True, help="Write the talents (without it: a dry run only).")
@click.option("--actor", default="cli", show_default=True, help="Name in the audit log.")
@pass_context
def import_command(
    ctx: CliContext,
    file: Path,
    source_label: str,
    ties: tuple[str, ...],
    columns: tuple[str, ...],
    commit: bool,
    actor: str,
) -> None:
    """Import talents from FILE (.xlsx or .csv): a dry run unless --commit.

    Every rejected row is listed (row, column, problem); rows that look like people already
    stored are kept for review in the console. Imported people count only once they confirm.
    """
    try:
        table = imports.read_table(file.read_bytes(), file.name)
    except ValidationError as exc:
        raise click.ClickException(exc.message_en) from None
    mapping = imports.guess_mapping(table.headers)
    for item in columns:
        header, _, field = item.partition("=")
        if field not in imports.FIELD_LABELS or header not in table.headers:
            raise click.BadParameter(f"{item!r}: unknown header or field", param_hint="--column")
        index = table.headers.index(header)
        mapping = {i: f for i, f in mapping.items() if f != field and i != index}
        mapping[index] = field
    for index, field in sorted(mapping.items()):
        click.echo(f"  {table.headers[index]} -> {field}")
    try:
        with ctx.database.transaction() as session:
            with click.progressbar(length=len(table.rows), label="checking rows") as bar:
                report = imports.run_import(
                    session,
                    table,
                    mapping,
                    filename=file.name,
                    actor=f"cli:{actor}",
                    source_label=source_label,
                    default_ties=ties,
                    dry_run=not commit,
                    progress=bar.update,
                )
    except ValidationError as exc:
        raise click.ClickException(exc.message_en) from None
    for problem in report.problems:
        click.echo(f"row {problem.row}, {problem.column}: {problem.problem}")
    for duplicate in report.duplicates:
        reasons = "、".join(duplicate.reasons)
        click.echo(f"row {duplicate.row}: looks like talent {duplicate.talent_id} ({reasons})")
    verb = "imported" if commit else "would import"
    click.echo(
        f"{report.total_rows} rows: {verb} {len(report.ready)}, rejected {report.rejected_rows}, "
        f"{len(report.duplicates)} possible duplicates"
        + ("" if commit else " (dry run: nothing written; add --commit)")
    )


@click.command("export")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--format", "fmt", type=click.Choice(exports.FORMATS), default=None)
@click.option("--q", "text", default="", help="Free text (names, employers, expertise).")
@click.option("--county", default="", help="GB/T 2260 code of the home county.")
@click.option("--city", default="")
@click.option("--industry", default="")
@click.option("--keyword", default="")
@click.option("--source", default="")
@click.option("--contacts", is_flag=True, help="Include phone and e-mail.")
@click.option("--actor", default="cli", show_default=True, help="Name in the audit log.")
@pass_context
def export_command(
    ctx: CliContext,
    output: Path,
    fmt: str | None,
    text: str,
    county: str,
    city: str,
    industry: str,
    keyword: str,
    source: str,
    contacts: bool,
    actor: str,
) -> None:
    """Export the talents who consent (and match the filters) to a .csv or .xlsx file.

    The export is written to the audit log with every person in it.
    """
    fmt = fmt or (output.suffix.lstrip(".").lower() if output.suffix else "csv")
    if fmt not in exports.FORMATS:
        raise click.BadParameter(f"unknown format {fmt!r}", param_hint="--format")
    selection = talent_records.TalentSelection(
        text=text, county=county, city=city, industry=industry, keyword=keyword, source=source
    )
    index = TalentIndexCache(ctx.config.matching) if text else None
    with ctx.database.transaction() as session:
        total = len(talent_records.select_all(session, selection, index))
        with click.progressbar(length=total, label="exporting", file=sys.stderr) as bar:
            exported = exports.export_talents(
                session,
                selection,
                actor=f"cli:{actor}",
                fmt=fmt,
                with_contacts=contacts,
                index=index,
                progress=bar.update,
            )
    output.write_bytes(exported.content)
    output.chmod(0o600)
    click.echo(f"exported {exported.rows} talents to {output}")


COMMANDS = [import_command, export_command]
