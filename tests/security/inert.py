"""The oracle of the output-handling attacks: does this Markdown, as Streamlit would render it,
fetch, link or run anything? It is read again as a renderer reads it (markdown-it-py with GFM
tables and strikethrough) plus what remark-gfm and Streamlit add on top: bare URLs turned into
links, `:directive[...]` colours and icons, `$...$` formulas."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token

_RENDERER = MarkdownIt("commonmark").enable(["table", "strikethrough"])
# What remark-gfm links by itself in text: a scheme URL, a www. host, an e-mail address.
_AUTOLINKED = re.compile(r"[a-z][a-z0-9+.-]*://|\bwww\.|[\w.+-]+@[\w-]+\.[\w.-]+", re.I)
_CODE = re.compile(r"(?s)^(`{3,}).*?^\1|(`+)(?!`).*?(?<!`)\2(?!`)", re.M)
# Streamlit's own syntax, outside code: an unescaped ":name" (colours, icons; the app's own
# ":material/<icon>:" and ":<colour>-badge[" markers are allowed) or an unescaped "$" (LaTeX).
_DIRECTIVE = re.compile(r"(?<!\\):(?!material/[a-z_]+:|[a-z]+-badge\[)[A-Za-z]")
_MATH = re.compile(r"(?<!\\)\$")


def _tokens(tokens: Iterable[Token]) -> Iterable[Token]:
    for token in tokens:
        yield token
        yield from _tokens(token.children or [])


def _host_allowed(href: str, hosts: frozenset[str]) -> bool:
    parts = urlsplit(href)
    host = (parts.hostname or "").lower()
    return (
        parts.scheme.lower() in ("http", "https")
        and "@" not in parts.netloc
        and any(host == h or host.endswith("." + h) for h in hosts)
    )


def problems(markdown: str, hosts: frozenset[str]) -> list[str]:
    found = []
    for token in _tokens(_RENDERER.parse(markdown)):
        if token.type == "image":
            found.append(f"image {token.attrs.get('src')}")
        elif token.type in ("html_inline", "html_block"):
            found.append(f"raw HTML {token.content!r}")
        elif token.type == "link_open" and not _host_allowed(str(token.attrs["href"]), hosts):
            found.append(f"link to {token.attrs['href']}")
        elif token.type == "text" and _AUTOLINKED.search(token.content):
            found.append(f"bare URL in {token.content!r}")
    outside_code = _CODE.sub("", markdown)
    if m := _DIRECTIVE.search(outside_code):
        found.append(f"Streamlit directive at {outside_code[m.start() : m.start() + 20]!r}")
    if m := _MATH.search(outside_code):
        found.append(f"formula at {outside_code[m.start() : m.start() + 20]!r}")
    return found


def assert_inert(markdown: str, hosts: frozenset[str]) -> None:
    found = problems(markdown, hosts)
    assert not found, f"{found} in {markdown!r}"
