from django.apps import AppConfig


class SeedingConfig(AppConfig):
    name = "teilhabe.seeding"
    label = "seeding"
    verbose_name = "Demo- und Skalierungsdaten"
