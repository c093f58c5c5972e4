"""A fake WeChat API that answers like the documented endpoints, for tests and the demo.

Nothing here can reach WeChat's servers, so the client, the outbox and the demo talk to this
instead. It keeps its state in memory: issued tokens, users (following, last interaction,
subscribe-message subscriptions, customer-service messages sent), menu, tags and QR codes, the
customer-service message record (``customservice/msgrecord/getmsglist``) and web OAuth codes
(``/connect/oauth2/authorize`` → ``/sns/oauth2/access_token``, snsapi_base). It records every
call and can inject errors (also a steady rate of transient ``-1``) and latency. Tests drive it
through ``FakeWeChat``; a separate process (``huaicai fake-wechat``) can be driven over HTTP
under ``/fake/``.
"""

from __future__ import annotations

import itertools
import json
import logging
import random
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, Response, redirect, request
from flask.typing import ResponseReturnValue
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

logger = logging.getLogger(__name__)

CUSTOMER_SERVICE_WINDOW_SECONDS = 48 * 3600
CUSTOMER_SERVICE_QUOTA = 5
DEFAULT_TOKEN_LIFETIME = 7200
# Paths that hand out tokens: they take no access_token and are never subject to injections
# unless a rule names them explicitly.
TOKEN_PATHS = frozenset({"token", "stable_token"})

ERRORS: dict[int, str] = {
    -1: "system error",
    40001: "invalid credential, access_token is invalid or not latest",
    40003: "invalid openid",
    40013: "invalid appid",
    40014: "invalid access_token",
    40029: "invalid code",
    40125: "invalid appsecret",
    41001: "access_token missing",
    42001: "access_token expired",
    43004: "require subscribe",
    43101: "user refuse to accept the msg",
    44002: "empty post data",
    45009: "reach max api daily quota limit",
    45015: "response out of time limit or subscription is canceled",
    45047: "out of response count limit",
    45157: "invalid tag name",
    46003: "menu no exist",
    47001: "data format error",
}


@dataclass
class FakeUser:
    """What the fake knows about one follower."""

    openid: str
    following: bool = True
    nickname: str = ""
    # Epoch seconds of the person's last message to the account (opens the 48 h window).
    last_interaction: float | None = None
    # Subscribe-message template id -> remaining one-time grants (None: long-term).
    subscriptions: dict[str, int | None] = field(default_factory=dict)
    # Epoch seconds of customer-service messages sent since the last interaction.
    customer_service_sent: list[float] = field(default_factory=list)
    tag_ids: list[int] = field(default_factory=list)
    subscribe_time: int = 0


@dataclass
class Injection:
    """A rule that makes matching calls slow or fail."""

    errcode: int | None = None
    times: int | None = 1
    rate: float = 1.0
    path: str | None = None
    latency: float = 0.0


@dataclass(frozen=True)
class RecordedCall:
    """One request the fake received and what it answered."""

    path: str
    method: str
    params: dict[str, str]
    body: Any
    errcode: int
    at: float


