"""Signed audit anchors kept outside the database (issue #10, item 9).

The hash chain alone proves nothing to someone who can write the database: they can delete the
tail and move the head back, re-hash the whole chain, or empty it, and it verifies. So every
check that finds the chain intact exports an anchor, {record count, that record's hash, time},
signed with HMAC-SHA256 under SKYDESK_AUDIT_ANCHOR_KEY (a secret the database does not hold),
as one write-once file in SKYDESK_AUDIT_ANCHOR_DIR (a volume or object-store mount the
database's administrators cannot write). A later check fails when the chain is shorter than an
anchor, differs from it at the anchored record, is empty while an anchor exists, or when an
anchor's signature is wrong.

What it cannot see: records appended after the newest anchor and then removed or rewritten
before the next check; and anyone holding both the key and the directory can forge anchors.

The demo (SQLite) generates the key into audit-anchor.key next to the database, like the
checkpoint key; production and PostgreSQL need both settings."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import logging
import os
import secrets
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session

from config import Settings
from db.models import AuditEvent
from services.core.audit import Checkpoint
from services.core.key_text import decoded_keys, repeats_too_much

log = logging.getLogger(__name__)

KEY_FILE_NAME = "audit-anchor.key"
DIR_NAME = "audit-anchors"
MIN_KEY_BYTES = 32
FORMAT = 1
KEY_HINT = "make one with `python -c 'import secrets; print(secrets.token_hex(32))'`"


class AnchorConfigError(ValueError):
    """The anchor key or directory is missing or unusable; the message says what to set."""


@dataclass(frozen=True)
class Anchor:
    """The chain had `seq` records and record `seq` hashed to `hash`, at `at`."""

    seq: int
    hash: str
    at: datetime

    def payload(self) -> bytes:
        fields = {"format": FORMAT, "seq": self.seq, "hash": self.hash, "at": self.at.isoformat()}
        return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()


@dataclass(frozen=True)
class AnchorReading:
    anchors: list[Anchor] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # forged or unreadable files


@dataclass(frozen=True)
class AnchorStore:
    directory: Path
    key: bytes = field(repr=False)

    def _signature(self, anchor: Anchor) -> str:
        return hmac.new(self.key, anchor.payload(), hashlib.sha256).hexdigest()

    def export(self, checkpoint: Checkpoint, at: datetime) -> Path:
        """Write the anchor once (an existing one for the same record is kept): the file
        appears whole or not at all, so a reader never sees half an anchor."""
        anchor = Anchor(checkpoint.seq, checkpoint.hash, at)
        path = self.directory / f"{anchor.seq:012d}-{anchor.hash[:16]}.json"
        body = json.loads(anchor.payload()) | {"hmac_sha256": self._signature(anchor)}
        self.directory.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=self.directory, prefix=".partial-")
        with os.fdopen(fd, "w") as out:
            json.dump(body, out, sort_keys=True)
        try:
            os.link(temporary, path)  # fails if present: anchors are write-once
        except FileExistsError:
            pass
        finally:
            os.unlink(temporary)
        return path

    def read(self) -> AnchorReading:
        reading = AnchorReading()
        if not self.directory.is_dir():
            return reading
        for path in sorted(self.directory.glob("*.json")):
            try:
                body = json.loads(path.read_text())
                anchor = Anchor(
                    int(body["seq"]), str(body["hash"]), datetime.fromisoformat(body["at"])
                )
                signature = str(body["hmac_sha256"])
            except (OSError, ValueError, KeyError, TypeError):
                reading.problems.append(f"audit anchor {path.name} is unreadable")
                continue
            if not hmac.compare_digest(signature, self._signature(anchor)):
                reading.problems.append(
                    f"audit anchor {path.name} has a wrong signature (forged, or signed with "
                    "another key)"
                )
                continue
            reading.anchors.append(anchor)
        return reading


@dataclass(frozen=True)
class AnchorMismatch:
    seq: int | None  # the first record concerned (None: an anchor file itself is bad)
    problem: str


def chain_problem(session: Session, store: AnchorStore) -> AnchorMismatch | None:
    """What is wrong when the chain disagrees with an exported anchor, or None. Every anchor
    is compared: each costs one primary-key lookup."""
    reading = store.read()
    if reading.problems:
        return AnchorMismatch(None, reading.problems[0])
    if not reading.anchors:
        return None
    last_seq = session.scalar(select(func.max(AuditEvent.seq))) or 0
    newest = max(reading.anchors, key=lambda a: a.seq)
    if last_seq == 0:
        return AnchorMismatch(
            1,
            f"the audit trail is empty but an anchor exported at {newest.at.isoformat()} "
            f"recorded {newest.seq} records: the trail was deleted",
        )
    if newest.seq > last_seq:
        return AnchorMismatch(
            last_seq + 1,
            f"the chain ends at record {last_seq} but an anchor exported at "
            f"{newest.at.isoformat()} recorded {newest.seq}: records {last_seq + 1}-{newest.seq} "
            "were deleted and the head moved back",
        )
    anchored = sorted({a.seq for a in reading.anchors})
    rows = session.execute(
        select(AuditEvent.seq, AuditEvent.hash).where(AuditEvent.seq.in_(anchored))
    ).all()
    hashes = {seq: hash_ for seq, hash_ in rows}
    for anchor in sorted(reading.anchors, key=lambda a: a.seq):
        if hashes.get(anchor.seq) != anchor.hash:
            return AnchorMismatch(
                anchor.seq,
                f"record {anchor.seq} differs from the anchor exported at "
                f"{anchor.at.isoformat()}: the chain was rewritten and re-hashed",
            )
    return None


def parse_key(text: str) -> bytes:
    """An HMAC key written as hex or base64 of at least 32 random bytes."""
    for key in decoded_keys(text):
        if len(key) >= MIN_KEY_BYTES:
            if repeats_too_much(key):
                raise AnchorConfigError(f"The audit anchor key has too little entropy; {KEY_HINT}.")
            return key
    raise AnchorConfigError(
        f"The audit anchor key must be hex or base64 of at least {MIN_KEY_BYTES} random bytes; "
        f"{KEY_HINT}."
    )


def _sqlite_folder(database_url: str | URL) -> Path | None:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return None
    database = url.database
    return Path(database).parent if database and database != ":memory:" else Path("data")


def anchor_dir(settings: Settings, database_url: str | URL) -> Path | None:
    """The configured directory, or the SQLite demo's default; None when there is neither."""
    if settings.audit_anchor_dir is not None:
        return settings.audit_anchor_dir
    folder = _sqlite_folder(database_url)
    return folder / DIR_NAME if folder is not None else None


