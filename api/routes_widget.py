"""The passengers' web chat (api/widget/): a static page, its script and its style, served with
a Content-Security-Policy that lets only this server's own script and style run, and the API
be called only on this server. Embedding it on another site: widget.js and widget.css in that
site's page (the API answers it through the CORS allow-list), or this page in an iframe
(allowed only to the same allow-listed origins)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from api.deps import State
from api.problems import Problem

FOLDER = Path(__file__).resolve().parent / "widget"
# The only files served, each with its type: nothing else under the folder is reachable.
ASSETS = {
    "index.html": "text/html; charset=utf-8",
    "widget.js": "text/javascript; charset=utf-8",
    "widget.css": "text/css; charset=utf-8",
}

router = APIRouter(tags=["widget"], include_in_schema=False)


def content_security_policy(frame_origins: list[str]) -> str:
    """No inline script or style, no images, fonts, plug-ins or forms posting elsewhere; the
    page talks only to this server (a link with another API address cannot send a passenger's
    password anywhere else) and may be framed only by the allow-listed sites."""
    ancestors = " ".join(["'self'", *frame_origins])
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        "img-src 'none'; font-src 'none'; object-src 'none'; base-uri 'none'; "
        f"form-action 'none'; frame-ancestors {ancestors}"
    )


def _headers(state: State) -> dict[str, str]:
    origins = [o for o in state.settings.cors_origins if o != "*"]
    return {
        "Content-Security-Policy": content_security_policy(origins),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-cache",
    }


@router.get("/widget")
def widget_root(request: Request) -> Response:
    """The page lives at /widget/ so that its relative addresses resolve under it (a relative
    redirect: right behind a proxy that rewrites the host or scheme)."""
    query = f"?{request.url.query}" if request.url.query else ""
    return RedirectResponse(f"/widget/{query}", status_code=308)


@router.get("/widget/")
def widget_page(state: State) -> Response:
    return asset("index.html", state)


@router.get("/widget/{name}")
def asset(name: str, state: State) -> Response:
    media_type = ASSETS.get(name)
    if media_type is None:
        raise Problem(404, f"The web chat has no file {name!r}.", slug="not-found")
    return FileResponse(FOLDER / name, media_type=media_type, headers=_headers(state))
