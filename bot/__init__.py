"""The domain and the conversation: config, database, models, services, dialogs, jobs, CLI."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("huaicai")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
