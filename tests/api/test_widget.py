"""The passengers' web chat as the API serves it: the page, its script and style under a
Content-Security-Policy that runs no inline script, frames only on allow-listed sites, and a
script that writes model and user text as text only."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from agent.runtime import Assistant
from api import create_app
from api.routes_widget import FOLDER
from tests.api.conftest import ORIGIN, Accounts, api_settings


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text inside each <script>."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.script_text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False if tag == "script" else self._in_script

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.script_text.append(data)


def policy(header: str) -> dict[str, list[str]]:
    directives = (d.split() for d in header.split(";") if d.strip())
    return {name: values for name, *values in directives}


def test_widget_address_redirects_to_the_page_keeping_the_query(client: TestClient) -> None:
    response = client.get("/widget?lang=en", follow_redirects=False)
    assert response.status_code == 308
    assert response.headers["location"] == "/widget/?lang=en"


def test_page_is_served_with_a_strict_content_security_policy(client: TestClient) -> None:
    response = client.get("/widget/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    csp = policy(response.headers["content-security-policy"])
    assert csp["script-src"] == ["'self'"] and csp["style-src"] == ["'self'"]
    assert csp["connect-src"] == ["'self'"]  # the served page talks to this server only
    assert csp["default-src"] == ["'none'"] and csp["img-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'self'", ORIGIN]  # framed only by allow-listed sites
    assert csp["base-uri"] == ["'none'"] and csp["form-action"] == ["'none'"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"


def test_page_has_no_inline_script_or_style_and_loads_only_its_own_files(
    client: TestClient,
) -> None:
    parser = Tags()
    parser.feed(client.get("/widget/").text)
    scripts = [attrs for tag, attrs in parser.tags if tag == "script"]
    assert scripts == [{"src": "widget.js", "defer": None}]
    assert not "".join(parser.script_text).strip()
    assert not [tag for tag, _ in parser.tags if tag == "style"]
    for tag, attrs in parser.tags:
        assert not [a for a in attrs if a.startswith("on") or a == "style"], (tag, attrs)
        for link in (attrs.get("src"), attrs.get("href")):
            assert link is None or ("//" not in link and ":" not in link), link  # no CDN


@pytest.mark.parametrize(
    ("name", "media_type"), [("widget.js", "text/javascript"), ("widget.css", "text/css")]
)
def test_script_and_style_are_served_with_their_type_and_policy(
    client: TestClient, name: str, media_type: str
) -> None:
    response = client.get(f"/widget/{name}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
    assert response.text == (FOLDER / name).read_text(encoding="utf-8")
    assert "script-src 'self'" in response.headers["content-security-policy"]


@pytest.mark.parametrize("name", ["app.py", "..%2Froutes_widget.py", "secret.txt", "index.htm"])
def test_only_the_three_files_are_reachable(client: TestClient, name: str) -> None:
    response = client.get(f"/widget/{name}")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")


def test_widget_needs_no_sign_in_to_load(client: TestClient) -> None:
    for path in ("/widget/", "/widget/widget.js", "/widget/widget.css"):
        assert client.get(path, headers={"Authorization": "Bearer nonsense"}).status_code == 200


@pytest.fixture
def wildcard_client(assistant: Assistant, accounts: Accounts) -> Iterator[TestClient]:
    del accounts
    with TestClient(create_app(api_settings(api_cors_origins="*"), assistant=assistant)) as c:
        yield c


def test_a_wildcard_origin_is_not_written_into_frame_ancestors(
    wildcard_client: TestClient,
) -> None:
    csp = policy(wildcard_client.get("/widget/").headers["content-security-policy"])
    assert csp["frame-ancestors"] == ["'self'"]


def test_script_writes_text_only_never_html() -> None:
    """What the model, the passenger and the desk write reaches the page as text: the script
    has no HTML sink, no eval, and makes no link or image."""
    source = (FOLDER / "widget.js").read_text(encoding="utf-8")
    sinks = r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function|"
    sinks += r'\b(el|createElement)\("(a|img|iframe|script|object|embed)"|\.href\s*=|\.src\s*='

    assert not re.findall(sinks, source)
    assert "textContent" in source
    assert "localStorage" not in source and "sessionStorage" not in source  # tokens in memory
