"""Inputs and selects are written by `render_input` exactly as WTForms writes them."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from wtforms import Form

from clinic.forms import admin, auth, exam, patients
from clinic.forms.base import ClinicForm
from clinic.forms.rendering import render_choices, render_input

FORMS: list[type[Form]] = [
    admin.NewUserForm,
    admin.ResetPasswordForm,
    admin.ClinicSettingsForm,
    auth.LoginForm,
    auth.SetupForm,
    auth.ChangePasswordForm,
    exam.TenderPointRow,
    exam.TriggerPointRow,
    exam.SurveyForm,
    exam.ImpressionForm,
    exam.SignForm,
    patients.PatientForm,
    patients.StartExamForm,
]
# The field types the form macro writes as a group of radio buttons or checkboxes.
CHOICE_GROUPS = ("RadioField", "TriStateField", "EnumRadioField", "ScaleField", "CheckboxesField")
# Typed values that need escaping, and the keywords the templates pass.
TYPED = 'Zoë "Ψ" <b>&amp; 4,5'
CALLS: list[dict[str, Any]] = [
    {},
    {"aria-describedby": "x-help x-error", "aria-invalid": "true"},
    {"required": True, "class_": "wide", "data_row": "3"},
    {"autofocus": False, "value": Markup("<i>kept</i>")},
]


def _fields(form_class: type[Form]) -> list[Any]:
    formdata = MultiDict({name: TYPED for name in dir(form_class) if not name.startswith("_")})
    if issubclass(form_class, ClinicForm):
        form = form_class(formdata=formdata, meta={"csrf": False})
    else:
        form = form_class(formdata=formdata)
    return list(form)


@pytest.mark.parametrize("form_class", FORMS, ids=lambda form: form.__name__)
def test_every_input_is_written_as_wtforms_writes_it(app: Flask, form_class: type[Form]) -> None:
    with app.test_request_context():
        compared = 0
        for field in _fields(form_class):
            for attrs in CALLS:
                assert str(render_input(field, **attrs)) == str(field(**attrs)), field.name
                compared += 1
        assert compared


def test_inputs_and_selects_take_the_fast_path(app: Flask) -> None:
    with app.test_request_context():
        row = exam.TenderPointRow()
        assert render_input(row.site_code) == row.site_code()
        assert 'inputmode="decimal"' in render_input(row.ppt_value)
        assert 'maxlength="500"' in render_input(row.not_examined_reason)
        points = exam.TriggerPointRow(data={"referral_zones": ["temple_left"]})
        zones = render_input(points.referral_zones)
        assert zones == points.referral_zones()
        assert "<optgroup" in zones
        assert '<option selected value="temple_left">' in zones


def _controls(html: str) -> list[dict[str, str]]:
    """Each input's attributes, as a browser would read them."""
    from html.parser import HTMLParser

    found: list[dict[str, str]] = []

    class Inputs(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag == "input":
                found.append({name: value or "" for name, value in attrs})

    Inputs().feed(html)
    return found


@pytest.mark.parametrize("form_class", FORMS, ids=lambda form: form.__name__)
def test_choice_groups_have_the_options_wtforms_would_render(
    app: Flask, form_class: type[Form]
) -> None:
    with app.test_request_context():
        for field in _fields(form_class):
            if field.type not in CHOICE_GROUPS:
                continue
            expected = [_controls(str(option()))[0] for option in field]
            assert _controls(str(render_choices(field))) == expected, field.name
