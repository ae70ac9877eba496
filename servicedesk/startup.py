"""What a serving process checks before it starts: a real SECRET_KEY when DEBUG is off.

Called by the WSGI and ASGI entry points (gunicorn, ``runserver``) and by Celery's
worker and beat on start; ``check --deploy`` reports the same through ``check_secret_key``.
Commands that sign nothing (migrate, makemigrations, compilemessages) run without a key.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error
from django.core.exceptions import ImproperlyConfigured

MISSING_KEY = (
    "SECRET_KEY is not set. It is required when DEBUG is off (the default): set "
    "SECRET_KEY (or SECRET_KEY_FILE) to a long random value, for example the output of "
    "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`. For local "
    "development use `make run`, which sets DEBUG=1 and a development-only key."
)


def require_secret_key(**_signal: Any) -> None:
    """Stop start-up, naming SECRET_KEY, when DEBUG is off and no key was given."""
    if getattr(settings, "SECRET_KEY_MISSING", False):
        raise ImproperlyConfigured(MISSING_KEY)


def check_secret_key(**_kwargs: Any) -> list[Error]:
    """The deploy check (``manage.py check --deploy``) of the same rule."""
    if getattr(settings, "SECRET_KEY_MISSING", False):
        return [Error(MISSING_KEY, id="servicedesk.E001")]
    return []
