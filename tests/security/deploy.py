"""``manage.py`` in a subprocess with production settings (``DEBUG=0``), for the deploy tests."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``manage.py args`` as production would: the real settings module, ``DEBUG=0``, a
    long random ``SECRET_KEY`` and a public host; ``env`` adds or overrides variables."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DEBUG"))}
    clean.update(
        {
            "DJANGO_SETTINGS_MODULE": "servicedesk.settings",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": "desk.example.com",
            **env,
        }
    )
    return subprocess.run(  # noqa: S603 (our own interpreter and manage.py)
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
