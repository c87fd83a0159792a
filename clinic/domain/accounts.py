"""Rules for user accounts that do not depend on storage."""

from __future__ import annotations

PASSWORD_MIN_LENGTH = 12
PASSWORD_MAX_LENGTH = 256


def normalise_email(email: str) -> str:
    """Return the form of an e-mail address used to store, match and rate-limit it."""
    return email.strip().lower()


def password_problems(password: str) -> list[str]:
    """Say what is wrong with a new password, if anything (length rules, per NIST SP 800-63B)."""
    if len(password) < PASSWORD_MIN_LENGTH:
        return [f"Use at least {PASSWORD_MIN_LENGTH} characters."]
    if len(password) > PASSWORD_MAX_LENGTH:
        return [f"Use at most {PASSWORD_MAX_LENGTH} characters."]
    if not password.strip():
        return ["A password cannot be only spaces."]
    return []
