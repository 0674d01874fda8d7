"""Create signed-in, second-factor-verified sessions without a browser.

Run with the benchmark's environment (same DATABASE_URL and TEILHABE_SECRET_KEY as the
server, because the session auth hash depends on the secret key)::

    python bench/session.py verwaltung 20 [AGS]

Creates (or reuses) a confirmed TOTP device named "bench" for the user and COUNT sessions
as django.contrib.auth and django_otp would after password and second factor.  Prints one
JSON line: ``{"session_keys": [...], "cookie_name": ..., "tenant_id": ..., ...}``.
The tenant is the one whose territory has the key AGS (e.g. 05754, Kreis Gütersloh), else
the one in which the user is tenant administrator (the demo: Kreis Gütersloh), else any of
the user's tenants.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(username: str, count: int, tenant_ags: str = "") -> None:
    print(json.dumps(create_sessions(username, count, tenant_ags)))


def create_sessions(username: str, count: int, tenant_ags: str = "") -> dict:
    """The sessions as a dict (see the module docstring); Django is set up on the way."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from teilhabe.accounts.middleware import SESSION_LOGIN_AT
    from teilhabe.accounts.models import Membership, User
    from teilhabe.accounts.roles import Role

    user = User.objects.get(username=username)
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="bench", defaults={"confirmed": True}
    )
    if not device.confirmed:
        device.confirmed = True
        device.save(update_fields=["confirmed"])

    memberships = Membership.objects.filter(user=user, is_active=True).select_related("tenant")
    if tenant_ags:
        membership = memberships.filter(tenant__territory__ags=tenant_ags).order_by("pk").first()
        if membership is None:
            raise SystemExit(f"{username} holds no membership in the tenant with AGS {tenant_ags}")
    else:
        membership = (
            memberships.filter(role=Role.TENANT_ADMIN).order_by("tenant__name").first()
            or memberships.order_by("pk").first()
        )
    if membership is None:
        raise SystemExit(f"{username} holds no membership in any tenant")

    keys = []
    for _ in range(count):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session[SESSION_LOGIN_AT] = time.time()
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.create()
        keys.append(session.session_key)

    return {
        "session_keys": keys,
        "cookie_name": settings.SESSION_COOKIE_NAME,
        "tenant_id": str(membership.tenant.public_id),
        "tenant_name": membership.tenant.name,
        "role": membership.role,
    }


if __name__ == "__main__":
    main(
        sys.argv[1] if len(sys.argv) > 1 else "verwaltung",
        int(sys.argv[2]) if len(sys.argv) > 2 else 1,
        sys.argv[3] if len(sys.argv) > 3 else "",
    )
