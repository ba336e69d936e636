"""What every operator command line shares (services/cli.py, services/disruptions/cli.py): it
acts as an administrator named cli:<os user>, on the demo clock when one is set, in one session
of its own database; a refused action prints its sentence and exits 2, never a traceback."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable

from sqlalchemy.orm import Session

from config import get_settings
from db.engine import make_engine, make_session_factory
from db.models import Role
from services.core.clock import FixedClock, SystemClock
from services.core.context import Actor, ServiceContext
from services.core.errors import DomainError

REFUSED = 2  # the exit status of a command whose action a rule refused


def operator_context() -> ServiceContext:
    demo_now = get_settings().demo_now
    clock = FixedClock(demo_now) if demo_now else SystemClock()
    return ServiceContext(actor=Actor(f"cli:{getpass.getuser()}"[:60], Role.ADMIN), clock=clock)


def run_in_session(database_url: str, command: Callable[[Session], int]) -> int:
    """Run `command` in a session of the database; its exit status, or REFUSED with the rule's
    sentence on standard error."""
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            return command(session)
    except DomainError as err:
        print(err.message, file=sys.stderr)
        return REFUSED
    finally:
        engine.dispose()
