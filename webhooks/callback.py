"""The WeChat callback: ``GET /wechat`` (server check) and ``POST /wechat`` (messages, events).

The view verifies, decrypts and parses; ``bot.services.inbound`` de-duplicates and dispatches.
Refusals (stale timestamp, forged signature, wrong appid, oversized body) never reach the
database. Anything unreadable gets ``success`` so WeChat does not retry it, and no failure
becomes a 500: WeChat would show the person "该公众号暂时无法提供服务".
"""

from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass

from flask import Blueprint, Flask, Response, current_app, request
from wechatpy.crypto import WeChatCrypto

from bot.config import Config, WechatConfig
from bot.services import inbound
from bot.wechat.codec import (
    ForgedMessage,
    MalformedMessage,
    open_envelope,
    parse_xml,
    render_text_reply,
    sign,
    signature_matches,
    to_incoming,
)

logger = logging.getLogger(__name__)

blueprint = Blueprint("wechat", __name__)
EXTENSION_KEY = "huaicai_wechat"
SUCCESS = "success"
SORRY = "抱歉，系统开了个小差，请稍后再发一次。"
MAX_ECHOSTR_LENGTH = 512


@dataclass
class Callback:
    settings: WechatConfig
    crypto: WeChatCrypto | None
    responder: inbound.Responder


def init_app(app: Flask, config: Config) -> None:
    """Register the callback on the runtime's reply executor; its threads start on first use."""
    wechat = config.wechat
    crypto = (
        WeChatCrypto(wechat.token, wechat.encoding_aes_key, wechat.appid)
        if wechat.encoding_aes_key
        else None
    )
    runtime = app.extensions["huaicai"]
    app.extensions[EXTENSION_KEY] = Callback(wechat, crypto, runtime.responder)
    app.register_blueprint(blueprint)


def current_time() -> float:
    """Return the Unix time the timestamp check uses (tests move it)."""
    return time.time()


def _callback() -> Callback:
    callback: Callback = current_app.extensions[EXTENSION_KEY]
    return callback


def _refuse(status: int, reason: str) -> Response:
    logger.warning("wechat callback refused (%s): %s from %s", status, reason, request.remote_addr)
    return Response("forbidden" if status == 403 else "too large", status, mimetype="text/plain")


def _success() -> Response:
    return Response(SUCCESS, 200, mimetype="text/plain")


def _authentic(settings: WechatConfig) -> str | None:
    """Return why the query string is not WeChat's signed one, or None when it is."""
    timestamp = request.args.get("timestamp", "")
    nonce = request.args.get("nonce", "")
    try:
        age = abs(current_time() - int(timestamp))
    except ValueError:
        return "timestamp missing or not a number"
    if age > settings.timestamp_window_seconds:
        return f"timestamp {timestamp} outside the {settings.timestamp_window_seconds} s window"
    expected = sign(settings.token, timestamp, nonce)
    if not signature_matches(expected, request.args.get("signature", "")):
        return "signature does not match"
    return None


@blueprint.get("/wechat")
def verify() -> Response:
    """Answer WeChat's server check by echoing ``echostr``."""
    problem = _authentic(_callback().settings)
    if problem is not None:
        return _refuse(403, problem)
    return Response(request.args.get("echostr", "")[:MAX_ECHOSTR_LENGTH], mimetype="text/plain")


@blueprint.post("/wechat")
def receive() -> Response:
    """Take a message or event in plaintext, compatible or safe mode and answer it."""
    callback = _callback()
    settings = callback.settings
    cap = settings.max_body_bytes
    if request.content_length is not None and request.content_length > cap:
        return _refuse(413, f"Content-Length {request.content_length} over {cap}")
    problem = _authentic(settings)
    if problem is not None:
        return _refuse(403, problem)
    encrypt_type = request.args.get("encrypt_type") or "raw"
    if encrypt_type not in {"raw", "aes"}:
        return _refuse(403, f"unknown encrypt_type {encrypt_type[:20]!r}")
    # Read one byte past the cap so a body without (or lying about) Content-Length is caught.
    body = request.stream.read(cap + 1)
    if len(body) > cap:
        return _refuse(413, f"body over {cap} bytes")
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
        message = to_incoming(fields)
    except ForgedMessage as exc:
        return _refuse(403, str(exc))
    except MalformedMessage as exc:
        logger.warning("wechat callback: unreadable message answered with success: %s", exc)
        return _success()
    if message.kind == "unknown":
        logger.info("wechat callback: unknown message type %r", fields.get("MsgType"))
    try:
        result = callback.responder.respond(message)
        reply = result.reply
    except Exception:
        # The transaction rolled back, so nothing was stored; WeChat's retry may succeed.
        logger.exception("wechat callback: handling %s failed", message.dedup_key)
        reply = SORRY
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
    return Response(xml, 200, mimetype="application/xml")
