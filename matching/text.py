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
import re
import tempfile
import threading
import unicodedata
from collections.abc import Iterable
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


def normalise(text: str) -> str:
    """Return ``text`` NFKC-normalised (full-width → half-width) and lower-cased."""
    return unicodedata.normalize("NFKC", text).lower()


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
    tmp = path.with_suffix(".tmp")
    with base.get_dict_file() as src, tmp.open("wb") as dst:
        dst.write(src.read().rstrip(b"\n") + b"\n")
        dst.write("".join(lines).encode("utf-8"))
    tmp.replace(path)
    logger.info("wrote combined jieba dictionary %s (%d lexicon terms)", path, len(lines))


def _silence_jieba() -> None:
    """Keep jieba's "Building prefix dict" chatter out of our logs."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    logging.getLogger("jieba").setLevel(logging.WARNING)


@lru_cache(maxsize=1)
def tokenizer() -> Any:
    """Return the project's jieba tokenizer, loading (or building and caching) it once."""
    with _LOCK:
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
    """Return every jieba token of the normalised ``text``, punctuation and spaces included."""
    if not text or text.isspace():
        return []
    return list(tokenizer().cut(normalise(text), HMM=hmm))


def content_words(tokens: Iterable[str]) -> list[str]:
    """Keep the content words of already normalised ``tokens``."""
    return [t for raw in tokens if (t := raw.strip()) and is_content_word(t)]


def tokenize(text: str) -> list[str]:
    """Return the content words of ``text``: normalised, lexicon-aware, stop words removed."""
    return content_words(cut(text))
