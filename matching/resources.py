"""Locate the files under the project's top-level ``data/`` folder."""

from __future__ import annotations

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


def data_path(*parts: str) -> Path:
    """Return the path of a file shipped in ``data/``."""
    return DATA_DIR.joinpath(*parts)
