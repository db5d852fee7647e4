"""Local development: debug on, console email, the bundled fake ScrapeCreators server."""

from .base import *  # noqa: F403
from .base import SCRAPECREATORS_API_KEY, env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="dev-insecure-secret-key-change-me")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])

# Without a real key, development talks to `python -m fake_scrapecreators` (started by make run).
FAKE_SCRAPECREATORS_URL = env.str("FAKE_SCRAPECREATORS_URL", default="http://127.0.0.1:8765")
if not SCRAPECREATORS_API_KEY:
    SCRAPECREATORS_API_KEY = "fake-dev-key"
    SCRAPECREATORS_BASE_URL = FAKE_SCRAPECREATORS_URL

# The fake server's avatar CDN lives on loopback; only development and tests may allow it.
IMAGE_PROXY_EXTRA_ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
