from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "teilhabe.audit"
    label = "audit"
    verbose_name = "Protokoll"
