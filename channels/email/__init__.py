"""E-mail in: one RFC 822 message → a ticket, a reply on one, a command, or nothing.

Two ways in, one path: ``manage.py ingest_email`` reads a message from standard input (an
MTA's pipe), and ``channels.poll_imap`` (beat, every ``IMAP_POLL_SECONDS``) fetches the
unseen messages of ``IMAP_URL``'s mailbox. Both hand the bytes to
``channels.email.intake.receive``, which parses them (``parse``), and passes them to the
IM intake's core (``channels.intake.core.receive``) with its own decisions: the same
claim on ``InboundMessage`` (provider ``"email"``, the Message-ID) makes a redelivery or a
re-fetch file nothing more, and the same services file tickets (``channel = email``) and
replies. Answers go by mail after the commit (``answers``).

Modules: ``decode`` (charsets and headers), ``html`` (HTML body as text, through nh3),
``quotes`` (a reply without its quoted history), ``parse``, ``loops`` (auto-replies,
bounces, ourselves), ``attachments`` (the web's upload limits), ``intake`` (who, which
ticket, what), ``answers``, ``imap``.
"""

from channels.choices import EMAIL

PROVIDER = EMAIL  # InboundMessage.provider of mail (Message-IDs are their own namespace)
