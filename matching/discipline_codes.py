"""National discipline codes (GB/T 13745-2009 学科分类与代码) for CSL's 67 disciplines.

``data/disciplines/gbt13745.toml`` maps each discipline the classifier knows
(``matching.disciplines``) to first-level (3-digit) and second-level (5-digit) codes of the
standard; this module reads it and codes a text's likely disciplines, so profiles and needs
carry codes that organisers can filter by.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from matching.resources import data_path

MAPPING_FILE = ("disciplines", "gbt13745.toml")
# A text is coded with every discipline at least this probable (at most ``MAX_DISCIPLINES``).
# The classifier spreads a short profile over several disciplines; below this it is guessing.
MIN_PROBABILITY = 0.25
MAX_DISCIPLINES = 2


@dataclass(frozen=True)
class DisciplineCode:
    """One code of GB/T 13745: ``code`` (3 or 5 digits) and its Chinese ``name``."""

    code: str
    name: str

    @property
    def level(self) -> int:
        """Return 1 for a first-level code, 2 for a second-level one."""
        return 1 if len(self.code) == 3 else 2


@dataclass(frozen=True)
class CodeTable:
    """The mapping file: code names and, per CSL discipline, its first- and second-level codes."""

    names: dict[str, str]
    first: dict[str, tuple[str, ...]]
    second: dict[str, tuple[str, ...]]


@lru_cache(maxsize=1)
def code_table() -> CodeTable:
    """Read ``data/disciplines/gbt13745.toml`` once; raise ``ValueError`` if it is inconsistent."""
    with data_path(*MAPPING_FILE).open("rb") as fh:
        raw = tomllib.load(fh)
    names = {**raw["first_level"], **raw["second_level"]}
    first: dict[str, tuple[str, ...]] = {}
    second: dict[str, tuple[str, ...]] = {}
    for entry in raw["discipline"]:
        codes1 = tuple(entry["first"])
        codes2 = tuple(entry.get("second", ()))
        for code in (*codes1, *codes2):
            if code not in names:
                raise ValueError(f"{entry['csl']}: code {code} has no name in the mapping file")
        for code in codes2:
            if code[:3] not in codes1:
                raise ValueError(f"{entry['csl']}: {code} is not under its first-level codes")
        first[entry["csl"]] = codes1
        second[entry["csl"]] = codes2
    return CodeTable(names=names, first=first, second=second)


def codes_of(discipline: str, *, second_level: bool = False) -> list[DisciplineCode]:
    """Return the first-level codes of CSL ``discipline`` (and its second-level ones if asked).

    An unknown discipline has no codes (an empty list).
    """
    table = code_table()
    codes = list(table.first.get(discipline, ()))
    if second_level:
        codes += table.second.get(discipline, ())
    return [DisciplineCode(code, table.names[code]) for code in codes]


def all_codes_of(discipline: str) -> tuple[str, ...]:
    """Return every code (first and second level) CSL ``discipline`` maps to."""
    table = code_table()
    return table.first.get(discipline, ()) + table.second.get(discipline, ())


def code_name(code: str) -> str:
    """Return the Chinese name of a GB/T 13745 code; raise ``KeyError`` if it is not mapped."""
    return code_table().names[code]


def codes_for_probabilities(
    disciplines: tuple[str, ...] | list[str], probabilities: np.ndarray
) -> list[str]:
    """Return the codes (first level, then second level) of the likely disciplines.

    ``probabilities`` is one row over ``disciplines`` (as ``matching.disciplines`` returns);
    the disciplines at least ``MIN_PROBABILITY`` probable, at most ``MAX_DISCIPLINES`` of them,
    give their codes, most likely first and without repeats. No likely discipline: ``[]``.
    """
    order = np.argsort(-np.asarray(probabilities), kind="stable")[:MAX_DISCIPLINES]
    first: list[str] = []
    second: list[str] = []
    table = code_table()
    for pos in order.tolist():
        if probabilities[pos] < MIN_PROBABILITY:
            break
        name = disciplines[pos]
        first += [c for c in table.first.get(name, ()) if c not in first]
        second += [c for c in table.second.get(name, ()) if c not in second]
    return first + second


def classify_discipline_codes(text: str) -> list[str]:
    """Return the GB/T 13745 codes of ``text``'s likely disciplines (``[]`` when unsure)."""
    from matching.disciplines import disciplines, load_model
    from matching.text import analyse, index_terms

    probabilities = load_model().probabilities_one(index_terms(analyse(text)))
    return codes_for_probabilities(disciplines(), probabilities)
