"""A learned filter of the expertise keywords the rules of ``matching.expertise`` propose.

The rules of ``matching.expertise`` were written one category of miss at a time; every new set of
self-descriptions brings chatter they have not seen (变化很大, 疫情搁下, 公众号). This module scores
each proposed keyword with a logistic regression over features of the keyword and of the clause
around it, and drops those whose probability of being expertise is below the model's threshold:

- the keyword: length, character classes, its characters and character pairs, its jieba tokens
  with their part-of-speech tags and frequencies, membership in the domain lexicons
  (``data/lexicons``), in CSL's author keywords (``keyword_lexicon.json``) and its CSL document
  frequency (``keyword_idf.json``), jieba's IDF of its rarest and commonest token;
- its context: the characters and tokens right before and after it (做/从事/研究 … 的/了), the
  spoken particles of its clause (了, 吧, 啊, 我), its place in the clause, the text and the list.

Feature names are hashed (CRC-32) into a fixed number of weights, so the model is an array of
floats and a JSON header in ``data/models/candidate_filter.npz`` (no pickle); it is trained and
measured by ``matching.lab.candidate_training``. Without the file every keyword is kept.
"""

from __future__ import annotations

import json
import logging
import math
import re
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np

from matching import text as textmod
from matching.resources import data_path

logger = logging.getLogger(__name__)

MODEL_FILE = "candidate_filter.npz"
# Feature names are hashed into 2**HASH_BITS weights; collisions are rare at this size.
HASH_BITS = 18
FORMAT = 1

_CLAUSE_BREAKS = re.compile(r"[,.;!?~()\[\]|\n。，；！？…～（）【】、:：\s]")
_PARTICLES = tuple("了吧啊呀嘛呢哈啦呗哦喔嘿")
_SPOKEN = ("我", "咱", "俺", "挺", "很", "太", "还", "就", "都", "也", "没", "不", "过", "着")
_LATIN = re.compile(r"[a-z]")
_DIGIT = re.compile(r"[0-9]")
_HAN = re.compile(r"[\u3400-\u9fff]")
_TYPED_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")
# A word → (jieba's part-of-speech tag or "", its dictionary frequency or 0).
WordTag = Callable[[str], tuple[str, int]]


@dataclass(frozen=True)
class CandidateFilter:
    """Weights of hashed features, a bias and the probability a keyword must reach to be kept."""

    weights: np.ndarray
    bias: float
    # The text's first keyword (most often its main expertise) needs less than the others.
    threshold_first: float
    threshold: float
    # When no keyword reaches its threshold, the best one is still shown if it reaches this (a
    # text with no expertise, 写代码的打工人, shows nothing).
    floor: float = 0.0

    def probabilities(self, text: str, keywords: Sequence[str], word_tag: WordTag) -> list[float]:
        """Return P(expertise) of each keyword of ``text``, in order (the model's logistic)."""
        return self.probabilities_of(candidate_features(text, keywords, word_tag))

    def probabilities_of(self, features: Sequence[dict[str, float]]) -> list[float]:
        """Return P(expertise) of candidates given their ``candidate_features``."""
        mask = self.weights.shape[0] - 1
        weights = self._weights_by_index
        out = []
        for named in features:
            score = self.bias
            for name, value in named.items():
                score += weights.get(feature_index(name) & mask, 0.0) * value
            out.append(1.0 / (1.0 + math.exp(-max(min(score, 30.0), -30.0))))
        return out

    @cached_property
    def _weights_by_index(self) -> dict[int, float]:
        """Return the non-zero weights by index (a dict reads faster than numpy, one at a time)."""
        where = np.flatnonzero(self.weights)
        return dict(zip(where.tolist(), self.weights[where].tolist(), strict=True))

    def keep(self, text: str, keywords: Sequence[str], word_tag: WordTag) -> list[str]:
        """Return the keywords of ``text`` the model keeps, in their order.

        A keyword is kept when its probability reaches the threshold (``threshold_first`` for
        the first); when none does, the best-scored one is kept if it reaches ``floor``, so a
        text that proposed a likely keyword still shows one.
        """
        return kept_keywords(keywords, self.probabilities(text, keywords, word_tag), self)


def kept_keywords(
    keywords: Sequence[str], probabilities: Sequence[float], model: CandidateFilter
) -> list[str]:
    """Return the ``keywords`` whose ``probabilities`` pass the thresholds (see ``keep``)."""
    kept = [
        k
        for i, (k, p) in enumerate(zip(keywords, probabilities, strict=True))
        if p >= (model.threshold_first if i == 0 else model.threshold)
    ]
    if not kept and keywords:
        best = max(range(len(keywords)), key=probabilities.__getitem__)
        if probabilities[best] >= model.floor:
            kept = [keywords[best]]
    return kept


