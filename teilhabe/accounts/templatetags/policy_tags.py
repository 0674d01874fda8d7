from __future__ import annotations

from typing import Any

from django import template

from teilhabe.accounts import policy

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context: template.Context, capability: str, obj: Any = None) -> bool:
    """``{% can "users.manage" request.tenant as allowed %}``"""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return policy.can(user, capability, obj)
