"""Expertise keyword extraction: lexicon-aware candidates, cheap features, a learned linear ranker.

How a text becomes keywords:

1. ``matching.text`` normalises it (NFKC, lower-case) and cuts it with the project's jieba
   tokenizer, which knows the THUOCL and Jiaozuo lexicons.
2. Candidates are runs of adjacent content tokens (no punctuation, no stop word or résumé filler
   in between) and every n-gram of up to ``MAX_NGRAM`` tokens inside a run, so phrases that jieba
   splits apart (锂离子电池正极材料, 固态电解质) come back whole. A candidate is the exact substring
   of the text, which is what people write as a keyword.
3. Each candidate gets a few features: frequency, first position, membership of the first line
   (the title), length, corpus IDF of the phrase and of its parts (CSL dev abstracts plus 9,000
   titles, ``data/models/keyword_idf.json``), jieba's general IDF, lexicon membership and how often
   it only occurs inside a longer candidate.
4. A logistic-regression ranker learned on CSL dev (``data/models/keyword_ranker.json``,
   coefficients only) scores all candidates of the text in one matrix product; the best
   ``top_k`` that are not contained in a better keyword are returned.

Everything heavy (tokenizer, IDF tables, ranker) loads once per process on first use.
"""

from __future__ import annotations

import json
import logging
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from matching import text as textmod
from matching.resources import data_path

logger = logging.getLogger(__name__)

MAX_NGRAM = 4
MAX_CANDIDATE_CHARS = 16
# A first segment longer than this is a paragraph, not a title.
MAX_TITLE_CHARS = 80
_SENTENCE_END = frozenset("。！？；!?;\n")
_MODEL_LOCK = threading.Lock()

FEATURE_NAMES = (
    "bias",
    "log_tf",
    "first_position",
    "spread",
    "in_title",
    "title_only",
    "n_tokens_1",
    "n_tokens_2",
    "n_tokens_3plus",
    "chars",
    "log_chars",
    "corpus_idf",
    "corpus_unseen",
    "min_part_idf",
    "head_idf",
    "first_idf",
    "general_idf",
    "in_lexicon",
    "in_dictionary",
    "contained_share",
    "latin",
    "single_char_edge",
)


@dataclass(frozen=True)
class IdfTable:
    """Document frequencies of words and phrases in our corpus, turned into smoothed IDF."""

    n_docs: int
    df: dict[str, int]

    def idf(self, term: str) -> float:
        """Return ``log((N + 1) / (df + 1)) + 1`` as scikit-learn smooths it."""
        return math.log((self.n_docs + 1) / (self.df.get(term, 0) + 1)) + 1.0


@dataclass(frozen=True)
class Ranker:
    """A linear scorer over standardised candidate features."""

    weights: np.ndarray
    mean: np.ndarray
    scale: np.ndarray

    def score(self, features: np.ndarray) -> np.ndarray:
        """Return one score per row of ``features`` (higher is better)."""
        result: np.ndarray = ((features - self.mean) / self.scale) @ self.weights
        return result


# Used when no learned ranker is shipped: frequent, specific, early, whole phrases first.
_FALLBACK_WEIGHTS = {
    "log_tf": 1.0,
    "first_position": -0.5,
    "in_title": 1.0,
    "corpus_idf": 0.6,
    "min_part_idf": 0.3,
    "general_idf": 0.2,
    "in_lexicon": 0.5,
    "contained_share": -0.8,
    "n_tokens_3plus": -0.3,
}


@lru_cache(maxsize=1)
def corpus_idf() -> IdfTable:
    """Load the phrase document frequencies shipped in ``data/models/keyword_idf.json``."""
    path = data_path("models", "keyword_idf.json")
    if not path.exists():
        logger.warning("%s is missing: corpus IDF treats every phrase as unseen", path)
        return IdfTable(n_docs=1, df={})
    raw = json.loads(path.read_text(encoding="utf-8"))
    return IdfTable(n_docs=int(raw["n_docs"]), df={k: int(v) for k, v in raw["df"].items()})


