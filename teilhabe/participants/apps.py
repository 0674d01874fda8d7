from django.apps import AppConfig


class ParticipantsConfig(AppConfig):
    name = "teilhabe.participants"
    label = "participants"
    verbose_name = "Teilhabemanagement"

    def ready(self) -> None:
        from teilhabe.audit import labels

        from .selectors_people import participant_audit_labels

        # the audit log holds pseudonyms only; its views show the live name where allowed
        labels.register("participants.participant", participant_audit_labels)
