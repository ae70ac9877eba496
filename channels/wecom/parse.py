"""WeCom's XML, read safely, and a decrypted app message as a ``Delivery``.

defusedxml is not among the desk's packages, so the standard library's expat reads the
XML with every document type declaration refused: no entity is declared, so none is
expanded, internal or external. WeCom's XML is flat: ``<xml>`` with one level of fields.

An app message comes from ``FromUserName`` (the member's userid) and is de-duplicated on
``MsgId``; app messages are always direct (no group, no thread). ``text`` messages carry
``Content``; other kinds are delivered with no text; events (``MsgType`` ``event``: the
app opened, a menu clicked …) are not messages and are not delivered.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from xml.parsers import expat

from channels import signing
from channels.choices import Provider
from channels.intake import Delivery


class _Refuse(Exception):
    pass


def _no_doctype(*args: Any) -> None:
    raise _Refuse("document type declarations are refused")


def _no_external(context: str, base: str | None, system: str | None, public: str | None) -> int:
    raise _Refuse("external entities are refused")


def fields(data: bytes | str) -> dict[str, str]:
    """The text of each child of the root ``<xml>`` element; ``ValueError`` for anything
    that is not well-formed, declares a document type, or has another root."""
    found: dict[str, str] = {}
    path: list[str] = []
    chunks: list[str] = []

    def start(name: str, attrs: Mapping[str, str]) -> None:
        path.append(name)
        if len(path) == 2:
            chunks.clear()

    def end(name: str) -> None:
        if len(path) == 2:
            found.setdefault(name, "".join(chunks))
        path.pop()

    def chars(content: str) -> None:
        if len(path) == 2:
            chunks.append(content)

    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _no_doctype
    parser.EntityDeclHandler = _no_doctype
    parser.ExternalEntityRefHandler = _no_external
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    try:
        parser.Parse(data, True)
    except (expat.ExpatError, _Refuse, RecursionError) as error:
        raise ValueError(str(error)) from None
    return found


def delivery(message: Mapping[str, str]) -> Delivery | None:
    kind = message.get("MsgType", "")
    if kind == "event":
        return None
    return Delivery(
        provider=Provider.WECOM,
        event_id=signing.ident(message, "MsgId", required=True),
        sender=signing.ident(message, "FromUserName"),
        text=signing.text(message, "Content").strip() if kind == "text" else "",
        is_group=False,
        mentions_desk=True,
        raw=dict(message),
    )
