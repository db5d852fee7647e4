"""Test settings: fast hashing, synchronous task queue, in-memory email."""

from .base import *  # noqa: F403
from .base import Q_CLUSTER, env

DEBUG = False
SECRET_KEY = "test-secret-key-not-for-production-0123456789abcdef"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tasks run inline in tests unless a test starts a real cluster.
Q_CLUSTER = {**Q_CLUSTER, "sync": env.bool("Q_SYNC", default=True)}
SCRAPECREATORS_API_KEY = "test-key"
# Tests point this at their fake server (a worker subprocess gets it from the environment).
SCRAPECREATORS_BASE_URL = env.str("SCRAPECREATORS_BASE_URL", default="http://127.0.0.1:9")
IMAGE_PROXY_EXTRA_ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ADMIN_EMAILS = ["boss@example.com"]
# DEBUG is off here, so mock billing must be asked for; real-billing tests set "stripe".
BILLING_MODE = "mock"
# Whitenoise serves from the finders, so tests need no collectstatic.
WHITENOISE_AUTOREFRESH = True
# A file database (not in-memory) so worker threads and live servers see committed rows.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # TEST_SQLITE_PATH lets two test runs on one checkout use their own files.
    DATABASES["default"]["TEST"] = {
        "NAME": env.str("TEST_SQLITE_PATH", default=str(BASE_DIR / ".test-db.sqlite3"))
    }
SYSCONFIG_STRICT = True
