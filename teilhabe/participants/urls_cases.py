"""URLs of the cases area (``/t/<tenant>/faelle/…``); composed in urls.py."""

from django.urls import URLPattern, path

from . import views_cases as v

T = "t/<uuid:tenant_id>/faelle/"
C = f"{T}<uuid:case_id>/"

# Owned by the cases area; see urls.py.
urlpatterns: list[URLPattern] = [
    path(T, v.caseload, name="caseload"),
    path(f"{T}kennzahlen/", v.casework_overview, name="casework_overview"),
    path(f"{T}kontakte/export/", v.contacts_export, name="contacts_export"),
    path(f"{T}hinweise/<uuid:notice_id>/gelesen/", v.notice_read, name="notice_read"),
    path(C, v.case_detail, name="case_detail"),
    path(f"{C}bearbeiten/", v.case_edit, name="case_edit"),
    path(f"{C}status/", v.case_status, name="case_status"),
    path(f"{C}team/", v.case_team, name="case_team"),
    path(f"{C}foerderplan/", v.case_plan, name="case_plan"),
    path(f"{C}foerderplan/<uuid:goal_id>/", v.goal_detail, name="goal_detail"),
    path(f"{C}kontakte/", v.case_contacts, name="case_contacts"),
    path(f"{C}kontakte/export/", v.case_contacts_export, name="case_contacts_export"),
    path(f"{C}bildungsverlauf/", v.case_education, name="case_education"),
    path(f"{C}bildungsverlauf/<uuid:episode_id>/", v.episode_edit, name="episode_edit"),
    path(f"{C}verbleib/", v.case_outcomes, name="case_outcomes"),
]
