"""``huaicai backup`` and ``huaicai restore``: a consistent copy of the database, and back.

SQLite: the online backup API (a consistent snapshot while web workers and the scheduler keep
writing), checked with ``PRAGMA integrity_check``. PostgreSQL: ``pg_dump --format=custom`` and
``pg_restore --clean --single-transaction``; the password goes through ``PGPASSWORD``, never argv.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

import click
from sqlalchemy import URL, make_url

from bot.db import utcnow
from cli import CliContext, pass_context


class BackupError(RuntimeError):
    """A backup or restore failed; the message says why."""


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(url.database)


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """Return a libpq URL without the password, and the environment carrying it."""
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), environment


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} not found: install the PostgreSQL client (apt install postgresql-client)"
        )
    return path


def backup_database(database_url: str, output: Path) -> Path:
    """Write a consistent copy of the database at ``database_url`` to ``output``; return it.

    Raises BackupError when the copy fails or does not pass its integrity check.
    """
    url = make_url(database_url)
    output.parent.mkdir(parents=True, exist_ok=True)
    if url.get_backend_name() == "sqlite":
        source_path = _sqlite_path(url)
        if not source_path.exists():
            raise BackupError(f"{source_path} does not exist")
        partial = output.with_name(output.name + ".partial")
        partial.unlink(missing_ok=True)
        try:
            # closing(): sqlite3's own context manager commits but never closes.
            with (
                closing(sqlite3.connect(source_path)) as source,
                closing(sqlite3.connect(partial)) as target,
            ):
                source.backup(target)
                (verdict,) = target.execute("PRAGMA integrity_check").fetchone()
            if verdict != "ok":
                raise BackupError(f"the copy failed its integrity check: {verdict}")
        except sqlite3.Error as exc:
            partial.unlink(missing_ok=True)
            raise BackupError(f"SQLite backup failed: {exc}") from exc
        partial.replace(output)
        return output
    libpq_url, environment = _libpq(url)
    argv = [_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={output}", libpq_url]
    result = subprocess.run(argv, env=environment, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        output.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    return output


def restore_database(database_url: str, backup: Path) -> None:
    """Replace the contents of the database at ``database_url`` with ``backup``.

    Raises BackupError when the backup is missing or unreadable; on PostgreSQL the restore runs
    in one transaction, so a failed one leaves the database as it was.
    """
    if not backup.exists():
        raise BackupError(f"{backup} does not exist")
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        target_path = _sqlite_path(url)
        target_path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with closing(sqlite3.connect(backup)) as source:
                (verdict,) = source.execute("PRAGMA integrity_check").fetchone()
                if verdict != "ok":
                    raise BackupError(f"{backup} failed its integrity check: {verdict}")
                with closing(sqlite3.connect(target_path)) as target:
                    source.backup(target)
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"{backup} is not a readable SQLite backup: {exc}") from exc
        return
    libpq_url, environment = _libpq(url)
    argv = [
        _tool("pg_restore"),
        "--clean",
        "--if-exists",
        "--no-owner",
        "--single-transaction",
        "--exit-on-error",
        f"--dbname={libpq_url}",
        str(backup),
    ]
    result = subprocess.run(argv, env=environment, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()}")


def default_output(ctx: CliContext) -> Path:
    """Return instance/backups/huaicai-<UTC time>.<sqlite3|dump>."""
    suffix = "sqlite3" if ctx.config.database_url.startswith("sqlite") else "dump"
    stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
    return ctx.config.instance_path / "backups" / f"huaicai-{stamp}.{suffix}"


@click.command("backup")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File to write  [default: instance/backups/huaicai-<UTC time>.sqlite3|.dump]",
)
@pass_context
def backup(ctx: CliContext, output: Path | None) -> None:
    """Copy the database to a file while it keeps running (SQLite backup API, or pg_dump)."""
    output = output or default_output(ctx)
    try:
        written = backup_database(ctx.config.database_url, output)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"backup written: {written} ({written.stat().st_size:,} bytes)")


@click.command("restore")
@click.argument("backup_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_context
def restore(ctx: CliContext, backup_file: Path, yes: bool) -> None:
    """Replace the database's contents with BACKUP_FILE (stop web and scheduler first)."""
    where = make_url(ctx.config.database_url).render_as_string(hide_password=True)
    if not yes:
        click.confirm(f"Replace everything in {where} with {backup_file}?", abort=True)
    try:
        restore_database(ctx.config.database_url, backup_file)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"restored {backup_file} into {where}; run `huaicai db upgrade` if it is older")


COMMANDS = [backup, restore]
