"""The one error type the domain raises: a list of (field, message) reasons."""

from __future__ import annotations


class DomainError(Exception):
    """Input that breaks a clinical or business rule, with a message per field."""

    def __init__(self, reasons: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in reasons))
        self.reasons = reasons
