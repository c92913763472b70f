# ruff: noqa: S603 - the commands run are this checkout's own and the system's (pg_ctl, nginx)
"""The production stack on loopback, from a checkout: ``scripts/serve-production`` runs this.

    scripts/serve-production [--port N] [--http-port N] [--data demo|national|empty]
                             [--state-file PATH] [--ready-file PATH]
                             [--workers N] [--threads N] [--worker-class sync|gthread]

It starts, all on 127.0.0.1 and all in one temporary directory (``base`` below, removed at the end):

1. a throw-away PostgreSQL cluster (as scripts/with-postgres makes one: initdb, a free port, trust
   authentication on loopback; run as ``postgres`` when started by root). It loads without fsync, then
   serves with PostgreSQL's defaults (fsync and synchronous commits on);
2. ``wpsnap migrate``, ``collectstatic``, the Azerbaijan plan, and the data: ``demo`` (``wpsnap demo load``,
   password ``demo-pass-2026``), ``national`` (``wpsnap demo generate --scale national``: about 4 minutes
   on 2 cores) or ``empty`` (the plan alone); then ``uploads sweep`` and ``jobs sweep`` as at any start;
3. gunicorn with deploy/gunicorn.conf.py on a unix socket, production settings
   (config.settings.production), ``WPSNAP_TRUSTED_PROXIES=unix``;
4. the task worker (``wpsnap db_worker``), started again if it dies (as systemd's Restart=always does);
5. Debian's nginx with deploy/nginx/'s templates rendered into ``base/nginx``: HTTPS on ``--port`` with a
   self-signed certificate made for 127.0.0.1 (the URL printed), plain HTTP on ``--http-port`` that
   answers only with the way to HTTPS, as in production.

It waits until ``/healthz`` answers 200 through nginx, then writes the state file (and the ready file,
the same JSON, when asked), prints the URL, the PostgreSQL DSN and the PIDs, and runs until Ctrl-C or
SIGTERM, when it stops nginx, gunicorn, the worker and PostgreSQL, and removes ``base`` and the state
file. If gunicorn or nginx die, it stops the rest and exits 1. Exit 3: no PostgreSQL or nginx binaries.

State file (default var/serve-production/state.json; JSON; written when ready, removed at the end)::

    {
      "pid": <this supervisor: send it SIGTERM to stop everything>,
      "url": "https://127.0.0.1:<port>/",        "port": <port>,
      "http_url": "http://127.0.0.1:<http_port>/", "http_port": <http_port>,
      "ca_file": "<base>/tls/cert.pem",           # the self-signed certificate, for clients to verify
      "data": "demo" | "national" | "empty",      "demo_password": "demo-pass-2026" | null,
      "base": "<base>",
      "env": {<every environment variable the app runs with: DJANGO_SETTINGS_MODULE, SECRET_KEY,
              DATABASE_URL, WPSNAP_VAR_DIR, ...; run `wpsnap` commands against the stack with these>},
      "postgres": {"dsn": "postgres://wpsnap@127.0.0.1:<p>/wpsnap", "port": <p>, "pid": <postmaster>,
                   "data_dir": ..., "bindir": ..., "log": ..., "run_as": "postgres" | null,
                   "restart": [<argv that restarts it: pg_ctl -D ... -m fast restart, as run_as>],
                   "stop": [<argv>], "start": [<argv>]},
      "gunicorn": {"pid": <master>, "workers": [<pids at start; the master replaces a killed one: read
                   /proc/<master>/task/<master>/children for the current ones>], "socket": ...,
                   "config": "deploy/gunicorn.conf.py", "worker_class": ..., "workers_count": ...,
                   "threads": ..., "log": ..., "access_log": ...},
      "worker": {"pid": <db_worker; rewritten when it is started again>, "log": ..., "restarts": <n>},
      "nginx": {"pid": <master>, "conf": ..., "error_log": ..., "access_log": ...},
      "started_at": "<ISO time>", "ready_seconds": <s>
    }
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import runpy
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - the demo's, as `make run` prints it
PLAN_FILE = ROOT / "plans" / "az-2020-2023.yaml"
DEFAULT_STATE = ROOT / "var" / "serve-production" / "state.json"
# The largest upload (WPSNAP_REGISTRY_FILE_MAX_BYTES, 200 MB) plus the app's 64 kB envelope, rounded up.
MAX_BODY = "201m"
NGINX = os.environ.get("NGINX", "/usr/sbin/nginx")
# Settings PostgreSQL loads the data with, reset before serving.
LOAD_SETTINGS = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}


def log(message: str) -> None:
    print(f"[serve-production] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def render(template: str, values: dict[str, str]) -> str:
    """``${NAME}`` replaced for the names in ``values`` only (as ``envsubst '${NAME} ...'`` does), so that
    nginx's own variables ($host, $uri) stay. A ``${WPSNAP_...}`` left unreplaced is an error."""
    text = re.sub(r"\$\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), template)
    left = sorted(set(re.findall(r"\$\{(WPSNAP_\w+)\}", text)))
    if left:
        raise ValueError(f"no value for {', '.join(left)}")
    return text


class Stack:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.base = Path(tempfile.mkdtemp(prefix="wpsnap-serve."))
        self.base.chmod(0o755)
        self.state_file = Path(args.state_file).resolve()
        self.ready_file = Path(args.ready_file).resolve() if args.ready_file else None
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.pg: dict[str, Any] = {}
        self.pg_kill: list[str] = []
        self.env: dict[str, str] = {}
        self.worker_restarts = 0
        self.started = time.monotonic()
        self.state: dict[str, Any] = {}
        self.stopping = False
        for sub in ("var", "run", "log", "nginx/tmp", "tls"):
            (self.base / sub).mkdir(parents=True, exist_ok=True)

    # --- PostgreSQL -------------------------------------------------------------------------------

    def start_postgres(self) -> None:
        bindir = ""
        candidates = [
            os.environ.get("PG_BINDIR", ""),
            *sorted(map(str, Path("/usr/lib/postgresql").glob("*/bin"))),
        ]
        for d in candidates:
            if d and os.access(f"{d}/initdb", os.X_OK) and os.access(f"{d}/pg_ctl", os.X_OK):
                bindir = d
        if not bindir:
            raise MissingBinary(
                "no PostgreSQL server binaries (initdb, pg_ctl); install the 'postgresql' package"
            )
        pgdir = self.base / "pg"
        pgdir.mkdir()
        as_pg: list[str] = []
        run_as = None
        if os.geteuid() == 0:
            shutil.chown(pgdir, "postgres")
            as_pg = ["runuser", "-u", "postgres", "--"]
            run_as = "postgres"
        data = pgdir / "data"
        port = free_port()
        server_log = pgdir / "server.log"
        options = f"-c listen_addresses={HOST} -p {port} -k {pgdir}"
        initdb = [*as_pg, f"{bindir}/initdb", "-D", str(data), "-U", "wpsnap", "--auth=trust", "-E", "UTF8"]
        self.run([*initdb, "--locale=C.UTF-8"], "initdb")
        pg_ctl = [*as_pg, f"{bindir}/pg_ctl", "-D", str(data), "-l", str(server_log), "-w", "-o", options]
        start = [*pg_ctl, "start"]
        self.run(start, "pg_ctl start")
        dsn = f"postgres://wpsnap@{HOST}:{port}/wpsnap"
        self.pg = {
            "dsn": dsn,
            "port": port,
            "data_dir": str(data),
            "bindir": bindir,
            "log": str(server_log),
            "run_as": run_as,
            "start": start,
            "restart": [*pg_ctl, "-m", "fast", "restart"],
            "stop": [*as_pg, f"{bindir}/pg_ctl", "-D", str(data), "-m", "fast", "-w", "stop"],
        }
        self.pg_kill = [*as_pg, f"{bindir}/pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop"]
        self.run(
            [*as_pg, f"{bindir}/createdb", "-h", HOST, "-p", str(port), "-U", "wpsnap", "wpsnap"], "createdb"
        )
        self.psql(
            *(f"ALTER SYSTEM SET {k} = {v}" for k, v in LOAD_SETTINGS.items()), "SELECT pg_reload_conf()"
        )
        log(f"PostgreSQL on {HOST}:{port} ({bindir})")

    def psql(self, *statements: str) -> None:
        for statement in statements:
            self.run(
                [
                    f"{self.pg['bindir']}/psql",
                    "-X",
                    "-q",
                    "-v",
                    "ON_ERROR_STOP=1",
                    self.pg["dsn"],
                    "-c",
                    statement,
                ],
                "psql",
            )

    def postmaster_pid(self) -> int | None:
        try:
            return int((Path(self.pg["data_dir"]) / "postmaster.pid").read_text().split("\n", 1)[0])
        except (OSError, ValueError, KeyError):
            return None

    # --- the app ------------------------------------------------------------------------------------

    def app_env(self) -> dict[str, str]:
        args = self.args
        env = {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DATABASE_URL": self.pg["dsn"],
            "ALLOWED_HOSTS": f"{HOST},localhost",
            "WPSNAP_VAR_DIR": str(self.base / "var"),
            "WPSNAP_TRUSTED_PROXIES": "unix",
            # Nothing leaves the machine: invitations stay in the process that wrote them.
            "WPSNAP_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "WPSNAP_ALLOW_DEMO": "1" if args.data != "empty" else "0",
            "LOG_LEVEL": os.environ.get("LOG_LEVEL", "INFO"),
            "WPSNAP_GUNICORN_BIND": f"unix:{self.base / 'run' / 'gunicorn.sock'}",
            "WPSNAP_GUNICORN_ACCESS_LOG": str(self.base / "log" / "gunicorn-access.log"),
            "WPSNAP_GUNICORN_WORKER_CLASS": args.worker_class
            or os.environ.get("WPSNAP_GUNICORN_WORKER_CLASS", ""),
            "WPSNAP_GUNICORN_WORKERS": str(args.workers or os.environ.get("WPSNAP_GUNICORN_WORKERS", "")),
            "WPSNAP_GUNICORN_THREADS": str(args.threads or os.environ.get("WPSNAP_GUNICORN_THREADS", "")),
        }
        # Unset: gunicorn.conf.py's measured defaults.
        return {k: v for k, v in env.items() if v}

    def wpsnap(self, *argv: str) -> None:
        self.run([str(BIN / "wpsnap"), *argv], f"wpsnap {argv[0]} {argv[1] if len(argv) > 1 else ''}".strip())

    def prepare(self) -> None:
        started = time.monotonic()
        self.wpsnap("migrate", "--noinput", "-v", "0")
        self.collect_static()
        self.compile_messages()
        self.wpsnap("plan", "load", str(PLAN_FILE))
        if self.args.data == "demo":
            self.wpsnap("demo", "load", "--password", DEMO_PASSWORD)
        elif self.args.data == "national":
            self.wpsnap("demo", "generate", "--scale", "national")
        self.wpsnap("uploads", "sweep")
        self.wpsnap("jobs", "sweep")
        self.psql(*(f"ALTER SYSTEM RESET {k}" for k in LOAD_SETTINGS), "SELECT pg_reload_conf()", "ANALYZE")
        log(f"database ready ({self.args.data}) in {time.monotonic() - started:.0f}s")

    def collect_static(self) -> None:
        """STATIC_ROOT, collected once per version of the static files and kept in var/serve-production/
        (collectstatic compresses every file: about a minute on a busy machine), linked from here."""
        sources = sorted(p for p in (ROOT / "wpsnap").rglob("*") if "static" in p.parts and p.is_file())
        site = Path(sys.prefix) / "lib"
        digest = hashlib.sha256(str(site.stat().st_mtime_ns).encode())
        for path in sources:
            info = path.stat()
            digest.update(f"{path.relative_to(ROOT)} {info.st_size} {info.st_mtime_ns}\n".encode())
        cache = DEFAULT_STATE.parent / f"static-{digest.hexdigest()[:16]}"
        cache.parent.mkdir(parents=True, exist_ok=True)
        if not cache.is_dir():
            scratch = Path(tempfile.mkdtemp(prefix="static.", dir=DEFAULT_STATE.parent))
            env = {**self.env, "WPSNAP_VAR_DIR": str(scratch)}
            result = subprocess.run(
                [str(BIN / "wpsnap"), "collectstatic", "--noinput", "-v", "0"],
                cwd=ROOT,
                env={**os.environ, **env},
                capture_output=True,
                check=False,
            )
            if result.returncode != 0:
                shutil.rmtree(scratch, ignore_errors=True)
                raise RuntimeError(f"collectstatic failed: {result.stderr.decode(errors='replace')[-3000:]}")
            # OSError: another run collected the same files at the same time.
            with contextlib.suppress(OSError):
                (scratch / "static").rename(cache)
            shutil.rmtree(scratch, ignore_errors=True)
        static = self.base / "var" / "static"
        shutil.rmtree(static, ignore_errors=True)
        static.symlink_to(cache, target_is_directory=True)

    def compile_messages(self) -> None:
        """The catalogues compiled, when a .po is newer than its .mo (as `make run` does; .mo files are
        built, never committed) and msgfmt is there."""
        stale = [
            po
            for po in (ROOT / "wpsnap" / "locale").glob("*/LC_MESSAGES/*.po")
            if not po.with_suffix(".mo").exists()
            or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime
        ]
        if stale and shutil.which("msgfmt"):
            self.run(
                [str(BIN / "wpsnap"), "compilemessages", "-v", "0"], "compilemessages", cwd=ROOT / "wpsnap"
            )

    def start_gunicorn(self) -> None:
        out = (self.base / "log" / "gunicorn.log").open("ab")
        command = [str(BIN / "gunicorn"), "-c", str(DEPLOY / "gunicorn.conf.py"), "config.wsgi:application"]
        self.procs["gunicorn"] = self.spawn(command, out)

    def start_worker(self) -> None:
        out = (self.base / "log" / "worker.log").open("ab")
        command = [str(BIN / "wpsnap"), "db_worker", "--no-reload", "--queue-name", "default"]
        self.procs["worker"] = self.spawn(command, out)

    def spawn(self, command: list[str], out: Any) -> subprocess.Popen[bytes]:
        # A session of its own: Ctrl-C reaches this supervisor only, which stops everything in order.
        return subprocess.Popen(
            command, cwd=ROOT, env={**os.environ, **self.env}, stdout=out, stderr=out, start_new_session=True
        )

    # --- nginx ----------------------------------------------------------------------------------------

    def start_nginx(self) -> None:
        if not os.access(NGINX, os.X_OK):
            raise MissingBinary(f"no nginx at {NGINX}; install Debian's 'nginx' package (or set NGINX)")
        tls = self.base / "tls"
        self.run(
            [
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "7",
                "-subj",
                f"/CN={HOST}",
                "-addext",
                f"subjectAltName=IP:{HOST},DNS:localhost",
                "-keyout",
                str(tls / "key.pem"),
                "-out",
                str(tls / "cert.pem"),
            ],
            "openssl",
        )
        ndir = self.base / "nginx"
        for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (ndir / "tmp" / sub).mkdir(parents=True, exist_ok=True)
        values = {
            "WPSNAP_SERVER_NAME": f"{HOST} localhost",
            "WPSNAP_LISTEN_HTTP": f"{HOST}:{self.http_port}",
            "WPSNAP_LISTEN_HTTPS": f"{HOST}:{self.port}",
            "WPSNAP_UPSTREAM_SERVERS": f"server unix:{self.base / 'run' / 'gunicorn.sock'} fail_timeout=0;",
            "WPSNAP_STATIC_ROOT": str(self.base / "var" / "static"),
            "WPSNAP_MAX_BODY": MAX_BODY,
            "WPSNAP_TLS_CERT": str(tls / "cert.pem"),
            "WPSNAP_TLS_KEY": str(tls / "key.pem"),
            "WPSNAP_ACCESS_LOG": str(ndir / "access.log"),
            "WPSNAP_NGINX_DIR": str(ndir),
            "WPSNAP_PUBLIC_CACHE_DIR": str(ndir / "cache"),
            "WPSNAP_PUBLIC_CACHE_VALID": os.environ.get("WPSNAP_PUBLIC_CACHE_VALID", "30s"),
            "WPSNAP_HTTPS_ORIGIN": f"https://$host:{self.port}",
            # Run by root, its workers stay root: they read STATIC_ROOT and the socket in this private
            # directory (a real server runs them as www-data, docs/operations/deploy.md).
            "WPSNAP_NGINX_USER": "user root root;" if os.geteuid() == 0 else "",
        }
        site = render((DEPLOY / "nginx" / "wpsnap.conf.template").read_text(), values)
        (ndir / "wpsnap.conf").write_text(site)
        main = render((DEPLOY / "nginx" / "standalone.conf.template").read_text(), values)
        (ndir / "nginx.conf").write_text(main)
        base_cmd = [NGINX, "-p", str(ndir), "-c", str(ndir / "nginx.conf"), "-e", str(ndir / "error.log")]
        self.run([*base_cmd, "-t", "-q"], "nginx -t")
        out = (self.base / "log" / "nginx.log").open("ab")
        self.procs["nginx"] = self.spawn([*base_cmd, "-g", "daemon off;"], out)

    # --- running ------------------------------------------------------------------------------------

    def run(self, command: list[str], what: str, cwd: Path = ROOT) -> None:
        result = subprocess.run(
            command, cwd=cwd, env={**os.environ, **self.env}, capture_output=True, check=False
        )
        if result.returncode != 0:
            output = (result.stdout + result.stderr).decode(errors="replace")[-4000:]
            raise RuntimeError(f"{what} failed ({result.returncode}):\n{output}")

    def wait_ready(self, timeout: float = 120) -> None:
        context = ssl.create_default_context(cafile=str(self.base / "tls" / "cert.pem"))
        url = f"https://{HOST}:{self.port}/healthz"
        deadline = time.monotonic() + timeout
        last = ""
        while time.monotonic() < deadline:
            for name in ("gunicorn", "nginx"):
                if self.procs[name].poll() is not None:
                    raise RuntimeError(f"{name} stopped at start-up: see {self.base / 'log'}")
            try:
                with urllib.request.urlopen(url, context=context, timeout=5) as answer:
                    if answer.status == 200:
                        return
            except urllib.error.HTTPError as error:
                # 503 names the problem, e.g. a migration added to the checkout after `migrate` ran.
                last = f"{error.code} {error.read()[:500].decode(errors='replace')}"
            except (urllib.error.URLError, OSError) as error:
                last = str(error)
            time.sleep(0.3)
        raise RuntimeError(f"/healthz did not answer 200 through nginx within {timeout:.0f}s ({last})")

    def children(self, pid: int) -> list[int]:
        try:
            return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        except OSError:
            return []

    def write_state(self) -> None:
        workers = self.children(self.procs["gunicorn"].pid)
        # What gunicorn runs with: its config file read with the same environment.
        saved = dict(os.environ)
        os.environ.update(self.env)
        try:
            conf = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
        finally:
            os.environ.clear()
            os.environ.update(saved)
        self.state = {
            "pid": os.getpid(),
            "url": f"https://{HOST}:{self.port}/",
            "port": self.port,
            "http_url": f"http://{HOST}:{self.http_port}/",
            "http_port": self.http_port,
            "ca_file": str(self.base / "tls" / "cert.pem"),
            "data": self.args.data,
            "demo_password": DEMO_PASSWORD if self.args.data == "demo" else None,
            "base": str(self.base),
            "env": self.env,
            "postgres": {**self.pg, "pid": self.postmaster_pid()},
            "gunicorn": {
                "pid": self.procs["gunicorn"].pid,
                "workers": workers,
                "socket": str(self.base / "run" / "gunicorn.sock"),
                "config": str(DEPLOY / "gunicorn.conf.py"),
                "worker_class": conf["worker_class"],
                "workers_count": len(workers),
                "threads": conf["threads"],
                "log": str(self.base / "log" / "gunicorn.log"),
                "access_log": str(self.base / "log" / "gunicorn-access.log"),
            },
            "worker": {
                "pid": self.procs["worker"].pid,
                "log": str(self.base / "log" / "worker.log"),
                "restarts": self.worker_restarts,
            },
            "nginx": {
                "pid": self.procs["nginx"].pid,
                "conf": str(self.base / "nginx" / "nginx.conf"),
                "error_log": str(self.base / "nginx" / "error.log"),
                "access_log": str(self.base / "nginx" / "access.log"),
            },
            "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "ready_seconds": round(time.monotonic() - self.started, 1),
        }
        self._write_json(self.state_file)
        if self.ready_file:
            self._write_json(self.ready_file)

    def _write_json(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}")
        temporary.write_text(json.dumps(self.state, indent=2) + "\n")
        temporary.replace(path)

    def start(self) -> None:
        self.port = self.args.port or free_port()
        self.http_port = self.args.http_port or free_port()
        self.start_postgres()
        self.env = self.app_env()
        self.prepare()
        self.start_gunicorn()
        self.start_worker()
        self.start_nginx()
        self.wait_ready()
        self.write_state()
        workers = self.state["gunicorn"]["workers"]
        print(
            f"wpsnap (production settings) at {self.state['url']} (self-signed: {self.state['ca_file']})\n"
            f"  plain HTTP (redirects): {self.state['http_url']}\n"
            f"  PostgreSQL: {self.pg['dsn']} (pid {self.state['postgres']['pid']})\n"
            f"  gunicorn pid {self.procs['gunicorn'].pid} (workers {workers}), "
            f"task worker pid {self.procs['worker'].pid}, nginx pid {self.procs['nginx'].pid}\n"
            f"  data: {self.args.data}"
            + (f" (demo password {DEMO_PASSWORD})" if self.args.data == "demo" else "")
            + f"\n  state: {self.state_file}; logs: {self.base / 'log'}, {self.base / 'nginx'}\n"
            "  Ctrl-C stops everything.",
            flush=True,
        )

    def watch(self) -> int:
        while not self.stopping:
            time.sleep(0.5)
            for name in ("gunicorn", "nginx"):
                if not self.stopping and self.procs[name].poll() is not None:
                    log(f"{name} stopped (status {self.procs[name].returncode}); stopping the rest")
                    return 1
            worker = self.procs["worker"]
            if not self.stopping and worker.poll() is not None:
                self.worker_restarts += 1
                log(f"the task worker stopped (status {worker.returncode}); starting it again")
                self.start_worker()
                self.state["worker"] = {**self.state["worker"], "pid": self.procs["worker"].pid}
                self.state["worker"]["restarts"] = self.worker_restarts
                self._write_json(self.state_file)
                if self.ready_file:
                    self._write_json(self.ready_file)
        return 0

    def stop(self) -> None:
        self.stopping = True
        # nginx first (no new requests), then the app, the worker (its job finishes or is failed), PostgreSQL.
        for name, sig, grace in (
            ("nginx", signal.SIGQUIT, 10),
            ("gunicorn", signal.SIGTERM, 35),
            ("worker", signal.SIGTERM, 30),
        ):
            proc = self.procs.get(name)
            if proc is None or proc.poll() is not None:
                continue
            began = time.monotonic()
            try:
                proc.send_signal(sig)
                proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            # Anything the process left in its session (a gunicorn worker whose master was killed).
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            log(f"{name} stopped in {time.monotonic() - began:.1f}s")
        if self.pg:
            subprocess.run(self.pg["stop"], capture_output=True, check=False)
            if self.postmaster_pid():
                subprocess.run(self.pg_kill, capture_output=True, check=False)
        for path in (self.state_file, self.ready_file):
            if path is not None and path.exists():
                try:
                    if json.loads(path.read_text()).get("pid") == os.getpid():
                        path.unlink()
                except (OSError, ValueError):
                    pass
        shutil.rmtree(self.base, ignore_errors=True)


class MissingBinary(RuntimeError):
    pass


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="scripts/serve-production",
        description="Start wpsnap's production stack on loopback (PostgreSQL, gunicorn, the task worker, nginx).",
    )
    parser.add_argument("--port", type=int, default=0, help="nginx's HTTPS port (default: a free one)")
    parser.add_argument(
        "--http-port", type=int, default=0, help="nginx's plain HTTP port (default: a free one)"
    )
    parser.add_argument("--data", choices=["demo", "national", "empty"], default="demo")
    parser.add_argument("--state-file", default=str(DEFAULT_STATE))
    parser.add_argument("--ready-file", default="", help="also write the state here once ready")
    parser.add_argument(
        "--workers", type=int, default=0, help="gunicorn workers (default: gunicorn.conf.py's)"
    )
    parser.add_argument("--threads", type=int, default=0, help="threads per worker (gthread)")
    parser.add_argument("--worker-class", default="", choices=["", "sync", "gthread"])
    return parser.parse_args(argv)


