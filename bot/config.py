"""Load HuaiCai's configuration in layers and validate it once, at start-up.

Layers, later wins: the defaults below -> ``config.toml`` -> environment variables named
``HUAICAI_<SECTION>__<KEY>`` -> overrides passed by the caller (tests, ``create_app``).
This is the only module that reads the environment.
"""

from __future__ import annotations

import base64
import dataclasses
import ipaddress
import os
import tomllib
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ENV_PREFIX = "HUAICAI_"
CONFIG_PATH_VARIABLE = "HUAICAI_CONFIG"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG_PATH = PROJECT_ROOT / "config.toml"
# Marks values that only exist so the demo runs; refused when [app] demo is off.
DEMO_SECRET_PREFIX = "demo-"


class ConfigError(ValueError):
    """A configuration value is missing, unknown or invalid; the message names the key."""


@dataclass(frozen=True)
class AppConfig:
    name: str = "怀才 HuaiCai"
    secret_key: str = "demo-secret-key-change-me"
    base_url: str = "http://127.0.0.1:8000"
    timezone: str = "Asia/Shanghai"
    demo: bool = True
    log_level: str = "INFO"
    log_format: str = "text"
    instance_dir: str = "instance"


@dataclass(frozen=True)
class DatabaseConfig:
    url: str = "sqlite:///instance/huaicai.sqlite3"
    echo: bool = False
    pool_size: int = 10


DELIVERIES = ("auto", "request", "threads")


@dataclass(frozen=True)
class WechatConfig:
    appid: str = "wxdemo0000000000000"
    secret: str = "demo-app-secret"
    token: str = "demo-token"
    encoding_aes_key: str = ""
    api_base_url: str = "http://127.0.0.1:8900/cgi-bin/"
    timestamp_window_seconds: int = 300
    max_body_bytes: int = 65536
    reply_budget_seconds: float = 4.0
    token_store: str = "database"
    redis_url: str = "redis://127.0.0.1:6379/0"
    # plaintext, compatible or safe; empty: safe when encoding_aes_key is set, else plaintext.
    message_mode: str = ""
    # Where signed (timestamp, nonce) pairs are bound to their body: database or redis.
    replay_store: str = "database"
    # Deliveries kept here while the database is unreachable (relative to the project).
    spool_dir: str = "instance/spool"
    # Where a delivery is handled: "request" (the request's own thread, statements cancelled
    # at the budget's end), "threads" (reply threads, the request waits at most the budget) or
    # "auto" (request on PostgreSQL, threads on SQLite).
    deliveries: str = "auto"

    def deliveries_in_request(self, dialect: str) -> bool:
        """Return whether deliveries run in the request thread on a database of ``dialect``."""
        if self.deliveries == "auto":
            return dialect == "postgresql"
        return self.deliveries == "request"

    @property
    def mode(self) -> str:
        """Return the message mode in force (``message_mode``, or derived from the key)."""
        if self.message_mode:
            return self.message_mode
        return "safe" if self.encoding_aes_key else "plaintext"


@dataclass(frozen=True)
class MatchingConfig:
    top_k: int = 20
    min_score: float = 0.05
    index_path: str = "instance/match-index"


@dataclass(frozen=True)
class SchedulerConfig:
    outbox_interval_seconds: int = 15
    stale_profile_days: int = 180
    inbound_retention_days: int = 14
    abandoned_draft_days: int = 30
    heartbeat_seconds: int = 30
    lock_poll_seconds: int = 5


@dataclass(frozen=True)
class CooperationConfig:
    # A talent asked about a need who has not answered in this many days has said no.
    answer_days: int = 7
    # A talent nobody was in touch with for this many days is shown to their liaison.
    liaison_overdue_days: int = 90
    # At most this many needs and events in one digest.
    digest_items: int = 5


@dataclass(frozen=True)
class MetricsConfig:
    allowed_addresses: str = "127.0.0.1, ::1"
    token: str = ""
    multiprocess_dir: str = ""


@dataclass(frozen=True)
class TargetsConfig:
    talents_2020: int = 2250
    talents_2025: int = 5000
    agreements_per_year: int = 100
    landed_projects_per_year: int = 20
    launch_events_per_year: int = 4
    enterprise_visits_per_year: int = 100


@dataclass(frozen=True)
class ConsoleConfig:
    demo_username: str = "organiser"
    demo_password: str = "demo-password"
    session_hours: int = 12
    # Failed logins allowed per user name and per client address (Flask-Limiter syntax).
    login_limit_per_user: str = "5 per 15 minutes"
    login_limit_per_address: str = "30 per 15 minutes"
    # Where the login counters live: empty for this process's memory, or a redis:// URL so
    # every worker and node counts together.
    rate_limit_storage_url: str = ""


