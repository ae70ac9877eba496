"""Article text is Markdown that can only be read: no script, no handler, no foreign URL."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from knowledge.markdown import FileRef, plain_text, render
from tests.xss_payloads import MARKDOWN_PAYLOADS, PAYLOADS

SHOT = FileRef(pk=1, name="tray.png", url="/knowledge/articles/3/files/1/", is_image=True)
LOG = FileRef(pk=8, name="spooler.log", url="/knowledge/articles/3/files/8/", is_image=False)
FILES = [SHOT, LOG]

# Beyond the shared corpus: tricks on the scheme, and relative or protocol-relative URLs.
MARKDOWN_ATTACKS = [
    *MARKDOWN_PAYLOADS,
    "[x](java\tscript:alert(1))",
    "![x](/static/vendor/tabler/logo.png)",
    "[x](//evil.example/) [y](/admin/)",
]

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "del", "s", "code", "pre", "blockquote", "ul", "ol", "li",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "a", "img", "table", "thead", "tbody", "tr",
    "th", "td",
}  # fmt: skip


class Elements(HTMLParser):
    """The elements and attributes a browser would build from the HTML (text is text)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


def _assert_inert(html: str) -> None:
    parser = Elements()
    parser.feed(html)
    for tag, attrs in parser.found:
        assert tag in ALLOWED_TAGS, html
        for name, value in attrs.items():
            assert not name.startswith("on") and name not in {"style", "class", "srcdoc"}, html
            if name == "href":
                assert re.match(
                    r"^(https?:|mailto:|/knowledge/articles/3/files/\d+/$)", value or ""
                )
            if name == "src":
                assert tag == "img" and value == SHOT.url, html  # only the article's own image


@pytest.mark.parametrize("text", MARKDOWN_ATTACKS + PAYLOADS)
def test_hostile_markdown_renders_inert(text):
    # when
    html = str(render(text, FILES))

    # then
    _assert_inert(html)


def test_raw_html_is_shown_as_the_text_that_was_typed():
    # when
    html = str(render("打印机坏了<script>alert('中文')</script>"))

    # then
    assert "&lt;script&gt;alert(" in html
    assert "<script" not in html


def test_links_keep_http_https_and_mailto_with_noopener_nofollow():
    # when
    html = str(
        render("[手册](https://support.hp.com/x) <mailto:it@example.com> [内网](http://wiki)")
    )

    # then
    assert html.count('rel="noopener nofollow"') == 3
    assert 'href="https://support.hp.com/x"' in html
    assert 'href="mailto:it@example.com"' in html
    assert 'href="http://wiki"' in html


def test_other_schemes_and_relative_links_lead_nowhere():
    # when
    html = str(render("[a](ftp://x) [b](/admin/) [c](//evil.example/) [d](file:///etc/passwd)"))

    # then
    assert "href" not in html
    assert "[b](/admin/)" in html


def test_the_articles_own_image_is_shown_by_id_or_name():
    # when
    by_id = str(render("![托盘](file:1)", FILES))
    by_name = str(render("![托盘](file:tray.png)", FILES))

    # then
    for html in (by_id, by_name):
        assert f'<img src="{SHOT.url}" alt="托盘">' in html


def test_an_unknown_or_foreign_image_keeps_only_its_words():
    # when
    html = str(render("![打印机照片](file:99) ![外链](https://evil.example/x.png)", FILES))

    # then
    assert "<img" not in html
    assert "打印机照片" in html and "外链" in html


def test_a_file_that_is_not_an_image_is_never_shown_as_one_but_may_be_linked():
    # when
    shown = str(render("![日志](file:8)", FILES))
    linked = str(render("[日志](file:8)", FILES))

    # then
    assert "<img" not in shown
    assert f'href="{LOG.url}"' in linked


def test_code_blocks_and_tables_render_without_attributes():
    # when
    html = str(render("|a|b|\n|-:|-|\n|1|2|\n\n```powershell\nRestart-Service Spooler\n```"))

    # then
    assert "<table>" in html and "<td>1</td>" in html
    assert "<pre><code>Restart-Service Spooler" in html
    assert "style=" not in html and "class=" not in html


def test_a_line_break_is_kept():
    assert "<br>" in str(render("第一行\n第二行"))


def test_plain_text_drops_the_markup_and_is_cut_to_the_limit():
    # when
    text = plain_text("**打印机** 提示 `41.03` <b>缺纸</b>\n\n- 纸仓已满")
    cut = plain_text("**打印机** 提示 `41.03` <b>缺纸</b>", limit=8)

    # then: the words, and what was typed as markup shown as typed
    assert text == "打印机 提示 41.03 <b>缺纸</b> 纸仓已满"
    assert cut == "打印机 提示…"
