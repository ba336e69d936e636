"""Faults (the database gone, a bug) told apart from refusals, and reported safely.

A fault gets a short random reference. The exception, with its SQL and stack trace, goes to
the server log under that reference; the person sees a sentence and the reference; stored rows
(audit messages, turn records) keep only the fault's kind, the exception's type name and the
reference, never the exception's text (SQLAlchemy puts the statement and its columns in it)."""

from __future__ import annotations

import logging
import secrets
import sqlite3

import psycopg
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from services.core.errors import Fault, FaultKind, ServiceUnavailable

log = logging.getLogger(__name__)


def is_database_fault(err: BaseException) -> bool:
    """The database or the connection to it failed (not a bug in a query of ours).
    SQLAlchemy wraps the driver's errors; the checkpointer uses psycopg and sqlite3 directly
    (psycopg_pool.PoolTimeout is a psycopg.OperationalError)."""
    if isinstance(err, OperationalError | InterfaceError):
        return True
    if isinstance(err, DBAPIError) and err.connection_invalidated:
        return True
    return isinstance(
        err, psycopg.OperationalError | psycopg.InterfaceError | sqlite3.OperationalError
    )


def is_transient(err: BaseException) -> bool:
    """A reported fault of the database being unreachable: the same request may well succeed
    once it is back (a bug, or a constraint the request breaks, would fail again)."""
    return (
        isinstance(err, ServiceUnavailable)
        and err.fault is not None
        and err.fault.kind is FaultKind.SERVICE_UNAVAILABLE
    )


def new_reference() -> str:
    return secrets.token_hex(4)


def report(err: BaseException, *, where: str) -> Fault:
    """Classify `err`, log it with a fresh reference (the only place its text goes) and return
    the fault to show and store. A fault already reported below (a ServiceUnavailable that
    carries its fault) keeps that reference and is not logged twice."""
    if isinstance(err, ServiceUnavailable) and err.fault is not None:
        return err.fault
    kind = FaultKind.SERVICE_UNAVAILABLE if is_database_fault(err) else FaultKind.INTERNAL_ERROR
    fault = Fault(kind, type(err).__name__, new_reference())
    log.error(
        "%s failed (%s, reference %s)",
        where,
        kind.value,
        fault.reference,
        exc_info=err,
        extra={"fault_reference": fault.reference, "fault_kind": kind.value},
    )
    return fault


def unavailable(fault: Fault) -> ServiceUnavailable:
    """The error a service raises for a fault: the safe sentence, the fault attached."""
    return ServiceUnavailable(fault.message, fault=fault)
