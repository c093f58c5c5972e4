"""``huaicai doctor``: check a deployment and say what is wrong and how to fix it."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta

import click

from bot.config import Config, ConfigError, load_config
from bot.db import Database, utcnow

OK, WARN, FAIL = "ok", "warn", "FAIL"


@dataclass(frozen=True)
class Finding:
    """One check's verdict: ``status`` is ok, warn or FAIL; ``fix`` says what to do."""

    check: str
    status: str
    detail: str
    fix: str = ""


def check_aes_key(config: Config) -> Finding:
    """The EncodingAESKey: 43 characters of base64 that decode to a 32-byte AES key."""
    key = config.wechat.encoding_aes_key
    if not key:
        if config.app.demo:
            return Finding("aes key", OK, "empty: plaintext mode (demo)")
        return Finding(
            "aes key",
            WARN,
            "wechat.encoding_aes_key is empty: only plaintext mode works",
            "production runs safe mode: copy the EncodingAESKey from 公众平台 → 设置与开发 → "
            "基本配置 → 服务器配置 into HUAICAI_WECHAT__ENCODING_AES_KEY",
        )
    try:
        decoded = base64.b64decode(key + "=", validate=True)
    except (binascii.Error, ValueError):
        decoded = b""
    if len(key) != 43 or len(decoded) != 32:
        return Finding(
            "aes key",
            FAIL,
            f"wechat.encoding_aes_key is not 43 base64 characters decoding to 32 bytes "
            f"({len(key)} characters)",
            "copy it again from 服务器配置 (or generate a new one there and set it in both places)",
        )
    return Finding("aes key", OK, "43 characters, a 32-byte AES key")


def check_database(database: Database) -> Finding:
    """The database answers and its schema is at the code's head revision."""
    from bot.migrations import head_revision

    revision = database.schema_revision()
    url = database.engine.url.render_as_string(hide_password=True)
    if revision is False:
        return Finding(
            "database",
            FAIL,
            f"cannot connect to {url}",
            "check that the server runs and database.url (HUAICAI_DATABASE__URL) is right",
        )
    head = head_revision()
    if revision is None:
        return Finding(
            "database", FAIL, f"{url}: no schema (not migrated)", "run `huaicai db upgrade`"
        )
    if revision != head:
        return Finding(
            "database",
            FAIL,
            f"{url}: schema at revision {revision}, the code expects {head}",
            "run `huaicai db upgrade` (after a backup: `huaicai backup`)",
        )
    return Finding("database", OK, f"{url}: schema at head ({head})")


def check_redis(config: Config) -> Finding | None:
    """Redis answers, when the token store or the replay-nonce store uses it."""
    stores = {config.wechat.token_store, getattr(config.wechat, "replay_store", "database")}
    if "redis" not in stores:
        return None
    import redis

    client = redis.Redis.from_url(config.wechat.redis_url, socket_timeout=3)
    try:
        client.ping()
    except redis.RedisError as exc:
        return Finding(
            "redis",
            FAIL,
            f"{config.wechat.redis_url}: {exc}",
            "start Redis or fix wechat.redis_url (HUAICAI_WECHAT__REDIS_URL)",
        )
    finally:
        client.close()
    return Finding("redis", OK, f"{config.wechat.redis_url} answers")


def check_wechat_api(config: Config, database: Database) -> Finding:
    """An access token can be fetched through the configured API base."""
    import requests
    from wechatpy.exceptions import WeChatClientException

    from bot.wechat.client import make_client

    client = make_client(config, database)
    client.timeout = 5.0
    base = config.wechat.api_base_url
    try:
        token = client.access_token
    except WeChatClientException as exc:
        return Finding(
            "wechat api",
            FAIL,
            f"{base} refused the token request: {exc.errcode} {exc.errmsg}",
            "check wechat.appid and wechat.secret (HUAICAI_WECHAT__SECRET), and that this "
            "server's public IP is on the IP allow-list (IP白名单) in 公众平台 → 基本配置",
        )
    except requests.RequestException as exc:
        fix = "check wechat.api_base_url and the network"
        if config.app.demo:
            fix = "start the fake WeChat API (`huaicai fake-wechat` or `huaicai up`)"
        return Finding("wechat api", FAIL, f"{base} unreachable: {type(exc).__name__}", fix)
    except Exception as exc:  # the token store (database or Redis) failed: report, not crash
        return Finding("wechat api", FAIL, f"token store failed: {exc}", "see the checks above")
    finally:
        client.close()
    return Finding("wechat api", OK, f"access token fetched through {base} ({len(token)} chars)")


