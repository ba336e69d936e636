"""One settings object for the whole app, read from the environment (prefix SKYDESK_) and .env."""

from __future__ import annotations

import os
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent
DEFAULT_SQLITE_URL = f"sqlite:///{ROOT / 'data' / 'skydesk.db'}"
DEFAULT_COOKIE_KEY = "skydesk-demo-cookie-key-change-me"
# Each evaluation worker is a whole interpreter with the agent (~200 MB), and the Evaluations
# page runs them on the server that also serves the users' chats.
MAX_EVAL_WORKERS = 4


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity: a taskset or cpuset, not every CPU)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SKYDESK_", env_file=".env", extra="ignore")

    environment: Literal["demo", "production"] = "demo"
    database_url: str = DEFAULT_SQLITE_URL
    # Freeze the demo clock (ISO 8601, with offset); unset means wall-clock time.
    demo_now: datetime | None = None
    demo_seed: int = 42

    # Model endpoint (OpenAI-compatible); the built-in offline model is the default.
    model_provider: Literal["builtin", "openai"] = "builtin"
    openai_model: str = "gpt-4o-mini"
    openai_base_url: str | None = None
    openai_api_key: SecretStr | None = None
    openai_timeout_s: float = 30.0
    openai_max_retries: int = 2

    redis_url: str | None = None
    chat_rate_limit: str = "10/minute"
    login_rate_limit: str = "5/minute"
    cookie_key: SecretStr = SecretStr(DEFAULT_COOKIE_KEY)
    # Encrypts conversation checkpoints (agent/checkpoint_crypto.py): hex or base64 of 16/24/32
    # bytes; old keys (comma-separated) still decrypt threads written before a rotation.
    checkpoint_key: SecretStr | None = None
    checkpoint_old_keys: SecretStr | None = None
    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    log_level: str = "INFO"
    # Worker processes of a suite run from the Evaluations page (1: in the server's process).
    eval_workers: int = Field(default_factory=lambda: min(usable_cpus(), MAX_EVAL_WORKERS), ge=1)

    @field_validator("demo_now")
    @classmethod
    def _demo_now_has_zone(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("SKYDESK_DEMO_NOW needs a UTC offset, e.g. 2026-11-25T09:00:00+00:00")
        return value

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
