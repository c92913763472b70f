"""The portal's static build (``wpsnap portal build OUTDIR``, docs/static-build.md): the public portal
rendered to files that any web server, a CDN sub-path or ``file://`` can serve, complete or not written,
and stored as a release (``publishing.releases``).

The builder knows no page of its own: it starts at ``/<lang>/`` for each language, renders each page in
process as an anonymous visitor (Django's test ``Client``: the same views, gate and templates as the live
site), and follows every link within the portal's language prefixes, ``/static/`` and the public downloads
under ``/exports/open/`` (the open data, and the annual reports a coordinator put on the portal). Each page is written as ``<path>/index.html``, each file by its name, the static
files the pages (and their style sheets) use are copied, and every site-absolute link is rewritten to a
relative one (pointing at ``index.html`` itself, as ``file://`` needs). Forms need a server: each is
removed, and a search form is replaced by a note that search works on the live site.

Any page answering other than 200 (or a redirect within the portal) aborts the build naming the URL, and
nothing is written: the build goes to a temporary folder beside OUTDIR, renamed into place at the end.
"""

from __future__ import annotations

import hashlib
import html
import json
import mimetypes
import os
import posixpath
import re
import shutil
import tempfile
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote, unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import transaction
from django.http.request import validate_host
from django.template.loader import render_to_string
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext as _

from wpsnap.accounts import permissions
from wpsnap.core.errors import WpsnapError
from wpsnap.plan.models import Plan, PlanStatus
from wpsnap.publishing.models import Release
from wpsnap.publishing.public import public_results
from wpsnap.publishing.releases import latest_release, release_create
from wpsnap.publishing.report_files import live_report_files

# Paths outside the language prefixes that the build follows.
DOWNLOADS = "/exports/open/"
# The release's files in the build: the machine-readable one at the root, the page in each language.
RELEASE_JSON = "release.json"
RELEASE_PAGE = "release-notes/index.html"

# Attributes that hold a URL: href, src, action, poster, and data-*-url/-src/-href (scripts' sources).
_ATTRIBUTE = re.compile(
    r"""(?P<before>\s(?:href|src|action|poster|data-[a-z0-9-]*(?:url|src|href))\s*=\s*)"""
    r"""(?P<quote>["'])(?P<url>[^"']*)(?P=quote)""",
    re.IGNORECASE,
)
_CSS_URL = re.compile(r"""url\(\s*(?P<quote>["']?)(?P<url>[^"')]+)(?P=quote)\s*\)""")
_FORM = re.compile(r"<form\b(?P<attributes>[^>]*)>(?P<body>.*?)</form\s*>", re.IGNORECASE | re.DOTALL)
_FILENAME = re.compile(r"""filename\*?=(?:UTF-8'')?"?(?P<name>[^";]+)"?""", re.IGNORECASE)
_NOT_FOLLOWED = ("#", "mailto:", "tel:", "javascript:", "data:")


class BuildError(WpsnapError):
    """The build stopped: nothing was written (the message says why, naming the URL)."""


@dataclass
class Resource:
    """One fetched URL: where it is written in the build and what it holds."""

    key: str  # the path, with "?query" when it has one
    file: str  # the path in the build, relative, "/"-separated
    content: bytes = b""
    kind: str = "file"  # "html", "css", "file", or "redirect" (``content`` then the target's key)
    referrer: str = ""


@dataclass
class BuildResult:
    outdir: Path
    releases: list[Release]
    pages: int
    files: int
    seconds: float
    warnings: list[str] = field(default_factory=list)


