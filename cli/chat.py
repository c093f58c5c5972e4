"""``huaicai chat``: talk to a running server the way a follower's phone does."""

from __future__ import annotations

import secrets
import shlex
from collections.abc import Callable

import click
import requests

from cli import CliContext, pass_context
from devtools.simulator import SignedRequest, WeChatUser

COMMANDS_HELP = (
    "Type a message and press Enter. Commands: /click KEY, /scan SCENE, /voice TEXT, /image, "
    "/location, /subscribe [SCENE], /unsubscribe, /quit"
)


def _request_for(user: WeChatUser, line: str) -> SignedRequest | None:
    """Return the request a line stands for; None when it asks to quit."""
    if not line.startswith("/"):
        return user.text(line)
    try:
        words = shlex.split(line[1:])
    except ValueError:
        words = line[1:].split()
    name, args = (words[0].lower(), words[1:]) if words else ("", [])
    argument = " ".join(args)
    actions: dict[str, Callable[[], SignedRequest]] = {
        "click": lambda: user.click(argument),
        "scan": lambda: user.scan(argument),
        "voice": lambda: user.voice(argument),
        "image": user.image,
        "location": user.location,
        "subscribe": lambda: user.subscribe(argument or None),
        "unsubscribe": user.unsubscribe,
    }
    if name in {"quit", "exit", "q"}:
        return None
    if name not in actions or (name in {"click", "scan"} and not argument):
        raise click.UsageError(COMMANDS_HELP)
    return actions[name]()


@click.command("chat")
@click.option("--openid", default=None, help="Who you are (default: a new random follower).")
@click.option("--url", default=None, help="Callback URL (default: app.base_url + /wechat).")
@click.option("--safe", is_flag=True, help="Encrypt like WeChat's safe mode (needs the AES key).")
@pass_context
def chat(ctx: CliContext, openid: str | None, url: str | None, safe: bool) -> None:
    """Chat with a running HuaiCai server like a WeChat follower, signing each message."""
    wechat = ctx.config.wechat
    if safe and not wechat.encoding_aes_key:
        raise click.UsageError("--safe needs wechat.encoding_aes_key in the configuration")
    user = WeChatUser(
        token=wechat.token,
        appid=wechat.appid,
        encoding_aes_key=wechat.encoding_aes_key if safe else "",
        openid=openid or f"o-chat-{secrets.token_hex(6)}",
        mode="safe" if safe else "plain",
    )
    target = url or ctx.config.app.base_url.rstrip("/") + "/wechat"
    click.echo(f"You are {user.openid}, talking to {target}.")
    click.echo(COMMANDS_HELP)
    with requests.Session() as http:
        while True:
            try:
                line = click.prompt("我", prompt_suffix="> ", default="", show_default=False)
            except click.Abort:
                break
            line = line.strip()
            if not line:
                continue
            try:
                request = _request_for(user, line)
            except click.UsageError as exc:
                click.echo(exc.message)
                continue
            if request is None:
                break
            _exchange(http, target, user, request)


def _exchange(http: requests.Session, url: str, user: WeChatUser, request: SignedRequest) -> None:
    try:
        response = http.post(
            url,
            params=request.query,
            data=request.body,
            headers={"Content-Type": "text/xml"},
            timeout=10,
        )
    except requests.RequestException as exc:
        click.echo(f"(could not reach {url}: {exc})")
        return
    if response.status_code != 200:
        click.echo(f"(HTTP {response.status_code}: {response.text[:200]})")
        return
    reply = user.read_reply(response.status_code, response.content)
    click.echo(f"怀才> {reply.text}" if reply.text else "(no reply)")


COMMANDS = [chat]
