"""Mass assignment (issue 15; security row 5): no request sets what its sender may not choose.

Every writable operation of the OpenAPI schema (POST, PUT, PATCH of /api/v1/schema/, iterated: a new
operation without a way to make its valid request fails ``test_every_writable_operation_is_covered``) is
sent its valid body plus the protected fields: every read-only property of its answer in the schema, and
the fields an attacker tries (id, version, status, agency, organisation, owner, plan, created_by,
submitted_by, approved_at, record_id, retain_until, is_staff, role...) that the operation does not take,
with hostile values. The answer must be 400 naming each of them, with nothing written (no audited change),
and the valid body alone then succeeds; or, had it succeeded, none of them applied. A focal point naming
another agency as a registry record's owner is refused too. Then the key HTML forms (report, registry
record, event, a person's role) with extra fields: the protected attributes do not move."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from random import Random
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from wpsnap.core.models import AuditEvent
from wpsnap.registries.kinds import catalogue

from ..conftest import create_user, seed_migration_rows, sign_in

pytestmark = pytest.mark.django_db

OTHER_UUID = "00000000-0000-4000-8000-000000000001"
WHEN = "2000-01-01T00:00:00Z"
# The fields an attacker adds, with hostile values.
HOSTILE: dict[str, Any] = {
    "id": 999_999,
    "pk": 999_999,
    "version": 999,
    "status": "published",
    "agency": "mia",
    "organisation": "mia",
    "owner": "mia",
    "plan": "another-plan",
    "created_by": 1,
    "created_at": WHEN,
    "updated_at": WHEN,
    "submitted_by": 1,
    "submitted_at": WHEN,
    "approved_by": 1,
    "approved_at": WHEN,
    "published_at": WHEN,
    "record_id": OTHER_UUID,
    "retain_until": "2099-12-31",
    "keep_until": "2099-12-31",
    "field_versions": {"done": 999},
    "is_staff": True,
    "is_superuser": True,
    "is_active": True,
    "role": "coordinator",
    "username": "hostile",
    "password": "a hostile passphrase 123",
}
# An operation's own fields that the HOSTILE list must leave alone, though they are not in its request
# component's properties (none yet).
WRITABLE_ELSEWHERE: dict[tuple[str, str], set[str]] = {}


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    from rest_framework.test import APIClient

    response = APIClient().get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    if "allOf" in node:
        merged: dict[str, Any] = {"properties": {}}
        for part in node["allOf"]:
            merged["properties"].update(_resolve(schema, part).get("properties", {}))
        return merged
    return node


def writable_operations(schema: dict[str, Any]) -> list[tuple[str, str]]:
    return sorted(
        (path, method)
        for path, item in schema["paths"].items()
        for method in item
        if method in ("post", "put", "patch")
    )


def _request_fields(schema: dict[str, Any], operation: dict[str, Any]) -> set[str]:
    fields: set[str] = set()
    for content in operation.get("requestBody", {}).get("content", {}).values():
        fields |= set(_resolve(schema, content.get("schema", {})).get("properties", {}))
    return fields


def _read_only_fields(schema: dict[str, Any], operation: dict[str, Any]) -> set[str]:
    fields: set[str] = set()
    for code, answer in operation.get("responses", {}).items():
        if not code.startswith("2"):
            continue
        for content in answer.get("content", {}).values():
            body = _resolve(schema, content.get("schema", {}))
            for name, prop in body.get("properties", {}).items():
                if _resolve(schema, prop).get("readOnly") or prop.get("readOnly"):
                    fields.add(name)
    return fields


def hostile_fields(schema: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    operation = schema["paths"][path][method]
    allowed = _request_fields(schema, operation) | WRITABLE_ELSEWHERE.get((path, method), set())
    names = (set(HOSTILE) | _read_only_fields(schema, operation)) - allowed
    return {name: HOSTILE.get(name, "hostile") for name in sorted(names)}


# --- the world ---------------------------------------------------------------------------------------


@dataclass
class World:
    plan: Any
    focal: Any  # MoD
    approver: Any  # MoD
    coordinator: Any
    mia_focal: Any
    moj_focal: Any


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """People and the plan set up, once per module, inside a transaction each test's own nests in and
    that is rolled back at the end."""
    from django.db import transaction

    from wpsnap.plan.models import Plan
    from wpsnap.registries.services.setup import events_setup, read_districts
    from wpsnap.reporting.services import reporting_setup

    from ..registries.conftest import DISTRICTS

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            seed_migration_rows()  # the plan, if a flush before this module took it
            plan = Plan.objects.get(slug="az-2020-2023")
            reporting_setup(plan=plan)
            events_setup(plan=plan, districts=read_districts(DISTRICTS))
            made = World(
                plan=plan,
                focal=create_user("focal_point", "mod", "ma-mod-focal"),
                approver=create_user("approver", "mod", "ma-mod-approver"),
                coordinator=create_user("coordinator", "scfwca", "ma-coordinator"),
                mia_focal=create_user("focal_point", "mia", "ma-mia-focal"),
                moj_focal=create_user("focal_point", "moj", "ma-moj-focal"),
            )
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield made
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@dataclass
class Call:
    """A valid request: who sends it, where, its body (JSON, or multipart when ``files``), its headers,
    and how to read back the object it changes (for the 'not applied' check)."""

    user: Any
    url: str
    body: dict[str, Any]
    headers: dict[str, str]
    files: dict[str, bytes] | None = None
    read_back: Callable[[Client], dict[str, Any]] | None = None


CONTENT = {
    "progress": "completed",
    "done": "Three trainings at the Military Academy.",
    "values": [{"indicator": "5.1.2-3-i1", "cell": "", "value": 20}],
}


def _report(w: World, status: str) -> Any:
    from wpsnap.plan.models import Activity
    from wpsnap.reporting import services
    from wpsnap.reporting.services import ReportInput

    activity = Activity.objects.get(plan=w.plan, code="5.1.2.3")
    period = w.plan.reporting_periods.get(label="2020")
    report = services.report_start(
        actor=w.focal, activity=activity, agency=w.focal.organisation, period=period
    )
    indicator = activity.indicators.first()
    services.report_save(
        actor=w.focal,
        report=report,
        data=ReportInput(progress="completed", done="Work done.", values={indicator.pk: {"": "12"}}),
    )
    steps = ["submitted", "endorsed", "approved", "published"]
    if status in steps:
        services.report_submit(actor=w.focal, report=report)
    if status in steps[1:]:
        services.report_endorse(actor=w.approver, report=report)
    if status in steps[2:]:
        services.report_approve(actor=w.coordinator, report=report)
    if status in steps[3:]:
        services.report_publish(actor=w.coordinator, report=report)
    report.refresh_from_db()
    return report


def _report_call(w: World, path: str, method: str) -> Call:
    if path == "/api/v1/reports/":
        return Call(w.focal, path, {"activity": "5.1.2-3", "period": "2020", **CONTENT}, {})
    if path == "/api/v1/reports/{id}/":
        report = _report(w, "draft")
        url = f"/api/v1/reports/{report.pk}/"
        return Call(
            w.focal,
            url,
            {"done": "Four trainings."},
            {"If-Match": f'"{report.version}"'},
            read_back=_get(url),
        )
    step = path.rstrip("/").rsplit("/", 1)[-1]
    before, who, body = {
        "submit": ("draft", w.focal, {}),
        "endorse": ("submitted", w.approver, {}),
        "return": ("endorsed", w.coordinator, {"comment": "Add the March training."}),
        "approve": ("endorsed", w.coordinator, {}),
        "publish": ("approved", w.coordinator, {}),
        "unpublish": ("published", w.coordinator, {"comment": "A figure was wrong."}),
    }[step]
    report = _report(w, before)
    url = f"/api/v1/reports/{report.pk}/"
    return Call(who, f"{url}{step}/", body, {}, read_back=_get(url))


def _get(url: str) -> Callable[[Client], dict[str, Any]]:
    def read(client: Client) -> dict[str, Any]:
        response = client.get(url)
        assert response.status_code == 200, response.content[:300]
        return response.json()

    return read


def _event(w: World, participation: str = "list") -> Any:
    from wpsnap.registries.services.events import EventInput, event_create

    return event_create(
        actor=w.focal,
        plan=w.plan,
        data=EventInput(
            kind="training",
            title="Gender and security",
            starts_on=date(2021, 3, 10),
            ends_on=date(2021, 3, 11),
            activities=[w.plan.activities.get(code="5.1.2.3")],
            participation=participation,
        ),
    )


EVENT = {
    "kind": "training",
    "title": "UNSCR 1325 for officers",
    "starts_on": "2021-03-10",
    "ends_on": "2021-03-11",
    "activities": ["5.1.2-3"],
}


def _event_call(w: World, path: str, method: str) -> Call:
    if path == "/api/v1/events/":
        return Call(w.focal, path, {"plan": w.plan.slug, **EVENT}, {})
    counts = path.endswith("/counts/")
    event = _event(w, "counts" if counts else "list")
    url = f"/api/v1/events/{event.pk}/"
    match = {"If-Match": f'"{event.version}"'}
    if counts:
        return Call(
            w.focal, f"{url}counts/", {"counts": {"sex:women|age:25-34": 7}}, match, read_back=_get(url)
        )
    if path.endswith("/participants/"):
        rows = [{"sex": "women", "age": 23, "district": "baku"}]
        return Call(w.focal, f"{url}participants/", {"rows": rows}, {}, read_back=_get(url))
    body = dict(EVENT) if method == "put" else {"title": "UNSCR 1325 for senior officers"}
    return Call(w.focal, url, body, match, read_back=_get(url))


def _user_call(w: World, path: str, method: str) -> Call:
    if method == "post":
        body = {
            "email": "new.person@example.org",
            "first_name": "Aynur",
            "last_name": "Testova",
            "organisation": "mod",
            "role": "focal_point",
        }
        return Call(w.coordinator, path, body, {})
    person = create_user("focal_point", "mod", "ma-someone")
    url = f"/api/v1/users/{person.pk}/"
    return Call(w.coordinator, url, {"role": "approver"}, {"If-Match": "*"}, read_back=_get(url))


REGISTRY_WRITERS = {"candidates": "mia_focal", "legal-aid": "moj_focal"}


def _examples(kind: Any, w: World, seed: int) -> dict[str, str]:
    """A row of the kind's examples; a record it names (a recommendation's review) made first, named by id."""
    from wpsnap.registries.kinds.base import ColumnType
    from wpsnap.registries.kinds.services import record_create

    row = {**kind.examples(Random(seed)), "activities": kind.activity_codes[0] if kind.activity_codes else ""}
    for column in kind.columns:
        if (
            column.data_type == ColumnType.RECORD
            and getattr(column, "target", None)
            and row.get(column.header)
        ):
            target = catalogue.kind_named(column.target)
            writer = getattr(w, REGISTRY_WRITERS.get(target.name, "focal"))
            made = record_create(kind=target, actor=writer, plan=w.plan, values=_examples(target, w, seed))
            row[column.header] = str(made.ref)
    return row


def _registry_values(kind: Any, w: World) -> dict[str, Any]:
    from wpsnap.registries.kinds.columns import LIST_TYPES, file_columns

    raw = _examples(kind, w, 3)
    lists = {c.header for c in file_columns(kind) if c.data_type in LIST_TYPES}
    return {
        h: [p.strip() for p in v.split(";") if p.strip()] if h in lists else v
        for h, v in raw.items()
        if h != "owner"
    }


def _registry_call(w: World, path: str, method: str) -> Call:
    from wpsnap.registries.kinds.services import record_create

    name = path.split("/")[4]
    kind = catalogue.kind_named(name)
    assert kind is not None, name
    writer = getattr(w, REGISTRY_WRITERS.get(name, "focal"))
    base = f"/api/v1/registries/{name}/"
    values = _registry_values(kind, w)
    if path == base:
        return Call(writer, base, {**values, "plan": w.plan.slug}, {})
    if path.endswith("/search/"):
        return Call(writer, path, {"q": "Test"}, {})
    record = record_create(kind=kind, actor=writer, plan=w.plan, values=_examples(kind, w, 4))
    url = f"{base}{record.ref}/"
    if path.endswith("/erase/"):
        return Call(w.coordinator, f"{url}erase/", {"reason": "recorded_in_error"}, {})
    if path.endswith("/withdraw-consent/"):
        return Call(w.coordinator, f"{url}withdraw-consent/", {}, {})
    body = (
        values
        if method == "put"
        else {next(iter(kind.columns)).header: values[next(iter(kind.columns)).header]}
    )
    return Call(writer, url, body, {"If-Match": f'"{record.version}"'}, read_back=_get(url))


def _import_call(w: World, path: str, method: str) -> Call:
    import csv
    import io

    if path.startswith("/api/v1/events/"):
        event = _event(w)
        out = io.StringIO()
        csv.writer(out).writerows([["sex", "age", "district"], ["women", "23", "baku"]])
        return Call(
            w.focal,
            f"/api/v1/events/{event.pk}/participants/",
            {},
            {},
            files={"file": out.getvalue().encode()},
        )
    name = path.split("/")[4]
    kind = catalogue.kind_named(name)
    assert kind is not None
    writer = getattr(w, REGISTRY_WRITERS.get(name, "focal"))
    row = _examples(kind, w, 5)
    out = io.StringIO()
    table = csv.DictWriter(out, fieldnames=list(row))
    table.writeheader()
    table.writerow(row)
    return Call(writer, f"{path}?plan={w.plan.slug}", {}, {}, files={"file": out.getvalue().encode()})


def valid_call(w: World, path: str, method: str, multipart: bool) -> Call:
    """The valid request of a writable operation, by the family its path belongs to."""
    if multipart:
        return _import_call(w, path, method)
    if path.startswith("/api/v1/reports/"):
        return _report_call(w, path, method)
    if path.startswith("/api/v1/events/"):
        return _event_call(w, path, method)
    if path.startswith("/api/v1/users/"):
        return _user_call(w, path, method)
    if path.startswith("/api/v1/registries/"):
        return _registry_call(w, path, method)
    raise LookupError(f"no valid request is known for {method.upper()} {path}: add it to valid_call")


def _is_multipart(schema: dict[str, Any], path: str, method: str) -> bool:
    content = schema["paths"][path][method].get("requestBody", {}).get("content", {})
    return "application/json" not in content and "multipart/form-data" in content


def _audited_changes() -> int:
    return AuditEvent.objects.exclude(action__in=("access_refused", "login", "login_failed")).count()


def _send(client: Client, method: str, call: Call, extra: dict[str, Any]) -> Any:
    if call.files is not None:
        data: dict[str, Any] = {
            name: SimpleUploadedFile("rows.csv", content, "text/csv") for name, content in call.files.items()
        }
        data.update({k: v if isinstance(v, str) else str(v) for k, v in {**call.body, **extra}.items()})
        return getattr(client, method)(call.url, data, headers=call.headers)
    return getattr(client, method)(
        call.url, {**call.body, **extra}, content_type="application/json", headers=call.headers
    )


def test_every_writable_operation_is_covered(schema, world) -> None:
    """The schema's writable operations all have a valid request here, and there are as many as the
    registries and the rest of the API declare."""
    operations = writable_operations(schema)
    assert len(operations) >= 60, operations
    kinds = catalogue.kinds()
    registry_ops = [op for op in operations if op[0].startswith("/api/v1/registries/")]
    # Per kind: create, import, search, put and patch, plus erase and consent withdrawal where personal.
    assert len(registry_ops) == sum(
        5 + (1 if k.personal else 0) + (1 if k.personal and k.consent_field else 0) for k in kinds
    )


def _check(path: str, method: str, schema: dict[str, Any], w: World) -> str:
    """'' when the operation refuses or ignores its protected fields, else what went wrong."""
    hostile = hostile_fields(schema, path, method)
    if not hostile:
        return "nothing to protect?"
    call = valid_call(w, path, method, _is_multipart(schema, path, method))
    client = sign_in(Client(), call.user)
    before = call.read_back(client) if call.read_back else None
    changes = _audited_changes()
    response = _send(client, method, call, hostile)
    if response.status_code >= 500:
        return f"{response.status_code}"
    if response.status_code == 400:
        named = {problem["field"] for problem in response.json()["problems"]}
        if not set(hostile) <= named:
            return f"400 without naming {sorted(set(hostile) - named)}: {response.content[:300]!r}"
        if _audited_changes() != changes:
            return "a refused request wrote something"
        if before is not None and call.read_back(client) != before:
            return "a refused request changed the object"
        # The valid body alone goes through: the refusal was the protected fields'.
        alone = _send(client, method, call, {})
        if not 200 <= alone.status_code < 300:
            return f"the valid request alone: {alone.status_code} {alone.content[:300]!r}"
        return ""
    if not 200 <= response.status_code < 300:
        return f"{response.status_code} {response.content[:300]!r}"
    answer = response.json() if response.content else {}
    after = call.read_back(client) if call.read_back else answer
    applied = [name for name, value in hostile.items() if name in after and after[name] == value]
    return f"applied: {applied}" if applied else ""


def test_protected_fields_are_refused_or_ignored(schema, world) -> None:
    """Every writable operation, each in a savepoint rolled back after it."""
    from django.db import transaction

    failures = {}
    refused = 0
    for path, method in writable_operations(schema):
        with transaction.atomic():
            problem = _check(path, method, schema, world)
            transaction.set_rollback(True)
        if problem:
            failures[f"{method.upper()} {path}"] = problem
        else:
            refused += 1
    assert not failures, "\n".join(f"{op}: {why}" for op, why in failures.items())
    assert refused >= 60


def test_a_focal_point_cannot_name_another_agency_as_owner(world) -> None:
    client = sign_in(Client(), world.focal)
    kind = catalogue.kind_named("publications")
    body = {**_registry_values(kind, world), "plan": world.plan.slug, "owner": "mia"}
    response = client.post("/api/v1/registries/publications/", body, content_type="application/json")
    assert response.status_code in (400, 403), response.content[:300]
    assert kind.model.objects.filter(owner__key="mia").count() == 0


# --- the key HTML forms ----------------------------------------------------------------------------------

# What an attacker adds to a form's POST: protected attributes, each with a hostile value.
FORM_EXTRAS = {
    "status": "published",
    "agency": "mia",
    "organisation": "mia",
    "organiser": "mia",
    "owner": "mia",
    "plan": "another-plan",
    "created_by": "1",
    "submitted_by": "1",
    "approved_at": WHEN,
    "published_at": WHEN,
    "ref": OTHER_UUID,
    "record_id": OTHER_UUID,
    "retain_until": "2099-12-31",
    "is_staff": "on",
    "is_superuser": "on",
    "username": "hostile",
}


def _ids(extras: dict[str, str], w: World) -> dict[str, str]:
    """The extras, with the other agency's id where a form field would take an id."""
    from wpsnap.accounts.models import Organisation

    mia = str(Organisation.objects.get(country="AZ", key="mia").pk)
    return {k: (mia if v == "mia" else v) for k, v in extras.items()} | {
        "agency_id": mia,
        "organiser_id": mia,
    }


