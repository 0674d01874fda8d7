"""Sign-in, second factor, lockout, sessions and HTTP security headers."""

from __future__ import annotations

import time
from base64 import b32decode
from typing import Any

from django.conf import settings
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from teilhabe.accounts.middleware import (
    SESSION_LOGIN_AT,
    SESSION_SEEN_AT,
    session_refresh_seconds,
)
from teilhabe.audit.models import AuditEvent

from .conftest import PASSWORD, World, login

LOGIN = "/konto/anmelden/"


def _login_post(client: Client, username: str, password: str, ip: str = "10.0.0.1"):  # type: ignore[no-untyped-def]
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_unknown_user_and_wrong_password_get_identical_answers(world: World) -> None:
    a = _login_post(Client(), "user_case_worker", "falsches-passwort")
    b = _login_post(Client(), "gibt-es-nicht", "falsches-passwort")
    assert a.status_code == b.status_code == 200
    text_a = a.content.decode()
    assert "Bitte Benutzername und Passwort eingeben." in text_a
    # identical apart from the CSRF token and the echoed user name
    strip = lambda r, u: r.content.decode().replace(u, "")  # noqa: E731
    assert len(strip(a, "user_case_worker")) - len(strip(b, "gibt-es-nicht")) in range(-5, 6)
    assert AuditEvent.objects.filter(action="auth.login_failed").count() == 2


def test_login_with_password_then_second_factor_enrolment(world: World) -> None:
    client = Client()
    response = _login_post(client, "user_case_worker", PASSWORD)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp_setup"))
    # every page now leads to the enrolment
    page = client.get(reverse("dashboard", args=[world.tenant.public_id]))
    assert page["Location"].startswith(reverse("accounts:otp_setup"))
    setup = client.get(reverse("accounts:otp_setup"))
    assert "<svg" in setup.content.decode()
    secret = setup.context["secret"].replace(" ", "")
    key = b32decode(secret + "=" * (-len(secret) % 8))
    totp = TOTP(key, step=30, t0=0, digits=6)
    bad = client.post(
        reverse("accounts:otp_setup"), {"token": "000000" if totp.token() else "111111"}
    )
    assert "Der Code passt nicht" in bad.content.decode()
    assert not TOTPDevice.objects.filter(user=world.users["case_worker"]).exists()
    ok = client.post(reverse("accounts:otp_setup"), {"token": f"{totp.token():06d}"})
    assert ok.status_code == 200
    codes = ok.context["codes"]
    assert len(codes) == 10
    assert TOTPDevice.objects.get(user=world.users["case_worker"]).confirmed
    assert client.get(reverse("dashboard", args=[world.tenant.public_id])).status_code == 200
    assert AuditEvent.objects.filter(action="auth.otp_enrolled").exists()


def _enrolled(world: World) -> tuple[Client, TOTPDevice]:
    user = world.users["case_worker"]
    device = TOTPDevice.objects.create(user=user, name="App", confirmed=True)
    client = Client()
    response = _login_post(client, user.username, PASSWORD)
    assert response["Location"].startswith(reverse("accounts:otp_verify"))
    return client, device


def test_wrong_and_reused_totp_codes_are_refused(world: World) -> None:
    client, device = _enrolled(world)
    wrong = client.post(reverse("accounts:otp_verify"), {"token": "123456"})
    assert "Der Code ist ungültig oder wurde bereits verwendet." in wrong.content.decode()
    assert AuditEvent.objects.filter(action="auth.otp_failed").count() == 1
    device.refresh_from_db()
    device.throttle_reset()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    code = f"{totp.token():06d}"
    ok = client.post(reverse("accounts:otp_verify"), {"token": code})
    assert ok.status_code == 302
    # the same code in a second session is refused (replay)
    second, _device = Client(), None
    _login_post(second, "user_case_worker", PASSWORD)
    replay = second.post(reverse("accounts:otp_verify"), {"token": code})
    assert replay.status_code == 200
    assert "bereits verwendet" in replay.content.decode()