def _demo_key(path: Path) -> bytes:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL: two processes starting together agree on the one file that won.
        with contextlib.suppress(FileExistsError):
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_hex(32))
            log.warning("generated an audit anchor key for this installation in %s", path)
    return parse_key(path.read_text())


def anchor_store(settings: Settings, database_url: str | URL) -> AnchorStore:
    """This deployment's store; refuses a production or PostgreSQL deployment without a key
    and a directory of its own (a per-machine default would not be shared, or would sit
    next to the database it is meant to check)."""
    directory = anchor_dir(settings, database_url)
    if directory is None:
        raise AnchorConfigError(
            "SKYDESK_AUDIT_ANCHOR_DIR is not set: audit anchors must be exported outside the "
            "database (a volume or object-store mount)."
        )
    if settings.audit_anchor_key is not None:
        return AnchorStore(directory, parse_key(settings.audit_anchor_key.get_secret_value()))
    folder = _sqlite_folder(database_url)
    if settings.environment == "production" or folder is None:
        raise AnchorConfigError(f"SKYDESK_AUDIT_ANCHOR_KEY is not set; {KEY_HINT}.")
    return AnchorStore(directory, _demo_key(folder / KEY_FILE_NAME))


def production_problems(settings: Settings) -> list[str]:
    """What a production deployment lacks to anchor its audit trail outside the database."""
    problems = []
    if settings.audit_anchor_key is None:
        problems.append(
            "SKYDESK_AUDIT_ANCHOR_KEY is not set: the audit trail's exported anchors must be "
            f"signed with a key the database does not hold; {KEY_HINT}."
        )
    else:
        try:
            parse_key(settings.audit_anchor_key.get_secret_value())
        except AnchorConfigError as error:
            problems.append(str(error))
    if settings.audit_anchor_dir is None:
        problems.append(
            "SKYDESK_AUDIT_ANCHOR_DIR is not set: audit anchors must be exported to a directory "
            "the database's administrators cannot write (a volume or object-store mount)."
        )
    return problems


def retire_anchors(directory: Path | None) -> int:
    """Maintenance only (the demo's re-seed, the test suite's wipe): the trail is discarded on
    purpose, so its anchors move to a retired-<ns>/ subfolder, kept but no longer checked."""
    if directory is None or not directory.is_dir():
        return 0
    files = list(directory.glob("*.json"))
    if files:
        retired = directory / f"retired-{time.time_ns()}"
        retired.mkdir()
        for path in files:
            path.rename(retired / path.name)
    return len(files)
