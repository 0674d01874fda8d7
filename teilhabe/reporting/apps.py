from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "teilhabe.reporting"
    label = "reporting"
    verbose_name = "Berichte"