def test_recovery_code_works_once(world: World) -> None:
    client, _device = _enrolled(world)
    from teilhabe.accounts.services import recovery_codes_regenerate

    codes = recovery_codes_regenerate(actor=world.users["case_worker"])
    assert client.post(reverse("accounts:otp_verify"), {"token": codes[0]}).status_code == 302
    assert StaticToken.objects.filter(device__user=world.users["case_worker"]).count() == 9
    again = Client()
    _login_post(again, "user_case_worker", PASSWORD)
    assert again.post(reverse("accounts:otp_verify"), {"token": codes[0]}).status_code == 200


def test_alliance_member_needs_no_second_factor(world: World) -> None:
    client = Client()
    response = _login_post(client, "user_alliance_member", PASSWORD)
    assert response.status_code == 302
    assert client.get(reverse("dashboard", args=[world.tenant.public_id])).status_code == 200


@override_settings(TEILHABE_OTP_REQUIRED=False)
def test_demo_setting_switches_the_mandatory_second_factor_off(world: World) -> None:
    client = Client()
    _login_post(client, "user_case_worker", PASSWORD)
    assert client.get(reverse("dashboard", args=[world.tenant.public_id])).status_code == 200


def test_lockout_after_five_failures_per_user_and_address(world: World) -> None:
    attacker = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login_post(attacker, "user_alliance_member", "falsch-falsch-falsch", ip="10.9.9.9")
    locked = _login_post(attacker, "user_alliance_member", PASSWORD, ip="10.9.9.9")
    assert locked.status_code == 429
    assert "vorübergehend gesperrt" in locked.content.decode()
    # the real user from another address is not locked out
    real = _login_post(Client(), "user_alliance_member", PASSWORD, ip="10.1.1.1")
    assert real.status_code == 302


def test_session_ends_after_absolute_lifetime(world: World) -> None:
    client = login(Client(), world.users["tenant_admin"])
    url = reverse("dashboard", args=[world.tenant.public_id])
    assert client.get(url).status_code == 200
    session = client.session
    session[SESSION_LOGIN_AT] = time.time() - settings.SESSION_ABSOLUTE_SECONDS - 1
    session.save()
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert client.get(url).status_code == 302


def test_session_cookie_expires_after_inactivity_window(world: World) -> None:
    client = login(Client(), world.users["tenant_admin"])
    response = client.get(reverse("dashboard", args=[world.tenant.public_id]))
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert cookie["httponly"] and cookie["secure"] and cookie["samesite"] == "Lax"
    assert settings.SESSION_COOKIE_NAME.startswith("__Host-")
    assert client.session.get_expiry_age() <= 30 * 60


def _stored_expiry(client: Client) -> Any:
    from django.contrib.sessions.models import Session

    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_idle_expiry_slides_forward_at_most_once_a_minute(world: World) -> None:
    client = login(Client(), world.users["tenant_admin"])
    url = reverse("dashboard", args=[world.tenant.public_id])
    assert client.get(url).status_code == 200
    first = _stored_expiry(client)
    # a request within the minute does not write the session
    assert client.get(url).status_code == 200
    assert _stored_expiry(client) == first
    # a minute later the next request moves the idle expiry forward
    session = client.session
    session[SESSION_SEEN_AT] = time.time() - session_refresh_seconds() - 1
    session.save()
    saved = _stored_expiry(client)
    time.sleep(0.01)
    response = client.get(url)
    assert response.status_code == 200
    assert _stored_expiry(client) > saved
    assert settings.SESSION_COOKIE_NAME in response.cookies
    # an idle session past its expiry is gone: the next request must sign in again
    from django.contrib.sessions.models import Session

    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=first.replace(year=2000)
    )
    assert client.get(url).status_code == 302


def test_new_session_key_at_login(world: World) -> None:
    client = Client()
    client.get(LOGIN)
    client.session.save()
    before = client.session.session_key
    _login_post(client, "user_alliance_member", PASSWORD)
    assert client.session.session_key != before


def test_deactivated_user_loses_session_at_next_request(world: World) -> None:
    from teilhabe.accounts.services import user_deactivate

    victim = login(Client(), world.users["land"])
    assert victim.get(reverse("statewide")).status_code == 200
    user_deactivate(actor=world.users["platform_admin"], user=world.users["land"])
    assert victim.get(reverse("statewide")).status_code == 302


