from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("konto/anmelden/", views.LoginView.as_view(), name="login"),
    path("konto/abmelden/", auth_views.LogoutView.as_view(), name="logout"),
    path("konto/zweiter-faktor/", views.otp_verify, name="otp_verify"),
    path("konto/zweiter-faktor/einrichten/", views.otp_setup, name="otp_setup"),
    path("konto/sicherheit/", views.security, name="security"),
    path("konto/passwort/aendern/", views.PasswordChangeView.as_view(), name="password_change"),
    path("konto/passwort/vergessen/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "konto/passwort/vergessen/gesendet/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "konto/passwort/neu/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "konto/passwort/neu/fertig/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path(
        "konto/einladung/<uidb64>/<token>/",
        views.InvitationAcceptView.as_view(),
        name="invitation",
    ),
    path("t/<uuid:tenant_id>/verwaltung/benutzer/", views.tenant_users, name="tenant_users"),
    path(
        "t/<uuid:tenant_id>/verwaltung/benutzer/einladen/",
        views.tenant_user_invite,
        name="tenant_user_invite",
    ),
    path(
        "t/<uuid:tenant_id>/verwaltung/benutzer/<uuid:user_id>/",
        views.tenant_user_detail,
        name="tenant_user_detail",
    ),
]

platform_patterns = (
    [
        path("mandanten/", views.platform_tenants, name="tenants"),
        path("land/", views.platform_land_users, name="land_users"),
        path("benutzer/<uuid:user_id>/aktiv/", views.platform_user_active, name="user_active"),
    ],
    "platform",
)
