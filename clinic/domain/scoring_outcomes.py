"""Result types of scoring and the exact three-valued logic behind them.

A missing input is never read as negative. A result is UNDETERMINED only when some completion of the
missing inputs would make it met and another would make it not met; when every completion agrees the
result is definite. `decide` computes exactly that by looking at every completion, which is cheap
here (a few thousand at most) and, unlike Kleene three-valued logic, never gives up on a result that
correlated inputs already settle.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from clinic.domain.errors import DomainError

# Every criteria version (ACR 1990, 2010, 2011, 2016) asks for pain lasting at least 3 months.
MINIMUM_DURATION_MONTHS = 3
# Typographic dash and minus for the texts clinicians read; escapes, because ruff rightly flags the
# look-alike characters themselves in source (RUF001).
EN_DASH = "\u2013"
MINUS = "\u2212"


class Outcome(StrEnum):
    """Whether a criterion or condition is met, not met, or cannot be determined yet."""

    MET = "met"
    NOT_MET = "not_met"
    UNDETERMINED = "cannot_be_determined"

    @property
    def words(self) -> str:
        """Return the outcome as it reads in a sentence."""
        return {
            "met": "met",
            "not_met": "not met",
            "cannot_be_determined": "cannot be determined",
        }[self.value]

    @property
    def answer(self) -> str:
        """Return the outcome as yes, no or unknown."""
        return {"met": "yes", "not_met": "no", "cannot_be_determined": "unknown"}[self.value]


@dataclass(frozen=True)
class Condition:
    """One condition of a criterion, its outcome, and what it is in words."""

    key: str
    text: str
    outcome: Outcome


@dataclass(frozen=True)
class CriterionResult:
    """A criterion set applied to one exam (or one trigger point), with its version and reasons."""

    key: str
    version: str
    outcome: Outcome
    conditions: tuple[Condition, ...]
    summary: str


@dataclass(frozen=True)
class CountScore:
    """A count (TPC, WPI, SSS...) and the range still possible while inputs are missing."""

    key: str
    version: str
    # None while any input is missing: a partial count is never shown as if it were the score.
    value: int | None
    minimum: int
    maximum: int
    of: int
    missing: tuple[str, ...]
    text: str


def decide(completions: Iterable[bool]) -> Outcome:
    """Return MET if every completion meets, NOT_MET if none does, else UNDETERMINED."""
    seen_met = seen_not_met = False
    for met in completions:
        if met:
            seen_met = True
        else:
            seen_not_met = True
        if seen_met and seen_not_met:
            return Outcome.UNDETERMINED
    if not (seen_met or seen_not_met):
        raise ValueError("decide() needs at least one completion")
    return Outcome.MET if seen_met else Outcome.NOT_MET


def possible_values(answer: bool | None) -> tuple[bool, ...]:
    """Return the values a yes/no answer can still take: both when it was not recorded."""
    if answer is None:
        return (False, True)
    return (answer,)


def outcome_values(outcome: Outcome) -> tuple[bool, ...]:
    """Return the truth values a condition with this outcome can still take."""
    if outcome is Outcome.UNDETERMINED:
        return (False, True)
    return (outcome is Outcome.MET,)


def at_least(score: CountScore, threshold: int) -> Outcome:
    """Return whether score >= threshold, exactly over its possible range."""
    return decide(value >= threshold for value in (score.minimum, score.maximum))


def span(minimum: int, maximum: int) -> str:
    """Return "7" for a single value and "6-8" (with an en dash) for a range."""
    return str(minimum) if minimum == maximum else f"{minimum}{EN_DASH}{maximum}"


def yes_no(answer: bool | None) -> str:
    """Return a recorded yes/no answer as yes, no or not recorded."""
    if answer is None:
        return "not recorded"
    return "yes" if answer else "no"


def check_scale(value: int | None, field: str, low: int, high: int) -> int | None:
    """Return value unchanged, or raise DomainError when it lies outside its scale."""
    if value is not None and not low <= value <= high:
        raise DomainError([(field, f"must be between {low} and {high}, got {value}")])
    return value


def duration_condition(months: int | None) -> Condition:
    """Return the "pain for 3 months or more" condition every criteria version shares."""
    if months is not None and months < 0:
        raise DomainError([("survey.pain_duration_months", f"must not be negative, got {months}")])
    needed = f"(≥ {MINIMUM_DURATION_MONTHS} months needed)"
    if months is None:
        return Condition("duration", f"pain duration not recorded {needed}", Outcome.UNDETERMINED)
    met = months >= MINIMUM_DURATION_MONTHS
    unit = "month" if months == 1 else "months"
    return Condition(
        "duration",
        f"pain for {months} {unit} {needed}",
        Outcome.MET if met else Outcome.NOT_MET,
    )


def duration_phrase(condition: Condition) -> str:
    """Return the duration condition as a summary phrase."""
    return f"{MINIMUM_DURATION_MONTHS} months or more: {condition.outcome.answer}"


def summary_line(parts: Iterable[str], version: str, outcome: Outcome) -> str:
    """Join condition phrases and the verdict into one summary sentence."""
    return "; ".join([*parts, f"{version}: {outcome.words}"])
