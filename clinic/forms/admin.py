"""Administration: users and clinic settings."""

from __future__ import annotations

from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from clinic.domain.roles import Role
from clinic.domain.scales import PaperSize
from clinic.forms.auth import PersonFields, confirm_field, new_password_field
from clinic.forms.base import ClinicForm, strip
from clinic.forms.fields import CheckboxesField


class UserForm(PersonFields):
    """Create or edit a user."""

    roles = CheckboxesField(
        "Roles",
        choices=[SelectChoice(role.value, role.label) for role in Role],
        description="Clinicians examine and sign; staff manage patients, print and export; "
        "administrators manage users and clinic settings, with staff rights.",
    )


class NewUserForm(UserForm):
    """Create a user with a first password."""

    password = new_password_field("First password")
    confirm = confirm_field("password")


class ResetPasswordForm(ClinicForm):
    """An administrator sets a new password for a user."""

    password = new_password_field("New password")
    confirm = confirm_field("password")


class ClinicSettingsForm(ClinicForm):
    """The clinic's name and contact details, time zone and paper size."""

    name = StringField(
        "Clinic name",
        validators=[DataRequired(message="Enter the clinic's name."), Length(max=120)],
        filters=[strip],
    )
    address = TextAreaField("Address", validators=[Length(max=500)], filters=[strip])
    phone = StringField(
        "Phone", validators=[Length(max=40)], filters=[strip], render_kw={"inputmode": "tel"}
    )
    time_zone = SelectField("Time zone", validators=[DataRequired(message="Choose a time zone.")])
    paper_size = SelectField(
        "Paper size", choices=[SelectChoice(size.value, size.label) for size in PaperSize]
    )
