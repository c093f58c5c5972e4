"""The custom menu: WeChat's limits, {base_url} links, routing, and `huaicai menu push`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bot import dialogs
from bot.config import load_config
from bot.db import Database
from bot.services.menu import MenuError, build_menu, menu_problems
from cli import main
from devtools.fake_wechat import FakeWeChat
from tests.wechat_fixtures import FAKE_APPID, FAKE_SECRET

MENU_TOML = """
[[menu.button]]
name = "人才入库"

[[menu.button.sub_button]]
type = "click"
name = "注册登记"
key = "REGISTER"

[[menu.button.sub_button]]
type = "click"
name = "我的资料"
key = "PROFILE"

[[menu.button]]
name = "合作对接"

[[menu.button.sub_button]]
type = "click"
name = "发布企业需求"
key = "DEMAND_NEW"

[[menu.button]]
type = "view"
name = "关于"
url = "{base_url}/about"
"""


def _click(name: str, key: str) -> dict[str, Any]:
    return {"type": "click", "name": name, "key": key}


def test_menu_within_wechat_limits_has_no_problems() -> None:
    buttons = [
        {"name": "人才入库", "sub_button": [_click(f"第{i}项", f"K{i}") for i in range(5)]},
        {"type": "view", "name": "关于", "url": "https://example.cn/"},
    ]
    assert menu_problems(buttons) == []


@pytest.mark.parametrize(
    ("buttons", "problem"),
    [
        ([], "no buttons"),
        ([_click("一", f"K{i}") for i in range(4)], "4 top buttons"),
        ([_click("人才数据库入口", "K")], "is 21 bytes, WeChat allows 16"),
        ([{"name": "菜单", "sub_button": [_click("项", f"K{i}") for i in range(6)]}], "6 buttons"),
        ([{"name": "菜单", "sub_button": [_click("长" * 21, "K")]}], "WeChat allows 60"),
        ([{"name": "菜单", "sub_button": []}], "expected 1 to 5"),
        ([{"type": "click", "name": "注册"}], "needs a key"),
        ([{"type": "view", "name": "关于", "url": "ftp://x"}], "http(s) URL"),
        ([{"type": "jump", "name": "关于"}], "expected one of"),
        ([_click("甲", "K"), _click("乙", "K")], "keys used twice: K"),
        ([{"name": "", "type": "click", "key": "K"}], "name: missing"),
    ],
)
def test_menu_problems_name_the_broken_button(buttons: list[Any], problem: str) -> None:
    problems = menu_problems(buttons)
    assert any(problem in line for line in problems), problems


def test_build_menu_fills_in_base_url_and_checks_routing(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[app]\nbase_url = "https://hc.example.cn/"\n' + MENU_TOML, encoding="utf-8")
    config = load_config(path, environ={})
    payload = build_menu(config, routed_keys=dialogs.build_registry().clicks)
    assert payload["button"][2]["url"] == "https://hc.example.cn/about"
    with pytest.raises(MenuError, match="no dialog handles the keys PROFILE"):
        build_menu(config, routed_keys={"REGISTER", "DEMAND_NEW"})


def test_shipped_menu_is_valid_and_every_click_is_routed() -> None:
    payload = build_menu(load_config(environ={}), routed_keys=dialogs.build_registry().clicks)
    assert [button["name"] for button in payload["button"]] == ["人才入库", "合作对接", "关于"]
    assert payload["button"][2]["sub_button"][1]["url"].startswith("http")


def test_menu_push_sends_the_menu_to_wechat(
    tmp_path: Path, committed_database: Database, fake_wechat: FakeWeChat
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        f'[app]\nbase_url = "https://hc.example.cn"\n'
        f'[database]\nurl = "{committed_database.engine.url.render_as_string(False)}"\n'
        f'[wechat]\nappid = "{FAKE_APPID}"\nsecret = "{FAKE_SECRET}"\n'
        f'api_base_url = "{fake_wechat.api_base_url}"\n' + MENU_TOML,
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["--config", str(path), "menu", "push"])
    assert result.exit_code == 0, result.output
    assert "menu pushed: 3 top buttons" in result.output
    assert fake_wechat.menu is not None
    assert fake_wechat.menu["button"][0]["sub_button"][0] == _click("注册登记", "REGISTER")
    fake_wechat.inject(47001, path="menu/create")
    result = CliRunner().invoke(main, ["--config", str(path), "menu", "push"])
    assert result.exit_code == 1
    assert "WeChat refused the menu: 47001" in result.output


def test_menu_push_refuses_a_broken_menu(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[[menu.button]]\ntype = "click"\nname = "注册"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(path), "menu", "push"])
    assert result.exit_code == 2
    assert "menu.button[1].key: a click button needs a key" in result.output
