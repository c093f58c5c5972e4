"""Write a match index to disk and read it back, without pickle.

Trust model: the file is a NumPy ``.npz`` read with ``allow_pickle=False`` plus a JSON header
inside it, so loading a file cannot run code. Ids and attributes must therefore be JSON values
(str, int, float, bool, None, lists of those); lists come back as tuples so they stay hashable.
The file holds the items' texts (for the reasons): it is personal data, keep it where only the
application can read and write it. A tampered file can still make the index return wrong
results, but cannot execute anything.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp

from matching.priors import (
    DEFAULT_CATEGORY_WEIGHT,
    DEFAULT_DISCIPLINE_WEIGHT,
    DEFAULT_NEIGHBOUR_WEIGHT,
    ITEM_DISCIPLINE_SHARPNESS,
    NEIGHBOUR_MAX_DF_SHARE,
    NEIGHBOURS,
)
from matching.text import analyse, index_terms

if TYPE_CHECKING:
    from matching.index import MatchIndex

FORMAT_VERSION = 4
# Files of these versions still load. Version 1 has no discipline vectors and version 2 stores
# probabilities over the 13 categories instead of the 67 disciplines: both are recomputed.
# Before version 4 there are no neighbour lists: they are linked again from the vectors.
READABLE_FORMATS = (1, 2, 3, 4)


def save_index(index: MatchIndex, path: str | Path) -> None:
    """Write ``index`` to ``path`` as a pickle-free ``.npz`` file (compacting it first)."""
    index.compact(drop_removed=True)
    for item_id in index._ids:
        check_json_id(item_id)
    header = {
        "format": FORMAT_VERSION,
        "industry_weight": index.industry_weight,
        "discipline_weight": index.discipline_weight,
        "category_weight": index.category_weight,
        "disciplines": list(index.disciplines),
        "discipline_sharpness": ITEM_DISCIPLINE_SHARPNESS,
        "neighbours": [NEIGHBOURS, NEIGHBOUR_MAX_DF_SHARE],
        "neighbour_weight": index.neighbour_weight,
        "feedback": [index.feedback_docs, index.feedback_weight, index.feedback_terms],
        "industries": [i.id for i in index.taxonomy.industries],
        "vocabulary": index.vocabulary,
        "ids": index._ids,
        "attrs": index._attrs,
        "texts": index._texts,
    }
    blob = np.frombuffer(json.dumps(header, ensure_ascii=False).encode("utf-8"), np.uint8)
    with Path(path).open("wb") as fh:
        np.savez_compressed(
            fh,
            header=blob,
            idf=index.idf,
            data=index._main.data,
            indices=index._main.indices,
            indptr=index._main.indptr,
            industries=index._industries[: len(index._ids)],
            disciplines=index._disciplines[: len(index._ids)],
            neighbours=index._neighbours[: len(index._ids)],
            neighbour_weights=index._neighbour_weights[: len(index._ids)],
        )


def load_index(
    cls: type[MatchIndex], path: str | Path, *, tokenize: Callable[[str], list[str]] | None = None
) -> MatchIndex:
    """Read an index written by ``save_index`` as an instance of ``cls``; never unpickles.

    Raises ``ValueError`` for an unknown format or a file saved with another industry taxonomy.
    """
    with np.load(Path(path), allow_pickle=False) as npz:
        header = json.loads(npz["header"].tobytes().decode("utf-8"))
        if header.get("format") not in READABLE_FORMATS:
            raise ValueError(f"unsupported match index format: {header.get('format')!r}")
        # Older files' discipline weights were tuned for another prior (before version 4, one
        # without neighbours): use today's.
        discipline_weight, category_weight, neighbour_weight = (
            (header["discipline_weight"], header["category_weight"], header["neighbour_weight"])
            if header["format"] == FORMAT_VERSION
            else (DEFAULT_DISCIPLINE_WEIGHT, DEFAULT_CATEGORY_WEIGHT, DEFAULT_NEIGHBOUR_WEIGHT)
        )
        index = cls(
            header["vocabulary"],
            npz["idf"],
            industry_weight=header["industry_weight"],
            discipline_weight=discipline_weight,
            category_weight=category_weight,
            neighbour_weight=neighbour_weight,
            feedback_docs=header["feedback"][0],
            feedback_weight=header["feedback"][1],
            feedback_terms=header["feedback"][2],
            tokenize=tokenize,
        )
        if header["industries"] != [i.id for i in index.taxonomy.industries]:
            raise ValueError("the index was saved with a different industry taxonomy")
        ids = [from_json(i) for i in header["ids"]]
        matrix = sp.csr_matrix(
            (npz["data"], npz["indices"], npz["indptr"]),
            shape=(len(ids), len(header["vocabulary"])),
        )
        attrs = [{k: from_json(v) for k, v in a.items()} for a in header["attrs"]]
        texts = header["texts"]
        if (
            "disciplines" in npz.files
            and header.get("disciplines") == list(index.disciplines)
            and header.get("discipline_sharpness") == ITEM_DISCIPLINE_SHARPNESS
        ):
            disciplines = npz["disciplines"]
        else:
            # An older file, or one saved with another discipline model: classify again.
            disciplines = index._item_disciplines(
                [index_terms(analyse(t, tokenize)) for t in texts]
            )
        neighbours = None
        if header.get("neighbours") == [NEIGHBOURS, NEIGHBOUR_MAX_DF_SHARE]:
            rows, weights = npz["neighbours"], npz["neighbour_weights"]
            # Lists that do not fit the items (another file's, or tampered) are linked again.
            if (
                rows.shape == weights.shape == (len(ids), NEIGHBOURS)
                and np.issubdtype(rows.dtype, np.integer)
                and (len(ids) == 0 or (0 <= rows.min() and rows.max() < len(ids)))
            ):
                neighbours = (rows, weights)
        index._load_rows(
            ids, texts, matrix, npz["industries"], disciplines, attrs, neighbours=neighbours
        )
    return index


def check_json_id(item_id: Hashable) -> None:
    """Refuse ids that would not survive the JSON header."""
    if isinstance(item_id, tuple):
        for part in item_id:
            check_json_id(part)
    elif not isinstance(item_id, str | int | float | bool) and item_id is not None:
        raise TypeError(f"only JSON ids can be saved, got {type(item_id).__name__}")


def from_json(value: Any) -> Any:
    """Turn JSON lists back into tuples so ids and attribute values stay hashable."""
    if isinstance(value, list):
        return tuple(from_json(v) for v in value)
    return value
