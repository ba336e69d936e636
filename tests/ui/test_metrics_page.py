"""The Metrics page on a demo world with 60 days of history: the KPI cards show exactly the
service's figures for the chosen range, the trends are Plotly charts, and the figures refresh
themselves every 30 seconds while live refresh is on."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from db.engine import make_session_factory
from services.dashboards.metrics import metrics_dashboard
from services.dashboards.metrics_models import MetricsDashboard, ModelUsage, UsageStats
from tests.conftest import FROZEN_NOW
from tests.ui.apptest import open_page, page_content, signed_in
from tests.ui.conftest import World
from ui.dashboard_metrics import usage_cards
from world import seed_world
from world.handoffs import seed_waiting
from world.scratch import scratch_engine

pytestmark = pytest.mark.usefixtures("app_env")
# Relative ranges end with the demo clock's minute.
UNTIL = FROZEN_NOW + timedelta(minutes=1)


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    with scratch_engine("ui", os.environ.get("TEST_DATABASE_URL")) as engine:
        seed_world(engine, size="demo", now=FROZEN_NOW, history=120)
        yield World(
            engine.url.render_as_string(hide_password=False),
            engine,
            make_session_factory(engine),
        )
        st.cache_resource.clear()


@pytest.fixture
def fragments(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The run_every of each st.fragment the page declares (AppTest runs no timers)."""
    seen: list[object] = []
    original = st.fragment

    def spy(func=None, *, run_every=None, **kwargs):
        seen.append(run_every)
        return original(func, run_every=run_every, **kwargs)

    monkeypatch.setattr(st, "fragment", spy)
    return seen


def metrics(role: str = "manager") -> AppTest:
    at = open_page(signed_in(role), "metrics")
    assert not at.exception, at.exception
    return at


def figures(world: World, days: int, bucket: str = "day") -> MetricsDashboard:
    with world.sessions() as session:
        return metrics_dashboard(
            session, since=UNTIL - timedelta(days=days), until=UNTIL, bucket=bucket
        )


def pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.1f}%"


def expected_cards(d: MetricsDashboard) -> dict[str, str]:
    c, t, dec, csat, u, r = d.conversations, d.turns, d.decisions, d.csat, d.usage, d.refusals
    assert t.latency_p50_ms is not None and t.latency_p95_ms is not None  # the world has turns
    return {
        "Conversations": f"{c.total:,}",
        "Turns": f"{t.total:,}",
        "Resolution rate": pct(c.resolution_rate),
        "Escalation rate": pct(c.escalation_rate),
        "CSAT": f"{csat.mean:.2f} / 5",
        "Satisfied (4–5)": pct(csat.satisfied_share),
        "Approval rate": pct(dec.approval_rate),
        "Denial rate": pct(dec.denial_rate),
        "Policy refusals": f"{r.policy_refusals:,}",
        "Access denials": f"{r.access_denials:,}",
        "Failed sign-ins": f"{r.failed_sign_ins:,}",
        "Turn latency p50": f"{round(t.latency_p50_ms):,} ms",
        "Turn latency p95": f"{round(t.latency_p95_ms):,} ms",
        "Tool error rate": pct(d.tools.error_rate),
        "Tokens in": f"{u.hosted_tokens_in:,}",
        "Tokens out": f"{u.hosted_tokens_out:,}",
        "Estimated cost": f"USD {u.cost_usd:,.2f}",
    }


HANDOFF_CARDS = ("Queue length", "Handoffs", "First human reply p50", "First human reply p95")


def cards(at: AppTest) -> dict[str, str]:
    """The KPI cards (the live handoff's are test_the_live_handoff_section's)."""
    return {m.label: m.value for m in at.metric if m.label not in HANDOFF_CARDS}


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_kpis_and_trends_for_managers_and_admins(app_env, role: str) -> None:
    at = metrics(role)
    assert at.title[0].value == "Metrics"
    assert at.selectbox(key="metrics_range").value == "Last 7 days"
    assert cards(at) == expected_cards(figures(app_env, 7))
    assert len(at.get("plotly_chart")) >= 8  # every trend and breakdown
    assert "daily trend" in at.caption[0].value


@pytest.mark.parametrize("role", ["agent", "customer"])
def test_agents_and_customers_are_not_allowed(role: str) -> None:
    at = open_page(signed_in(role), "metrics")
    assert not at.exception
    assert page_content(at) == [
        ("error", f"**Not allowed.** The Metrics page is not available to the {role} role.")
    ]


@pytest.mark.parametrize(("label", "days"), [("Last 30 days", 30), ("Last 90 days", 90)])
def test_the_cards_follow_the_chosen_range(app_env, label: str, days: int) -> None:
    at = metrics().selectbox(key="metrics_range").select(label).run()
    d = figures(app_env, days)
    assert d.conversations.total > 0 and d.refusals.policy_refusals > 0  # something to show
    assert cards(at) == expected_cards(d)


def test_the_last_24_hours_in_hourly_buckets(app_env) -> None:
    at = metrics().selectbox(key="metrics_range").select("Last 24 hours").run()
    assert "hourly trend" in at.caption[0].value
    assert cards(at)["Turns"] == f"{figures(app_env, 1, 'hour').turns.total:,}"


def test_live_refresh_every_30_seconds_until_switched_off(fragments) -> None:
    at = metrics()
    assert at.toggle(key="metrics_live").value is True
    assert fragments[-1] == timedelta(seconds=30)
    assert at.caption[0].value.endswith("refreshes every 30 s")
    at = at.toggle(key="metrics_live").set_value(False).run()
    assert fragments[-1] is None
    assert not at.caption[0].value.endswith("refreshes every 30 s")
    assert len(at.metric) == 17 + len(HANDOFF_CARDS)  # still drawn, once


def test_the_offline_model_says_it_costs_nothing_instead_of_tokens() -> None:
    offline = UsageStats([ModelUsage("builtin", 40, 580_266, 9_000, 0.0, offline=True)],
                         hosted_tokens_in=0, hosted_tokens_out=0, cost_usd=0.0, offline_turns=40)  # fmt: skip
    assert [(label, value) for label, value, *_ in usage_cards(offline)] == [
        ("Model cost", "Nothing")
    ]
    mixed = UsageStats(
        [ModelUsage("builtin", 40, 580_266, 9_000, 0.0, offline=True),
         ModelUsage("gpt-4o-mini", 2, 4_000, 1_000, 0.0012)],
        hosted_tokens_in=4_000, hosted_tokens_out=1_000, cost_usd=0.0012, offline_turns=40,
        hosted_turns=2,
    )  # fmt: skip
    shown = {label: (value, help_text) for label, value, help_text, _ in usage_cards(mixed)}
    assert shown["Tokens in"][0] == "4,000"  # the hosted model's, not the offline model's
    assert shown["Estimated cost"][0] == "USD 0.00"
    assert "40 turns cost nothing" in shown["Estimated cost"][1]


def test_the_live_handoff_section(app_env) -> None:
    seed_waiting(app_env.sessions, FROZEN_NOW)  # two conversations waiting for a person
    at = metrics()
    shown = {m.label: m.value for m in at.metric if m.label in HANDOFF_CARDS}
    assert shown == {
        "Queue length": "2",
        "Handoffs": "2",
        "First human reply p50": "n/a",  # nobody has answered yet
        "First human reply p95": "n/a",
    }
    [reasons] = [d.value.to_dict("records") for d in at.dataframe if "reason" in d.value.columns]
    assert {r["reason"] for r in reasons} == {
        "the passenger asks for a person",
        "the answer is not known",
    }
