"""URLs of the needs area (``/t/<tenant>/bedarfe/…``)."""

from django.urls import URLPattern, path

from . import views as v

app_name = "needs"
T = "t/<uuid:tenant_id>/bedarfe/"

urlpatterns: list[URLPattern] = [
    path(T, v.overview, name="overview"),
    path(f"{T}zielgruppe/", v.target_group, name="target_group"),
    path(f"{T}zielgruppe/erfassen/", v.target_group_create, name="target_group_create"),
    path(f"{T}zielgruppe/import/", v.target_group_import, name="target_group_import"),
    path(f"{T}zielgruppe/vorlage.xlsx", v.target_group_template, name="target_group_template"),
    path(f"{T}zielgruppe/<uuid:snapshot_id>/", v.snapshot_detail, name="snapshot_detail"),
    path(f"{T}schaetzungen/", v.estimates, name="estimates"),
    path(f"{T}matrix/", v.matrix, name="matrix"),
    path(f"{T}matrix/zelle/", v.cell, name="cell"),
    path(f"{T}matrix/trend/", v.trend, name="trend"),
    path(f"{T}luecken/", v.gap_list, name="gap_list"),
    path(f"{T}luecken/erfassen/", v.gap_create, name="gap_create"),
    path(f"{T}luecken/<uuid:gap_id>/", v.gap_detail, name="gap_detail"),
    path(f"{T}massnahmen/", v.measure_list, name="measure_list"),
    path(f"{T}massnahmen/neu/", v.measure_create, name="measure_create"),
    path(f"{T}massnahmen/<uuid:measure_id>/", v.measure_edit, name="measure_edit"),
    path(f"{T}massnahmekarrieren/", v.chains, name="chains"),
    path(f"{T}befragung/<uuid:participant_id>/", v.survey, name="survey"),
    path(f"{T}bericht.pdf", v.report_pdf, name="report_pdf"),
    path(f"{T}bericht.xlsx", v.report_xlsx, name="report_xlsx"),
]
