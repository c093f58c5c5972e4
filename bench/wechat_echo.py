"""The baseline of bench/callback.py: a bare wechatpy endpoint that checks, parses and echoes.

Served by gunicorn as ``bench.wechat_echo:create_app('TOKEN')``.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, request
from wechatpy import parse_message
from wechatpy.exceptions import InvalidSignatureException
from wechatpy.replies import create_reply
from wechatpy.utils import check_signature


def signed_message(token: str) -> Any | None:
    """Return the request's message parsed by wechatpy, or None when its signature is wrong."""
    try:
        check_signature(
            token,
            request.args.get("signature", ""),
            request.args.get("timestamp", ""),
            request.args.get("nonce", ""),
        )
    except InvalidSignatureException:
        return None
    return parse_message(request.get_data())


def create_app(token: str) -> Flask:
    """Return the echo endpoint checking signatures with ``token``."""
    app = Flask(__name__)

    @app.get("/ping")
    def ping() -> str:
        return "ok"

    @app.post("/wechat")
    def echo() -> Response:
        message = signed_message(token)
        if message is None:
            return Response("forbidden", 403)
        reply = create_reply(getattr(message, "content", "") or "success", message)
        return Response(reply.render(), mimetype="application/xml")

    return app
