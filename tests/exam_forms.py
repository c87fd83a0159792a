"""The exam pages as a browser sees them, and the POST data of a full exam.

`Page` reads a rendered page the way a browser and its user do: each form's controls with what
they currently show (the checked radio, the selected options, the typed text), the message shown
under each field, alerts and the visible text. `HtmlForm.submission()` is what the browser would
send back, so a test can GET a page, change a few fields and POST it like a clinician.

The FULL_* values describe one complete exam (22 sites, 6 trigger points, the survey and the
impression); the tests that score it write out the expected numbers by hand.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from clinic.domain.sites import ALL_SITES
from clinic.models import (
    Addendum,
    AuditEvent,
    Base,
    Exam,
    ExamSurvey,
    PainAreaAnswer,
    ReferralZone,
    TenderPointFinding,
    TriggerPointFinding,
)
from clinic.services.audit import READ_ACTIONS

# --- reading pages ---------------------------------------------------------------------------

_TEXT_INPUTS = {"text", "hidden", "password", "number", "date", "email", "search", "tel", "url"}


@dataclass
class Control:
    """One named control of a form and what it currently shows."""

    kind: str  # text (any typed input), radio, checkbox, select, textarea
    multiple: bool = False
    options: list[str] = field(default_factory=list)
    chosen: list[str] = field(default_factory=list)


@dataclass
class HtmlForm:
    """A form on a page: where it posts and its controls in document order."""

    action: str
    controls: dict[str, Control] = field(default_factory=dict)
    buttons: list[tuple[str, str]] = field(default_factory=list)

    def value(self, name: str) -> str:
        """The single value a control shows ("" for an unchecked radio group)."""
        chosen = self.controls[name].chosen
        return chosen[0] if chosen else ""

    def values(self, name: str) -> list[str]:
        """Every value a control shows (ticked boxes, selected options)."""
        return list(self.controls[name].chosen)

    def names(self, prefix: str = "") -> list[str]:
        """The names of the controls, optionally those starting with a prefix."""
        return [name for name in self.controls if name.startswith(prefix)]

    def set(self, name: str, value: str | Iterable[str], *, crafted: bool = False) -> None:
        """Type or choose a value, as a user would; `crafted` allows what no option offers."""
        control = self.controls.get(name)
        if control is None:
            raise KeyError(f"the form has no control named {name!r}")
        wanted = [value] if isinstance(value, str) else list(value)
        if control.kind != "text" and control.kind != "textarea" and not crafted:
            offered = set(control.options)
            if control.kind == "checkbox" and not control.multiple and wanted == [""]:
                wanted = []
            unknown = [item for item in wanted if item not in offered]
            if unknown:
                raise ValueError(f"{name} offers no {unknown} (offers {control.options})")
        control.chosen = wanted

    def fill(self, values: Mapping[str, str | Iterable[str]], *, prefix: str = "") -> None:
        """Set several controls at once."""
        for name, value in values.items():
            self.set(prefix + name, value)

    def submission(self, button: str | None = None) -> MultiDict[str, str]:
        """What the browser sends when the form is submitted (with the named button)."""
        pairs = [(name, item) for name, control in self.controls.items() for item in control.chosen]
        if button is not None:
            pairs += [(name, value) for name, value in self.buttons if name == button]
        return MultiDict(pairs)


class Page(HTMLParser):
    """A rendered page: its forms, the errors under fields, alerts, links and visible text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[HtmlForm] = []
        self.errors: dict[str, str] = {}  # field id -> message shown under it
        self.alerts: list[str] = []  # text of role="alert" boxes
        self.links: list[str] = []
        self.headings: list[tuple[str, str]] = []  # (text, class)
        self.cards: list[str] = []  # text of each card (a finding, an addendum, a form)
        self._form: HtmlForm | None = None
        self._select: str | None = None
        self._texts: list[str] = []
        # Open captures: (kind, key, tag, depth of that tag, buffer).
        self._captures: list[list[Any]] = []
        self._depth: dict[str, int] = {}
        self.feed(html)
        self.close()

    @property
    def text(self) -> str:
        """Every visible word on the page, single-spaced."""
        return " ".join(" ".join(self._texts).split())

    def form(self, action: str = "") -> HtmlForm:
        """The form posting to the given path ("" for the page itself)."""
        found = [f for f in self.forms if urlsplit(f.action).path == action]
        assert len(found) == 1, f"{len(found)} forms post to {action!r}"
        return found[0]

    def has_form(self, action: str) -> bool:
        """Whether the page offers a form posting to the given path."""
        return any(urlsplit(f.action).path == action for f in self.forms)

    # -- parser callbacks

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value if value is not None else "" for key, value in attrs}
        self._depth[tag] = self._depth.get(tag, 0) + 1
        if tag == "form":
            self._form = HtmlForm(action=a.get("action", ""))
            self.forms.append(self._form)
        elif tag == "input":
            self._input(a)
        elif tag == "select" and self._form is not None:
            self._select = a.get("name", "")
            self._form.controls[self._select] = Control("select", multiple="multiple" in a)
        elif tag == "option" and self._select is not None:
            self._capture("option", a.get("value", ""), tag, selected="selected" in a)
        elif tag == "textarea" and self._form is not None:
            self._capture("textarea", a.get("name", ""), tag)
        elif tag == "button" and self._form is not None and a.get("name"):
            self._form.buttons.append((a["name"], a.get("value", "")))
        elif tag == "p" and a.get("id", "").endswith("-error"):
            self._capture("error", a["id"].removesuffix("-error"), tag)
        elif tag == "a" and "href" in a:
            self.links.append(a["href"])
        elif tag in ("h1", "h2", "h3"):
            self._capture("heading", a.get("class", ""), tag)
        if a.get("role") == "alert":
            self._capture("alert", "", tag)
        if "card" in a.get("class", "").split():
            self._capture("card", "", tag)
        if tag == "input":  # a void element has no end tag
            self._depth[tag] -= 1

    def _input(self, a: dict[str, str]) -> None:
        kind = a.get("type", "text")
        name = a.get("name")
        if self._form is None or not name or kind in ("submit", "button", "reset"):
            return
        if kind in ("radio", "checkbox"):
            control = self._form.controls.setdefault(name, Control(kind))
            value = a.get("value", "on")
            if kind == "checkbox" and control.options:
                control.multiple = True
            control.options.append(value)
            if "checked" in a:
                control.chosen.append(value)
        elif kind in _TEXT_INPUTS:
            self._form.controls[name] = Control("text", chosen=[a.get("value", "")])

    def _capture(self, kind: str, key: str, tag: str, **extra: Any) -> None:
        self._captures.append([kind, key, tag, self._depth[tag], [], extra])

    def handle_data(self, data: str) -> None:
        self._texts.append(data)
        for capture in self._captures:
            capture[4].append(data)

    def handle_endtag(self, tag: str) -> None:
        for capture in [c for c in self._captures if c[2] == tag and c[3] == self._depth.get(tag)]:
            self._captures.remove(capture)
            self._finish(*capture)
        self._depth[tag] = self._depth.get(tag, 1) - 1
        if tag == "select" and self._form is not None and self._select is not None:
            control = self._form.controls[self._select]
            if not control.multiple and not control.chosen and control.options:
                control.chosen = [control.options[0]]  # a browser sends the first option
            self._select = None
        elif tag == "form":
            self._form = None

    def _finish(
        self, kind: str, key: str, _tag: str, _depth: int, buffer: list[str], extra: dict[str, Any]
    ) -> None:
        raw = "".join(buffer)
        text = " ".join(" ".join(buffer).split())
        if kind == "option" and self._form is not None and self._select is not None:
            control = self._form.controls[self._select]
            control.options.append(key)
            if extra.get("selected"):
                control.chosen.append(key)
        elif kind == "textarea" and self._form is not None:
            # A browser drops the one newline that starts a textarea's content.
            value = raw[2:] if raw.startswith("\r\n") else raw.removeprefix("\n")
            self._form.controls[key] = Control("textarea", chosen=[value])
        elif kind == "error":
            self.errors[key] = text
        elif kind == "alert":
            self.alerts.append(text)
        elif kind == "heading":
            self.headings.append((text, key))
        elif kind == "card":
            self.cards.append(text)


