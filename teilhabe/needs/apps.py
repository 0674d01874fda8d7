from django.apps import AppConfig


class NeedsConfig(AppConfig):
    name = "teilhabe.needs"
    label = "needs"
    verbose_name = "Bedarfe"
