"""Settings for a developer's machine: `make run`."""

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = SECRET_KEY or "local-development-only-not-secret"  # noqa: F405
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405

# The audit trail is in the database; on a developer's console its lines are noise (a demo load writes
# thousands).
LOGGING["loggers"]["wpsnap.audit"] = {"level": "WARNING"}  # type: ignore[index]  # noqa: F405
