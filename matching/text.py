"""Tokenise Chinese text with one lexicon-aware jieba tokenizer shared by the matching package.

The tokenizer is a dedicated ``jieba.Tokenizer`` (never jieba's global one, so plain-jieba
baselines stay plain) whose dictionary is jieba's own plus every lexicon under
``data/lexicons/``. The combined dictionary and jieba's prefix-dict cache are written once to a
cache directory (``.cache/huaicai`` in the project, else ``~/.cache/huaicai``) and reused by every
later process; within a process everything loads lazily, on first use, exactly once.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import re
import tempfile
import threading
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from matching.resources import DATA_DIR, data_path

logger = logging.getLogger(__name__)

# Bump when the way the combined dictionary is built changes, so old caches are not reused.
DICTIONARY_FORMAT = 1
LEXICON_FILES = (
    "jiaozuo_industries.txt",
    "thuocl/THUOCL_IT.txt",
    "thuocl/THUOCL_medical.txt",
    "thuocl/THUOCL_food.txt",
    "thuocl/THUOCL_car.txt",
    "thuocl/THUOCL_caijing.txt",
    "thuocl/THUOCL_law.txt",
)
STOPWORD_FILES = ("stopwords-iso-zh.txt", "resume_filler.txt")
GENERIC_TERMS_FILE = "generic_terms.txt"

# A token is a content word only if it contains a hanzi or a latin letter.
WORDLIKE = re.compile(r"[\u3400-\u9fffa-z]")
_HAN = re.compile(r"[\u3400-\u9fff]")
_LOCK = threading.Lock()
_ASCII_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


# Full-width ASCII and the ideographic space, mapped as NFKC maps them. Replacing them first
# leaves most Chinese text already NFKC-normal, and checking that is far cheaper than normalising.
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def normalise(text: str) -> str:
    """Return ``text`` NFKC-normalised (full-width → half-width) and lower-cased."""
    text = text.translate(_FULL_WIDTH)
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return text.lower()


def _read_word_list(path: Path) -> list[str]:
    """Read the first field of every non-comment line of a word list, normalised."""
    words = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            fields = line.split()
            if fields and not fields[0].startswith("#"):
                words.append(normalise(fields[0]))
    return words


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """Return stopwords-iso's Chinese stop words plus our résumé filler, normalised."""
    words: set[str] = set()
    for name in STOPWORD_FILES:
        words.update(_read_word_list(data_path("stopwords", name)))
    return frozenset(words)


@lru_cache(maxsize=1)
def generic_terms() -> frozenset[str]:
    """Return words too general to be a keyword alone (but fine inside one), normalised."""
    return frozenset(_read_word_list(data_path("stopwords", GENERIC_TERMS_FILE)))


@lru_cache(maxsize=1)
def lexicon() -> dict[str, str]:
    """Return every lexicon term (two characters or more) mapped to the file it came from."""
    terms: dict[str, str] = {}
    for name in LEXICON_FILES:
        source = Path(name).stem
        for word in _read_word_list(data_path("lexicons", name)):
            if len(word) >= 2 and " " not in word:
                terms.setdefault(word, source)
    return terms


def is_content_word(token: str) -> bool:
    """Return whether ``token`` (already normalised) can carry meaning: no stop word, no number."""
    if token in stop_words() or WORDLIKE.search(token) is None:
        return False
    # A lone hanzi is almost always a function word or a fragment of an unknown word.
    return not (len(token) == 1 and _HAN.match(token) is not None)


def cache_dir() -> Path:
    """Return a writable directory for jieba's caches (created on demand)."""
    candidates = (DATA_DIR.parent / ".cache" / "huaicai", Path.home() / ".cache" / "huaicai")
    for candidate in candidates:
        try:
            candidate.mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        probe = candidate / ".writable"
        try:
            probe.touch()
        except OSError:
            continue
        return candidate
    return Path(tempfile.gettempdir())


