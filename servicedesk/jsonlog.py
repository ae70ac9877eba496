"""Log lines as JSON, one per line, with nothing secret in them.

``JsonFormatter`` writes ``time`` (UTC), ``level``, ``logger``, ``message``, the request id
and user id of the request or task being served (``servicedesk.logcontext``), and the
fields a request or task line adds (``route``, ``status``, ``duration_ms`` …, a fixed list:
an object passed in ``extra`` — Django's ``request`` on its error lines — is never dumped).
``LOG_FORMAT=text`` keeps the same redaction in a plain layout for a terminal.

``RedactFilter`` (on the handler, so every logger's lines pass it) rewrites the message and
the traceback before any formatter sees them:

- the values of the secrets this desk is configured with (``SECRET_KEY``, the IM apps'
  secrets and tokens, the mail and database passwords, ``METRICS_TOKEN``) wherever they
  appear;
- credentials by their shape: ``Bearer …``/``Token …``/``Basic …``, and the value after any
  key that names a secret — passwords, tokens, cookies (``sessionid``, ``csrftoken``),
  ``Authorization``, the IMs' signing headers and parameters (``X-Slack-Signature``,
  DingTalk's ``timestamp`` + ``sign``, ``X-Lark-Signature``, WeCom's ``msg_signature``,
  ``nonce``, ``echostr``) — in ``key=value``, ``key: value`` and ``'key': 'value'`` forms,
  headers as Django names them (``HTTP_X_SLACK_SIGNATURE``) included.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from functools import cache
from typing import Any
from urllib.parse import parse_qsl

from django.conf import settings
from django.core.signals import setting_changed

from servicedesk import logcontext

REDACTED = "[redacted]"
# Keys whose values are secret wherever they appear (matched case-insensitively, at the end
# of a longer name too: HTTP_X_SLACK_SIGNATURE, x-lark-signature, new_password1).
SECRET_KEYS = (
    "password\\d?",
    "passwd",
    "secret",
    "token",
    "api_?key",
    "aes_?key",
    "authorization",
    "cookie",
    "sessionid",
    "csrftoken",
    "csrfmiddlewaretoken",
    "signature",
    "sign",
    "timestamp",
    "nonce",
    "echostr",
)
_KEYS = "|".join(SECRET_KEYS)
_KEY_VALUE = re.compile(rf"(?i)(?<![a-z])({_KEYS})(\\?[\"']?\s*[:=]\s*\\?[\"']?)([^\s&\"',;}}\\]+)")
_SCHEME = re.compile(r"(?i)\b(Bearer|Token|Basic)\s+[A-Za-z0-9._~+/=-]{6,}")
_SECRET_QUERY_KEY = re.compile(rf"(?i)(?:^|[_-])({_KEYS})$")
# Settings that hold secrets, by name (their values are scrubbed from every line).
_SECRET_SETTING = re.compile(r"(SECRET|TOKEN|PASSWORD|_KEY)$")
# Fields a line may carry besides the standard ones.
EXTRA_FIELDS = (
    "event",
    "method",
    "route",
    "path",
    "query",
    "status",
    "duration_ms",
    "db_queries",
    "task",
    "task_id",
    "outcome",
)


def redact(text: str) -> str:
    for secret in _configured_secrets():
        if secret in text:
            text = text.replace(secret, REDACTED)
    text = _SCHEME.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
    return _KEY_VALUE.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)


def redact_query(query: str) -> str:
    """A query string with the values of secret-looking parameters replaced."""
    if not query:
        return ""
    pairs = [
        f"{key}={REDACTED if _SECRET_QUERY_KEY.search(key) else value}"
        for key, value in parse_qsl(query, keep_blank_values=True)
    ]
    return redact("&".join(pairs))


@cache
def _configured_secrets() -> tuple[str, ...]:
    """The secret values of the settings (read once; six characters at least, so an empty
    or trivial value never blanks out ordinary text)."""
    found = {
        value
        for name in dir(settings)
        if name.isupper()
        and _SECRET_SETTING.search(name)
        and isinstance(value := getattr(settings, name), str)
    }
    found |= {str(key) for key in settings.SECRET_KEY_FALLBACKS}
    found |= {str(db.get("PASSWORD", "")) for db in settings.DATABASES.values()}
    return tuple(sorted((s for s in found if len(s) >= 6), key=len, reverse=True))


def _forget_secrets(**_signal: Any) -> None:
    """Tests change settings (``override_settings``): read the secrets again."""
    _configured_secrets.cache_clear()


setting_changed.connect(_forget_secrets, dispatch_uid="servicedesk.jsonlog.forget_secrets")


class RedactFilter(logging.Filter):
    """Rewrite a record's message and traceback with ``redact`` (never drops a line)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = redact(record.getMessage())
        record.msg, record.args = message, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        record.stack_info = redact(record.stack_info) if record.stack_info else None
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or logcontext.request_id.get(),
            "user_id": getattr(record, "user_id", None) or logcontext.user_id.get(),
        }
        for name in EXTRA_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                line[name] = value if isinstance(value, int | float) else redact(str(value))
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(self.formatException(record.exc_info))
        if record.exc_text:
            line["exc"] = record.exc_text
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """The plain layout (``LOG_FORMAT=text``) with the request id in it."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(rid)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        record.rid = logcontext.request_id.get() or "-"
        return super().format(record)
