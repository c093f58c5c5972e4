"""Build callback requests exactly as WeChat does, and read the replies (pure, no I/O).

Used by ``huaicai chat``, by the tests and by the callback benchmark. Modes:
``plain`` (plaintext, ``signature`` only), ``compatible`` (``encrypt_type=aes``, the body carries
both the plaintext fields and ``Encrypt``) and ``safe`` (only ``ToUserName`` and ``Encrypt``).
"""

from __future__ import annotations

import itertools
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import xmltodict
from wechatpy.crypto import WeChatCrypto

from bot.wechat.codec import cdata, sign

MODES = ("plain", "compatible", "safe")
DEFAULT_ACCOUNT = "gh_huaicai00000"


@dataclass(frozen=True)
class SignedRequest:
    """One POST (or GET) to the callback: query parameters and body."""

    query: dict[str, str]
    body: bytes = b""
    nonce: str = ""

    def url(self, base: str) -> str:
        """Return ``base`` with the query string appended."""
        return f"{base}{'&' if '?' in base else '?'}{urlencode(self.query)}"


@dataclass
class Reply:
    """What the callback answered, decrypted when it was encrypted."""

    status: int
    fields: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """Return the text of a text reply ('' for ``success`` or an empty answer)."""
        content = self.fields.get("Content")
        return content if isinstance(content, str) else ""


def _element(name: str, value: str | int) -> str:
    return (
        f"<{name}>{value}</{name}>"
        if isinstance(value, int)
        else f"<{name}>{cdata(value)}</{name}>"
    )


def message_xml(fields: dict[str, str | int]) -> str:
    """Render message fields as WeChat's ``<xml>`` (strings in CDATA, numbers bare)."""
    return "<xml>" + "".join(_element(name, value) for name, value in fields.items()) + "</xml>"


