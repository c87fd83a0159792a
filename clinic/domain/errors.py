"""The one error type the domain raises: a list of (field, message) reasons."""

from __future__ import annotations


class DomainError(Exception):
    """Input that breaks a clinical or business rule, with a message per field."""

    def __init__(self, reasons: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in reasons))
        self.reasons = reasons


class NotReadyToSignError(DomainError):
    """A sign refused while findings are still to record (`missing`, in words); its reasons
    hold those and any other refusal (a mistyped password)."""

    def __init__(self, reasons: list[tuple[str, str]], missing: list[str]) -> None:
        super().__init__(reasons)
        self.missing = missing


class ExamLockedError(DomainError):
    """A change to an exam that is no longer a draft; corrections go into addenda."""

    def __init__(
        self, message: str = "This exam is signed and cannot change; add an addendum."
    ) -> None:
        super().__init__([("exam", message)])


class VersionConflictError(Exception):
    """A save based on an older version of a record than the one stored."""

    def __init__(self, record: str, stored_version: int, given_version: int) -> None:
        super().__init__(
            f"{record} is at version {stored_version}, the save was based on {given_version}"
        )
        self.record = record
        self.stored_version = stored_version
        self.given_version = given_version


class NotExaminerError(Exception):
    """A change to a draft by someone other than its examining clinician (only they edit it;
    an administrator can hand the draft to another clinician)."""

    def __init__(self, examiner: str) -> None:
        super().__init__(
            f"{examiner} examines this draft: only they can change it. An administrator can "
            "hand it to another clinician."
        )
        self.examiner = examiner
