from django.apps import AppConfig


class TerritoryConfig(AppConfig):
    name = "teilhabe.territory"
    label = "territory"
    verbose_name = "Gebiete"
