"""The canary in the logs (issue 15, security row 15): recognisable fake names, phone numbers, e-mail
addresses and codes are seeded into the personal registries (women candidates, legal aid, peacebuilding
actors, gender officers), events' participants and people's accounts through the real services, API and
pages; the app is then exercised as its users and attackers would (lists, records, searches by POST,
exports, imports with errors in the canaries' rows, a background job, failed sign-ins with the canary as
user name, 400/403/404/409 answers). Every log record of every logger, at DEBUG level, is captured and
none may hold a canary (case-folded, or the phone's digits alone). The audit trail's lines about
beneficiaries (the registries' records and participants) hold none either: they name records by id.

Each test first shows that the canaries really went in (an answer or a file carries them), so a clean log
is not an empty one."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from random import Random
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from wpsnap.accounts import permissions
from wpsnap.core.models import AuditEvent
from wpsnap.registries.kinds import catalogue
from wpsnap.registries.kinds.services import record_create

from ..conftest import sign_in

pytestmark = pytest.mark.django_db

NAME = "Canarybəy Zzyzxova"
PHONE = "+994 55 123 98 76"
EMAIL = "canary.zzyzx@example.org"
CODE = "ZZYZX-9876"  # a legal-aid beneficiary's code (never a name there)
# What must never be found in a log line, case-folded: each canary's distinctive parts (a line that
# printed the name in capitals, a part of it or the e-mail's local part is caught too) ...
NEEDLES = ("canaryb", "zzyzx", "canary.zzyzx")
# ... and the phone number's digits, however they were spaced.
DIGITS = "551239876"


@dataclass
class Line:
    step: str
    logger: str
    level: str
    text: str


@dataclass
class Capture(logging.Handler):
    """Every record of every logger, formatted in full (message, exception and its traceback, and any
    extra attribute a structured formatter would write), labelled with the step that made it."""

    step: str = "setup"
    lines: list[Line] = field(default_factory=list)

    def __post_init__(self) -> None:
        logging.Handler.__init__(self, level=logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def __hash__(self) -> int:
        return id(self)

    def emit(self, record: logging.LogRecord) -> None:
        text = self.format(record)
        standard = logging.makeLogRecord({}).__dict__
        extras = {k: v for k, v in record.__dict__.items() if k not in standard and k != "message"}
        request = extras.pop("request", None)
        if request is not None:
            # What a structured formatter writes of a request: its path and method, never its body.
            extras["request"] = f"{getattr(request, 'method', '')} {getattr(request, 'path', '')}"
        if extras:
            text += " " + repr(extras)
        self.lines.append(Line(self.step, record.name, record.levelname, text))

    def leaks(self) -> list[Line]:
        return [line for line in self.lines if holds_canary(line.text)]


def holds_canary(text: str) -> bool:
    folded = text.casefold()
    return any(needle in folded for needle in NEEDLES) or DIGITS in re.sub(r"\D", "", text)


@pytest.fixture
def logs(settings) -> Iterator[Capture]:
    """A DEBUG handler on the root logger and on every logger that does not propagate to it (django.server,
    the task worker's...), every logger opened to DEBUG for the test (as ``LOG_LEVEL=DEBUG`` opens the
    root), except those the settings' LOGGING pins to a level of their own (django.db.backends, axes,
    django.template: what they would say at DEBUG is why they are pinned); put back as it was afterwards."""
    pinned = set(settings.LOGGING.get("loggers", {}))
    capture = Capture()
    manager = logging.Logger.manager
    loggers = [logging.getLogger()] + [
        logger for logger in list(manager.loggerDict.values()) if isinstance(logger, logging.Logger)
    ]
    # The loggers the brief names, made now if nothing has made them yet.
    for name in ("django.request", "django.security", "django.server", "axes", "gunicorn.error"):
        loggers.append(logging.getLogger(name))
    saved = [(logger, logger.level, logger.disabled) for logger in loggers]
    manager.disable_saved = logging.root.manager.disable  # type: ignore[attr-defined]
    logging.disable(logging.NOTSET)
    attached = []
    for logger in loggers:
        if logger.name not in pinned:
            logger.setLevel(logging.DEBUG)
        logger.disabled = False
        if logger is logging.getLogger() or not logger.propagate:
            logger.addHandler(capture)
            attached.append(logger)
    try:
        yield capture
    finally:
        for logger in attached:
            logger.removeHandler(capture)
        for logger, level, disabled in saved:
            logger.setLevel(level)
            logger.disabled = disabled
        logging.disable(manager.disable_saved)  # type: ignore[attr-defined]


def assert_no_leak(capture: Capture) -> None:
    leaks = capture.leaks()
    assert not leaks, "canaries in the logs:\n" + "\n".join(
        f"[{line.step}] {line.logger} {line.level}: {line.text[:400]}" for line in leaks
    )
    # The capture saw the app at work (the audit logger writes a line for every audited write).
    assert len(capture.lines) > 10, [line.text for line in capture.lines]


def assert_audit_clean(since: int) -> None:
    """The audit trail's lines since ``since`` name beneficiaries by id only: no canary in any of their
    texts (object label, changes, note, address)."""
    found = []
    for line in AuditEvent.objects.filter(pk__gt=since).order_by("pk"):
        texts = [line.object_label, repr(line.changes), line.note, line.path, line.object_id]
        if any(holds_canary(text) for text in texts):
            found.append(f"{line.action} {line.object_type} {line.object_id}: {texts}")
    assert not found, "canaries in the audit trail:\n" + "\n".join(found)


def _last_audit() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _kind(name: str) -> Any:
    found = catalogue.kind_named(name)
    assert found is not None, name
    return found


def _api_body(kind: Any, values: dict[str, str]) -> dict[str, Any]:
    """A file row's values as the API takes them: list columns as lists."""
    from wpsnap.registries.kinds.columns import file_columns
    from wpsnap.registries.kinds.serializers import LIST_TYPES

    lists = {c.header for c in file_columns(kind) if c.data_type in LIST_TYPES}
    return {
        header: [part.strip() for part in value.split(";") if part.strip()] if header in lists else value
        for header, value in values.items()
    }


