"""Patient registration and the start of an exam."""

from __future__ import annotations

from wtforms import BooleanField, DateField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Regexp

from clinic.domain.scales import Sex
from clinic.forms.base import ClinicForm, strip


class PatientForm(ClinicForm):
    """Identifying details of a patient."""

    mrn = StringField(
        "MRN",
        validators=[
            DataRequired(message="Enter the medical record number."),
            Length(max=32),
            Regexp(
                r"^[A-Za-z0-9][A-Za-z0-9._/-]*$", message="Use letters, digits and . _ / - only."
            ),
        ],
        filters=[strip],
        description="Medical record number, unique in the clinic.",
        render_kw={"autocapitalize": "characters", "autocomplete": "off"},
    )
    family_name = StringField(
        "Family name",
        validators=[DataRequired(message="Enter the family name."), Length(max=100)],
        filters=[strip],
        render_kw={"autocomplete": "off"},
    )
    given_name = StringField(
        "Given name",
        validators=[DataRequired(message="Enter the given name."), Length(max=100)],
        filters=[strip],
        render_kw={"autocomplete": "off"},
    )
    date_of_birth = DateField(
        "Date of birth",
        validators=[InputRequired(message="Enter the date of birth.")],
        format="%Y-%m-%d",
    )
    sex = RadioField(
        "Sex",
        choices=[SelectChoice(sex.value, sex.label) for sex in Sex],
        validators=[InputRequired(message="Choose one.")],
    )


class StartExamForm(ClinicForm):
    """Date and examining clinician of a new exam."""

    exam_date = DateField(
        "Exam date", validators=[InputRequired(message="Enter the exam date.")], format="%Y-%m-%d"
    )
    clinician = SelectField(
        "Examining clinician", validators=[DataRequired(message="Choose the examining clinician.")]
    )
    from_last_exam = BooleanField(
        "Start from the last exam",
        description="Copies the last exam's trigger points (muscle, side, location), "
        "all unexamined.",
    )
