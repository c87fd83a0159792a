"""The exam capture forms: tender points, trigger points, survey, impression, sign, addenda.

Forms check shape only; each row turns into the domain's input value with to_input(), and the
domain's reasons come back as field errors. Choices come from the domain catalogues.
"""

from __future__ import annotations

import re
from typing import Any

from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from clinic.domain.body_areas import BODY_AREAS, zone_code, zone_label
from clinic.domain.findings import (
    ImpressionInput,
    PressureReading,
    SurveyInput,
    TenderPointInput,
    TriggerPointInput,
)
from clinic.domain.muscles import MUSCLES, OTHER_MUSCLE
from clinic.domain.scales import (
    SYMPTOM_SEVERITY_ITEM_MAX,
    Impression,
    PressureUnit,
    Side,
    TautBand,
    TendernessGrade,
    TriggerPointClass,
    TwitchResponse,
)
from clinic.domain.wpi import PAIN_AREAS, wpi_answers
from clinic.forms.base import ClinicForm
from clinic.forms.fields import (
    NOT_ASKED,
    CheckboxesField,
    DecimalText,
    EnumRadioField,
    MultiSelect,
    OptionalSelect,
    ScaleField,
    TriStateField,
    WholeNumberText,
)

UNIT_CHOICES = [SelectChoice("", "unit")] + [SelectChoice(u.value, u.label) for u in PressureUnit]


# A version as the page sent it: ASCII digits only (str.isdigit() takes "²", which int() refuses),
# and short enough to be a version.
_VERSION = re.compile(r"[0-9]{1,9}")


def _version(field: HiddenField) -> int | None:
    text = field.data if isinstance(field.data, str) else ""
    return int(text) if _VERSION.fullmatch(text) else None


def _pressure(row: Any) -> PressureReading | None:
    value = row.ppt_value.decimal
    unit = row.ppt_unit.data
    if value is None:
        return None
    return PressureReading(value, PressureUnit(unit), row.ppt_probe_area_cm2.decimal)


class PressureFields(Form):  # type: ignore[misc]
    """An optional algometer reading."""

    ppt_value = DecimalText("Pressure pain threshold")
    ppt_unit = OptionalSelect("Unit", choices=UNIT_CHOICES)
    ppt_probe_area_cm2 = DecimalText("Probe area (cm²)")

    def validate_ppt_unit(self, field: Any) -> None:
        if self.ppt_value.data and not field.data:
            field.errors.append("Choose the unit the algometer shows.")


class TenderPointRow(PressureFields):
    """One site: examined or not, painful, rating, threshold."""

    site_code = HiddenField()
    version = HiddenField()
    examined = RadioField(
        "Examined",
        choices=[
            SelectChoice("yes", "Examined"),
            SelectChoice("no", "Not examined"),
            SelectChoice(NOT_ASKED, "Not yet"),
        ],
        default=NOT_ASKED,
        validators=[Optional()],
    )
    not_examined_reason = StringField("Reason not examined", validators=[Length(max=500)])
    painful = TriStateField("Painful", unknown_label="Not asked")
    rating = ScaleField("Rating 0–10", 10)

    @property
    def recorded(self) -> bool:
        """Whether the clinician recorded anything for this site."""
        return self.examined.data in ("yes", "no")

    def to_input(self) -> TenderPointInput:
        """The domain value of this row."""
        examined = self.examined.data == "yes"
        return TenderPointInput(
            site_code=self.site_code.data,
            examined=examined,
            not_examined_reason=(self.not_examined_reason.data or "") if not examined else "",
            painful=self.painful.answer,
            rating=self.rating.number,
            ppt=_pressure(self),
        )


class TenderPointsForm(ClinicForm):
    """Every tender-point and control site of the exam on one page."""

    sites = FieldList(FormField(TenderPointRow), min_entries=0)


def muscle_choices() -> list[SelectChoice]:
    """The muscle catalogue grouped by region, then "other"."""
    choices = [SelectChoice("", "Choose a muscle")]
    choices += [SelectChoice(m.code, m.label, optgroup=m.group) for m in MUSCLES]
    choices.append(SelectChoice(OTHER_MUSCLE, "Other (name it)"))
    return choices


def zone_choices() -> list[SelectChoice]:
    """Every side-qualified referral zone, grouped by body area."""
    choices = []
    for area in BODY_AREAS:
        sides = (Side.LEFT, Side.RIGHT) if area.paired else (Side.MIDLINE,)
        for side in sides:
            code = zone_code(area.code, side)
            choices.append(SelectChoice(code, zone_label(code), optgroup=area.label))
    return choices


