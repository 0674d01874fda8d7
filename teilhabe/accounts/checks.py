"""System checks for what Django's own ``check --deploy`` does not cover."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def teilhabe_security_checks(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    problems: list[Any] = []
    hashers = getattr(settings, "PASSWORD_HASHERS", [])
    if not hashers or not hashers[0].endswith("Argon2PasswordHasher"):
        problems.append(Warning("Argon2 must be the first password hasher.", id="teilhabe.W001"))
    policy_cfg = getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}
    directives = policy_cfg.get("DIRECTIVES", {})
    if "csp.middleware.CSPMiddleware" not in settings.MIDDLEWARE or not directives:
        problems.append(Error("Content-Security-Policy is not configured.", id="teilhabe.E001"))
    scripts = directives.get("script-src", directives.get("default-src", []))
    if any("unsafe-inline" in s or "unsafe-eval" in s for s in scripts):
        problems.append(Error("CSP script-src allows unsafe-inline/eval.", id="teilhabe.E002"))
    for name, expected in (("object-src", "'none'"), ("base-uri", "'none'")):
        if directives.get(name) != [expected]:
            problems.append(Error(f"CSP {name} must be {expected}.", id="teilhabe.E003"))
    if directives.get("frame-ancestors") != ["'none'"]:
        problems.append(Error("CSP frame-ancestors must be 'none'.", id="teilhabe.E004"))
    if "django_otp.middleware.OTPMiddleware" not in settings.MIDDLEWARE:
        problems.append(Error("django-otp middleware is not installed.", id="teilhabe.E005"))
    if "teilhabe.accounts.middleware.SecondFactorMiddleware" not in settings.MIDDLEWARE:
        problems.append(Error("The second-factor middleware is missing.", id="teilhabe.E006"))
    if not getattr(settings, "TEILHABE_OTP_REQUIRED", True) and not getattr(
        settings, "DEMO", False
    ):
        problems.append(
            Error("The second factor may only be switched off in the demo.", id="teilhabe.E007")
        )
    idle = getattr(settings, "SESSION_IDLE_SECONDS", 0)
    absolute = getattr(settings, "SESSION_ABSOLUTE_SECONDS", 0)
    if not 0 < idle <= 3600 or settings.SESSION_COOKIE_AGE > 3600:
        problems.append(
            Error("Session idle timeout must be at most 60 minutes.", id="teilhabe.E008")
        )
    if not 0 < absolute <= 24 * 3600:
        problems.append(
            Error("Absolute session lifetime must be at most 24 h.", id="teilhabe.E009")
        )
    if not settings.SESSION_COOKIE_NAME.startswith("__Host-"):
        problems.append(Error("Session cookie must carry the __Host- prefix.", id="teilhabe.E010"))
    if getattr(settings, "DEMO", False):
        problems.append(Error("TEILHABE_DEMO must not be set in production.", id="teilhabe.E011"))
    return problems
