"""Signing in, first-time setup and changing one's password."""

from __future__ import annotations

from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length

from clinic.domain.accounts import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH
from clinic.forms.base import ClinicForm, strip


def new_password_field(label: str) -> PasswordField:
    """A field for choosing a password, with the length rules shown as help."""
    return PasswordField(
        label,
        validators=[
            InputRequired(message="Choose a password."),
            Length(
                min=PASSWORD_MIN_LENGTH,
                max=PASSWORD_MAX_LENGTH,
                message=f"Use {PASSWORD_MIN_LENGTH} to {PASSWORD_MAX_LENGTH} characters.",
            ),
        ],
        description=f"At least {PASSWORD_MIN_LENGTH} characters; a short sentence works well.",
        render_kw={"autocomplete": "new-password"},
    )


def confirm_field(other: str) -> PasswordField:
    """A field that must repeat another password field."""
    return PasswordField(
        "Repeat the password",
        validators=[
            InputRequired(message="Repeat the password."),
            EqualTo(other, message="The two passwords differ."),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class LoginForm(ClinicForm):
    """E-mail and password."""

    email = EmailField(
        "E-mail",
        validators=[DataRequired(message="Enter your e-mail address.")],
        filters=[strip],
        render_kw={"autocomplete": "username", "autofocus": True},
    )
    password = PasswordField(
        "Password",
        validators=[InputRequired(message="Enter your password.")],
        render_kw={"autocomplete": "current-password"},
    )


class PersonFields(ClinicForm):
    """Name, e-mail and professional credentials of a user."""

    email = EmailField(
        "E-mail",
        validators=[
            DataRequired(message="Enter an e-mail address."),
            Email(check_deliverability=False, message="Enter a valid e-mail address."),
            Length(max=254),
        ],
        filters=[strip],
    )
    display_name = StringField(
        "Name", validators=[DataRequired(message="Enter a name."), Length(max=120)], filters=[strip]
    )
    credentials = StringField(
        "Credentials",
        validators=[Length(max=80)],
        filters=[strip],
        description="Shown after the name in signature blocks, e.g. MD or PT, DPT.",
    )
    licence_number = StringField("Licence number", validators=[Length(max=64)], filters=[strip])


class SetupForm(PersonFields):
    """Create the first administrator, proving with the setup token that you run the server."""

    setup_token = StringField(
        "Setup token",
        validators=[DataRequired(message="Enter the setup token.")],
        filters=[strip],
        description="Printed by `make run`; `clinic setup-token` shows it again.",
        render_kw={"autocomplete": "off", "autofocus": True},
    )
    also_clinician = BooleanField("I also examine patients (clinician role)", default=True)
    password = new_password_field("Password")
    confirm = confirm_field("password")


class ChangePasswordForm(ClinicForm):
    """A user's own password change."""

    current_password = PasswordField(
        "Current password",
        validators=[InputRequired(message="Enter your current password.")],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = new_password_field("New password")
    confirm = confirm_field("new_password")
