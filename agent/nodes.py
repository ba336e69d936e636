"""The graph's nodes (wired in agent/graph.py, whose docstring draws the loop). Each is a
module-level function of the checkpointed state and the run's `Runtime[AgentContext]`: the
bound model, the session factory, the clock and the identity all come from the run context,
so nothing is captured when the graph is built and every run can be given its own."""

from __future__ import annotations

import logging
from typing import Any

from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from langgraph.runtime import Runtime
from langgraph.types import interrupt

from agent import models
from agent.approvals import ApprovalRequest, Decision, approval_id, decision_details
from agent.calls import answer, last_ai, unanswered, with_call_ids
from agent.context import AgentContext
from agent.models.shared import INTERRUPTED, ToolStatus
from agent.prompts import system_prompt
from agent.state import AgentState
from agent.toolcalls import (
    Outcome,
    ToolArgsError,
    error_outcome,
    invalid_outcome,
    run_tool,
    screen_calls,
    to_json,
    validate_args,
)
from agent.tools import TOOLS
from services.core import approvals
from services.core.access import current_passenger
from services.core.context import Approved
from services.core.faults import is_transient
from services.core.operations import executed_summary
from services.flights.policy import ZERO

log = logging.getLogger(__name__)

MAX_FAILED_ROUNDS = 3  # consecutive tool rounds with invalid calls before the turn stops
MAX_MODEL_CALLS = 12  # model calls in one turn before it stops (a model looping on tools)

STOP_TEXT = {
    "invalid_calls": "I'm sorry, I could not complete this: the language model made invalid "
    "tool calls {n} times in a row, so I stopped. Those calls changed nothing. Please rephrase "
    "the request or try again.",
    "too_many_steps": "I'm sorry, I could not finish this within {n} steps, so I stopped here. "
    "Please tell me which part to continue with.",
}


CUT_OFF = Outcome(
    "INTERRUPTED: this call was cut off before it ran; nothing was done. Call it again if it "
    "is still wanted.",
    ToolStatus.ERROR,
    INTERRUPTED,
)


def already_done(summary: str) -> Outcome:
    return Outcome(
        f"ERROR (already_executed): This request was already carried out: {summary}",
        ToolStatus.ALREADY_DONE,
        "already_executed",
    )


def load_context(state: AgentState, runtime: Runtime[AgentContext]) -> dict[str, Any]:
    ctx = runtime.context
    with ctx.session_factory() as session:
        passenger = current_passenger(session, ctx.service_context())
        # Contact details are not needed by the model and stay out of the checkpoint.
        profile = {
            "passenger_id": passenger.id,
            "name": passenger.full_name,
            "tier": passenger.tier.value,
            "payment_methods": [
                {"id": m.id, "brand": m.brand, "last4": m.last4} for m in passenger.payment_methods
            ],
        }
    # A run cut off mid-turn (an abandoned stream, a checkpoint written by hand) may have
    # left calls unanswered; answer them before the new message so the history stays valid.
    messages = state.get("messages", [])
    _, ai = last_ai(messages)
    repairs = []
    for call in unanswered(messages):
        done = None
        if ai is not None and call.get("name") in TOOLS and TOOLS[call["name"]].write:
            with ctx.session_factory() as session:
                key = approval_id(ctx.thread_id, ai.id, call.get("id") or "")
                done = executed_summary(session, key)
        repairs.append(answer(call, already_done(done) if done else CUT_OFF))
    inbox = state.get("inbox")
    return {
        "messages": [*repairs, *([HumanMessage(inbox)] if inbox else [])],
        "inbox": None,
        "passenger": profile,
        "failed_rounds": 0,
        "model_calls": 0,
        "stop_reason": None,
    }


def agent(state: AgentState, runtime: Runtime[AgentContext]) -> dict[str, Any]:
    ctx = runtime.context
    customer = ctx.actor.role == "customer"  # confirms their own changes (agent.prompts)
    prompt = system_prompt(ctx.clock.now(), state.get("passenger", {}), customer=customer)
    try:
        response = ctx.model.invoke([SystemMessage(prompt), *state["messages"]])
    except Exception as err:  # the conversation must go on: explain instead of raising
        log.warning("model call failed: %r", err)
        kind, text = models.explain_failure(err)
        response = AIMessage(content=text, response_metadata={"skydesk_error": kind})
    assert isinstance(response, AIMessage)
    return {
        "messages": [with_call_ids(screen_calls(response))],
        "model_calls": state.get("model_calls", 0) + 1,
    }


