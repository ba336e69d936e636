"""Small shared pieces of UI: the sidebar, messages, and tables."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, TypeVar

import streamlit as st
from pydantic import BaseModel
from streamlit.delta_generator import DeltaGenerator

from config import Settings
from services.core import faults
from services.core.clock import HOME_TZ, Clock
from services.core.errors import DomainError, ServiceUnavailable
from services.identity.accounts import Account
from ui import resources
from ui.safe_text import code, literal, one_line

T = TypeVar("T")
BUILTIN, OPENAI = "builtin", "openai"
MODEL_LABELS = {BUILTIN: "built-in (offline)", OPENAI: "OpenAI-compatible"}
MODEL_KEY = "chat_model"  # the Chat page's model picker; the sidebar names its choice


def model_label(provider: str, settings: Settings) -> str:
    label = MODEL_LABELS.get(provider, provider)
    return f"{label} · {settings.openai_model}" if provider == OPENAI else label


def sidebar(box: DeltaGenerator, account: Account, clock: Clock) -> None:
    """Who is signed in, the model in use (the one chosen on the Chat page, else the configured
    default) and the demo clock, drawn into `box` (a sidebar container made before the
    sign-out button, so they appear above it)."""
    settings = resources.settings()
    model = model_label(st.session_state.get(MODEL_KEY) or settings.model_provider, settings)
    now = clock.now().astimezone(HOME_TZ)
    with box:
        st.markdown(
            f"**{one_line(account.name)}**  \n{code(account.username)} · {account.role.value}"
        )
        st.caption(f"Model: {model}")
        frozen = " (frozen)" if settings.demo_now else ""
        st.caption(f"Demo clock{frozen}: {now:%a %d %b %Y, %H:%M} Zurich")


def fault_text(err: BaseException, *, where: str = "page") -> str:
    """What a person reads about a fault: a sentence and a reference, never the exception (its
    text holds SQL and column names; services.core.faults logs it under the reference)."""
    if isinstance(err, ServiceUnavailable):
        return err.message  # built safe by the service, its fault already logged
    return faults.report(err, where=where).message


def attempt(action: Callable[[], T]) -> T | None:
    """Run a service call; a refusal or bad input is shown as its sentence, a fault (the
    database down, a bug) as a sentence and a reference: never a traceback."""
    try:
        return action()
    except ServiceUnavailable as err:
        st.error(fault_text(err), icon=":material/error:")
    except DomainError as err:
        st.warning(literal(err.message), icon=":material/info:")
    except Exception as err:
        st.error(
            fault_text(err, where=getattr(action, "__qualname__", "action")),
            icon=":material/error:",
        )
    return None


def flash(key: str) -> None:
    """Show (once) the message a callback left under `key`: ("success"|"error", text)."""
    message = st.session_state.pop(key, None)
    if message:
        kind, text = message
        (st.success if kind == "success" else st.error)(literal(text))


def table(
    rows: Sequence[Mapping[str, Any]],
    columns: Mapping[str, Any],
    *,
    empty: str,
    key: str | None = None,
) -> None:
    """A read-only table of `rows` showing `columns` (name -> st.column_config) in that order;
    no "None" in a text cell."""
    if not rows:
        st.caption(empty)
        return
    import pandas as pd  # here, not at import: pandas costs ~1 s of every page's first load

    frame = pd.DataFrame(list(rows))
    # A missing text value is an empty cell: st.dataframe would print "None" in it.
    for name in frame.select_dtypes(include=["object", "string"]).columns:
        frame[name] = frame[name].where(frame[name].notna(), "")
    st.dataframe(
        frame,
        hide_index=True,
        column_order=list(columns),
        column_config=dict(columns),
        key=key,
    )


def plain_rows(models: Iterable[BaseModel]) -> list[dict[str, Any]]:
    """Table rows from service models, amounts as numbers (a NumberColumn formats floats)."""
    return [
        {k: float(v) if isinstance(v, Decimal) else v for k, v in m.model_dump().items()}
        for m in models
    ]
