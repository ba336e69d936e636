"""One case from start to verdict, in whichever process runs it: a fresh world (a copy of the
template), an assistant on it at the frozen clock, the turns, the snapshot, the changes, the
checks. Per process, the models named by string and the template reader are made once."""

from __future__ import annotations

import shutil
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from langchain_core.language_models import BaseChatModel
from sqlalchemy import Engine, select

from agent.checkpoint import open_checkpointer
from agent.runtime import Assistant
from config import Settings
from db.engine import make_engine, make_session_factory
from db.models import Passenger, Role, User
from evals.cases_format import LoadedCase
from evals.checks import check_case
from evals.play import Played, play
from evals.results import CaseResult, CheckResult, TableChange
from evals.tracking import world_changes
from evals.world import copy_world, read_only_engine
from evals.writes import unrequested_writes
from services.core.clock import FixedClock
from services.core.context import Actor
from services.support.snapshot import build_snapshot
from world.personas import DEMO_USERS, persona_passenger_id

ModelSpec = str | Callable[[], BaseChatModel]
AGENT_USER = next(u for u in DEMO_USERS if u.role == Role.AGENT)

_models: dict[str, BaseChatModel] = {}
_templates: dict[str, Engine] = {}


def named_model(name: str, settings: Settings | None = None) -> BaseChatModel:
    """`builtin`: the offline model; `openai`: ChatOpenAI configured by SKYDESK_OPENAI_*."""
    if name == "builtin":
        from agent.models.builtin import BuiltinChatModel

        return BuiltinChatModel()
    if name == "openai":
        from agent.models import make_chat_model

        return make_chat_model(settings or Settings(model_provider="openai"))
    raise ValueError(f"unknown model {name!r}: use builtin or openai")


def model_for(spec: ModelSpec) -> BaseChatModel:
    """Named models are stateless, so one per process serves every case (an endpoint's model
    per configuration, read from the environment each time); a factory is called per case (a
    scripted model's replies are consumed as it plays)."""
    if callable(spec):
        return spec()
    key, settings = spec, None
    if spec == "openai":
        settings = Settings(model_provider="openai")
        secret = settings.openai_api_key.get_secret_value() if settings.openai_api_key else ""
        key = f"openai|{settings.openai_base_url}|{settings.openai_model}|{hash(secret)}"
    if key not in _models:
        _models[key] = named_model(spec, settings)
    return _models[key]


@dataclass(frozen=True)
class Task:
    index: int
    item: LoadedCase
    template: str  # the template world (a SQLite file, or a PostgreSQL database URL)
    now: datetime
    model: ModelSpec
    workdir: str  # where SQLite copies go (one folder per case, removed afterwards)
    database_url: str | None = None  # PostgreSQL server for per-case databases (pg_world)


@contextmanager
def fresh_world(task: Task) -> Iterator[tuple[str, Engine]]:
    """(database URL of a fresh world, engine on the template for comparisons)."""
    if task.database_url:
        from evals import pg_world

        with pg_world.case_database(task.database_url, task.template) as url:
            yield url, pg_world.template_engine(task.template)
        return
    if task.template not in _templates:
        for old in _templates.values():  # a long-lived process moved on to a new template
            old.dispose()
        _templates.clear()
        _templates[task.template] = read_only_engine(Path(task.template))
    folder = Path(tempfile.mkdtemp(prefix=f"case{task.index}-", dir=task.workdir))
    try:
        yield copy_world(Path(task.template), folder), _templates[task.template]
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run_case(task: Task) -> CaseResult:
    started = time.perf_counter()
    case = task.item.case
    clock = FixedClock(task.now)
    played = Played()
    snapshot = None
    changes: list[TableChange] = []
    try:
        with fresh_world(task) as (url, template):
            engine = make_engine(url)
            checkpointer = open_checkpointer(url)
            try:
                factory = make_session_factory(engine)
                with factory() as session:
                    passenger_id = persona_passenger_id(session, case.persona)
                    user_id = session.scalar(
                        select(User.id).where(User.username == AGENT_USER.username)
                    )
                actor = Actor(AGENT_USER.username, Role.AGENT, user_id=user_id)
                assistant = Assistant(
                    session_factory=factory,
                    model=model_for(task.model),
                    checkpointer=checkpointer,
                    clock=clock,
                )
                played = play(assistant, actor, passenger_id, case)
                with factory() as session:
                    passenger = session.get(Passenger, passenger_id)
                    assert passenger is not None
                    snapshot = build_snapshot(session, passenger)
                changes = world_changes(engine, template)
            finally:
                checkpointer.close()
                engine.dispose()
    except Exception as err:  # the case fails with the reason; the suite goes on
        last = traceback.extract_tb(err.__traceback__)[-1]
        where = f"{Path(last.filename).name}:{last.lineno}"
        played.errors.append(f"exception {type(err).__name__} at {where}: {err}")
    checks: list[CheckResult] = check_case(
        case.expect,
        tools=played.tools,
        replies=played.replies,
        errors=played.errors,
        snapshot=snapshot,
        changes=changes,
        clock=clock,
    )
    return CaseResult(
        id=case.id,
        file=task.item.file,
        persona=case.persona,
        tags=list(case.tags),
        passed=all(c.passed for c in checks),
        reasons=[c.detail for c in checks if not c.passed],
        errors=played.errors,
        checks=checks,
        tools_called=played.tools,
        replies=played.replies,
        transcript=played.transcript,
        changes=changes,
        snapshot=snapshot,
        duration_s=time.perf_counter() - started,
        unrequested_writes=unrequested_writes(case.expect, played.tools),
        rules=played.rules,
    )
