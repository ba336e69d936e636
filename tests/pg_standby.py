"""A throwaway PostgreSQL primary and its hot standby, for the read-replica tests.

Built from the PostgreSQL binaries on the machine (PG_BIN, else /usr/lib/postgresql/*/bin):
initdb in a temporary folder, the primary on a free port, `pg_basebackup -R` from it (the
standby's primary_conninfo and standby.signal) and the standby on another free port. The
machine's own server is never touched (its pg_hba.conf has no replication line). PostgreSQL
refuses to run as root, so as root the binaries run as the `postgres` OS user through
`runuser`, in a folder that user owns. `unavailable()` says why none can be started here."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

OS_USER = "postgres"
# Written into both servers' postgresql.conf: local only, a socket folder of their own, and
# no fsync (a crash loses a throwaway cluster, nothing else).
CONF = """
listen_addresses = '127.0.0.1'
port = {port}
unix_socket_directories = '{sockets}'
fsync = off
full_page_writes = off
hot_standby = on
wal_level = replica
max_wal_senders = 4
"""


def binaries() -> Path | None:
    configured = os.environ.get("PG_BIN")
    candidates = [Path(configured)] if configured else []
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    return next((c for c in candidates if (c / "pg_basebackup").exists()), None)


def _as_root() -> bool:
    return os.geteuid() == 0


def unavailable() -> str | None:
    """Why no primary and standby can be started on this machine, or None."""
    if binaries() is None:
        return "no PostgreSQL binaries (initdb, pg_ctl, pg_basebackup): set PG_BIN"
    if _as_root():
        if shutil.which("runuser") is None:
            return "running as root without runuser, and PostgreSQL refuses root"
        try:
            pwd.getpwnam(OS_USER)
        except KeyError:
            return f"running as root without a '{OS_USER}' OS user, and PostgreSQL refuses root"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class StandbyPair:
    """A running primary and its streaming hot standby (superuser `postgres`, trust auth)."""

    root: Path
    bin: Path
    primary_port: int
    standby_port: int

    def url(self, port: int, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{port}/{database}"

    def primary_url(self, database: str = "postgres") -> str:
        return self.url(self.primary_port, database)

    def standby_url(self, database: str = "postgres") -> str:
        return self.url(self.standby_port, database)

    def run(self, tool: str, *args: str) -> None:
        command = [str(self.bin / tool), *args]
        if _as_root():
            command = ["runuser", "-u", OS_USER, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        if done.returncode:
            raise RuntimeError(f"{tool} failed ({done.returncode}): {done.stderr or done.stdout}")

    def start(self, name: str, port: int) -> None:
        data = self.root / name
        conf = CONF.format(port=port, sockets=self.root)
        with (data / "postgresql.conf").open("a") as f:
            f.write(conf)  # later lines win over the copy pg_basebackup took of the primary's
        self.run("pg_ctl", "start", "-w", "-t", "60", "-D", str(data), "-l", f"{data}.log")

    def stop(self, name: str) -> None:
        if (self.root / name / "postmaster.pid").exists():
            with contextlib.suppress(Exception):
                self.run("pg_ctl", "stop", "-m", "immediate", "-w", "-D", str(self.root / name))

    def sql(self, port: int, statement: str, database: str = "postgres") -> object:
        engine = create_engine(
            self.url(port, database).replace("postgresql://", "postgresql+psycopg://"),
            isolation_level="AUTOCOMMIT",
            poolclass=NullPool,
        )
        try:
            with engine.connect() as conn:
                result = conn.execute(text(statement))
                return result.scalar() if result.returns_rows else None
        finally:
            engine.dispose()

    def create_database(self) -> str:
        """A new database on the primary, once the standby has it too; returns its name."""
        name = f"skydesk_{uuid.uuid4().hex[:10]}"
        self.sql(self.primary_port, f'CREATE DATABASE "{name}"')
        deadline = time.monotonic() + 30
        query = f"SELECT count(*) FROM pg_database WHERE datname = '{name}'"
        while not self.sql(self.standby_port, query):
            if time.monotonic() > deadline:
                raise RuntimeError(f"the standby never replayed CREATE DATABASE {name}")
            time.sleep(0.05)
        return name

    def log_tail(self) -> str:
        parts = []
        for name in ("primary", "standby"):
            log = self.root / f"{name}.log"
            if log.exists():
                parts.append(f"--- {name}.log\n" + "\n".join(log.read_text().splitlines()[-20:]))
        return "\n".join(parts)


@contextlib.contextmanager
def standby_pair() -> Iterator[StandbyPair]:
    """Start a primary and a hot standby; both are stopped (immediately) and their folder
    removed on the way out, whatever happened in between."""
    bin_dir = binaries()
    assert bin_dir is not None, unavailable()
    root = Path(tempfile.mkdtemp(prefix="skydesk-standby-"))
    if _as_root():
        account = pwd.getpwnam(OS_USER)
        os.chown(root, account.pw_uid, account.pw_gid)
    pair = StandbyPair(root, bin_dir, free_port(), free_port())
    try:
        try:
            _set_up(pair)
        except RuntimeError as err:
            raise RuntimeError(f"{err}\n{pair.log_tail()}") from err
        yield pair
    finally:
        pair.stop("standby")
        pair.stop("primary")
        shutil.rmtree(root, ignore_errors=True)


def _set_up(pair: StandbyPair) -> None:
    root = pair.root
    pair.run(
        "initdb", "-D", str(root / "primary"), "-U", "postgres", "--auth=trust",
        "--no-sync", "-E", "UTF8", "--locale=C.UTF-8",
    )  # fmt: skip
    pair.start("primary", pair.primary_port)
    pair.run(
        "pg_basebackup", "-h", "127.0.0.1", "-p", str(pair.primary_port), "-U", "postgres",
        "-D", str(root / "standby"), "-R", "-X", "stream", "-c", "fast", "--no-sync",
    )  # fmt: skip
    pair.start("standby", pair.standby_port)
