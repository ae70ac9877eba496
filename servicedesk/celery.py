"""The Celery application, configured from Django settings (``CELERY_`` namespace)."""

import os

from celery import Celery
from celery.signals import after_setup_logger, worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.settings")

app = Celery("servicedesk", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _require_secret_key(**signal: object) -> None:
    """Stop the worker or beat, naming SECRET_KEY, when DEBUG is off and no key is given.

    Celery logs and ignores an ``Exception`` from a signal handler, so the refusal leaves
    as ``SystemExit``.
    """
    # Django's settings are configured by now; the module itself is imported by every
    # manage.py command through servicedesk/__init__.py, so the check waits for start-up.
    from django.core.exceptions import ImproperlyConfigured

    from servicedesk.startup import require_secret_key

    try:
        require_secret_key(**signal)
    except ImproperlyConfigured as exc:
        raise SystemExit(f"ImproperlyConfigured: {exc}") from exc


worker_init.connect(_require_secret_key, weak=False)
# Beat has no earlier hook than its logging set-up (its scheduler reads the database next).
after_setup_logger.connect(_require_secret_key, weak=False)