@dataclass(frozen=True)
class OutboxConfig:
    # Sends per second at most (a token bucket shared by the sender's threads) and its burst.
    rate_per_second: float = 100.0
    burst: int = 20
    # Threads sending at once (each waits on WeChat's answer); messages claimed per round.
    workers: int = 4
    batch_size: int = 200
    # First retry after a transient failure; doubled each time up to two hours.
    retry_base_seconds: float = 30.0
    # A claimed row not finished after this long belongs to a sender that died. Keep it above
    # the API client's timeout, so no request of the dead sender is still on its way.
    sending_lease_seconds: float = 300.0
    # Invitations, reminders and notices wait outside these local hours (HH:MM, app.timezone);
    # equal values turn quiet hours off.
    quiet_hours_start: str = "22:00"
    quiet_hours_end: str = "08:00"


@dataclass(frozen=True)
class EventsConfig:
    # Reminders before an event starts, in hours (0 turns one off).
    first_reminder_hours: int = 24
    second_reminder_hours: int = 2
    # A freed seat offered to the first on the waitlist is held this long.
    offer_hours: int = 24
    # Events without an end time are taken to last this long (no-shows are marked after it).
    default_duration_hours: int = 3
    # Template message (verified service accounts) and subscribe message ids for invitations;
    # empty: that channel is not used.
    invitation_template_id: str = ""
    invitation_subscribe_template_id: str = ""
    # WeChat web OAuth authorisation page (the H5 RSVP page learns the openid through it).
    oauth_authorize_url: str = "http://127.0.0.1:8900/connect/oauth2/authorize"


@dataclass(frozen=True)
class Config:
    app: AppConfig = field(default_factory=AppConfig)
    database: DatabaseConfig = field(default_factory=DatabaseConfig)
    wechat: WechatConfig = field(default_factory=WechatConfig)
    matching: MatchingConfig = field(default_factory=MatchingConfig)
    scheduler: SchedulerConfig = field(default_factory=SchedulerConfig)
    targets: TargetsConfig = field(default_factory=TargetsConfig)
    cooperation: CooperationConfig = field(default_factory=CooperationConfig)
    console: ConsoleConfig = field(default_factory=ConsoleConfig)
    outbox: OutboxConfig = field(default_factory=OutboxConfig)
    events: EventsConfig = field(default_factory=EventsConfig)
    metrics: MetricsConfig = field(default_factory=MetricsConfig)
    # Menu buttons as in WeChat's menu/create JSON; validated by the menu service.
    menu: tuple[Mapping[str, Any], ...] = ()

    @property
    def instance_path(self) -> Path:
        """Return the absolute folder for local state (SQLite file, caches)."""
        path = Path(self.app.instance_dir)
        return path if path.is_absolute() else PROJECT_ROOT / path

    @property
    def match_index_path(self) -> Path:
        """Return the absolute path of the saved talent index (``matching.index_path``)."""
        path = Path(self.matching.index_path)
        return path if path.is_absolute() else PROJECT_ROOT / path

    @property
    def database_url(self) -> str:
        """Return the database URL with a relative SQLite path resolved under the project."""
        url = self.database.url
        prefix = "sqlite:///"
        if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
            return prefix + str(PROJECT_ROOT / url[len(prefix) :])
        return url


