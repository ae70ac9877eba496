"""A Celery worker whose SLA sweep can be slowed down: the reliability tests' only hook.

``python -m tests.reliability.worker_main -P solo …`` starts ``celery worker`` for the
``servicedesk`` app with two knobs read from the environment:

``SWEEP_BATCH_SIZE``    rows the sweep claims per batch (the app's default otherwise);
``SWEEP_HOLD_SECONDS``  how long each batch keeps its transaction open after it has written
                        its SLA events, timeline entries and notifications: the window in
                        which the test kills the worker, mid-transaction.

Nothing in the application changes; only this process's copy of ``tickets.sweep`` does.
"""

from __future__ import annotations

import functools
import os
import sys
import time
from typing import Any


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.settings_test")
    import django

    django.setup()
    from servicedesk.celery import app
    from tickets import sweep

    batch_size = int(os.environ.get("SWEEP_BATCH_SIZE") or sweep.BATCH_SIZE)
    hold = float(os.environ.get("SWEEP_HOLD_SECONDS") or 0)
    sweep.sweep_sla = functools.partial(sweep.sweep_sla, batch_size=batch_size)
    if hold:
        announce = sweep._announce

        def announce_and_hold(*args: Any, **kwargs: Any) -> Any:
            result = announce(*args, **kwargs)
            print(f"sweep batch written, holding its transaction {hold} s", flush=True)
            time.sleep(hold)
            return result

        sweep._announce = announce_and_hold
    app.worker_main(["worker", *sys.argv[1:]])


if __name__ == "__main__":
    main()
