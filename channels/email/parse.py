"""One RFC 822 message (bytes, as an MTA pipes it or IMAP fetches it) as a ``Mail``.

Parsed with the standard library (``policy.default``); the headers are read from their raw
values (``decode``: RFC 2047 words, raw 8-bit GBK or UTF-8, mislabelled charsets), so a
header the library cannot make sense of is text all the same. The body is the first
``text/plain`` part (with the plain parts an Apple Mail splits around an inline picture),
else the ``text/html`` one as text (``html``). Every other leaf part is an attachment:
named ones, inline pictures (pasted screenshots), and a forwarded message
(``message/rfc822``) as one ``.eml`` file.

``Malformed`` is raised for what is no message at all: empty input, no From address, a
structure the library fails on. Nothing else raises.
"""

from __future__ import annotations

import binascii
import mimetypes
import re
from dataclasses import dataclass, field
from email import policy
from email.errors import HeaderParseError, MessageError
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses

from channels.email import decode, html

# Where a reply token may be found: the addresses the message was sent to.
RECIPIENT_HEADERS = ("to", "cc", "delivered-to", "x-original-to", "envelope-to")
_ANGLE_ID = re.compile(r"<([^<>\s]+)>")
# What the standard library may raise on a message it cannot read.
STRUCTURE_ERRORS = (
    MessageError,
    HeaderParseError,
    binascii.Error,
    LookupError,
    ValueError,
    TypeError,
    AttributeError,
    IndexError,
    UnicodeError,
)


class Malformed(ValueError):
    """The input is no message the desk can read."""


@dataclass(frozen=True)
class Part:
    name: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class Mail:
    message_id: str  # without the angle brackets; "" when the message has none
    sender: str  # the From address, lower case
    sender_name: str
    subject: str  # decoded, on one line
    recipients: tuple[str, ...]  # the decoded To, Cc, Delivered-To … values
    text: str  # the body as plain text, quoted history included
    from_html: bool = False
    in_reply_to: str = ""
    references: tuple[str, ...] = ()
    attachments: tuple[Part, ...] = ()
    # Every header's first value, decoded, by lower-case name (the loop guards read them).
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "text/plain"


def parse(raw: bytes) -> Mail:
    if not raw.strip():
        raise Malformed("empty input")
    message = BytesParser(policy=policy.default).parsebytes(raw)
    values: dict[str, list[str]] = {}
    for name, value in message.raw_items():
        values.setdefault(name.lower(), []).append(value)
    headers = {name: decode.header_text(found[0]) for name, found in values.items()}
    sender_name, sender = _sender(values.get("from", []))
    if not sender:
        raise Malformed("no From address")
    try:
        text, from_html, body_parts = _body(message)
        attachments = tuple(_attachments(message, body_parts))
        content_type = message.get_content_type()
    except STRUCTURE_ERRORS as exc:
        raise Malformed(f"unreadable structure: {exc!r}") from exc
    return Mail(
        message_id=_first_id(headers.get("message-id", "")),
        sender=sender,
        sender_name=sender_name,
        subject=decode.one_line(headers.get("subject", "")),
        recipients=tuple(
            decode.header_text(value)
            for name in RECIPIENT_HEADERS
            for value in values.get(name, [])
        ),
        text=text,
        from_html=from_html,
        in_reply_to=_first_id(headers.get("in-reply-to", "")),
        references=tuple(_ANGLE_ID.findall(headers.get("references", ""))),
        attachments=attachments,
        headers=headers,
        content_type=content_type,
    )


def _sender(values: list[str]) -> tuple[str, str]:
    """The display name and address of the first From address that has an ``@``."""
    unfolded = [decode.raw_8bit(decode.unfold(value)) for value in values]
    for name, address in getaddresses(unfolded):
        address = address.strip().lower()
        if "@" in address and not any(ch.isspace() for ch in address):
            return decode.one_line(decode.header_text(name)), decode.storable(address)
    return "", ""


def _first_id(value: str) -> str:
    found = _ANGLE_ID.search(value)
    if found:
        return found.group(1)
    bare = value.strip()
    return "" if any(ch.isspace() for ch in bare) else bare


def _body(message: EmailMessage) -> tuple[str, bool, list[Message]]:
    """The body's text, whether it came from HTML, and the parts that made it."""
    plain = message.get_body(preferencelist=("plain",))
    if plain is not None:
        text = _text(plain)
        if text.strip():
            extra = [part for part in _loose_plain_parts(message) if part is not plain]
            return "\n\n".join([text, *(_text(part) for part in extra)]), False, [plain, *extra]
    rich = message.get_body(preferencelist=("html",))
    if rich is not None:
        return html.to_text(_text(rich)), True, [rich] + ([plain] if plain is not None else [])
    if plain is not None:
        return _text(plain), False, [plain]
    if message.get_content_maintype() == "multipart" and not message.is_multipart():
        return _text(message), False, [message]  # no boundary found: its content as text
    return "", False, []


def _loose_plain_parts(message: Message) -> list[Message]:
    """Unnamed inline ``text/plain`` parts directly in a ``multipart/mixed`` (Apple Mail's
    text around an inline picture), in order."""
    if message.get_content_type() != "multipart/mixed":
        return []
    return [
        part
        for part in message.get_payload()
        if isinstance(part, Message)
        and part.get_content_type() == "text/plain"
        and part.get_content_disposition() != "attachment"
        and not part.get_filename()
    ]


def _text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    text = decode.text_of(payload, part.get_content_charset())
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _attachments(message: Message, body_parts: list[Message]) -> list[Part]:
    found: list[Part] = []
    _collect(message, body_parts, found)
    return found


def _collect(part: Message, body_parts: list[Message], found: list[Part]) -> None:
    if any(part is body for body in body_parts):
        return
    kind = part.get_content_type()
    if kind == "message/rfc822":
        found.append(_forwarded(part, len(found) + 1))
        return
    if part.is_multipart():
        for child in part.get_payload():
            if isinstance(child, Message):
                _collect(child, body_parts, found)
        return
    name = _filename(part)
    if kind in ("text/plain", "text/html") and not name:
        return  # the body's other form (the HTML beside the plain text)
    content = part.get_payload(decode=True)
    if not isinstance(content, bytes):
        return
    if not name:
        name = f"{part.get_content_maintype()}-{len(found) + 1}{_extension(kind)}"
    found.append(Part(name=name, content_type=kind, content=content))


def _forwarded(part: Message, number: int) -> Part:
    """A forwarded message as one ``.eml`` file, named for its subject when it has one."""
    inner = part.get_payload()
    inner_message = inner[0] if isinstance(inner, list) and inner else None
    content, subject = b"", ""
    if isinstance(inner_message, Message):
        try:
            content = inner_message.as_bytes()
            subject = decode.one_line(decode.header_text(str(inner_message.get("subject", ""))))
        except STRUCTURE_ERRORS:
            pass  # kept as an empty file, named by its number: the mail itself is read
    name = _filename(part) or f"{subject or f'message-{number}'}.eml"
    return Part(name=name, content_type="message/rfc822", content=content)


def _filename(part: Message) -> str:
    """The part's file name: RFC 2231 (the library's), or RFC 2047 words many mailers put
    there, or raw 8-bit."""
    name = part.get_filename() or ""
    return decode.one_line(decode.header_text(name)) if name else ""


def _extension(content_type: str) -> str:
    return mimetypes.guess_extension(content_type) or ""
