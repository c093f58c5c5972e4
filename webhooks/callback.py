"""The WeChat callback: ``GET /wechat`` (server check) and ``POST /wechat`` (messages, events).

The handler verifies, decrypts and parses; ``bot.services.inbound`` de-duplicates and dispatches.
Every WeChat message crosses it, so it is served at the WSGI level in front of the Flask app
(``CallbackFirst``), with Werkzeug's request and response but no Flask request context: none of
what the console's pages need on each request (app and request contexts, URL matching, cookie
session, login, rate limits, browser security headers) is paid per message.
Refusals (stale timestamp, forged signature, wrong appid, oversized body, a message mode the
configuration does not allow, a signed query string replayed with another body) never reach the
dialogs. Anything unreadable gets ``success`` so WeChat does not retry it, and no failure
becomes a 500: WeChat would show the person "该公众号暂时无法提供服务". While the database is
unreachable, deliveries wait in the spool (``bot.services.spool``) and are answered later.

Signatures, nonces and openids travel in the query string: access logs get the path only
(``webhooks.gunicorn_conf``, and the filter below for werkzeug's development server).
"""

from __future__ import annotations

import logging
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import parse_qsl

from flask import Flask
from wechatpy.crypto import WeChatCrypto
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.wsgi import get_content_length, get_input_stream

from bot.config import Config, WechatConfig
from bot.dispatch import Incoming
from bot.logs import request_id
from bot.services import inbound, spool
from bot.services.replay_guard import (
    MAX_NONCE_LENGTH,
    LocalPairStore,
    RedisPairStore,
    ReplayGuard,
    SignedPair,
    Verdict,
)
from bot.wechat.codec import (
    ForgedMessage,
    MalformedMessage,
    UndecryptableMessage,
    open_envelope,
    parse_xml,
    render_text_reply,
    sign,
    signature_matches,
    to_incoming,
)
from webhooks import metrics

logger = logging.getLogger(__name__)

EXTENSION_KEY = "huaicai_wechat"
SUCCESS = "success"
SORRY = "抱歉，系统开了个小差，请稍后再发一次。"
MAX_ECHOSTR_LENGTH = 512
REPLAYED = "signed timestamp and nonce already used with another body"
# encrypt_type values each message mode accepts ("raw": no encrypt_type, plaintext fields).
ACCEPTED = {"plaintext": {"raw"}, "compatible": {"raw", "aes"}, "safe": {"aes"}}
# How often the likely cause of undecryptable messages is logged, and how long after the last
# one /healthz still says degraded.
KEY_LOG_INTERVAL_SECONDS = 60.0
KEY_DEGRADED_SECONDS = 600.0
MISSING_KEY = (
    "WeChat sends encrypted messages (compatible or safe mode) but wechat.encoding_aes_key is "
    "empty: set it to the EncodingAESKey of the account's 服务器配置"
)
WRONG_KEY = (
    "messages signed with our token cannot be decrypted: wechat.encoding_aes_key differs from "
    "the EncodingAESKey of the account's 服务器配置 (it was probably regenerated there)"
)


@dataclass
class KeyHealth:
    """Whether this process could read WeChat's encrypted messages lately, for /healthz and logs."""

    problem: str | None = None
    last_seen: float = 0.0
    unlogged: int = 0
    last_logged: float = float("-inf")
    lock: threading.Lock = field(default_factory=threading.Lock)

    def trouble(self, problem: str, detail: str = "") -> None:
        """Note an encrypted message we could not read; log the likely cause once a minute."""
        now = time.monotonic()
        with self.lock:
            self.problem, self.last_seen = problem, now
            self.unlogged += 1
            if now - self.last_logged < KEY_LOG_INTERVAL_SECONDS:
                return
            count, self.unlogged, self.last_logged = self.unlogged, 0, now
        logger.error(
            "wechat callback: %s (%d message(s) in the last minute; %s)",
            problem,
            count,
            detail or "no detail",
        )

    def fine(self) -> None:
        """Note an encrypted message read correctly: the key is right after all."""
        if self.problem is not None:
            with self.lock:
                self.problem = None

    def state(self) -> dict[str, Any]:
        """Return ``{"ok": bool, "problem": str | None}`` for /healthz."""
        with self.lock:
            recent = time.monotonic() - self.last_seen < KEY_DEGRADED_SECONDS
            problem = self.problem if recent else None
        return {"ok": problem is None, "problem": problem}


