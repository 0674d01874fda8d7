"""Form helpers: KERN classes and accessible error wiring on every widget."""

from __future__ import annotations

from typing import Any

from django import forms

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