def _csv(headers: list[str], rows: list[dict[str, str]]) -> bytes:
    import csv

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=headers, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


@pytest.fixture
def plan(az_plan):
    """The plan set up for reporting and events (periods, dimensions, districts)."""
    from wpsnap.registries.services.setup import events_setup, read_districts
    from wpsnap.reporting.services import reporting_setup

    from ..registries.conftest import DISTRICTS

    reporting_setup(plan=az_plan)
    events_setup(plan=az_plan, districts=read_districts(DISTRICTS))
    return az_plan


# --- the registries ------------------------------------------------------------------------------------

# Each personal registry: who records in it (role, organisation), and its canary values by header.
PERSONAL = {
    "candidates": (
        ("focal_point", "mia"),
        {"full_name": NAME, "contact": f"{PHONE}, {EMAIL}", "current_position": f"Aide to {NAME}"},
    ),
    "legal-aid": (("focal_point", "moj"), {"beneficiary_code": CODE}),
    "peacebuilding-actors": (
        ("focal_point", "mod"),
        {
            "actor_type": "individual",
            "name": NAME,
            "sex": "women",
            "contact": PHONE,
            "affiliation": EMAIL,
            "consent": "yes",
        },
    ),
    "gender-officers": (("focal_point", "mod"), {"name": NAME, "contact": f"{EMAIL} {PHONE}"}),
}


def test_the_detector_finds_every_variant(logs: Capture) -> None:
    """The capture sees a record of any logger at DEBUG, and the search finds the canaries however they
    were written; what is not a canary is not flagged."""
    for text in (NAME, NAME.upper(), "zzyzxova", PHONE, "994551239876", "+994-55-123-98-76", EMAIL, CODE):
        logging.getLogger("wpsnap.anything.new").debug("seen %s", text)
    assert len(logs.leaks()) == 8
    assert not holds_canary("audit create actor=12 candidates.candidate 345")


