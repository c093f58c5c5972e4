"""Language understanding for the chat: intents, field and keyword edits, and clean values.

Pure functions of text (and a given ``today`` for dates): no database, no Flask, no network.

- ``intents``: ``recognise_intent(text, context)`` → ``Understanding`` (intent, confidence, …)
- ``field_edits``: "我换工作了，现在在华为" → ``FieldEdit("employer", "华为")``
- ``keyword_edits``: "把“弄基站”去掉" → ``KeywordEdit("remove", old="弄基站")``
- ``names``, ``phones``, ``cities``, ``dates``: one value each, cleaned or refused
"""

from __future__ import annotations

from bot.understanding.cities import CityMatch, normalise_city
from bot.understanding.dates import ResolvedDate, resolve_date, today_in
from bot.understanding.field_edits import FieldEdit, recognise_field_edit
from bot.understanding.intents import Context, Intent, Understanding, is_yes, recognise_intent
from bot.understanding.keyword_edits import KeywordEdit, only_edits, read_keyword_edits
from bot.understanding.names import NotAName, clean_name
from bot.understanding.phones import find_phone, normalise_phone

__all__ = [
    "CityMatch",
    "Context",
    "FieldEdit",
    "Intent",
    "KeywordEdit",
    "NotAName",
    "ResolvedDate",
    "Understanding",
    "clean_name",
    "find_phone",
    "is_yes",
    "normalise_city",
    "normalise_phone",
    "only_edits",
    "read_keyword_edits",
    "recognise_field_edit",
    "recognise_intent",
    "resolve_date",
    "today_in",
]
