"""``huaicai serve``, ``scheduler`` and ``up``: the long-running processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from types import FrameType

import click

from bot.jobs import JOBS, build_scheduler, run_job
from cli import CliContext, pass_context


def _child_environment(ctx: CliContext) -> dict[str, str]:
    environment = dict(os.environ)
    if ctx.config_path:
        environment["HUAICAI_CONFIG"] = os.path.abspath(ctx.config_path)
    return environment


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int, help="gunicorn workers.")
@click.option("--dev", is_flag=True, help="Run Flask's development server with the reloader.")
@pass_context
def serve(ctx: CliContext, host: str, port: int, workers: int, dev: bool) -> None:
    """Serve the WeChat callback, API and console (gunicorn; --dev for Flask's reloader)."""
    _ = ctx.config  # fail here, in one line, rather than inside every worker
    environment = _child_environment(ctx)
    if dev:
        argv = [sys.executable, "-m", "flask", "--app", "webhooks:create_app", "run", "--debug"]
        argv += ["--host", host, "--port", str(port)]
    else:
        argv = [sys.executable, "-m", "gunicorn", "webhooks:create_app()"]
        argv += ["--config", "python:webhooks.gunicorn_conf"]
        argv += ["--bind", f"{host}:{port}", "--workers", str(workers), "--access-logfile", "-"]
    os.execvpe(argv[0], argv, environment)  # noqa: S606 - argv is built above, no shell


@click.command("scheduler")
@click.option("--once", "once", metavar="JOB_ID", help="Run one job now and exit.")
@pass_context
def scheduler(ctx: CliContext, once: str | None) -> None:
    """Run the scheduled jobs (one scheduler process per deployment)."""
    if once:
        job = next((job for job in JOBS if job.id == once), None)
        if job is None:
            raise click.BadParameter(f"unknown job; known: {', '.join(j.id for j in JOBS)}")
        click.echo(f"{job.id}: {run_job(ctx.database, ctx.config, job)}")
        return
    click.echo(f"scheduler: {len(JOBS)} jobs: {', '.join(job.id for job in JOBS)}")
    build_scheduler(ctx.database, ctx.config).start()


@click.command("up")
@click.option("--port", default=8000, show_default=True, type=int)
@pass_context
def up(ctx: CliContext, port: int) -> None:
    """Start web server and scheduler (and the fake WeChat API in demo mode); Ctrl-C stops all."""
    from cli import main

    config = ctx.config
    environment = _child_environment(ctx)
    executable = [sys.executable, "-m", "cli"]
    commands = [executable + ["serve", "--port", str(port)], executable + ["scheduler"]]
    if config.app.demo and "fake-wechat" in main.commands:
        commands.append(executable + ["fake-wechat"])
    # Our own executable and fixed arguments; no shell, no user input.
    children = [subprocess.Popen(command, env=environment) for command in commands]  # noqa: S603

    def stop(_signum: int, _frame: FrameType | None) -> None:
        for child in children:
            child.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    time.sleep(2)
    click.echo("")
    click.echo(f"  HuaiCai is running: http://127.0.0.1:{port}/console/")
    click.echo(f"  health check:      http://127.0.0.1:{port}/healthz")
    if config.app.demo:
        click.echo(
            f"  demo login:        {config.console.demo_username} / {config.console.demo_password}"
        )
        click.echo(
            f"  chat as a user:    .venv/bin/huaicai chat --url http://127.0.0.1:{port}/wechat"
        )
    click.echo("  press Ctrl-C to stop")
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
    finally:
        stop(signal.SIGTERM, None)
        for child in children:
            child.wait(timeout=10)
    failed = [child.args for child in children if child.returncode not in (0, -signal.SIGTERM)]
    if failed:
        raise click.ClickException(f"a process stopped unexpectedly: {failed[0]!r}")


COMMANDS = [serve, scheduler, up]
