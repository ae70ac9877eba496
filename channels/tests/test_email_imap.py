"""``channels.poll_imap`` against an IMAP4rev1 server of the test's own (a thread speaking
the part of the protocol the poll uses): unseen messages are handled and only then marked
seen; a failure leaves its message unseen for the next poll; nothing is filed twice."""

from __future__ import annotations

import re
import socketserver
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError

from channels import tasks
from channels.choices import InboundOutcome
from channels.email import imap, intake
from channels.models import InboundMessage
from tickets.models import Ticket

from .mail import desk, eml

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_calendar")]

USER, PASSWORD = "desk@example.com", 'pa ss"word'
SEEN = "\\Seen"
_ARGUMENT = re.compile(r'"(?:[^"\\]|\\.)*"|\([^)]*\)|\S+')


@dataclass
class Stored:
    uid: int
    raw: bytes
    flags: set[str] = field(default_factory=set)


@dataclass
class Mailbox:
    """The server's one folder, and every command it was sent (for the assertions)."""

    messages: list[Stored] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)

    def add(self, raw: bytes, *flags: str) -> Stored:
        stored = Stored(uid=100 + len(self.messages), raw=raw, flags=set(flags))
        self.messages.append(stored)
        return stored

    def by_uid(self, uid: str) -> tuple[int, Stored] | None:
        for number, stored in enumerate(self.messages, start=1):
            if str(stored.uid) == uid:
                return number, stored
        return None


class _Session(socketserver.StreamRequestHandler):
    """One client: CAPABILITY, LOGIN, SELECT, UID SEARCH UNSEEN, UID FETCH (BODY.PEEK[] or
    RFC822), UID STORE +FLAGS, LOGOUT; anything else is BAD."""

    box: Mailbox

    def say(self, line: str | bytes) -> None:
        self.wfile.write((line.encode() if isinstance(line, str) else line) + b"\r\n")

    def handle(self) -> None:
        self.say("* OK IMAP4rev1 test server ready")
        while line := self.rfile.readline():
            tag, _space, rest = line.decode().rstrip("\r\n").partition(" ")
            command, *args = _ARGUMENT.findall(rest)
            self.box.commands.append(" ".join([command.upper(), *args]))
            if not self.answer(tag, command.upper(), [_unquoted(arg) for arg in args]):
                return

    def answer(self, tag: str, command: str, args: list[str]) -> bool:
        if command == "CAPABILITY":
            self.say("* CAPABILITY IMAP4rev1 AUTH=PLAIN")
        elif command == "LOGIN":
            if args != [USER, PASSWORD]:
                self.say(f"{tag} NO [AUTHENTICATIONFAILED] Invalid credentials")
                return True
        elif command == "SELECT":
            self.say(f"* {len(self.box.messages)} EXISTS")
            self.say("* FLAGS (\\Seen)")
            self.say(f"{tag} OK [READ-WRITE] SELECT completed")
            return True
        elif command == "UID" and args[:1] == ["SEARCH"]:
            unseen = [str(m.uid) for m in self.box.messages if SEEN not in m.flags]
            self.say(" ".join(["* SEARCH", *unseen]))
        elif command == "UID" and args[:1] == ["FETCH"]:
            self.fetch(args[1], args[2].upper())
        elif command == "UID" and args[:1] == ["STORE"]:
            found = self.box.by_uid(args[1])
            if found and args[2].upper() == "+FLAGS":
                found[1].flags.update(args[3].strip("()").split())
                self.say(f"* {found[0]} FETCH (UID {found[1].uid} FLAGS ({SEEN}))")
        elif command == "LOGOUT":
            self.say("* BYE logging out")
            self.say(f"{tag} OK LOGOUT completed")
            return False
        else:
            self.say(f"{tag} BAD unknown command")
            return True
        self.say(f"{tag} OK {command} completed")
        return True

    def fetch(self, uid: str, items: str) -> None:
        found = self.box.by_uid(uid)
        if found is None:
            return
        number, stored = found
        if "RFC822" in items and "PEEK" not in items:
            stored.flags.add(SEEN)  # fetching RFC822 (or BODY[]) sets \Seen (RFC 3501 6.4.5)
        name = "BODY[]" if "BODY" in items else "RFC822"
        head = f"* {number} FETCH (UID {stored.uid} {name} {{{len(stored.raw)}}}"
        self.say(head.encode() + b"\r\n" + stored.raw + b")")


def _unquoted(arg: str) -> str:
    if len(arg) >= 2 and arg[0] == arg[-1] == '"':
        return re.sub(r"\\(.)", r"\1", arg[1:-1])
    return arg


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


