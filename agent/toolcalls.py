"""Running one tool call: check the model's arguments, call the service, and turn the result,
the refusal or the failure into the ToolMessage the model reads next."""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import AIMessage, InvalidToolCall, ToolCall, ToolMessage
from langchain_core.messages.tool import invalid_tool_call
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session, sessionmaker

from agent.models import INCOMPLETE_CALLS
from agent.models.shared import TOOL_RULE, TOOL_STATUS, ToolStatus
from agent.tool_args import ToolEnv
from agent.tools import ToolSpec
from services.core.audit import jsonable
from services.core.context import ServiceContext
from services.core.errors import DomainError, PolicyViolation
from services.core.money import chf
from services.core.operations import OperationResult
from services.text.user_text import clean_value

log = logging.getLogger(__name__)

# A long search result would crowd the model's context; it sees the first ones and a count.
MAX_ITEMS = 10
MAX_CONTENT = 8000

Status = ToolStatus  # the one definition, shared with the models that read it


# Finish reasons saying the model's output was cut off (OpenAI-compatible, Anthropic, Gemini).
CUT_OFF = frozenset({"length", "max_tokens", "MAX_TOKENS"})
# The checkpoint serialiser (msgpack) holds signed 64-bit integers at most.
STORABLE_INT = 2**63


def _unstorable(value: Any, where: str) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= STORABLE_INT:
        return f"{where}: the number {value} is out of range"
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value or ())
        if isinstance(value, list)
        else ()
    )
    for key, item in items:
        if problem := _unstorable(item, f"{where}.{key}" if where else str(key)):
            return problem
    return None


def screen_calls(message: AIMessage) -> AIMessage:
    """The model's message with the calls that must not run moved to its invalid calls (each
    still gets an answer, from `tools`):

    - every call of a reply cut off at the output limit, and every call whose streamed
      arguments were not complete JSON (openai_compat names them): LangChain "repairs" partial
      JSON (`{"new_flight_ids": [12` becomes [12]) into a valid call the model never made;
    - a call holding an integer no checkpoint can store (10**20): it would break the save of
      the whole turn. Kept as JSON text, which any size of number survives."""
    finish = message.response_metadata.get("finish_reason") or message.response_metadata.get(
        "stop_reason"
    )
    broken = set(message.response_metadata.get(INCOMPLETE_CALLS) or ())
    keep: list[ToolCall] = []
    refused: list[InvalidToolCall] = []
    for call in message.tool_calls:
        problem: str | None
        if call["id"] in broken:
            problem = (
                "the call was incomplete: its arguments were not complete JSON, so nothing was done"
            )
        elif finish in CUT_OFF:
            problem = (
                "the call was incomplete: the reply was cut off at the model's output limit "
                f"(finish reason {finish!r}), so nothing was done"
            )
        else:
            problem = _unstorable(call["args"], "")
        if problem is None:
            keep.append(call)
            continue
        raw = json.dumps(call["args"], ensure_ascii=False, default=str)
        refused.append(invalid_tool_call(name=call["name"], args=raw, id=call["id"], error=problem))
    if not refused:
        return message
    invalid = [*message.invalid_tool_calls, *refused]
    return message.model_copy(update={"tool_calls": keep, "invalid_tool_calls": invalid})


class ToolArgsError(ValueError):
    """The model's arguments do not fit the tool; the message is written for the model."""


def validate_args(spec: ToolSpec, args: dict[str, Any] | None) -> dict[str, Any]:
    """Typed arguments (dates, enums, bounded ints) or a ToolArgsError that says what is wrong.

    Invisible characters are stripped from every text argument first (services.text.user_text), so
    an instruction hidden in tag characters never reaches a service, an approval card or the
    audit trail."""
    schema: Any = spec.tool.tool_call_schema
    fields = schema.model_fields
    given: dict[str, Any] = clean_value(dict(args or {}))  # type: ignore[assignment]
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
            status="success" if self.status == ToolStatus.OK else "error",
            response_metadata={TOOL_STATUS: str(self.status), TOOL_RULE: self.rule},
        )


def result_outcome(spec: ToolSpec, value: Any) -> Outcome:
    if isinstance(value, OperationResult):
        done = {"done": value.summary, "rule_applied": value.rule}
        if value.charged:
            done["charged"] = chf(value.charged)
        if value.refunded:
            done["refunded"] = chf(value.refunded)
        return Outcome(dumps(done), ToolStatus.OK, value.rule)
    data = to_json(value)
    shown: Any = data
    if isinstance(data, list):
        shown = {"results": data[:MAX_ITEMS], "count": len(data)}
        if len(data) > MAX_ITEMS:
            shown["note"] = f"{len(data) - MAX_ITEMS} more not shown; narrow the search."
    return Outcome(dumps(shown), ToolStatus.OK, artifact=data if spec.keep_artifact else None)


def error_outcome(err: Exception) -> Outcome:
    """Refusals carry the rule's code and sentence so the model can explain them."""
    if isinstance(err, PolicyViolation):
        return Outcome(f"REFUSED (rule {err.code}): {err.message}", ToolStatus.REFUSED, err.code)
    if isinstance(err, DomainError):
        status = ToolStatus.ALREADY_DONE if err.code == "already_executed" else ToolStatus.ERROR
        return Outcome(f"ERROR ({err.code}): {err.message}", status, err.code)
    log.exception("tool failed unexpectedly")
    return Outcome(
        f"ERROR (tool_failure): the tool failed unexpectedly ({type(err).__name__}); "
        "nothing was changed. Apologise, and offer to try again or to escalate.",
        ToolStatus.ERROR,
        "tool_failure",
    )


def invalid_outcome(message: str) -> Outcome:
    return Outcome(f"INVALID CALL: {message} Correct the call and try again.", ToolStatus.INVALID)


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
