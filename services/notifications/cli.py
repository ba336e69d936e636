"""`python -m services.notifications deliver [--loop SECONDS] [--limit N]`: the outbox worker
for operators (services/core/commands.py's runner), once or in a loop until interrupted."""

from __future__ import annotations

import argparse
import time

from sqlalchemy.orm import Session

from config import get_settings
from services.core.commands import operator_context, run_in_session
from services.notifications.worker import DemoAdapter, deliver_pending


def notifications_command(argv: list[str] | None = None) -> int:
    """Deliver the passenger notices waiting in the outbox (the demo adapter)."""
    parser = argparse.ArgumentParser(prog="python -m services.notifications", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    deliver = sub.add_parser("deliver", help="deliver pending notices")
    deliver.add_argument("--limit", type=int, default=100, help="notices per run")
    deliver.add_argument(
        "--loop", type=float, metavar="SECONDS", help="run again every SECONDS until Ctrl-C"
    )
    deliver.add_argument("--database-url", default=get_settings().database_url)
    args = parser.parse_args(argv)
    clock = operator_context().clock

    def act(session: Session) -> int:
        adapter = DemoAdapter()
        while True:
            run = deliver_pending(session, adapter, limit=args.limit, clock=clock)
            if args.loop is None or run.claimed:  # a quiet loop prints nothing
                print(f"delivered {run.delivered}, failed {run.failed} of {run.claimed} claimed")
            if args.loop is None:
                return 0
            # A full run may have left more behind: go again at once.
            if run.claimed < args.limit:
                time.sleep(args.loop)

    try:
        return run_in_session(args.database_url, act)
    except KeyboardInterrupt:
        return 0