class NotReady(RuntimeError):
    """The stack started by ``start_in_background`` stopped, or was not ready in time (its log's end)."""


def start_in_background(
    folder: Path, *, data: str = "empty", options: tuple[str, ...] = (), timeout: float = 900
) -> tuple[subprocess.Popen[bytes], dict[str, Any]]:
    """For the benchmarks and tests that need the stack: ``scripts/serve-production --data DATA`` started
    in its own session (its state file, ready file and log, ``serve-production.log``, in ``folder``),
    with its own settings and database whatever the caller runs under. Returns the process and the state
    once the stack answers; raises ``NotReady`` (after stopping what it started) if it does not within
    ``timeout`` seconds. Stop it with ``stop_background``."""
    folder.mkdir(parents=True, exist_ok=True)
    state_file, ready_file, log_path = (
        folder / "state.json",
        folder / "ready.json",
        folder / "serve-production.log",
    )
    with log_path.open("wb") as out:
        process = subprocess.Popen(
            [
                str(ROOT / "scripts" / "serve-production"),
                "--data",
                data,
                "--state-file",
                str(state_file),
                "--ready-file",
                str(ready_file),
                *options,
            ],
            cwd=ROOT,
            env={
                name: value
                for name, value in os.environ.items()
                if name not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "WPSNAP_VAR_DIR")
            },
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + timeout
    while not ready_file.exists():
        stopped = process.poll() is not None
        if stopped or time.monotonic() > deadline:
            stop_background(process)
            why = f"stopped ({process.returncode})" if stopped else f"not ready within {timeout:.0f} s"
            raise NotReady(f"serve-production {why}: {log_path.read_text(errors='replace')[-3000:]}")
        time.sleep(0.5)
    return process, json.loads(ready_file.read_text())


def stop_background(process: subprocess.Popen[bytes]) -> None:
    """Stop a stack ``start_in_background`` started (SIGTERM; what is left after 2 minutes is killed)."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=120)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    stack = Stack(args)

    def on_signal(signum: int, _frame: Any) -> None:
        if not stack.stopping:
            stack.stopping = True
            raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    status = 0
    try:
        stack.start()
        status = stack.watch()
    except KeyboardInterrupt:
        status = 0
    except MissingBinary as error:
        log(str(error))
        status = 3
    except Exception as error:
        log(f"failed: {error}")
        status = 1
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        log("stopping")
        stack.stop()
        log("stopped")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