@pytest.mark.parametrize("name", sorted(PERSONAL))
def test_a_personal_registry_leaves_no_canary_in_the_logs(name: str, logs: Capture, plan, make_user) -> None:
    kind = _kind(name)
    (role, org), canary = PERSONAL[name]
    writer = make_user(role, org, f"writer-{org}")
    coordinator = make_user("coordinator", "scfwca", "coord")
    outsider = make_user("focal_point", "mlspp" if org != "mlspp" else "mod", "outsider")
    since = _last_audit()
    activity = kind.activity_codes[0] if kind.activity_codes else ""

    def values(seed: int, **more: str) -> dict[str, str]:
        return {**kind.examples(Random(seed)), "activities": activity, **canary, **more}

    logs.step = "service create"
    record = record_create(kind=kind, actor=writer, plan=plan, values=values(1))

    client = sign_in(Client(), writer)
    listing = reverse("registry_kinds:list", kwargs={"kind": name})
    detail = reverse("registry_kinds:detail", kwargs={"kind": name, "ref": record.ref})
    api = f"/api/v1/registries/{name}/"

    logs.step = "API create"
    made = client.post(api, _api_body(kind, values(2)), content_type="application/json")
    assert made.status_code == 201, made.content[:500]
    logs.step = "API create refused (400: unknown field, bad date)"
    bad = client.post(
        api,
        {**_api_body(kind, values(3)), "created_by": NAME, kind.columns[-1].header: "2021-02-30"},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert not holds_canary(bad.content.decode()), "a refusal echoes the person's data"

    logs.step = "pages: list, record, edit, search by POST"
    assert client.get(listing).status_code == 200
    page = client.get(detail)
    assert page.status_code == 200
    if "full_name" in canary or "name" in canary:
        assert NAME in page.content.decode()  # the canary really went in
    assert (
        client.get(reverse("registry_kinds:edit", kwargs={"kind": name, "ref": record.ref})).status_code
        == 200
    )
    assert client.post(f"{listing}?plan={plan.slug}", {"q": NAME}).status_code == 200
    assert client.post(f"{listing}?plan={plan.slug}", {"q": CODE}).status_code == 200

    logs.step = "API: list, record, search by POST"
    assert client.get(api).status_code == 200
    one = client.get(f"{api}{record.ref}/")
    assert one.status_code == 200 and holds_canary(one.content.decode())
    assert client.post(f"{api}search/", {"q": NAME}, content_type="application/json").status_code == 200
    assert client.post(f"{api}search/", {"q": PHONE}, content_type="application/json").status_code == 200

    logs.step = "API: 409 stale change, 428 without If-Match, 404"
    first_header = next(h for h in ("full_name", "name", "beneficiary_code") if h in canary)
    changed = canary[first_header] + ("0" if first_header == "beneficiary_code" else " II")
    seen = one.json()["version"]
    first = client.patch(
        f"{api}{record.ref}/",
        {first_header: changed},
        content_type="application/json",
        headers={"If-Match": f'"{seen}"'},
    )
    assert first.status_code == 200, first.content[:300]
    # the same field changed again from the version before: a conflict, refused with both values' names
    stale = client.patch(
        f"{api}{record.ref}/",
        {first_header: canary[first_header] + ("1" if first_header == "beneficiary_code" else " III")},
        content_type="application/json",
        headers={"If-Match": f'"{seen}"'},
    )
    assert stale.status_code == 409, stale.content[:300]
    unconditional = client.patch(
        f"{api}{record.ref}/", {first_header: changed}, content_type="application/json"
    )
    assert unconditional.status_code == 428
    assert client.get(f"{api}00000000-0000-0000-0000-000000000000/").status_code == 404

    logs.step = "another agency: 403/404"
    other = sign_in(Client(), outsider)
    # staff-wide registries show the record; the others hide it (404), or the whole registry (403)
    lists = permissions.can(outsider, kind.action("list"))
    reads = permissions.can(outsider, kind.action("view"), record)
    assert other.get(detail).status_code == (200 if reads else 404 if lists else 403)
    assert other.post(
        reverse("registry_kinds:edit", kwargs={"kind": name, "ref": record.ref}), values(1)
    ).status_code == (404 if lists and not reads else 403)
    searched = other.post(f"{api}search/", {"q": NAME}, content_type="application/json")
    assert searched.status_code == (200 if lists else 403)

    logs.step = "import with errors in the canaries' rows (API and page)"
    headers = list(values(4))
    broken = [values(4), {**values(5), "district": "nowhere-at-all"}, values(6, activities="9.9.9.9")]
    upload = io.BytesIO(_csv(headers, broken))
    upload.name = "rows.csv"
    refused = client.post(f"{api}import/?plan={plan.slug}", {"file": upload})
    assert refused.status_code == 400, refused.content[:300]
    assert not holds_canary(refused.content.decode()), "a row's error echoes the person's data"
    assert any(p["field"].startswith("rows[") for p in refused.json()["problems"]), refused.json()
    text = _csv(headers, broken).decode()
    assert (
        client.post(
            reverse("registry_kinds:import", kwargs={"kind": name}) + f"?plan={plan.slug}", {"text": text}
        ).status_code
        == 400
    )
    logs.step = "import that works"
    good = SimpleUploadedFile("rows.csv", _csv(headers, [values(7)]), "text/csv")
    assert client.post(f"{api}import/?plan={plan.slug}", {"file": good}).status_code == 201

    logs.step = "exports (coordinator)"
    boss = sign_in(Client(), coordinator)
    for fmt in ("csv", "xlsx"):
        exported = boss.get(f"/exports/registries/{name}/", {"plan": plan.slug, "format": fmt})
        assert exported.status_code == (200 if kind.export_people else 403), exported.status_code
    assert boss.get(listing).status_code == 200

    logs.step = "lifecycle: consent withdrawn, erasure"
    if kind.consent_field:
        gone = client.post(
            f"{api}{made.json()['record_id']}/withdraw-consent/", content_type="application/json"
        )
        assert gone.status_code == 204, gone.content[:300]
    erased = boss.post(
        f"{api}{record.ref}/erase/", {"reason": "person_request"}, content_type="application/json"
    )
    assert erased.status_code == 200, erased.content[:300]

    logs.step = "end"
    assert_no_leak(logs)
    assert_audit_clean(since)


# --- events' participants ------------------------------------------------------------------------------


def _participant(seed: int, **more: str) -> dict[str, str]:
    return {
        "sex": "women",
        "age": str(25 + seed),
        "district": "baku",
        "organisation_or_position": f"Assistant of {NAME}, {PHONE}",
        "name": f"{NAME} {seed}",
        "consent": "yes",
        **more,
    }


def test_participants_leave_no_canary_in_the_logs(logs: Capture, plan, make_user, settings, run_jobs) -> None:
    from wpsnap.registries.participants import COLUMNS

    writer = make_user("focal_point", "mod", "mod-writer")
    coordinator = make_user("coordinator", "scfwca", "coord")
    since = _last_audit()
    client = sign_in(Client(), writer)

    logs.step = "API: an event and its participants"
    created = client.post(
        "/api/v1/events/",
        {
            "plan": plan.slug,
            "kind": "training",
            "title": "Gender and security",
            "starts_on": "2021-05-04",
            "ends_on": "2021-05-05",
            "activities": ["5.1.2.3"],
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content[:300]
    event = created.json()["id"]
    api = f"/api/v1/events/{event}/participants/"
    added = client.post(api, {"rows": [_participant(1), _participant(2)]}, content_type="application/json")
    assert added.status_code == 201, added.content[:300]
    listed = client.get(api)
    assert listed.status_code == 200 and NAME in listed.content.decode()  # the canary really went in

    logs.step = "API: rows refused (a name without consent, a bad age)"
    refused = client.post(
        api,
        {"rows": [_participant(3, consent="no"), _participant(4, age="about forty")]},
        content_type="application/json",
    )
    assert refused.status_code == 400
    fields = [p["field"] for p in refused.json()["problems"]]
    assert fields and all(f.startswith("rows[") for f in fields), fields
    assert not holds_canary(refused.content.decode()), "a row's error echoes the person's data"

    logs.step = "pages: the event, its participants, import with errors, export"
    assert client.get(reverse("registries:event_detail", args=[event])).status_code == 200
    assert client.get(reverse("registries:participant_list", args=[event])).status_code == 200
    text = _csv(list(COLUMNS), [_participant(5), _participant(6, sex="somebody", consent="maybe")]).decode()
    page = client.post(reverse("registries:participant_import", args=[event]), {"text": text})
    assert page.status_code == 400
    # the focal point exports the event's participants (their own agency's event)
    assert client.get(reverse("registries:participant_export", args=[event])).status_code == 200
    boss = sign_in(Client(), coordinator)
    exported = boss.get(reverse("registries:participant_export", args=[event]))
    assert exported.status_code == 200
    assert (
        boss.get(reverse("exports:table_participants", args=[event]), {"format": "xlsx"}).status_code == 200
    )
    assert boss.get(reverse("exports:table_events"), {"format": "csv"}).status_code == 200

    logs.step = "a background job: an import beyond the rows done while one waits"
    settings.WPSNAP_IMPORT_SYNC_ROWS = 1
    rows = [_participant(n) for n in range(10, 14)] + [_participant(14, age="-3")]
    upload = SimpleUploadedFile("people.csv", _csv(list(COLUMNS), rows), "text/csv")
    queued = client.post(api, {"file": upload})
    assert queued.status_code == 202, queued.content[:300]
    run_jobs()
    job = client.get(f"/api/v1/jobs/{queued.json()['job']}/")
    assert job.status_code == 200 and job.json()["status"] == "failed", job.content[:300]
    assert not holds_canary(job.content.decode()), "a failed job's reason echoes the person's data"
    good = SimpleUploadedFile("people.csv", _csv(list(COLUMNS), rows[:-1]), "text/csv")
    again = client.post(api, {"file": good})
    assert again.status_code == 202
    run_jobs()
    assert client.get(f"/api/v1/jobs/{again.json()['job']}/").json()["status"] == "done"

    logs.step = "another agency; deleting a participant"
    other = sign_in(Client(), make_user("focal_point", "mia", "mia-writer"))
    assert other.get(api).status_code == 404  # another agency's event is not there for them
    assert other.get(reverse("registries:participant_export", args=[event])).status_code == 404
    person = client.get(api).json()["results"][0]["id"]
    assert client.delete(f"{api}{person}/", headers={"If-Match": "*"}).status_code == 204

    logs.step = "end"
    assert_no_leak(logs)
    assert_audit_clean(since)


# --- people's accounts ---------------------------------------------------------------------------------


def test_accounts_and_sign_ins_leave_no_canary_in_the_logs(logs: Capture, plan, make_user) -> None:
    """People's own names and addresses: the log names an account by its id only (the audit trail keeps
    who did what, behind the gate, and is not searched here)."""
    coordinator = make_user("coordinator", "scfwca", "coord")
    boss = sign_in(Client(), coordinator)

    logs.step = "an invitation through the API, one refused"
    invited = boss.post(
        "/api/v1/users/",
        {
            "email": EMAIL,
            "first_name": "Canarybəy",
            "last_name": "Zzyzxova",
            "organisation": "mod",
            "role": "focal_point",
        },
        content_type="application/json",
    )
    assert invited.status_code == 201, invited.content[:300]
    person = invited.json()["id"]
    twice = boss.post(
        "/api/v1/users/",
        {
            "email": EMAIL.upper(),
            "first_name": NAME,
            "last_name": PHONE,
            "organisation": "mod",
            "role": "focal_point",
        },
        content_type="application/json",
    )
    assert twice.status_code == 400
    assert (
        boss.post(
            "/api/v1/users/", {"email": NAME, "is_staff": True}, content_type="application/json"
        ).status_code
        == 400
    )

    logs.step = "pages: people, a person, the audit trail searched"
    assert boss.get(reverse("accounts:user_list")).status_code == 200
    assert NAME.split()[0] in boss.get(reverse("accounts:user_detail", args=[person])).content.decode()
    assert boss.get(reverse("accounts:audit_log")).status_code == 200
    changed = boss.patch(
        f"/api/v1/users/{person}/",
        {"role": "approver"},
        content_type="application/json",
        headers={"If-Match": "*"},
    )
    assert changed.status_code == 200, changed.content[:300]

    logs.step = "failed sign-ins with the canaries as the name, up to the lockout"
    visitor = Client()
    tries = (NAME, EMAIL, PHONE, EMAIL, EMAIL, EMAIL, EMAIL)
    for n, typed in enumerate(tries, 1):
        response = visitor.post(reverse("accounts:login"), {"username": typed, "password": f"{PHONE} wrong"})
        # the form again with its error, until the last try: locked out by then
        assert response.status_code == (429 if n == len(tries) else 200), (n, response.status_code)

    logs.step = "anonymous: 401, 302, 404"
    assert Client().get("/api/v1/users/").status_code == 401
    assert (
        Client()
        .post("/api/v1/registries/candidates/search/", {"q": NAME}, content_type="application/json")
        .status_code
        == 401
    )
    assert Client().get(f"/accounts/users/{person}/").status_code == 302

    logs.step = "end"
    assert_no_leak(logs)
