"""Read WeChat's callback XML into an ``Incoming`` and write passive replies (pure, no I/O).

WeChat's signatures are SHA1 over the sorted parts; they are computed here and compared in
constant time, since wechatpy compares with ``!=``. XML must be UTF-8 and a DOCTYPE is refused
outright (so no entity is ever declared), then ElementTree reads it into the fields xmltodict
would give; repeated or nested fields where WeChat sends plain text make the message malformed
rather than crashing a handler later.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import socket
import struct
from collections.abc import Mapping
from typing import Any
from xml.etree import ElementTree

from wechatpy.crypto import WeChatCrypto
from wechatpy.crypto.base import WeChatCipher
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
# What XML 1.0 forbids (section 2.2): C0 controls other than tab, newline and carriage return,
# lone surrogates and U+FFFE/U+FFFF. WeChat copies them into CDATA as typed.
FORBIDDEN_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Real openids are 28 URL-safe base64 characters; nothing else may appear in a delivery key.
OPENID_PATTERN = re.compile(r"[A-Za-z0-9_-]+")
MSG_ID_PATTERN = re.compile(r"[0-9A-Za-z_-]+")
# Event names as WeChat documents them (official-account message and menu events); matched
# case-insensitively and given back in this spelling, so ``scan`` routes like ``SCAN``.
EVENT_NAMES = {
    name.lower(): name
    for name in (
        "subscribe",
        "unsubscribe",
        "SCAN",
        "LOCATION",
        "CLICK",
        "VIEW",
        "scancode_push",
        "scancode_waitmsg",
        "pic_sysphoto",
        "pic_photo_or_album",
        "pic_weixin",
        "location_select",
        "view_miniprogram",
        "TEMPLATESENDJOBFINISH",
        "MASSSENDJOBFINISH",
        "subscribe_msg_popup_event",
        "subscribe_msg_change_event",
        "subscribe_msg_sent_event",
    )
}
EVENT_NAME_PATTERN = re.compile(r"[A-Za-z_]+")
# Events whose EventKey is a QR scene that may carry the qrscene_ prefix.
SCENE_EVENTS = frozenset({"subscribe", "SCAN"})


class MalformedMessage(ValueError):
    """The body is not a WeChat message we can read."""


def sign(*parts: str) -> str:
    """Return WeChat's signature of ``parts``: SHA1 of their sorted concatenation."""
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()  # noqa: S324 - WeChat prescribes SHA-1


def signature_matches(expected: str, given: str) -> bool:
    """Return whether ``given`` equals ``expected``, in time independent of where they differ."""
    return hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8"))


def strip_forbidden_characters(body: bytes | str) -> bytes:
    """Return ``body`` as UTF-8 without the characters XML 1.0 forbids.

    A body that is not UTF-8 is returned unchanged (the parser then refuses it).
    """
    if isinstance(body, bytes):
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return body
    else:
        text = body
    return FORBIDDEN_IN_XML.sub("", text).encode("utf-8", "surrogatepass")


def parse_xml(body: bytes | str) -> dict[str, Any]:
    """Parse a WeChat ``<xml>`` document into its fields; raise MalformedMessage otherwise."""
    raw = strip_forbidden_characters(body)
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        # WeChat sends UTF-8; another encoding (UTF-16 with a byte-order mark) could hide a
        # DOCTYPE from the check below.
        raise MalformedMessage("not UTF-8") from None
    if b"<!doctype" in raw.lower():
        # No DOCTYPE, so no entity declarations (nothing legitimate needs one): no entity
        # expansion, no external entities. Expat (2.4.1 and newer) also caps expansion.
        raise MalformedMessage("DOCTYPE refused")
    try:
        root = ElementTree.fromstring(raw)  # noqa: S314 - UTF-8 without a DOCTYPE, checked above
    except ElementTree.ParseError as exc:
        raise MalformedMessage(f"not well-formed XML: {exc}") from None
    fields = _element_value(root) if root.tag == "xml" else None
    if not isinstance(fields, dict):
        raise MalformedMessage("root element is not <xml> with fields")
    for name, value in fields.items():
        if isinstance(value, list):
            raise MalformedMessage(f"field {name} repeated")
        if value is not None and not isinstance(value, str | dict):
            raise MalformedMessage(f"field {name} has an unexpected shape")
    return fields


