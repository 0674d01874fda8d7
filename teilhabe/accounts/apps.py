from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "teilhabe.accounts"
    label = "accounts"
    verbose_name = "Konten und Mandanten"

    def ready(self) -> None:
        from . import checks, signals  # noqa: F401
