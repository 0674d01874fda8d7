from __future__ import annotations

import secrets
import time
from base64 import b32encode
from io import BytesIO
from typing import Any
from urllib.parse import quote

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.oath import TOTP

from teilhabe.audit.services import audit_record
from teilhabe.core.errors import DomainError

from . import policy, selectors, services
from .forms import InviteForm, LandUserForm, LoginForm, RolesForm, TenantCreateForm, TokenForm
from .middleware import second_factor_target
from .roles import Cap

SESSION_OTP_KEY = "teilhabe_otp_setup_key"


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_success_url(self) -> str:
        target = second_factor_target(self.request.user)
        nxt = self.get_redirect_url() or reverse("home")
        if target:
            return f"{reverse(target)}?next={quote(nxt)}"
        return nxt


@require_http_methods(["GET", "POST"])
@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.is_verified():  # type: ignore[union-attr]
        return redirect(_safe_next(request, reverse("home")))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"]
        for device in devices_for_user(user, confirmed=True):
            allowed, _info = device.verify_is_allowed()
            if allowed and device.verify_token(token):
                otp_login(request, device)
                audit_record(actor=user, action="auth.otp_verified")
                return redirect(_safe_next(request, reverse("home")))
        audit_record(actor=user, action="auth.otp_failed")
        form.add_error("token", _("The code is invalid or has already been used."))
    return render(
        request, "accounts/otp_verify.html", {"form": form, "next": _safe_next(request, "")}
    )


