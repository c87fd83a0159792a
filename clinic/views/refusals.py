"""A request refused for what it carries, and how such refusals name what they refuse."""

from __future__ import annotations

from typing import Final

from werkzeug.exceptions import HTTPException

MAX_NAME_SHOWN: Final = 40  # characters of a key or field name repeated in a message
NUL_MESSAGE: Final = "contains a NUL character (U+0000), which cannot be stored"
NOT_UTF8: Final = "is not valid UTF-8 text"


class BodyRefusedError(HTTPException):
    """A request refused for what its body or query string holds, with a message per field."""

    def __init__(self, code: int, title: str, errors: dict[str, str] | None = None) -> None:
        super().__init__(description=title)
        self.code = code
        self.title = title
        self.errors = errors or {}


def shown(name: str) -> str:
    """A key or field name as a message may repeat it: short, and only characters that print."""
    short = name if len(name) <= MAX_NAME_SHOWN else name[: MAX_NAME_SHOWN - 1] + "…"
    return short if short.isprintable() else ascii(short)[1:-1]


def unstorable(text: str) -> str | None:
    """Why a string cannot be stored as typed, or None when it can."""
    if "\x00" in text:
        return NUL_MESSAGE
    if text.isascii():
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        code = ord(text[error.start])
        return f"contains a lone surrogate (U+{code:04X}), which is not a character"
    return None