def _lexicon_fingerprint() -> str:
    """Return a short hash of the lexicon files, jieba's version and our dictionary format."""
    import jieba

    digest = hashlib.sha256(f"{DICTIONARY_FORMAT}:{jieba.__version__}".encode())
    for name in LEXICON_FILES:
        digest.update(name.encode())
        digest.update(data_path("lexicons", name).read_bytes())
    return digest.hexdigest()[:16]


def _write_combined_dictionary(path: Path, directory: Path) -> None:
    """Write jieba's dictionary plus our lexicon terms, each frequent enough to stay whole."""
    import jieba

    base = jieba.Tokenizer()
    base.tmp_dir = str(directory)
    base.cache_file = "jieba-default.cache"
    base.initialize()
    lines: list[str] = []
    for term in lexicon():
        if term in stop_words():
            continue
        # suggest_freq gives the least frequency at which the term beats its own split; double
        # it so the term also survives neighbouring characters pulling at its ends.
        freq = max(2 * base.suggest_freq(term, tune=False), base.FREQ.get(term, 0))
        if freq > base.FREQ.get(term, 0):
            lines.append(f"{term} {freq}\n")
    # Write under a unique name, then rename: processes starting together never see half a file.
    fd, tmp_name = tempfile.mkstemp(dir=directory, suffix=".tmp")
    with base.get_dict_file() as src, os.fdopen(fd, "wb") as dst:
        dst.write(src.read().rstrip(b"\n") + b"\n")
        dst.write("".join(lines).encode("utf-8"))
    Path(tmp_name).replace(path)
    logger.info("wrote combined jieba dictionary %s (%d lexicon terms)", path, len(lines))


def _silence_jieba() -> None:
    """Keep jieba's "Building prefix dict" chatter out of our logs."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    logging.getLogger("jieba").setLevel(logging.WARNING)


_tokenizer: Any = None


def tokenizer() -> Any:
    """Return the project's jieba tokenizer, loading (or building and caching) it once."""
    global _tokenizer
    if _tokenizer is None:
        with _LOCK:  # threads arriving together wait for the one load
            if _tokenizer is None:
                _tokenizer = _load_tokenizer()
    return _tokenizer


def _load_tokenizer() -> Any:
    """Build our jieba tokenizer from the combined dictionary, writing it first if needed."""
    import jieba

    _silence_jieba()
    directory = cache_dir()
    fingerprint = _lexicon_fingerprint()
    dictionary = directory / f"huaicai-dict-{fingerprint}.txt"
    if not dictionary.exists():
        _write_combined_dictionary(dictionary, directory)
    tk = jieba.Tokenizer(dictionary=str(dictionary))
    tk.tmp_dir = str(directory)
    tk.cache_file = f"huaicai-dict-{fingerprint}.cache"
    tk.initialize()
    return tk


def cut(text: str, hmm: bool = True) -> list[str]:
    """Return every jieba token of the normalised ``text``, punctuation and spaces included.

    The tokens are exactly those of ``tokenizer().cut(normalise(text), HMM=hmm)``; the
    segmentation is reimplemented here (one pass that builds the word graph and the best route
    together, no generators) because it is most of the cost of keyword extraction.
    """
    if not text or text.isspace():
        return []
    tk = tokenizer()
    han, skip = _block_patterns()
    tokens: list[str] = []
    for block in han.split(normalise(text)):
        if not block:
            continue
        if han.match(block):
            _cut_block(block, tk.FREQ, math.log(tk.total), hmm, tokens)
        else:
            for piece in skip.split(block):
                if skip.match(piece):
                    tokens.append(piece)
                else:
                    tokens.extend(piece)
    return tokens


@lru_cache(maxsize=1)
def _block_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Return jieba's patterns for the blocks it segments and the spaces it skips."""
    import jieba

    return jieba.re_han_default, jieba.re_skip_default


