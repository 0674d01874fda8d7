"""Template helpers of the alliance: links to the gap analysis, the dashboard card."""

from __future__ import annotations

from typing import Any

from django import template

from .. import links, selectors

register = template.Library()


@register.inclusion_tag("alliance/_links.html", takes_context=True)
def gap_links(context: template.Context, obj: Any) -> dict[str, Any]:
    """The gap and the planned measure an agenda item, decision or task refers to."""
    tenant = context["request"].tenant.public_id
    gap = getattr(obj, "gap", None)
    measure = getattr(obj, "measure", None)
    return {
        "gap": gap,
        "gap_url": links.url_for("gap", gap, tenant),
        "measure": measure,
        "measure_url": links.url_for("measure", measure, tenant),
    }


@register.inclusion_tag("alliance/_dashboard_card.html", takes_context=True)
def alliance_card(context: template.Context, tenant: Any) -> dict[str, Any]:
    request = context["request"]
    return {
        "card": selectors.alliance_card(actor=request.user, tenant=tenant),
        "tenant": tenant,
    }
