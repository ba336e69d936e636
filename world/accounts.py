"""Demo logins with bcrypt hashes (README, "The two commands").

bcrypt at 12 rounds costs ~0.25 s per password, by design. The hashes are computed in a
background thread while the world is generated (bcrypt releases the GIL) and reused within the
process, so tests that seed many worlds do not pay for them again."""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, timedelta

import bcrypt

from world.personas import DEMO_USERS
from world.sink import RowSink

BCRYPT_ROUNDS = 12
_cache: dict[str, str] = {}
_lock = threading.Lock()


def _hash_all() -> dict[str, str]:
    with _lock:
        for user in DEMO_USERS:
            if user.password not in _cache:
                salt = bcrypt.gensalt(rounds=BCRYPT_ROUNDS)
                _cache[user.password] = bcrypt.hashpw(user.password.encode(), salt).decode()
        return dict(_cache)


def start_hashing() -> Future[dict[str, str]]:
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="seed-bcrypt")
    future = executor.submit(_hash_all)
    executor.shutdown(wait=False)
    return future


def write_users(
    sink: RowSink, hashes: Future[dict[str, str]], persona_ids: dict[str, int], now: datetime
) -> dict[str, int]:
    """The demo users; returns their ids by username."""
    passwords = hashes.result()
    ids: dict[str, int] = {}
    for user in DEMO_USERS:
        user_id = sink.next_id("users")
        passenger = persona_ids[user.persona] if user.persona else None
        sink.add(
            "users",
            (user_id, user.username, user.name, user.email, passwords[user.password],
             user.role.value, passenger, False, now - timedelta(days=90)),
        )  # fmt: skip
        ids[user.username] = user_id
    return ids