def _case_shape(word: str) -> str:
    """Return how ``word`` is capitalised: upper (MIT), title (Boston), lower, or mixed (iOS)."""
    if word.isupper():
        return "upper"
    if word.istitle():
        return "title"
    if word.islower():
        return "lower"
    return "mixed"


def feature_index(name: str) -> int:
    """Return the hash of a feature name (CRC-32 of its UTF-8 bytes), stable across runs."""
    return zlib.crc32(name.encode("utf-8"))


def _bucket(value: float, edges: Sequence[float]) -> int:
    """Return how many of ``edges`` are at most ``value``."""
    return sum(value >= e for e in edges)


def candidate_features(
    text: str, keywords: Sequence[str], word_tag: WordTag
) -> list[dict[str, float]]:
    """Return the features of each keyword proposed for ``text``, as name → value.

    ``keywords`` are the rules' proposals in the order shown; ``word_tag`` gives jieba's
    part-of-speech tag and dictionary frequency of a word (``matching.expertise.word_tag``).
    Every feature is binary (value 1.0) except a few scaled numbers; names are hashed by
    ``feature_index``.
    """
    from matching.keywords import author_keywords, corpus_idf, general_idf

    def token_facts(token: str) -> tuple[str, int]:
        """Return the tag of ``token`` and its frequency band (0 unknown … 5 very common)."""
        tag, freq = word_tag(token)
        return tag or "?", _bucket(freq, (1, 10, 100, 1000, 10000))

    lowered = textmod.normalise(text)
    idf_table, idf_median = general_idf()
    lexicon = textmod.lexicon()
    authors = author_keywords()
    corpus = corpus_idf()
    chatty = sum(lowered.count(p) for p in _PARTICLES)
    text_facts = {
        f"text_len={_bucket(len(lowered), (15, 40, 80, 150, 250))}": 1.0,
        f"n_kw={min(len(keywords), 6)}": 1.0,
        f"text_particles={_bucket(chatty, (1, 2, 4, 8))}": 1.0,
    }
    out = []
    cursor = 0
    for rank, keyword in enumerate(keywords):
        kw = textmod.normalise(keyword).strip()
        f: dict[str, float] = dict(text_facts)
        f["bias_rank=" + str(min(rank, 4))] = 1.0
        f["kw=" + kw] = 1.0
        f[f"len={min(len(kw), 12)}"] = 1.0
        latin, digit, han = bool(_LATIN.search(kw)), bool(_DIGIT.search(kw)), bool(_HAN.search(kw))
        f[f"classes={int(latin)}{int(digit)}{int(han)}"] = 1.0
        words = _TYPED_WORD.findall(keyword) if latin else []
        if words:
            # The case as typed, which normalising loses: Backend dev, MIT, iOS, power module.
            f["shape_first=" + _case_shape(words[0])] = 1.0
            f["shape_last=" + _case_shape(words[-1])] = 1.0
            f[f"latin_words={min(len(words), 4)}"] = 1.0
        if han:
            chars = [c for c in kw if _HAN.match(c)]
            f["first=" + chars[0]] = 1.0
            f["last=" + chars[-1]] = 1.0
            f["first2=" + kw[:2]] = 1.0
            f["last2=" + kw[-2:]] = 1.0
            for c in set(chars):
                f["c=" + c] = 1.0
            for a, b in zip(kw, kw[1:], strict=False):
                f["cc=" + a + b] = 1.0
        tokens = [t for t in textmod.cut(kw) if t.strip()]
        f[f"n_tok={min(len(tokens), 5)}"] = 1.0
        if tokens:
            for position, token in (("ft", tokens[0]), ("lt", tokens[-1])):
                tag, band = token_facts(token)
                f[f"{position}={token}"] = 1.0
                f[f"{position}_tag={tag}"] = 1.0
                f[f"{position}_tag_band={tag}{band}"] = 1.0
                f[f"{position}_len={min(len(token), 4)}"] = 1.0
            for token in tokens:
                f["tok=" + token] = 1.0
                f["tok_tag=" + token_facts(token)[0]] = 1.0
            idfs = [idf_table.get(t, idf_median) for t in tokens]
            f["idf_min"] = min(idfs) / 10.0
            f["idf_max"] = max(idfs) / 10.0
            f["tok_in_lexicon"] = float(sum(t in lexicon for t in tokens) / len(tokens))
            f["tok_author_kw"] = float(any(t in authors for t in tokens))
        tag, band = token_facts(kw)
        f[f"whole_tag={tag}{band}"] = 1.0
        if kw in lexicon:
            f["lexicon=" + lexicon[kw]] = 1.0
        if kw in authors:
            f["author_kw"] = 1.0
        f[f"csl_df={_bucket(corpus.df.get(kw, 0), (1, 2, 5, 20))}"] = 1.0
        # Its first occurrence from where the previous keyword was, else anywhere.
        found = lowered.find(kw, cursor)
        if found < 0:
            found = lowered.find(kw)
        _context_features(lowered, kw, found, f, token_facts)
        if found >= 0:
            cursor = found
        out.append(f)
    return out


