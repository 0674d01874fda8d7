"""Links of agenda items, decisions and tasks to the gap analysis (``needs.Gap`` and
``needs.PlannedMeasure``).  One place, so that forms, services and pages agree."""

from __future__ import annotations

from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

# the nullable foreign keys on AgendaItem, Decision and Task
LINK_FIELDS: tuple[str, ...] = ("gap", "measure")

# URL names the gap analysis may offer for its records (first one that exists is used)
_URL_NAMES = {
    "gap": ("needs:gap_detail", "needs:gap"),
    "measure": ("needs:measure_detail", "needs:measure_edit"),
}


def choices(tenant: Any) -> dict[str, tuple[Any, Any]]:
    """field -> (label, queryset of the tenant) for the link fields of a form."""
    from teilhabe.needs.models import Gap, PlannedMeasure

    return {
        "gap": (_("Linked gap"), Gap.objects.filter(tenant=tenant).order_by("-reference_date")),
        "measure": (
            _("Linked planned measure"),
            PlannedMeasure.objects.filter(tenant=tenant).order_by("title"),
        ),
    }


def initial(obj: Any) -> dict[str, Any]:
    return {name: getattr(obj, f"{name}_id", None) for name in LINK_FIELDS}


def url_for(kind: str, obj: Any, tenant_public_id: Any) -> str:
    """The page of a gap or measure in the gap analysis, or "" while it has none."""
    if obj is None:
        return ""
    for name in _URL_NAMES.get(kind, ()):
        try:
            return reverse(name, args=[tenant_public_id, obj.public_id])
        except NoReverseMatch:
            continue
    return ""