GRADE_LABELS = {g.value: g.value for g in TendernessGrade}
TAUT_LABELS = {"present": "Present", "absent": "Absent", "not_assessable": "Not assessable"}
LTR_LABELS = {"yes": "Yes", "no": "No", "not_tested": "Not tested"}
CLASS_LABELS = {"active": "Active", "latent": "Latent", "not_trigger_point": "Not a trigger point"}
SIDE_CHOICES = [SelectChoice(Side.LEFT.value, "Left"), SelectChoice(Side.RIGHT.value, "Right")]


class TriggerPointRow(PressureFields):
    """One trigger point."""

    finding_id = HiddenField()
    version = HiddenField()
    remove = BooleanField("Remove this trigger point")
    muscle_code = OptionalSelect("Muscle", choices=muscle_choices())
    muscle_other_name = StringField("Other muscle", validators=[Length(max=120)])
    side = RadioField("Side", choices=SIDE_CHOICES, validators=[Optional()])
    location_in_muscle = StringField(
        "Location in the muscle", validators=[Length(max=120)], description="e.g. TrP1, mid-belly"
    )
    nodule_length_mm = DecimalText("Nodule length (mm)")
    nodule_width_mm = DecimalText("Nodule width (mm)")
    tenderness_grade = EnumRadioField("Tenderness grade", TendernessGrade, GRADE_LABELS, "—")
    rating = ScaleField("Pain rating 0–10", 10)
    taut_band = EnumRadioField("Taut band", TautBand, TAUT_LABELS, "—")
    hypersensitive_spot = TriStateField("Hypersensitive spot")
    patient_recognition = TriStateField("Patient recognises the pain")
    local_twitch_response = EnumRadioField("Local twitch response", TwitchResponse, LTR_LABELS, "—")
    jump_sign = TriStateField("Jump sign")
    referred_pain = TriStateField("Referred pain")
    referral_zones = MultiSelect("Referral zones", choices=zone_choices())
    referral_description = TextAreaField("Referral described", validators=[Length(max=2000)])
    classification = EnumRadioField(
        "Classification", TriggerPointClass, CLASS_LABELS, "Not decided"
    )
    notes = TextAreaField("Notes", validators=[Length(max=4000)])

    def validate(self, extra_validators: Any = None) -> bool:
        """Check the row; a row in use needs a side. (As an inline validate_side the check never
        ran: Optional() ends the field's checks when nothing is chosen, and saving the row then
        failed with a server error.)"""
        valid: bool = super().validate(extra_validators)
        if self.is_blank or self.remove.data or self.side.data:
            return valid
        self.side.errors = [*self.side.errors, "Choose left or right."]
        return False

    @property
    def is_blank(self) -> bool:
        """A new row left empty is ignored, not an error."""
        return not self.finding_id.data and not (
            self.muscle_code.data or self.muscle_other_name.data
        )

    def to_input(self) -> TriggerPointInput:
        """The domain value of this row."""
        return TriggerPointInput(
            muscle_code=self.muscle_code.data or None,
            side=Side(self.side.data),
            muscle_other_name=self.muscle_other_name.data or "",
            location_in_muscle=(self.location_in_muscle.data or "").strip(),
            nodule_length_mm=self.nodule_length_mm.decimal,
            nodule_width_mm=self.nodule_width_mm.decimal,
            tenderness_grade=self.tenderness_grade.member,
            rating=self.rating.number,
            taut_band=self.taut_band.member,
            hypersensitive_spot=self.hypersensitive_spot.answer,
            patient_recognition=self.patient_recognition.answer,
            local_twitch_response=self.local_twitch_response.member,
            jump_sign=self.jump_sign.answer,
            referred_pain=self.referred_pain.answer,
            referral_zones=tuple(sorted(self.referral_zones.data or [])),
            referral_description=(self.referral_description.data or "").strip(),
            classification=self.classification.member,
            ppt=_pressure(self),
            notes=(self.notes.data or "").strip(),
        )


class TriggerPointsForm(ClinicForm):
    """All trigger points of the exam, plus blank rows for new ones."""

    points = FieldList(FormField(TriggerPointRow), min_entries=0)


SEVERITY_LABEL = "Not asked"


