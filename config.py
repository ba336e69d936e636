"""One settings object for the whole app, read from the environment (prefix SKYDESK_) and .env."""

from __future__ import annotations

import os
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent
DEFAULT_SQLITE_URL = f"sqlite:///{ROOT / 'data' / 'skydesk.db'}"
DEFAULT_COOKIE_KEY = "skydesk-demo-cookie-key-change-me"
DEFAULT_API_TOKEN_KEY = "skydesk-demo-api-token-key-change-me"
# Every cookie key this repository ships (the demo default, compose's old default, the k8s and
# secrets.toml placeholders): anyone can read them, so anyone could sign a cookie with them.
PLACEHOLDER_COOKIE_KEYS = frozenset(
    {
        DEFAULT_COOKIE_KEY,
        DEFAULT_API_TOKEN_KEY,
        "local-compose-cookie-key-change-me",
        "CHANGE-ME-to-a-long-random-string",
        "replace-with-a-long-random-secret",
    }
)
MIN_COOKIE_KEY_LENGTH = 32
MIN_COOKIE_KEY_DISTINCT = 12  # secrets.token_urlsafe(32) has ~30 distinct of 43 characters
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
    # A read-only copy of that database (a PostgreSQL hot standby) for the managers' dashboards,
    # review, exports and audit verification, so their long scans leave the primary to the desk.
    # Empty: they read the primary. Writes, approvals and the assistant always use the primary.
    read_database_url: str = ""
    # Audit verification on the replica first waits this long for it to replay everything the
    # primary had committed (a lagging copy would look like a chain missing its newest records
    # and contradict the anchors), else reads the primary.
    read_database_catch_up_s: float = Field(default=5.0, ge=0, le=300)
    # Migrate (and seed an empty database) when a container starts. Off where a separate step
    # does it as the tables' owner (compose's migrate service, the k8s init container) and the
    # app connects as its own role, which may not change the schema or wipe the audit trail.
    bootstrap: bool = True
    # The app role's password, read only by `python -m db.app_role` (run by the owner).
    app_db_password: SecretStr | None = None
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
    # `python -m agent.retention` deletes the checkpoints of conversations not updated for this
    # many days (their transcripts stay on the turns, for review and history).
    checkpoint_retention_days: int = Field(default=180, ge=1)
    # Signs the audit anchors exported outside the database (services/core/audit_anchor.py): hex or
    # base64 of at least 32 random bytes. Unset: the SQLite demo generates a key file.
    audit_anchor_key: SecretStr | None = None
    # Where the signed anchors are exported: a directory the database's administrators cannot
    # write (a separate volume, an object-store mount). Unset: audit-anchors/ next to the SQLite
    # database; required with PostgreSQL and in production.
    audit_anchor_dir: Path | None = None
    # A sign-in cookie older than this is refused by the server, whatever the browser keeps.
    session_max_age_hours: float = Field(default=12.0, gt=0)
    # Sign-in attempts per client address (all usernames together), against password spraying.
    login_client_rate_limit: str = "20/minute"
    # Reverse proxies in front of the app that append to X-Forwarded-For (0: use the peer).
    trusted_proxy_hops: int = Field(default=0, ge=0, le=10)
    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    log_level: str = "INFO"
    # "auto": readable lines in a terminal, JSON lines otherwise and always in production.
    log_format: Literal["auto", "json", "text"] = "auto"
    # Hosts whose links stay clickable in text from the model or a person (comma-separated;
    # subdomains included): every other link is shown as inert text (ui/safe_text.py).
    link_allowlist: str = "alpine-air.example"
    # Worker processes of a suite run from the Evaluations page (1: in the server's process).
    eval_workers: int = Field(default_factory=lambda: min(usable_cpus(), MAX_EVAL_WORKERS), ge=1)

    # The channel API (api/, `python -m api`): where it listens, the key that signs its bearer
    # tokens (HS256; production refuses the default or a weak key), the tokens' lifetimes, and
    # the browser origins allowed to call it (comma-separated; never "*" with credentials).
    api_host: str = "127.0.0.1"
    api_port: int = Field(default=8000, ge=1, le=65535)
    api_token_key: SecretStr = SecretStr(DEFAULT_API_TOKEN_KEY)
    api_access_token_minutes: float = Field(default=15.0, gt=0)
    api_refresh_token_hours: float = Field(default=12.0, gt=0)
    api_cors_origins: str = "http://localhost:8501,http://127.0.0.1:8501"
    api_cors_credentials: bool = False
    # How long a stream waits for a run's next event before it ends (the client then resumes).
    api_stream_timeout_s: float = Field(default=120.0, gt=0)
    # EU 261/2004 compensation is fixed in euros and paid in francs at this rate (CHF per EUR;
    # about the 2025-2026 market rate). Operators set it from the treasury's rate.
    eur_chf_rate: Decimal = Field(default=Decimal("0.94"), gt=0, le=10)
    # The re-accommodation planner (services/disruptions/planner.py) serves groups in this order
    # of criteria, comma-separated, first match first: gold (a gold member in the party), silver,
    # tight_connection (an onward flight within 3 hours of the disrupted one's arrival), family
    # (a party of 3 or more); ties and everyone else by booking time.
    reaccommodation_priorities: str = "gold,tight_connection,family"
    # Minutes a passenger needs between an arrival and the next departure, for whether a delay
    # breaks a connection and for the connections the planner proposes: the booking rule's 40
    # (services.flights.policy.MIN_CONNECTION) plus 5 because a delayed flight's arrival is
    # still an estimate when the plan is made.
    reaccommodation_min_connection_minutes: int = Field(default=45, ge=40, le=240)

    @field_validator("demo_now")
    @classmethod
    def _demo_now_has_zone(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("SKYDESK_DEMO_NOW needs a UTC offset, e.g. 2026-11-25T09:00:00+00:00")
        return value

    @model_validator(mode="after")
    def _cors_is_an_allow_list(self) -> Settings:
        if self.api_cors_credentials and "*" in self.cors_origins:
            raise ValueError(
                "SKYDESK_API_CORS_ORIGINS is '*' while SKYDESK_API_CORS_CREDENTIALS is on: any "
                "site could then call the API with its visitors' credentials; list the origins."
            )
        return self

    def api_token_key_problem(self) -> str | None:
        """Why the API may not sign tokens with its key here (production only), or None. Not a
        validation error: the desk runs without the API and must not need its key."""
        if self.environment != "production":
            return None
        key = self.api_token_key.get_secret_value()
        return cookie_key_problem(key, "SKYDESK_API_TOKEN_KEY", "API token key")

    @property
    def cors_origins(self) -> list[str]:
        return [o.strip().rstrip("/") for o in self.api_cors_origins.split(",") if o.strip()]

    @property
    def link_hosts(self) -> frozenset[str]:
        """The allow-list as bare lower-case host names ("*.x" and ".x" mean x and below)."""
        hosts = (h.strip().lower().lstrip("*").strip(".") for h in self.link_allowlist.split(","))
        return frozenset(h for h in hosts if h)


def cookie_key_problem(
    key: str, variable: str = "SKYDESK_COOKIE_KEY", what: str = "sign-in cookie key"
) -> str | None:
    """Why this cookie key (or the API's token key, `variable`) must not sign production
    cookies or tokens, or None. With a guessable key a forged cookie signs in as anyone, so
    placeholders and low-entropy keys are refused."""
    hint = f"set {variable} to `python -c 'import secrets; print(secrets.token_urlsafe(32))'`"
    if key in PLACEHOLDER_COOKIE_KEYS or "change-me" in key.lower():
        return f"The {what} is the default or a published placeholder; {hint}."
    if len(key) < MIN_COOKIE_KEY_LENGTH:
        return f"The {what} is shorter than {MIN_COOKIE_KEY_LENGTH} characters; {hint}."
    if len(set(key)) < MIN_COOKIE_KEY_DISTINCT or _is_repeat(key):
        return f"The {what} has too little entropy (repeated characters); {hint}."
    return None


def _is_repeat(key: str) -> bool:
    """'abcabcabc...' style keys: a short unit repeated (distinct characters alone miss them)."""
    return any(key == (key[:size] * (len(key) // size + 1))[: len(key)] for size in range(1, 9))


@lru_cache
def get_settings() -> Settings:
    return Settings()
