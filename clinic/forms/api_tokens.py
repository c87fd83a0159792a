"""Making a personal API token."""

from __future__ import annotations

from wtforms import StringField
from wtforms.validators import DataRequired, Length

from clinic.forms.base import ClinicForm, strip


class ApiTokenForm(ClinicForm):
    """A name for a new token: the system that will use it."""

    name = StringField(
        "Token name",
        validators=[DataRequired(message="Name the token."), Length(max=80)],
        filters=[strip],
        description="The system that will use it, e.g. “Research registry”.",
        render_kw={"autocomplete": "off"},
    )


class RevokeForm(ClinicForm):
    """Revoking a token: nothing to fill in but the CSRF token."""