def _context_features(
    lowered: str,
    kw: str,
    at: int,
    f: dict[str, float],
    token_facts: Callable[[str], tuple[str, int]],
) -> None:
    """Add what surrounds ``kw``, found at ``at`` in ``lowered`` (-1: not verbatim), to ``f``."""
    if at < 0:
        # A joined keyword (慢性肾病的诊疗 → 慢性肾病诊疗): locate it by its first two characters.
        at = lowered.find(kw[:2])
        f["not_verbatim"] = 1.0
    if at < 0:
        f["not_found"] = 1.0
        return
    end = at + len(kw)
    starts = [m.end() for m in _CLAUSE_BREAKS.finditer(lowered, 0, at)]
    clause_start = starts[-1] if starts else 0
    stop = _CLAUSE_BREAKS.search(lowered, end)
    clause_end = stop.start() if stop else len(lowered)
    before = lowered[clause_start:at]
    after = lowered[end:clause_end]
    clause = lowered[clause_start:clause_end]
    f["rel_pos"] = at / max(len(lowered), 1)
    f[f"clause_no={min(len(_CLAUSE_BREAKS.findall(lowered, 0, at)), 6)}"] = 1.0
    f[f"before_len={_bucket(len(before), (1, 2, 4, 8, 16))}"] = 1.0
    f[f"after_len={_bucket(len(after), (1, 2, 4, 8, 16))}"] = 1.0
    f["b1=" + (before[-1:] or "^")] = 1.0
    f["b2=" + (before[-2:] or "^")] = 1.0
    f["a1=" + (after[:1] or "$")] = 1.0
    f["a2=" + (after[:2] or "$")] = 1.0
    before_tokens = [t for t in textmod.cut(before) if t.strip()] if before else []
    after_tokens = [t for t in textmod.cut(after) if t.strip()] if after else []
    f["bt=" + (before_tokens[-1] if before_tokens else "^")] = 1.0
    f["at=" + (after_tokens[0] if after_tokens else "$")] = 1.0
    if before_tokens:
        f["bt_tag=" + token_facts(before_tokens[-1])[0]] = 1.0
        for token in before_tokens[-4:]:
            f["bw=" + token] = 1.0
    if after_tokens:
        f["at_tag=" + token_facts(after_tokens[0])[0]] = 1.0
        for token in after_tokens[:3]:
            f["aw=" + token] = 1.0
    rest = clause.replace(kw, " ", 1)
    for particle in _PARTICLES + _SPOKEN:
        if particle in rest:
            f["clause_has=" + particle] = 1.0
    f["whole_clause"] = float(not before.strip() and not after.strip())


@lru_cache(maxsize=1)
def load_filter(path: Path | None = None) -> CandidateFilter | None:
    """Load the shipped filter (``data/models/candidate_filter.npz``); ``None`` when missing.

    Raises ``ValueError`` when the file is of another format.
    """
    path = path or data_path("models", MODEL_FILE)
    if not path.exists():
        logger.warning("%s is missing: every proposed keyword is kept", path)
        return None
    with np.load(path, allow_pickle=False) as data:
        header = json.loads(str(data["header"]))
        weights = np.asarray(data["weights"], dtype=np.float32)
    if header.get("format") != FORMAT or weights.shape[0] != 2 ** header["hash_bits"]:
        raise ValueError(f"{path} is not a candidate filter of format {FORMAT}")
    return CandidateFilter(
        weights=weights,
        bias=float(header["bias"]),
        threshold_first=float(header["threshold_first"]),
        threshold=float(header["threshold"]),
        floor=float(header.get("floor", 0.0)),
    )


def save_filter(model: CandidateFilter, path: Path, header: dict[str, object]) -> None:
    """Write ``model`` to ``path`` as compressed arrays and a JSON header (no pickle)."""
    full = dict(header)
    full.update(
        format=FORMAT,
        hash_bits=int(math.log2(model.weights.shape[0])),
        bias=model.bias,
        threshold_first=model.threshold_first,
        threshold=model.threshold,
        floor=model.floor,
    )
    np.savez_compressed(
        path,
        header=np.array(json.dumps(full, ensure_ascii=False, sort_keys=True)),
        weights=model.weights.astype(np.float32),
    )