@dataclass(frozen=True, slots=True)
class Answer:
    """What the callback answers: status, body, media type and any extra headers.

    Rendered straight to WSGI by ``CallbackFirst`` (a Werkzeug ``Response`` per message cost
    about 4 % of the callback's CPU, ``bench/callback_instructions.py``); the same headers a
    ``Response`` with ``mimetype`` would send (UTF-8 for text and XML).
    """

    status_code: int
    body: bytes
    mimetype: str = "text/plain"
    headers: tuple[tuple[str, str], ...] = ()

    @classmethod
    def text(cls, text: str, status: int = 200, mimetype: str = "text/plain") -> Answer:
        """Return an answer of ``text`` in UTF-8."""
        return cls(status, text.encode("utf-8"), mimetype)

    def __call__(self, method: str, request_id: str, start_response: Any) -> list[bytes]:
        """Start the WSGI response and return its body (none for HEAD)."""
        headers = [
            ("Content-Type", f"{self.mimetype}; charset=utf-8"),
            ("Content-Length", str(len(self.body))),
            *self.headers,
            ("X-Request-Id", request_id),
        ]
        start_response(f"{self.status_code} {HTTP_STATUS_CODES[self.status_code]}", headers)
        return [] if method == "HEAD" else [self.body]


@dataclass
class Callback:
    settings: WechatConfig
    crypto: WeChatCrypto | None
    responder: inbound.Responder
    guard: ReplayGuard
    spool: spool.Spool
    drain: Any  # Callable[[Incoming], object]: handles one spooled delivery
    key_health: KeyHealth = field(default_factory=KeyHealth)


class RedactQueryStrings(logging.Filter):
    """Drop query strings from werkzeug's request lines: they hold signatures and openids."""

    QUERY = re.compile(r"\?[^\s\"]*")

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args and isinstance(record.args[0], str):
            record.args = (self.QUERY.sub("?…", record.args[0]), *record.args[1:])
        return True


@dataclass(frozen=True, slots=True)
class CallbackRequest:
    """What the callback reads of a request, taken from the WSGI environ as Werkzeug would.

    ``args``: the query string as a plain dict (the first value of a repeated name, as
    ``MultiDict.get`` reads; WSGI gives its raw bytes as Latin-1, read here as UTF-8).
    ``stream``: the body, limited to Content-Length or ended by the server (chunked), by
    Werkzeug's own ``get_input_stream``. A Werkzeug ``Request`` per message cost about 2 % of
    the callback's CPU (``bench/callback_instructions.py``).
    """

    method: str
    args: dict[str, str]
    content_length: int | None
    stream: IO[bytes]
    remote_addr: str | None

    @classmethod
    def of(cls, environ: dict[str, Any]) -> CallbackRequest:
        """Return the request of ``environ``."""
        raw = environ.get("QUERY_STRING", "").encode("latin-1").decode("utf-8", "replace")
        return cls(
            environ.get("REQUEST_METHOD", "GET").upper(),
            _query(raw),
            get_content_length(environ),
            get_input_stream(environ),
            environ.get("REMOTE_ADDR"),
        )


class CallbackFirst:
    """WSGI middleware: requests for the callback's path are answered here, the rest by ``main``.

    The callback is timed, counted and given a request id like every request of the app
    (``webhooks.metrics``); an unexpected error is logged and answered 500, as Flask would.
    """

    ROUTE = "/wechat"

    def __init__(self, main: Any, callback: Callback, path: str = ROUTE) -> None:
        self.main = main
        self.callback = callback
        self.path = path

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("PATH_INFO") != self.path:
            return self.main(environ, start_response)
        started = time.perf_counter()
        request = CallbackRequest.of(environ)
        rid = metrics.request_id_of(environ.get("HTTP_X_REQUEST_ID", ""))
        token = request_id.set(rid)
        try:
            answer = self.answer(request)
        finally:
            request_id.reset(token)
        metrics.observe(self.ROUTE, request.method, answer, time.perf_counter() - started)
        return answer(request.method, rid, start_response)

    def answer(self, request: CallbackRequest) -> Answer:
        """Return the answer to one request for the callback's path (500 on an unexpected error)."""
        try:
            if request.method == "POST":
                return receive(self.callback, request)
            if request.method in {"GET", "HEAD"}:
                return verify(self.callback, request)
            return Answer(405, b"method not allowed", headers=(("Allow", "GET, HEAD, POST"),))
        except Exception:
            logger.exception("wechat callback: unexpected error on %s", request.method)
            return Answer.text("internal server error", 500)