def _element_value(element: ElementTree.Element) -> Any:
    """Return an element as xmltodict reads it (wechatpy's reading of WeChat's XML).

    Text is stripped, and an element without text, children or attributes is None. Children
    become keys (a repeated one a list of values), attributes ``@name`` keys, and the text of
    an element that also has children or attributes ``#text``. ElementTree's C parser saves
    the Python callbacks xmltodict makes per element (``bench/callback_instructions.py``: 1.94
    to 1.89 M instructions per message). Prefixed names without a declared namespace, which
    WeChat never sends, are refused instead of kept.
    """
    children = list(element)
    text = "".join([element.text or "", *(child.tail or "" for child in children)]).strip()
    if not children and not element.attrib:
        return text or None
    value: dict[str, Any] = {f"@{name}": given for name, given in element.attrib.items()}
    for child in children:
        child_value = _element_value(child)
        if child.tag not in value:
            value[child.tag] = child_value
        elif isinstance(value[child.tag], list):
            value[child.tag].append(child_value)
        else:
            value[child.tag] = [value[child.tag], child_value]
    if text:
        value["#text"] = text
    return value


def _text(fields: Mapping[str, Any], name: str, *, max_length: int = 20_000) -> str:
    value = fields.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise MalformedMessage(f"field {name} is not text")
    if len(value) > max_length:
        raise MalformedMessage(f"field {name} longer than {max_length}")
    return value


def _msg_id(fields: Mapping[str, Any]) -> str | None:
    # WeChat spells it MsgId in messages and MsgID in some events (template and mass sends).
    given = [
        value
        for value in (
            _text(fields, "MsgId", max_length=MAX_MSG_ID_LENGTH).strip(),
            _text(fields, "MsgID", max_length=MAX_MSG_ID_LENGTH).strip(),
        )
        if value
    ]
    if len(set(given)) > 1:
        raise MalformedMessage("MsgId and MsgID disagree")
    if not given:
        return None
    if not MSG_ID_PATTERN.fullmatch(given[0]):
        raise MalformedMessage("MsgId has unexpected characters")
    return given[0]


def event_name(value: str) -> str:
    """Return WeChat's documented spelling of an event name, matched regardless of case."""
    return EVENT_NAMES.get(value.lower(), value)


def scene_of(event_key: str) -> str:
    """Return a QR scene without WeChat's ``qrscene_`` prefix (any letter case)."""
    if event_key[: len(SCENE_PREFIX)].lower() == SCENE_PREFIX:
        return event_key[len(SCENE_PREFIX) :]
    return event_key


def _content_identity(fields: Mapping[str, Any]) -> str:
    # A message without MsgId (WeChat always sends one; a proxy might not) is identified by
    # everything it carries, so two different messages in the same second stay two.
    canonical = "\x1f".join(
        f"{name}\x1e{value}" for name, value in sorted(fields.items()) if isinstance(value, str)
    )
    return "h" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:40]


