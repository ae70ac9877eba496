"""``manage.py ingest_email < message.eml``: one e-mail from standard input, for an MTA.

Postfix, for instance (``master.cf``; the desk's address aliased to the transport)::

    servicedesk unix - n n - - pipe
      flags=Rq user=servicedesk argv=/srv/servicedesk/.venv/bin/python
      /srv/servicedesk/manage.py ingest_email

Exit status, as the MTA reads it (sysexits): 0 when the message was handled or
deliberately dropped — filed, added, a command, a duplicate, a machine's mail, an unknown
sender, and also malformed or oversized input (logged: a bounce would go to a sender who
may be forged, and retrying cannot make it readable); 75 (``EX_TEMPFAIL``) when the
database failed, or on any unexpected error (logged with its traceback), so the MTA keeps
the message and tries again later: no mail is lost to an outage or a bug.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import Error as DatabaseError

from channels.email import intake

log = logging.getLogger(__name__)

EX_TEMPFAIL = 75


class Command(BaseCommand):
    help = "File one e-mail read from standard input (an MTA pipes each message here)."
    # Called once per message: the system checks would cost each one a second.
    requires_system_checks: list[str] = []
    # call_command("ingest_email", stdin=...) reads from that instead (binary).
    stealth_options = ("stdin",)

    def handle(self, *args: Any, **options: Any) -> None:
        source = options.get("stdin") or sys.stdin.buffer
        raw = source.read(intake.MAX_MESSAGE_BYTES + 1)
        try:
            outcome = intake.receive(raw)
        except DatabaseError as exc:
            log.warning("e-mail not taken, the database failed: %s", exc)
            raise CommandError(f"database unavailable: {exc}", returncode=EX_TEMPFAIL) from exc
        except Exception as exc:
            log.exception("e-mail not taken: unexpected error")
            raise CommandError(f"not taken: {exc!r}", returncode=EX_TEMPFAIL) from exc
        self.stdout.write(" ".join(filter(None, [outcome.outcome, outcome.ticket_number])))
