"""The columns of the tidy CSV tables, which are also their data dictionary (README and
`dictionary.csv`): name, type, unit, allowed values, meaning."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from clinic.domain.scales import PRESSURE_UNIT_CODES
from clinic.exports.csv_format import Cell

OUTCOMES = "met, not_met, cannot_be_determined"


@dataclass(frozen=True)
class Column:
    """One column of an export table, as the data dictionary describes it."""

    name: str
    type: str
    meaning: str
    unit: str = ""
    allowed: str = ""
    identifying: bool = False  # left out or pseudonymised when de-identified


_EXAM_KEYS = (
    Column("exam_id", "string (UUID)", "The exam's public id"),
    Column(
        "patient_id",
        "string",
        "The patient's public id (UUID); a keyed pseudonym when de-identified",
        identifying=True,
    ),
    Column(
        "mrn",
        "string",
        "Medical record number; a keyed pseudonym (P-…) stable within the clinic when "
        "de-identified",
        identifying=True,
    ),
    Column("exam_date", "date", "Day of the exam (ISO 8601)"),
    Column("clinician_id", "string (UUID)", "The examining clinician's user id"),
    Column("clinician", "string", "The examining clinician's name; empty when de-identified"),
    Column("status", "string", "Life cycle of the exam", allowed="draft, signed, entered_in_error"),
)

FINDING_COLUMNS: tuple[Column, ...] = (
    *_EXAM_KEYS,
    Column("finding_id", "string (UUID)", "The finding's public id"),
    Column("finding_kind", "string", "What was palpated", allowed="tender_point, trigger_point"),
    Column("position", "integer", "Order of the trigger point in the exam, from 1"),
    Column("site_code", "string", "Tender-point or control site code", allowed="TP01L…CTRL_THIGH"),
    Column("muscle_code", "string", "Muscle code of the catalogue (trigger points)"),
    Column(
        "label",
        "string",
        "Site or muscle name; for a muscle outside the catalogue the name typed (empty when "
        "de-identified)",
    ),
    Column("side", "string", "Side of the body", allowed="left, right, midline"),
    Column("examined", "boolean", "Whether the site was palpated", allowed="true, false"),
    Column("painful", "boolean", "Palpation was painful (ACR 1990)", allowed="true, false, empty"),
    Column("rating", "integer", "Pain rating", unit="0–10", allowed="0–10"),
    Column("nodule_length_mm", "decimal", "Palpable nodule length", unit="mm"),
    Column("nodule_width_mm", "decimal", "Palpable nodule width", unit="mm"),
    Column("tenderness_grade", "string", "Tenderness grade", allowed="0, I, II, III, IV"),
    Column("taut_band", "string", "Taut band", allowed="present, absent, not_assessable"),
    Column("hypersensitive_spot", "boolean", "Hypersensitive spot in a taut band"),
    Column("referred_pain", "boolean", "Pain referred on palpation"),
    Column("patient_recognition", "boolean", "The patient recognises the pain"),
    Column(
        "local_twitch_response", "string", "Local twitch response", allowed="yes, no, not_tested"
    ),
    Column("jump_sign", "boolean", "Jump sign"),
    Column(
        "delphi_2018",
        "string",
        "Delphi 2018 trigger-point criteria (2 of 3 signs)",
        allowed=OUTCOMES,
    ),
    Column(
        "classification",
        "string",
        "Classification confirmed by the clinician",
        allowed="active, latent, not_trigger_point",
    ),
    Column("referral_zones", "string", "Referral zone codes, joined by ';' in code order"),
    Column("ppt_value", "decimal", "Algometer pressure pain threshold", unit="in ppt_unit"),
    Column("ppt_unit", "string", "Unit of the threshold", allowed=", ".join(PRESSURE_UNIT_CODES)),
    Column("ppt_probe_area_cm2", "decimal", "Algometer probe area", unit="cm2"),
    Column(
        "note",
        "string",
        "Free text: why a site was not examined, or the trigger point's notes; empty when "
        "de-identified",
        identifying=True,
    ),
)

COUNT_SCORES = (
    ("tender_point_count", "tpc_acr1990"),
    ("mtps_tender_point_count", "tpc_mtps"),
    ("wpi", "wpi"),
    ("sss_2010", "sss_2010"),
    ("sss_2011", "sss_2011"),
    ("generalized_pain_regions", "regions_2016"),
    ("fibromyalgia_severity", "fs"),
)
CRITERIA = ("acr_1990", "acr_2010", "acr_2011", "acr_2016")

EXAM_COLUMNS: tuple[Column, ...] = (
    *_EXAM_KEYS,
    Column("signed_at", "timestamp", "When the exam was signed (UTC, ISO 8601, to the second)"),
    Column("scoring_version", "string", "Version of the scoring that computed these scores"),
    *(
        column
        for _, key in COUNT_SCORES
        for column in (
            Column(key, "integer", f"{key} value; empty while answers are missing"),
            Column(f"{key}_min", "integer", f"Lowest {key} the missing answers allow"),
            Column(f"{key}_max", "integer", f"Highest {key} the missing answers allow"),
            Column(f"{key}_version", "string", f"Criteria version of {key}"),
        )
    ),
    Column("fs_category", "string", "FS category (Wolfe 2015)"),
    Column("fis", "decimal", "Fibromyalgia Intensity Score (mean 0–10 rating of 18 sites)"),
    *(
        column
        for key in CRITERIA
        for column in (
            Column(key, "string", f"{key} criteria result", allowed=OUTCOMES),
            Column(f"{key}_version", "string", f"Criteria version of {key}"),
        )
    ),
    Column("trigger_points_active", "integer", "Active trigger points"),
    Column("trigger_points_latent", "integer", "Latent trigger points"),
    Column("trigger_points_unclassified", "integer", "Palpated spots not classified"),
)


def dictionary_rows() -> Iterator[list[Cell]]:
    """The data dictionary: every column of both tables."""
    for table, columns in (("findings", FINDING_COLUMNS), ("exams", EXAM_COLUMNS)):
        for column in columns:
            yield [table, column.name, column.type, column.unit, column.allowed, column.meaning]


DICTIONARY_HEADER = ("table", "column", "type", "unit", "allowed_values", "meaning")


def dictionary_markdown() -> str:
    """The data dictionary as the README's tables (a test keeps the README in step)."""
    lines = []
    for title, columns in (("findings.csv", FINDING_COLUMNS), ("exams.csv", EXAM_COLUMNS)):
        lines += [f"`{title}`:", "", "| Column | Type | Unit | Allowed values | Meaning |"]
        lines.append("|---|---|---|---|---|")
        for column in columns:
            lines.append(
                f"| `{column.name}` | {column.type} | {column.unit} | {column.allowed} "
                f"| {column.meaning} |"
            )
        lines.append("")
    return "\n".join(lines)
