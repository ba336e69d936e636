"""Passwords: bcrypt hashes (the format streamlit-authenticator's Hasher writes and reads) and
the rules a new password must meet."""

from __future__ import annotations

import secrets

import bcrypt

from services.core.errors import InvalidInput

BCRYPT_ROUNDS = 12
MIN_PASSWORD = 8
MAX_PASSWORD_BYTES = 72  # bcrypt reads no further; longer passwords are refused, not cut


def hash_password(password: str) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=BCRYPT_ROUNDS)).decode()


def verify_password(password: str, password_hash: str) -> bool:
    try:
        return bcrypt.checkpw(password.encode(), password_hash.encode())
    except ValueError:  # not a bcrypt hash, or a password bcrypt cannot take
        return False


_dummy_hash: str | None = None


def spend_like_a_check(password: str) -> None:
    """Verify against a throwaway hash, so that a sign-in for an unknown username takes as long
    as one for a real account and the timing does not tell which usernames exist."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = hash_password(secrets.token_urlsafe(16))
    verify_password(password, _dummy_hash)


def check_new_password(password: str, username: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"The password is too short; use at least {MIN_PASSWORD} characters.")
    if len(password.encode()) > MAX_PASSWORD_BYTES:
        raise InvalidInput(f"The password is too long; use at most {MAX_PASSWORD_BYTES} bytes.")
    if password.strip() != password:
        raise InvalidInput("The password starts or ends with a space; remove it.")
    if password.lower() == username.lower():
        raise InvalidInput("The password must not be the username.")


def prehash(password: str, username: str) -> tuple[str, InvalidInput | None]:
    """Check and hash a new password before a write transaction starts (bcrypt takes ~0.25 s
    and the write lock should not wait); the caller raises the problem inside its action."""
    try:
        check_new_password(password, username)
    except InvalidInput as err:
        return "", err
    return hash_password(password), None