class SurveyForm(ClinicForm):
    """History, widespread pain, WPI areas and SSS items."""

    pain_duration_months = WholeNumberText("Pain duration (months)")
    pain_left_side = TriStateField("Pain on the left side", unknown_label="Not asked")
    pain_right_side = TriStateField("Pain on the right side", unknown_label="Not asked")
    pain_above_waist = TriStateField("Pain above the waist", unknown_label="Not asked")
    pain_below_waist = TriStateField("Pain below the waist", unknown_label="Not asked")
    pain_axial = TriStateField(
        "Axial pain (neck, chest, thoracic or low back)", unknown_label="Not asked"
    )
    wpi_asked = RadioField(
        "Widespread Pain Index",
        choices=[SelectChoice("yes", "Asked"), SelectChoice(NOT_ASKED, "Not asked")],
        default=NOT_ASKED,
        validators=[Optional()],
    )
    pain_areas = CheckboxesField(
        "Painful in the past week",
        choices=[SelectChoice(area.code, area.label) for area in PAIN_AREAS],
    )
    fatigue = ScaleField("Fatigue", SYMPTOM_SEVERITY_ITEM_MAX, SEVERITY_LABEL)
    waking_unrefreshed = ScaleField("Waking unrefreshed", SYMPTOM_SEVERITY_ITEM_MAX, SEVERITY_LABEL)
    cognitive_symptoms = ScaleField("Cognitive symptoms", SYMPTOM_SEVERITY_ITEM_MAX, SEVERITY_LABEL)
    headaches = TriStateField("Headaches", unknown_label="Not asked")
    lower_abdominal_pain = TriStateField(
        "Pain or cramps in the lower abdomen", unknown_label="Not asked"
    )
    depression = TriStateField("Depression", unknown_label="Not asked")
    somatic_symptoms = ScaleField(
        "Somatic symptoms in general (clinician's estimate, ACR 2010 only)",
        SYMPTOM_SEVERITY_ITEM_MAX,
        SEVERITY_LABEL,
    )
    other_disorder_explains_pain = TriStateField(
        "Another disorder would explain the pain (ACR 2010/2011 only)", unknown_label="Not assessed"
    )
    version = HiddenField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A ticked area answers the WPI question: the page shows "Asked" as it will be stored.
        if self.pain_areas.data:
            self.wpi_asked.data = "yes"

    def to_input(self) -> SurveyInput:
        """The domain value of the survey."""
        return SurveyInput(
            pain_duration_months=self.pain_duration_months.number,
            pain_left_side=self.pain_left_side.answer,
            pain_right_side=self.pain_right_side.answer,
            pain_above_waist=self.pain_above_waist.answer,
            pain_below_waist=self.pain_below_waist.answer,
            pain_axial=self.pain_axial.answer,
            pain_areas=wpi_answers(self.wpi_asked.data == "yes", self.pain_areas.data or []),
            fatigue=self.fatigue.number,
            waking_unrefreshed=self.waking_unrefreshed.number,
            cognitive_symptoms=self.cognitive_symptoms.number,
            headaches=self.headaches.answer,
            lower_abdominal_pain=self.lower_abdominal_pain.answer,
            depression=self.depression.answer,
            somatic_symptoms=self.somatic_symptoms.number,
            other_disorder_explains_pain=self.other_disorder_explains_pain.answer,
        )


IMPRESSION_LABELS = {"yes": "Yes", "no": "No", "not_assessed": "Not assessed"}


class ImpressionForm(ClinicForm):
    """The clinician's own impression, apart from the criteria, with assessment and plan."""

    fm_impression = EnumRadioField("Fibromyalgia diagnosed", Impression, IMPRESSION_LABELS)
    mps_impression = EnumRadioField(
        "Myofascial pain syndrome diagnosed", Impression, IMPRESSION_LABELS
    )
    assessment = TextAreaField("Assessment", validators=[Length(max=10_000)])
    plan = TextAreaField("Plan", validators=[Length(max=10_000)])
    version = HiddenField()

    def to_input(self) -> ImpressionInput:
        """The domain value of the impression."""
        return ImpressionInput(
            fibromyalgia=self.fm_impression.member or Impression.NOT_ASSESSED,
            myofascial_pain_syndrome=self.mps_impression.member or Impression.NOT_ASSESSED,
            assessment=self.assessment.data or "",
            plan=self.plan.data or "",
        )


class SignForm(ClinicForm):
    """Sign the exam by entering one's password again."""

    password = PasswordField(
        "Your password",
        validators=[InputRequired(message="Enter your password to sign.")],
        render_kw={"autocomplete": "current-password"},
    )


class AddendumForm(ClinicForm):
    """A note appended to a signed exam."""

    text = TextAreaField(
        "Addendum", validators=[InputRequired(message="Write the addendum."), Length(max=10_000)]
    )


class EnteredInErrorForm(ClinicForm):
    """Mark a signed exam as filed in error."""

    reason = TextAreaField(
        "Why was this exam entered in error?",
        validators=[InputRequired(message="Say why, e.g. wrong patient."), Length(max=2000)],
    )


class ExaminerForm(ClinicForm):
    """Hand a draft to another examining clinician (an administrator's act)."""

    clinician = SelectField(
        "New examining clinician",
        validators=[InputRequired(message="Choose the examining clinician.")],
    )


def version_of(field: HiddenField) -> int | None:
    """The record version a form row was based on."""
    return _version(field)
