"""Settings for benchmarks: production-like (DEBUG off, manifest static files), but on loopback.

``DATABASE_URL`` names the bench database (``servicedesk_bench`` by default); the
Redis database is a separate one so Celery messages published while filing
tickets never reach a developer's worker.
"""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/servicedesk_bench")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/9")
os.environ.setdefault("SECRET_KEY", "bench-only-not-secret-0123456789abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("SESSION_COOKIE_SECURE", "0")
os.environ.setdefault("CSRF_COOKIE_SECURE", "0")
os.environ.setdefault("SECURE_HSTS_SECONDS", "0")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")

from pathlib import Path  # noqa: E402

from servicedesk.settings import *  # noqa: E402, F403

STATIC_ROOT = Path(__file__).resolve().parent / ".artifacts" / "static"
# Many benchmark requests log in as the same user from one address: no lockouts.
AXES_ENABLED = False
