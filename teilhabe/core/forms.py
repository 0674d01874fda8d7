"""Form helpers: KERN classes and accessible error wiring on every widget."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe


def _attrs_html(attrs: dict[str, Any]) -> str:
    """Django's ``django/forms/widgets/attrs.html`` in Python."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            out.append(f" {conditional_escape(name)}")
        else:
            out.append(f' {conditional_escape(name)}="{conditional_escape(str(value))}"')
    return "".join(out)


class FastSelectMixin:
    """Renders a select without a template per option: the same markup as Django's
    ``select.html``/``select_option.html``, written in Python (a filter bar of five selects
    with a hundred options otherwise costs several milliseconds per page)."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]  # type: ignore[attr-defined]
        parts = [
            format_html('<select name="{}"', widget["name"]),
            _attrs_html(widget["attrs"]),
            ">",
        ]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('\n  <optgroup label="{}">', group_name))
            for option in options:
                parts.append(
                    format_html(
                        '\n  <option value="{}"{}>{}</option>',
                        "" if option["value"] is None else str(option["value"]),
                        mark_safe(_attrs_html(option["attrs"])),  # noqa: S308 (escaped above)
                        option["label"],
                    )
                )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 (every part escaped above)


# Widgets whose template is Django's ``input.html`` (directly or by one include).
_INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in (
        "input",
        "text",
        "email",
        "number",
        "password",
        "url",
        "tel",
        "date",
        "datetime",
        "time",
        "search",
        "color",
        "hidden",
        "checkbox",
    )
)


class FastInputMixin:
    """Renders an ``<input>`` without templates: the markup of Django's ``input.html`` and
    ``attrs.html``, written in Python.  A widget with another template renders as Django's."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        if self.template_name not in _INPUT_TEMPLATES:  # type: ignore[attr-defined]
            return super().render(name, value, attrs, renderer)  # type: ignore[misc,no-any-return]
        widget = self.get_context(name, value, attrs)["widget"]  # type: ignore[attr-defined]
        parts: list[str] = [
            format_html('<input type="{}" name="{}"', widget["type"], widget["name"])
        ]
        if widget["value"] is not None:
            parts.append(format_html(' value="{}"', str(widget["value"])))
        parts.append(_attrs_html(widget["attrs"]))
        parts.append(">")
        return mark_safe("".join(parts))  # noqa: S308 (every part escaped above)


# Named like Django's classes: ``BoundField.widget_type`` (used by includes/field.html) is
# derived from the class name.
class Select(FastSelectMixin, forms.Select):
    pass


class SelectMultiple(FastSelectMixin, forms.SelectMultiple):
    pass


FastSelect = Select
FastSelectMultiple = SelectMultiple


_FAST: dict[type, type] = {forms.Select: FastSelect, forms.SelectMultiple: FastSelectMultiple}
for _django_input in (
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
):
    # a subclass with Django's class name (BoundField.widget_type reads it)
    _FAST[_django_input] = type(
        _django_input.__name__, (FastInputMixin, _django_input), {"__module__": __name__}
    )

_CLASSES = {
    "select": "kern-form-input__select",
    "selectmultiple": "kern-form-input__select",
    "checkbox": "kern-form-check__checkbox",
}


class KernFormMixin:
    """Adds KERN classes and aria attributes; mix into every form before ``forms.Form``.

    ``__init__`` must not touch ``self.errors``: subclasses set choices after it, and reading
    the errors would validate the form before they exist.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            widget = field.widget
            kind = type(widget).__name__.lower().replace("widget", "").replace("input", "")
            fast = _FAST.get(type(widget))
            if fast is not None:
                widget.__class__ = fast  # same widget, rendered without per-option templates
            if isinstance(widget, (forms.CheckboxSelectMultiple, forms.RadioSelect)):
                continue
            css = _CLASSES.get(kind, "kern-form-input__input")
            widget.attrs.setdefault("class", css)
            bound = self[name]  # type: ignore[index]
            described = []
            if field.help_text:
                described.append(f"{bound.auto_id}-hint")
            if described:
                widget.attrs["aria-describedby"] = " ".join(described)

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        for name in self.errors:  # type: ignore[attr-defined]
            if name in self.fields:  # type: ignore[attr-defined]
                widget = self.fields[name].widget  # type: ignore[attr-defined]
                if isinstance(widget, (forms.CheckboxSelectMultiple, forms.RadioSelect)):
                    continue
                widget.attrs["aria-invalid"] = "true"
                css = widget.attrs.get("class", "")
                if css and "--error" not in css:
                    widget.attrs["class"] = f"{css} {css.split()[0]}--error"
                bound_id = self[name].auto_id  # type: ignore[index]
                ids = widget.attrs.get("aria-describedby", "")
                if f"{bound_id}-error" not in ids:
                    widget.attrs["aria-describedby"] = (ids + f" {bound_id}-error").strip()
