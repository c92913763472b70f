"""Production settings: SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL come from the environment."""

import os
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    raise ImproperlyConfigured("Set SECRET_KEY in the environment.")
if "DATABASE_URL" not in os.environ:
    raise ImproperlyConfigured("Set DATABASE_URL in the environment.")

SECURE_SSL_REDIRECT = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"

# E-mail (invitations) leaves through SMTP: the console backend of base.py would drop every message
# (`check --deploy` refuses it as mail.E001). WPSNAP_EMAIL_BACKEND may still name another backend.
_EMAIL_BACKEND = os.environ.get("WPSNAP_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
_MAILER: dict[str, Any] = {"BACKEND": _EMAIL_BACKEND}
if _EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend":
    _MAILER["OPTIONS"] = {
        "host": os.environ.get("WPSNAP_EMAIL_HOST", "localhost"),
        "port": int(os.environ.get("WPSNAP_EMAIL_PORT", "25")),
        "username": os.environ.get("WPSNAP_EMAIL_USER", ""),
        "password": os.environ.get("WPSNAP_EMAIL_PASSWORD", ""),
        "use_tls": env_bool("WPSNAP_EMAIL_TLS"),  # noqa: F405
        "timeout": 30,
    }
MAILERS = {"default": _MAILER}

# Logs: one JSON object per line unless WPSNAP_LOG_FORMAT=plain (wpsnap/core/logs.py).
LOGGING["handlers"]["console"]["formatter"] = log_format("json")  # type: ignore[index]  # noqa: F405

# Demo people have known passwords: refused here unless a demonstration server asks for them.
WPSNAP_DEMO_ALLOWED = env_bool("WPSNAP_ALLOW_DEMO")  # noqa: F405
