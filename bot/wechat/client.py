"""The WeChat API client: wechatpy's, with a shared stable token, retries and recorded outcomes."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests
from sqlalchemy.engine import Engine
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException

from bot.config import Config
from bot.db import Database
from bot.wechat.token_store import (
    DatabaseTokenStore,
    IssuedToken,
    RedisTokenStore,
    TokenStore,
)

logger = logging.getLogger(__name__)

# access_token invalid (40001), invalid (40014), expired (42001): refresh once and retry.
TOKEN_ERRORS = frozenset({40001, 40014, 42001})
# System busy (-1) and API quota (45009): wait and try again, a bounded number of times.
BACKOFF_ERRORS = frozenset({-1, 45009})
# Pseudo error codes for failures that never reached a WeChat answer.
NETWORK_ERROR = -1001
HTTP_ERROR = -1002


@dataclass(frozen=True)
class SendOutcome:
    """What happened to one API call: ok, or WeChat's error code and message."""

    errcode: int
    errmsg: str
    result: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        """Return whether WeChat accepted the call."""
        return self.errcode == 0

    def describe(self) -> str:
        """Return ``errcode errmsg`` for logs and the outbox's last_error."""
        return f"{self.errcode} {self.errmsg}"


class HuaiCaiWeChatClient(WeChatClient):
    """A ``WeChatClient`` whose token comes from ``/cgi-bin/stable_token`` via a shared store.

    wechatpy's own retry on token errors is turned off: it refetches through ``/cgi-bin/token``
    (which invalidates the token of every other process) and retries without limit.
    """

    def __init__(
        self,
        appid: str,
        secret: str,
        *,
        store: TokenStore,
        api_base_url: str,
        timeout: float = 10.0,
        max_retries: int = 3,
        backoff_seconds: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(appid, secret, timeout=timeout, auto_retry=False)
        self.API_BASE_URL = api_base_url if api_base_url.endswith("/") else api_base_url + "/"
        self.store = store
        self.max_retries = max_retries
        self.backoff_seconds = backoff_seconds
        self._sleep = sleep

    # --- tokens -------------------------------------------------------------------------------

    @property
    def access_token(self) -> str:
        """Return the shared access token (refreshed once across processes when due)."""
        return self.store.get_token(self._fetch_stable_token)

    def fetch_access_token(self) -> dict[str, Any]:
        """Refresh the shared token through the store (never through ``/cgi-bin/token``)."""
        token = self.store.replace_rejected(self.access_token, self._fetch_stable_token)
        return {"access_token": token}

    def _fetch_stable_token(self, force_refresh: bool) -> IssuedToken:
        logger.info("fetching stable access token (force_refresh=%s)", force_refresh)
        response = self._http.post(
            f"{self.API_BASE_URL}stable_token",
            json={
                "grant_type": "client_credential",
                "appid": self.appid,
                "secret": self.secret,
                "force_refresh": force_refresh,
            },
            timeout=self.timeout,
        )
        response.raise_for_status()
        result = response.json()
        if int(result.get("errcode", 0) or 0) != 0 or "access_token" not in result:
            raise WeChatClientException(
                result.get("errcode"), result.get("errmsg"), client=self, response=response
            )
        return IssuedToken(str(result["access_token"]), int(result.get("expires_in", 7200)))

    # --- requests -----------------------------------------------------------------------------

    def _request(self, method: str, url_or_endpoint: str, **kwargs: Any) -> Any:
        """Call the API; refresh the token once on 40001/40014/42001, back off on -1/45009."""
        params = kwargs.pop("params", None)
        # A caller that brings its own token gets no refresh: the token is not ours to replace.
        refreshed = isinstance(params, dict) and "access_token" in params
        attempt = 0
        while True:
            call_params = dict(params) if isinstance(params, dict) else {}
            token = call_params.get("access_token") or self.access_token
            call_params["access_token"] = token
            try:
                return super()._request(method, url_or_endpoint, params=call_params, **kwargs)
            except WeChatClientException as exc:
                errcode = _errcode(exc)
                if errcode in TOKEN_ERRORS and not refreshed:
                    logger.info("token rejected (%s); refreshing once and retrying", errcode)
                    self.store.replace_rejected(token, self._fetch_stable_token)
                    refreshed = True
                    continue
                if errcode in BACKOFF_ERRORS and attempt < self.max_retries:
                    delay = self.backoff_seconds * 2**attempt
                    attempt += 1
                    logger.warning(
                        "WeChat answered %s on %s; retry %s/%s in %.2f s",
                        errcode,
                        url_or_endpoint,
                        attempt,
                        self.max_retries,
                        delay,
                    )
                    self._sleep(delay)
                    continue
                raise

    # --- sends with recorded outcomes ---------------------------------------------------------

    def call(self, method: str, endpoint: str, data: dict[str, Any]) -> SendOutcome:
        """Call ``endpoint`` and return its outcome instead of raising."""
        try:
            result = self._request(method, endpoint, data=data)
        except WeChatClientException as exc:
            errcode = _errcode(exc)
            if errcode is None:
                status = getattr(exc.response, "status_code", None)
                return SendOutcome(HTTP_ERROR, f"HTTP {status}")
            return SendOutcome(errcode, str(exc.errmsg or ""))
        except requests.RequestException as exc:
            return SendOutcome(NETWORK_ERROR, f"{type(exc).__name__}: {exc}")
        if not isinstance(result, dict):
            return SendOutcome(HTTP_ERROR, "answer is not JSON")
        return SendOutcome(0, str(result.get("errmsg", "ok")), result)

    def send_customer_service_text(self, openid: str, content: str) -> SendOutcome:
        """Send a customer-service text (only inside the 48 h window)."""
        data = {"touser": openid, "msgtype": "text", "text": {"content": content}}
        return self.call("post", "message/custom/send", data)

    def send_template_message(
        self, openid: str, template_id: str, data: dict[str, Any], url: str | None = None
    ) -> SendOutcome:
        """Send a template message (service notices of verified service accounts)."""
        body: dict[str, Any] = {"touser": openid, "template_id": template_id, "data": data}
        if url:
            body["url"] = url
        return self.call("post", "message/template/send", body)

    def send_subscribe_message(
        self, openid: str, template_id: str, data: dict[str, Any], page: str | None = None
    ) -> SendOutcome:
        """Send a subscribe message (bizsend; needs the person's subscription)."""
        body: dict[str, Any] = {"touser": openid, "template_id": template_id, "data": data}
        if page:
            body["page"] = page
        return self.call("post", "message/subscribe/bizsend", body)

    def close(self) -> None:
        """Close the HTTP session (and a Redis store's connections)."""
        self._http.close()
        close_store = getattr(self.store, "close", None)
        if callable(close_store):
            close_store()


def _errcode(exc: WeChatClientException) -> int | None:
    try:
        return int(exc.errcode) if exc.errcode is not None else None
    except (TypeError, ValueError):
        return None


def make_token_store(config: Config, database: Database | Engine) -> TokenStore:
    """Return the token store the configuration names (database by default, or Redis)."""
    if config.wechat.token_store == "redis":  # noqa: S105 - a store name, not a secret
        return RedisTokenStore.from_url(config.wechat.redis_url, config.wechat.appid)
    engine = database.engine if isinstance(database, Database) else database
    return DatabaseTokenStore(engine, config.wechat.appid)


def make_client(config: Config, database: Database | Engine) -> HuaiCaiWeChatClient:
    """Return the API client configured for this deployment."""
    return HuaiCaiWeChatClient(
        config.wechat.appid,
        config.wechat.secret,
        store=make_token_store(config, database),
        api_base_url=config.wechat.api_base_url,
    )
