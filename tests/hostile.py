"""What the hostile-input tests share: the corpus, and requests as a hostile client sends them."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask.testing import FlaskClient
from sqlalchemy import select

from clinic.models import Exam

FORM = "application/x-www-form-urlencoded"

EVERY_SCRIPT = (
    "Zoë Łukasiewicz Ἀθηνᾶ Пётр العربية עברית हिन्दी ไทย 中文 日本語 한국어 ქართული "
    "\u13a0\u13f4 ሰላም \U0001d518\U0001d52b\U0001d526 👩🏽‍⚕️ e\u0301 a\u200db"
)
STORED_AS_TYPED = {
    "rtl marks": "left \u202eright\u202c \u200fmark\u200f end",
    "markup": "<script>alert('x')</script> <b>bold</b> &amp; {{ 7*7 }}",
    "formula =": '=HYPERLINK("http://example.org","x")',
    "formula +": "+1+2",
    "formula -": "-2+3",
    "formula @": "@SUM(A1:A2)",
    "every script": EVERY_SCRIPT,
    "control characters": "tab\tbell\x07 escape\x1b delete\x7f",
    "line breaks": "one\r\ntwo\nthree\u2028four",
}
REFUSED = {
    "lone surrogate": "before \ud800 after",
    "NUL": "before \x00 after",
    "20,000 characters": "x" * 20_000,
}


def api(client: FlaskClient, token: str, method: str, path: str, **kwargs: Any) -> Any:
    headers = {"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})}
    return client.open(f"/api/v1{path}", method=method, headers=headers, **kwargs)


def autosave(client: FlaskClient, exam: Any, path: str, key: str, **kwargs: Any) -> Any:
    method = kwargs.pop("method", "PUT")
    headers = {"Idempotency-Key": key}
    return client.open(
        f"/exams/{exam.uuid}/autosave/{path}", method=method, headers=headers, **kwargs
    )


def form_body(**fields: str) -> bytes:
    """A urlencoded form as a browser encodes it (a lone surrogate as the bytes a client sends)."""
    return "&".join(
        f"{name}={quote(value.encode('utf-8', 'surrogatepass'), safe='')}"
        for name, value in fields.items()
    ).encode("ascii")


def multipart(**fields: str) -> tuple[bytes, str]:
    """A multipart form as the tablet's script sends it (a lone surrogate as its bytes)."""
    boundary = "hostile-boundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        + value.encode("utf-8", "surrogatepass")
        + b"\r\n"
        for name, value in fields.items()
    ]
    return b"".join(
        parts
    ) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def exam_row(read: Any, exam: Any) -> Exam:
    with read() as session:
        found = session.scalars(select(Exam).where(Exam.uuid == exam.uuid)).one()
        session.expunge(found)
        return found


def assert_field_refused(response: Any, field: str) -> None:
    assert 400 <= response.status_code < 500, response.get_data(as_text=True)[:300]
    assert response.content_type == "application/problem+json"
    errors = response.get_json()["errors"]
    assert any(field in name for name in errors), errors
