"""Field types the exam forms share: tri-state answers, 0-10 ratings, decimals typed on a tablet."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from wtforms import RadioField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

NOT_ASKED = ""


def answer_text(value: bool | None) -> str:
    """How a stored tri-state answer is posted back."""
    return {True: "yes", False: "no", None: NOT_ASKED}[value]


class TriStateField(RadioField):  # type: ignore[misc]
    """Yes / no / not assessed; "not assessed" is None, never "no"."""

    def __init__(self, label: str, unknown_label: str = "Not assessed", **kwargs: Any) -> None:
        choices = [
            SelectChoice("yes", "Yes"),
            SelectChoice("no", "No"),
            SelectChoice(NOT_ASKED, unknown_label),
        ]
        super().__init__(
            label, choices=choices, validators=[Optional()], default=NOT_ASKED, **kwargs
        )

    def process_data(self, value: Any) -> None:
        self.data = answer_text(value) if value in (True, False, None) else value

    @property
    def answer(self) -> bool | None:
        """The answer as the domain takes it."""
        return {"yes": True, "no": False}.get(self.data or NOT_ASKED)

    def pre_validate(self, form: Any) -> None:
        if (self.data or NOT_ASKED) not in ("yes", "no", NOT_ASKED):
            raise ValidationError("Choose yes, no or not assessed.")


class EnumRadioField(RadioField):  # type: ignore[misc]
    """A choice among an enum's members, with an optional "not recorded" answer."""

    def __init__(
        self,
        label: str,
        enum: type[StrEnum],
        labels: dict[str, str],
        unknown_label: str | None = None,
        **kwargs: Any,
    ) -> None:
        choices = [
            SelectChoice(member.value, labels.get(member.value, member.value)) for member in enum
        ]
        if unknown_label is not None:
            choices.append(SelectChoice(NOT_ASKED, unknown_label))
        super().__init__(
            label, choices=choices, validators=[Optional()], default=NOT_ASKED, **kwargs
        )
        self.enum = enum

    def process_data(self, value: Any) -> None:
        self.data = value.value if isinstance(value, StrEnum) else (value or NOT_ASKED)

    @property
    def member(self) -> Any:
        """The chosen enum member, or None."""
        return self.enum(self.data) if self.data else None

    def pre_validate(self, form: Any) -> None:
        if self.data and self.data not in {member.value for member in self.enum}:
            raise ValidationError("Choose one of the options.")


class ScaleField(RadioField):  # type: ignore[misc]
    """A whole-number scale (0-10 pain, 0-3 severity) shown as a row of large buttons."""

    def __init__(self, label: str, maximum: int, unknown_label: str = "—", **kwargs: Any) -> None:
        choices = [SelectChoice(str(n), str(n)) for n in range(maximum + 1)]
        choices.append(SelectChoice(NOT_ASKED, unknown_label))
        super().__init__(
            label, choices=choices, validators=[Optional()], default=NOT_ASKED, **kwargs
        )
        self.maximum = maximum

    def process_data(self, value: Any) -> None:
        self.data = NOT_ASKED if value is None else str(value)

    @property
    def number(self) -> int | None:
        """The chosen number, or None when not recorded."""
        return int(self.data) if self.data not in (None, NOT_ASKED) else None

    def pre_validate(self, form: Any) -> None:
        if self.data in (None, NOT_ASKED):
            return
        if not (self.data.isdigit() and 0 <= int(self.data) <= self.maximum):
            raise ValidationError(f"Choose a whole number from 0 to {self.maximum}.")


class DecimalText(StringField):  # type: ignore[misc]
    """A decimal number typed on a numeric keypad; a comma works as the decimal mark."""

    def __init__(self, label: str, **kwargs: Any) -> None:
        render_kw = {"inputmode": "decimal", "autocomplete": "off"} | kwargs.pop("render_kw", {})
        super().__init__(label, render_kw=render_kw, **kwargs)

    def process_data(self, value: Any) -> None:
        self.data = format(value.normalize(), "f") if isinstance(value, Decimal) else (value or "")

    @property
    def decimal(self) -> Decimal | None:
        """The typed number, or None when left empty."""
        text = (self.data or "").strip().replace(",", ".")
        return Decimal(text) if text else None

    def pre_validate(self, form: Any) -> None:
        text = (self.data or "").strip().replace(",", ".")
        if not text:
            return
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValidationError("Enter a number, like 4.5.") from None
        if not number.is_finite():
            raise ValidationError("Enter a number, like 4.5.")


class WholeNumberText(StringField):  # type: ignore[misc]
    """A whole number typed on a numeric keypad."""

    def __init__(self, label: str, **kwargs: Any) -> None:
        render_kw = {"inputmode": "numeric", "pattern": "[0-9]*", "autocomplete": "off"}
        super().__init__(label, render_kw=render_kw | kwargs.pop("render_kw", {}), **kwargs)

    def process_data(self, value: Any) -> None:
        self.data = "" if value is None else str(value)

    @property
    def number(self) -> int | None:
        """The typed number, or None when left empty."""
        text = (self.data or "").strip()
        return int(text) if text else None

    def pre_validate(self, form: Any) -> None:
        text = (self.data or "").strip()
        if text and not text.isdigit():
            raise ValidationError("Enter a whole number, like 6.")


class OptionalSelect(SelectField):  # type: ignore[misc]
    """A select whose first option means "none"."""

    def pre_validate(self, form: Any) -> None:
        if self.data in (None, ""):
            return
        if self.data not in {choice.value for choice in self.choices}:
            raise ValidationError("Choose one of the options in the list.")


class MultiSelect(SelectMultipleField):  # type: ignore[misc]
    """Several choices from a grouped list (referral zones)."""

    def pre_validate(self, form: Any) -> None:
        known = {choice.value for choice in self.choices}
        unknown = [value for value in self.data or [] if value not in known]
        if unknown:
            raise ValidationError(f"Not in the list: {', '.join(unknown)}.")


class CheckboxesField(SelectMultipleField):  # type: ignore[misc]
    """A multiple choice shown as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
