#!/usr/bin/env bash
# Run the whole service desk locally, as docker-compose.yml does: a Celery worker and beat in
# the background (logs in var/log/) and the development web server in the foreground.
# Ctrl-C stops all three. PORT (default 8000) picks the web server's port.
# Local development only: DEBUG=1 and a development-only SECRET_KEY unless the environment sets
# them (the settings default to DEBUG off and refuse to start without a key).
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${PORT:-8000}
export DEBUG=${DEBUG:-1}
# The published development key only for a development run: with DEBUG=0 the settings
# insist on a real SECRET_KEY from the environment.
if [[ "$DEBUG" == 1 ]]; then
    export SECRET_KEY=${SECRET_KEY:-dev-only-not-secret-make-run-0123456789abcdefghijklmnopqrstuvwxyz}
fi

scripts/setup.sh
DEMO_URL="http://127.0.0.1:$PORT" .venv/bin/python manage.py load_demo --if-empty

mkdir -p var/log
# Job control: each background job gets its own process group, so stopping one stops all of
# its children too (runserver's auto-reloader runs the server in a child process), and
# SIGINT is not ignored by them as it is for background jobs of a script without it.
set -m
pids=()
stop_all() {
    trap - EXIT INT TERM
    [[ ${#pids[@]} -gt 0 ]] || return 0
    echo "run: stopping web, worker and beat"
    local pid waited=0
    for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
    # A Celery worker finishes its running task on TERM; after 5 s nobody is waited for.
    while [[ $waited -lt 50 ]]; do
        local alive=0
        for pid in "${pids[@]}"; do kill -0 -- "-$pid" 2>/dev/null && alive=1; done
        [[ $alive -eq 1 ]] || break
        sleep 0.1
        waited=$((waited + 1))
    done
    for pid in "${pids[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    echo "run: stopped"
}
trap stop_all EXIT
trap 'stop_all; exit 130' INT
trap 'stop_all; exit 143' TERM

.venv/bin/celery -A servicedesk worker -l info --concurrency 2 >>var/log/worker.log 2>&1 &
pids+=($!)
# -s: where the default scheduler keeps its state, should the settings not pick another one.
.venv/bin/celery -A servicedesk beat -l info -s var/celerybeat-schedule >>var/log/beat.log 2>&1 &
pids+=($!)
echo "run: Celery worker and beat started (logs: var/log/worker.log, var/log/beat.log)"

echo "Service desk on http://127.0.0.1:$PORT"
# The web server runs in the foreground as far as the user sees, but as a child we `wait` for,
# so that the traps above run as soon as a signal arrives, not only after it exits.
.venv/bin/python manage.py runserver "127.0.0.1:$PORT" </dev/null &
pids+=($!)
wait "${pids[-1]}"