def test_deactivated_membership_closes_the_tenant(world: World) -> None:
    from teilhabe.accounts.services import membership_deactivate

    member = login(Client(), world.users["case_worker"])
    url = reverse("dashboard", args=[world.tenant.public_id])
    assert member.get(url).status_code == 200
    membership_deactivate(
        actor=world.users["tenant_admin"], tenant=world.tenant, user=world.users["case_worker"]
    )
    assert member.get(url).status_code == 404


def test_security_headers_on_every_response(world: World) -> None:
    client = login(Client(), world.users["tenant_admin"])
    response = client.get(reverse("dashboard", args=[world.tenant.public_id]), secure=True)
    csp = response["Content-Security-Policy"]
    for part in (
        "default-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ):
        assert part in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def test_pages_load_nothing_from_other_hosts(world: World) -> None:
    client = login(Client(), world.users["tenant_admin"])
    html = client.get(reverse("dashboard", args=[world.tenant.public_id])).content.decode()
    import re

    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert not url.startswith(("http:", "https:", "//")), url


def test_forged_csrf_token_is_refused_and_audited(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    login(client, world.users["tenant_admin"])
    url = reverse("accounts:tenant_user_invite", args=[world.tenant.public_id])
    response = client.post(
        url,
        {
            "first_name": "A",
            "last_name": "B",
            "email": "x@example.org",
            "username": "neu.person",
            "roles": ["volunteer"],
            "csrfmiddlewaretoken": "forged",
        },
    )
    assert response.status_code == 403
    assert "Sicherheitsprüfung des Formulars" in response.content.decode()
    assert AuditEvent.objects.filter(action="security.csrf_failed").exists()
    from teilhabe.accounts.models import User

    assert not User.objects.filter(username="neu.person").exists()


def test_oversized_request_is_400_and_changes_nothing(world: World) -> None:
    client = login(Client(), world.users["tenant_admin"])
    url = reverse("accounts:tenant_user_invite", args=[world.tenant.public_id])
    big = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)
    response = client.post(url, {"first_name": big, "username": "gross"})
    assert response.status_code == 400
    from teilhabe.accounts.models import User

    assert not User.objects.filter(username="gross").exists()


def test_other_tenant_access_is_audited(world: World) -> None:
    client = login(Client(), world.users["tenant_admin"])
    client.get(reverse("dashboard", args=[world.other_tenant.public_id]))
    event = AuditEvent.objects.get(action="security.tenant_denied")
    assert event.actor == world.users["tenant_admin"]
    assert str(world.other_tenant.public_id) in str(event.changes)


def test_password_reset_answers_alike_for_unknown_address(world: World) -> None:
    url = reverse("accounts:password_reset")
    known = Client().post(url, {"email": world.users["volunteer"].email})
    unknown = Client().post(url, {"email": "niemand@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "/konto/passwort/neu/" in body
    link = next(line for line in body.splitlines() if "/konto/passwort/neu/" in line)
    path = link.split("testserver", 1)[1]
    client = Client()
    form = client.get(path, follow=True)
    assert form.status_code == 200
    set_url = form.redirect_chain[-1][0] if form.redirect_chain else path
    short = client.post(set_url, {"new_password1": "kurz", "new_password2": "kurz"})
    assert "zu kurz" in short.content.decode()
    done = client.post(
        set_url, {"new_password1": "Neues-Passwort-2026!", "new_password2": "Neues-Passwort-2026!"}
    )
    assert done.status_code == 302
    world.users["volunteer"].refresh_from_db()
    assert world.users["volunteer"].check_password("Neues-Passwort-2026!")


def test_logout_requires_post_and_ends_session(world: World) -> None:
    client = login(Client(), world.users["tenant_admin"])
    assert client.get(reverse("accounts:logout")).status_code == 405
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("dashboard", args=[world.tenant.public_id])).status_code == 302
    assert AuditEvent.objects.filter(action="auth.logout").exists()


def test_production_without_secret_key_refuses_to_sign_anything() -> None:
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("TEILHABE_")}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    code = (
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        "try:\n    settings.SECRET_KEY\nexcept Exception as exc:\n    print(type(exc).__name__)\n"
    )
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "ImproperlyConfigured"
    deploy = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert deploy.returncode != 0
