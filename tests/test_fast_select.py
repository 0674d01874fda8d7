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
