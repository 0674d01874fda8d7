from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from teilhabe.audit.services import audit_record

from . import policy

SESSION_LOGIN_AT = "teilhabe_login_at"
SESSION_TENANT = "teilhabe_tenant"
SESSION_SEEN_AT = "teilhabe_seen_at"
# The idle expiry slides forward when the session is saved; saving it on every request would
# write the session table on every page view (and on SQLite serialise all requests), so it is
# saved at most once a minute: a session ends between 29 and 30 minutes after the last request.
SESSION_REFRESH_SECONDS = 60  # settings.SESSION_REFRESH_SECONDS overrides (tests: longer)


def session_refresh_seconds() -> int:
    return int(getattr(settings, "SESSION_REFRESH_SECONDS", SESSION_REFRESH_SECONDS))


class SessionLifetimeMiddleware:
    """Ends a session after the absolute lifetime; slides the idle expiry (the session age)
    forward at most once per ``SESSION_REFRESH_SECONDS``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            started = request.session.get(SESSION_LOGIN_AT)
            limit = settings.SESSION_ABSOLUTE_SECONDS
            if started is None or time.time() - float(started) > limit:
                logout(request)
                messages.info(request, _("Your session has expired. Please sign in again."))
                return redirect_to_login(request.get_full_path())
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            seen = request.session.get(SESSION_SEEN_AT)
            if seen is None or now - float(seen) >= session_refresh_seconds():
                request.session[SESSION_SEEN_AT] = now  # marks the session for saving
        return response


def _exempt_prefixes() -> tuple[str, ...]:
    return (
        reverse("accounts:login"),
        reverse("accounts:logout"),
        reverse("accounts:otp_verify"),
        reverse("accounts:otp_setup"),
        reverse("accounts:password_reset"),
        "/konto/passwort/",
        "/konto/einladung/",
        reverse("set_language"),
        reverse("health"),
        settings.STATIC_URL,
        # public pages: the HSDS directory, the API schema and the offer finder
        "/hsds/",
        "/api/",
        "/finden/",
    )


class SecondFactorMiddleware:
    """Signed in but not verified: send to the second factor (or its enrolment)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._exempt: tuple[str, ...] | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not user.is_verified():
            if self._exempt is None:
                self._exempt = _exempt_prefixes()
            if not request.path.startswith(self._exempt):
                target = second_factor_target(user)
                if target:
                    return redirect(f"{reverse(target)}?next={request.get_full_path()}")
        return self.get_response(request)


def second_factor_target(user: Any) -> str | None:
    """Where an unverified user must go, or None if no second factor is needed."""
    from django_otp import devices_for_user

    if any(True for _ in devices_for_user(user, confirmed=True)):
        return "accounts:otp_verify"
    if settings.TEILHABE_OTP_REQUIRED and user.needs_second_factor():
        return "accounts:otp_setup"
    return None


class TenantMiddleware:
    """Resolves ``<uuid:tenant_id>`` from the URL; non-members get 404."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.tenant = None  # type: ignore[attr-defined]
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        view_args: list[Any],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        if "tenant_id" not in view_kwargs:
            return None
        tenant_id: uuid.UUID = view_kwargs.pop("tenant_id")
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        tenant = policy.member_tenant(user, tenant_id)
        roles = policy.roles_in(user, tenant) if tenant else frozenset()
        if tenant is None or not roles:
            audit_record(
                actor=user,
                action="security.tenant_denied",
                details={"path": request.path, "tenant": str(tenant_id)},
            )
            raise Http404
        request.tenant = tenant  # type: ignore[attr-defined]
        request.tenant_roles = roles  # type: ignore[attr-defined]
        if request.session.get(SESSION_TENANT) != str(tenant.public_id):
            request.session[SESSION_TENANT] = str(tenant.public_id)
        return None
