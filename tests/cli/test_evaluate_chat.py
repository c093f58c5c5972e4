"""``huaicai eval intents`` prints the three figures and the confusions."""

from __future__ import annotations

from click.testing import CliRunner

from cli import main


def test_eval_intents_on_dev_prints_the_figures() -> None:
    result = CliRunner().invoke(main, ["eval", "intents", "--split", "dev"])
    assert result.exit_code == 0, result.output
    assert "split dev: 114 phrasings" in result.output
    for label in ("intent accuracy", "field accuracy", "value exact match"):
        assert label in result.output


def test_eval_intents_refuses_an_unknown_split() -> None:
    result = CliRunner().invoke(main, ["eval", "intents", "--split", "test"])
    assert result.exit_code != 0
