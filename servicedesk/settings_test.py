"""Test settings: only speed knobs differ from production settings.

The tests run from a clean clone with nothing in the environment, so, like ``make run``,
they ask for development mode (``DEBUG=1``) and a key of their own unless the environment
names them; subprocesses started with these settings do the same.
"""

import os

os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("SECRET_KEY", "test-only-not-secret-0123456789abcdefghijklmnopqrstuvwxyz")

from servicedesk.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = BASE_DIR / "var" / "test-media"  # noqa: F405
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# A commit does not wait for the WAL to reach the disk (test data need not survive a crash
# of PostgreSQL): live servers, workers and transactional tests commit thousands of times.
_options = DATABASES["default"]["OPTIONS"]  # noqa: F405
assert isinstance(_options, dict)  # noqa: S101
_options["options"] = "-c synchronous_commit=off"
