"""The channel API (issue 14): a FastAPI door over agent.runtime and services for the web
chat, apps and integrations. Bearer tokens (tokens), conversations streamed over SSE and a
WebSocket and resumable from the event log (streams, ws), approvals, trips, health and
metrics; errors as RFC 9457 problem documents (problems). `python -m api` serves it."""

from api.app import ApiConfigurationError, create_app
from api.problems import Problem
from api.streams import Kind as EventKind
from api.tokens import TokenPair, TokenRefused, TokenType

__all__ = [
    "ApiConfigurationError",
    "EventKind",
    "Problem",
    "TokenPair",
    "TokenRefused",
    "TokenType",
    "create_app",
]