def _qr_svg(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    return svg[svg.index("<svg") :]


@require_http_methods(["GET", "POST"])
@login_required
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: scan the QR code, confirm one code, keep the recovery codes."""
    user = request.user
    has_device = any(True for _ in devices_for_user(user, confirmed=True))
    if has_device and not user.is_verified():  # type: ignore[union-attr]
        return redirect("accounts:otp_verify")
    key_hex = request.session.get(SESSION_OTP_KEY)
    if not key_hex:
        key_hex = secrets.token_hex(20)
        request.session[SESSION_OTP_KEY] = key_hex
    key = bytes.fromhex(key_hex)
    secret = b32encode(key).decode().rstrip("=")
    label = quote(f"{settings.OTP_TOTP_ISSUER}:{user.get_username()}")
    uri = f"otpauth://totp/{label}?secret={secret}&issuer={quote(settings.OTP_TOTP_ISSUER)}&digits=6&period=30"
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        totp = TOTP(key, step=30, t0=0, digits=6)
        totp.time = time.time()
        matched_t = None
        token = form.cleaned_data["token"]
        for offset in (0, -1, 1):
            totp.drift = offset
            if token.isdigit() and totp.token() == int(token):
                matched_t = totp.t()
                break
        if matched_t is not None:
            codes = services.otp_enrol(actor=user, key_hex=key_hex, last_t=matched_t)  # type: ignore[arg-type]
            del request.session[SESSION_OTP_KEY]
            device = next(iter(devices_for_user(user, confirmed=True)))
            for d in devices_for_user(user, confirmed=True):
                if d.persistent_id.startswith("otp_totp"):
                    device = d
            otp_login(request, device)
            return render(
                request,
                "accounts/recovery_codes.html",
                {"codes": codes, "next": _safe_next(request, reverse("home"))},
            )
        audit_record(actor=user, action="auth.otp_failed", details={"during": "enrolment"})
        form.add_error(
            "token", _("The code does not match. Check the time on your phone and try again.")
        )
    secret_grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return render(
        request,
        "accounts/otp_setup.html",
        {
            "form": form,
            "qr_svg": mark_safe(_qr_svg(uri)),  # noqa: S308 - generated by qrcode, no user input
            "secret": secret_grouped,
            "next": _safe_next(request, ""),
            "required": user.needs_second_factor(),  # type: ignore[union-attr]
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def security(request: HttpRequest) -> HttpResponse:
    user = request.user
    codes = None
    if request.method == "POST" and request.POST.get("action") == "regenerate":
        if not user.is_verified():  # type: ignore[union-attr]
            raise Http404
        codes = services.recovery_codes_regenerate(actor=user)  # type: ignore[arg-type]
        messages.success(
            request, _("New recovery codes were created. The old ones no longer work.")
        )
    has_totp = any(
        d.persistent_id.startswith("otp_totp") for d in devices_for_user(user, confirmed=True)
    )
    return render(
        request,
        "accounts/security.html",
        {
            "has_totp": has_totp,
            "codes": codes,
            "codes_left": services.recovery_codes_left(user),  # type: ignore[arg-type]
            "required": user.needs_second_factor(),  # type: ignore[union-attr]
        },
    )


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """After login: straight into the only tenant, or a choice of tenants."""
    tenants = list(selectors.tenants_for(request.user))
    if (
        len(tenants) == 1
        and not policy.can(request.user, Cap.PLATFORM_MANAGE)
        and not policy.can(request.user, Cap.STATEWIDE_VIEW)
    ):
        return redirect("dashboard", tenants[0].public_id)
    if not tenants and policy.can(request.user, Cap.STATEWIDE_VIEW):
        return redirect("statewide")
    if not tenants and policy.can(request.user, Cap.PLATFORM_MANAGE):
        return redirect("platform:tenants")
    roles = policy.tenant_roles_map(request.user)
    from .roles import Role

    rows = [
        {"tenant": t, "roles": sorted(Role(r).label for r in roles.get(t.pk, ()))} for t in tenants
    ]
    return render(request, "accounts/choose_tenant.html", {"rows": rows})


# --- Tenant administration -----------------------------------------------------------------


def tenant_users(request: HttpRequest) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    rows = selectors.tenant_user_list_for(actor=request.user, tenant=tenant)
    return render(
        request,
        "accounts/tenant_users.html",
        {"rows": rows, "may_manage": policy.can(request.user, Cap.USERS_MANAGE, tenant)},
    )


@require_http_methods(["GET", "POST"])
def tenant_user_invite(request: HttpRequest) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    policy.require(request.user, Cap.USERS_MANAGE, tenant)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_invite(
                actor=request.user,
                tenant=tenant,
                base_url=request.build_absolute_uri("/"),
                **form.cleaned_data,
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("%(name)s was invited.") % {"name": user})
            return redirect("accounts:tenant_users", tenant.public_id)
    return render(request, "accounts/tenant_user_invite.html", {"form": form})


@require_http_methods(["GET", "POST"])
def tenant_user_detail(request: HttpRequest, user_id: Any) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    row = selectors.tenant_user_get_for(actor=request.user, tenant=tenant, public_id=user_id)
    if row is None:
        raise Http404
    may_manage = policy.can(request.user, Cap.USERS_MANAGE, tenant)
    form = RolesForm(request.POST or None, initial={"roles": row.roles})
    if request.method == "POST":
        policy.require(request.user, Cap.USERS_MANAGE, tenant)
        action = request.POST.get("action", "roles")
        try:
            if action == "deactivate":
                services.membership_deactivate(actor=request.user, tenant=tenant, user=row.user)
                messages.success(request, _("The person was deactivated in this tenant."))
                return redirect("accounts:tenant_users", tenant.public_id)
            if form.is_valid():
                services.membership_set_roles(
                    actor=request.user,
                    tenant=tenant,
                    user=row.user,
                    roles=form.cleaned_data["roles"],
                )
                messages.success(request, _("The roles were saved."))
                return redirect("accounts:tenant_users", tenant.public_id)
        except DomainError as exc:
            form.add_error(None, str(exc))
    return render(
        request,
        "accounts/tenant_user_detail.html",
        {"row": row, "form": form, "may_manage": may_manage},
    )


# --- Platform administration --------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def platform_tenants(request: HttpRequest) -> HttpResponse:
    tenants = selectors.platform_tenant_list_for(actor=request.user)
    form = TenantCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            tenant = services.tenant_create(
                actor=request.user, base_url=request.build_absolute_uri("/"), **form.cleaned_data
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Tenant %(name)s was created.") % {"name": tenant.name})
            return redirect("platform:tenants")
    return render(request, "accounts/platform_tenants.html", {"tenants": tenants, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def platform_land_users(request: HttpRequest) -> HttpResponse:
    users = selectors.platform_land_users_for(actor=request.user)
    form = LandUserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.land_user_create(
                actor=request.user, base_url=request.build_absolute_uri("/"), **form.cleaned_data
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The state user was invited."))
            return redirect("platform:land_users")
    return render(request, "accounts/platform_land_users.html", {"users": users, "form": form})


@login_required
@require_POST
def platform_user_active(request: HttpRequest, user_id: Any) -> HttpResponse:
    user = selectors.platform_user_get_for(actor=request.user, public_id=user_id)
    if user is None:
        raise Http404
    try:
        if request.POST.get("active") == "0":
            services.user_deactivate(actor=request.user, user=user)
            messages.success(
                request, _("%(name)s was deactivated; all sessions ended.") % {"name": user}
            )
        else:
            services.user_reactivate(actor=request.user, user=user)
            messages.success(request, _("%(name)s was reactivated.") % {"name": user})
    except DomainError as exc:
        messages.error(request, str(exc))
    return redirect(_safe_next(request, reverse("platform:land_users")))


# --- Password reset and invitation --------------------------------------------------------


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")
    post_reset_login = False

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        audit_record(actor=form.user, action="auth.password_set", obj=form.user)
        return response


class InvitationAcceptView(PasswordResetConfirmView):
    template_name = "accounts/invitation_accept.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:security")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        user = self.request.user
        audit_record(actor=user, action="auth.password_changed", obj=user)  # type: ignore[arg-type]
        messages.success(self.request, _("Your password was changed."))
        return response