def _query(query_string: str) -> dict[str, str]:
    """Return the query string's names and values (the first of a repeated name)."""
    values: dict[str, str] = {}
    for name, value in parse_qsl(query_string, keep_blank_values=True):
        values.setdefault(name, value)
    return values


def init_app(app: Flask, config: Config) -> None:
    """Serve the callback in front of ``app`` (``CallbackFirst``), on the runtime's reply executor.

    The executor's threads start on first use.
    """
    wechat = config.wechat
    crypto = (
        WeChatCrypto(wechat.token, wechat.encoding_aes_key, wechat.appid)
        if wechat.encoding_aes_key
        else None
    )
    runtime = app.extensions["huaicai"]
    waiting = spool.spool_of(config)
    responder: inbound.Responder = runtime.responder
    # A delivery the database cannot take within the reply budget waits on disk.
    responder.keep = waiting.keep
    # Pairs kept in the database are bound by the delivery's own transaction (no store here).
    guard = ReplayGuard(
        RedisPairStore.from_url(wechat.redis_url) if wechat.replay_store == "redis" else None,
        LocalPairStore(Path(waiting.directory) / "pairs"),
        wechat.timestamp_window_seconds,
    )
    responder.check_locally = guard.check_locally
    drain = spool.handler(runtime.database.session, config, runtime.registry, runtime.talent_index)
    callback = Callback(wechat, crypto, responder, guard, waiting, drain)
    app.extensions[EXTENSION_KEY] = callback
    werkzeug_logger = logging.getLogger("werkzeug")
    if not any(isinstance(f, RedactQueryStrings) for f in werkzeug_logger.filters):
        werkzeug_logger.addFilter(RedactQueryStrings())
    app.wsgi_app = CallbackFirst(app.wsgi_app, callback)  # type: ignore[method-assign]


def current_time() -> float:
    """Return the Unix time the timestamp check uses (tests move it)."""
    return time.time()


def key_health(app: Flask) -> dict[str, Any]:
    """Return whether ``app``'s callback could read encrypted messages lately (for /healthz)."""
    callback: Callback | None = app.extensions.get(EXTENSION_KEY)
    if callback is None:
        return {"ok": True, "problem": None}
    return {"mode": callback.settings.mode, **callback.key_health.state()}


def _keep_quietly(callback: Callback, message: Incoming) -> None:
    try:
        callback.spool.keep(message)
    except OSError:
        logger.exception("wechat callback: could not keep a late delivery on disk")


def _refuse(request: CallbackRequest, status: int, reason: str) -> Answer:
    logger.warning("wechat callback refused (%s): %s from %s", status, reason, request.remote_addr)
    return Answer.text("forbidden" if status == 403 else "too large", status)


def _success() -> Answer:
    return Answer.text(SUCCESS)


def _authentic(settings: WechatConfig, request: CallbackRequest) -> str | None:
    """Return why the query string is not WeChat's signed one, or None when it is."""
    timestamp = request.args.get("timestamp", "")
    nonce = request.args.get("nonce", "")
    try:
        age = abs(current_time() - int(timestamp))
    except ValueError:
        return "timestamp missing or not a number"
    if age > settings.timestamp_window_seconds:
        return (
            f"timestamp {timestamp[:20]} outside the {settings.timestamp_window_seconds} s window"
        )
    if len(nonce) > MAX_NONCE_LENGTH:
        return "nonce too long"
    expected = sign(settings.token, timestamp, nonce)
    if not signature_matches(expected, request.args.get("signature", "")):
        return "signature does not match"
    return None


def verify(callback: Callback, request: CallbackRequest) -> Answer:
    """Answer WeChat's server check (``GET /wechat``) by echoing ``echostr``."""
    problem = _authentic(callback.settings, request)
    if problem is not None:
        return _refuse(request, 403, problem)
    return Answer.text(request.args.get("echostr", "")[:MAX_ECHOSTR_LENGTH])