class WeChatUser:
    """A follower of the account whose messages are signed (and encrypted) like WeChat's."""

    def __init__(
        self,
        *,
        token: str,
        appid: str,
        encoding_aes_key: str = "",
        openid: str = "o-simulated-user",
        mode: str = "plain",
        account: str = DEFAULT_ACCOUNT,
        clock: Callable[[], float] = time.time,
        first_msg_id: int | None = None,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r} (known: {', '.join(MODES)})")
        if mode != "plain" and not encoding_aes_key:
            raise ValueError(f"{mode} mode needs the EncodingAESKey")
        self.token = token
        self.appid = appid
        self.openid = openid
        self.mode = mode
        self.account = account
        self.clock = clock
        self.encoding_aes_key = encoding_aes_key
        self.crypto = WeChatCrypto(token, encoding_aes_key, appid) if encoding_aes_key else None
        start = first_msg_id if first_msg_id is not None else secrets.randbelow(10**15) * 1000
        self._msg_ids = itertools.count(start)

    # --- messages --------------------------------------------------------------------------

    def _base(self, msg_type: str) -> dict[str, str | int]:
        return {
            "ToUserName": self.account,
            "FromUserName": self.openid,
            "CreateTime": int(self.clock()),
            "MsgType": msg_type,
        }

    def _message(self, msg_type: str, extra: dict[str, str | int]) -> dict[str, str | int]:
        fields = self._base(msg_type)
        fields.update(extra)
        fields["MsgId"] = next(self._msg_ids)
        return fields

    def text(self, content: str) -> SignedRequest:
        """Return a text message."""
        return self.request(self._message("text", {"Content": content}))

    def voice(self, recognition: str | None = None) -> SignedRequest:
        """Return a voice message, with speech recognition when ``recognition`` is given."""
        extra: dict[str, str | int] = {"MediaId": "media-" + secrets.token_hex(8), "Format": "amr"}
        if recognition is not None:
            extra["Recognition"] = recognition
        return self.request(self._message("voice", extra))

    def image(self) -> SignedRequest:
        """Return an image message."""
        media = secrets.token_hex(8)
        extra: dict[str, str | int] = {
            "PicUrl": f"http://mmbiz.example/{media}.jpg",
            "MediaId": "media-" + media,
        }
        return self.request(self._message("image", extra))

    def location(
        self, latitude: float = 35.2158, longitude: float = 113.2418, label: str = "焦作市解放区"
    ) -> SignedRequest:
        """Return a location message (Jiaozuo by default)."""
        extra: dict[str, str | int] = {
            "Location_X": f"{latitude:.6f}",
            "Location_Y": f"{longitude:.6f}",
            "Scale": 15,
            "Label": label,
        }
        return self.request(self._message("location", extra))

    def event(self, event: str, key: str | None = None) -> SignedRequest:
        """Return an event (no MsgId: WeChat identifies events by sender and time)."""
        fields = self._base("event")
        fields["Event"] = event
        if key is not None:
            fields["EventKey"] = key
        return self.request(fields)

    def subscribe(self, scene: str | None = None) -> SignedRequest:
        """Return a follow, through a parametric QR code when ``scene`` is given."""
        if scene is None:
            return self.event("subscribe", "")
        return self.event("subscribe", f"qrscene_{scene}")

    def unsubscribe(self) -> SignedRequest:
        """Return an unfollow."""
        return self.event("unsubscribe", "")

    def scan(self, scene: str) -> SignedRequest:
        """Return a scan of a parametric QR code by someone who already follows."""
        return self.event("SCAN", scene)

    def click(self, key: str) -> SignedRequest:
        """Return a menu click."""
        return self.event("CLICK", key)

    # --- signing and encryption -----------------------------------------------------------

    def request(
        self, fields: dict[str, str | int], *, timestamp: int | None = None, nonce: str = ""
    ) -> SignedRequest:
        """Return ``fields`` as WeChat would POST them in this user's mode."""
        return self.sign_body(message_xml(fields), timestamp=timestamp, nonce=nonce)

    def sign_body(
        self, xml: str, *, timestamp: int | None = None, nonce: str = "", appid: str | None = None
    ) -> SignedRequest:
        """Sign (and encrypt, outside plain mode) an arbitrary body; ``appid`` forges the sender."""
        stamp = str(int(self.clock()) if timestamp is None else timestamp)
        nonce = nonce or str(secrets.randbelow(10**9))
        query = {
            "signature": sign(self.token, stamp, nonce),
            "timestamp": stamp,
            "nonce": nonce,
            "openid": self.openid,
        }
        if self.mode == "plain" or self.crypto is None:
            return SignedRequest(query, xml.encode("utf-8"), nonce)
        crypto = self.crypto
        if appid is not None:
            crypto = WeChatCrypto(self.token, self.encoding_aes_key, appid)
        envelope = xmltodict.parse(crypto.encrypt_message(xml, nonce, stamp))["xml"]
        encrypted = envelope["Encrypt"]
        query["encrypt_type"] = "aes"
        query["msg_signature"] = sign(self.token, stamp, nonce, encrypted)
        if self.mode == "safe":
            body = message_xml({"ToUserName": self.account, "Encrypt": encrypted})
        else:
            body = xml[: -len("</xml>")] + _element("Encrypt", encrypted) + "</xml>"
        return SignedRequest(query, body.encode("utf-8"), nonce)

    def verification(self, echostr: str, *, timestamp: int | None = None) -> SignedRequest:
        """Return the GET WeChat sends when the server URL is configured."""
        stamp = str(int(self.clock()) if timestamp is None else timestamp)
        nonce = str(secrets.randbelow(10**9))
        query = {
            "signature": sign(self.token, stamp, nonce),
            "timestamp": stamp,
            "nonce": nonce,
            "echostr": echostr,
        }
        return SignedRequest(query, b"", nonce)

    # --- replies ----------------------------------------------------------------------------

    def read_reply(self, status: int, body: bytes | str) -> Reply:
        """Return the reply's fields, checking and decrypting an encrypted reply."""
        text = body.decode("utf-8") if isinstance(body, bytes) else body
        if status != 200 or not text.strip() or text.strip() == "success":
            return Reply(status)
        fields = xmltodict.parse(text)["xml"]
        if "Encrypt" in fields:
            if self.crypto is None:
                raise ValueError("encrypted reply but no EncodingAESKey")
            expected = sign(self.token, fields["TimeStamp"], fields["Nonce"], fields["Encrypt"])
            if fields.get("MsgSignature") != expected:
                raise ValueError("reply MsgSignature does not match")
            plain = self.crypto.decrypt_message(
                text, fields["MsgSignature"], fields["TimeStamp"], fields["Nonce"]
            )
            fields = xmltodict.parse(plain)["xml"]
        return Reply(status, dict(fields))