def page_of(response: Any) -> Page:
    """The page a response shows."""
    return Page(response.get_data(as_text=True))


def path_of(response: Any) -> str:
    """Where a redirect leads."""
    return urlsplit(response.headers["Location"]).path


# --- one complete exam -----------------------------------------------------------------------

SITE_CODES = [site.code for site in ALL_SITES]

# Tender points, by site code: the form fields of each row (without the "sites-N-" prefix).
# 12 ACR sites painful with ratings (two of them rated 1), 6 not painful, controls mixed, the
# right thumbnail control not examined.
# The first 12 ACR sites in published order, Occiput left (TP01L) to Lateral epicondyle right
# (TP06R), with their 0-10 ratings.
PAINFUL_RATINGS = dict(zip(SITE_CODES[:12], [7, 6, 5, 8, 4, 3, 2, 1, 1, 6, 5, 9], strict=True))
NOT_PAINFUL_SITES = ["TP07L", "TP07R", "TP08L", "TP08R", "TP09L", "TP09R"]
NOT_EXAMINED_SITE = "CTRL_THUMBNAIL"
NOT_EXAMINED_REASON = "Splint on the right thumb"


def _full_tender_points() -> dict[str, dict[str, str]]:
    rows: dict[str, dict[str, str]] = {}
    for code, rating in PAINFUL_RATINGS.items():
        rows[code] = {"examined": "yes", "painful": "yes", "rating": str(rating)}
    for code in NOT_PAINFUL_SITES:
        rows[code] = {"examined": "yes", "painful": "no", "rating": ""}
    rows["TP07L"]["rating"] = "0"  # one "not painful" rated 0 explicitly, the others left blank
    rows["TP03L"] |= {"ppt_value": "2.4", "ppt_unit": "kgf/cm2", "ppt_probe_area_cm2": "1"}
    rows["CTRL_FOREHEAD"] = {"examined": "yes", "painful": "no", "rating": "0"}
    rows[NOT_EXAMINED_SITE] = {"examined": "no", "not_examined_reason": NOT_EXAMINED_REASON}
    rows["CTRL_FOREARM"] = {"examined": "yes", "painful": "no", "rating": ""}
    rows["CTRL_THIGH"] = {"examined": "yes", "painful": "yes", "rating": "2"}
    return rows


