"""``huaicai eval intents``: how well the chat understands people, on the labelled phrasings.

The command is added to the ``eval`` group of ``cli.match`` when this module is imported
(``cli._register`` imports it).
"""

from __future__ import annotations

from pathlib import Path

import click

from cli.match import eval_group, split_option
from matching.resources import data_path

DEFAULT_SET = data_path("eval", "chat_intents_labelled.tsv")


@eval_group.command("intents")
@split_option("Which part of the set: tune on dev only; holdout is for a final check.")
@click.option(
    "--data",
    "path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=DEFAULT_SET,
    show_default=True,
    help="The labelled TSV (id, split, context, text, intent, field, value).",
)
def eval_intents(split: str, path: Path) -> None:
    """Intent accuracy, field accuracy and value exact match of the chat, and its confusions."""
    from bot.understanding.evaluation import evaluate_chat_intents, load_labelled

    click.echo(evaluate_chat_intents(load_labelled(path, split), split).format())