def to_incoming(fields: Mapping[str, Any]) -> Incoming:
    """Map the fields of a WeChat message or event to ``Incoming``; raise MalformedMessage.

    The delivery identity (``Incoming.dedup_key``) is unambiguous: the openid and the event
    name may not contain ``:``, the time is a number, a MsgId is letters and digits, and a
    message without MsgId gets a digest of its fields (prefixed, so it cannot look like one).
    """
    openid = _text(fields, "FromUserName", max_length=MAX_OPENID_LENGTH).strip()
    if not openid:
        raise MalformedMessage("no FromUserName")
    if not OPENID_PATTERN.fullmatch(openid):
        raise MalformedMessage("FromUserName has unexpected characters")
    try:
        create_time = int(_text(fields, "CreateTime", max_length=20))
    except ValueError:
        raise MalformedMessage("CreateTime is not a number") from None
    msg_type = _text(fields, "MsgType", max_length=32).strip().lower()
    kind = msg_type if msg_type in MESSAGE_KINDS else "unknown"
    msg_id = _msg_id(fields)
    content, event, event_key = "", "", ""
    if kind == "text":
        content = _text(fields, "Content")
    elif kind == "voice":
        # Speech recognition, when the account has it on; without it the voice is not text.
        content = _text(fields, "Recognition")
    elif kind == "event":
        event = event_name(_text(fields, "Event", max_length=MAX_EVENT_LENGTH).strip())
        if not event:
            raise MalformedMessage("event without Event")
        if not EVENT_NAME_PATTERN.fullmatch(event):
            raise MalformedMessage("Event has unexpected characters")
        event_key = _text(fields, "EventKey", max_length=MAX_EVENT_KEY_LENGTH).strip()
        if event in SCENE_EVENTS:
            event_key = scene_of(event_key)
        # Events are identified by sender, time and event; those that carry an id of their own
        # (a template or mass send finishing) keep it, marked so it is no message's MsgId.
        msg_id = f"{event}-{msg_id}" if msg_id else None
    if kind != "event" and msg_id is None:
        msg_id = _content_identity(fields)
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


class UndecryptableMessage(MalformedMessage):
    """A correctly signed ciphertext that our EncodingAESKey cannot open (the key is wrong)."""


def _looks_sealed_for_someone_else(crypto: WeChatCrypto, encrypted: str) -> bool:
    """Return whether ``encrypted`` decrypts to a well-formed envelope (so only the appid differs).

    With a wrong key the plaintext is noise: the PKCS#7 padding is invalid or the length field
    points outside the plaintext. wechatpy reports both as a wrong appid.
    """
    try:
        plain = WeChatCipher(crypto.key).decrypt(base64.b64decode(encrypted))
    except (ValueError, TypeError):
        return False
    padding = plain[-1] if plain else 0
    if not 1 <= padding <= 32 or plain[-padding:] != bytes([padding]) * padding:
        return False
    content = plain[16:-padding]
    if len(content) < 4:
        return False
    length = socket.ntohl(struct.unpack("I", content[:4])[0])
    if length + 4 > len(content):
        return False
    try:
        content[4 : length + 4].decode("utf-8")
        content[length + 4 :].decode("ascii")
    except UnicodeDecodeError:
        return False
    return True


def open_envelope(
    crypto: WeChatCrypto,
    fields: Mapping[str, Any],
    *,
    token: str,
    msg_signature: str,
    timestamp: str,
    nonce: str,
) -> str:
    """Check ``msg_signature`` over the ``Encrypt`` field and return the decrypted XML.

    Raises ForgedMessage (bad signature, another appid), UndecryptableMessage (signed by
    someone who knows the token, but our key cannot open it) or MalformedMessage.
    """
    encrypted = fields.get("Encrypt")
    if not isinstance(encrypted, str) or not encrypted:
        raise MalformedMessage("encrypted mode without an Encrypt field")
    if not signature_matches(sign(token, timestamp, nonce, encrypted), msg_signature):
        raise ForgedMessage("msg_signature does not match")
    try:
        return str(crypto.decrypt_message({"Encrypt": encrypted}, msg_signature, timestamp, nonce))
    except InvalidAppIdException:
        if _looks_sealed_for_someone_else(crypto, encrypted):
            raise ForgedMessage("encrypted for another appid") from None
        raise UndecryptableMessage(
            "cannot decrypt: bad padding or length; EncodingAESKey differs from WeChat's"
        ) from None
    except InvalidSignatureException:  # pragma: no cover - checked above, in constant time
        raise ForgedMessage("msg_signature does not match") from None
    except (ValueError, IndexError, struct.error, UnicodeDecodeError) as exc:
        # Bad base64, a length that is no multiple of the block, broken padding or UTF-8.
        raise UndecryptableMessage(
            f"cannot decrypt ({type(exc).__name__}); EncodingAESKey differs from WeChat's"
        ) from None