def portal_build(
    *,
    outdir: Path | str,
    languages: Iterable[str] | None = None,
    plan: Plan | None = None,
    notes: str = "",
    user: Any = None,
    start: Iterable[str] | None = None,
) -> BuildResult:
    """Build the public portal into ``outdir`` in ``languages`` (default: every language of the site) and
    store the release of ``plan`` (default: the one plan that is public). ``start``: the paths the crawl
    starts from (default ``/<lang>/`` for each language). ``outdir`` must not exist, be empty, or hold an
    earlier build (its ``release.json``), which is replaced whole. Raises ``BuildError`` (nothing written,
    no release stored) when a page answers other than 200 or the figures changed while it was built."""
    began = time.monotonic()
    known = [code for code, _name in settings.LANGUAGES]
    chosen = list(dict.fromkeys(languages or known))
    unknown = [code for code in chosen if code not in known]
    if unknown or not chosen:
        raise BuildError(
            _("Unknown language %(codes)s: choose from %(known)s.")
            % {"codes": ", ".join(unknown) or "-", "known": ", ".join(known)}
        )
    plan = plan or _the_public_plan()
    if user is not None and not permissions.can(user, "publishing.release", plan):
        # Before the crawl, and outside the build's transaction, so that the refusal stays in the audit.
        permissions.refuse(None, "publishing.release", plan)
    if plan.status == PlanStatus.DRAFT:
        raise BuildError(_("The plan %(slug)s is a draft: it is not public.") % {"slug": plan.slug})
    target = Path(outdir).absolute()
    _check_target(target)
    target.parent.mkdir(parents=True, exist_ok=True)

    last = latest_release(plan)
    figures = public_results(plan)  # the latest release held as known, as every page's figures are
    report_files = _report_files(plan)
    crawler = _Crawler(chosen)
    crawler.crawl(start or [f"/{code}/" for code in chosen])
    if public_results(plan) != figures:
        raise BuildError(_("Figures were published or taken down during the build: build again."))
    if _report_files(plan) != report_files:
        raise BuildError(_("A report was put on the portal or taken off during the build: build again."))

    temporary = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent))
    try:
        crawler.write(temporary)
        with transaction.atomic():
            release = release_create(
                plan=plan,
                notes=notes,
                languages=chosen,
                user=user,
                results=figures,
                after=last.number if last is not None else 0,
            )
            _write_release(temporary, release, crawler, chosen)
            _fsync_tree(temporary)
            _swap(temporary, target)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    warnings = [
        _("Published earlier while small (suppressed now, but known): %(indicator)s, %(period)s: %(cells)s.")
        % {"indicator": entry["indicator"], "period": entry["period"], "cells": ", ".join(entry["cells"])}
        for entry in release.changes.get("exposed", [])
    ]
    return BuildResult(
        target,
        [release],
        pages=sum(r.kind == "html" for r in crawler.resources.values()),
        files=sum(r.kind in ("file", "css") for r in crawler.resources.values()),
        seconds=time.monotonic() - began,
        warnings=warnings,
    )


def _report_files(plan: Plan) -> list[tuple[int, str]]:
    """The annual reports on the portal (``publishing.report_files``), which the pages link and the build
    copies like any download: the same before and after the crawl, or the build is not written."""
    return [(file.pk, file.sha256) for file in live_report_files(plan)]


def _the_public_plan() -> Plan:
    plans = list(Plan.objects.exclude(status=PlanStatus.DRAFT).order_by("slug"))
    if len(plans) == 1:
        return plans[0]
    if not plans:
        raise BuildError(_("No plan is public yet: there is nothing to build."))
    raise BuildError(
        _("Several plans are public: name one with --plan (%(slugs)s).")
        % {"slugs": ", ".join(p.slug for p in plans)}
    )


def _check_target(target: Path) -> None:
    if target.exists() and not target.is_dir():
        raise BuildError(_("%(path)s is a file: name a folder.") % {"path": target})
    if target.is_dir() and any(target.iterdir()) and not (target / RELEASE_JSON).is_file():
        raise BuildError(
            _(
                "%(path)s holds files that are not an earlier build of the portal: choose a new or empty "
                "folder."
            )
            % {"path": target}
        )


