"""200 concurrent open streams, held with no error: the API (`python -m api`, a real socket, its
own process) over the demo world on SQLite; 200 passengers' conversations each followed on
GET .../live (the stream a web chat keeps open while it waits for the desk) for HOLD_S seconds.
Reports how many stayed open with no error (target: all), the server's memory idle and with the
streams open, and an ordinary request's latency (GET /healthz) while they are open against the
same request with none open (the peer, measured in the same run: the ratio is the figure).

    python -m bench.stream_bench [--quick] [--streams 200]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from dataclasses import dataclass
from typing import Any

import httpx

from bench.api_server import ApiServer, api_server, customer_login
from bench.common import figure, percentiles

STREAMS = 200
HOLD_S = 10.0
HEALTH_SAMPLES = 60
OPEN_TIMEOUT_S = 30.0


@dataclass
class StreamOutcome:
    opened: bool = False
    error: str | None = None
    ended_early: bool = False

    @property
    def held(self) -> bool:
        return self.opened and self.error is None and not self.ended_early


async def _token(client: httpx.AsyncClient) -> dict[str, str]:
    answer = await client.post("/api/v1/auth/token", json=customer_login())
    answer.raise_for_status()
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


async def _conversations(client: httpx.AsyncClient, auth: dict[str, str], n: int) -> list[str]:
    ids = []
    for _ in range(n):  # one after another: starting conversations is not what is measured
        answer = await client.post("/api/v1/conversations", json={}, headers=auth)
        answer.raise_for_status()
        ids.append(answer.json()["id"])
    return ids


async def _drain(response: httpx.Response) -> None:
    async for _ in response.aiter_lines():
        pass  # keep-alive comments only: nobody writes to these conversations


async def _hold(
    client: httpx.AsyncClient,
    url: str,
    auth: dict[str, str],
    settled: asyncio.Event,
    stop: asyncio.Event,
) -> StreamOutcome:
    """One stream, open until `stop`: no error and not ended by the server. `settled` is set
    once it is open (or has failed)."""
    outcome = StreamOutcome()
    try:
        async with client.stream("GET", url, headers=auth) as response:
            if response.status_code != 200:
                outcome.error = f"HTTP {response.status_code}"
                return outcome
            outcome.opened = True
            settled.set()
            reader = asyncio.ensure_future(_drain(response))
            stopper = asyncio.ensure_future(stop.wait())
            await asyncio.wait({reader, stopper}, return_when=asyncio.FIRST_COMPLETED)
            if reader.done():
                failure = reader.exception()
                outcome.error = repr(failure) if failure else None
                outcome.ended_early = failure is None
            for task in (reader, stopper):
                task.cancel()
    except httpx.HTTPError as err:
        outcome.error = f"{type(err).__name__}: {err}"
    finally:
        settled.set()
    return outcome


async def _health_ms(client: httpx.AsyncClient, n: int) -> list[float]:
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        answer = await client.get("/healthz")
        samples.append((time.perf_counter() - start) * 1000)
        assert answer.status_code == 200, answer.text
        await asyncio.sleep(0.02)
    return samples


async def _measure(server: ApiServer, streams: int, hold_s: float) -> dict[str, Any]:
    limits = httpx.Limits(max_connections=streams + 20, max_keepalive_connections=streams + 20)
    timeout = httpx.Timeout(OPEN_TIMEOUT_S, read=None)
    async with (
        httpx.AsyncClient(base_url=server.url, limits=limits, timeout=timeout) as client,
        httpx.AsyncClient(base_url=server.url, timeout=10) as probe,
    ):
        auth = await _token(client)
        ids = await _conversations(client, auth, streams)
        await _health_ms(probe, 5)  # warm
        cpu_start, clock_start = server.cpu_s(), time.monotonic()
        idle = await _health_ms(probe, HEALTH_SAMPLES)
        cpu_idle = (server.cpu_s() - cpu_start) / (time.monotonic() - clock_start) * 100
        rss_idle = server.rss_mb()
        started = time.monotonic()
        stop = asyncio.Event()
        settled = [asyncio.Event() for _ in ids]
        tasks = [
            asyncio.create_task(_hold(client, f"/api/v1/conversations/{cid}/live", auth, e, stop))
            for cid, e in zip(ids, settled, strict=True)
        ]
        await asyncio.wait_for(asyncio.gather(*(e.wait() for e in settled)), OPEN_TIMEOUT_S)
        all_open, cpu_open = time.monotonic(), server.cpu_s()
        busy = await _health_ms(probe, HEALTH_SAMPLES)
        rss_busy = server.rss_mb()
        # Every stream open at once for hold_s, counted from when the last one opened.
        await asyncio.sleep(max(0.0, all_open + hold_s - time.monotonic()))
        cpu_busy = (server.cpu_s() - cpu_open) / (time.monotonic() - all_open) * 100
        stop.set()
        outcomes = await asyncio.gather(*tasks)
        all_open_s = all_open - started
    return {
        "outcomes": outcomes,
        "idle": idle,
        "busy": busy,
        "rss_idle": rss_idle,
        "rss_busy": rss_busy,
        "cpu_idle": cpu_idle,
        "cpu_busy": cpu_busy,
        "all_open_s": all_open_s,
    }


def run(results: dict[str, Any], *, quick: bool = False, streams: int = STREAMS) -> None:
    hold_s = 5.0 if quick else HOLD_S
    # Streams last longer than the hold: an ended stream here would be a fault, not a timeout.
    with api_server("sqlite", SKYDESK_API_STREAM_TIMEOUT_S="300") as server:
        measured = asyncio.run(_measure(server, streams, hold_s))
    outcomes: list[StreamOutcome] = measured["outcomes"]
    held = sum(o.held for o in outcomes)
    errors = sorted({o.error for o in outcomes if o.error})
    if errors:
        results["notes"].append(f"streams: errors {errors[:3]}")
    idle, busy = percentiles(measured["idle"]), percentiles(measured["busy"])
    figure(results, f"streams held {hold_s:g} s with no error", held, "n", target=streams,
           lower_is_better=False)  # fmt: skip
    figure(results, "streams, all open after", measured["all_open_s"] * 1000, "ms")
    figure(results, "streams, server RSS idle", measured["rss_idle"], "MB")
    figure(results, f"streams, server RSS with {streams} open", measured["rss_busy"], "MB",
           floor=measured["rss_idle"])  # fmt: skip
    # Both while /healthz is asked every ~20 ms; each waiting stream re-reads SQLite every 0.2 s.
    figure(results, f"streams, server CPU with {streams} open", measured["cpu_busy"], "%",
           floor=measured["cpu_idle"])  # fmt: skip
    figure(results, f"streams, GET /healthz p50 with {streams} open", busy.p50_ms, "ms",
           floor=idle.p50_ms)  # fmt: skip
    figure(results, f"streams, GET /healthz p95 with {streams} open", busy.p95_ms, "ms",
           floor=idle.p95_ms)  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--streams", type=int, default=STREAMS)
    args = parser.parse_args(argv)
    results: dict[str, Any] = {"figures": [], "notes": []}
    run(results, quick=args.quick, streams=args.streams)
    for note in results["notes"]:
        print(f"note: {note}")


if __name__ == "__main__":
    main()
