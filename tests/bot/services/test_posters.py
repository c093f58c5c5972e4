"""The check-in poster's QR code: what WeChat's code encodes, drawn as PNG, PDF and SVG."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.services import posters
from bot.wechat.client import HuaiCaiWeChatClient
from devtools.fake_wechat import FakeWeChat
from tests.factories import make_event


def test_poster_encodes_the_url_wechat_gives_for_the_event_scene(
    db_session: Session, fake_wechat: FakeWeChat, wechat_client: HuaiCaiWeChatClient
) -> None:
    event = make_event(db_session)
    url = posters.qr_content(event, wechat_client)
    assert url.startswith("http://weixin.qq.com/q/")
    scenes = [code["scene"] for code in fake_wechat.qrcodes.values()]
    assert {"scene_str": event.qr_scene} in scenes
    assert posters.qr_image(url, "png").startswith(b"\x89PNG")
    assert posters.qr_image(url, "pdf").startswith(b"%PDF")
    assert posters.qr_image(url, "svg").startswith(b"<svg")
