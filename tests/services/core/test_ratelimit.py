"""Rate limits on the `limits` library: memory by default, Redis shared between replicas, and
a clear "try again in N s" when refused."""

from __future__ import annotations

import uuid

import pytest
import redis

from config import Settings
from services.core.errors import InvalidInput
from services.core.ratelimit import MEMORY, RateLimiter, login_limiter, storage_uri

REDIS_URL = "redis://127.0.0.1:6379/15"


def redis_reachable() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


def key() -> str:
    return uuid.uuid4().hex  # every test its own counter, also in a shared Redis


def test_allows_up_to_the_limit_then_says_when_to_retry() -> None:
    limiter, k = RateLimiter("login", "3/minute"), key()
    assert [limiter.hit(k).allowed for _ in range(3)] == [True, True, True]
    refused = limiter.hit(k)
    assert not refused.allowed
    assert 1 <= refused.retry_after_s <= 60
    assert refused.message == f"Too many attempts. Please try again in {refused.retry_after_s} s."


def test_keys_are_counted_separately() -> None:
    limiter, a, b = RateLimiter("login", "1/minute"), key(), key()
    assert limiter.hit(a).allowed
    assert not limiter.hit(a).allowed
    assert limiter.hit(b).allowed


def test_peek_counts_nothing_and_reset_clears() -> None:
    limiter, k = RateLimiter("chat", "2/minute"), key()
    assert limiter.peek(k).allowed and limiter.peek(k).allowed
    limiter.hit(k), limiter.hit(k)
    assert not limiter.peek(k).allowed
    limiter.reset(k)
    assert limiter.hit(k).allowed


def test_a_bad_rate_setting_is_named() -> None:
    with pytest.raises(InvalidInput, match="'often' is not a rate limit"):
        RateLimiter("login", "often")


def test_settings_choose_memory_or_redis() -> None:
    assert storage_uri(Settings(redis_url=None)) == MEMORY
    assert storage_uri(Settings(redis_url=REDIS_URL)) == REDIS_URL
    limiter = login_limiter(Settings(login_rate_limit="5/minute"))
    assert (limiter.name, limiter.rate, limiter.storage_uri) == ("login", "5 per 1 minute", MEMORY)


@pytest.mark.skipif(not redis_reachable(), reason=f"Redis not reachable at {REDIS_URL}")
def test_redis_counters_are_shared_between_replicas() -> None:
    first, second = (
        RateLimiter("login", "2/minute", REDIS_URL),
        RateLimiter("login", "2/minute", REDIS_URL),
    )
    k = key()
    assert first.hit(k).allowed
    assert second.hit(k).allowed  # another process, same store
    refused = first.hit(k)
    assert not refused.allowed and 1 <= refused.retry_after_s <= 60
    second.reset(k)
    assert first.hit(k).allowed


def test_unreachable_store_falls_back_to_memory_limits(caplog: pytest.LogCaptureFixture) -> None:
    limiter, k = RateLimiter("login", "1/minute", "redis://127.0.0.1:1/0"), key()
    assert limiter.hit(k).allowed
    assert not limiter.hit(k).allowed  # still limited, per process, instead of failing open
    assert "unreachable" in caplog.text