def receive(callback: Callback, request: CallbackRequest) -> Answer:
    """Take a message or event (``POST /wechat``) in any message mode and answer it."""
    settings = callback.settings
    cap = settings.max_body_bytes
    if request.content_length is not None and request.content_length > cap:
        return _refuse(request, 413, f"Content-Length {request.content_length} over {cap}")
    problem = _authentic(settings, request)
    if problem is not None:
        return _refuse(request, 403, problem)
    encrypt_type = request.args.get("encrypt_type") or "raw"
    if encrypt_type not in {"raw", "aes"}:
        return _refuse(request, 403, f"unknown encrypt_type {encrypt_type[:20]!r}")
    if callback.crypto is not None and encrypt_type not in ACCEPTED[settings.mode]:
        return _refuse(request, 403, f"{encrypt_type} request refused in {settings.mode} mode")
    # Read one byte past the cap so a body without (or lying about) Content-Length is caught.
    body = request.stream.read(cap + 1)
    if len(body) > cap:
        return _refuse(request, 413, f"body over {cap} bytes")
    # Compatible mode without a configured key still carries the plaintext fields.
    crypto = callback.crypto if encrypt_type == "aes" else None
    try:
        fields = parse_xml(body)
        if crypto is not None:
            fields = parse_xml(
                open_envelope(
                    crypto,
                    fields,
                    token=settings.token,
                    msg_signature=request.args.get("msg_signature", ""),
                    timestamp=request.args.get("timestamp", ""),
                    nonce=request.args.get("nonce", ""),
                )
            )
            callback.key_health.fine()
        elif encrypt_type == "aes" and "Encrypt" in fields:
            callback.key_health.trouble(MISSING_KEY)
        message = to_incoming(fields)
    except ForgedMessage as exc:
        return _refuse(request, 403, str(exc))
    except UndecryptableMessage as exc:
        callback.key_health.trouble(WRONG_KEY, str(exc))
        return _success()
    except MalformedMessage as exc:
        logger.warning("wechat callback: unreadable message answered with success: %s", exc)
        return _success()
    pair: SignedPair | None = None
    if crypto is None:
        # Only the decrypted body is covered by a signature: bind this signed pair to its body,
        # in the delivery's transaction when the database keeps the pairs.
        pair = callback.guard.pair(
            int(request.args["timestamp"]), request.args.get("nonce", ""), body
        )
        if not callback.guard.binds_in_delivery:
            if callback.guard.check(pair) is Verdict.REPLAY:
                return _refuse(request, 403, REPLAYED)
            pair = None
    if message.kind == "unknown":
        logger.info("wechat callback: unknown message type %r", fields.get("MsgType"))
    try:
        result = callback.responder.respond(message, pair)
        if result.outcome == "replay":
            return _refuse(request, 403, REPLAYED)
        reply = result.reply
    except Exception:
        # The transaction rolled back, so nothing was stored; WeChat's retry may succeed.
        logger.exception("wechat callback: handling a %s delivery failed", message.kind)
        reply = SORRY
    else:
        if result.outcome == "late":
            # Answered "success" while the delivery still waits for a reply thread, in memory
            # only: keep it on disk as well, so a crash cannot lose it (a second handling is a
            # repeat).
            _keep_quietly(callback, message)
        elif result.outcome != "spooled":
            # The database answers: hand anything waiting from an outage to a background drain.
            callback.spool.kick(callback.drain)
    if not reply:
        return _success()
    account = fields.get("ToUserName")
    xml = render_text_reply(
        to_user=message.openid,
        from_user=account if isinstance(account, str) else "",
        content=reply,
        create_time=int(current_time()),
    )
    if crypto is not None:
        xml = crypto.encrypt_message(
            xml, request.args.get("nonce") or secrets.token_hex(8), str(int(current_time()))
        )
    return Answer.text(xml, mimetype="application/xml")


def spooled_count(app: Flask) -> int:
    """Return how many deliveries wait in this app's spool for the database."""
    callback: Callback | None = app.extensions.get(EXTENSION_KEY)
    return len(callback.spool.pending()) if callback is not None else 0


def drain_spool_in_background(app: Flask) -> bool:
    """Start handling deliveries left in the spool (worker start); return whether it started."""
    callback: Callback | None = app.extensions.get(EXTENSION_KEY)
    return callback is not None and callback.spool.kick(callback.drain)
