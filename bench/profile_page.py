"""Profile one page or endpoint in process on the national data set (by hand; not part of `make bench`).

``.venv/bin/python bench/profile_page.py PATH [PATH ...] [--small]``: a throw-away PostgreSQL, the national
data set as ``bench/dashboards.py`` builds it (``--small``: its small one), then each path requested as the
benchmark's coordinator through Django's test client: 9 times as the process is, then 9 times with its
objects frozen (``gc.freeze()``, as ``config/wsgi.py`` does), printing the median and slowest wall and
processor times and the time the garbage collector took; then 5 times under cProfile, printing the 45
costliest functions by cumulative time and the 30 by own time. Everything goes to stderr.
"""

from __future__ import annotations

import cProfile
import gc
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import dashboards  # the same directory
import reports_api as harness

INSIDE = "WPSNAP_PROFILE_THROWAWAY_DB"


def main() -> None:
    if os.environ.get(INSIDE) != "1":
        harness.run_under_postgres(INSIDE)
    paths = [a for a in sys.argv[1:] if a.startswith("/")]
    with tempfile.TemporaryDirectory(prefix="wpsnap-profile-") as var_dir:
        harness.configure(var_dir)
        dashboards.build_dataset("small" if "--small" in sys.argv else "national")
        _user, token, session = dashboards.coordinator()
        from django.conf import settings
        from django.test import Client

        client = Client(HTTP_HOST=harness.HOST, HTTP_X_FORWARDED_PROTO="https", raise_request_exception=False)
        client.cookies[settings.SESSION_COOKIE_NAME] = session
        collecting = [0.0, 0.0]  # since the current collection began, and the sum of their times

        def collected(phase: str, _info: dict[str, int]) -> None:
            if phase == "start":
                collecting[0] = time.perf_counter()
            else:
                collecting[1] += time.perf_counter() - collecting[0]

        gc.callbacks.append(collected)
        for path in paths:
            headers = {"HTTP_AUTHORIZATION": f"Token {token}"} if path.startswith("/api/") else {}
            for _ in range(3):
                client.get(path, **headers)
            for frozen in (False, True):
                if frozen:
                    gc.freeze()  # what a worker can do once the app is loaded (deploy/gunicorn.conf.py)
                walls, cpus, gcs = [], [], []
                for _ in range(9):
                    collecting[1] = 0.0
                    wall, cpu = time.perf_counter(), time.process_time()
                    client.get(path, **headers)
                    walls.append((time.perf_counter() - wall) * 1000)
                    cpus.append((time.process_time() - cpu) * 1000)
                    gcs.append(collecting[1] * 1000)
                print(
                    f"== {path} frozen={frozen}: wall {statistics.median(walls):.1f} ms (max {max(walls):.1f}), "
                    f"cpu {statistics.median(cpus):.1f}, collecting {statistics.median(gcs):.1f} "
                    f"(max {max(gcs):.1f}); gc.get_count {gc.get_count()}, frozen {gc.get_freeze_count()}",
                    file=sys.stderr,
                )
                if frozen:
                    gc.unfreeze()
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(5):
                response = client.get(path, **headers)
            profile.disable()
            print(f"== {path}: {response.status_code}, 5 runs", file=sys.stderr)
            stats = pstats.Stats(profile, stream=sys.stderr)
            stats.sort_stats("cumulative").print_stats(45)
            stats.sort_stats("tottime").print_stats(30)


if __name__ == "__main__":
    main()