class FakeWeChat:
    """The fake API's state and its Flask app; ``start()`` serves it on 127.0.0.1."""

    def __init__(
        self,
        appid: str = "wxdemo0000000000000",
        secret: str = "demo-app-secret",  # noqa: S107 - the demo config's placeholder
        *,
        token_lifetime: int = DEFAULT_TOKEN_LIFETIME,
        seed: int | None = None,
        auto_follow: bool = False,
        transient_error_rate: float = 0.0,
    ) -> None:
        self.appid = appid
        # Demo mode: an openid never seen is taken for a follower who has just written, since
        # the chat simulator talks to our server, not to the fake.
        self.auto_follow = auto_follow
        self.secret = secret
        self.token_lifetime = token_lifetime
        self.clock_offset = 0.0
        self.users: dict[str, FakeUser] = {}
        self.menu: dict[str, Any] | None = None
        self.tags: dict[int, str] = {}
        self.qrcodes: dict[str, dict[str, Any]] = {}
        self.injections: list[Injection] = []
        self.latency = 0.0
        self._calls: list[RecordedCall] = []
        # token -> expiry (epoch seconds); the latest from each endpoint is tracked separately
        # because /token and /stable_token do not invalidate each other.
        self._tokens: dict[str, float] = {}
        self._plain_token: str | None = None
        self._stable_token: str | None = None
        self._ids = itertools.count(100)
        self._random = random.Random(seed)  # noqa: S311 - error injection, not security
        self._lock = threading.RLock()
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        # Customer-service texts WeChat keeps a record of: (epoch seconds, openid, text).
        self.message_record: list[tuple[float, str, str]] = []
        # Web OAuth codes handed out and not yet exchanged: code -> openid.
        self.oauth_codes: dict[str, str] = {}
        self.app = self._build_app()
        if transient_error_rate:
            self.inject(-1, times=None, rate=transient_error_rate)

    # --- state the tests (or /fake/ requests) set -------------------------------------------

    def now(self) -> float:
        """Return the fake's clock (real time plus ``advance()`` offsets)."""
        return time.time() + self.clock_offset

    def advance(self, seconds: float) -> None:
        """Move the fake's clock forward, e.g. to let tokens or the 48 h window expire."""
        with self._lock:
            self.clock_offset += seconds

    def set_user(
        self,
        openid: str,
        *,
        following: bool = True,
        last_interaction: float | None = None,
        subscriptions: dict[str, int | None] | None = None,
        nickname: str = "",
    ) -> FakeUser:
        """Create or replace a user; ``last_interaction`` is epoch seconds on the fake's clock."""
        with self._lock:
            user = FakeUser(
                openid=openid,
                following=following,
                nickname=nickname or openid,
                last_interaction=last_interaction,
                subscriptions=dict(subscriptions or {}),
                subscribe_time=int(self.now()),
            )
            self.users[openid] = user
            return user

    def interact(self, openid: str, at: float | None = None) -> None:
        """Note that the person wrote to the account: opens the window, resets the quota."""
        with self._lock:
            user = self.users.get(openid) or self.set_user(openid)
            user.last_interaction = self.now() if at is None else at
            user.customer_service_sent.clear()

    def inject(
        self,
        errcode: int | None = None,
        *,
        times: int | None = 1,
        rate: float = 1.0,
        path: str | None = None,
        latency: float = 0.0,
    ) -> Injection:
        """Fail (``errcode``) and/or slow down (``latency``) matching calls.

        ``times=None`` keeps the rule forever; ``rate`` is the chance a matching call is hit;
        ``path`` (e.g. ``message/custom/send``) limits the rule to one endpoint. Without a path
        the token endpoints are spared.
        """
        rule = Injection(errcode=errcode, times=times, rate=rate, path=path, latency=latency)
        with self._lock:
            self.injections.append(rule)
        return rule

    def clear_injections(self) -> None:
        """Remove every injected error and latency."""
        with self._lock:
            self.injections.clear()
            self.latency = 0.0

    def calls(self, path: str | None = None) -> list[RecordedCall]:
        """Return the recorded calls, optionally only those to ``path`` (e.g. ``stable_token``)."""
        with self._lock:
            return [call for call in self._calls if path is None or call.path == path]

    def sent_texts(self, openid: str | None = None) -> list[tuple[str, str]]:
        """Return (openid, text) of every customer-service text accepted, in order."""
        with self._lock:
            return [
                (who, text)
                for _at, who, text in self.message_record
                if openid is None or who == openid
            ]

    def reset_calls(self) -> None:
        """Forget the recorded calls."""
        with self._lock:
            self._calls.clear()

    def expire_tokens(self) -> None:
        """Let every issued token expire now (the next API call gets 42001)."""
        with self._lock:
            for token in self._tokens:
                self._tokens[token] = self.now() - 1

    # --- serving ------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """Return the root URL of the running server."""
        if self._server is None:
            raise RuntimeError("the fake WeChat server is not running")
        return f"http://{self._server.host}:{self._server.port}"

    @property
    def api_base_url(self) -> str:
        """Return the API base URL to configure the client with (ends in ``/cgi-bin/``)."""
        return f"{self.url}/cgi-bin/"

    def start(self, host: str = "127.0.0.1", port: int = 0) -> FakeWeChat:
        """Serve in a background thread (port 0 picks a free port)."""
        self._server = make_server(
            host, port, self.app, threaded=True, request_handler=_QuietRequestHandler
        )
        # A short poll interval keeps stop() quick (tests start one server each).
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.02,), name="fake-wechat", daemon=True
        )
        self._thread.start()
        logger.info("fake WeChat API listening on %s", self.url)
        return self

    def stop(self) -> None:
        """Stop the background server and close its socket."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> FakeWeChat:
        return self.start() if self._server is None else self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    # --- the app ------------------------------------------------------------------------------

    def _build_app(self) -> Flask:
        app = Flask(__name__)
        handlers: dict[str, Callable[[dict[str, str], Any], dict[str, Any]]] = {
            "message/custom/send": self._custom_send,
            "message/template/send": self._template_send,
            "message/subscribe/bizsend": self._subscribe_send,
            "menu/create": self._menu_create,
            "menu/get": self._menu_get,
            "menu/delete": self._menu_delete,
            "qrcode/create": self._qrcode_create,
            "user/info": self._user_info,
            "tags/create": self._tags_create,
            "tags/get": self._tags_get,
        }

        @app.route("/cgi-bin/<path:path>", methods=["GET", "POST"])
        def api(path: str) -> Response:
            params = {key: value for key, value in request.args.items()}
            body = _json_body()
            self._slow_down(path)
            injected = self._injected_error(path)
            if injected is not None:
                result = _error(injected)
            elif path == "token":
                result = self._token(params)
            elif path == "stable_token":
                result = self._stable_token_issue(body)
            elif path not in handlers:
                result = {"errcode": 48001, "errmsg": "api unauthorized (not faked)"}
            else:
                token_error = self._check_token(params.get("access_token"))
                result = _error(token_error) if token_error else handlers[path](params, body)
            self._record(path, request.method, params, body, int(result.get("errcode", 0)))
            return _json_response(result)

        @app.route("/customservice/msgrecord/getmsglist", methods=["POST"])
        def message_record() -> Response:
            params = {key: value for key, value in request.args.items()}
            body = _json_body()
            path = "customservice/msgrecord/getmsglist"
            injected = self._injected_error(path)
            token_error = self._check_token(params.get("access_token"))
            if injected is not None or token_error:
                result = _error(injected or token_error or -1)
            else:
                result = self._message_record(body)
            self._record(path, request.method, params, body, int(result.get("errcode", 0)))
            return _json_response(result)

        @app.route("/connect/oauth2/authorize", methods=["GET"])
        def oauth_authorize() -> ResponseReturnValue:
            # The person's WeChat browser would be recognised here; the fake is told who it
            # is by ?fake_openid= or the fake_openid cookie.
            args = request.args
            openid = args.get("fake_openid") or request.cookies.get("fake_openid")
            if args.get("appid") != self.appid or args.get("response_type") != "code":
                return Response("invalid appid or response_type", status=400)
            if args.get("scope") not in {"snsapi_base", "snsapi_userinfo"}:
                return Response("invalid scope", status=400)
            redirect_uri = args.get("redirect_uri", "")
            if not redirect_uri.startswith(("http://", "https://")) or not openid:
                return Response("invalid redirect_uri or unknown person", status=400)
            code = secrets.token_urlsafe(16)
            with self._lock:
                self.oauth_codes[code] = openid
            separator = "&" if "?" in redirect_uri else "?"
            state = args.get("state", "")
            self._record("connect/oauth2/authorize", "GET", dict(args), None, 0)
            return redirect(f"{redirect_uri}{separator}code={code}&state={state}")

        @app.route("/sns/oauth2/access_token", methods=["GET"])
        def oauth_access_token() -> Response:
            args = request.args
            error = self._credentials_error(args.get("appid"), args.get("secret"))
            with self._lock:
                openid = self.oauth_codes.pop(args.get("code", ""), None)
            if error:
                result = _error(error)
            elif args.get("grant_type") != "authorization_code" or openid is None:
                result = _error(40029)
            else:
                result = {
                    "access_token": "fake-web-" + secrets.token_urlsafe(16),
                    "expires_in": 7200,
                    "refresh_token": "fake-refresh-" + secrets.token_urlsafe(16),
                    "openid": openid,
                    "scope": "snsapi_base",
                }
            self._record("sns/oauth2/access_token", "GET", {}, None, int(result.get("errcode", 0)))
            return _json_response(result)

        @app.route("/fake/users/<openid>", methods=["POST"])
        def fake_user(openid: str) -> Response:
            body = _json_body() or {}
            if body.get("interact"):
                self.interact(openid)
            else:
                self.set_user(
                    openid,
                    following=bool(body.get("following", True)),
                    last_interaction=body.get("last_interaction"),
                    subscriptions=body.get("subscriptions"),
                    nickname=str(body.get("nickname", "")),
                )
            return _json_response({"errcode": 0, "errmsg": "ok"})

        @app.route("/fake/calls", methods=["GET"])
        def fake_calls() -> Response:
            calls = [call.__dict__ for call in self.calls(request.args.get("path"))]
            return _json_response({"calls": calls})

        return app

    def _record(
        self, path: str, method: str, params: dict[str, str], body: Any, errcode: int
    ) -> None:
        with self._lock:
            self._calls.append(RecordedCall(path, method, params, body, errcode, self.now()))

    def _slow_down(self, path: str) -> None:
        with self._lock:
            delay = self.latency if path not in TOKEN_PATHS else 0.0
            for rule in self.injections:
                if rule.latency and _matches(rule, path):
                    delay = max(delay, rule.latency)
        if delay:
            time.sleep(delay)

    def _injected_error(self, path: str) -> int | None:
        with self._lock:
            for rule in self.injections:
                if rule.errcode is None or not _matches(rule, path):
                    continue
                if rule.times is not None and rule.times <= 0:
                    continue
                if rule.rate < 1.0 and self._random.random() >= rule.rate:
                    continue
                if rule.times is not None:
                    rule.times -= 1
                return rule.errcode
        return None

    # --- tokens -------------------------------------------------------------------------------

    def _issue(self) -> str:
        token = "fake-" + secrets.token_urlsafe(24)
        self._tokens[token] = self.now() + self.token_lifetime
        return token

    def _credentials_error(self, appid: Any, secret: Any) -> int | None:
        if appid != self.appid:
            return 40013
        if secret != self.secret:
            return 40125
        return None

    def _token(self, params: dict[str, str]) -> dict[str, Any]:
        if params.get("grant_type") != "client_credential":
            return _error(40002, "invalid grant_type")
        error = self._credentials_error(params.get("appid"), params.get("secret"))
        if error:
            return _error(error)
        with self._lock:
            # Every call to /token invalidates the token it handed out before.
            if self._plain_token is not None:
                self._tokens.pop(self._plain_token, None)
            self._plain_token = self._issue()
            return {"access_token": self._plain_token, "expires_in": self.token_lifetime}

    def _stable_token_issue(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            return _error(44002)
        if body.get("grant_type") != "client_credential":
            return _error(40002, "invalid grant_type")
        error = self._credentials_error(body.get("appid"), body.get("secret"))
        if error:
            return _error(error)
        with self._lock:
            current = self._stable_token
            expires = self._tokens.get(current or "", 0.0)
            if current is None or expires <= self.now() or body.get("force_refresh") is True:
                if current is not None:
                    self._tokens.pop(current, None)
                current = self._stable_token = self._issue()
                expires = self._tokens[current]
            return {"access_token": current, "expires_in": round(expires - self.now())}

    def _check_token(self, token: str | None) -> int | None:
        if not token:
            return 41001
        with self._lock:
            expires = self._tokens.get(token)
            if expires is None:
                return 40001
            if expires <= self.now():
                return 42001
        return None

    # --- endpoints ----------------------------------------------------------------------------

    def _known(self, openid: Any) -> FakeUser | None:
        if not isinstance(openid, str) or not openid:
            return None
        user = self.users.get(openid)
        if user is None and self.auto_follow:
            user = self.set_user(openid, last_interaction=self.now())
        return user

    def _follower(self, openid: Any) -> tuple[FakeUser | None, int | None]:
        user = self._known(openid)
        if user is None:
            return None, 40003
        if not user.following:
            return user, 43004
        return user, None

    def _custom_send(self, _params: dict[str, str], body: Any) -> dict[str, Any]:
        if not isinstance(body, dict) or "msgtype" not in body:
            return _error(47001)
        with self._lock:
            user, error = self._follower(body.get("touser"))
            if error or user is None:
                return _error(error or 40003)
            now = self.now()
            if (
                user.last_interaction is None
                or now - user.last_interaction > CUSTOMER_SERVICE_WINDOW_SECONDS
            ):
                return _error(45015)
            if len(user.customer_service_sent) >= CUSTOMER_SERVICE_QUOTA:
                return _error(45047)
            user.customer_service_sent.append(now)
            text = str((body.get("text") or {}).get("content", ""))
            self.message_record.append((now, user.openid, text))
        return {"errcode": 0, "errmsg": "ok"}

    def _message_record(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            return _error(44002)
        try:
            start, end = int(body["starttime"]), int(body["endtime"])
            first, number = int(body.get("msgid", 1)), min(int(body.get("number", 10000)), 10000)
        except (KeyError, TypeError, ValueError):
            return _error(47001)
        if end <= start or end - start > 24 * 3600:
            return _error(47001, "data format error: the time range must be within 24 hours")
        with self._lock:
            matching = [
                (number_, at, openid, text)
                for number_, (at, openid, text) in enumerate(self.message_record, start=1)
                if start <= at < end
            ]
        page = [row for row in matching if row[0] >= first][:number]
        return {
            "recordlist": [
                {"openid": openid, "opercode": 2002, "text": text, "time": int(at), "worker": "api"}
                for _n, at, openid, text in page
            ],
            "number": len(page),
            "msgid": (page[-1][0] + 1) if page else first,
        }

    def _template_send(self, _params: dict[str, str], body: Any) -> dict[str, Any]:
        if not isinstance(body, dict) or not body.get("template_id"):
            return _error(47001)
        with self._lock:
            _user, error = self._follower(body.get("touser"))
            if error:
                return _error(error)
            return {"errcode": 0, "errmsg": "ok", "msgid": next(self._ids)}

    def _subscribe_send(self, _params: dict[str, str], body: Any) -> dict[str, Any]:
        if not isinstance(body, dict) or not body.get("template_id"):
            return _error(47001)
        with self._lock:
            user, error = self._follower(body.get("touser"))
            if error or user is None:
                return _error(error or 40003)
            template_id = str(body["template_id"])
            if template_id not in user.subscriptions:
                return _error(43101)
            remaining = user.subscriptions[template_id]
            if remaining is not None:
                # One-time subscriptions are used up by the message they allowed.
                if remaining <= 1:
                    del user.subscriptions[template_id]
                else:
                    user.subscriptions[template_id] = remaining - 1
        return {"errcode": 0, "errmsg": "ok"}

    def _menu_create(self, _params: dict[str, str], body: Any) -> dict[str, Any]:
        if not isinstance(body, dict) or not isinstance(body.get("button"), list):
            return _error(47001)
        with self._lock:
            self.menu = body
        return {"errcode": 0, "errmsg": "ok"}

    def _menu_get(self, _params: dict[str, str], _body: Any) -> dict[str, Any]:
        with self._lock:
            if self.menu is None:
                return _error(46003)
            return {"menu": {"button": self.menu["button"]}}

    def _menu_delete(self, _params: dict[str, str], _body: Any) -> dict[str, Any]:
        with self._lock:
            self.menu = None
        return {"errcode": 0, "errmsg": "ok"}

    def _qrcode_create(self, _params: dict[str, str], body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            return _error(47001)
        action = body.get("action_name")
        scene = (body.get("action_info") or {}).get("scene") or {}
        if action not in {"QR_SCENE", "QR_STR_SCENE", "QR_LIMIT_SCENE", "QR_LIMIT_STR_SCENE"}:
            return _error(40053, "invalid action info")
        if not scene.get("scene_id") and not scene.get("scene_str"):
            return _error(40053, "invalid action info")
        ticket = "gQ" + secrets.token_urlsafe(24)
        result: dict[str, Any] = {"ticket": ticket, "url": f"http://weixin.qq.com/q/{ticket[:22]}"}
        if "LIMIT" not in str(action):
            result["expire_seconds"] = int(body.get("expire_seconds") or 60)
        with self._lock:
            self.qrcodes[ticket] = {"action_name": action, "scene": scene}
        return result

    def _user_info(self, params: dict[str, str], _body: Any) -> dict[str, Any]:
        with self._lock:
            user = self._known(params.get("openid"))
            if user is None:
                return _error(40003)
            if not user.following:
                return {"subscribe": 0, "openid": user.openid}
            return {
                "subscribe": 1,
                "openid": user.openid,
                "nickname": user.nickname,
                "language": params.get("lang", "zh_CN"),
                "subscribe_time": user.subscribe_time,
                "remark": "",
                "groupid": 0,
                "tagid_list": list(user.tag_ids),
                "subscribe_scene": "ADD_SCENE_QR_CODE",
                "qr_scene": 0,
                "qr_scene_str": "",
            }

    def _tags_create(self, _params: dict[str, str], body: Any) -> dict[str, Any]:
        name = ((body or {}).get("tag") or {}).get("name") if isinstance(body, dict) else None
        if not isinstance(name, str) or not name or len(name) > 30:
            return _error(45157)
        with self._lock:
            if name in self.tags.values():
                return _error(45157, "invalid tag name: duplicate")
            tag_id = next(self._ids)
            self.tags[tag_id] = name
        return {"tag": {"id": tag_id, "name": name}}

    def _tags_get(self, _params: dict[str, str], _body: Any) -> dict[str, Any]:
        with self._lock:
            tags = []
            for tag_id, name in sorted(self.tags.items()):
                count = sum(tag_id in user.tag_ids for user in self.users.values())
                tags.append({"id": tag_id, "name": name, "count": count})
        return {"tags": tags}


class _QuietRequestHandler(WSGIRequestHandler):
    """Leave request logging to ``calls()``; tests would drown in access lines otherwise."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


