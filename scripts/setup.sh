#!/usr/bin/env bash
# Make this checkout ready to run and test, idempotently; fast when everything is done.
#   1. .venv with the exact packages of requirements.lock (reinstalled only when the lock changes)
#   2. PostgreSQL and Redis answering (started, or installed on Debian as root, where we can)
#   3. the database of DATABASE_URL exists
#   4. Debian's Chromium and a CJK font for the browser tests (Debian, root; SETUP_SKIP_BROWSER=1
#      skips this)
#   5. manage.py migrate and compilemessages (when manage.py exists)
# Usage: scripts/setup.sh [--venv-only]
# Environment: DATABASE_URL, REDIS_URL (defaults as in .env.example), PYTHON (default python3).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=.venv
STAMP=$VENV/.requirements.lock.sha256
DEFAULT_DATABASE_URL=postgres://postgres@127.0.0.1:5432/servicedesk
DEFAULT_REDIS_URL=redis://127.0.0.1:6379/0
export DEBIAN_FRONTEND=noninteractive
export PIP_DISABLE_PIP_VERSION_CHECK=1

say() { printf 'setup: %s\n' "$*"; }
die() {
    printf 'setup: ERROR: %s\n' "$*" >&2
    exit 1
}

# apt-get only as root on a Debian-like system; `apt-get update` at most once per run.
can_apt() { [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; }
apt_updated=0
apt_install() {
    can_apt || return 1
    if [[ $apt_updated -eq 0 ]]; then
        say "apt-get update"
        apt-get update -qq >/dev/null || return 1
        apt_updated=1
    fi
    say "apt-get install $*"
    apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# --- 1. virtualenv ------------------------------------------------------------------------
if [[ -x $VENV/bin/python ]] && ! "$VENV/bin/python" -c '' >/dev/null 2>&1; then
    say "$VENV is broken (its Python is gone); recreating it"
    rm -rf "$VENV"
fi
if [[ ! -x $VENV/bin/python ]]; then
    command -v "$PYTHON" >/dev/null 2>&1 || die "$PYTHON not found; install Python 3.11+ first"
    "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
        die "$PYTHON is $("$PYTHON" -V 2>&1); Python 3.11+ is required (PYTHON=/path/to/python3.11)"
    say "creating $VENV with $("$PYTHON" -V 2>&1)"
    "$PYTHON" -m venv "$VENV"
fi

# The stamp covers the lock and the venv's Python version, so either change reinstalls.
want=$({
    cat requirements.lock
    "$VENV/bin/python" -V
} | sha256sum | cut -d' ' -f1)
if [[ ! -f $STAMP || $(cat "$STAMP") != "$want" ]]; then
    say "installing requirements.lock into $VENV"
    "$VENV/bin/python" -m pip install --quiet -r requirements.lock
    "$VENV/bin/python" -m pip check >/dev/null || {
        "$VENV/bin/python" -m pip check >&2
        die "installed packages conflict (see above)"
    }
    echo "$want" >"$STAMP"
else
    say "$VENV is up to date with requirements.lock"
fi

[[ ${1:-} == --venv-only ]] && exit 0

# --- 2. PostgreSQL and Redis --------------------------------------------------------------
# Split the URLs with the standard library rather than by hand (passwords may hold ':' or '@').
urls=$(
    DATABASE_URL=${DATABASE_URL:-$DEFAULT_DATABASE_URL} REDIS_URL=${REDIS_URL:-$DEFAULT_REDIS_URL} \
        "$VENV/bin/python" - <<'EOF'
import os
import shlex
from urllib.parse import unquote, urlsplit

db = urlsplit(os.environ["DATABASE_URL"])
if db.scheme not in ("postgres", "postgresql", "pgsql", "postgis"):
    raise SystemExit(f"setup: ERROR: DATABASE_URL must be a postgres:// URL, not {db.scheme}://")
redis = urlsplit(os.environ["REDIS_URL"])
values = {
    "DB_HOST": unquote(db.hostname or "127.0.0.1"),
    "DB_PORT": str(db.port or 5432),
    "DB_USER": unquote(db.username or "postgres"),
    "DB_PASSWORD": unquote(db.password or ""),
    "DB_NAME": unquote(db.path.lstrip("/")) or "servicedesk",
    "REDIS_HOST": redis.hostname or "127.0.0.1",
    "REDIS_PORT": str(redis.port or 6379),
    "REDIS_PASSWORD": unquote(redis.password or ""),
}
for key, value in values.items():
    print(f"{key}={shlex.quote(value)}")
EOF
)
eval "$urls"

is_local() { [[ $1 == 127.0.0.1 || $1 == localhost || $1 == ::1 ]]; }

pg_ok() {
    if command -v pg_isready >/dev/null 2>&1; then
        pg_isready -q -h "$DB_HOST" -p "$DB_PORT" -t 2
    else
        "$VENV/bin/python" -c 'import socket, sys
socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2).close()' \
            "$DB_HOST" "$DB_PORT" 2>/dev/null
    fi
}

redis_ok() {
    "$VENV/bin/python" - "$REDIS_HOST" "$REDIS_PORT" "$REDIS_PASSWORD" 2>/dev/null <<'EOF'
import socket
import sys

host, port, password = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with socket.create_connection((host, port), timeout=2) as s:
    if password:
        s.sendall(f"AUTH {password}\r\n".encode())
        s.recv(64)
    s.sendall(b"PING\r\n")
    sys.exit(0 if s.recv(64).startswith(b"+PONG") else 1)
EOF
}

wait_for() { # wait_for CHECK: up to ~20 s
    local _
    for _ in $(seq 1 40); do
        "$1" && return 0
        sleep 0.5
    done
    return 1
}

pg_start() {
    local version
    version=$(find /etc/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null | sort -V | tail -1)
    [[ -n $version ]] && command -v pg_ctlcluster >/dev/null 2>&1 || return 1
    say "starting PostgreSQL $version"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    wait_for pg_ok
}

# A cluster we have just installed: let local TCP connections in without a password, as on
# the development machines (only loopback; this is never done to an existing cluster).
pg_trust_loopback() {
    local version hba
    version=$(find /etc/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -V | tail -1)
    hba=/etc/postgresql/$version/main/pg_hba.conf
    [[ -f $hba ]] || return 0
    sed -i -E 's/^(host\s+all\s+all\s+(127\.0\.0\.1\/32|::1\/128)\s+)\S+/\1trust/' "$hba"
    pg_ctlcluster --skip-systemctl-redirect "$version" main reload || true
}

PG_INSTALL_HINT="start it (pg_ctlcluster --skip-systemctl-redirect \$(ls /etc/postgresql) main start) or, on Debian as root, apt-get install postgresql"
if ! pg_ok; then
    is_local "$DB_HOST" || die "PostgreSQL at $DB_HOST:$DB_PORT does not answer (DATABASE_URL); start it or fix DATABASE_URL"
    if ! pg_start; then
        if [[ ! -d /etc/postgresql ]] && apt_install postgresql; then
            pg_start && pg_trust_loopback
        fi
    fi
    pg_ok || die "PostgreSQL does not answer on $DB_HOST:$DB_PORT; $PG_INSTALL_HINT"
fi
say "PostgreSQL answers on $DB_HOST:$DB_PORT"

redis_start() {
    command -v redis-server >/dev/null 2>&1 || return 1
    say "starting Redis on port $REDIS_PORT"
    redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" >/dev/null || true
    wait_for redis_ok
}

if ! redis_ok; then
    is_local "$REDIS_HOST" || die "Redis at $REDIS_HOST:$REDIS_PORT does not answer (REDIS_URL); start it or fix REDIS_URL"
    if ! redis_start; then
        if ! command -v redis-server >/dev/null 2>&1 && apt_install redis-server; then
            redis_start || true
        fi
    fi
    redis_ok || die "Redis does not answer on $REDIS_HOST:$REDIS_PORT; start it (redis-server --daemonize yes --bind 127.0.0.1 --port $REDIS_PORT --save \"\") or, on Debian as root, apt-get install redis-server"
fi
say "Redis answers on $REDIS_HOST:$REDIS_PORT"

# --- 3. the database ----------------------------------------------------------------------
"$VENV/bin/python" - "$DB_HOST" "$DB_PORT" "$DB_USER" "$DB_PASSWORD" "$DB_NAME" <<'EOF'
import sys

import psycopg
from psycopg import sql

host, port, user, password, name = sys.argv[1:]
try:
    conn = psycopg.connect(
        host=host, port=port, user=user, password=password or None, dbname="postgres",
        autocommit=True, connect_timeout=5,
    )
except psycopg.OperationalError as exc:
    raise SystemExit(f"setup: ERROR: cannot connect to PostgreSQL as {user}: {exc}".strip())
with conn:
    if conn.execute("select 1 from pg_database where datname = %s", [name]).fetchone():
        print(f"setup: database {name} exists")
    else:
        conn.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
        print(f"setup: created database {name}")
EOF

# --- 4. browser for the Playwright tests --------------------------------------------------
# Playwright cannot download its own browsers here; the tests use Debian's Chromium.
if [[ ${SETUP_SKIP_BROWSER:-0} != 1 ]]; then
    missing=()
    command -v chromium >/dev/null 2>&1 || missing+=(chromium)
    if command -v dpkg >/dev/null 2>&1 && ! dpkg -s fonts-wqy-microhei >/dev/null 2>&1; then
        missing+=(fonts-wqy-microhei)
    fi
    if [[ ${#missing[@]} -gt 0 ]]; then
        apt_install "${missing[@]}" ||
            say "WARNING: ${missing[*]} missing (browser tests need them): apt-get install ${missing[*]}"
    fi
fi

# --- 5. Django ----------------------------------------------------------------------------
if [[ ! -f manage.py ]]; then
    say "no manage.py yet; skipping migrate and compilemessages"
    say "done"
    exit 0
fi

say "manage.py migrate"
"$VENV/bin/python" manage.py migrate --noinput | { grep -vE '^(Operations to perform|  Apply all|Running migrations|  No migrations to apply)' || true; }

if [[ -n $(find . -path ./.venv -prune -o -path ./node_modules -prune -o -name '*.po' -print -quit) ]]; then
    if ! command -v msgfmt >/dev/null 2>&1; then
        apt_install gettext || true
    fi
    if command -v msgfmt >/dev/null 2>&1; then
        say "manage.py compilemessages"
        "$VENV/bin/python" manage.py compilemessages --ignore=.venv --ignore=node_modules >/dev/null
    else
        say "WARNING: msgfmt not found; translations not compiled (apt-get install gettext)"
    fi
fi
say "done"
