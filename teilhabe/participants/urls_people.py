"""URLs of the people area: /t/<tenant>/teilnehmende/…  (composed in urls.py)."""

from django.urls import URLPattern, path

from . import views_people as v

T = "t/<uuid:tenant_id>/teilnehmende/"
P = f"{T}<uuid:participant_id>/"

urlpatterns: list[URLPattern] = [
    path(T, v.participant_list, name="participant_list"),
    path(f"{T}neu/", v.participant_register, name="participant_register"),
    path(f"{T}einwilligung/<str:lang>/", v.consent_blank, name="consent_blank"),
    path(f"{T}uebernahmen/", v.transfer_list, name="transfer_list"),
    path(f"{T}uebernahmen/<uuid:transfer_id>/", v.transfer_accept, name="transfer_accept"),
    path(P, v.participant_detail, name="participant_detail"),
    path(f"{P}bearbeiten/", v.participant_edit, name="participant_edit"),
    path(f"{P}verlauf/", v.participant_history, name="participant_history"),
    path(f"{P}aufenthalt/neu/", v.status_add, name="participant_status_add"),
    path(f"{P}aufenthalt/<uuid:entry_id>/", v.status_edit, name="participant_status_edit"),
    path(f"{P}aufenthalt/<uuid:entry_id>/beenden/", v.status_end, name="participant_status_end"),
    path(f"{P}leistungen/neu/", v.benefit_add, name="participant_benefit_add"),
    path(f"{P}leistungen/<uuid:entry_id>/", v.benefit_edit, name="participant_benefit_edit"),
    path(
        f"{P}leistungen/<uuid:entry_id>/beenden/",
        v.benefit_end,
        name="participant_benefit_end",
    ),
    path(f"{P}einwilligungen/neu/", v.consent_add, name="participant_consent_add"),
    path(
        f"{P}einwilligungen/<uuid:consent_id>/widerrufen/",
        v.consent_withdraw,
        name="participant_consent_withdraw",
    ),
    path(f"{P}einwilligung/<str:lang>/", v.consent_print, name="participant_consent_print"),
    path(f"{P}auskunft.json", v.export_json, name="participant_export_json"),
    path(f"{P}auskunft.pdf", v.export_pdf, name="participant_export_pdf"),
    path(f"{P}anonymisieren/", v.participant_erase, name="participant_erase"),
    path(f"{P}einschraenkung/", v.participant_restrict, name="participant_restrict"),
    path(
        f"{P}zusammenfuehren/<uuid:other_id>/",
        v.participant_merge,
        name="participant_merge",
    ),
    path(f"{P}uebergabe/", v.participant_transfer, name="participant_transfer"),
    path(
        f"{P}hinweise/<uuid:notice_id>/gelesen/",
        v.notice_read,
        name="participant_notice_read",
    ),
]
