"""A Celery worker whose SLA sweep can be slowed down: the reliability tests' only hook.

``python -m tests.reliability.worker_main -P solo …`` starts ``celery worker`` for the
``servicedesk`` app with two knobs read from the environment:

``SWEEP_BATCH_SIZE``    rows the sweep claims per batch (the app's default otherwise);
``SWEEP_HOLD_SECONDS``  how long each batch keeps its transaction open after it has written
                        its SLA events, timeline entries and notifications: the window in
                        which the test kills the worker, mid-transaction.

Nothing in the application changes; only this process's copy of ``TicketClocks`` does.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.settings_test")
    import django

    django.setup()
    from servicedesk.celery import app
    from tickets.obligations import TicketClocks

    batch_size = int(os.environ.get("SWEEP_BATCH_SIZE") or TicketClocks.batch_size)
    hold = float(os.environ.get("SWEEP_HOLD_SECONDS") or 0)
    TicketClocks.batch_size = batch_size  # type: ignore[misc]
    if hold:
        announce = TicketClocks.announce

        def announce_and_hold(*args: Any, **kwargs: Any) -> Any:
            result = announce(*args, **kwargs)
            print(f"sweep batch written, holding its transaction {hold} s", flush=True)
            time.sleep(hold)
            return result

        TicketClocks.announce = announce_and_hold  # type: ignore[method-assign]
    app.worker_main(["worker", *sys.argv[1:]])


if __name__ == "__main__":
    main()