class _Crawler:
    def __init__(self, languages: list[str]) -> None:
        self.languages = languages
        self.host = _host()
        self.secure = bool(getattr(settings, "SECURE_SSL_REDIRECT", False))
        self.client = Client(raise_request_exception=False, HTTP_HOST=self.host)
        self.static_url = settings.STATIC_URL if str(settings.STATIC_URL).startswith("/") else None
        self.resources: dict[str, Resource] = {}
        self.stylesheets: dict[str, list[str]] = {}  # each language's home page's style sheets

    # --- which URLs -------------------------------------------------------------------------------------

    def resolve(self, url: str, base: str) -> tuple[str, str] | None:
        """The key (path with query) and fragment of ``url`` met on the page ``base``, or None when the
        build does not follow it (another site, another language, a staff page)."""
        url = html.unescape(url).strip()
        if not url or url.startswith(_NOT_FOLLOWED):
            return None
        parts = urlsplit(urljoin(f"http://{self.host}{base}", url))
        if parts.scheme not in ("http", "https") or parts.netloc not in (self.host, ""):
            return None
        if not self.followed(parts.path):
            return None
        key = parts.path + (f"?{parts.query}" if parts.query else "")
        return key, parts.fragment

    def followed(self, path: str) -> bool:
        if path == "/":
            return True
        if any(path.startswith(f"/{code}/") for code in self.languages):
            return True
        if self.static_url and path.startswith(self.static_url):
            return True
        return path.startswith(DOWNLOADS)

    # --- fetching ---------------------------------------------------------------------------------------

    def crawl(self, start: Iterable[str]) -> None:
        queue: deque[tuple[str, str]] = deque((path, "") for path in start)
        queued = {path for path, _referrer in queue}
        # "/" is the build's own root page (to the first language), not the site's.
        queued.add("/")
        self.resources["/"] = Resource("/", "index.html", kind="root")
        while queue:
            key, referrer = queue.popleft()
            resource = self.fetch(key, referrer)
            self.resources[key] = resource
            for found in self.links(resource):
                if found not in queued:
                    queued.add(found)
                    queue.append((found, key))

    def fetch(self, key: str, referrer: str) -> Resource:
        path, _sep, query = key.partition("?")
        if self.static_url and path.startswith(self.static_url):
            return self.fetch_static(key, path, referrer)
        response = self.client.get(key, secure=self.secure)
        # Read the whole body whatever the status: the test client closes the response once it is read
        # (a streamed one when its iterator ends) without closing the database connection, which
        # ``close_old_connections`` would do on a close of ours (and end a transaction around the build).
        body = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]
        status = response.status_code
        if status in (301, 302, 303, 307, 308):
            resolved = self.resolve(response["Location"], path)
            if resolved is None:
                raise BuildError(self.failure(key, referrer, status))
            return Resource(key, _file_of(path, query, "text/html", ""), resolved[0].encode(), "redirect")
        if status != 200:
            raise BuildError(self.failure(key, referrer, status))
        content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
        kind = "html" if content_type == "text/html" else "css" if content_type == "text/css" else "file"
        filename = _filename(response.get("Content-Disposition", ""))
        return Resource(key, _file_of(path, query, content_type, filename), body, kind, referrer)

    def fetch_static(self, key: str, path: str, referrer: str) -> Resource:
        assert self.static_url is not None
        name = unquote(path[len(self.static_url) :])
        source = None
        if name and ".." not in PurePosixPath(name).parts:
            collected = Path(settings.STATIC_ROOT) / name if settings.STATIC_ROOT else None
            if collected is not None and collected.is_file():
                source = str(collected)
            else:
                found = finders.find(name)
                source = found if isinstance(found, str) else None
        if source is None:
            raise BuildError(self.failure(key, referrer, 404))
        content = Path(source).read_bytes()
        kind = "css" if name.endswith(".css") else "file"
        return Resource(key, _safe(path.lstrip("/")), content, kind, referrer)

    def failure(self, key: str, referrer: str, status: int) -> str:
        if referrer:
            return _("%(url)s (linked from %(page)s) answered %(status)d: nothing was written.") % {
                "url": key,
                "page": referrer,
                "status": status,
            }
        return _("%(url)s answered %(status)d: nothing was written.") % {"url": key, "status": status}

    def links(self, resource: Resource) -> list[str]:
        if resource.kind == "redirect":
            return [resource.content.decode()]
        if resource.kind not in ("html", "css"):
            return []
        text = resource.content.decode("utf-8", errors="replace")
        pattern = _ATTRIBUTE if resource.kind == "html" else _CSS_URL
        if resource.kind == "html":
            text = _FORM.sub("", text)  # forms are removed from the build: their actions are not followed
        found = []
        base = resource.key.partition("?")[0]
        for match in pattern.finditer(text):
            resolved = self.resolve(match.group("url"), base)
            if resolved is not None and resolved[0] != resource.key:
                found.append(resolved[0])
        if resource.kind == "html" and base.count("/") == 2 and base[1:-1] in self.languages:
            self.stylesheets[base[1:-1]] = [
                m.group("url")
                for m in _ATTRIBUTE.finditer(text)
                if m.group("url").endswith(".css") and "href" in m.group("before").lower()
            ]
        return found

    # --- writing ----------------------------------------------------------------------------------------

    def relative(self, url: str, page: Resource | str) -> str | None:
        """``url`` met on ``page`` as a link relative to the page's file, or None to leave it as it is."""
        base = page.key.partition("?")[0] if isinstance(page, Resource) else page
        file = page.file if isinstance(page, Resource) else _file_of(page, "", "text/html", "")
        resolved = self.resolve(url, base)
        if resolved is None:
            return None
        key, fragment = resolved
        target = self.resources.get(key)
        if target is None:
            return None
        link = quote(posixpath.relpath(target.file, posixpath.dirname(file) or "."), safe="/-._~")
        return link + (f"#{fragment}" if fragment else "")

    def rewrite(self, text: str, page: Resource | str, kind: str) -> str:
        def attribute(match: re.Match[str]) -> str:
            link = self.relative(match.group("url"), page)
            if link is None:
                return match.group(0)
            quote_mark = match.group("quote")
            return f"{match.group('before')}{quote_mark}{html.escape(link)}{quote_mark}"

        def css(match: re.Match[str]) -> str:
            link = self.relative(match.group("url"), page)
            return match.group(0) if link is None else f'url("{link}")'

        if kind == "css":
            return _CSS_URL.sub(css, text)
        text = _FORM.sub(_form_fallback, text)
        return _ATTRIBUTE.sub(attribute, text)

    def write(self, folder: Path) -> None:
        written: dict[str, str] = {}
        for resource in self.resources.values():
            if resource.kind == "root":
                continue
            if resource.file in written:
                raise BuildError(
                    _("%(first)s and %(second)s would both be written as %(file)s: nothing was written.")
                    % {"first": written[resource.file], "second": resource.key, "file": resource.file}
                )
            written[resource.file] = resource.key
            path = folder / resource.file
            path.parent.mkdir(parents=True, exist_ok=True)
            if resource.kind == "redirect":
                target = self.resources[resource.content.decode()]
                link = posixpath.relpath(target.file, posixpath.dirname(resource.file) or ".")
                path.write_text(_redirect_page(quote(link, safe="/-._~")), encoding="utf-8")
            elif resource.kind in ("html", "css"):
                text = resource.content.decode("utf-8", errors="replace")
                with translation.override(_language_of(resource.key, self.languages)):
                    path.write_text(self.rewrite(text, resource, resource.kind), encoding="utf-8")
            else:
                path.write_bytes(resource.content)
        first = "az" if "az" in self.languages else self.languages[0]
        home = self.resources.get(f"/{first}/")
        link = home.file if home is not None else f"{first}/index.html"
        (folder / "index.html").write_text(_redirect_page(quote(link, safe="/-._~")), encoding="utf-8")