FULL_TENDER_POINTS: dict[str, dict[str, str]] = _full_tender_points()

# Trigger points in the order they are entered: form fields of each row (without "points-N-").
FULL_TRIGGER_POINTS: list[dict[str, str | list[str]]] = [
    {  # 1: all three signs, recognised -> active
        "muscle_code": "upper_trapezius",
        "side": "left",
        "location_in_muscle": "mid-belly",
        "nodule_length_mm": "10",
        "nodule_width_mm": "5.5",
        "tenderness_grade": "III",
        "rating": "7",
        "taut_band": "present",
        "hypersensitive_spot": "yes",
        "referred_pain": "yes",
        "referral_zones": ["posterolateral_neck_left", "temple_left", "jaw_left"],
        "referral_description": "Up the neck to the temple",
        "patient_recognition": "yes",
        "local_twitch_response": "yes",
        "jump_sign": "yes",
    },
    {  # 2: all three signs, not recognised, confirmed latent by the clinician
        "muscle_code": "upper_trapezius",
        "side": "right",
        "taut_band": "present",
        "hypersensitive_spot": "yes",
        "referred_pain": "yes",
        "referral_zones": ["posterolateral_neck_right", "temple_right"],
        "patient_recognition": "no",
        "classification": "latent",
    },
    {  # 3: taut band and spot, no referral, recognised -> active
        "muscle_code": "levator_scapulae",
        "side": "left",
        "tenderness_grade": "II",
        "rating": "5",
        "taut_band": "present",
        "hypersensitive_spot": "yes",
        "referred_pain": "no",
        "patient_recognition": "yes",
    },
    {  # 4: spot and referral without a taut band, recognised -> active
        "muscle_code": "infraspinatus",
        "side": "right",
        "taut_band": "absent",
        "hypersensitive_spot": "yes",
        "referred_pain": "yes",
        "referral_zones": [
            "anterior_shoulder_right",
            "lateral_arm_right",
            "radial_forearm_right",
        ],
        "patient_recognition": "yes",
    },
    {  # 5: band not assessable, no spot, referral -> Delphi cannot be determined, unclassified
        "muscle_code": "gluteus_medius",
        "side": "left",
        "taut_band": "not_assessable",
        "hypersensitive_spot": "no",
        "referred_pain": "yes",
        "referral_zones": ["low_back_left", "sacroiliac_left", "buttock_left"],
    },
    {  # 6: a muscle not in the catalogue; only referral -> not a trigger point
        "muscle_code": "other",
        "muscle_other_name": "Rhomboid minor",
        "side": "right",
        "taut_band": "absent",
        "hypersensitive_spot": "no",
        "referred_pain": "yes",
        "referral_zones": ["interscapular_right", "medial_scapular_border_right"],
        "patient_recognition": "yes",
    },
]

WPI_PAINFUL_AREAS = [
    "jaw_left",
    "shoulder_girdle_left",
    "shoulder_girdle_right",
    "upper_arm_left",
    "hip_left",
    "hip_right",
    "upper_leg_right",
    "neck",
    "upper_back",
    "lower_back",
]

FULL_SURVEY: dict[str, str | list[str]] = {
    "pain_duration_months": "24",
    "pain_left_side": "yes",
    "pain_right_side": "yes",
    "pain_above_waist": "yes",
    "pain_below_waist": "yes",
    "pain_axial": "yes",
    "wpi_asked": "yes",
    "pain_areas": WPI_PAINFUL_AREAS,
    "fatigue": "3",
    "waking_unrefreshed": "2",
    "cognitive_symptoms": "1",
    "headaches": "yes",
    "lower_abdominal_pain": "no",
    "depression": "yes",
    "somatic_symptoms": "3",
    "other_disorder_explains_pain": "yes",
}

