"""Train the discipline classifier from CSL's 8,000 category-labelled training titles.

Run ``python -m matching.discipline_training --data ../shared/data/csl-dev`` to rewrite
``data/models/discipline_classifier.npz``: a sublinear TF-IDF over ``matching.index`` terms
(tokens plus their inner dictionary words) and a multinomial logistic regression over CSL's 13
top-level categories (工学, 医学, 法学, …). Only ``cls_ctg_train.tsv`` is read; the dev papers that
``huaicai eval match`` scores (``cls_ctg_dev.tsv``, ``cls_dcp_dev.tsv``) are never used for
training. The solver is deterministic (lbfgs, fixed seed), so the same inputs give the same file.
"""

from __future__ import annotations

import argparse
import json
import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from matching.disciplines import MODEL_FILE, model_path
from matching.index import analyse, index_terms

logger = logging.getLogger(__name__)

TRAIN_FILE = "cls_ctg_train.tsv"
# Inverse regularisation strength (chosen among 3, 10 and 30 by accuracy on held-apart titles).
REGULARISATION_C = 10.0
# Terms seen in fewer training titles are dropped (they are mostly typos and one-off names).
MIN_DOCUMENT_FREQUENCY = 2
SEED = 0
SOURCE = (
    "CSL cls_ctg_train.tsv (8,000 titles, 13 categories); CSL, Chinese Scientific Literature "
    "(Li et al., COLING 2022), Apache-2.0"
)


def read_titles(data_dir: Path) -> tuple[list[str], list[str]]:
    """Read the titles and categories of ``cls_ctg_train.tsv`` (``task<TAB>title<TAB>category``)."""
    titles, categories = [], []
    with (Path(data_dir) / TRAIN_FILE).open(encoding="utf-8") as fh:
        for line in fh:
            _, title, category = line.rstrip("\n").split("\t")
            titles.append(title)
            categories.append(category)
    return titles, categories


def train(titles: Sequence[str], categories: Sequence[str]) -> dict[str, np.ndarray]:
    """Fit the classifier and return the arrays of the model file."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    terms = [index_terms(analyse(t)) for t in titles]
    vectorizer = TfidfVectorizer(
        analyzer=lambda doc: doc,
        sublinear_tf=True,
        min_df=MIN_DOCUMENT_FREQUENCY,
        dtype=np.float32,
    )
    features = vectorizer.fit_transform(terms)
    model = LogisticRegression(C=REGULARISATION_C, max_iter=5000, random_state=SEED)
    model.fit(features, list(categories))
    vocabulary = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.__getitem__)
    header = {
        "format": 1,
        "categories": [str(c) for c in model.classes_],
        "vocabulary": vocabulary,
        "features": "sublinear TF-IDF over matching.index.index_terms(analyse(text)), L2",
        "model": f"multinomial logistic regression, C={REGULARISATION_C}",
        "source": SOURCE,
    }
    blob = np.frombuffer(json.dumps(header, ensure_ascii=False).encode("utf-8"), np.uint8)
    return {
        "header": blob,
        "idf": vectorizer.idf_.astype(np.float32),
        "coef": model.coef_.astype(np.float32),
        "intercept": model.intercept_.astype(np.float32),
    }


def main(argv: Sequence[str] | None = None) -> None:
    """Rebuild ``data/models/discipline_classifier.npz`` from the CSL training titles."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, required=True, help="CSL folder with " + TRAIN_FILE)
    parser.add_argument("--out", type=Path, default=None, help=f"default: data/models/{MODEL_FILE}")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    titles, categories = read_titles(args.data)
    arrays = train(titles, categories)
    out = args.out or model_path()
    with out.open("wb") as fh:
        np.savez_compressed(fh, **arrays)  # type: ignore[arg-type]
    logger.info("wrote %s: %d titles, %d terms", out, len(titles), arrays["idf"].shape[0])


if __name__ == "__main__":
    main()
