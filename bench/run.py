"""Run the benchmarks, print each figure beside its target, write JSON.

python -m bench.run [--only seed,queries,agent,growth] [--json bench/results/latest.json] [--quick]
(`--only disruption`: the re-accommodation planner on the large world; `--only streams`: 200 open live streams; `--only delivery`: agent message to web chat; `--only
capacity`: the throughput curve of two app processes and audited writes per second; `--only
growth`: checkpoint bytes, rows and turn latency over a 120-turn conversation; `--only
dashboards_big`: the dashboards at 10M audit events and 2M turns, partitioned, not in CI)
"""

from __future__ import annotations

import argparse
import importlib
import json
import time
import traceback
from pathlib import Path
from typing import Any

from bench.common import machine

SUITES = {
    "seed": "bench.seed_bench",
    "queries": "bench.query_bench",
    "agent": "bench.agent_bench",
    "growth": "bench.growth_bench",
    "api": "bench.api_bench",
    "streams": "bench.stream_bench",
    "delivery": "bench.delivery_bench",
    "dashboards": "bench.dashboard_bench",
    "dashboards_big": "bench.dashboard_big",
    "evals": "bench.eval_bench",
    "ui": "bench.ui_bench",
    "disruption": "bench.disruption_bench",
    "disruption_exec": "bench.disruption_exec_bench",
    "capacity": "bench.capacity_bench",
}
# Suites that only run when named (hours of data, not for every run or CI).
NAMED_ONLY = {"dashboards_big"}


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


def print_table(results: dict[str, Any]) -> None:
    rows = results.get("figures", [])
    width = max((len(r["name"]) for r in rows), default=20)
    print(
        f"\n{'figure':<{width}}  {'value':>12}  {'unit':<5}  {'floor/peer':>10}  {'ratio':>6}  "
        f"{'target':<14}  status"
    )
    for r in rows:
        target = r.get("target") or ""
        status = r.get("status", "")
        floor = _fmt(r["floor"]) if "floor" in r else ""
        ratio = f"{r['ratio']:.2f}x" if "ratio" in r else ""
        print(
            f"{r['name']:<{width}}  {_fmt(r['value']):>12}  {r['unit']:<5}  {floor:>10}  "
            f"{ratio:>6}  {target:<14}  {status}"
        )
    for note in results.get("notes", []):
        print(f"note: {note}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--only",
        default=",".join(s for s in SUITES if s not in NAMED_ONLY),
        help="comma-separated suites: " + ", ".join(SUITES),
    )
    parser.add_argument("--json", default="bench/results/latest.json")
    parser.add_argument(
        "--quick", action="store_true", help="fewer repetitions, skip the large world"
    )
    args = parser.parse_args(argv)
    results: dict[str, Any] = {
        "machine": machine(),
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "quick": args.quick,
        "figures": [],
        "notes": [],
    }
    print(f"machine: {results['machine']}")
    failed = False
    for name in [s.strip() for s in args.only.split(",") if s.strip()]:
        module = importlib.import_module(SUITES[name])
        print(f"== {name} ==", flush=True)
        try:
            module.run(results, quick=args.quick)
        except Exception:
            failed = True
            traceback.print_exc()
            results["notes"].append(f"suite {name} failed; see the traceback above")
    print_table(results)
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(results, indent=2, default=str))
    print(f"\nwrote {args.json}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