def _matches(rule: Injection, path: str) -> bool:
    if rule.path is None:
        return path not in TOKEN_PATHS
    return rule.path.strip("/") == path


def _error(errcode: int, errmsg: str | None = None) -> dict[str, Any]:
    return {"errcode": errcode, "errmsg": errmsg or ERRORS.get(errcode, "error")}


def _json_body() -> Any:
    raw = request.get_data(cache=True)
    if not raw:
        return None
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None


def _json_response(result: dict[str, Any]) -> Response:
    # WeChat answers JSON with HTTP 200 even for errors; Chinese text is sent unescaped.
    return Response(json.dumps(result, ensure_ascii=False), mimetype="application/json")


def serve(
    host: str = "127.0.0.1",
    port: int = 8900,
    *,
    appid: str,
    secret: str,
    auto_follow: bool = True,
    transient_error_rate: float = 0.0,
) -> None:  # pragma: no cover - exercised by hand and by `huaicai up`
    """Serve the fake API in the foreground until interrupted."""
    fake = FakeWeChat(
        appid, secret, auto_follow=auto_follow, transient_error_rate=transient_error_rate
    )
    server = make_server(host, port, fake.app, threaded=True, request_handler=_QuietRequestHandler)
    logger.info("fake WeChat API listening on http://%s:%s/cgi-bin/", host, port)
    try:
        server.serve_forever()
    finally:
        server.server_close()
