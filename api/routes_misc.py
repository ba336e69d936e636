"""The passenger's trips, health and metrics."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from api.deps import Caller, DbSession, State, context, passenger_for
from observability.metrics import REGISTRY
from services.support.snapshot import passenger_snapshot

router = APIRouter()


@router.get("/api/v1/me/trips", tags=["passenger"], summary="The passenger's trips (snapshot)")
def trips(
    caller: Caller,
    state: State,
    session: DbSession,
    passenger_id: Annotated[int | None, Query(description="Staff: whose trips")] = None,
) -> dict[str, Any]:
    served = passenger_for(caller, passenger_id)
    return passenger_snapshot(session, context(state, caller.actor, served))


@router.get("/healthz", tags=["operations"], summary="Liveness and database readiness")
def healthz(session: DbSession) -> dict[str, str]:
    session.execute(text("SELECT 1"))  # a database fault answers 503 (api/problems.py)
    return {"status": "ok"}


@router.get("/metrics", tags=["operations"], summary="Prometheus metrics")
def metrics() -> Response:
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
