"""Settings for the test suite: the production settings with test conveniences."""

import os

os.environ.setdefault("TEILHABE_SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("TEILHABE_SSL_REDIRECT", "0")

from config.settings import *  # noqa: F403
from config.settings import BASE_DIR, SILENCED_SYSTEM_CHECKS

# Fast hashing in tests only; production keeps argon2 first (checked by teilhabe.accounts.checks).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# own folder per database: make test runs the SQLite and the PostgreSQL suite at the same time
_ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")
MEDIA_ROOT = BASE_DIR / "var" / ("test-private-pg" if _ON_POSTGRES else "test-private")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "teilhabe.W001"]
# Query-count tests compare requests made minutes apart on a loaded machine: the once-a-minute
# session refresh must not land between them.
SESSION_REFRESH_SECONDS = 900
