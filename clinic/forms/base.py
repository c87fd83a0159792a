"""The base form every clinic form extends."""

from __future__ import annotations

from flask_wtf import FlaskForm

from clinic.domain.errors import DomainError


class ClinicForm(FlaskForm):  # type: ignore[misc]
    """A CSRF-protected form that can show the domain's reasons next to its fields."""

    def populate_errors(self, error: DomainError) -> None:
        """Attach each (field, message) reason to its field, or to the form as a whole."""
        for field_name, message in error.reasons:
            field = self._fields.get(field_name)
            if field is None:
                self.form_errors.append(message)
            else:
                field.errors = [*field.errors, message]


def strip(value: str | None) -> str | None:
    """Trim surrounding whitespace from typed text."""
    return value.strip() if isinstance(value, str) else value
