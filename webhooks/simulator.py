"""A web simulator (demo mode only): chat with the account as a test WeChat follower.

Each message is signed (and in safe mode encrypted) exactly as WeChat does it and handed to the
real callback in this process, so what the page shows is what a phone would get. The
conversation is kept in this process's memory, per browser session, and is gone on restart.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict

from flask import (
    Blueprint,
    Flask,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from wechatpy.crypto import WeChatCrypto
from werkzeug.test import Client
from wtforms import StringField, SubmitField
from wtforms.validators import Length

from bot.config import Config
from bot.wechat.codec import cdata, parse_xml, sign
from webhooks.extensions import config

blueprint = Blueprint("simulator", __name__, url_prefix="/simulator")
SESSION_KEY = "simulator_openid"
MAX_CONVERSATIONS = 200
MAX_LINES = 60
_conversations: OrderedDict[str, list[tuple[str, str]]] = OrderedDict()
_lock = threading.Lock()


class ChatForm(FlaskForm):
    text = StringField("消息", validators=[Length(max=600, message="一条消息最多600字。")])
    submit = SubmitField("发送")


def _openid() -> str:
    openid = session.get(SESSION_KEY)
    if not isinstance(openid, str):
        openid = "o-web-sim-" + secrets.token_hex(6)
        session[SESSION_KEY] = openid
    return openid


def _message(openid: str, kind: str, value: str) -> str:
    base = (
        f"<ToUserName>{cdata('gh_demo')}</ToUserName><FromUserName>{cdata(openid)}</FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime>"
    )
    if kind == "click":
        body = f"<MsgType>{cdata('event')}</MsgType><Event>{cdata('CLICK')}</Event>"
        body += f"<EventKey>{cdata(value)}</EventKey>"
    elif kind == "subscribe":
        body = f"<MsgType>{cdata('event')}</MsgType><Event>{cdata('subscribe')}</Event>"
    else:
        msg_id = secrets.randbelow(10**18)
        body = f"<MsgType>{cdata('text')}</MsgType><Content>{cdata(value)}</Content>"
        body += f"<MsgId>{msg_id}</MsgId>"
    return f"<xml>{base}{body}</xml>"


def deliver(openid: str, kind: str, value: str) -> str:
    """Post one message to this app's callback as WeChat would; return the reply's text."""
    settings = config()
    wechat = settings.wechat
    xml = _message(openid, kind, value)
    stamp, nonce = str(int(time.time())), str(secrets.randbelow(10**9))
    query = {"signature": sign(wechat.token, stamp, nonce), "timestamp": stamp, "nonce": nonce}
    query["openid"] = openid
    crypto = None
    body = xml
    if wechat.mode != "plaintext" and wechat.encoding_aes_key:
        crypto = WeChatCrypto(wechat.token, wechat.encoding_aes_key, wechat.appid)
        sealed = parse_xml(crypto.encrypt_message(xml, nonce, stamp))
        encrypted = str(sealed["Encrypt"])
        query.update(encrypt_type="aes", msg_signature=sign(wechat.token, stamp, nonce, encrypted))
        to_user = f"<ToUserName>{cdata('gh_demo')}</ToUserName>"
        body = f"<xml>{to_user}<Encrypt>{cdata(encrypted)}</Encrypt></xml>"
    response = Client(current_app).post(
        "/wechat", query_string=query, data=body.encode(), content_type="text/xml"
    )
    text = response.get_data(as_text=True)
    if response.status_code != 200:
        return f"（公众号没有回答：HTTP {response.status_code}）"
    if not text.strip() or text.strip() == "success":
        return "（没有被动回复；若有内容，会以客服消息发送）"
    fields = parse_xml(text)
    if "Encrypt" in fields and crypto is not None:
        fields = parse_xml(
            crypto.decrypt_message(
                text, fields["MsgSignature"], fields["TimeStamp"], fields["Nonce"]
            )
        )
    return str(fields.get("Content", "（非文字回复）"))


def _history(openid: str) -> list[tuple[str, str]]:
    with _lock:
        lines = _conversations.setdefault(openid, [])
        _conversations.move_to_end(openid)
        while len(_conversations) > MAX_CONVERSATIONS:
            _conversations.popitem(last=False)
        return lines


def _menu_keys(settings: Config) -> list[tuple[str, str]]:
    keys: list[tuple[str, str]] = []
    for button in settings.menu:
        for item in [button, *button.get("sub_button", [])]:
            if item.get("type") == "click" and item.get("key"):
                keys.append((str(item["name"]), str(item["key"])))
    return keys


@blueprint.route("", methods=["GET", "POST"])
def chat() -> ResponseReturnValue:
    """Show the conversation; send a text, a menu click or a follow to the real callback."""
    openid = _openid()
    form = ChatForm()
    lines = _history(openid)
    if request.method == "POST" and form.validate_on_submit():
        key = request.form.get("click", "")
        if request.form.get("follow"):
            kind, value, shown = "subscribe", "", "（关注公众号）"
        elif key:
            kind, value, shown = "click", key[:64], f"（点菜单：{key[:64]}）"
        else:
            kind, value = "text", (form.text.data or "").strip()
            shown = value
        if kind != "text" or value:
            reply = deliver(openid, kind, value)
            with _lock:
                lines.extend([("me", shown), ("bot", reply)])
                del lines[:-MAX_LINES]
        return redirect(url_for("simulator.chat"))
    return render_template(
        "simulator.html", lines=lines, form=form, menu=_menu_keys(config()), openid=openid
    )


def init_app(app: Flask, settings: Config) -> None:
    """Register the simulator in demo mode only."""
    if settings.app.demo:
        app.register_blueprint(blueprint)


def reset() -> None:
    """Forget every simulated conversation (tests)."""
    with _lock:
        _conversations.clear()
