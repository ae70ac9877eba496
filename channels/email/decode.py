"""Bytes and headers of real mail as text: charsets as mailers mislabel them.

Chinese mail is often labelled ``gb2312`` while it holds GBK characters (喆, 堃, 镕 …), or
carries raw 8-bit GBK or UTF-8 in its headers without any RFC 2047 encoding. So a label is
read through its superset (GB2312 and GBK as GB18030, Big5 as Big5-HKSCS, Latin-1 as
Windows-1252), an unknown or lying label falls back to UTF-8 and then GB18030, and what
still does not decode is replaced (U+FFFD), never an error. The result never holds NUL or
a lone surrogate (PostgreSQL refuses both).
"""

from __future__ import annotations

import re
from email.errors import HeaderParseError
from email.header import decode_header

# Labels read through a superset that decodes what the label's mailers really send.
SUPERSETS = {
    "gb2312": "gb18030",
    "gb_2312-80": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "euc-cn": "gb18030",
    "big5": "big5hkscs",
    "ks_c_5601-1987": "cp949",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "us-ascii": "utf-8",
    "ascii": "utf-8",
}
FALLBACKS = ("utf-8", "gb18030")
_FOLD = re.compile(r"\r?\n[ \t]")
_SURROGATES = re.compile("[\ud800-\udfff]")


def text_of(data: bytes, charset: str | None = None) -> str:
    """``data`` as text: its label (through ``SUPERSETS``), else UTF-8, else GB18030."""
    label = (charset or "").strip().strip('"').lower()
    tried = [SUPERSETS.get(label, label)] if label else []
    for name in (*tried, *FALLBACKS):
        try:
            return storable(data.decode(name))
        except (LookupError, UnicodeDecodeError):
            continue
    return storable(data.decode("utf-8", errors="replace"))


def storable(text: str) -> str:
    """Without NUL and lone surrogates."""
    return _SURROGATES.sub("\ufffd", text.replace("\x00", ""))


def raw_8bit(value: str) -> str:
    """A header the parser read with raw 8-bit bytes (kept as surrogate escapes) as text."""
    if not _SURROGATES.search(value):
        return value
    return text_of(value.encode("utf-8", errors="surrogateescape"))


def unfold(value: str) -> str:
    return _FOLD.sub(" ", value).strip()


def header_text(value: str) -> str:
    """A raw header value as text: unfolded, raw 8-bit read, RFC 2047 words decoded."""
    value = raw_8bit(unfold(value))
    if "=?" not in value:
        return storable(value)
    try:
        chunks = decode_header(value)
    except (HeaderParseError, ValueError, LookupError):
        return storable(value)
    parts = []
    for chunk, charset in chunks:
        if isinstance(chunk, str):
            parts.append(chunk)
        elif charset is None:
            # decode_header hands the unencoded runs back encoded so.
            parts.append(chunk.decode("raw-unicode-escape", errors="replace"))
        else:
            parts.append(text_of(chunk, charset))
    return storable("".join(parts))


def one_line(text: str) -> str:
    """Every run of white space (line breaks of any kind included) as one space."""
    return " ".join(text.split())