FULL_IMPRESSION: dict[str, str] = {
    "fm_impression": "yes",
    "mps_impression": "yes",
    "assessment": "Widespread pain with tender points; myofascial component in the shoulders.",
    "plan": "Graded exercise, sleep hygiene, review in 3 months.",
}


# --- POST data built directly (for tests that need a complete exam, not the typing) -----------


def _pairs(values: Mapping[str, str | Iterable[str]], prefix: str = "") -> list[tuple[str, str]]:
    return [
        (prefix + name, item)
        for name, value in values.items()
        for item in ([value] if isinstance(value, str) else value)
    ]


def tender_points_post(
    rows: Mapping[str, Mapping[str, str]] | None = None,
    versions: Mapping[str, int] | None = None,
) -> MultiDict[str, str]:
    """The tender-point page's POST: every site in page order; unlisted sites left "not yet"."""
    rows = FULL_TENDER_POINTS if rows is None else rows
    pairs: list[tuple[str, str]] = []
    for index, code in enumerate(SITE_CODES):
        version = str((versions or {}).get(code, 0))
        values = {
            "site_code": code,
            "version": version,
            "examined": "",
            "painful": "",
            "rating": "",
        }
        pairs += _pairs(values | dict(rows.get(code, {})), f"sites-{index}-")
    return MultiDict(pairs)


def trigger_points_post(
    rows: Iterable[Mapping[str, str | list[str]]] | None = None,
) -> MultiDict[str, str]:
    """The trigger-point page's POST with the given rows (new ones unless they carry an id)."""
    rows = FULL_TRIGGER_POINTS if rows is None else rows
    pairs: list[tuple[str, str]] = []
    for index, row in enumerate(rows):
        pairs += _pairs({"finding_id": "", "version": ""} | dict(row), f"points-{index}-")
    return MultiDict(pairs)


def survey_post(answers: Mapping[str, str | list[str]] | None = None) -> MultiDict[str, str]:
    """The survey page's POST."""
    return MultiDict(_pairs({"version": "0"} | dict(FULL_SURVEY if answers is None else answers)))


def impression_post(values: Mapping[str, str] | None = None) -> MultiDict[str, str]:
    """The impression page's POST."""
    return MultiDict(_pairs({"version": "1"} | dict(values or FULL_IMPRESSION)))


def post_full_exam(
    client: Any, exam_uuid: Any, survey: Mapping[str, str | list[str]] | None = None
) -> None:
    """Record the whole FULL_* exam (or another survey) through its pages, each save redirecting."""
    base = f"/exams/{exam_uuid}"
    for path, data in (
        ("/tender-points", tender_points_post()),
        ("/trigger-points", trigger_points_post()),
        ("/survey", survey_post(survey)),
        ("/impression", impression_post()),
    ):
        response = client.post(base + path, data=data)
        assert response.status_code == 302, (path, page_of(response).errors)


# --- what is stored --------------------------------------------------------------------------


def _columns(row: Base) -> dict[str, Any]:
    return {column.key: getattr(row, column.key) for column in row.__table__.columns}


def stored_exam(session: Session, exam_uuid: Any) -> dict[str, Any]:
    """Every stored column of an exam and all it records, and the audit trail, to compare."""
    exam = session.scalars(select(Exam).where(Exam.uuid == exam_uuid)).one()

    def rows(model: type[Base], *where: Any) -> list[dict[str, Any]]:
        order = model.__table__.primary_key.columns
        return [
            _columns(row) for row in session.scalars(select(model).where(*where).order_by(*order))
        ]

    in_exam = TriggerPointFinding.exam_id == exam.id
    return {
        "exam": _columns(exam),
        "tender_points": rows(TenderPointFinding, TenderPointFinding.exam_id == exam.id),
        "trigger_points": rows(TriggerPointFinding, in_exam),
        "referral_zones": rows(ReferralZone, ReferralZone.finding.has(in_exam)),
        "survey": rows(ExamSurvey, ExamSurvey.exam_id == exam.id),
        "pain_areas": rows(
            PainAreaAnswer, PainAreaAnswer.survey.has(ExamSurvey.exam_id == exam.id)
        ),
        "addenda": rows(Addendum, Addendum.exam_id == exam.id),
        # Reading the exam's page again is recorded too; it changes nothing.
        "audit": rows(AuditEvent, AuditEvent.action.not_in(READ_ACTIONS)),
    }
