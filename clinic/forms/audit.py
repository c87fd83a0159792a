"""The audit page's filter: a patient, a user, an action and dates (sent as a GET)."""

from __future__ import annotations

from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from clinic.forms.base import ClinicForm, strip


class AuditFilterForm(ClinicForm):
    """Which audit rows to list or download."""

    class Meta:
        csrf = False  # a read-only listing; nothing is changed by it

    mrn = StringField("Patient MRN", filters=[strip], validators=[Optional(), Length(max=64)])
    user = StringField("User e-mail", filters=[strip], validators=[Optional(), Length(max=254)])
    action = SelectField("Action", choices=[SelectChoice("", "Any action")], validate_choice=False)
    start = DateField("From", validators=[Optional()])
    end = DateField("To", validators=[Optional()])
    page = IntegerField("Page", default=1, validators=[Optional(), NumberRange(min=1, max=10**6)])

    def validate_action(self, field: SelectField) -> None:
        """An action is one the log holds (or none)."""
        if field.data and field.data not in {choice.value for choice in field.choices}:
            raise ValidationError("Choose an action from the list.")

    def validate_end(self, field: DateField) -> None:
        """The range runs forwards."""
        if field.data and self.start.data and field.data < self.start.data:
            raise ValidationError("The last day is before the first.")