def _host() -> str:
    """A host name the site accepts, for the in-process requests."""
    allowed = list(settings.ALLOWED_HOSTS) or ([".localhost", "127.0.0.1", "[::1]"] if settings.DEBUG else [])
    candidates = ["testserver", "localhost", *(h.lstrip(".") for h in allowed if h != "*")]
    for candidate in candidates:
        if candidate and validate_host(candidate, allowed):
            return candidate
    raise BuildError(_("ALLOWED_HOSTS accepts no host name the build can use: add localhost."))


def _filename(disposition: str) -> str:
    match = _FILENAME.search(disposition)
    return PurePosixPath(unquote(match.group("name"))).name if match else ""


def _safe(file: str) -> str:
    parts = PurePosixPath(file).parts
    if not parts or any(part in ("..", ".") or part.startswith("/") for part in parts):
        raise BuildError(_("%(path)s cannot be written as a file.") % {"path": file})
    return "/".join(parts)


def _file_of(path: str, query: str, content_type: str, filename: str) -> str:
    """Where a URL is written in the build: a page as ``<path>/index.html``, a file by its name (the
    download's own name when its path has none); a query string adds a short digest to the name."""
    relative = unquote(path).lstrip("/")
    last = relative.rpartition("/")[2]
    if content_type == "text/html":
        file = relative if last.endswith((".html", ".htm")) else posixpath.join(relative, "index.html")
    elif relative and not relative.endswith("/") and "." in last:
        file = relative
    else:
        extension = mimetypes.guess_extension(content_type) or ".bin"
        file = posixpath.join(relative, filename or f"index{extension}")
    if query:
        stem, dot, extension = file.rpartition(".")
        digest = hashlib.sha256(query.encode()).hexdigest()[:10]
        file = f"{stem}-{digest}.{extension}" if dot else f"{file}-{digest}"
    return _safe(file)


