"""gunicorn's settings for wpsnap in production: ``gunicorn -c deploy/gunicorn.conf.py config.wsgi:application``.

nginx (deploy/nginx/) sits in front: it holds slow clients and buffers whole requests and answers, so a
worker only ever talks to nginx over a unix socket. The worker class and count were chosen by measurement
(bench/load.py through serve-production's nginx, national data set; figures in docs/operations/deploy.md).

Environment (all optional; deploy/wpsnap.env.example):

- ``WPSNAP_GUNICORN_BIND``: where to listen (default ``unix:/run/wpsnap/gunicorn.sock``; an app server
  behind a remote nginx: ``10.0.0.11:8000``, and WPSNAP_TRUSTED_PROXIES naming that nginx);
- ``WPSNAP_GUNICORN_WORKERS``, ``WPSNAP_GUNICORN_THREADS``, ``WPSNAP_GUNICORN_WORKER_CLASS``: the measured
  choice below, to change only after measuring on the machine in question;
- ``WPSNAP_GUNICORN_ACCESS_LOG``: ``-`` (stderr, the default: journald keeps it), a file, or ``off``.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

from gunicorn.glogging import Logger

bind = [os.environ.get("WPSNAP_GUNICORN_BIND", "unix:/run/wpsnap/gunicorn.sock")]
# The measured choice (docs/operations/deploy.md, "Workers"): threads let a worker answer a short request
# while another of its requests waits for PostgreSQL; more processes than cores only add memory.
worker_class = os.environ.get("WPSNAP_GUNICORN_WORKER_CLASS", "gthread")
workers = int(os.environ.get("WPSNAP_GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("WPSNAP_GUNICORN_THREADS", "4"))
# A request still running after this long is killed (nginx's proxy_read_timeout is 120 s): long work
# belongs in the task worker (docs/jobs.md).
timeout = 60
graceful_timeout = 30
# nginx keeps its upstream connections open (keepalive 16); gthread holds them this long between requests.
keepalive = 5
# A worker is replaced after this many requests (with jitter, so not all at once): a slow leak stays small.
max_requests = 5000
max_requests_jitter = 500
# The socket is nginx's only: owner and group (www-data, via the unit's Group= or a shared group).
umask = 0o007
# Requests come from nginx over the socket; X-Forwarded-Proto is nginx's (Django reads it through
# SECURE_PROXY_SSL_HEADER and the client's address through WPSNAP_TRUSTED_PROXIES, not gunicorn).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
control_socket_disable = True
# Load the application before forking: workers share its memory, and a broken settings module stops
# the master at once instead of making workers crash in a loop.
preload_app = True
proc_name = "wpsnap"
loglevel = os.environ.get("WPSNAP_GUNICORN_LOG_LEVEL", "info")
errorlog = "-"


class AccessLogger(Logger):
    """One JSON line per request: the method, the path WITHOUT its query string (a searched name, a filter:
    personal data can be there), the status, bytes, milliseconds and the worker's pid. No client address
    (nginx logs it), no Referer, no user agent, no cookie or header."""

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        if not self.access_log_enabled:
            return
        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        line = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "logger": "gunicorn.access",
            "method": environ.get("REQUEST_METHOD"),
            "path": environ.get("PATH_INFO"),
            "status": int(status),
            "bytes": getattr(resp, "sent", None),
            "ms": round(request_time.total_seconds() * 1000, 1),
            "pid": os.getpid(),
        }
        try:
            self.access_log.info(json.dumps(line, ensure_ascii=False))
        except Exception:  # a log line never breaks a request
            self.exception("access log line")


logger_class = AccessLogger
_access = os.environ.get("WPSNAP_GUNICORN_ACCESS_LOG", "-")
accesslog = None if _access == "off" else _access
