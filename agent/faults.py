"""The runtime's public entry points never raise a raw exception.

`@streaming` (send, approve, deny): any exception while the caller iterates becomes the last
event, an ErrorEvent: kind service_unavailable for a database or connection failure,
internal_error otherwise, or a refusal's own code and sentence. `@guarded` (start, open, history,
pending_approval, status, mark_*): a fault is raised as AssistantUnavailable, the one error these
raise besides the services' refusals (DomainError). Either way the person reads a sentence and a
reference; the exception, SQL and stack trace go only to the server log (services.core.faults)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import ParamSpec, TypeVar

from agent.events import ErrorEvent, Event
from services.core import faults
from services.core.errors import DomainError, Fault, ServiceUnavailable

P = ParamSpec("P")
R = TypeVar("R")


class AssistantUnavailable(ServiceUnavailable):
    """A runtime read or bookkeeping call failed (database down, a bug): `message` is safe to
    show, `fault.reference` finds the server's log line. Nothing was changed."""

    def __init__(self, fault: Fault) -> None:
        super().__init__(fault.message, fault=fault)
        self.code = fault.kind.value


def error_event(err: Exception, *, where: str) -> ErrorEvent:
    """The event that ends a stream which raised `err`."""
    if isinstance(err, DomainError) and not isinstance(err, ServiceUnavailable):
        return ErrorEvent(err.code, err.message)  # a refusal: its sentence is for people
    fault = faults.report(err, where=where)
    return ErrorEvent(fault.kind.value, fault.message)


def streaming(fn: Callable[P, Iterator[Event]]) -> Callable[P, Iterator[Event]]:
    """Wrap an entry point that yields events (a generator, or a function returning one)."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Iterator[Event]:
        try:
            yield from fn(*args, **kwargs)
        except Exception as err:  # the stream ends with an event, never with a traceback
            yield error_event(err, where=fn.__qualname__)

    return wrapper


def guarded(fn: Callable[P, R]) -> Callable[P, R]:
    """Wrap an entry point that returns a value: refusals pass, faults become one error."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except DomainError as err:
            if isinstance(err, ServiceUnavailable) and not isinstance(err, AssistantUnavailable):
                raise AssistantUnavailable(faults.report(err, where=fn.__qualname__)) from err
            raise
        except Exception as err:
            raise AssistantUnavailable(faults.report(err, where=fn.__qualname__)) from err

    return wrapper
