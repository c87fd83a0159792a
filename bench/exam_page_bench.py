"""Benchmark: the tablet exam page's weight and render time, and one autosave round trip.

Targets (issue: the exam on a tablet): exam page HTML <= 150 KB; its JavaScript and CSS together
<= 100 KB; the server render of the full exam <= 4x a plain 60-field WTForms form rendered in the
same run; an autosave round trip (one finding changed) <= 5 ms of server time.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import flask_migrate  # noqa: E402 - after the path set-up above
from flask import Flask, render_template_string  # noqa: E402
from wtforms import Form, StringField  # noqa: E402

from clinic import create_app  # noqa: E402
from clinic.domain.findings import SurveyInput, TenderPointInput, TriggerPointInput  # noqa: E402
from clinic.domain.muscles import MUSCLES, typical_referral_zones  # noqa: E402
from clinic.domain.roles import Role  # noqa: E402
from clinic.domain.scales import Sex, Side, TautBand  # noqa: E402
from clinic.domain.sites import ALL_SITES  # noqa: E402
from clinic.domain.wpi import PAIN_AREAS  # noqa: E402
from clinic.extensions import db  # noqa: E402
from clinic.models import User  # noqa: E402
from clinic.services import exam_content  # noqa: E402
from clinic.services.exams import start_exam  # noqa: E402
from clinic.services.patients import PatientDetails, create_patient  # noqa: E402
from clinic.services.users import UserDetails, create_user  # noqa: E402

PASSWORD = "benchmark password"  # noqa: S105 - a synthetic user of a throw-away database


def _median_ms(work: Callable[[], object], runs: int) -> float:
    work()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _app() -> Flask:
    folder = tempfile.mkdtemp()
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3",
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,
            "PASSWORD_HASH_PROFILE": "CHEAPEST",
        }
    )
    with app.app_context():
        flask_migrate.upgrade()
    return app


def _full_exam(app: Flask) -> tuple[str, str]:
    """A full exam: 22 sites, 6 trigger points with referral zones, the survey."""
    with app.app_context():
        session = db.session
        roles = frozenset({Role.CLINICIAN})
        details = UserDetails("bench@clinic.example", "Bench Clinician", "MD", "", roles)
        user = create_user(session, details, PASSWORD, None)
        born = date(1981, 4, 2)
        identity = PatientDetails("B-1", "Łukasiewicz", "Zoë", born, Sex.FEMALE)
        patient = create_patient(session, identity, date(2026, 11, 24), user)
        exam = start_exam(session, patient, date(2026, 11, 24), user, date(2026, 11, 24), user)
        for index, site in enumerate(ALL_SITES):
            finding = TenderPointInput(site.code, True, "", index % 3 != 0, (index * 3) % 11)
            if finding.painful is False:
                finding = TenderPointInput(site.code, True, "", False, 0)
            exam_content.save_tender_point(session, exam, finding, 0, user)
        for index in range(6):
            muscle = MUSCLES[index * 4]
            side = Side.LEFT if index % 2 else Side.RIGHT
            exam_content.add_trigger_point(
                session,
                exam,
                TriggerPointInput(
                    muscle.code,
                    side,
                    nodule_length_mm=Decimal(5),
                    taut_band=TautBand.PRESENT,
                    hypersensitive_spot=True,
                    referred_pain=True,
                    patient_recognition=True,
                    referral_zones=typical_referral_zones(muscle.code, side)[:3],
                    rating=6,
                ),
                user,
            )
        exam_content.save_survey(
            session,
            exam,
            SurveyInput(
                pain_duration_months=24,
                pain_left_side=True,
                pain_right_side=True,
                pain_above_waist=True,
                pain_below_waist=True,
                pain_axial=True,
                pain_areas={area.code: index % 2 == 0 for index, area in enumerate(PAIN_AREAS)},
                fatigue=2,
                waking_unrefreshed=2,
                cognitive_symptoms=1,
                headaches=True,
                lower_abdominal_pain=False,
                depression=False,
                somatic_symptoms=1,
                other_disorder_explains_pain=False,
            ),
            0,
            user,
        )
        session.commit()
        return str(exam.uuid), str(user.uuid)


class SixtyFields(Form):  # type: ignore[misc]
    """A plain 60-field WTForms form: the render floor."""


for _n in range(60):
    setattr(SixtyFields, f"field_{_n}", StringField(f"Field {_n}"))

PLAIN_TEMPLATE = "<form>{% for f in form %}<p>{{ f.label() }} {{ f() }}</p>{% endfor %}</form>"


def main() -> None:
    """Measure and print the table."""
    app = _app()
    exam_id, user_id = _full_exam(app)
    client = app.test_client()
    with app.app_context():
        user = db.session.scalars(db.select(User).where(User.uuid == uuid.UUID(user_id))).one()
        session_id = user.get_id()
    from tests.conftest import sign_in_as

    class _Ref:
        def get_id(self) -> str:
            return session_id

    sign_in_as(client, _Ref())  # type: ignore[arg-type]
    page = client.get(f"/exams/{exam_id}")
    form_page = client.get(f"/exams/{exam_id}/tender-points")
    static = ROOT / "clinic" / "static"
    page_assets = ("exam_queue.js", "exam_panels.js", "exam_map.js", "clinic.js", "clinic.css")
    assets = sum((static / name).stat().st_size for name in page_assets)

    exam_ms = _median_ms(lambda: client.get(f"/exams/{exam_id}"), 30)
    # Without JavaScript every field of the exam is on one of its four capture pages.
    capture = {
        name: _median_ms(lambda name=name: client.get(f"/exams/{exam_id}/{name}"), 30)
        for name in ("tender-points", "trigger-points", "survey", "impression")
    }
    form_ms = capture["tender-points"]
    every_field_ms = sum(capture.values())
    with app.test_request_context():
        plain_ms = _median_ms(
            lambda: render_template_string(PLAIN_TEMPLATE, form=SixtyFields()), 200
        )

    ratings = iter(range(10**6))

    def autosave() -> None:
        rating = next(ratings) % 11
        response = client.put(
            f"/exams/{exam_id}/autosave/tender-points/TP01L",
            json={"finding": {"examined": True, "painful": True, "rating": rating}},
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
        assert response.status_code == 200, response.get_json()

    save_ms = _median_ms(autosave, 100)
    # The server's share of the same round trip: the time inside the app's WSGI callable, from the
    # request's arrival to its last byte, without the test client building and reading it.
    served: list[float] = []
    wsgi_app = app.wsgi_app

    def timed(environ: dict[str, object], start_response: Callable[..., object]) -> object:
        started = time.perf_counter()
        body = b"".join(wsgi_app(environ, start_response))  # type: ignore[arg-type]
        served.append((time.perf_counter() - started) * 1000)
        return [body]

    app.wsgi_app = timed  # type: ignore[method-assign]
    for _ in range(100):
        autosave()
    server_ms = statistics.median(served)
    app.wsgi_app = wsgi_app  # type: ignore[method-assign]
    print(f"exam page HTML                  {len(page.data) / 1024:8.1f} KB   (target <= 150 KB)")
    print(f"tender-point form page HTML     {len(form_page.data) / 1024:8.1f} KB")
    print(f"JavaScript + CSS                {assets / 1024:8.1f} KB   (target <= 100 KB)")
    print(f"plain 60-field form render      {plain_ms:8.2f} ms")
    print(f"exam page render                {exam_ms:8.2f} ms   {exam_ms / plain_ms:6.1f}x plain")
    print(f"tender-point form page render   {form_ms:8.2f} ms   {form_ms / plain_ms:6.1f}x plain")
    print(
        f"four capture pages (every field) {every_field_ms:7.2f} ms   "
        f"{every_field_ms / plain_ms:6.1f}x plain   (target <= 4x)"
    )
    print(f"autosave round trip (1 finding) {save_ms:8.2f} ms   (through the test client)")
    print(f"  of which server time            {server_ms:8.2f} ms   (target <= 5 ms)")


if __name__ == "__main__":
    main()
