from django.urls import path

from . import views, views_import, views_platform, views_rules

app_name = "offers"
T = "t/<uuid:tenant_id>/angebote/"
urlpatterns = [
    path(T, views.offer_list, name="offer_list"),
    path(f"{T}neu/", views.offer_edit, name="offer_create"),
    path(f"{T}export/", views.offer_export, name="offer_export"),
    path(f"{T}import/", views_import.offer_import, name="offer_import"),
    path(
        f"{T}import/vorlage.xlsx",
        views_import.offer_import_template,
        name="offer_import_template",
    ),
    path(f"{T}passend/", views.offer_matching, name="offer_matching"),
    path(f"{T}<uuid:offer_id>/", views.offer_detail, name="offer_detail"),
    path(f"{T}<uuid:offer_id>/bearbeiten/", views.offer_edit, name="offer_edit"),
    path(f"{T}<uuid:offer_id>/duplizieren/", views.offer_duplicate, name="offer_duplicate"),
    path(f"{T}<uuid:offer_id>/verlauf/", views.offer_history, name="offer_history"),
    path("t/<uuid:tenant_id>/regeln/", views_rules.rule_set_list, name="rule_set_list"),
    path("t/<uuid:tenant_id>/regeln/neu/", views_rules.rule_set_edit, name="rule_set_create"),
    path(
        "t/<uuid:tenant_id>/regeln/<uuid:rule_set_id>/",
        views_rules.rule_set_detail,
        name="rule_set_detail",
    ),
    path(
        "t/<uuid:tenant_id>/regeln/<uuid:rule_set_id>/bearbeiten/",
        views_rules.rule_set_edit,
        name="rule_set_edit",
    ),
    path("plattform/regelwerke/", views_platform.rule_sets, name="platform_rule_sets"),
    path(
        "plattform/regelwerke/<uuid:rule_set_id>/",
        views_platform.rule_set_edit,
        name="platform_rule_set_edit",
    ),
    path("plattform/kategorien/", views_platform.categories, name="platform_categories"),
    path(
        "plattform/kategorien/<uuid:category_id>/",
        views_platform.categories,
        name="platform_category_edit",
    ),
    path("t/<uuid:tenant_id>/traeger/", views.provider_list, name="provider_list"),
    path("t/<uuid:tenant_id>/traeger/neu/", views.provider_edit, name="provider_create"),
    path(
        "t/<uuid:tenant_id>/traeger/<uuid:provider_id>/",
        views.provider_detail,
        name="provider_detail",
    ),
    path(
        "t/<uuid:tenant_id>/traeger/<uuid:provider_id>/bearbeiten/",
        views.provider_edit,
        name="provider_edit",
    ),
]
