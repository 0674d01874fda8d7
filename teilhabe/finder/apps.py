from django.apps import AppConfig


class FinderConfig(AppConfig):
    name = "teilhabe.finder"
    label = "finder"
    verbose_name = "Öffentliche Angebotssuche"
