"""docs/configuration.md is generated from config.toml's comments and kept current."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from bot.config import DEFAULT_CONFIG_PATH
from cli import main
from cli.config_reference import REFERENCE_PATH, generate, missing_keys, parse, render


def test_checked_in_reference_is_current() -> None:
    # If this fails: run `huaicai config reference` (or `make docs`) and commit the file.
    assert REFERENCE_PATH.read_text(encoding="utf-8") == generate()


def test_every_setting_of_the_code_is_in_config_toml() -> None:
    assert missing_keys(parse(DEFAULT_CONFIG_PATH.read_text(encoding="utf-8"))) == []


def test_reference_rows_carry_default_variable_and_comment() -> None:
    reference = parse(
        '# Intro line.\n\n[app]\n# Public address.\nbase_url = "http://x"\n'
        "# Both limits.\nper_user = 5\nper_address = 30\n\n"
        '# The menu.\n[[menu.button]]\n# ignored\nname = "人才"\n'
    )
    text = render(reference)
    assert "Intro line." in text
    assert '| `base_url` | `"http://x"` | `HUAICAI_APP__BASE_URL` | Public address. |' in text
    assert "| `per_address` | `30` | `HUAICAI_APP__PER_ADDRESS` | Both limits. |" in text
    assert "## [[menu.button]]" in text
    assert "ignored" not in text


def test_check_flag_fails_on_a_stale_file(tmp_path: Path) -> None:
    stale = tmp_path / "configuration.md"
    stale.write_text("old\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["config", "reference", "--check", "--output", str(stale)])
    assert result.exit_code == 1
    assert "out of date" in result.output
    result = CliRunner().invoke(main, ["config", "reference", "--output", str(stale)])
    assert result.exit_code == 0
    result = CliRunner().invoke(main, ["config", "reference", "--check", "--output", str(stale)])
    assert result.exit_code == 0, result.output
