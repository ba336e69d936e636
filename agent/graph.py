"""The assistant's StateGraph.

    START -> load_context -> agent -> END                  (an answer without tool calls)
                             agent -> tools -> agent       (reads only)
                             agent -> tools -> preview -> approve -> preview ... -> agent   (writes)
                             agent -> tools -> give_up -> END   (invalid calls or too many steps)

- `load_context` turns the user's message into a HumanMessage and loads the passenger's profile.
- `agent` calls the model; a model failure becomes an assistant message, never an exception.
- `tools` answers every call of the model's message except the valid write calls: reads run at
  once, malformed or invalid calls get a validation message.
- `preview` takes the first unanswered write call and prices its approval card into the state
  (a refusal is answered at once, without a card).
- `approve` pauses in `interrupt()` with that card and, once approved, runs the write exactly
  once (ctx.once). On resume LangGraph re-runs a node from its top, which is why pricing (a dry
  run of the write) is a node of its own: a resume runs the write once, not the dry run again.
  The pair loops while write calls remain unanswered.
Every call thus gets its ToolMessage before the model is called again (langgraph issue 2075).
The nodes are in agent/nodes.py; the bound model and everything else a run needs come from
its context (agent.state.AgentContext), so building the graph needs only the checkpointer."""

from __future__ import annotations

from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from agent.calls import unanswered
from agent.context import AgentContext
from agent.nodes import agent, approve, give_up, load_context, preview, tools
from agent.state import AgentState


def after_agent(state: AgentState) -> str:
    return "tools" if unanswered(state["messages"]) else END


def after_tools(state: AgentState) -> str:
    if state.get("stop_reason"):
        return "give_up"
    return "preview" if unanswered(state["messages"]) else "agent"


def after_preview(state: AgentState) -> str:
    if state.get("card"):
        return "approve"
    return "preview" if unanswered(state["messages"]) else "agent"


def after_approve(state: AgentState) -> str:
    return "preview" if unanswered(state["messages"]) else "agent"


def build_graph(
    checkpointer: BaseCheckpointSaver[Any] | None,
) -> CompiledStateGraph[Any, Any, Any, Any]:
    builder = StateGraph(AgentState, context_schema=AgentContext)
    builder.add_node("load_context", load_context)
    builder.add_node("agent", agent)
    builder.add_node("tools", tools)
    builder.add_node("preview", preview)
    builder.add_node("approve", approve)
    builder.add_node("give_up", give_up)
    builder.add_edge(START, "load_context")
    builder.add_edge("load_context", "agent")
    builder.add_conditional_edges("agent", after_agent, ["tools", END])
    builder.add_conditional_edges("tools", after_tools, ["preview", "agent", "give_up"])
    builder.add_conditional_edges("preview", after_preview, ["approve", "preview", "agent"])
    builder.add_conditional_edges("approve", after_approve, ["preview", "agent"])
    builder.add_edge("give_up", END)
    return builder.compile(checkpointer=checkpointer)
