"""What README.md ("Configuration") and SECURITY.md ("Production settings") tell an operator
is true: every variable they name is read by the settings and listed in .env.example, and
``DEBUG=0`` really switches on what SECURITY.md says it does.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.security.deploy import ROOT, manage

# Names in backticks that look like environment variables (``DEBUG=0`` counts as ``DEBUG``).
VARIABLE = re.compile(r"`([A-Z][A-Z0-9_]{2,})(?:=[^`]*)?`")
NOT_VARIABLES = {"X-Forwarded-Proto"}


def _section(path: Path, start: str, end: str) -> str:
    text = path.read_text()
    assert start in text, f"{path.name} has no {start!r} any more: update this test"
    tail = text.split(start, 1)[1]
    return tail.split(end, 1)[0] if end in tail else tail


def _documented() -> dict[str, set[str]]:
    readme = _section(ROOT / "README.md", "Production needs", "## ")
    security = _section(ROOT / "SECURITY.md", "## Production settings", "## ")
    return {
        "README.md": set(VARIABLE.findall(readme)) - NOT_VARIABLES,
        "SECURITY.md": set(VARIABLE.findall(security)) - NOT_VARIABLES,
    }


def test_the_production_docs_name_the_essential_variables():
    documented = _documented()
    assert {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL"} <= documented["README.md"]
    assert {"DEBUG", "SECRET_KEY", "CSRF_TRUSTED_ORIGINS", "MEDIA_ROOT"} <= documented[
        "SECURITY.md"
    ]


@pytest.mark.parametrize("doc", ["README.md", "SECURITY.md"])
def test_every_documented_production_variable_is_read_and_listed_in_env_example(doc):
    # given
    settings_source = (ROOT / "servicedesk" / "settings.py").read_text()
    env_example = (ROOT / ".env.example").read_text()

    # then
    for name in sorted(_documented()[doc]):
        assert re.search(rf"(env_\w+|_from_url)\(\s*\"{name}\"", settings_source), (
            f"{doc} names {name}, but servicedesk/settings.py does not read it"
        )
        assert re.search(rf"^#? ?{name}=", env_example, re.MULTILINE), (
            f"{doc} names {name}, but .env.example does not list it"
        )


def _production_settings(**env: str) -> dict[str, object]:
    names = [
        "DEBUG",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "SECURE_PROXY_SSL_HEADER",
        "SECURE_CONTENT_TYPE_NOSNIFF",
        "X_FRAME_OPTIONS",
        "MEDIA_URL",
    ]
    code = (
        "import json; from django.conf import settings as s; "
        f"print(json.dumps({{n: getattr(s, n, None) for n in {names!r}}}))"
    )
    result = manage("shell", "-c", code, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_debug_off_switches_on_what_security_md_promises():
    # when
    values = _production_settings()

    # then: "secure cookies, HTTPS redirect and a one-year HSTS with preload by default"
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600
    assert values["SECURE_HSTS_PRELOAD"] is True
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["SECURE_PROXY_SSL_HEADER"] is None  # trusted only when asked for


def _manage_with_a_bare_environment(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``manage.py args`` as a fresh server would run it: the real settings module and only
    ``PATH``, ``HOME``, ``DATABASE_URL`` and ``env`` set (no DEBUG, no SECRET_KEY)."""
    kept = {k: os.environ[k] for k in ("PATH", "HOME", "DATABASE_URL") if k in os.environ}
    return subprocess.run(  # noqa: S603 (our own interpreter and manage.py)
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**kept, "DJANGO_SETTINGS_MODULE": "servicedesk.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_debug_is_off_when_the_environment_does_not_set_it():
    # given: a key, a host, and nothing about DEBUG
    env = {"SECRET_KEY": "k" * 60, "ALLOWED_HOSTS": "desk.example.com"}

    # when
    result = _manage_with_a_bare_environment(
        "shell", "-c", "from django.conf import settings; print(settings.DEBUG)", **env
    )

    # then
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False"


def _python_with_a_bare_environment(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``python -c code`` as gunicorn would start: the real settings, no DEBUG, no key."""
    kept = {k: os.environ[k] for k in ("PATH", "HOME", "DATABASE_URL") if k in os.environ}
    return subprocess.run(  # noqa: S603 (our own interpreter)
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**kept, "DJANGO_SETTINGS_MODULE": "servicedesk.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


START_WEB = "import servicedesk.wsgi"  # what gunicorn and runserver load first


def test_start_up_without_secret_key_fails_naming_it_when_debug_is_unset():
    # when: neither DEBUG nor SECRET_KEY is set, the web process starts
    result = _python_with_a_bare_environment(START_WEB)

    # then: start-up stops, and the message says what is missing
    assert result.returncode != 0, result.stdout
    last_line = result.stderr.strip().splitlines()[-1]
    assert "ImproperlyConfigured" in last_line
    assert "SECRET_KEY is not set" in last_line


def test_the_deploy_check_names_a_missing_secret_key():
    # when
    result = _manage_with_a_bare_environment("check", "--deploy")

    # then
    assert result.returncode != 0, result.stdout
    assert "servicedesk.E001" in result.stderr
    assert "SECRET_KEY is not set" in result.stderr


def test_commands_that_sign_nothing_run_without_a_secret_key():
    # when: the release tooling, on a fresh machine with nothing set
    result = _manage_with_a_bare_environment("makemigrations", "--check", "--dry-run")

    # then: it works, and production still keeps DEBUG off
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


@pytest.mark.parametrize("secret_key", ["", "   "])
def test_start_up_with_an_empty_secret_key_fails_when_debug_is_off(secret_key):
    result = _python_with_a_bare_environment(START_WEB, DEBUG="0", SECRET_KEY=secret_key)

    assert result.returncode != 0, result.stdout
    assert "SECRET_KEY is not set" in result.stderr


def test_no_secret_key_is_built_into_the_settings():
    # given: development mode without a key: each process makes up its own
    code = "from django.conf import settings; print(settings.SECRET_KEY)"

    # when
    keys = {
        _manage_with_a_bare_environment("shell", "-c", code, DEBUG="1").stdout.strip()
        for _ in range(2)
    }

    # then
    assert len(keys) == 2, keys
    assert all(len(key) >= 50 for key in keys)


def test_secure_proxy_ssl_trusts_x_forwarded_proto():
    values = _production_settings(SECURE_PROXY_SSL="1")
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_the_deploy_check_security_md_mentions_is_in_the_suite():
    # SECURITY.md: "check --deploy --fail-level WARNING passes … it runs in the test suite".
    source = (ROOT / "tests" / "security" / "test_auth.py").read_text()
    assert '"check", "--deploy", "--fail-level", "WARNING"' in source


@pytest.mark.parametrize("process", [["worker", "--pool", "solo"], ["beat", "-s", "/dev/null"]])
def test_celery_worker_and_beat_refuse_to_start_without_a_secret_key(process):
    # given: neither DEBUG nor SECRET_KEY (REDIS_URL need not answer: they stop before)
    kept = {k: os.environ[k] for k in ("PATH", "HOME", "DATABASE_URL") if k in os.environ}

    # when
    result = subprocess.run(  # noqa: S603 (the project's own celery)
        [str(Path(sys.executable).with_name("celery")), "-A", "servicedesk", *process],
        cwd=ROOT,
        env={**kept, "DJANGO_SETTINGS_MODULE": "servicedesk.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    # then
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stdout + result.stderr
