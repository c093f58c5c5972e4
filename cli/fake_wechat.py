"""``huaicai fake-wechat``: the local fake of WeChat's API (development tooling)."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

import click

from cli import CliContext, pass_context


@click.command("fake-wechat")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option(
    "--port", default=None, type=int, help="Port  [default: wechat.api_base_url's port, or 8900]"
)
@click.option(
    "--strict",
    is_flag=True,
    help="Answer 40003 for unknown openids instead of taking them for followers who just wrote.",
)
@pass_context
def fake_wechat(ctx: CliContext, host: str, port: int | None, strict: bool) -> None:
    """Serve a fake WeChat API (tokens, sends, menu, QR codes, users, tags) for demos and tests.

    It accepts the configured appid and secret; point wechat.api_base_url at
    http://HOST:PORT/cgi-bin/. Drive it with POST /fake/users/OPENID and GET /fake/calls.
    """
    from devtools.fake_wechat import serve

    logging.basicConfig(level=ctx.config.app.log_level.upper())
    wechat = ctx.config.wechat
    port = port or urlsplit(wechat.api_base_url).port or 8900
    click.echo(f"fake WeChat API on http://{host}:{port}/cgi-bin/ (appid {wechat.appid})")
    serve(host, port, appid=wechat.appid, secret=wechat.secret, auto_follow=not strict)


COMMANDS = [fake_wechat]
