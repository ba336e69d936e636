"""Rate limits on the `limits` library: login attempts and chat messages (README, "Configuration").

Counters live in memory by default (one process) and in Redis when settings.redis_url is set, so
several app replicas share them. A limiter answers "allowed?" and, if not, "retry in N s"."""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from limits import RateLimitItem, parse
from limits.errors import StorageError
from limits.storage import Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from config import Settings
from services.core.errors import InvalidInput

T = TypeVar("T")

log = logging.getLogger(__name__)

MEMORY = "memory://"


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after_s: int = 0  # whole seconds until the next attempt is allowed; 0 when allowed

    @property
    def message(self) -> str:
        if self.allowed:
            return ""
        return f"Too many attempts. Please try again in {self.retry_after_s} s."


def parse_rate(rate: str) -> RateLimitItem:
    try:
        return parse(rate)
    except ValueError:
        raise InvalidInput(
            f"'{rate}' is not a rate limit; write it like '5/minute' or '10 per hour'."
        ) from None


class RateLimiter:
    """A moving-window limit (e.g. "5/minute") on keys such as a username.

    A moving window counts the attempts of the last minute exactly, so a burst at the boundary of
    two fixed windows cannot double the allowance."""

    def __init__(self, name: str, rate: str, storage_uri: str | None = None) -> None:
        self.name = name
        self.item = parse_rate(rate)
        self.storage_uri = storage_uri or MEMORY
        # wrap_exceptions turns the backend's own errors (redis.ConnectionError, ...) into one
        # StorageError we can catch without importing every backend.
        storage = storage_from_string(self.storage_uri, wrap_exceptions=True)
        if not isinstance(storage, Storage):  # an async:// URI; the limiter is synchronous
            raise InvalidInput(f"The rate-limit store {self.storage_uri!r} is not synchronous.")
        self._storage = storage
        self._strategy = MovingWindowRateLimiter(self._storage)
        self._fallback: MovingWindowRateLimiter | None = None
        self._lock = threading.Lock()

    @property
    def rate(self) -> str:
        return str(self.item)

    def _key(self, key: str) -> tuple[str, str]:
        return ("skydesk", f"{self.name}:{key}")

    def _local(self) -> MovingWindowRateLimiter:
        """Per-process counters, used only while the shared store is unreachable: limits stay
        enforced (per replica) instead of failing open or locking every user out."""
        with self._lock:
            if self._fallback is None:
                self._fallback = MovingWindowRateLimiter(storage_from_string(MEMORY))
            return self._fallback

    def _call(self, method: Callable[[MovingWindowRateLimiter], Callable[..., T]], key: str) -> T:
        """`method` picks the limiter's method (`lambda limiter: limiter.hit`), so the result
        keeps its type whichever limiter, shared or local, answers."""
        try:
            return method(self._strategy)(self.item, *self._key(key))
        except StorageError as err:
            log.warning("rate-limit store %s unreachable (%s); using memory", self.name, err)
            return method(self._local())(self.item, *self._key(key))

    def _retry_after(self, key: str) -> int:
        stats = self._call(lambda limiter: limiter.get_window_stats, key)
        return max(1, math.ceil(stats.reset_time - time.time()))

    def hit(self, key: str) -> Decision:
        """Count one attempt; refused attempts are not counted (they do no work)."""
        if self._call(lambda limiter: limiter.hit, key):
            return Decision(True)
        return Decision(False, self._retry_after(key))

    def peek(self, key: str) -> Decision:
        """Would an attempt be allowed now? Counts nothing."""
        if self._call(lambda limiter: limiter.test, key):
            return Decision(True)
        return Decision(False, self._retry_after(key))

    def reset(self, key: str) -> None:
        self._call(lambda limiter: limiter.clear, key)


def client_address(forwarded_for: str | None, peer: str | None, trusted_hops: int) -> str:
    """The client's address as the last trusted proxy saw it.

    Each of `trusted_hops` proxies appends the address it got the request from to
    X-Forwarded-For, so the client is the trusted_hops-th entry from the right; anything left
    of it was written by the client and may be forged. With no trusted proxy, the peer."""
    hops = [part.strip() for part in (forwarded_for or "").split(",") if part.strip()]
    if trusted_hops > 0 and hops:
        return hops[-min(trusted_hops, len(hops))]
    return peer or "unknown"


def storage_uri(settings: Settings) -> str:
    return settings.redis_url or MEMORY


def login_limiter(settings: Settings) -> RateLimiter:
    return RateLimiter("login", settings.login_rate_limit, storage_uri(settings))


def login_client_limiter(settings: Settings) -> RateLimiter:
    return RateLimiter("login_client", settings.login_client_rate_limit, storage_uri(settings))


def chat_limiter(settings: Settings) -> RateLimiter:
    return RateLimiter("chat", settings.chat_rate_limit, storage_uri(settings))
