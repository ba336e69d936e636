"""The dashboards' pandas peer (bench/dashboard_naive.py) computes the same figures as SkyDesk's
aggregates on a generated history, so the benchmark's ratio compares two ways to one answer."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bench import dashboard_naive
from bench.dashboard_peers import calls, paired
from db.engine import make_session_factory
from services.dashboards import metrics
from tests.conftest import FROZEN_NOW
from world import seed_world
from world.scratch import scratch_engine

WHOLE: dict[str, Any] = {
    "since": FROZEN_NOW - timedelta(days=61),
    "until": FROZEN_NOW + timedelta(minutes=1),
}
WEEK_HOURLY: dict[str, Any] = {**WHOLE, "since": FROZEN_NOW - timedelta(days=7), "bucket": "hour"}


@pytest.fixture(scope="module")
def world() -> Iterator[Any]:
    with scratch_engine("naive", os.environ.get("TEST_DATABASE_URL")) as engine:
        seed_world(engine, now=FROZEN_NOW, scale=0.1, history=200)
        yield engine


@pytest.fixture
def sessions(world: Any) -> sessionmaker[Session]:
    return make_session_factory(world)


def _without_series(totals: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in totals.items() if k != "series"}


@pytest.mark.parametrize("name", sorted(dashboard_naive.PEERS))
def test_peer_gives_skydesks_figures(sessions: sessionmaker[Session], name: str) -> None:
    ranges = [WHOLE] if name == "usage_stats" else [WHOLE, WEEK_HOURLY]
    for window in ranges:
        with sessions() as session:
            ours = dashboard_naive.comparable(name, getattr(metrics, name)(session, **window))
            theirs = _without_series(dashboard_naive.PEERS[name](session, **window))
        if name == "turn_stats":  # percentiles: the same interpolation, in floating point
            for key in ("p50", "p95"):
                assert theirs.pop(key) == pytest.approx(ours.pop(key))
        assert theirs == ours
        assert any(v for v in ours.values()), f"{name}: the history gave it nothing to count"


def test_peer_series_has_every_bucket(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        ours = metrics.turn_stats(session, **WEEK_HOURLY)
        theirs = dashboard_naive.turn_stats(session, **WEEK_HOURLY)
    assert len(theirs["series"]) == len(ours.series)
    assert list(theirs["series"]["turns"]) == [p.turns for p in ours.series]


def test_every_pair_is_timed_on_the_history(world: Any) -> None:
    pairs = calls(world)
    assert {"turn_stats", "turn_stats hourly", "decision_stats hourly"} <= set(pairs)
    ours, peer = paired(make_session_factory(world), *pairs["csat_stats"], runs=2)
    assert ours.n == peer.n == 2
