"""The languages of the public finder.

The language lives in the URL (``/finden/<tenant>/<code>/``), so the finder needs no cookie
and leaves the staff language list (``settings.LANGUAGES``) alone.  Each code is activated
per request with ``translation.override(code)``; Django then reads
``locale/<locale>/LC_MESSAGES/django.mo`` (``de-ls`` → ``locale/de_LS``, falling back to the
German catalogue).  Adding a language: one entry here, one catalogue with the finder's
messages (``msgctxt "finder"``), ``make messages``.  See docs/angebotssuche.md.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FinderLanguage:
    code: str  # in the URL and for translation.override
    name: str  # in the language itself
    html_lang: str  # lang= and hreflang= (BCP 47)
    rtl: bool = False
    plain: bool = False  # plain German ("Einfache Sprache")

    @property
    def direction(self) -> str:
        return "rtl" if self.rtl else "ltr"

    @property
    def content(self) -> str:
        """The language code of offer and category texts (translations are keyed by it)."""
        return "de" if self.plain else self.code


LANGUAGES: tuple[FinderLanguage, ...] = (
    FinderLanguage("de", "Deutsch", "de"),
    FinderLanguage("de-ls", "Einfache Sprache", "de", plain=True),
    FinderLanguage("en", "English", "en"),
    FinderLanguage("ar", "العربية", "ar", rtl=True),
    FinderLanguage("fa", "فارسی / دری", "fa", rtl=True),
    FinderLanguage("uk", "Українська", "uk"),
    FinderLanguage("tr", "Türkçe", "tr"),
)
BY_CODE: dict[str, FinderLanguage] = {lang.code: lang for lang in LANGUAGES}
DEFAULT = BY_CODE["de"]

# Languages of instruction (teilhabe.offers.models.LANGUAGE_CHOICES) in the language itself:
# a reader of Tigrinya recognises "ትግርኛ" in any interface language.
ENDONYMS: dict[str, str] = {
    "de": "Deutsch",
    "en": "English",
    "ar": "العربية",
    "fa": "فارسی / دری",
    "uk": "Українська",
    "tr": "Türkçe",
    "ru": "Русский",
    "fr": "Français",
    "ti": "ትግርኛ",
    "ku": "Kurdî",
    "ps": "پښتو",
    "so": "Soomaali",
}
RTL_LANGUAGES = frozenset({"ar", "fa", "ps"})
