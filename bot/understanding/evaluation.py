"""Score ``recognise_intent`` on a labelled set (data/eval/chat_intents_labelled.tsv).

Columns: id, split (dev/holdout), context, text, intent, field, value. Figures:
- intent accuracy over all rows;
- field accuracy over rows whose gold intent is edit_field (the item must match);
- value exact match over rows with a gold value (edits of an item or of the keyword list;
  a replacement is written "old→new").
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bot.understanding.intents import Intent, Understanding, recognise_intent

KEYWORD_INTENTS = frozenset(
    {Intent.KEYWORDS_ADD, Intent.KEYWORDS_REMOVE, Intent.KEYWORDS_REPLACE, Intent.KEYWORDS_REJECT}
)


@dataclass(frozen=True)
class LabelledPhrase:
    """One row of the labelled set."""

    id: str
    split: str
    context: str
    text: str
    intent: str
    field: str
    value: str


@dataclass
class ChatEvaluation:
    """Counts and mistakes of one run over a split."""

    split: str
    rows: int = 0
    intents_right: int = 0
    field_rows: int = 0
    fields_right: int = 0
    value_rows: int = 0
    values_right: int = 0
    confusions: Counter[tuple[str, str]] = field(default_factory=Counter)
    mistakes: list[tuple[LabelledPhrase, str]] = field(default_factory=list)

    @property
    def intent_accuracy(self) -> float:
        """Share of rows whose intent was recognised (0 when there are no rows)."""
        return self.intents_right / self.rows if self.rows else 0.0

    @property
    def field_accuracy(self) -> float:
        """Share of edit_field rows whose item was recognised."""
        return self.fields_right / self.field_rows if self.field_rows else 0.0

    @property
    def value_exact_match(self) -> float:
        """Share of rows with a gold value whose value was read exactly."""
        return self.values_right / self.value_rows if self.value_rows else 0.0

    def format(self) -> str:
        """Return the report printed by ``huaicai eval intents``."""
        lines = [
            f"chat intents, split {self.split}: {self.rows} phrasings",
            f"  intent accuracy    {self.intent_accuracy:.3f} ({self.intents_right}/{self.rows})",
            f"  field accuracy     {self.field_accuracy:.3f} "
            f"({self.fields_right}/{self.field_rows} edits of a profile item)",
            f"  value exact match  {self.value_exact_match:.3f} "
            f"({self.values_right}/{self.value_rows} rows with a value)",
        ]
        if self.confusions:
            lines.append("  confusions (gold → recognised: count):")
            for (gold, got), count in self.confusions.most_common():
                lines.append(f"    {gold} → {got}: {count}")
        if self.mistakes:
            lines.append("  mistakes:")
            for row, got in self.mistakes:
                lines.append(f"    {row.id} [{row.context}] {row.text!r}: {got}")
        return "\n".join(lines)


def load_labelled(path: Path, split: str | None = None) -> list[LabelledPhrase]:
    """Read the labelled set, keeping only ``split`` when given; raise ValueError on bad rows."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [LabelledPhrase(**row) for row in csv.DictReader(handle, delimiter="\t")]
    known = {intent.value for intent in Intent}
    for row in rows:
        if row.intent not in known:
            raise ValueError(f"{path}: row {row.id} has unknown intent {row.intent!r}")
    return [row for row in rows if split is None or row.split == split]


def understood_value(understanding: Understanding) -> str:
    """Return the value as the labelled set writes it."""
    if understanding.intent in KEYWORD_INTENTS:
        return understanding.keyword_value
    return understanding.value


def evaluate_chat_intents(rows: list[LabelledPhrase], split: str) -> ChatEvaluation:
    """Run ``recognise_intent`` over ``rows`` and count what it got right."""
    result = ChatEvaluation(split)
    for row in rows:
        understanding = recognise_intent(row.text, row.context)
        got_value = understood_value(understanding)
        result.rows += 1
        intent_right = understanding.intent.value == row.intent
        result.intents_right += intent_right
        if not intent_right:
            result.confusions[(row.intent, understanding.intent.value)] += 1
        if row.intent == Intent.EDIT_FIELD:
            result.field_rows += 1
            result.fields_right += intent_right and understanding.field == row.field
        if row.value:
            result.value_rows += 1
            result.values_right += intent_right and got_value == row.value
        if not intent_right or understanding.field != row.field or got_value != row.value:
            shown = understanding.intent.value
            if understanding.field or got_value:
                shown += f" {understanding.field}={got_value!r}"
            result.mistakes.append((row, shown))
    return result
