"""Run the conversation evaluation suite.

    python -m evals.run [--cases PATH ...] [--model builtin|openai] [--json OUT]
                        [--min-pass X] [--workers N] [--now ISO] [--seed N] [-k SUBSTRING]
                        [--store] [--database-url postgresql://...]

Prints one line per failed case with the reasons, one per case that called a write it did not
ask for, a per-tag table, and last `N passed, M failed, K unrequested writes`. Exit status: 0
when the pass rate reaches --min-pass and no write was unrequested, 1 otherwise, 2 when the
case files are invalid. See evals/README.md.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import datetime

from config import usable_cpus
from evals.cases_format import DEFAULT_CASES, CaseFormatError
from evals.report import store_run, text_report, write_json
from evals.suite import run_suite
from evals.world import DEFAULT_NOW, DEFAULT_SEED


def _instant(value: str) -> datetime:
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 instant: {value!r}") from None
    if instant.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{value!r} needs a UTC offset, e.g. +00:00")
    return instant


def _rate(value: str) -> float:
    rate = float(value)
    if not 0 <= rate <= 1:
        raise argparse.ArgumentTypeError("a pass rate between 0 and 1")
    return rate


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("at least 1")
    return number


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m evals.run",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--cases", nargs="+", default=[str(DEFAULT_CASES)], metavar="PATH",
                   help="case files or folders (default: evals/cases/)")  # fmt: skip
    p.add_argument("--model", choices=["builtin", "openai"], default="builtin")
    p.add_argument("--json", metavar="OUT", help="write every case's transcript and verdict")
    p.add_argument("--min-pass", type=_rate, default=0.9, metavar="X",
                   help="exit non-zero when the pass rate is below X (default 0.9)")  # fmt: skip
    p.add_argument("--workers", type=_positive, default=usable_cpus(), metavar="N",
                   help="worker processes (default: CPU count; 1 runs in-process)")  # fmt: skip
    p.add_argument("--now", type=_instant, default=DEFAULT_NOW, metavar="ISO",
                   help=f"the frozen demo clock (default {DEFAULT_NOW.isoformat()})")  # fmt: skip
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help="demo world seed")
    p.add_argument("-k", dest="keyword", metavar="SUBSTRING",
                   help="only cases whose id contains SUBSTRING (case-insensitive)")  # fmt: skip
    p.add_argument("--store", action="store_true",
                   help="save the run in the app database's evaluation history")  # fmt: skip
    p.add_argument("--database-url", metavar="URL",
                   help="run each case on its own PostgreSQL database on this server")  # fmt: skip
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    # A plain counter on a terminal, not tqdm: its monitor thread would make this process
    # multi-threaded, and only a single-threaded one forks its workers at once (any other
    # starts a helper process for them first, see evals/pool.py).
    tty = sys.stderr.isatty()

    def progress(done: int, total: int) -> None:
        print(f"\revaluating: {done}/{total} cases", end="" if done < total else "\n",
              file=sys.stderr, flush=True)  # fmt: skip

    try:
        result = run_suite(
            args.cases,
            model=args.model,
            now=args.now,
            seed=args.seed,
            workers=args.workers,
            keyword=args.keyword,
            progress=progress if tty else None,
            database_url=args.database_url,
        )
    except CaseFormatError as err:
        print(f"invalid case files:\n{err}", file=sys.stderr)
        return 2
    if args.json:
        print(f"wrote {write_json(result, args.json)}", file=sys.stderr)
    if args.store:
        run_id = store_run(result, triggered_by=f"cli:{getpass.getuser()}"[:60])
        print(f"stored as evaluation run {run_id}", file=sys.stderr)
    print(text_report(result))
    if result.unrequested_writes:  # whatever the pass rate: a write nobody asked for
        return 1
    return 0 if result.pass_rate >= args.min_pass else 1


if __name__ == "__main__":
    raise SystemExit(main())
