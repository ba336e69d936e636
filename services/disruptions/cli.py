"""`python -m services.disruptions`: an administrator records a flight's disruption from the
command line (a deployment's operations desk, or a demo), acting as cli:<os user>
(services/core/commands.py). Kept in the package rather than services/cli.py so
services.disruptions and the operators' CLI module stay free of an import cycle."""

from __future__ import annotations

import argparse
from datetime import date

from sqlalchemy.orm import Session

from config import get_settings
from db.models import DisruptionCause, DisruptionKind
from services.core.commands import operator_context, run_in_session
from services.disruptions.records import disrupt_flight, find_flight


def disruption_command(argv: list[str] | None = None) -> int:
    """Cancel or delay a flight of the demo world, with its cause, as an administrator."""
    parser = argparse.ArgumentParser(prog="python -m services.disruptions", description=__doc__)
    parser.add_argument("--flight", nargs="+", required=True, help="flight number, e.g. AL 123")
    parser.add_argument(
        "--date", required=True, type=date.fromisoformat, help="local departure date"
    )
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--cancel", action="store_true")
    what.add_argument("--delay", type=int, metavar="MINUTES")
    parser.add_argument("--cause", required=True, choices=[c.value for c in DisruptionCause])
    override = parser.add_mutually_exclusive_group()
    override.add_argument(
        "--extraordinary", dest="extraordinary", action="store_true", default=None
    )
    override.add_argument("--not-extraordinary", dest="extraordinary", action="store_false")
    parser.add_argument("--database-url", default=get_settings().database_url)
    args = parser.parse_args(argv)

    def act(session: Session) -> int:
        flight_id = find_flight(session, " ".join(args.flight), args.date).id
        session.rollback()  # the write takes its own transaction and lock
        result = disrupt_flight(
            session, operator_context(), flight_id=flight_id,
            kind=DisruptionKind.CANCELLED if args.cancel else DisruptionKind.DELAYED,
            cause=args.cause, delay_minutes=args.delay, extraordinary=args.extraordinary,
        )  # fmt: skip
        print(result.summary)
        return 0

    return run_in_session(args.database_url, act)
