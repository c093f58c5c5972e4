"""``huaicai serve``, ``scheduler`` and ``up``: the long-running processes."""

from __future__ import annotations

import errno
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from urllib.parse import urlsplit

import click

from bot.config import Config
from bot.jobs import JOBS, build_scheduler, run_job
from bot.logs import configure_logging
from bot.scheduler_lock import scheduler_lock
from cli import CliContext, pass_context

logger = logging.getLogger(__name__)

DEFAULT_WEB_PORT = 8000
DEFAULT_FAKE_WECHAT_PORT = 8900
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
# gunicorn workers load jieba and the models before answering; a cold start takes a while.
HEALTH_TIMEOUT_SECONDS = 120.0


def _child_environment(ctx: CliContext) -> dict[str, str]:
    environment = dict(os.environ)
    if ctx.config_path:
        environment["HUAICAI_CONFIG"] = os.path.abspath(ctx.config_path)
    return environment


def url_port(url: str, default: int) -> int:
    """Return the port written in ``url``, or ``default`` when it names none."""
    port = urlsplit(url).port
    return port if port is not None else default


def is_loopback(url: str) -> bool:
    """Return whether ``url`` points at this machine (so ``up`` may serve it)."""
    return (urlsplit(url).hostname or "") in LOOPBACK_HOSTS