def load_config(
    path: str | os.PathLike[str] | None = None,
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Config:
    """Build the validated configuration from defaults, file, environment and overrides."""
    environ = os.environ if environ is None else environ
    if path is None:
        path = environ.get(CONFIG_PATH_VARIABLE) or DEFAULT_CONFIG_PATH
    raw: dict[str, dict[str, Any]] = {}
    config_file = Path(path)
    if config_file.exists():
        try:
            _merge(raw, tomllib.loads(config_file.read_text(encoding="utf-8")), "")
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{config_file}: not valid TOML: {exc}") from None
    elif path != DEFAULT_CONFIG_PATH:
        raise ConfigError(f"config file {config_file} does not exist")
    _merge(raw, _from_environment(environ), "")
    if overrides:
        _merge(raw, overrides, "")
    return _build(raw)


def _merge(target: dict[str, Any], layer: Mapping[str, Any], where: str) -> None:
    for key, value in layer.items():
        if isinstance(value, Mapping) and isinstance(target.get(key), dict):
            _merge(target[key], value, f"{where}{key}.")
        elif isinstance(value, Mapping):
            target[key] = {}
            _merge(target[key], value, f"{where}{key}.")
        else:
            target[key] = value


def _from_environment(environ: Mapping[str, str]) -> dict[str, dict[str, str]]:
    layer: dict[str, dict[str, str]] = {}
    for name, value in environ.items():
        if not name.startswith(ENV_PREFIX) or "__" not in name or name == CONFIG_PATH_VARIABLE:
            continue
        section, _, key = name[len(ENV_PREFIX) :].partition("__")
        layer.setdefault(section.lower(), {})[key.lower()] = value
    return layer


def _build(raw: Mapping[str, Any]) -> Config:
    sections: dict[str, Any] = {}
    hints = typing.get_type_hints(Config)
    for name in raw:
        if name not in hints:
            raise ConfigError(f"[{name}]: unknown section (known: {', '.join(sorted(hints))})")
    for section_field in dataclasses.fields(Config):
        name = section_field.name
        value = raw.get(name)
        if name == "menu":
            sections[name] = _menu(value)
            continue
        section_type = hints[name]
        if value is None:
            value = {}
        if not isinstance(value, Mapping):
            raise ConfigError(f"[{name}]: expected a table of keys, got {type(value).__name__}")
        sections[name] = _section(name, section_type, value)
    config = Config(**sections)
    _check_semantics(config)
    return config


def _section(name: str, section_type: type, values: Mapping[str, Any]) -> Any:
    hints = typing.get_type_hints(section_type)
    known = {f.name for f in dataclasses.fields(section_type)}
    for key in values:
        if key not in known:
            raise ConfigError(f"{name}.{key}: unknown key (known: {', '.join(sorted(known))})")
    converted = {key: _coerce(f"{name}.{key}", hints[key], value) for key, value in values.items()}
    return section_type(**converted)


def _coerce(key: str, expected: Any, value: Any) -> Any:
    # Environment variables arrive as strings; TOML values arrive typed.
    if expected is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in {"1", "true", "yes", "on"}:
            return True
        if isinstance(value, str) and value.strip().lower() in {"0", "false", "no", "off"}:
            return False
        raise ConfigError(f"{key}: expected true or false, got {value!r}")
    if expected is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                pass
        raise ConfigError(f"{key}: expected a whole number, got {value!r}")
    if expected is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value.strip())
            except ValueError:
                pass
        raise ConfigError(f"{key}: expected a number, got {value!r}")
    if expected is str:
        if isinstance(value, str):
            return value
        raise ConfigError(f"{key}: expected a string, got {value!r}")
    if isinstance(expected, types.UnionType):  # pragma: no cover - no optional keys yet
        return value
    raise ConfigError(f"{key}: unsupported type {expected!r}")


def _menu(value: Any) -> tuple[Mapping[str, Any], ...]:
    if value is None:
        return ()
    buttons = value.get("button") if isinstance(value, Mapping) else None
    if not isinstance(buttons, list) or not all(isinstance(b, Mapping) for b in buttons):
        raise ConfigError("menu.button: expected an array of tables ([[menu.button]])")
    return tuple(buttons)


def _positive(key: str, value: float) -> None:
    if value <= 0:
        raise ConfigError(f"{key}: must be greater than zero, got {value}")


def _is_aes_key(key: str) -> bool:
    # WeChat's EncodingAESKey is base64 without its one "=" of padding (wechatpy adds it back).
    try:
        return len(base64.b64decode(key + "=", validate=True)) == 32
    except ValueError:  # binascii.Error is a ValueError
        return False


