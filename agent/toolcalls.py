"""Running one tool call: check the model's arguments, call the service, and turn the result,
the refusal or the failure into the ToolMessage the model reads next."""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from langchain_core.messages import ToolCall, ToolMessage
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session, sessionmaker

from agent.tools import ToolEnv, ToolSpec
from services.audit import jsonable
from services.context import ServiceContext
from services.errors import DomainError, PolicyViolation
from services.operations import OperationResult

log = logging.getLogger(__name__)

# A long search result would crowd the model's context; it sees the first ones and a count.
MAX_ITEMS = 10
MAX_CONTENT = 8000

Status = Literal["ok", "refused", "error", "invalid", "denied", "already_done"]


class ToolArgsError(ValueError):
    """The model's arguments do not fit the tool; the message is written for the model."""


def validate_args(spec: ToolSpec, args: dict[str, Any] | None) -> dict[str, Any]:
    """Typed arguments (dates, enums, ints) or a ToolArgsError that says what is wrong."""
    schema: Any = spec.tool.tool_call_schema
    fields = schema.model_fields
    given = dict(args or {})
    unknown = sorted(set(given) - set(fields))
    if unknown:
        raise ToolArgsError(
            f"{spec.name} has no argument {', '.join(unknown)}; it takes "
            f"{', '.join(fields) or 'no arguments'}. The passenger and the acting user come "
            "from the session and are never tool arguments."
        )
    try:
        model = schema.model_validate(given)
    except ValidationError as err:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'arguments'}: {e['msg']}" for e in err.errors()
        )
        raise ToolArgsError(f"Invalid arguments for {spec.name}: {problems}.") from None
    return {name: getattr(model, name) for name in fields}


def to_json(value: Any) -> Any:
    """Service results (pydantic models, dataclasses, Decimals, dates) as plain JSON values."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return jsonable(dataclasses.asdict(value))
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    return jsonable(value)


def dumps(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    return text if len(text) <= MAX_CONTENT else text[:MAX_CONTENT] + " ...(truncated)"


@dataclass
class Outcome:
    """What came of one call: the model reads `content`; the runtime reports `status`."""

    content: str
    status: Status
    rule: str | None = None
    artifact: Any = None

    def message(self, call: ToolCall) -> ToolMessage:
        return ToolMessage(
            content=self.content,
            tool_call_id=call["id"] or "",
            name=call["name"],
            artifact=self.artifact,
            status="success" if self.status == "ok" else "error",
            response_metadata={"skydesk_status": self.status, "rule": self.rule},
        )


def result_outcome(spec: ToolSpec, value: Any) -> Outcome:
    if isinstance(value, OperationResult):
        done = {"done": value.summary, "rule_applied": value.rule}
        if value.charged:
            done["charged"] = f"CHF {value.charged:.2f}"
        if value.refunded:
            done["refunded"] = f"CHF {value.refunded:.2f}"
        return Outcome(dumps(done), "ok", value.rule)
    data = to_json(value)
    shown: Any = data
    if isinstance(data, list):
        shown = {"results": data[:MAX_ITEMS], "count": len(data)}
        if len(data) > MAX_ITEMS:
            shown["note"] = f"{len(data) - MAX_ITEMS} more not shown; narrow the search."
    return Outcome(dumps(shown), "ok", artifact=data if spec.keep_artifact else None)


def error_outcome(err: Exception) -> Outcome:
    """Refusals carry the rule's code and sentence so the model can explain them."""
    if isinstance(err, PolicyViolation):
        return Outcome(f"REFUSED (rule {err.code}): {err.message}", "refused", err.code)
    if isinstance(err, DomainError):
        status: Status = "already_done" if err.code == "already_executed" else "error"
        return Outcome(f"ERROR ({err.code}): {err.message}", status, err.code)
    log.exception("tool failed unexpectedly")
    return Outcome(
        f"ERROR (tool_failure): the tool failed unexpectedly ({type(err).__name__}); "
        "nothing was changed. Apologise, and offer to try again or to escalate.",
        "error",
        "tool_failure",
    )


def invalid_outcome(message: str) -> Outcome:
    return Outcome(f"INVALID CALL: {message} Correct the call and try again.", "invalid")


def run_tool(
    spec: ToolSpec,
    args: dict[str, Any],
    factory: sessionmaker[Session],
    ctx: ServiceContext,
    *,
    reraise: Callable[[Exception], bool] | None = None,
) -> Outcome:
    """One service call in a session of its own. Write services commit or roll back (and
    audit) themselves; a read's session is simply closed. `reraise(err)` True: the caller
    handles that error itself instead of answering the call with it."""
    try:
        with factory() as session:
            return result_outcome(spec, spec.fn(ToolEnv(session, ctx), **args))
    except Exception as err:  # every failure becomes a message, so no call is left unanswered
        if reraise is not None and reraise(err):
            raise
        return error_outcome(err)
