"""The FastAPI application: create_app() wires the routers, problem documents, CORS and the
shared state (one Assistant, the sign-in limiters) over the same runtime and services as the
desk."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from agent.runtime import Assistant
from api import (
    problems,
    routes_approvals,
    routes_auth,
    routes_conversations,
    routes_handoff,
    routes_misc,
    routes_widget,
    ws,
)
from api.deps import ApiState
from config import Settings, get_settings


class ApiConfigurationError(RuntimeError):
    """The API refuses to start with these settings (e.g. a demo token key in production)."""


def create_app(settings: Settings | None = None, *, assistant: Assistant | None = None) -> FastAPI:
    """The app; `assistant` given (tests, benchmarks) stays the caller's to close, one made
    here from the settings is closed when the app shuts down."""
    settings = settings or get_settings()
    if (problem := settings.api_token_key_problem()) is not None:
        raise ApiConfigurationError(problem)
    owned = assistant is None
    assistant = assistant or Assistant.from_settings(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        app.state.api.close()
        if owned:
            assistant.close()

    app = FastAPI(
        title="SkyDesk API",
        version="1",
        summary="Alpine Air support: the assistant, trips and approvals for any channel.",
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
    )
    app.state.api = ApiState.build(settings, assistant)
    problems.install(app)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_credentials=settings.api_cors_credentials,
        allow_methods=["GET", "POST", "OPTIONS"],
        allow_headers=["Authorization", "Content-Type", "Last-Event-ID"],
        expose_headers=["Retry-After"],
        max_age=600,
    )
    for module in (
        routes_auth,
        routes_conversations,
        routes_handoff,
        routes_approvals,
        routes_misc,
        routes_widget,
        ws,
    ):
        app.include_router(module.router)
    return app
