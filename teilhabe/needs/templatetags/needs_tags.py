"""Template filters of the needs area."""

from __future__ import annotations

from typing import Any

from django import template

from teilhabe.needs.matrix import coarse as _coarse

register = template.Library()


@register.filter
def coarse(value: Any) -> str:
    """A count of people as shown outside case work: 1 to 4 become "< 5"."""
    try:
        return _coarse(int(value))
    except (TypeError, ValueError):
        return "–"


@register.filter
def coverage(cell: Any) -> str:
    return str(cell.coverage_text(suppress=True))


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def get_index(values: Any, index: int) -> Any:
    try:
        return values[int(index)]
    except (IndexError, TypeError, ValueError):
        return None


@register.filter
def level_label(level: str) -> str:
    """The assessment of a matrix cell in words (the heatmap never relies on colour)."""
    from teilhabe.needs.report import level_short_labels

    return level_short_labels().get(level, "")


@register.filter
def level_legend(level: str) -> str:
    from teilhabe.needs.report import level_labels

    return level_labels().get(level, "")