def test_the_report_form_ignores_protected_fields(world) -> None:
    from ..reporting.test_form_pages import form_data

    report = _report(world, "draft")
    indicator = report.activity.indicators.first()
    client = sign_in(Client(), world.focal)
    url = f"/reports/{report.pk}/edit/"
    response = client.post(url, {**form_data(indicator), **_ids(FORM_EXTRAS, world), "action": "save"})
    assert response.status_code in (302, 400), response.status_code
    if response.status_code == 400:  # refused whole: then the form alone saves
        report.refresh_from_db()
        assert report.done != form_data(indicator)["done"]
        assert client.post(url, {**form_data(indicator), "action": "save"}).status_code == 302
    report.refresh_from_db()
    assert report.done == form_data(indicator)["done"]  # the form's own fields were saved
    assert report.status == "draft" and report.agency == world.focal.organisation
    assert report.approved_at is None and report.published_at is None
    assert report.version < 999


def test_the_registry_record_form_ignores_protected_fields(world) -> None:
    from wpsnap.registries.publications.models import Publication

    from ..registries.kinds_web.test_pages import _post_data

    client = sign_in(Client(), world.focal)
    url = reverse("registry_kinds:create", kwargs={"kind": "publications"}) + f"?plan={world.plan.slug}"
    response = client.post(
        url, {**_post_data(material_type="guide", audience=["gender_officers"]), **_ids(FORM_EXTRAS, world)}
    )
    assert response.status_code in (302, 400), response.status_code
    if response.status_code == 400:  # refused whole, nothing saved: then the form alone saves
        assert Publication.objects.count() == 0
        assert (
            client.post(url, _post_data(material_type="guide", audience=["gender_officers"])).status_code
            == 302
        )
    assert Publication.objects.count() == 1
    for record in Publication.objects.all():
        assert record.owner == world.focal.organisation and record.created_by == world.focal
        assert str(record.ref) != OTHER_UUID and record.version < 999 and record.plan == world.plan
    # The record's edit form the same.
    record = Publication.objects.filter(owner=world.focal.organisation).first()
    assert record is not None
    if record is not None:
        edit = reverse("registry_kinds:edit", kwargs={"kind": "publications", "ref": record.ref})
        data = {
            **_post_data(material_type="guide", audience=["gender_officers"], title="Changed"),
            "version": str(record.version),
        }
        client.post(edit, {**data, **_ids(FORM_EXTRAS, world), "version": str(record.version)})
        record.refresh_from_db()
        assert record.owner == world.focal.organisation and str(record.ref) != OTHER_UUID


def test_the_event_form_ignores_protected_fields(world) -> None:
    from wpsnap.registries.models import Event

    from ..registries.test_pages import _event_form

    client = sign_in(Client(), world.focal)
    activity = world.plan.activities.get(code="5.1.2.3")
    response = client.post("/events/new/", {**_event_form(activity), **_ids(FORM_EXTRAS, world)})
    assert response.status_code == 302, response.status_code
    event = Event.objects.get(title="Mediation skills for women leaders")
    assert event.organiser == world.focal.organisation and event.created_by == world.focal
    assert event.plan == world.plan and event.version < 999


def test_the_role_form_changes_the_role_only(world) -> None:
    from wpsnap.accounts.models import User

    person = create_user("focal_point", "mod", "ma-role-person")
    client = sign_in(Client(), world.coordinator)
    response = client.post(
        f"/accounts/users/{person.pk}/role/",
        {"role": "approver", **_ids(FORM_EXTRAS, world), "is_active": ""},
    )
    assert response.status_code == 302, response.status_code
    person = User.objects.get(pk=person.pk)
    assert person.role == "approver" and person.username == "ma-role-person"
    assert not person.is_staff and not person.is_superuser and person.is_active
    assert person.organisation == world.focal.organisation