def check_menu(config: Config) -> Finding:
    """The custom menu in config.toml follows WeChat's rules and every key has a handler."""
    from bot import dialogs
    from bot.services.menu import MenuError, build_menu

    try:
        menu = build_menu(config, routed_keys=dialogs.build_registry().clicks)
    except MenuError as error:
        return Finding(
            "menu", FAIL, "; ".join(error.problems), "fix [[menu.button]] in config.toml"
        )
    return Finding("menu", OK, f"{len(menu['button'])} top buttons, every key handled")


def check_scheduler(config: Config, database: Database) -> Finding:
    """The scheduler's heartbeat is recent."""
    from bot.services import operations

    with database.session() as session:
        beat = operations.last_heartbeat(session)
    if beat is None:
        return Finding(
            "scheduler",
            FAIL,
            "no heartbeat ever recorded: the scheduler has not run",
            "start it: `huaicai scheduler` (systemd: huaicai-scheduler.service)",
        )
    age = utcnow() - beat
    limit = timedelta(seconds=3 * config.scheduler.heartbeat_seconds)
    if age > limit:
        return Finding(
            "scheduler",
            FAIL,
            f"last heartbeat {age.total_seconds():.0f} s ago (more than {limit.seconds} s)",
            "the scheduler is stopped or stuck: `systemctl status huaicai-scheduler`, "
            "then restart it",
        )
    return Finding("scheduler", OK, f"last heartbeat {age.total_seconds():.0f} s ago")


def check_secrets(config: Config) -> Finding:
    """Production does not run on demo settings."""
    if config.app.demo:
        return Finding(
            "config",
            WARN,
            "demo mode is on (demo secrets, demo login, fake WeChat API)",
            "for production set [app] demo = false and the secrets from the environment",
        )
    return Finding("config", OK, "production mode, secrets from the environment")


def diagnose(config: Config, database: Database) -> Iterator[Finding]:
    """Run every check in order; the WeChat and scheduler checks need a working database."""
    yield check_secrets(config)
    yield check_aes_key(config)
    database_finding = check_database(database)
    yield database_finding
    redis_finding = check_redis(config)
    if redis_finding is not None:
        yield redis_finding
    yield check_menu(config)
    if database_finding.status == FAIL:
        yield Finding("wechat api", WARN, "skipped: the database check failed")
        yield Finding("scheduler", WARN, "skipped: the database check failed")
        return
    yield check_wechat_api(config, database)
    yield check_scheduler(config, database)


def _print(finding: Finding, echo: Callable[[str], None]) -> None:
    echo(f"{finding.status:<4}  {finding.check:<11} {finding.detail}")
    if finding.fix and finding.status != OK:
        echo(f"      {'':<11} fix: {finding.fix}")


@click.command("doctor")
@click.pass_context
def doctor(click_ctx: click.Context) -> None:
    """Check config, database and migrations, Redis, the WeChat API, the AES key, the menu and
    the scheduler's heartbeat; print what is wrong and how to fix it (exit 1 if anything is)."""
    config_path = click_ctx.obj.config_path if click_ctx.obj is not None else None
    try:
        config = load_config(config_path)
    except ConfigError as exc:
        _print(
            Finding("config", FAIL, str(exc), "correct that key, then run doctor again"), click.echo
        )
        raise SystemExit(1) from None
    database = Database(config.database_url, pool_size=2)
    try:
        findings = []
        for finding in diagnose(config, database):
            _print(finding, click.echo)
            findings.append(finding)
    finally:
        database.dispose()
    failed = [finding for finding in findings if finding.status == FAIL]
    click.echo("")
    if failed:
        click.echo(f"{len(failed)} problem(s): {', '.join(f.check for f in failed)}")
        raise SystemExit(1)
    click.echo("all checks passed")


COMMANDS = [doctor]
