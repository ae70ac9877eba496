"""Fetching mail from an IMAP mailbox (``IMAP_URL``): the beat task ``channels.poll_imap``.

``IMAP_URL`` is ``imaps://user:password@host:993/INBOX`` (TLS, certificate checked) or
``imap://user:password@host:143/INBOX`` (``?starttls=1`` to upgrade; plain only for a
server on the same host); user and password percent-encoded, the folder as the server
names it (default ``INBOX``). Empty: no polling.

Each poll logs in, selects the folder, asks for the unseen messages (``UID SEARCH
UNSEEN``) and, oldest first, fetches each without marking it (``BODY.PEEK[]``), hands it
to ``channels.email.intake.receive`` and only then marks it ``\\Seen``. So a message is
never lost: a crash or a database failure leaves it unseen for the next poll, and the
intake's de-duplication on the Message-ID makes a message handled but not yet marked
(the connection broke in between) file nothing the second time. A database failure ends
the poll (every message would fail alike); any other failure of one message is logged
and the poll goes on with the next, the failed one staying unseen. One poll at a time
(a cache lock): a slow poll is not overtaken by the next beat.
"""

from __future__ import annotations

import imaplib
import logging
import ssl
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import Error as DatabaseError

from channels.email import intake

log = logging.getLogger(__name__)

TIMEOUT = 30.0  # seconds for connecting and for each answer
BATCH = 200  # messages per poll at most; the rest wait for the next one
LOCK_KEY = "channels:email:imap-poll"
LOCK_SECONDS = 300  # the task's time limit: a lock is never older than a running poll
_TRUE = {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Mailbox:
    host: str
    port: int
    user: str
    password: str
    folder: str
    tls: bool  # imaps: TLS from the start
    starttls: bool


def mailbox(url: str) -> Mailbox:
    parts = urlsplit(url)
    if parts.scheme not in ("imap", "imaps") or not parts.hostname:
        raise ImproperlyConfigured("IMAP_URL must look like imaps://user:password@host:993/INBOX")
    tls = parts.scheme == "imaps"
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    return Mailbox(
        host=parts.hostname,
        port=parts.port or (993 if tls else 143),
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        folder=unquote(parts.path.lstrip("/")) or "INBOX",
        tls=tls,
        starttls=not tls and query.get("starttls", "0").lower() in _TRUE,
    )


def poll_configured() -> int:
    """One poll of ``IMAP_URL``'s mailbox, unless it is empty or a poll is running; how
    many messages were handled. Connection and login failures are logged, not raised."""
    url = settings.IMAP_URL
    if not url:
        return 0
    if not cache.add(LOCK_KEY, 1, timeout=LOCK_SECONDS):
        log.info("IMAP poll skipped: the previous one is still running")
        return 0
    try:
        return poll(url)
    except (imaplib.IMAP4.error, OSError) as exc:
        log.warning("IMAP poll failed: %s", exc)
        return 0
    except DatabaseError as exc:
        log.warning("IMAP poll stopped, the database failed: %s", exc)
        return 0
    finally:
        cache.delete(LOCK_KEY)


def poll(url: str, *, limit: int = BATCH) -> int:
    """Handle the mailbox's unseen messages (see the module's docstring); how many."""
    box = mailbox(url)
    client = _connect(box)
    handled = 0
    try:
        client.login(box.user, box.password)
        status, _data = client.select(_quoted(box.folder))
        if status != "OK":
            raise imaplib.IMAP4.error(f"cannot select {box.folder!r}")
        status, found = client.uid("SEARCH", "UNSEEN")
        listed = found[0].decode() if status == "OK" and found and found[0] else ""
        uids = listed.split()
        for uid in uids[:limit]:
            if _handle(client, uid):
                handled += 1
    finally:
        _logout(client)
    return handled


def _connect(box: Mailbox) -> imaplib.IMAP4:
    context = ssl.create_default_context()
    if box.tls:
        return imaplib.IMAP4_SSL(box.host, box.port, ssl_context=context, timeout=TIMEOUT)
    client = imaplib.IMAP4(box.host, box.port, timeout=TIMEOUT)
    if box.starttls:
        client.starttls(ssl_context=context)
    return client


def _handle(client: imaplib.IMAP4, uid: str) -> bool:
    """Fetch, handle and mark one message; False when it was not handled (left unseen)."""
    status, data = client.uid("FETCH", uid, "(BODY.PEEK[])")
    raw = next((item[1] for item in data or [] if isinstance(item, tuple)), None)
    if status != "OK" or not isinstance(raw, bytes):
        log.warning("IMAP message %s could not be fetched", uid)
        return False
    try:
        intake.receive(raw)
    except (DatabaseError, SoftTimeLimitExceeded):
        raise  # ends the poll: the next one tries again
    except Exception:
        log.exception("IMAP message %s not handled; left unseen", uid)
        return False
    client.uid("STORE", uid, "+FLAGS", "(\\Seen)")
    return True


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _logout(client: imaplib.IMAP4) -> None:
    try:
        client.logout()
    except (imaplib.IMAP4.error, OSError) as exc:
        log.info("IMAP logout failed: %s", exc)