def port_in_use(host: str, port: int) -> bool:
    """Return whether something already listens on ``host:port``."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # As gunicorn binds: a port left in TIME_WAIT by a previous run is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                return True
            raise
    return False


def free_port_after(host: str, port: int, tries: int = 50) -> int | None:
    """Return the first free port above ``port`` (a suggestion for the operator)."""
    for candidate in range(port + 1, min(port + 1 + tries, 65536)):
        if not port_in_use(host, candidate):
            return candidate
    return None


def _require_free(host: str, port: int, what: str, key: str, value: str, fix: str) -> None:
    if not port_in_use(host, port):
        return
    suggestion = free_port_after(host, port)
    hint = fix.format(port=suggestion or port + 1)
    raise click.ClickException(
        f"port {port} on {host} is already in use, so the {what} cannot start there "
        f"(the port comes from {key} = {value!r}). Stop the program using it, or {hint}."
    )


WEB_PORT_HINT = "choose another port: `--port {port}` (or set app.base_url / HUAICAI_APP__BASE_URL)"


def _metrics_directory(config: Config, port: int) -> Path:
    configured = config.metrics.multiprocess_dir
    if configured:
        path = Path(configured)
        return path if path.is_absolute() else config.instance_path.parent / path
    return config.instance_path / "metrics" / f"web-{port}"


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option(
    "--port", default=None, type=int, help="Port to listen on  [default: app.base_url's port]"
)
@click.option("--workers", default=2, show_default=True, type=int, help="gunicorn workers.")
@click.option("--dev", is_flag=True, help="Run Flask's development server with the reloader.")
@pass_context
def serve(ctx: CliContext, host: str, port: int | None, workers: int, dev: bool) -> None:
    """Serve the WeChat callback, API and console (gunicorn; --dev for Flask's reloader)."""
    config = ctx.config  # fail here, in one line, rather than inside every worker
    port = port or url_port(config.app.base_url, DEFAULT_WEB_PORT)
    _require_free(host, port, "web server", "app.base_url", config.app.base_url, WEB_PORT_HINT)
    environment = _child_environment(ctx)
    if dev:
        argv = [sys.executable, "-m", "flask", "--app", "webhooks:create_app", "run", "--debug"]
        argv += ["--host", host, "--port", str(port)]
    else:
        # gunicorn's workers share their metrics through files; stale ones from a previous run
        # would be added to this run's counts, so the folder starts empty.
        metrics_dir = _metrics_directory(config, port)
        shutil.rmtree(metrics_dir, ignore_errors=True)
        metrics_dir.mkdir(parents=True)
        environment["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
        environment["HUAICAI_METRICS__MULTIPROCESS_DIR"] = str(metrics_dir)
        argv = [sys.executable, "-m", "gunicorn", "webhooks:create_app()"]
        argv += ["--config", "python:webhooks.gunicorn_conf"]
        argv += ["--bind", f"{host}:{port}", "--workers", str(workers), "--access-logfile", "-"]
    os.execvpe(argv[0], argv, environment)  # noqa: S606 - argv is built above, no shell


@click.command("scheduler")
@click.option("--once", "once", metavar="JOB_ID", help="Run one job now and exit.")
@pass_context
def scheduler(ctx: CliContext, once: str | None) -> None:
    """Run the scheduled jobs (one scheduler process per deployment).

    Only one scheduler works at a time: it holds a PostgreSQL advisory lock (with SQLite, a lock
    file beside the database). Another one started waits, doing nothing, and takes over when
    the first stops.
    """
    if once:
        job = next((job for job in JOBS if job.id == once), None)
        if job is None:
            raise click.BadParameter(f"unknown job; known: {', '.join(j.id for j in JOBS)}")
        click.echo(f"{job.id}: {run_job(ctx.database, ctx.config, job)}")
        return
    config = ctx.config
    configure_logging(config)
    lock = scheduler_lock(ctx.database.engine)
    poll = config.scheduler.lock_poll_seconds

    def waiting() -> None:
        click.echo(f"scheduler: another scheduler holds the {lock.describe()}; waiting", err=True)

    def stop(_signum: int, _frame: FrameType | None) -> None:
        # Leaves start() (or the wait for the lock); the lock is released below.
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    try:
        lock.acquire(poll, on_wait=waiting)
        click.echo(f"scheduler: took the {lock.describe()}")
        click.echo(f"scheduler: {len(JOBS)} jobs: {', '.join(job.id for job in JOBS)}")
        runner = build_scheduler(ctx.database, config)
        lost = False

        def check_lock() -> None:
            nonlocal lost
            if not lock.still_held():
                lost = True
                logger.error("scheduler: lost the %s; stopping", lock.describe())
                runner.shutdown(wait=False)

        runner.add_job(
            check_lock, "interval", seconds=poll, id="check-scheduler-lock", executor="control"
        )
        runner.start()
        if lost:
            raise click.ClickException("the scheduler lock was lost (database connection)")
    finally:
        lock.release()


def wait_until_healthy(
    url: str,
    *,
    timeout: float,
    alive: Callable[[], bool],
    sleep: Callable[[float], None] = time.sleep,
) -> bool:
    """Poll ``url`` until it answers 200; False on timeout or when ``alive()`` turns false."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and alive():
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own URL
                if response.status == 200:
                    return True
        except (urllib.error.URLError, OSError):
            pass
        sleep(0.25)
    return False


def wait_until_listening(
    host: str, port: int, *, timeout: float, alive: Callable[[], bool]
) -> bool:
    """Wait until something accepts connections on ``host:port``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and alive():
        try:
            with socket.create_connection((host, port), timeout=1):
                return True
        except OSError:
            time.sleep(0.1)
    return False


@click.command("up")
@click.option(
    "--port", default=None, type=int, help="Web server port  [default: app.base_url's port]"
)
@click.option("--workers", default=2, show_default=True, type=int, help="gunicorn workers.")
@pass_context
def up(ctx: CliContext, port: int | None, workers: int) -> None:
    """Start web server and scheduler (and the fake WeChat API in demo mode); Ctrl-C stops all.

    The web server listens on app.base_url's port (or --port), the fake WeChat API on
    wechat.api_base_url's port. "running" is printed once /healthz answers.
    """
    from cli import main

    config = ctx.config
    host = "127.0.0.1"
    configured_port = url_port(config.app.base_url, DEFAULT_WEB_PORT)
    port = port or configured_port
    environment = _child_environment(ctx)
    if port != configured_port and is_loopback(config.app.base_url):
        # Menu links and QR pages must name the port actually served.
        environment["HUAICAI_APP__BASE_URL"] = f"http://{host}:{port}"
    _require_free(host, port, "web server", "app.base_url", config.app.base_url, WEB_PORT_HINT)
    api_base_url = config.wechat.api_base_url
    fake_port = url_port(api_base_url, DEFAULT_FAKE_WECHAT_PORT)
    with_fake = config.app.demo and is_loopback(api_base_url) and "fake-wechat" in main.commands
    if with_fake:
        _require_free(
            host,
            fake_port,
            "fake WeChat API",
            "wechat.api_base_url",
            api_base_url,
            "point wechat.api_base_url at a free port, e.g. "
            "HUAICAI_WECHAT__API_BASE_URL=http://127.0.0.1:{port}/cgi-bin/",
        )
    executable = [sys.executable, "-m", "cli"]
    commands: list[list[str]] = []
    if with_fake:
        commands.append(executable + ["fake-wechat", "--port", str(fake_port)])
    commands.append(executable + ["serve", "--port", str(port), "--workers", str(workers)])
    commands.append(executable + ["scheduler"])
    # Our own executable and fixed arguments; no shell, no user input.
    children = [subprocess.Popen(command, env=environment) for command in commands]  # noqa: S603

    def stop(_signum: int, _frame: FrameType | None) -> None:
        for child in children:
            if child.poll() is None:
                child.terminate()

    def all_alive() -> bool:
        return all(child.poll() is None for child in children)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        if with_fake and not wait_until_listening(host, fake_port, timeout=30, alive=all_alive):
            raise click.ClickException(f"the fake WeChat API did not start on port {fake_port}")
        health = f"http://{host}:{port}/healthz"
        if not wait_until_healthy(health, timeout=HEALTH_TIMEOUT_SECONDS, alive=all_alive):
            dead = [(c, p) for c, p in zip(commands, children, strict=True) if p.poll() is not None]
            if dead:
                command, process = dead[0]
                raise click.ClickException(
                    f"`huaicai {' '.join(command[3:])}` stopped (exit code {process.returncode}) "
                    "before the web server answered; see its messages above"
                )
            raise click.ClickException(
                f"the web server did not answer {health} within {HEALTH_TIMEOUT_SECONDS:.0f} s "
                "(see its messages above; `huaicai doctor` checks the usual causes)"
            )
        click.echo("")
        click.echo(f"  HuaiCai is running: http://{host}:{port}/console/")
        click.echo(f"  health check:      {health}")
        if with_fake:
            click.echo(f"  fake WeChat API:   http://{host}:{fake_port}/cgi-bin/")
        if config.app.demo:
            click.echo(
                f"  demo login:        {config.console.demo_username} / "
                f"{config.console.demo_password}"
            )
            click.echo(
                f"  chat as a user:    .venv/bin/huaicai chat --url http://{host}:{port}/wechat"
            )
        click.echo("  press Ctrl-C to stop", nl=True)
        sys.stdout.flush()
        while all_alive():
            time.sleep(0.5)
    finally:
        stop(signal.SIGTERM, None)
        for child in children:
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
    failed = [child.args for child in children if child.returncode not in (0, -signal.SIGTERM)]
    if failed:
        raise click.ClickException(f"a process stopped unexpectedly: {failed[0]!r}")


COMMANDS = [serve, scheduler, up]
