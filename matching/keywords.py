"""Expertise keyword extraction: lexicon-aware candidates, cheap features, a learned linear ranker.

How a text becomes keywords:

1. ``matching.text`` normalises it (NFKC, lower-case) and cuts it with the project's jieba
   tokenizer, which knows the THUOCL and Jiaozuo lexicons.
2. Candidates are runs of adjacent content tokens (no punctuation, no stop word or résumé filler
   in between; a stop word that heads a phrase, 方法 or 对策, may close a run, and one-character
   affixes such as 大 or 点 stay inside one) and every n-gram of up to ``MAX_NGRAM`` tokens inside
   a run, so phrases that jieba splits apart (锂离子电池正极材料, 固态电解质) come back whole. A
   candidate is the exact substring of the text, which is what people write as a keyword.
3. Each candidate gets a few features: frequency, first position, membership of the title (the
   first line, or a short last segment after the abstract as CSL publishes papers), length,
   corpus IDF of the phrase and of its parts (CSL dev abstracts plus 8,000 titles,
   ``data/models/keyword_idf.json``), jieba's general IDF, lexicon membership, how often it only
   occurs inside a longer candidate, and how many CSL dev papers list it as an author keyword
   (``data/models/keyword_lexicon.json``).
4. A logistic-regression ranker learned on CSL dev (``data/models/keyword_ranker.json``,
   coefficients only) scores all candidates of the text in one matrix product; the best
   ``top_k`` that are not contained in a better keyword are returned.

Everything heavy (tokenizer, IDF tables, ranker) loads once per process on first use.
"""

from __future__ import annotations

import itertools
import json
import logging
import math
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

import numpy as np

from matching import text as textmod
from matching.resources import data_path

logger = logging.getLogger(__name__)

MAX_NGRAM = 4
# jieba's HMM joins unknown characters into words (人名, new terms); worth its cost here.
USE_HMM = True
MAX_CANDIDATE_CHARS = 16
# A first segment longer than this is a paragraph, not a title.
MAX_TITLE_CHARS = 80
_SENTENCE_END = frozenset("。！？；!?;\n")
# What ends an abstract before the title that follows it: a sentence end, a full stop written
# as ASCII (as many CSL abstracts end) or a colon.
_TITLE_AFTER = _SENTENCE_END | frozenset(".:")
_MODEL_LOCK = threading.Lock()
# Words after which a method or object follows (基于深度学习, 采用有限元法).
_CUES_BEFORE = frozenset(
    "基于 采用 利用 运用 应用 使用 通过 借助 结合 以 用 对 针对".split()
    + "研究 探讨 分析 讨论 建立 构建 提出".split()
)
# Stop words that author keywords often end with (饲养方法, 防治对策, 研究进展): after a run of
# content words, one of them closes the run as its last token, never a keyword alone.
HEAD_WORDS = frozenset(
    "研究 问题 方法 工作 方式 因素 对策 经验 领域 措施 要求 综述 作用 方向 前景 意义 课题 途径 "
    "进展 现状".split()
)
# One-character stop words that jieba leaves alone before or after an unknown compound
# (大角度机动, 非线性, 可持续发展; 离群点检测, 保护区): inside a phrase, never at that end of it.
_PREFIXES = frozenset("大 小 多 非 无 可 自".split())
_SUFFIXES = frozenset("点 区".split())
# Marks that join the parts of a term (rt-pcr, 构造-流体耦合, 亚当·斯密) but never end one.
_JOINERS = frozenset("-·/")
# Enumeration marks around terms in a list (锂电池、氟化工和汽车零部件).
_LIST_MARKS = frozenset("、 和 与 及 以及 或".split())

