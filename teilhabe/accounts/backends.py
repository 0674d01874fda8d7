from __future__ import annotations

from typing import Any

from . import policy
from .roles import CAPABILITIES, GLOBAL_CAPABILITIES


class PolicyBackend:
    """Lets ``user.has_perm("teilhabe.<capability>", obj)`` ask ``policy.can``."""

    prefix = "teilhabe."

    def authenticate(self, request: Any, **credentials: Any) -> None:
        return None

    def get_user(self, user_id: Any) -> None:
        return None

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        if not perm.startswith(self.prefix):
            return False
        capability = perm[len(self.prefix) :]
        if capability not in CAPABILITIES and capability not in GLOBAL_CAPABILITIES:
            return False
        return policy.can(user_obj, capability, obj)
