"""Logging set-up shared by every process: plain text for people or one JSON object per line.

The request id of the HTTP request being served (``webhooks`` sets it) is added to every record
as ``request_id`` so the lines of one WeChat delivery can be found together.
"""

from __future__ import annotations

import logging
import sys
from contextvars import ContextVar

from pythonjsonlogger.json import JsonFormatter

from bot.config import Config

# "-" outside a request (scheduler, CLI).
request_id: ContextVar[str] = ContextVar("request_id", default="-")

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(process)d %(request_id)s %(message)s"
# Marks the handler we installed, so configuring twice (tests, create_app) replaces it.
_HANDLER_NAME = "huaicai"


class RequestIdFilter(logging.Filter):
    """Copy the current request id onto each record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


def configure_logging(config: Config, *, force: bool = False) -> None:
    """Send the root logger's records to stderr in ``app.log_format`` at ``app.log_level``.

    Like ``logging.basicConfig``, it leaves a root logger that someone else (pytest, an embedding
    server) already equipped alone, unless ``force``.
    """
    root = logging.getLogger()
    ours = [handler for handler in root.handlers if handler.get_name() == _HANDLER_NAME]
    if len(ours) != len(root.handlers) and not force:
        return
    for handler in ours:
        root.removeHandler(handler)
    root.setLevel(config.app.log_level.upper())
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.addFilter(RequestIdFilter())
    if config.app.log_format == "json":
        handler.setFormatter(
            JsonFormatter(JSON_FIELDS, rename_fields={"levelname": "level", "asctime": "time"})
        )
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    root.addHandler(handler)