BASE_FEATURES = (
    "bias",
    "log_tf",
    "relative_tf",
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
    "tf_idf",
    "title_idf",
    "title_whole_run",
    "corpus_unseen",
    "min_part_idf",
    "head_idf",
    "first_idf",
    "general_idf",
    "in_lexicon",
    "in_dictionary",
    "whole_run_share",
    "run_start_share",
    "run_end_share",
    "after_cue_share",
    "before_de_share",
    "listed_share",
    "latin",
    "single_char_edge",
    "author_keyword",
    "author_keyword_share",
)
# Pairwise products and squares of the main features let the linear ranker express TF-IDF-like
# interactions (a frequent *and* specific phrase, a title phrase that is a whole noun phrase).
INTERACTING_FEATURES = (
    "log_tf",
    "corpus_idf",
    "in_title",
    "first_position",
    "run_end_share",
    "whole_run_share",
    "min_part_idf",
    "log_chars",
)
_INTERACTING = [BASE_FEATURES.index(f) for f in INTERACTING_FEATURES]
_PAIRS = [(a, b) for i, a in enumerate(_INTERACTING) for b in _INTERACTING[i:]]
FEATURE_NAMES = BASE_FEATURES + tuple(f"{BASE_FEATURES[a]}*{BASE_FEATURES[b]}" for a, b in _PAIRS)
_LEFT = np.array([a for a, _ in _PAIRS])
_RIGHT = np.array([b for _, b in _PAIRS])


def expand_features(base: np.ndarray) -> np.ndarray:
    """Append the pairwise products and squares of the interacting features to ``base``."""
    return np.hstack([base, base[:, _LEFT] * base[:, _RIGHT]])


@dataclass(frozen=True)
class IdfTable:
    """Document frequencies of words and phrases in our corpus, turned into smoothed IDF."""

    n_docs: int
    df: dict[str, int]
    values: dict[str, float] = field(init=False, repr=False)
    unseen: float = field(init=False)

    def __post_init__(self) -> None:
        """Precompute every known term's IDF so that scoring is a dictionary look-up."""
        n = self.n_docs + 1
        object.__setattr__(
            self, "values", {t: math.log(n / (df + 1)) + 1.0 for t, df in self.df.items()}
        )
        object.__setattr__(self, "unseen", math.log(n) + 1.0)

    def idf(self, term: str) -> float:
        """Return ``log((N + 1) / (df + 1)) + 1`` as scikit-learn smooths it."""
        return self.values.get(term, self.unseen)

    def without_document(self, phrases: Iterable[str], min_df: int = 2) -> IdfTable:
        """Return this table as if one document with the distinct ``phrases`` was not counted.

        Training uses it so that a paper's own phrases look as rare to the ranker as a new
        paper's do: a phrase counted only in that paper and one other drops under ``min_df``
        (unseen), as it would be for a text outside the corpus.
        """
        counts = dict(self.df)
        for phrase in phrases:
            df = counts.get(phrase)
            if df is not None:
                if df - 1 < min_df:
                    del counts[phrase]
                else:
                    counts[phrase] = df - 1
        return IdfTable(n_docs=self.n_docs - 1, df=counts)


