from django.apps import AppConfig


class ParticipantsConfig(AppConfig):
    name = "teilhabe.participants"
    label = "participants"
    verbose_name = "Teilhabemanagement"