def _cut_block(
    block: str, freq: dict[str, int], log_total: float, hmm: bool, out: list[str]
) -> None:
    """Append jieba's tokens of one block of hanzi, letters and digits to ``out``."""
    n = len(block)
    log = math.log
    get = freq.get
    best_score = [0.0] * (n + 1)
    best_end = [0] * (n + 1)
    for start in range(n - 1, -1, -1):
        # The single character is always a candidate, as in jieba's DAG.
        top_end = start
        top = log(get(block[start]) or 1) - log_total + best_score[start + 1]
        end = start + 1
        while end < n:
            f = get(block[start : end + 1])
            if f is None:  # no dictionary word starts with this fragment
                break
            if f:
                score = log(f) - log_total + best_score[end + 1]
                if score >= top:
                    top, top_end = score, end
            end += 1
        best_score[start] = top
        best_end[start] = top_end
    buf = ""
    x = 0
    while x < n:
        y = best_end[x] + 1
        if y - x == 1 and (hmm or block[x] in _ASCII_WORD_CHARS):
            buf += block[x]
        else:
            if buf:
                _flush(buf, freq, hmm, out)
                buf = ""
            out.append(block[x:y])
        x = y
    if buf:
        _flush(buf, freq, hmm, out)


def _flush(buf: str, freq: dict[str, int], hmm: bool, out: list[str]) -> None:
    """Append a run of single characters as jieba would: HMM-joined or letters kept together."""
    if not hmm or len(buf) == 1:
        out.append(buf)  # without HMM, jieba buffers only runs of ASCII letters and digits
    elif not freq.get(buf):
        out.extend(_hmm_cut(buf))
    else:
        out.extend(buf)


@lru_cache(maxsize=20_000)
def _hmm_cut(buf: str) -> tuple[str, ...]:
    """Return jieba's HMM segmentation of a run of characters (names and rare terms recur)."""
    from jieba import finalseg

    return tuple(finalseg.cut(buf))


def content_words(tokens: Iterable[str]) -> list[str]:
    """Keep the content words of already normalised ``tokens``."""
    return [t for raw in tokens if (t := raw.strip()) and is_content_word(t)]


def tokenize(text: str) -> list[str]:
    """Return the content words of ``text``: normalised, lexicon-aware, stop words removed."""
    return content_words(cut(text))


# ---------------------------------------------------------------------------------------------
# Index terms: what the match index and the discipline classifier read of a text.
# ---------------------------------------------------------------------------------------------

_ALL_HAN = re.compile(r"[\u3400-\u9fff]+")
# One-character function words that the stop-word list keeps as tokens of index terms.
_SHORT_FILLER = frozenset("的了和与及或等在对为是用于中其并将从以被")


def analyse(text: str, tokenize: Callable[[str], list[str]] | None = None) -> list[str]:
    """Return the index terms of ``text``: normalised tokens that contain a letter or a hanzi.

    ``tokenize`` replaces the project's tokeniser (``tokenize`` of this module).
    """
    norm = unicodedata.normalize("NFKC", text).lower()
    tokens = (tokenize or _tokenize_default)(norm)
    return [
        t
        for raw in tokens
        if (t := raw.strip()) and WORDLIKE.search(t) is not None and t not in _SHORT_FILLER
    ]


def _tokenize_default(text: str) -> list[str]:
    """Tokenise with the project's jieba set-up (late-bound, so tests may replace it)."""
    return tokenize(text)


@lru_cache(maxsize=1 << 17)
def subwords(token: str) -> tuple[str, ...]:
    """Return the dictionary words of two and three hanzi inside a longer ``token``.

    The lexicon keeps 怀山药 and 锂离子电池 whole, which makes tokens precise but would stop a need
    for 山药 or 电池 from finding them; indexing the inner words as well (as jieba's search mode
    does) restores that.
    """
    if len(token) < 3 or not _ALL_HAN.fullmatch(token):
        return ()
    freq = tokenizer().FREQ
    found = []
    for size in (2, 3):
        for start in range(len(token) - size + 1):
            part = token[start : start + size]
            if part != token and freq.get(part) and is_content_word(part):
                found.append(part)
    return tuple(found)


def index_terms(tokens: Sequence[str]) -> list[str]:
    """Return ``tokens`` followed by the inner words of each (see ``subwords``)."""
    terms = list(tokens)
    for token in tokens:
        terms.extend(subwords(token))
    return terms
