"""Article and script text: Markdown rendered to HTML that can only be read, never run.

Two layers, so that one mistake in either is not enough to inject anything:

1. markdown-it-py (CommonMark, tables, strikethrough; a line break is a ``<br>``) with raw
   HTML **off**: ``<script>`` typed into an article is shown as text. Links are kept only
   for ``http``, ``https`` and ``mailto`` (anything else stays as the literal text
   ``[x](javascript:…)``). ``file:<id>`` or ``file:<name>`` names one of the article's
   own files: an image becomes ``<img>`` with the file's URL, a link points at the file.
   Any other image (a URL elsewhere, an unknown file) is shown as its alt text.
2. nh3 (ammonia) cleans the result against an allow-list of tags and attributes: no
   ``style``, no ``class``, no ``on*``, URLs only http/https/mailto or one of the article's
   own file URLs, ``rel="noopener nofollow"`` on every link.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})
FILE_PREFIX = "file:"
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")

TAGS = frozenset(
    {
        "p", "br", "strong", "em", "del", "s", "code", "pre", "blockquote", "ul", "ol", "li",
        "h1", "h2", "h3", "h4", "h5", "h6", "hr", "a", "img", "table", "thead", "tbody", "tr",
        "th", "td",
    }
)  # fmt: skip
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
}


@dataclass(frozen=True)
class FileRef:
    """One of the article's files as the text may name it: ``file:<id>`` or its name."""

    pk: int
    name: str
    url: str
    is_image: bool


def _validate_link(url: str) -> bool:
    if url.startswith(FILE_PREFIX):
        return True
    found = _SCHEME.match(url)
    return found is not None and found.group(1).lower() in ALLOWED_SCHEMES


def _find(env: EnvType, target: str) -> FileRef | None:
    files: Mapping[str, FileRef] = env.get("files", {})
    key = target[len(FILE_PREFIX) :].strip()
    return files.get(key) or files.get(html.unescape(key))


def _image(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    src = str(token.attrGet("src") or "")
    alt = self.renderInlineAsText(token.children or [], options, env)
    ref = _find(env, src) if src.startswith(FILE_PREFIX) else None
    if ref is None or not ref.is_image:
        # Not one of the article's own images: only the words are kept.
        return html.escape(alt)
    title = token.attrGet("title")
    title_attr = f' title="{html.escape(str(title))}"' if title else ""
    return f'<img src="{html.escape(ref.url)}" alt="{html.escape(alt)}"{title_attr}>'


def _link_open(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    href = str(token.attrGet("href") or "")
    if href.startswith(FILE_PREFIX):
        ref = _find(env, href)
        # An unknown file: a link to nowhere (nh3 drops the empty href below).
        token.attrSet("href", ref.url if ref is not None else "")
    return self.renderToken(tokens, idx, options, env)


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "breaks": True, "linkify": False})
    md.enable(["table", "strikethrough"])
    md.validateLink = _validate_link  # type: ignore[method-assign]
    md.add_render_rule("image", _image)
    md.add_render_rule("link_open", _link_open)
    return md


_MD = _parser()


def _attribute_filter(allowed_urls: frozenset[str]) -> Any:
    def keep(element: str, attribute: str, value: str) -> str | None:
        if element == "img" and attribute == "src":
            return value if value in allowed_urls else None
        if element == "a" and attribute == "href":
            if value in allowed_urls:
                return value
            found = _SCHEME.match(value)
            return value if found and found.group(1).lower() in ALLOWED_SCHEMES else None
        return value

    return keep


class _Escaped(HTMLParser):
    """nh3's output written again with every text and attribute fully escaped (html5ever
    leaves quotes in text as they are: harmless, but a typed ``" onmouseover="`` should
    never appear raw in a page, whatever the context)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []

    def _tag(self, tag: str, attrs: list[tuple[str, str | None]], close: str) -> str:
        shown = "".join(
            f" {name}" if value is None else f' {name}="{html.escape(value)}"'
            for name, value in attrs
        )
        return f"<{tag}{shown}{close}>"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(self._tag(tag, attrs, ""))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(self._tag(tag, attrs, ""))

    def handle_endtag(self, tag: str) -> None:
        self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        self.out.append(html.escape(data))


def _escape_all(cleaned: str) -> str:
    parser = _Escaped()
    parser.feed(cleaned)
    parser.close()
    return "".join(parser.out)


def render(text: str, files: Sequence[FileRef] = ()) -> SafeString:
    """``text`` (Markdown) as safe HTML; ``files`` are the article's own files, the only
    images shown and the only links that are not http/https/mailto."""
    refs: dict[str, FileRef] = {}
    for ref in files:
        refs.setdefault(ref.name, ref)
        refs[str(ref.pk)] = ref
    raw = _MD.render(text or "", {"files": refs})
    urls = frozenset(ref.url for ref in files)
    cleaned = nh3.clean(
        raw,
        tags=set(TAGS),
        attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_SCHEMES),
        link_rel="noopener nofollow",
        attribute_filter=_attribute_filter(urls),
        strip_comments=True,
    )
    # Cleaned against the allow-list just above, then every text escaped again.
    return mark_safe(_escape_all(cleaned))  # noqa: S308


def plain_text(text: str, limit: int = 200) -> str:
    """The words of ``text`` without any markup, at most ``limit`` characters (lists show
    it; the template escapes it like any text)."""
    words = html.unescape(nh3.clean(_MD.render(text or "", {"files": {}}), tags=set()))
    words = " ".join(words.split())
    return words if len(words) <= limit else words[: limit - 1].rstrip() + "…"
