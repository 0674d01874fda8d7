"""The fast select widgets write exactly Django's markup (teilhabe/core/forms.py)."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms

from teilhabe.core.forms import FastSelect, FastSelectMultiple, KernFormMixin

CHOICES: list[Any] = [("", "alle"), ("a<b", 'A & "B"'), ("x", "X"), (3, "drei")]
GROUPED: list[Any] = [("Gruppe <1>", [("1", "eins"), ("2", "zwei")]), ("3", "drei")]


@pytest.mark.parametrize("value", ["a<b", None, "", "x", 3, "unknown"])
def test_select_markup_is_djangos(value: Any) -> None:
    attrs = {"class": "kern-form-input__select", "aria-invalid": "true", "disabled": True}
    expected = forms.Select(choices=CHOICES, attrs=attrs).render("n", value, {"id": "id_n"})
    assert FastSelect(choices=CHOICES, attrs=attrs).render("n", value, {"id": "id_n"}) == expected


@pytest.mark.parametrize("value", [["1", "3"], [], None])
def test_grouped_multiple_select_markup_is_djangos(value: Any) -> None:
    expected = forms.SelectMultiple(choices=GROUPED).render("m", value)
    assert FastSelectMultiple(choices=GROUPED).render("m", value) == expected


def test_kern_forms_use_the_fast_widgets_and_keep_selection() -> None:
    class Filter(KernFormMixin, forms.Form):
        status = forms.ChoiceField(choices=[("", "alle"), ("aktiv", "aktiv")], required=False)
        tags = forms.MultipleChoiceField(choices=[("a", "A"), ("b", "B")], required=False)
        kinds = forms.MultipleChoiceField(
            choices=[("a", "A")], widget=forms.CheckboxSelectMultiple, required=False
        )

    form = Filter({"status": "aktiv", "tags": ["b"]})
    assert type(form.fields["status"].widget) is FastSelect
    assert type(form.fields["tags"].widget) is FastSelectMultiple
    assert type(form.fields["kinds"].widget) is forms.CheckboxSelectMultiple
    # includes/field.html decides on the markup around a select by its widget type
    assert form["status"].widget_type == "select"
    assert form["tags"].widget_type == "selectmultiple"
    html = str(form["status"])
    assert '<option value="aktiv" selected>aktiv</option>' in html
    assert 'class="kern-form-input__select"' in html
    assert '<option value="b" selected>B</option>' in str(form["tags"])


INPUTS: list[Any] = [
    forms.TextInput,
    forms.EmailInput,
    forms.NumberInput,
    forms.PasswordInput,
    forms.URLInput,
    forms.DateInput,
    forms.DateTimeInput,
    forms.TimeInput,
    forms.HiddenInput,
    forms.CheckboxInput,
]


@pytest.mark.parametrize("widget", INPUTS)
@pytest.mark.parametrize("value", ['a<"b', "", None, 0, True, False, "on"])
def test_input_markup_is_djangos(widget: Any, value: Any) -> None:
    """Every input widget the KERN forms swap renders exactly as Django's template would,
    with escaping, flags (True/False), None attributes and the widget's own value rules."""
    from teilhabe.core.forms import _FAST

    attrs = {"class": "kern-form-input__input", "required": True, "hidden": False, "x": None}
    fast = _FAST[widget]
    assert fast.__name__ == widget.__name__ and issubclass(fast, widget)
    expected = widget(attrs=dict(attrs)).render("n", value, {"id": "id_n", "aria-x": "a&b"})
    assert fast(attrs=dict(attrs)).render("n", value, {"id": "id_n", "aria-x": "a&b"}) == expected


def test_kern_forms_use_the_fast_inputs_with_the_same_widget_types() -> None:
    class Search(KernFormMixin, forms.Form):
        q = forms.CharField(required=False, max_length=20)
        on = forms.DateField(required=False)
        locked = forms.BooleanField(required=False)
        note = forms.CharField(required=False, widget=forms.Textarea)

    form = Search({"q": "Kaya <3", "locked": "on"})
    assert form["q"].widget_type == "text" and form["locked"].widget_type == "checkbox"
    assert form["on"].widget_type == "date" and form["note"].widget_type == "textarea"
    assert type(form.fields["note"].widget) is forms.Textarea  # not swapped: own template
    assert str(form["q"]) == (
        '<input type="text" name="q" value="Kaya &lt;3" maxlength="20" '
        'class="kern-form-input__input" id="id_q">'
    )
    assert str(form["locked"]) == (
        '<input type="checkbox" name="locked" class="kern-form-check__checkbox" id="id_locked" '
        "checked>"
    )
