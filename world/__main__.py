"""python -m world --size demo|large [--seed N] [--now ISO] [--database-url URL] [--history N]
[--force]: generate the demo world and print a summary with row counts and elapsed time."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

from config import get_settings
from db.engine import make_engine
from world.generator import SeedError, seed_world
from world.sizes import SIZES


def _instant(text: str) -> datetime:
    """ISO 8601; without an offset it is read as UTC ('Z' is accepted too)."""
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 date-time: {text!r}") from exc
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m world", description=__doc__)
    parser.add_argument("--size", choices=sorted(SIZES), default="demo")
    parser.add_argument("--seed", type=int, default=None, help="default: SKYDESK_DEMO_SEED or 42")
    parser.add_argument(
        "--now", type=_instant, default=None,
        help="demo clock, e.g. 2026-11-26T08:00:00Z (default: SKYDESK_DEMO_NOW or this hour)",
    )  # fmt: skip
    parser.add_argument("--database-url", default=None, help="default: SKYDESK_DATABASE_URL")
    parser.add_argument("--history", type=int, default=0, metavar="N", help="conversations")
    parser.add_argument("--history-turns", type=int, default=None, metavar="T",
                        help="turns in total (default 5 per conversation)")  # fmt: skip
    parser.add_argument("--history-audit", type=int, default=None, metavar="A",
                        help="audit events in total (default 5 per conversation)")  # fmt: skip
    parser.add_argument("--scale", type=float, default=1.0, help="shrink/grow the size's volumes")
    parser.add_argument("--force", action="store_true", help="wipe a non-empty database first")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = get_settings()
    engine = make_engine(args.database_url or settings.database_url)
    try:
        summary = seed_world(
            engine,
            size=args.size,
            seed=args.seed if args.seed is not None else settings.demo_seed,
            now=args.now or settings.demo_now,
            history=args.history,
            history_turns=args.history_turns,
            history_audit=args.history_audit,
            scale=args.scale,
            force=args.force,
            progress=not args.quiet and sys.stderr.isatty(),
        )
    except SeedError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    print(summary.format())
    return 0


if __name__ == "__main__":
    sys.exit(main())
