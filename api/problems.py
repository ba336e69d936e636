"""Errors as RFC 9457 problem documents (application/problem+json: type, title, status,
detail), for the API's own refusals, request validation, and the services' domain errors."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from services.core import faults
from services.core.errors import (
    DomainError,
    InvalidInput,
    NotFound,
    PolicyViolation,
    Rule,
    ServiceUnavailable,
)

log = logging.getLogger(__name__)

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "/api/problems/"
TITLES = {
    400: "Bad request",
    401: "Not signed in",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    422: "Invalid input",
    429: "Too many requests",
    500: "Internal error",
    503: "Service unavailable",
}


class Problem(Exception):
    """An API refusal: raised anywhere in a request, answered as a problem document."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        slug: str | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.slug = slug or TITLES.get(status, "error").lower().replace(" ", "-")
        self.headers = headers or {}
        self.extra = extra or {}


def unauthorized(detail: str) -> Problem:
    return Problem(401, detail, slug="unauthorized", headers={"WWW-Authenticate": "Bearer"})


def too_many(detail: str, retry_after_s: int) -> Problem:
    return Problem(
        429, detail, slug="rate-limited", headers={"Retry-After": str(max(1, retry_after_s))}
    )


def document(
    status: int, detail: str, slug: str, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {
        "type": TYPE_BASE + slug,
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        **(extra or {}),
    }


def response(problem: Problem) -> JSONResponse:
    body = document(problem.status, problem.detail, problem.slug, problem.extra)
    return JSONResponse(body, problem.status, headers=problem.headers, media_type=MEDIA_TYPE)


def from_domain(err: DomainError) -> Problem:
    """A service's refusal: NotFound 404, a permission refusal 403, invalid input 422, the
    database down 503, any other policy refusal 409 (the request is fine, the state says no)."""
    if isinstance(err, NotFound):
        return Problem(404, err.message, slug="not-found")
    if isinstance(err, PolicyViolation) and err.rule in (Rule.PERMISSION, Rule.NOT_OWNER):
        return Problem(403, err.message, slug="forbidden")
    if isinstance(err, InvalidInput):
        return Problem(422, err.message, slug="invalid-input")
    if isinstance(err, ServiceUnavailable):
        return Problem(503, err.message, slug="service-unavailable")
    return Problem(409, err.message, slug=err.code.replace("_", "-"))


def _validation_detail(err: RequestValidationError) -> tuple[str, list[dict[str, Any]]]:
    errors = [
        {"location": ".".join(str(p) for p in e.get("loc", ())), "message": str(e.get("msg"))}
        for e in err.errors()
    ]
    if not errors:
        return "The request is not valid.", errors
    first = errors[0]
    return f"{first['location']}: {first['message']}", errors


def install(app: FastAPI) -> None:
    """Every error the app answers becomes a problem document."""

    async def on_problem(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, Problem)
        return response(exc)

    async def on_domain(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, DomainError)
        return response(from_domain(exc))

    async def on_validation(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        detail, errors = _validation_detail(exc)
        return response(Problem(422, detail, slug="invalid-input", extra={"errors": errors}))

    async def on_http(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        detail = str(exc.detail) if exc.detail else TITLES.get(exc.status_code, "Error")
        if exc.status_code == 404 and detail == "Not Found":
            detail = "There is no such endpoint; see /api/docs."
        headers = dict(exc.headers or {})
        return response(Problem(exc.status_code, detail, headers=headers))

    async def on_error(_: Request, exc: Exception) -> JSONResponse:
        fault = faults.report(exc, where="api request")
        status = 503 if fault.kind.value == "service_unavailable" else 500
        return response(Problem(status, fault.message, slug=fault.kind.value.replace("_", "-")))

    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(DomainError, on_domain)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_error)