@pytest.fixture
def mailbox(settings, monkeypatch) -> Iterator[Mailbox]:
    """A running server with an empty INBOX; ``IMAP_URL`` points at it."""
    desk(settings, monkeypatch)
    box = Mailbox()
    handler = type("Session", (_Session,), {"box": box})
    server = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_address[1]
    settings.IMAP_URL = f"imap://desk%40example.com:pa%20ss%22word@127.0.0.1:{port}/INBOX"
    yield box
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_unseen_messages_are_handled_then_marked_seen(alice, mailbox):
    # given: a new problem, an out-of-office reply, garbage, and a message already read
    new = mailbox.add(eml("new_ticket.eml"))
    ooo = mailbox.add(eml("auto_replied.eml", token="x", number="IT-1"))
    garbage = mailbox.add(eml("malformed_binary.eml"))
    read = mailbox.add(eml("html_script.eml"), SEEN)

    # when: beat's task runs
    handled = tasks.poll_imap()

    # then: one ticket; every unseen message marked once it was handled; the read one untouched
    assert handled == 3
    ticket = Ticket.objects.get()
    assert (ticket.requester.username, ticket.title) == ("alice", "打印机卡纸了")
    assert all(SEEN in stored.flags for stored in (new, ooo, garbage))
    outcomes = dict(InboundMessage.objects.values_list("event_id", "outcome"))
    assert outcomes == {
        "CAJ8n3Hq1x9F2kT0b7e@mail.example.com": InboundOutcome.FILED,
        "ooo-1@mail.example.com": InboundOutcome.IGNORED,
    }
    fetched = [c for c in mailbox.commands if c.startswith("UID FETCH")]
    assert fetched == [f"UID FETCH {m.uid} (BODY.PEEK[])" for m in (new, ooo, garbage)]
    assert not any(str(read.uid) in command for command in mailbox.commands)
    assert mailbox.commands[0] == "CAPABILITY"
    assert mailbox.commands[-1] == "LOGOUT"


def test_each_message_is_marked_only_after_it_was_handled(alice, mailbox, monkeypatch):
    # given
    new = mailbox.add(eml("new_ticket.eml"))
    flags_while_handled: list[set[str]] = []
    receive = intake.receive

    def watch(raw: bytes):
        flags_while_handled.append(set(new.flags))
        return receive(raw)

    monkeypatch.setattr(intake, "receive", watch)

    # when
    imap.poll_configured()

    # then
    assert flags_while_handled == [set()]
    assert SEEN in new.flags


def test_a_database_failure_leaves_the_message_unseen_for_the_next_poll(
    alice, mailbox, monkeypatch
):
    # given: the database fails while the first poll hands the message over
    new = mailbox.add(eml("new_ticket.eml"))
    later = mailbox.add(eml("chinese_gbk.eml"))
    receive = intake.receive

    def down(raw: bytes):
        raise OperationalError("the database went away")

    monkeypatch.setattr(intake, "receive", down)

    # when
    first = tasks.poll_imap()

    # then: the poll stopped; nothing marked, nothing filed
    assert first == 0
    assert SEEN not in new.flags and SEEN not in later.flags
    assert not Ticket.objects.exists()

    # when: the database is back
    monkeypatch.setattr(intake, "receive", receive)
    second = tasks.poll_imap()

    # then
    assert second == 2
    assert Ticket.objects.count() == 2
    assert SEEN in new.flags and SEEN in later.flags


def test_one_message_that_fails_does_not_hold_up_the_others(alice, mailbox, monkeypatch):
    # given: a message the intake fails on (a bug), then a good one
    bad = mailbox.add(eml("precedence_bulk.eml"))
    good = mailbox.add(eml("new_ticket.eml"))
    receive = intake.receive

    def fails_on_the_digest(raw: bytes):
        if b"Weekly digest" in raw:
            raise RuntimeError("a bug")
        return receive(raw)

    monkeypatch.setattr(intake, "receive", fails_on_the_digest)

    # when
    handled = tasks.poll_imap()

    # then
    assert handled == 1
    assert (SEEN in bad.flags, SEEN in good.flags) == (False, True)
    assert Ticket.objects.count() == 1


def test_a_message_fetched_again_files_nothing_more(alice, mailbox):
    # given: handled once, then its \Seen flag lost (another client, a restored mailbox)
    new = mailbox.add(eml("new_ticket.eml"))
    tasks.poll_imap()
    new.flags.clear()

    # when
    tasks.poll_imap()

    # then
    assert Ticket.objects.count() == 1
    assert InboundMessage.objects.count() == 1
    assert SEEN in new.flags


def test_a_refused_login_is_logged_and_files_nothing(alice, mailbox, settings, caplog):
    # given
    mailbox.add(eml("new_ticket.eml"))
    settings.IMAP_URL = settings.IMAP_URL.replace("pa%20ss", "wrong")

    # when
    handled = tasks.poll_imap()

    # then
    assert handled == 0
    assert not Ticket.objects.exists()
    assert "IMAP poll failed" in caplog.text
    assert cache.add(imap.LOCK_KEY, 1)  # the lock was let go


def test_no_imap_url_no_poll(settings, mailbox):
    # given
    mailbox.add(eml("new_ticket.eml"))
    settings.IMAP_URL = ""

    # when / then
    assert tasks.poll_imap() == 0
    assert mailbox.commands == []


def test_a_poll_still_running_is_not_overtaken(alice, mailbox):
    # given
    mailbox.add(eml("new_ticket.eml"))
    cache.add(imap.LOCK_KEY, 1)

    # when / then
    assert tasks.poll_imap() == 0
    assert mailbox.commands == []


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "imaps://it%40corp.example:p%40ss@mail.corp.example/Service%20Desk",
            imap.Mailbox(
                "mail.corp.example", 993, "it@corp.example", "p@ss", "Service Desk", True, False
            ),
        ),
        (
            "imap://desk:pw@127.0.0.1:1143/?starttls=1",
            imap.Mailbox("127.0.0.1", 1143, "desk", "pw", "INBOX", False, True),
        ),
    ],
)
def test_the_imap_url_names_the_mailbox(url, expected):
    assert imap.mailbox(url) == expected


def test_an_imap_url_of_another_kind_is_refused():
    with pytest.raises(ImproperlyConfigured):
        imap.mailbox("pop3://desk:pw@mail.example.com/")
