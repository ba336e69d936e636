"""Log lines carrying the conversation and user of the work being done, with passenger contact
data masked before anything is written: JSON (python-json-logger) in production and wherever
the output is not a terminal, one readable line per record in a terminal (settings.log_format:
"auto", "json" or "text").

`configure_logging(settings)` installs one handler on the root logger (idempotent: Streamlit
re-runs the script on every interaction). `log_context(conversation_id=..., user=...)` binds
ids for a block of work via contextvars, so they follow the code into threads and tasks that
copy the context (LangGraph's and asyncio's executors do)."""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import IO, Any

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

# One masking for logs and stored free text (e-mails incl. "(at)" forms, phones, card numbers).
from services.text.masking import mask_text, mask_value

conversation_id_var: ContextVar[str | None] = ContextVar("conversation_id", default=None)
user_var: ContextVar[str | None] = ContextVar("user", default=None)

HANDLER_NAME = "skydesk-json"
FORMAT = "%(levelname)s %(name)s %(message)s"
TEXT_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s%(ids)s"
TEXT_DATE = "%H:%M:%S"
RENAMED = {"levelname": "level", "name": "logger"}


class ContextFilter(logging.Filter):
    """Adds conversation_id and user from the context unless the call passed them."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "conversation_id", None) is None:
            record.conversation_id = conversation_id_var.get()
        if getattr(record, "user", None) is None:
            record.user = user_var.get()
        return True


class MaskingFilter(logging.Filter):
    """Masks e-mails and phone numbers in the message, its arguments, extra fields and the
    exception text. It formats the message once (record.args are consumed) so a number in an
    argument cannot slip through."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, dict):  # python-json-logger merges a dict message as fields
            record.msg = mask_value(record.msg)
        else:
            record.msg = mask_text(record.getMessage())
        record.args = None
        for key, value in list(vars(record).items()):
            if key not in RESERVED_ATTRS and not key.startswith("_"):
                setattr(record, key, mask_value(value))
        if record.exc_info:
            record.exc_text = mask_text("".join(traceback.format_exception(*record.exc_info)))
            record.exc_info = None  # formatters fall back to the masked exc_text
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
        return True


@contextmanager
def log_context(*, conversation_id: str | None = None, user: str | None = None) -> Iterator[None]:
    """Bind ids to every log line in this block (and in work it hands to copied contexts)."""
    tokens = []
    if conversation_id is not None:
        tokens.append((conversation_id_var, conversation_id_var.set(conversation_id)))
    if user is not None:
        tokens.append((user_var, user_var.set(user)))
    try:
        yield
    finally:
        for var, token in reversed(tokens):
            var.reset(token)


def json_handler(stream: IO[str] | None = None) -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.set_name(HANDLER_NAME)
    handler.setFormatter(JsonFormatter(FORMAT, rename_fields=RENAMED, timestamp=True))
    handler.addFilter(ContextFilter())
    handler.addFilter(MaskingFilter())
    return handler


class TextFormatter(logging.Formatter):
    """One line a person reads in a terminal: time, level, logger, message, then the
    conversation and user in brackets when the record has them."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT, datefmt=TEXT_DATE)

    def format(self, record: logging.LogRecord) -> str:
        ids = [
            f"{name}={value}"
            for name in ("conversation_id", "user")
            if (value := getattr(record, name, None)) is not None
        ]
        record.ids = f" [{' '.join(ids)}]" if ids else ""
        return super().format(record)


def text_handler(stream: IO[str] | None = None) -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.set_name(HANDLER_NAME)
    handler.setFormatter(TextFormatter())
    handler.addFilter(ContextFilter())
    handler.addFilter(MaskingFilter())
    return handler


def log_format(settings: Any, stream: IO[str]) -> str:
    """ "json" or "text": as set, or ("auto") text only in a terminal outside production."""
    chosen = str(getattr(settings, "log_format", "auto")).lower()
    if chosen in ("json", "text"):
        return chosen
    production = getattr(settings, "environment", "demo") == "production"
    is_terminal = getattr(stream, "isatty", lambda: False)()
    return "text" if is_terminal and not production else "json"


def configure_logging(settings: Any, *, stream: IO[str] | None = None) -> logging.Handler:
    """Log lines on stderr (or `stream`) at settings.log_level, JSON or text (log_format);
    replaces the handler a previous call installed, so calling it on every Streamlit re-run is
    harmless."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
        root.removeHandler(old)
    out = stream or sys.stderr
    handler = text_handler(out) if log_format(settings, out) == "text" else json_handler(out)
    root.addHandler(handler)
    root.setLevel(str(getattr(settings, "log_level", "INFO")).upper())
    # Per-request chatter from HTTP clients would drown the app's own lines.
    for noisy in ("httpx", "httpcore", "urllib3", "openai"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return handler
