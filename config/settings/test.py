"""Settings for the test suite. DATABASE_URL picks SQLite (default) or the throw-away PostgreSQL cluster."""

from .base import *  # noqa: F403

SECRET_KEY = "test-only-not-secret"  # noqa: S105
DEBUG = False
# pytest-django forces DEBUG off, where the manifest storage would need collectstatic first.
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
LOGGING["root"] = {**LOGGING["root"], "level": "WARNING"}  # type: ignore[dict-item]  # noqa: F405

# Uploaded files of the test run go to a temporary folder, never to var/private.
import tempfile  # noqa: E402

STORAGES["default"] = {  # noqa: F405
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": tempfile.mkdtemp(prefix="wpsnap-test-private-"), "base_url": None},
}

# Many tests are refused on purpose, all from 127.0.0.1: the refusal limit is off here, and the throttle
# tests turn it on (tests/accounts/test_throttle.py). Failed sign-ins keep their real limit.
WPSNAP_REFUSAL_RATE = "off"

# The tests read the interface in English (most assert its wording) unless they choose a language:
# production and local default to Azerbaijani (base.py); tests/core/test_locale.py checks that default.
LANGUAGE_CODE = "en"

# The background jobs' files of the test run go to a temporary folder too (unless a test's worker
# process is handed one).
WPSNAP_JOB_DIR = Path(os.environ.get("WPSNAP_JOB_DIR") or tempfile.mkdtemp(prefix="wpsnap-test-jobs-"))  # noqa: F405
