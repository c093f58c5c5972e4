"""Read WeChat's callback XML into an ``Incoming`` and write passive replies (pure, no I/O).

WeChat's signatures are SHA1 over the sorted parts; they are computed here and compared in
constant time, since wechatpy compares with ``!=``. XML goes through xmltodict with entities
disabled; a DOCTYPE is refused outright, and repeated or nested fields where WeChat sends plain
text make the message malformed rather than crashing a handler later.
"""

from __future__ import annotations

import hashlib
import hmac
import struct
from collections.abc import Mapping
from typing import Any
from xml.parsers.expat import ExpatError

import xmltodict
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException

from bot.dispatch import Incoming

# Message types the dispatcher knows; anything else becomes kind "unknown".
MESSAGE_KINDS = frozenset(
    {"text", "voice", "image", "location", "link", "video", "shortvideo", "event"}
)
SCENE_PREFIX = "qrscene_"
# Generous bounds on identifiers (real openids are 28 characters, MsgIds 19 digits).
MAX_OPENID_LENGTH = 64
MAX_MSG_ID_LENGTH = 64
MAX_EVENT_LENGTH = 64
MAX_EVENT_KEY_LENGTH = 1024


class MalformedMessage(ValueError):
    """The body is not a WeChat message we can read."""


def sign(*parts: str) -> str:
    """Return WeChat's signature of ``parts``: SHA1 of their sorted concatenation."""
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()  # noqa: S324


def signature_matches(expected: str, given: str) -> bool:
    """Return whether ``given`` equals ``expected``, in time independent of where they differ."""
    return hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8"))


def parse_xml(body: bytes | str) -> dict[str, Any]:
    """Parse a WeChat ``<xml>`` document into its fields; raise MalformedMessage otherwise."""
    raw = body.encode("utf-8") if isinstance(body, str) else body
    if b"<!doctype" in raw.lower():
        # xmltodict refuses entity declarations; nothing legitimate needs a DOCTYPE at all.
        raise MalformedMessage("DOCTYPE refused")
    try:
        document = xmltodict.parse(raw, disable_entities=True)
    except (ExpatError, ValueError) as exc:  # ValueError: xmltodict's "entities are disabled"
        raise MalformedMessage(f"not well-formed XML: {exc}") from None
    fields = document.get("xml") if isinstance(document, dict) else None
    if not isinstance(fields, dict):
        raise MalformedMessage("root element is not <xml> with fields")
    for name, value in fields.items():
        if isinstance(value, list):
            raise MalformedMessage(f"field {name} repeated")
        if value is not None and not isinstance(value, str | dict):
            raise MalformedMessage(f"field {name} has an unexpected shape")
    return fields


def _text(fields: Mapping[str, Any], name: str, *, max_length: int = 20_000) -> str:
    value = fields.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise MalformedMessage(f"field {name} is not text")
    if len(value) > max_length:
        raise MalformedMessage(f"field {name} longer than {max_length}")
    return value


def to_incoming(fields: Mapping[str, Any]) -> Incoming:
    """Map the fields of a WeChat message or event to ``Incoming``; raise MalformedMessage."""
    openid = _text(fields, "FromUserName", max_length=MAX_OPENID_LENGTH).strip()
    if not openid:
        raise MalformedMessage("no FromUserName")
    try:
        create_time = int(_text(fields, "CreateTime", max_length=20))
    except ValueError:
        raise MalformedMessage("CreateTime is not a number") from None
    msg_type = _text(fields, "MsgType", max_length=32).strip().lower()
    kind = msg_type if msg_type in MESSAGE_KINDS else "unknown"
    msg_id = _text(fields, "MsgId", max_length=MAX_MSG_ID_LENGTH).strip() or None
    content, event, event_key = "", "", ""
    if kind == "text":
        content = _text(fields, "Content")
    elif kind == "voice":
        # Speech recognition, when the account has it on; without it the voice is not text.
        content = _text(fields, "Recognition")
    elif kind == "event":
        event = _text(fields, "Event", max_length=MAX_EVENT_LENGTH).strip()
        if not event:
            raise MalformedMessage("event without Event")
        event_key = _text(fields, "EventKey", max_length=MAX_EVENT_KEY_LENGTH).strip()
        if event == "subscribe" and event_key.startswith(SCENE_PREFIX):
            event_key = event_key[len(SCENE_PREFIX) :]
        msg_id = None  # events are identified by sender, time and event
    return Incoming(
        openid=openid,
        kind=kind,
        create_time=create_time,
        content=content,
        event=event,
        event_key=event_key,
        msg_id=msg_id,
        raw=dict(fields),
    )


def parse_message(body: bytes | str) -> Incoming:
    """Parse a plaintext WeChat message body into ``Incoming``; raise MalformedMessage."""
    return to_incoming(parse_xml(body))


def cdata(value: str) -> str:
    """Wrap ``value`` in CDATA, splitting any ``]]>`` so the text cannot end the section."""
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def render_text_reply(*, to_user: str, from_user: str, content: str, create_time: int) -> str:
    """Return the passive text reply XML WeChat expects."""
    return (
        "<xml>"
        f"<ToUserName>{cdata(to_user)}</ToUserName>"
        f"<FromUserName>{cdata(from_user)}</FromUserName>"
        f"<CreateTime>{int(create_time)}</CreateTime>"
        "<MsgType><![CDATA[text]]></MsgType>"
        f"<Content>{cdata(content)}</Content>"
        "</xml>"
    )


class ForgedMessage(ValueError):
    """The message fails WeChat's signature or was encrypted for another account."""


def open_envelope(
    crypto: WeChatCrypto,
    fields: Mapping[str, Any],
    *,
    token: str,
    msg_signature: str,
    timestamp: str,
    nonce: str,
) -> str:
    """Check ``msg_signature`` over the ``Encrypt`` field and return the decrypted XML."""
    encrypted = fields.get("Encrypt")
    if not isinstance(encrypted, str) or not encrypted:
        raise MalformedMessage("encrypted mode without an Encrypt field")
    if not signature_matches(sign(token, timestamp, nonce, encrypted), msg_signature):
        raise ForgedMessage("msg_signature does not match")
    try:
        return str(crypto.decrypt_message({"Encrypt": encrypted}, msg_signature, timestamp, nonce))
    except InvalidAppIdException:
        raise ForgedMessage("encrypted for another appid") from None
    except InvalidSignatureException:  # pragma: no cover - checked above, in constant time
        raise ForgedMessage("msg_signature does not match") from None
    except (ValueError, IndexError, struct.error) as exc:
        # Bad base64, a length that is no multiple of the block, broken padding or UTF-8.
        raise MalformedMessage(f"cannot decrypt: {type(exc).__name__}") from None