def tools(state: AgentState, runtime: Runtime[AgentContext]) -> dict[str, Any]:
    ctx = runtime.context
    out: list[ToolMessage] = []
    writes: list[dict[str, Any]] = []
    failed = False
    for call in unanswered(state["messages"]):
        spec = TOOLS.get(call.get("name") or "")
        if call.get("type") == "invalid_tool_call" or spec is None:
            problem = (
                f"there is no tool named {call.get('name')!r}"
                if call.get("type") != "invalid_tool_call"
                else f"the call to {call.get('name')!r} could not be read "
                f"({call.get('error') or 'its arguments are not valid JSON'}); nothing was done"
            )
            out.append(answer(call, invalid_outcome(f"{problem[0].upper()}{problem[1:]}.")))
            failed = True
            continue
        try:
            args = validate_args(spec, call.get("args"))
        except ToolArgsError as err:
            out.append(answer(call, invalid_outcome(str(err))))
            failed = True
            continue
        if spec.write:
            writes.append(call)  # left for `approve`
            continue
        out.append(answer(call, run_tool(spec, args, ctx.session_factory, ctx.service_context())))
    rounds = state.get("failed_rounds", 0) + 1 if failed else 0
    stop = None
    if rounds >= MAX_FAILED_ROUNDS:
        stop = "invalid_calls"
    elif state.get("model_calls", 0) >= MAX_MODEL_CALLS:
        stop = "too_many_steps"
    if stop:
        note = Outcome(
            "NOT EXECUTED: the turn was stopped before this was approved.", ToolStatus.ERROR
        )
        out.extend(answer(call, note) for call in writes)
    return {"messages": out, "failed_rounds": rounds, "stop_reason": stop}


def preview(state: AgentState, runtime: Runtime[AgentContext]) -> dict[str, Any]:
    """Price the next write's approval card (a dry run of the write, services.payments.quotes) and
    keep it in the state. A node of its own, because LangGraph re-runs a node from its top
    on resume: in `approve`, every resume would run the dry run again, before the write."""
    ctx = runtime.context
    messages = state["messages"]
    call = unanswered(messages)[0]
    spec = TOOLS[call["name"]]
    assert spec.preview is not None  # `tools` answered every call but the valid writes
    args = validate_args(spec, call["args"])  # valid: `tools` answered the invalid ones
    sctx = ctx.service_context()
    key = approval_id(ctx.thread_id, last_ai(messages)[1].id, call["id"])  # type: ignore[union-attr]
    try:
        with ctx.session_factory() as session:
            # Approved and run by a replica that died before saving its run: say so,
            # rather than quoting (or refusing) an action that already happened.
            if done := executed_summary(session, key):
                return {"messages": [answer(call, already_done(done))], "card": None}
            priced = spec.preview(session, sctx, args, messages)
    except Exception as err:  # refused, unknown id, search first, database down: no card
        return {"messages": [answer(call, error_outcome(err))], "card": None}
    request = ApprovalRequest(
        approval_id=key,
        thread_id=ctx.thread_id,
        tool_call_id=call["id"],
        tool=spec.name,
        args=to_json(args),
        **priced,
    )
    return {"card": request.model_dump(mode="json")}


def approve(state: AgentState, runtime: Runtime[AgentContext]) -> dict[str, Any]:
    ctx = runtime.context
    call = unanswered(state["messages"])[0]
    spec = TOOLS[call["name"]]
    args = validate_args(spec, call["args"])
    sctx = ctx.service_context()
    if not state.get("card"):  # paused by an earlier version, which priced in this node:
        return {}  # price it again in `preview` and show the card anew
    request = ApprovalRequest.model_validate(state["card"])
    key = request.approval_id
    decision = Decision.model_validate(interrupt(request.model_dump(mode="json")))
    # Everything below runs once per resume; the write itself at most once per approval id.
    # The stored first decision is the truth (Chat.approve/deny store it before resuming;
    # a resume that did not is stored here), so two replicas can never act differently.
    verdict = approvals.Verdict.APPROVED if decision.approved else approvals.Verdict.DENIED
    with ctx.session_factory() as session:
        stored = approvals.stored_decision(session, key) or approvals.decide(
            session,
            sctx,
            key,
            verdict,
            reason=decision.reason,
            details=decision_details(request),
        )
    if stored.verdict is not verdict:
        text = f"NOT EXECUTED: {stored.explain()}"
        return {"messages": [answer(call, Outcome(text, ToolStatus.DENIED))], "card": None}
    if not decision.approved:
        why = f": {decision.reason}" if decision.reason else ""
        text = f"DENIED by the support agent{why}. Nothing was changed."
        return {"messages": [answer(call, Outcome(text, ToolStatus.DENIED))], "card": None}
    # The write itself refuses, inside its transaction, if what it would charge or refund
    # now differs from what the approver saw (services.core.operations.check_approved).
    approved = Approved(charge=decision.charge or ZERO, refund=decision.refund or ZERO)
    # The database unreachable inside the write (rolled back, nothing changed) ends the
    # run with an error instead of answering the call: the run saves nothing, so the card
    # stays pending and approving it again once the database is back runs it (once). Any
    # other failure answers the call (a write that can never succeed must not leave a card
    # that can only be approved again).
    key_once = sctx.once(key, approved)
    outcome = run_tool(spec, args, ctx.session_factory, key_once, reraise=is_transient)
    return {"messages": [answer(call, outcome)], "card": None}


def give_up(state: AgentState) -> dict[str, Any]:
    reason = state.get("stop_reason") or "too_many_steps"
    limit = MAX_FAILED_ROUNDS if reason == "invalid_calls" else MAX_MODEL_CALLS
    text = STOP_TEXT[reason].format(n=limit)
    return {"messages": [AIMessage(content=text, response_metadata={"skydesk_error": reason})]}
