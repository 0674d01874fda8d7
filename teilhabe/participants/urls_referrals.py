"""URLs of the referrals area (referrals, provider answers, volunteers, documents);
composed into the ``participants`` namespace by urls.py."""

from django.urls import URLPattern, path

from . import views_referrals as views

V = "t/<uuid:tenant_id>/vermittlungen/"
E = "t/<uuid:tenant_id>/ehrenamt/"
D = "t/<uuid:tenant_id>/dokumente/"

urlpatterns: list[URLPattern] = [
    # case workers
    path(V, views.referral_list, name="referral_list"),
    path(f"{V}ueberfaellig/", views.referral_overdue, name="referral_overdue"),
    path(f"{V}fall/<uuid:case_id>/", views.referral_case, name="referral_case"),
    path(f"{V}fall/<uuid:case_id>/vorschlaege/", views.referral_suggest, name="referral_suggest"),
    path(
        f"{V}fall/<uuid:case_id>/neu/<uuid:offer_id>/",
        views.referral_create,
        name="referral_create",
    ),
    path(f"{V}<uuid:referral_id>/", views.referral_detail, name="referral_detail"),
    path(f"{V}<uuid:referral_id>/senden/", views.referral_send, name="referral_send"),
    path(
        f"{V}<uuid:referral_id>/zurueckziehen/",
        views.referral_withdraw,
        name="referral_withdraw",
    ),
    # providers
    path(f"{V}traeger/", views.provider_referral_list, name="referral_provider_list"),
    path(
        f"{V}traeger/<uuid:referral_id>/",
        views.provider_referral_detail,
        name="referral_provider_detail",
    ),
    # volunteers: records and assignments (coordination, case workers)
    path(E, views.volunteer_list, name="volunteer_list"),
    path(f"{E}neu/", views.volunteer_edit, name="volunteer_create"),
    path(f"{E}<uuid:profile_id>/", views.volunteer_detail, name="volunteer_detail"),
    path(f"{E}<uuid:profile_id>/bearbeiten/", views.volunteer_edit, name="volunteer_edit"),
    path(f"{E}<uuid:profile_id>/zuordnen/", views.volunteer_assign, name="volunteer_assign"),
    path(
        f"{E}zuordnungen/<uuid:assignment_id>/beenden/",
        views.volunteer_assignment_end,
        name="volunteer_assignment_end",
    ),
    # volunteers: their own participants and meetings
    path(f"{E}meine/", views.volunteer_home, name="volunteer_home"),
    path(
        f"{E}meine/<uuid:participant_id>/",
        views.volunteer_participant,
        name="volunteer_participant",
    ),
    # documents of a participant (case workers only)
    path(
        f"{D}teilnehmende/<uuid:participant_id>/",
        views.document_list,
        name="document_list",
    ),
    path(f"{D}<uuid:document_id>/", views.document_download, name="document_download"),
    path(f"{D}<uuid:document_id>/loeschen/", views.document_delete, name="document_delete"),
]