@dataclass(frozen=True)
class Ranker:
    """A linear scorer over standardised, expanded candidate features (``FEATURE_NAMES``)."""

    weights: np.ndarray
    mean: np.ndarray
    scale: np.ndarray
    _constant: float = field(init=False, repr=False)
    _linear: np.ndarray = field(init=False, repr=False)
    _quadratic: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        """Fold standardisation and the pairwise products into one linear and one quadratic form.

        Scoring then needs no expanded matrix: ``c + x @ linear + (x_I @ Q) · x_I`` per row.
        """
        w = self.weights / self.scale
        n_base = len(BASE_FEATURES)
        quadratic = np.zeros((len(_INTERACTING), len(_INTERACTING)))
        position = {feature: i for i, feature in enumerate(_INTERACTING)}
        for k, (a, b) in enumerate(_PAIRS):
            quadratic[position[a], position[b]] += w[n_base + k]
        object.__setattr__(self, "_constant", float(-(self.weights * self.mean / self.scale).sum()))
        object.__setattr__(self, "_linear", w[:n_base].copy())
        object.__setattr__(self, "_quadratic", quadratic)

    def score(self, features: np.ndarray) -> np.ndarray:
        """Return one score per row of base ``features`` (higher is better)."""
        inner = features[:, _INTERACTING]
        result: np.ndarray = (
            self._constant
            + features @ self._linear
            + ((inner @ self._quadratic) * inner).sum(axis=1)
        )
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
    "run_end_share": 0.8,
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
    import jieba

    # jieba.analyse is not imported for its path: importing it reads this file unclosed.
    path = Path(jieba.__file__).parent / "analyse" / "idf.txt"
    table: dict[str, float] = {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            word, _, value = line.rstrip("\n").partition(" ")
            if value:
                table[word] = float(value)
    values = sorted(table.values())
    return table, values[len(values) // 2] if values else 10.0


@lru_cache(maxsize=1)
def author_keywords() -> dict[str, int]:
    """Load how many CSL dev papers list each phrase as an author keyword (``keyword_lexicon``)."""
    path = data_path("models", "keyword_lexicon.json")
    if not path.exists():
        logger.warning("%s is missing: no phrase counts as a known author keyword", path)
        return {}
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {k: int(v) for k, v in raw["papers"].items()}


_idf_override: IdfTable | None = None
_author_keywords_override: dict[str, int] | None = None


def set_author_keywords(table: dict[str, int] | None) -> None:
    """Count author keywords from ``table`` instead of the shipped lexicon (``None`` restores it).

    Evaluation uses this to build the lexicon from the training folds only. Not thread-safe,
    like ``set_corpus_idf``.
    """
    global _author_keywords_override
    _author_keywords_override = table


def set_corpus_idf(table: IdfTable | None) -> None:
    """Score phrases with ``table`` instead of the shipped IDF (``None`` restores it).

    Evaluation uses this to rebuild the IDF without the papers being scored. Not thread-safe:
    call it only where nothing else extracts keywords at the same time.
    """
    global _idf_override
    _idf_override = table
    _STATIC_CACHE.clear()


def fallback_ranker() -> Ranker:
    """Return a ranker with hand-set weights, for when no learned one is available."""
    n = len(FEATURE_NAMES)
    weights = np.array([_FALLBACK_WEIGHTS.get(f, 0.0) for f in FEATURE_NAMES])
    return Ranker(weights=weights, mean=np.zeros(n), scale=np.ones(n))


def load_ranker(path: Path | None = None) -> Ranker:
    """Read a ranker's coefficients from JSON, or fall back to hand-set weights."""
    path = path or data_path("models", "keyword_ranker.json")
    if not path.exists():
        logger.warning("%s is missing: ranking keywords with hand-set weights", path)
        return fallback_ranker()
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


# A candidate's occurrence record is a flat list (cheaper than an object per candidate): first the
# counters below, updated at every occurrence, then the phrase's static features, computed once
# when the phrase is first seen, in the order of _STATIC_FEATURES.
_FIRST, _LAST, _COUNT, _IN_TITLE, _WHOLE_RUN, _RUN_START, _RUN_END = range(7)
_AFTER_CUE, _BEFORE_DE, _LISTED = range(7, 10)
_N_COUNTERS = 10
_STATIC_FEATURES = (
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
    "latin",
    "single_char_edge",
)
_STATIC_COLUMNS = [BASE_FEATURES.index(f) for f in _STATIC_FEATURES]
_SLOTS = _N_COUNTERS + len(_STATIC_FEATURES)
_COLUMN = {f: i for i, f in enumerate(BASE_FEATURES)}
# The static features of a one-token candidate depend on that token alone, and people share
# vocabulary: remember them for the latest tokens (about 0.4 kB each). Results never depend on
# what was cached.
STATIC_CACHE_SIZE = 50_000
_STATIC_CACHE: dict[str, tuple[float, ...]] = {}
# Whether a token may be part of a candidate (a content word or a joiner), per token seen lately.
_IN_RUN_CACHE: dict[str, bool] = {}
Occurrences = dict[str, list[float]]


_V = TypeVar("_V")


def _remember(cache: dict[str, _V], key: str, value: _V) -> None:
    """Store ``value`` under ``key``, first emptying ``cache`` once it holds the maximum."""
    if len(cache) >= STATIC_CACHE_SIZE:
        cache.clear()
    cache[key] = value


def candidates(text: str) -> tuple[list[str], np.ndarray]:
    """Return the candidate keywords of ``text`` and their base features (``BASE_FEATURES``)."""
    found, n_positions = occurrences(text)
    if not found:
        return [], np.zeros((0, len(BASE_FEATURES)))
    return _features(found, n_positions)


def candidate_phrases(text: str) -> set[str]:
    """Return the candidate keywords of ``text`` without their features."""
    return set(occurrences(text)[0])


def occurrences(text: str) -> tuple[Occurrences, int]:
    """Return an occurrence record for each candidate of ``text``, and the number of tokens."""
    if not text or text.isspace():
        return {}, 1
    return occurrences_of_tokens([t.strip() for t in textmod.cut(text, hmm=USE_HMM)])


def occurrences_of_tokens(tokens: list[str]) -> tuple[Occurrences, int]:
    """Return an occurrence record for each candidate made of ``tokens`` (stripped, normalised)."""
    stop = textmod.stop_words()
    wordlike = textmod.WORDLIKE
    found: Occurrences = {}
    title_start, title_end = _title_span(tokens)
    idf = _idf_override or corpus_idf()
    general, general_median = general_idf()
    context = (
        tokens,
        (title_start, title_end),
        textmod.generic_terms(),
        idf.values,
        idf.unseen,
        general,
        general_median,
        textmod.lexicon(),
        textmod.tokenizer().FREQ,
    )
    run_start = -1
    in_runs = _IN_RUN_CACHE
    for index, token in enumerate(tokens):
        in_run = in_runs.get(token)
        if in_run is None:
            in_run = bool(token) and (
                (token not in stop and wordlike.search(token) is not None)
                or token in _JOINERS
                or token in _PREFIXES
                or token in _SUFFIXES
            )
            _remember(in_runs, token, in_run)
        if in_run:
            if run_start < 0:
                run_start = index
        elif run_start >= 0:
            # A head noun that is a stop word (研究, 方法, 对策) ends a phrase it belongs to.
            _add_run(found, run_start, index + (token in HEAD_WORDS), context)
            run_start = -1
    if run_start >= 0:
        _add_run(found, run_start, len(tokens), context)
    return found, max(len(tokens), 1)


def _title_span(tokens: Sequence[str]) -> tuple[int, int]:
    """Return the token range of the title: a short last segment, or the first line.

    CSL publishes a paper as its abstract, a space and then its title, with no line break: a
    text without a line break whose last segment follows a sentence end (or a colon) and a
    space, and is short, ends with its title. Otherwise the title is the first line, or the
    first sentence if short (a text typed by a person: 标题。描述).
    """
    if "\n" not in tokens:
        chars = 0
        for index in range(len(tokens) - 1, 0, -1):
            token = tokens[index]
            if token == "" and tokens[index - 1] in _TITLE_AFTER:
                if index + 1 < len(tokens):
                    return index + 1, len(tokens)
                break
            if token in _SENTENCE_END:
                break
            chars += len(token)
            if chars > MAX_TITLE_CHARS:
                break
    return 0, _title_end(tokens)


def _title_end(tokens: Sequence[str]) -> int:
    """Return the token index where the first line (or sentence) ends, 0 if it is too long."""
    chars = 0
    for index, token in enumerate(tokens):
        if token in _SENTENCE_END or token == "":
            return index
        chars += len(token)
        if chars > MAX_TITLE_CHARS:
            return 0
    return 0


_RunContext = tuple[
    list[str],
    tuple[int, int],
    frozenset[str],
    dict[str, float],
    float,
    dict[str, float],
    float,
    dict[str, str],
    dict[str, int],
]


def _add_run(found: Occurrences, start: int, end: int, context: _RunContext) -> None:
    """Record every n-gram of the content tokens ``tokens[start:end]`` as a candidate."""
    tokens, title, generic, idf_of, unseen, general, general_median, lexicon, freq = context
    title_start, title_end = title
    log = math.log
    cache = _STATIC_CACHE
    before = tokens[start - 1] if start > 0 else ""
    after = tokens[end] if end < len(tokens) else ""
    cue = before in _CUES_BEFORE
    de = after == "的"
    listed_before = before in _LIST_MARKS
    listed_after = after in _LIST_MARKS
    token_idf = [idf_of.get(t, unseen) for t in tokens[start:end]]
    for i in range(start, end):
        first_token = tokens[i]
        if first_token in _JOINERS or first_token in _SUFFIXES:
            continue
        first = min_part = token_idf[i - start]
        phrase = ""
        for j in range(i, min(i + MAX_NGRAM, end)):
            token = tokens[j]
            phrase += token
            if len(phrase) > MAX_CANDIDATE_CHARS:
                break
            head = token_idf[j - start]
            if head < min_part:
                min_part = head
            # Every token of a run is a content word, a joiner or an affix. Not candidates: a
            # lone hanzi, a generic or head word alone, a joiner at either end, a prefix at the
            # end (a suffix at the start is skipped above).
            if (
                token in _JOINERS
                or token in _PREFIXES
                or (
                    j == i
                    and (
                        (len(phrase) == 1 and not phrase.isascii())
                        or phrase in generic
                        or phrase in HEAD_WORDS
                    )
                )
            ):
                continue
            occ = found.get(phrase)
            if occ is None:
                static = cache.get(phrase) if i == j else None
                if static is None:
                    n = j - i + 1
                    phrase_idf = idf_of.get(phrase, unseen) if n > 1 else head
                    static = (
                        n == 1, n == 2, n >= 3,
                        len(phrase), log(len(phrase)),
                        phrase_idf, phrase_idf == unseen,
                        min_part, head, first,
                        general.get(phrase, general_median),
                        phrase in lexicon,
                        freq.get(phrase, 0) > 0,
                        phrase.isascii(),
                        len(first_token) == 1 or len(token) == 1,
                    )  # fmt: skip
                    if n == 1:
                        _remember(cache, phrase, static)
                occ = found[phrase] = [i, i, 0, 0, 0, 0, 0, 0, 0, 0, *static]
            occ[_COUNT] += 1
            occ[_LAST] = i
            if title_start <= i < title_end:
                occ[_IN_TITLE] += 1
            if i == start:
                occ[_RUN_START] += 1
                occ[_AFTER_CUE] += cue
                occ[_LISTED] += listed_before
            if j == end - 1:
                occ[_RUN_END] += 1
                occ[_BEFORE_DE] += de
                occ[_LISTED] += listed_after
                if i == start:
                    occ[_WHOLE_RUN] += 1


def _features(found: Occurrences, n_positions: int) -> tuple[list[str], np.ndarray]:
    """Compute the base feature matrix of the candidates in ``found`` (few, whole-column steps)."""
    names = list(found)
    occ = np.fromiter(
        itertools.chain.from_iterable(found.values()), dtype=float, count=len(names) * _SLOTS
    ).reshape(len(names), _SLOTS)
    c = _COLUMN
    x = np.empty((len(names), len(BASE_FEATURES)))
    x[:, _STATIC_COLUMNS] = occ[:, _N_COUNTERS:]
    count = occ[:, _COUNT]
    log_tf = np.log1p(count)
    in_title = occ[:, _IN_TITLE] > 0
    phrase_idf = x[:, c["corpus_idf"]]
    x[:, c["bias"]] = 1.0
    x[:, c["log_tf"]] = log_tf
    x[:, c["relative_tf"]] = count / count.max()
    x[:, c["first_position"]] = occ[:, _FIRST] / n_positions
    x[:, c["spread"]] = (occ[:, _LAST] - occ[:, _FIRST]) / n_positions
    x[:, c["in_title"]] = in_title
    x[:, c["title_only"]] = occ[:, _IN_TITLE] == count
    x[:, c["tf_idf"]] = log_tf * phrase_idf
    x[:, c["title_idf"]] = in_title * phrase_idf
    x[:, c["title_whole_run"]] = in_title & (occ[:, _WHOLE_RUN] > 0)
    x[:, c["whole_run_share"] : c["listed_share"] + 1] = (
        occ[:, _WHOLE_RUN:_N_COUNTERS] / count[:, None]
    )
    # How often other papers' authors chose the phrase, and how often they did where it occurred.
    known = _author_keywords_override
    if known is None:
        known = author_keywords()
    papers = np.array([known.get(name, 0) for name in names], dtype=float)
    df = (_idf_override or corpus_idf()).df
    seen = np.array([df.get(name, 0) for name in names], dtype=float)
    x[:, c["author_keyword"]] = np.log1p(papers)
    x[:, c["author_keyword_share"]] = papers / (seen + 1.0)
    return names, x


def select(names: Sequence[str], scores: np.ndarray, top_k: int) -> list[str]:
    """Return the ``top_k`` best names, skipping any contained in a better one already chosen."""
    chosen: list[str] = []
    for index in np.argsort(-scores, kind="stable").tolist():
        name = names[index]
        for better in chosen:
            if name in better:
                break
        else:
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