def _language_of(key: str, languages: list[str]) -> str:
    first = key.strip("/").partition("/")[0]
    return first if first in languages else settings.LANGUAGE_CODE


def _form_fallback(match: re.Match[str]) -> str:
    """A form needs the server: it is removed; a search form leaves a note in its place."""
    attributes, body = match.group("attributes").lower(), match.group("body").lower()
    if 'role="search"' in attributes or "search" in attributes or 'type="search"' in body:
        note = _("Search works on the live site only. In this copy, browse the plan or use the open data.")
        return f'<p class="static-build-note">{html.escape(note)}</p>'
    return ""


def _redirect_page(link: str) -> str:
    escaped = html.escape(link)
    return (
        '<!doctype html>\n<html><head><meta charset="utf-8">'
        f'<meta http-equiv="refresh" content="0; url={escaped}"><title>→</title></head>'
        f'<body><p><a href="{escaped}">{escaped}</a></p></body></html>\n'
    )


def _write_release(folder: Path, release: Release, crawler: _Crawler, languages: list[str]) -> None:
    """``release.json`` at the build's root and, in each language, the release notes page."""
    (folder / RELEASE_JSON).write_text(
        json.dumps(release_document(release), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    for code in languages:
        file = f"{code}/{RELEASE_PAGE}"
        if (folder / file).exists():
            raise BuildError(_("The portal has a page at %(path)s: nothing was written.") % {"path": file})
        with translation.override(code):
            page = render_to_string(
                "portal/static_release_notes.html",
                {
                    "lang": code,
                    "release": release,
                    "changes": _readable_changes(release.changes),
                    "stylesheets": crawler.stylesheets.get(code, []),
                    "home": f"/{code}/",
                },
            )
            text = crawler.rewrite(page, f"/{code}/release-notes/", "html")
        (folder / file).parent.mkdir(parents=True, exist_ok=True)
        (folder / file).write_text(text, encoding="utf-8")


def release_document(release: Release) -> dict[str, Any]:
    """What ``release.json`` says of a release: its number, date, who, notes, languages and changes."""
    return {
        "plan": release.plan.slug,
        "number": release.number,
        "date": release.created_at.astimezone(UTC).replace(microsecond=0).isoformat(),
        "made_by": release.made_by,
        "notes": release.notes,
        "languages": release.languages,
        "changes": release.changes,
    }


def _readable_changes(changes: dict[str, Any]) -> list[dict[str, Any]]:
    """Each period's changes with cells named for a reader ("sex: women, age: 18-24"; "" the total)."""
    rows = []
    for period in changes.get("periods", []):
        for kind in ("added", "changed", "withdrawn"):
            for entry in period[kind]:
                rows.append(
                    {
                        "indicator": period["indicator"],
                        "period": period["period"],
                        "kind": kind,
                        "cell": _cell_label(entry["cell"]),
                        "old": entry.get("old", ""),
                        "new": entry.get("new", entry.get("value", "")),
                    }
                )
    return rows


def _cell_label(cell: str) -> str:
    if not cell:
        return _("Total")
    return ", ".join(part.replace(":", ": ", 1) for part in cell.split("|"))


def _fsync_tree(folder: Path) -> None:
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            with path.open("rb") as handle:
                os.fsync(handle.fileno())
    _fsync_dir(folder)


def _fsync_dir(directory: Path) -> None:
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:  # a system that cannot open a folder
        return
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _swap(temporary: Path, target: Path) -> None:
    """Put the new build in place of ``target``: the old one renamed away, the new one renamed in, the old
    one removed. A reader sees the old build or the new one, apart from the instant between the renames."""
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
        old.rmdir()
        target.rename(old)
    try:
        temporary.rename(target)
    except BaseException:
        if old is not None:
            old.rename(target)
        raise
    _fsync_dir(target.parent)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
