"""Rendering inputs and selects without WTForms' attribute formatter.

WTForms formats every attribute of every widget and option through `Markup.format`, which
dominated the render of the capture forms (a trigger-point form lists 142 muscles and referral
zones per trigger point). `render_input` writes exactly what `field(**attrs)` writes for a text
or hidden input or a select (the same attributes, sorted and escaped the same way; the tests
compare the two for every field of the forms) and hands every other widget to WTForms.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from markupsafe import Markup, escape
from wtforms import Field
from wtforms.widgets import HiddenInput, Select, TextInput
from wtforms.widgets.core import clean_key

_PLAIN_INPUTS = (TextInput, HiddenInput)


def _params(kwargs: dict[str, Any]) -> str:
    """wtforms.widgets.html_params: sorted keys, True a bare attribute, False left out."""
    params = []
    for key, value in sorted(kwargs.items()):
        key = clean_key(key)
        if value is True:
            params.append(str(escape(key)))
        elif value is not False:
            params.append(f'{escape(key)}="{escape(value)}"')
    return " ".join(params)


def _flags(field: Field, validation_attrs: list[str], kwargs: dict[str, Any]) -> None:
    """The validators' flags the widget writes as attributes, unless given."""
    flags = field.flags
    for key in dir(flags):
        if key in validation_attrs and key not in kwargs:
            value = getattr(flags, key)
            kwargs[key] = value() if callable(value) else value


def render_input(field: Field, **attrs: Any) -> Markup:
    """The field's control, as `field(**attrs)` renders it."""
    widget = field.widget
    if type(widget) is Select:
        return _select(field, widget, attrs)
    if type(widget) not in _PLAIN_INPUTS:
        rendered: Markup = field(**attrs)
        return rendered
    # DefaultMeta.render_field: the field's render_kw first, the call's keywords over them.
    kwargs = {**(field.render_kw or {}), **attrs}
    # Input.__call__: id, type and value unless given, then the validators' flags it supports.
    kwargs.setdefault("id", field.id)
    kwargs.setdefault("type", widget.input_type)
    if "value" not in kwargs:
        kwargs["value"] = field._value()
    _flags(field, widget.validation_attrs, kwargs)
    kwargs["name"] = field.name
    return Markup(f"<input {_params(kwargs)}>")  # noqa: S704 - every value escaped by _params


def _option(choice: Any) -> str:
    """Select.render_option."""
    if not choice.render_kw:
        return _plain_option(choice.value, choice.label, bool(choice.selected))
    value = choice.value
    if isinstance(value, bool):
        value = str(value)
    options = {"value": value, **choice.render_kw}
    if choice.selected:
        options["selected"] = True
    return f"<option {_params(options)}>{escape(choice.label or choice.value)}</option>"


@lru_cache(maxsize=8192)
def _plain_option(value: Any, label: Any, selected: bool) -> str:
    """An option without extra attributes: the same few hundred (muscles, referral zones) on
    every trigger-point form, so each is written once per process."""
    shown = str(value) if isinstance(value, bool) else value
    attributes = f'selected value="{escape(shown)}"' if selected else f'value="{escape(shown)}"'
    return f"<option {attributes}>{escape(label or value)}</option>"


def render_choices(field: Any) -> Markup:
    """A radio or checkbox group's inputs, each inside its label (the page's large touch
    targets), with the ids, names, values and checked states WTForms gives its options."""
    input_type = escape(field.option_widget.input_type)
    name, prefix = escape(field.name), escape(field.id)
    required = " required" if field.flags.required else ""
    parts = []
    for index, choice in enumerate(field.iter_choices()):
        checked = " checked" if choice.selected else ""
        parts.append(
            f'<label class="choice" for="{prefix}-{index}"><input type="{input_type}" '
            f'id="{prefix}-{index}" name="{name}" value="{escape(choice.value)}"{checked}'
            f"{required}> <span>{escape(choice.label or choice.value)}</span></label>"
        )
    return Markup("\n".join(parts))  # noqa: S704 - every part escaped above


def _select(field: Any, widget: Select, attrs: dict[str, Any]) -> Markup:
    """Select.__call__."""
    kwargs = {**(field.render_kw or {}), **attrs}
    kwargs.setdefault("id", field.id)
    if widget.multiple:
        kwargs["multiple"] = True
    _flags(field, widget.validation_attrs, kwargs)
    kwargs["name"] = field.name
    html = [f"<select {_params(kwargs)}>"]
    if field.has_groups():
        for group, choices in field._iter_groups_normalized():
            if group is not None:
                html.append(f"<optgroup {_params({'label': group})}>")
            html.extend(_option(choice) for choice in choices)
            if group is not None:
                html.append("</optgroup>")
    else:
        html.extend(_option(choice) for choice in field._iter_choices_normalized())
    html.append("</select>")
    return Markup("".join(html))  # noqa: S704 - every label and value escaped on the way
