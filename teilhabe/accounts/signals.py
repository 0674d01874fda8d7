"""Authentication events go to the audit log (Django sends them; we only record)."""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from teilhabe.audit.services import audit_record

from .middleware import SESSION_LOGIN_AT


@receiver(user_logged_in)
def _on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_LOGIN_AT] = time.time()
    audit_record(actor=user, action="auth.login")


@receiver(user_logged_out)
def _on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(actor=user, action="auth.logout")


@receiver(user_login_failed)
def _on_login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kw: Any
) -> None:
    username = str(credentials.get("username", ""))[:150]
    audit_record(actor=None, action="auth.login_failed", actor_label=username)
