"""Findings in words, as the exam page and the chart summary show them."""

from __future__ import annotations

from clinic.domain.body_areas import zone_label
from clinic.domain.document import decimal_text
from clinic.domain.findings import PressureReading, SurveyInput, TenderPointInput, TriggerPointInput
from clinic.domain.muscles import MUSCLE_BY_CODE
from clinic.domain.scoring_outcomes import Outcome
from clinic.domain.wpi import PAIN_AREAS

OUTCOME_LABELS = {
    Outcome.MET: "met",
    Outcome.NOT_MET: "not met",
    Outcome.UNDETERMINED: "cannot be determined",
}


def answer_word(value: bool | None, unknown: str = "not asked") -> str:
    """ "yes", "no" or what a missing answer is called."""
    return {True: "yes", False: "no"}.get(value, unknown) if value is not None else unknown


def pressure_text(reading: PressureReading | None) -> str:
    """ "2.4 kgf/cm² (1 cm² probe)" or empty."""
    if reading is None:
        return ""
    text = f"{decimal_text(reading.value)} {reading.unit.label}"
    if reading.probe_area_cm2 is not None:
        text += f" ({decimal_text(reading.probe_area_cm2)} cm² probe)"
    return text


def tender_point_text(finding: TenderPointInput | None) -> str:
    """What was found at a site: "painful, 7/10", "not examined: bandage", "not recorded"."""
    if finding is None:
        return "not recorded"
    if not finding.examined:
        reason = finding.not_examined_reason.strip()
        return f"not examined: {reason}" if reason else "not examined (no reason given)"
    painful = {True: "painful", False: "not painful", None: "painful: not asked"}[finding.painful]
    rating = finding.effective_rating
    parts = [painful, f"{rating}/10" if rating is not None else "no rating"]
    if finding.ppt is not None:
        parts.append(f"threshold {pressure_text(finding.ppt)}")
    return ", ".join(parts)


def muscle_name(finding: TriggerPointInput) -> str:
    """The muscle's catalogue label, or the name typed for an "other" muscle."""
    muscle = MUSCLE_BY_CODE.get(finding.muscle_code or "")
    return muscle.label if muscle else (finding.muscle_other_name or "unnamed muscle")


def trigger_point_lines(finding: TriggerPointInput) -> list[str]:
    """A trigger point's recorded signs, one phrase each, in exam order."""
    lines = [f"{muscle_name(finding)}, {finding.side.value}"]
    if finding.location_in_muscle:
        lines.append(f"location {finding.location_in_muscle}")
    if finding.nodule_length_mm is not None:
        size = str(decimal_text(finding.nodule_length_mm))
        if finding.nodule_width_mm is not None:
            size += f" × {decimal_text(finding.nodule_width_mm)}"
        lines.append(f"nodule {size} mm")
    if finding.tenderness_grade is not None:
        lines.append(f"tenderness grade {finding.tenderness_grade.value}")
    if finding.rating is not None:
        lines.append(f"pain {finding.rating}/10")
    signs = {
        "taut band": finding.taut_band.value.replace("_", " ") if finding.taut_band else None,
        "hypersensitive spot": answer_word(finding.hypersensitive_spot, "not assessed"),
        "referred pain": answer_word(finding.referred_pain, "not assessed"),
        "recognised by the patient": answer_word(finding.patient_recognition, "not assessed"),
        "local twitch response": (
            finding.local_twitch_response.value.replace("_", " ")
            if finding.local_twitch_response
            else None
        ),
        "jump sign": answer_word(finding.jump_sign, "not assessed"),
    }
    lines += [f"{name}: {value}" for name, value in signs.items() if value is not None]
    if finding.referral_zones:
        lines.append("refers to " + ", ".join(zone_label(z) for z in finding.referral_zones))
    if finding.referral_description:
        lines.append(f"referral: {finding.referral_description}")
    if finding.ppt is not None:
        lines.append(f"threshold {pressure_text(finding.ppt)}")
    return lines


def survey_lines(survey: SurveyInput) -> list[tuple[str, str]]:
    """The survey answers as (question, answer) pairs."""
    months = survey.pain_duration_months
    painful_areas = [a.label for a in PAIN_AREAS if survey.pain_areas.get(a.code)]
    wpi = (
        ", ".join(painful_areas) or "none"
        if len(survey.pain_areas) == len(PAIN_AREAS)
        else ("not asked" if not survey.pain_areas else "partly asked: " + ", ".join(painful_areas))
    )
    severity = {None: "not asked", 0: "0 no problem", 1: "1 mild", 2: "2 moderate", 3: "3 severe"}
    return [
        ("Pain duration", f"{months} months" if months is not None else "not asked"),
        (
            "Pain left / right",
            f"{answer_word(survey.pain_left_side)} / {answer_word(survey.pain_right_side)}",
        ),
        (
            "Pain above / below the waist",
            f"{answer_word(survey.pain_above_waist)} / {answer_word(survey.pain_below_waist)}",
        ),
        ("Axial pain", answer_word(survey.pain_axial)),
        ("Painful areas (WPI)", wpi),
        ("Fatigue", severity.get(survey.fatigue, str(survey.fatigue))),
        (
            "Waking unrefreshed",
            severity.get(survey.waking_unrefreshed, str(survey.waking_unrefreshed)),
        ),
        (
            "Cognitive symptoms",
            severity.get(survey.cognitive_symptoms, str(survey.cognitive_symptoms)),
        ),
        ("Headaches", answer_word(survey.headaches)),
        ("Lower abdominal pain or cramps", answer_word(survey.lower_abdominal_pain)),
        ("Depression", answer_word(survey.depression)),
        (
            "Somatic symptoms (2010)",
            severity.get(survey.somatic_symptoms, str(survey.somatic_symptoms)),
        ),
        (
            "Another disorder explains the pain",
            answer_word(survey.other_disorder_explains_pain, "not assessed"),
        ),
    ]