def _check_semantics(config: Config) -> None:
    try:
        ZoneInfo(config.app.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"app.timezone: unknown time zone {config.app.timezone!r} (e.g. Asia/Shanghai)"
        ) from None
    if config.app.log_level.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise ConfigError(
            f"app.log_level: expected DEBUG, INFO, WARNING or ERROR, got {config.app.log_level!r}"
        )
    if config.app.log_format not in {"text", "json"}:
        raise ConfigError(f"app.log_format: expected text or json, got {config.app.log_format!r}")
    if not config.app.base_url.startswith(("http://", "https://")):
        raise ConfigError(f"app.base_url: expected an http(s) URL, got {config.app.base_url!r}")
    if not config.database.url.startswith(("sqlite://", "postgresql")):
        raise ConfigError(
            f"database.url: expected sqlite:///PATH or postgresql+psycopg://..., "
            f"got {config.database.url!r}"
        )
    if not config.wechat.api_base_url.startswith(("http://", "https://")):
        raise ConfigError(
            f"wechat.api_base_url: expected an http(s) URL, got {config.wechat.api_base_url!r}"
        )
    aes_key = config.wechat.encoding_aes_key
    if aes_key and len(aes_key) != 43:
        raise ConfigError(f"wechat.encoding_aes_key: expected 43 characters, got {len(aes_key)}")
    if aes_key and not _is_aes_key(aes_key):
        raise ConfigError(
            "wechat.encoding_aes_key: not the base64 of a 32-byte key; copy it again from "
            "公众平台 → 基本配置 → 服务器配置"
        )
    if config.wechat.message_mode not in {"", "plaintext", "compatible", "safe"}:
        raise ConfigError(
            "wechat.message_mode: expected plaintext, compatible or safe, "
            f"got {config.wechat.message_mode!r}"
        )
    if config.wechat.mode != "plaintext" and not aes_key:
        raise ConfigError(
            f"wechat.message_mode: {config.wechat.mode} mode needs wechat.encoding_aes_key"
        )
    if config.wechat.replay_store not in {"database", "redis"}:
        raise ConfigError(
            f"wechat.replay_store: expected database or redis, got {config.wechat.replay_store!r}"
        )
    if config.wechat.token_store not in {"database", "redis"}:
        raise ConfigError(
            f"wechat.token_store: expected database or redis, got {config.wechat.token_store!r}"
        )
    for key, number in [
        ("database.pool_size", config.database.pool_size),
        ("wechat.timestamp_window_seconds", config.wechat.timestamp_window_seconds),
        ("wechat.max_body_bytes", config.wechat.max_body_bytes),
        ("wechat.reply_budget_seconds", config.wechat.reply_budget_seconds),
        ("matching.top_k", config.matching.top_k),
        ("scheduler.outbox_interval_seconds", config.scheduler.outbox_interval_seconds),
        ("scheduler.stale_profile_days", config.scheduler.stale_profile_days),
        ("scheduler.inbound_retention_days", config.scheduler.inbound_retention_days),
        ("scheduler.abandoned_draft_days", config.scheduler.abandoned_draft_days),
        ("scheduler.heartbeat_seconds", config.scheduler.heartbeat_seconds),
        ("scheduler.lock_poll_seconds", config.scheduler.lock_poll_seconds),
        ("console.session_hours", config.console.session_hours),
        ("cooperation.answer_days", config.cooperation.answer_days),
        ("cooperation.liaison_overdue_days", config.cooperation.liaison_overdue_days),
        ("cooperation.digest_items", config.cooperation.digest_items),
    ]:
        _positive(key, number)
    for address in filter(None, (a.strip() for a in config.metrics.allowed_addresses.split(","))):
        try:
            ipaddress.ip_network(address, strict=False)
        except ValueError:
            raise ConfigError(
                f"metrics.allowed_addresses: {address!r} is not an IP address or network"
            ) from None
    _positive("outbox.rate_per_second", config.outbox.rate_per_second)
    _positive("outbox.burst", config.outbox.burst)
    _positive("outbox.workers", config.outbox.workers)
    _positive("outbox.batch_size", config.outbox.batch_size)
    _positive("outbox.sending_lease_seconds", config.outbox.sending_lease_seconds)
    _positive("events.offer_hours", config.events.offer_hours)
    _positive("events.default_duration_hours", config.events.default_duration_hours)
    for key in ("quiet_hours_start", "quiet_hours_end"):
        value = getattr(config.outbox, key)
        hours, _, minutes = value.partition(":")
        if not (hours.isdigit() and minutes.isdigit() and int(hours) < 24 and int(minutes) < 60):
            raise ConfigError(f"outbox.{key}: expected HH:MM (e.g. 22:00), got {value!r}")
    if config.wechat.deliveries not in DELIVERIES:
        raise ConfigError(
            f"wechat.deliveries: expected one of {', '.join(DELIVERIES)}, "
            f"got {config.wechat.deliveries!r}"
        )
    if config.wechat.reply_budget_seconds >= 5:
        raise ConfigError("wechat.reply_budget_seconds: must stay below WeChat's 5 s limit")
    for section in dataclasses.fields(TargetsConfig):
        _positive(f"targets.{section.name}", getattr(config.targets, section.name))
    if not config.app.demo:
        # Outside demo mode the placeholder secrets must have been replaced from the environment.
        for key, value in [
            ("app.secret_key", config.app.secret_key),
            ("wechat.secret", config.wechat.secret),
            ("wechat.token", config.wechat.token),
            ("console.demo_password", config.console.demo_password),
        ]:
            if value.startswith(DEMO_SECRET_PREFIX):
                variable = "HUAICAI_" + key.replace(".", "__").upper()
                raise ConfigError(f"{key}: still the demo placeholder; set {variable}")
