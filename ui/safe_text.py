"""The one place that turns model, user or stored text into Markdown for Streamlit.

Text a model wrote, a person typed or the database holds is hostile: a Markdown image makes the
reader's browser fetch a URL with no click (exfiltration), a link can be phishing, and
Streamlit also renders raw HTML-looking text, `:color[...]`, `:material/...:` icons and LaTeX.
So untrusted text is never passed on as it is:

- `safe_markdown`: the assistant's Markdown, parsed with markdown-it-py and written out again
  from its syntax tree, keeping only what is harmless (paragraphs, emphasis, lists, code,
  tables, headings, quotes). An image becomes its alt text; raw HTML becomes visible text; a
  link stays a link only to an allow-listed host over http(s) (`Settings.link_hosts`), else it
  becomes its text plus the URL as inert code. Bare URLs likewise.
- `literal`: text shown exactly as typed (names, notes, audit messages): every Markdown
  construct escaped, line breaks kept.
- `one_line`: the same on one line, for labels, table cells and captions.

Pure functions, no Streamlit: tests call them directly."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

from config import get_settings

# GitHub-flavoured Markdown as Streamlit's renderer (remark-gfm) reads it: tables and
# strikethrough on top of CommonMark. Raw HTML is parsed (so it can be shown as text).
_PARSER = MarkdownIt("commonmark").enable(["table", "strikethrough"])
_LINK_SCHEMES = frozenset({"http", "https"})

# Characters that start Markdown (or Streamlit) constructs anywhere in a line.
_ALWAYS = re.compile(r"([\\`*_{}\[\]<>#|~!$])")
# ":name" starts a directive (Streamlit's :red[...], :material/icon:), "&name;" an entity.
_DIRECTIVE_OR_ENTITY = re.compile(r"([:&])(?=[A-Za-z#])")
_ICON = re.compile(r"(:material)/")
# What starts a block at the beginning of a line: a list item, a setext underline.
_LINE_START = re.compile(r"^(\s*)(\d{1,9})([.)])|^(\s*)([-+=])", re.MULTILINE)
# What remark-gfm turns into a link by itself: URLs with a scheme, www. hosts, e-mail addresses.
_BARE_URL = re.compile(
    r"(?:(?:https?|ftp|mailto|xmpp):(?://)?|www\.)[^\s<>`]+"
    r"|[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+",
    re.IGNORECASE,
)
_TRAILING_PUNCTUATION = ".,:;!?\"')*_~"


def allowed_link(url: str, hosts: frozenset[str] | None = None) -> bool:
    """Whether `url` may stay clickable: http(s), no user-info (the host a person reads first
    is not the host the browser opens), and the host one of `hosts` or a subdomain of one."""
    allowed = get_settings().link_hosts if hosts is None else hosts
    if any(c in url for c in "\\\r\n\t ") or not url.isascii():
        return False
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").rstrip(".")
    except ValueError:
        return False
    if parts.scheme.lower() not in _LINK_SCHEMES or "@" in parts.netloc or not host:
        return False
    return any(host == h or host.endswith("." + h) for h in allowed)


def code(text: str) -> str:
    """`text` as an inline code span: shown literally, never a link, whatever it holds."""
    text = text.replace("\n", " ")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith(("`", " ")) or text.endswith(("`", " ")) else ""
    return f"{fence}{pad}{text}{pad}{fence}" if text else ""


def _escape(text: str) -> str:
    """Plain text with every inline construct escaped (line starts are the caller's)."""
    text = _DIRECTIVE_OR_ENTITY.sub(r"\\\1", _ALWAYS.sub(r"\\\1", text))
    # Streamlit rewrites ":material/" before parsing; an escaped "/" keeps the text as typed.
    return _ICON.sub(r"\1\\/", text)


def _escape_line_starts(text: str) -> str:
    return _LINE_START.sub(lambda m: f"{m[1]}{m[2]}\\{m[3]}" if m[2] else f"{m[4]}\\{m[5]}", text)


def _split_url(match: str) -> tuple[str, str]:
    """GFM's rule: trailing punctuation (and an unbalanced ")") is not part of a bare URL."""
    url = match
    while url and (
        url[-1] in _TRAILING_PUNCTUATION or (url[-1] == ")" and url.count("(") < url.count(")"))
    ):
        url = url[:-1]
    return url, match[len(url) :]


def _text(text: str, hosts: frozenset[str] | None) -> str:
    """Text with bare URLs made inert code (or a link, when allow-listed), the rest escaped."""
    out, end = [], 0
    for m in _BARE_URL.finditer(text):
        url, rest = _split_url(m[0])
        out.append(_escape(text[end : m.start()]))
        if allowed_link(url, hosts):
            out.append(f"[{_escape(url)}]({_href(url)})")
        else:
            out.append(code(url))
        out.append(_escape(rest))
        end = m.end()
    out.append(_escape(text[end:]))
    return "".join(out)


def _href(url: str) -> str:
    return url.replace("(", "%28").replace(")", "%29").replace(" ", "%20")


def literal(text: str, *, hosts: frozenset[str] | None = None) -> str:
    """Text shown as it was typed: no formatting, link, image, HTML, icon or formula from it;
    line breaks kept as line breaks."""
    lines = [_escape_line_starts(_text(line, hosts)) for line in str(text).split("\n")]
    return "  \n".join(lines)


def one_line(text: str, *, hosts: frozenset[str] | None = None) -> str:
    """`literal` on one line: for labels, table cells and captions."""
    return _escape_line_starts(_text(" ".join(str(text).split()), hosts))


# --- Markdown -> safe Markdown ------------------------------------------------------------------


def safe_markdown(text: str, *, hosts: frozenset[str] | None = None) -> str:
    """The model's (or anyone's) Markdown with its harmless formatting kept and everything that
    could fetch, run or mislead made visible text."""
    tree = SyntaxTreeNode(_PARSER.parse(str(text)))
    return _Writer(hosts).blocks(tree.children)


class _Writer:
    def __init__(self, hosts: frozenset[str] | None) -> None:
        self.hosts = hosts

    # blocks

    def blocks(self, nodes: list[SyntaxTreeNode], *, tight: bool = False) -> str:
        return ("\n" if tight else "\n\n").join(filter(None, (self.block(n) for n in nodes)))

    def block(self, node: SyntaxTreeNode) -> str:
        kind = node.type
        if kind == "paragraph":
            return self.inline(node.children[0]) if node.children else ""
        if kind == "heading":
            return "#" * int(node.tag[1]) + " " + self.inline(node.children[0])
        if kind == "blockquote":
            return _prefix(self.blocks(node.children), "> ", "> ")
        if kind in ("bullet_list", "ordered_list"):
            return self.list(node)
        if kind in ("fence", "code_block"):
            return _fence(node.content, node.info if kind == "fence" else "")
        if kind == "hr":
            return "---"
        if kind == "table":
            return self.table(node)
        # html_block and anything unknown: shown as the text it is.
        return literal(node.content.rstrip("\n"), hosts=self.hosts)

    def list(self, node: SyntaxTreeNode) -> str:
        ordered = node.type == "ordered_list"
        start = int(node.attrs.get("start", 1)) if ordered else 1
        tight = all(
            p.hidden for item in node.children for p in item.children if p.type == "paragraph"
        )
        items = []
        for number, item in enumerate(node.children, start):
            marker = f"{number}." if ordered else "-"
            body = self.blocks(item.children, tight=tight) or ""
            items.append(_prefix(body, marker + " ", " " * (len(marker) + 1)))
        return ("\n" if tight else "\n\n").join(items)

    def table(self, node: SyntaxTreeNode) -> str:
        rows: list[list[str]] = []
        aligns: list[str] = []
        for section in node.children:  # thead, tbody
            for tr in section.children:
                cells = []
                for cell in tr.children:
                    if cell.type == "th":
                        aligns.append(str(cell.attrs.get("style", "")))
                    cells.append(self.inline(cell.children[0]) if cell.children else "")
                rows.append(cells)
        if not rows:
            return ""
        rule = [
            {
                "text-align:left": ":---",
                "text-align:right": "---:",
                "text-align:center": ":---:",
            }.get(a, "---")
            for a in aligns
        ]
        lines = [rows[0], rule, *rows[1:]]
        return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)

    # inlines

    def inline(self, node: SyntaxTreeNode) -> str:
        out, line_start = [], True
        for child in node.children:
            piece = self.span(child)
            if line_start and child.type == "text":
                piece = _escape_line_starts(piece)
            line_start = child.type in ("softbreak", "hardbreak")
            out.append(piece)
        return "".join(out)

    def spans(self, node: SyntaxTreeNode) -> str:
        return "".join(self.span(c) for c in node.children)

    def span(self, node: SyntaxTreeNode) -> str:
        kind = node.type
        if kind == "text":
            return _text(node.content, self.hosts)
        if kind == "softbreak":
            return "\n"
        if kind == "hardbreak":
            return "  \n"
        if kind == "code_inline":
            return code(node.content).replace("|", "\\|")
        if kind in ("strong", "em", "s"):
            mark = {"strong": "**", "em": "*", "s": "~~"}[kind]
            inner = self.spans(node)
            return f"{mark}{inner}{mark}" if inner else ""
        if kind == "image":  # never fetched: only what it says it shows
            return self.spans(node)
        if kind == "link":
            return self.link(node)
        # html_inline and anything unknown: the text it is (URLs in it inert too).
        return _text(node.content, self.hosts)

    def link(self, node: SyntaxTreeNode) -> str:
        href = str(node.attrs.get("href", ""))
        label = self.spans(node)
        if allowed_link(href, self.hosts):
            return f"[{label or _escape(href)}]({_href(href)})"
        if node.markup == "autolink" or not label.strip():
            return code(href)
        return f"{label} ({code(href)})"


def _prefix(text: str, first: str, rest: str) -> str:
    """Each line of a nested block behind its container's marker (a blank line keeps the
    marker's non-space part, so a quote's second paragraph stays in the quote)."""
    if not text:
        return first.rstrip()
    lines = text.split("\n")
    return "\n".join(
        (first if i == 0 else rest) + line if line else rest.rstrip()
        for i, line in enumerate(lines)
    )


def _fence(content: str, info: str) -> str:
    longest = max((len(run) for run in re.findall(r"`{3,}", content)), default=2)
    fence = "`" * (longest + 1)
    language = re.sub(r"[^\w+-]", "", info.split(" ")[0]) if info else ""
    return f"{fence}{language}\n{content.rstrip(chr(10))}\n{fence}"
