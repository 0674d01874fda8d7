"""URLs of the alliance (``/t/<tenant>/buendnis/…``)."""

from django.urls import path

from . import views as v

app_name = "alliance"

T = "t/<uuid:tenant_id>/buendnis/"
M = f"{T}sitzungen/<uuid:meeting_id>/"

urlpatterns = [
    path(T, v.overview, name="overview"),
    # organisations and their people
    path(f"{T}organisationen/", v.organisation_list, name="organisation_list"),
    path(f"{T}organisationen/neu/", v.organisation_create, name="organisation_create"),
    path(f"{T}organisationen/<uuid:org_id>/", v.organisation_detail, name="organisation_detail"),
    path(
        f"{T}organisationen/<uuid:org_id>/bearbeiten/",
        v.organisation_edit,
        name="organisation_edit",
    ),
    path(f"{T}organisationen/<uuid:org_id>/personen/neu/", v.member_create, name="member_create"),
    path(f"{T}personen/<uuid:member_id>/", v.member_edit, name="member_edit"),
    # bodies
    path(f"{T}gremien/", v.group_list, name="group_list"),
    path(f"{T}gremien/neu/", v.group_create, name="group_create"),
    path(f"{T}gremien/<uuid:group_id>/", v.group_detail, name="group_detail"),
    path(f"{T}gremien/<uuid:group_id>/bearbeiten/", v.group_edit, name="group_edit"),
    path(
        f"{T}gremien/<uuid:group_id>/mitgliedschaften/<uuid:membership_id>/ende/",
        v.membership_end,
        name="membership_end",
    ),
    # meetings
    path(f"{T}sitzungen/", v.meeting_list, name="meeting_list"),
    path(f"{T}sitzungen/neu/", v.meeting_create, name="meeting_create"),
    path(M, v.meeting_detail, name="meeting_detail"),
    path(f"{M}bearbeiten/", v.meeting_edit, name="meeting_edit"),
    path(f"{M}einladungen/", v.meeting_invitations, name="meeting_invitations"),
    path(
        f"{M}einladungen/<uuid:attendee_id>/entfernen/",
        v.attendee_remove,
        name="attendee_remove",
    ),
    path(f"{M}termin.ics", v.meeting_ics, name="meeting_ics"),
    path(f"{M}anwesenheit/", v.meeting_attendance, name="meeting_attendance"),
    path(f"{M}tagesordnung/neu/", v.agenda_item_create, name="agenda_item_create"),
    path(f"{M}tagesordnung/<uuid:item_id>/", v.agenda_item_edit, name="agenda_item_edit"),
    path(f"{M}protokoll/", v.meeting_minutes, name="meeting_minutes"),
    path(f"{M}protokoll/genehmigen/", v.minutes_approve, name="minutes_approve"),
    path(f"{M}protokoll/aenderung/", v.minutes_amend, name="minutes_amend"),
    path(f"{M}protokoll.pdf", v.minutes_pdf, name="minutes_pdf"),
    path(f"{M}dokumente/", v.document_upload, name="document_upload"),
    path(f"{T}dokumente/<uuid:document_id>/", v.document_download, name="document_download"),
    path(f"{T}dokumente/<uuid:document_id>/loeschen/", v.document_delete, name="document_delete"),
    # decisions and tasks
    path(f"{T}beschluesse/", v.decision_list, name="decision_list"),
    path(f"{T}beschluesse/neu/", v.decision_create, name="decision_create"),
    path(f"{T}beschluesse/<uuid:decision_id>/", v.decision_detail, name="decision_detail"),
    path(f"{T}aufgaben/", v.task_list, name="task_list"),
    path(f"{T}aufgaben/neu/", v.task_create, name="task_create"),
    path(f"{T}aufgaben/<uuid:task_id>/", v.task_detail, name="task_detail"),
    # calendar feed: managed by the coordination; read by calendar clients with the secret
    # token (no sign-in, hence not ``tenant_id``: the tenant middleware would ask to sign in)
    path(f"{T}kalender/", v.feed_manage, name="feed_manage"),
    path(
        "t/<uuid:feed_tenant>/buendnis/kalender/<str:token>/buendnis.ics",
        v.calendar_feed,
        name="calendar_feed",
    ),
]