@lru_cache(maxsize=1)
def general_idf() -> tuple[dict[str, float], float]:
    """Load jieba's general-domain IDF table and its median (for words it does not know)."""
    from jieba.analyse.tfidf import DEFAULT_IDF

    table: dict[str, float] = {}
    with open(DEFAULT_IDF, encoding="utf-8") as fh:
        for line in fh:
            word, _, value = line.rstrip("\n").partition(" ")
            if value:
                table[word] = float(value)
    values = sorted(table.values())
    return table, values[len(values) // 2] if values else 10.0


def load_ranker(path: Path | None = None) -> Ranker:
    """Read a ranker's coefficients from JSON, or fall back to hand-set weights."""
    path = path or data_path("models", "keyword_ranker.json")
    n = len(FEATURE_NAMES)
    if not path.exists():
        logger.warning("%s is missing: ranking keywords with hand-set weights", path)
        weights = np.array([_FALLBACK_WEIGHTS.get(f, 0.0) for f in FEATURE_NAMES])
        return Ranker(weights=weights, mean=np.zeros(n), scale=np.ones(n))
    raw = json.loads(path.read_text(encoding="utf-8"))
    if list(raw["features"]) != list(FEATURE_NAMES):
        raise ValueError(f"{path} was trained on other features than this code computes")
    return Ranker(
        weights=np.asarray(raw["weights"], dtype=float),
        mean=np.asarray(raw["mean"], dtype=float),
        scale=np.asarray(raw["scale"], dtype=float),
    )


_ranker: Ranker | None = None


def ranker() -> Ranker:
    """Return the shipped ranker, loaded once."""
    global _ranker
    if _ranker is None:
        with _MODEL_LOCK:
            if _ranker is None:
                _ranker = load_ranker()
    return _ranker


def set_ranker(new: Ranker | None) -> None:
    """Use ``new`` instead of the shipped ranker (``None`` goes back to the shipped one)."""
    global _ranker
    _ranker = new


@dataclass
class _Occurrences:
    """Where one candidate occurs in a text."""

    parts: tuple[str, ...]
    first: int
    last: int
    count: int = 0
    in_title: int = 0
    contained: int = 0


def candidates(text: str) -> tuple[list[str], np.ndarray]:
    """Return the candidate keywords of ``text`` and their feature matrix (rows in that order)."""
    found, n_positions = occurrences(text)
    if not found:
        return [], np.zeros((0, len(FEATURE_NAMES)))
    return _features(found, n_positions)


def candidate_phrases(text: str) -> set[str]:
    """Return the candidate keywords of ``text`` without their features."""
    return set(occurrences(text)[0])


def occurrences(text: str) -> tuple[dict[str, _Occurrences], int]:
    """Return where each candidate of ``text`` occurs, and the number of token positions."""
    if not text or text.isspace():
        return {}, 1
    tokens = textmod.cut(text)
    stop = textmod.stop_words()
    wordlike = textmod.WORDLIKE
    found: dict[str, _Occurrences] = {}
    title_end = _title_end(tokens)
    run: list[str] = []
    run_start = 0
    for index, raw in enumerate(tokens):
        token = raw.strip()
        if token and token not in stop and wordlike.search(token) is not None:
            if not run:
                run_start = index
            run.append(token)
        elif run:
            _add_run(found, run, run_start, title_end)
            run = []
    if run:
        _add_run(found, run, run_start, title_end)
    return found, max(len(tokens), 1)


def _title_end(tokens: Sequence[str]) -> int:
    """Return the token index where the first line (or sentence) ends, 0 if it is too long."""
    chars = 0
    for index, token in enumerate(tokens):
        if token in _SENTENCE_END:
            return index
        chars += len(token)
        if chars > MAX_TITLE_CHARS:
            return 0
    return 0


def _add_run(found: dict[str, _Occurrences], run: list[str], start: int, title_end: int) -> None:
    """Record every n-gram of a run of content tokens as a candidate occurrence."""
    size = len(run)
    for i in range(size):
        phrase = ""
        for n in range(1, min(MAX_NGRAM, size - i) + 1):
            phrase += run[i + n - 1]
            if len(phrase) > MAX_CANDIDATE_CHARS:
                break
            if n == 1 and not textmod.is_content_word(phrase):
                continue
            occ = found.get(phrase)
            if occ is None:
                parts = tuple(run[i : i + n])
                occ = found[phrase] = _Occurrences(parts=parts, first=start + i, last=start + i)
            occ.count += 1
            occ.last = start + i
            if start + i < title_end:
                occ.in_title += 1
            if n < size:
                occ.contained += 1


def _features(found: dict[str, _Occurrences], n_positions: int) -> tuple[list[str], np.ndarray]:
    """Compute the feature matrix of the candidates in ``found``."""
    idf = corpus_idf()
    general, general_median = general_idf()
    lexicon = textmod.lexicon()
    freq = textmod.tokenizer().FREQ
    names = list(found)
    rows = np.zeros((len(names), len(FEATURE_NAMES)))
    for row, phrase in enumerate(names):
        occ = found[phrase]
        parts = occ.parts
        n_tokens = len(parts)
        part_idf = [idf.idf(p) for p in parts]
        phrase_df = idf.df.get(phrase, 0)
        rows[row] = (
            1.0,
            math.log1p(occ.count),
            occ.first / n_positions,
            (occ.last - occ.first) / n_positions,
            1.0 if occ.in_title else 0.0,
            1.0 if occ.in_title == occ.count else 0.0,
            1.0 if n_tokens == 1 else 0.0,
            1.0 if n_tokens == 2 else 0.0,
            1.0 if n_tokens >= 3 else 0.0,
            len(phrase),
            math.log(len(phrase)),
            idf.idf(phrase),
            1.0 if phrase_df == 0 else 0.0,
            min(part_idf),
            part_idf[-1],
            part_idf[0],
            general.get(phrase, general_median),
            1.0 if phrase in lexicon else 0.0,
            1.0 if freq.get(phrase, 0) > 0 else 0.0,
            occ.contained / occ.count,
            1.0 if phrase.isascii() else 0.0,
            1.0 if len(parts[0]) == 1 or len(parts[-1]) == 1 else 0.0,
        )
    return names, rows


def select(names: Sequence[str], scores: np.ndarray, top_k: int) -> list[str]:
    """Return the ``top_k`` best names, skipping any contained in a better one already chosen."""
    chosen: list[str] = []
    for index in np.argsort(-scores, kind="stable"):
        name = names[int(index)]
        if any(name in better for better in chosen):
            continue
        chosen.append(name)
        if len(chosen) >= top_k:
            break
    return chosen


def extract_keywords(text: str, top_k: int = 10) -> list[str]:
    """Return up to ``top_k`` keywords of ``text``, best first."""
    if top_k <= 0 or not isinstance(text, str) or not text.strip():
        return []
    names, features = candidates(text)
    if not names:
        return []
    return select(names, ranker().score(features), top_k)
