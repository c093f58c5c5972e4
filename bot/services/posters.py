"""The QR code of an event's check-in, drawn here for a printable poster (PNG or PDF)."""

from __future__ import annotations

import io
from typing import Any

import segno

from bot.models import Event


def qr_content(event: Event, client: Any) -> str:
    """Return what the event's permanent WeChat QR code encodes (its ``url``).

    WeChat answers ``qrcode/create`` for a permanent string scene with the same code each
    time, so asking again is how we learn it; nothing is written (showing a poster stays a
    read). ``client`` is a ``bot.wechat.client.HuaiCaiWeChatClient``; raises RuntimeError when
    WeChat refuses.
    """
    outcome = client.call(
        "post",
        "qrcode/create",
        {
            "action_name": "QR_LIMIT_STR_SCENE",
            "action_info": {"scene": {"scene_str": event.qr_scene}},
        },
    )
    result = outcome.result or {}
    if not outcome.ok or not result.get("url"):
        raise RuntimeError(f"qrcode/create for event {event.id} failed: {outcome.describe()}")
    return str(result["url"])


def qr_image(content: str, kind: str = "png") -> bytes:
    """Return ``content`` as a QR code: ``png`` (print size), ``pdf``, or ``svg`` to inline."""
    if kind not in ("png", "pdf", "svg"):
        raise ValueError(f"unknown QR image kind {kind!r}")
    code = segno.make(content, error="m")
    if kind == "svg":
        return code.svg_inline(scale=8, border=4, omitsize=True).encode()
    buffer = io.BytesIO()
    code.save(buffer, kind=kind, scale=12 if kind == "png" else 4, border=4)
    return buffer.getvalue()
