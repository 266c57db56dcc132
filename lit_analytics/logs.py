"""Logs as one JSON object per line on stderr, set up once per process (`setup`: the app's `serve.py` and its
page runs, the command line), with nothing secret in them.

    {"time": "2026-12-04T17:55:01.123Z", "level": "INFO", "logger": "lit_analytics.page", "event": "page_run",
     "page": "carte", "account": "5f0c2a9e41d7", "duration": 0.184, "outcome": "ok"}

* Every record of the process goes through one handler on the root logger; the loggers that keep their own
  handler and do not propagate (Streamlit's, uvicorn's) have that handler's format replaced by the same JSON (and
  Python's warnings are logged), so stderr holds only JSON lines (Streamlit's start-up banner goes to stdout).
* `Redact`, on every such handler, masks what a user typed or a secret that a message might carry: e-mail
  addresses, the values of `password=`, `token=`, `code=`, `secret=`, `session=`… (query strings, settings),
  `Bearer …` and the password of a `postgresql://user:password@` URL. Messages are redacted, not trusted.
* An account is named by `account_id`: a keyed hash of its e-mail, never the e-mail (a name is personal data and
  the logs travel further than the database); with the key (`LIT_LOG_KEY`, else the database's random instance
  id), an administrator can tell which account an id is, nobody else can (an unkeyed hash of a guessable address
  would be reversed by hashing a list of addresses).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import sys
import threading
import time
from datetime import datetime, timezone
from typing import Any

from lit_analytics import config

MASK = "[masqué]"
EMAIL = re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
URL_PASSWORD = re.compile(r"(\b[a-z][a-z0-9+.-]*://[^:/@\s]*:)[^@/\s]+@", re.IGNORECASE)
SECRET_VALUE = re.compile(
    r"((?:password|passwd|pwd|mot[_-]?de[_-]?passe|token|code|secret|session|cookie|handoff|api[_-]?key)"
    r"""["']?\s*[=:]\s*["']?)[^&\s"',;]+""", re.IGNORECASE)
BEARER = re.compile(r"(\bBearer\s+)[^\s\"',;]+", re.IGNORECASE)

# Attributes every LogRecord has: the others are the `extra` fields of a call, written as fields of the line.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName"}


def redact(text: str) -> str:
    """`text` without e-mail addresses, secret values, bearer tokens nor URL passwords."""
    if "@" not in text and "=" not in text and ":" not in text and "bearer" not in text.lower():   # most fields
        return text
    text = URL_PASSWORD.sub(rf"\1{MASK}@", text)
    text = BEARER.sub(rf"\1{MASK}", text)
    text = SECRET_VALUE.sub(rf"\1{MASK}", text)
    return EMAIL.sub("[e-mail]", text)


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, (int, float, bool)) or value is None:
        return value
    return redact(str(value))


class Redact(logging.Filter):
    """Masks secrets in a record's message and extra fields before any handler writes it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "_lit_redacted", False):
            try:
                message = record.getMessage()
            except Exception:   # a message whose arguments do not fit: keep its template
                message = str(record.msg)
            record.msg, record.args = redact(message), None
            for key, value in list(vars(record).items()):
                if key not in _STANDARD and not key.startswith("_"):
                    setattr(record, key, _clean(value))
            record._lit_redacted = True
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, event (the message), the call's extra fields, and the
    exception if any — every text redacted."""

    def format(self, record: logging.LogRecord) -> str:
        clean = (lambda v: v) if getattr(record, "_lit_redacted", False) else _clean   # (Redact did it already)
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "event": clean(record.getMessage()),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_") and key not in line:
                line[key] = clean(value)
        if record.exc_info:
            line["exception"] = redact(self.formatException(record.exc_info))
        elif record.exc_text:
            line["exception"] = redact(record.exc_text)
        return json.dumps(line, ensure_ascii=False, default=str)


class StderrHandler(logging.StreamHandler):
    """Writes to the `sys.stderr` of the moment (a test capturing it, or a redirected stream, gets the lines)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


_HANDLER: list[logging.Handler] = []
_SCANNED: list = [-1, 0.0]     # loggers seen at the last scan, and when
_LOCK = threading.Lock()


def _adopt(handler: logging.Handler) -> None:
    if not getattr(handler, "_lit_json", False):
        handler.setFormatter(JsonFormatter())
        handler.addFilter(Redact())
        handler._lit_json = True


def setup(default_level: str = "INFO") -> logging.Handler:
    """Once per process: the JSON handler on stderr for the root logger; the app's loggers (`lit_analytics.*`) at
    `LIT_LOG_LEVEL` (else `default_level`), other libraries' at WARNING.
    Every call also gives the JSON format to the handlers of loggers that keep their own and do not propagate,
    created or replaced since (Streamlit makes its loggers as its modules are imported, and remakes their
    handlers when its settings are read again): at once for a new logger, within 10 s for a remade handler.
    Returns the root's handler."""
    with _LOCK:
        if not _HANDLER:
            handler = StderrHandler()
            _adopt(handler)
            root = logging.getLogger()
            root.addHandler(handler)
            # (the root keeps its level, WARNING by default: other libraries' warnings and errors)
            logging.captureWarnings(True)
            _HANDLER.append(handler)
        # At every call (a command run in a process that served pages, in the tests, gets the command's level): what
        # stderr shows is the handler's level; our loggers pass INFO and above on (other handlers, e.g. pytest's,
        # still see a command's errors).
        level = logging.getLevelName(config.log_level(default_level))
        level = level if isinstance(level, int) else logging.INFO
        if _HANDLER[0].level != level:
            _HANDLER[0].setLevel(level)
        ours = logging.getLogger("lit_analytics")
        if ours.level != min(level, logging.INFO):
            ours.setLevel(min(level, logging.INFO))
        loggers = logging.Logger.manager.loggerDict
        now = time.monotonic()
        if len(loggers) != _SCANNED[0] or now - _SCANNED[1] > 10:   # a new logger, or a handler remade since
            _SCANNED[:] = [len(loggers), now]
            for logger in list(loggers.values()):
                if isinstance(logger, logging.Logger) and not logger.propagate:   # (the root's others untouched)
                    for handler in logger.handlers:
                        _adopt(handler)
        return _HANDLER[0]


def account_id(email: str | None, key: str = "") -> str | None:
    """A short keyed hash naming an account in the logs (`LIT_LOG_KEY`, else `key`: the database's instance)."""
    if not email:
        return None
    secret = (config.log_key() or key or "lit").encode("utf-8")
    return hmac.new(secret, email.strip().lower().encode("utf-8"), hashlib.sha256).hexdigest()[:12]
