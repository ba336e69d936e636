"""Checkpoint payloads encrypted at rest (issue #10, item 12).

Checkpoints hold whole transcripts (names, ticket numbers, trip details), so every payload is
encrypted with LangGraph's EncryptedSerializer (AES in EAX mode: confidentiality and integrity)
before either saver (SQLite or PostgreSQL) writes it.

The key: SKYDESK_CHECKPOINT_KEY (base64 or hex of 16, 24 or 32 bytes). Production refuses to
start without one. The demo generates a per-installation key file next to the database
(data/checkpoint.key, mode 0600) on first start: the demo then runs the same encrypted code path
as production and a copied database file alone does not reveal the transcripts, which a
plain-with-a-warning fallback would not give.

Rotation: put the new key in SKYDESK_CHECKPOINT_KEY and the old one(s) in
SKYDESK_CHECKPOINT_OLD_KEYS (comma-separated). New checkpoints are written with the new key;
old ones are still read with the old keys. A thread's next turn writes its checkpoint with the
new key, so once old threads are no longer needed the old key can be dropped; threads still
written only with it then no longer open (their bookings and audit are unaffected)."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from langgraph.checkpoint.serde.base import CipherProtocol
from langgraph.checkpoint.serde.encrypted import EncryptedSerializer
from pydantic import SecretStr
from sqlalchemy.engine import make_url

from config import Settings
from services.core.key_text import decoded_keys, repeats_too_much

log = logging.getLogger(__name__)

KEY_SIZES = (16, 24, 32)
KEY_FILE_NAME = "checkpoint.key"


class CheckpointKeyError(ValueError):
    """A checkpoint key is missing or malformed; the message says what to set."""


def parse_key(text: str) -> bytes:
    """A key written as hex or base64 (standard or URL-safe) of 16, 24 or 32 bytes."""
    for key in decoded_keys(text):
        if len(key) in KEY_SIZES:
            if repeats_too_much(key):
                raise CheckpointKeyError(
                    "The checkpoint key has too little entropy (repeated bytes); make one with "
                    "`python -c 'import secrets; print(secrets.token_hex(32))'`."
                )
            return key
    raise CheckpointKeyError(
        "A checkpoint key must be hex or base64 of 16, 24 or 32 random bytes, e.g. "
        "`python -c 'import secrets; print(secrets.token_hex(32))'`."
    )


class RotatingCipher(CipherProtocol):
    """Encrypts with the current key; decrypts with the current key or any old one."""

    def __init__(self, key: bytes, old_keys: list[bytes]) -> None:
        self.ciphers = [
            EncryptedSerializer.from_pycryptodome_aes(key=k).cipher for k in [key, *old_keys]
        ]

    def encrypt(self, plaintext: bytes) -> tuple[str, bytes]:
        return self.ciphers[0].encrypt(plaintext)

    def decrypt(self, ciphername: str, ciphertext: bytes) -> bytes:
        for cipher in self.ciphers[:-1]:
            try:
                return cipher.decrypt(ciphername, ciphertext)
            except ValueError:  # MAC check failed: written with another key
                continue
        return self.ciphers[-1].decrypt(ciphername, ciphertext)


def encrypted_serde(key: bytes, old_keys: list[bytes] | None = None) -> EncryptedSerializer:
    return EncryptedSerializer(RotatingCipher(key, old_keys or []))


def demo_key_file(database_url: str) -> Path:
    database = make_url(database_url).database
    folder = Path(database).parent if database and database != ":memory:" else Path("data")
    return folder / KEY_FILE_NAME


def _demo_key(path: Path) -> bytes:
    if path.exists():
        return parse_key(path.read_text())
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_EXCL: two processes starting together agree on the one file that won.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return parse_key(path.read_text())
    with os.fdopen(fd, "w") as out:
        out.write(secrets.token_hex(32))
    log.warning("generated a checkpoint key for this installation in %s", path)
    return parse_key(path.read_text())


def _secret(value: SecretStr | None) -> str:
    return value.get_secret_value() if value is not None else ""


def checkpoint_serde(settings: Settings) -> EncryptedSerializer:
    """The serializer for this deployment's checkpointer."""
    old = [parse_key(k) for k in _secret(settings.checkpoint_old_keys).split(",") if k.strip()]
    if settings.checkpoint_key is not None:
        return encrypted_serde(parse_key(settings.checkpoint_key.get_secret_value()), old)
    if settings.environment == "production":
        raise CheckpointKeyError(
            "SKYDESK_CHECKPOINT_KEY is not set: production needs a key to encrypt conversation "
            "checkpoints."
        )
    if make_url(settings.database_url).get_backend_name() != "sqlite":
        # Replicas on PostgreSQL must share one key; a per-machine file would not be shared.
        raise CheckpointKeyError("SKYDESK_CHECKPOINT_KEY is needed with a PostgreSQL database.")
    return encrypted_serde(_demo_key(demo_key_file(settings.database_url)), old)
