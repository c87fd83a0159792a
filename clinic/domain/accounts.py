"""Rules for user accounts that do not depend on storage."""

from __future__ import annotations

from zxcvbn import zxcvbn

PASSWORD_MIN_LENGTH = 12
PASSWORD_MAX_LENGTH = 256
# zxcvbn's score from 0 (a guess or two) to 4; 3 is "safely unguessable" against online attacks
# that are throttled, as every password check here is.
PASSWORD_MIN_SCORE = 3


def normalise_email(email: str) -> str:
    """Return the form of an e-mail address used to store, match and rate-limit it."""
    return email.strip().lower()


def password_problems(password: str, personal: tuple[str, ...] = ()) -> list[str]:
    """Say what is wrong with a new password, if anything: its length (NIST SP 800-63B), and
    whether it is easy to guess (a common password, a keyboard walk, repeats, a date, the
    user's own name or e-mail address), checked offline with zxcvbn."""
    if len(password) < PASSWORD_MIN_LENGTH:
        return [f"Use at least {PASSWORD_MIN_LENGTH} characters."]
    if len(password) > PASSWORD_MAX_LENGTH:
        return [f"Use at most {PASSWORD_MAX_LENGTH} characters."]
    if not password.strip():
        return ["A password cannot be only spaces."]
    # zxcvbn's time grows with the length; the first 100 characters decide its score.
    verdict = zxcvbn(password[:100], user_inputs=[part for part in personal if part])
    if verdict["score"] < PASSWORD_MIN_SCORE:
        warning = verdict["feedback"]["warning"] or "This password is easy to guess."
        return [f"{warning.rstrip('.')}. Choose a passphrase of several unrelated words."]
    return []
