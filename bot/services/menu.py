"""Build the custom menu from the configuration and check it against WeChat's limits."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from bot.config import Config

# WeChat's documented limits for menu/create.
MAX_TOP_BUTTONS = 3
MAX_SUB_BUTTONS = 5
MAX_TOP_NAME_BYTES = 16
MAX_SUB_NAME_BYTES = 60
MAX_KEY_BYTES = 128
MAX_URL_BYTES = 1024
# Button types that need a key, and those that need a URL.
KEY_TYPES = frozenset(
    {
        "click",
        "scancode_push",
        "scancode_waitmsg",
        "pic_sysphoto",
        "pic_photo_or_album",
        "pic_weixin",
        "location_select",
    }
)
URL_TYPES = frozenset({"view"})
BASE_URL_PLACEHOLDER = "{base_url}"


class MenuError(ValueError):
    """The menu breaks WeChat's rules; ``problems`` says where, one line each."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)


def build_menu(config: Config, routed_keys: Collection[str] | None = None) -> dict[str, Any]:
    """Return the menu/create payload of ``config.menu``, or raise MenuError listing problems.

    With ``routed_keys``, every click key must also be one that a dialog handles.
    """
    buttons = [_expanded(button, config.app.base_url.rstrip("/")) for button in config.menu]
    problems = menu_problems(buttons, routed_keys)
    if problems:
        raise MenuError(problems)
    return {"button": buttons}


def menu_problems(
    buttons: Sequence[Mapping[str, Any]], routed_keys: Collection[str] | None = None
) -> list[str]:
    """Return what is wrong with ``buttons`` (empty when WeChat would accept them)."""
    problems: list[str] = []
    if not buttons:
        problems.append("menu: no buttons ([[menu.button]] in config.toml)")
    if len(buttons) > MAX_TOP_BUTTONS:
        problems.append(f"menu: {len(buttons)} top buttons, WeChat allows {MAX_TOP_BUTTONS}")
    keys: list[str] = []
    for index, button in enumerate(buttons, 1):
        where = f"menu.button[{index}]"
        _check_name(problems, where, button, MAX_TOP_NAME_BYTES)
        subs = button.get("sub_button")
        if subs is None:
            _check_leaf(problems, where, button, keys)
            continue
        if not isinstance(subs, list) or not subs:
            problems.append(f"{where}.sub_button: expected 1 to {MAX_SUB_BUTTONS} buttons")
            continue
        if "type" in button:
            problems.append(f"{where}: a button with sub buttons has no type")
        if len(subs) > MAX_SUB_BUTTONS:
            problems.append(
                f"{where}.sub_button: {len(subs)} buttons, WeChat allows {MAX_SUB_BUTTONS}"
            )
        for sub_index, sub in enumerate(subs, 1):
            sub_where = f"{where}.sub_button[{sub_index}]"
            if not isinstance(sub, Mapping):
                problems.append(f"{sub_where}: expected a table")
                continue
            if "sub_button" in sub:
                problems.append(f"{sub_where}: WeChat menus have only two levels")
            _check_name(problems, sub_where, sub, MAX_SUB_NAME_BYTES)
            _check_leaf(problems, sub_where, sub, keys)
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    if duplicates:
        problems.append(f"menu: keys used twice: {', '.join(duplicates)}")
    if routed_keys is not None:
        unrouted = [key for key in dict.fromkeys(keys) if key not in routed_keys]
        if unrouted:
            problems.append(f"menu: no dialog handles the keys {', '.join(unrouted)}")
    return problems


def _expanded(button: Mapping[str, Any], base_url: str) -> dict[str, Any]:
    expanded = dict(button)
    if isinstance(expanded.get("url"), str):
        expanded["url"] = expanded["url"].replace(BASE_URL_PLACEHOLDER, base_url)
    if isinstance(expanded.get("sub_button"), list):
        expanded["sub_button"] = [
            _expanded(sub, base_url) if isinstance(sub, Mapping) else sub
            for sub in expanded["sub_button"]
        ]
    return expanded


def _check_name(problems: list[str], where: str, button: Mapping[str, Any], limit: int) -> None:
    name = button.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append(f"{where}.name: missing")
    elif len(name.encode("utf-8")) > limit:
        size = len(name.encode("utf-8"))
        problems.append(f"{where}.name: {name!r} is {size} bytes, WeChat allows {limit}")


def _check_leaf(
    problems: list[str], where: str, button: Mapping[str, Any], keys: list[str]
) -> None:
    kind = button.get("type")
    if kind in KEY_TYPES:
        key = button.get("key")
        if not isinstance(key, str) or not key:
            problems.append(f"{where}.key: a {kind} button needs a key")
        elif len(key.encode("utf-8")) > MAX_KEY_BYTES:
            problems.append(f"{where}.key: longer than {MAX_KEY_BYTES} bytes")
        else:
            if kind == "click":
                keys.append(key)
    elif kind in URL_TYPES:
        url = button.get("url")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            problems.append(f"{where}.url: a view button needs an http(s) URL")
        elif len(url.encode("utf-8")) > MAX_URL_BYTES:
            problems.append(f"{where}.url: longer than {MAX_URL_BYTES} bytes")
    else:
        known = ", ".join(sorted(KEY_TYPES | URL_TYPES))
        problems.append(f"{where}.type: expected one of {known}, got {kind!r}")
