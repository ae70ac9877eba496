"""An HTML mail body as plain text (the desk keeps text only: tickets and replies are text).

The HTML is first cleaned by nh3 (scripts, styles, the head and anything executable go,
with their content; event handlers and ``javascript:`` links too), then walked for its
text: blocks and ``<br>`` as line breaks, list items as "- ", cells apart, ``<pre>`` kept
as it is, and the contents of a ``<blockquote>`` (how Gmail, Foxmail and Apple Mail quote
the mail answered) as ``> `` lines, so the quoted history is recognised like plain text's.
Entities are read (``&lt;script&gt;`` becomes the text ``<script>``, which the pages escape
like any text anyone types).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import nh3

# Elements dropped with everything inside them.
DROPPED = {"script", "style", "head", "title", "template", "noscript", "iframe", "object"}
# Elements that end a line, and those that also leave a blank line around them.
BLOCKS = {
    "address", "article", "aside", "caption", "center", "dd", "details", "div", "dl", "dt",
    "figcaption", "figure", "footer", "header", "hr", "li", "nav", "section", "summary",
    "tbody", "thead", "tr",
}  # fmt: skip
PARAGRAPHS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "ul", "ol"}
_SPACES = re.compile(r"[ \t\r\n\f\v\u00a0]+")
_BLANK_RUNS = re.compile(r"\n{3,}")


def sanitised(html: str) -> str:
    """``html`` with nothing executable left (nh3's defaults, minus the dropped elements)."""
    tags = set(nh3.ALLOWED_TAGS) - DROPPED
    return nh3.clean(html, tags=tags, clean_content_tags=DROPPED)


def to_text(html: str) -> str:
    """The text of an HTML body (see the module's docstring)."""
    reader = _TextReader()
    reader.feed(sanitised(html))
    reader.close()
    return reader.text()


class _TextReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.quote_depth = 0
        self.pre_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self._line(keep_empty=True)
            return
        if tag in PARAGRAPHS:
            self._gap()
        elif tag in BLOCKS:
            self._line()
        if tag == "blockquote":
            self.quote_depth += 1
        elif tag == "pre":
            self.pre_depth += 1
        elif tag == "li":
            self.current.append("- ")
        elif tag in ("td", "th") and "".join(self.current).strip():
            self.current.append("\t")

    def handle_endtag(self, tag: str) -> None:
        if tag in PARAGRAPHS:
            self._gap()
        elif tag in BLOCKS:
            self._line()
        if tag == "blockquote":
            self.quote_depth = max(0, self.quote_depth - 1)
        elif tag == "pre":
            self.pre_depth = max(0, self.pre_depth - 1)

    def handle_data(self, data: str) -> None:
        if not self.pre_depth:
            self.current.append(_SPACES.sub(" ", data))
            return
        first, *rest = data.split("\n")
        self.current.append(first)
        for line in rest:
            self._line(keep_empty=True)
            self.current.append(line)

    def _line(self, *, keep_empty: bool = False) -> None:
        """End the current line (an empty one only for ``<br>`` and inside ``<pre>``)."""
        joined = "".join(self.current)
        line = joined.rstrip() if self.pre_depth else joined.strip()
        self.current = []
        if line or keep_empty:
            self.lines.append(("> " * self.quote_depth + line).rstrip())

    def _gap(self) -> None:
        """End the current line and leave one blank line before what follows."""
        self._line()
        if self.lines and self.lines[-1] != "":
            self.lines.append("")

    def text(self) -> str:
        self._line()
        return _BLANK_RUNS.sub("\n\n", "\n".join(self.lines)).strip()
