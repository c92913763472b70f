"""The demo people and organisations, and the functions that load, list and help sign them in.

Demo setup is an operator's action on the server, so it writes through the ORM rather than the
services (which need a signed-in coordinator as actor). Users and organisations keep history, and
every history row becomes an audit line (``wpsnap.core.audit``); nothing here writes a second one.
Only the second-factor devices, which keep no history, get an explicit audit line.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from wpsnap.accounts.models import Organisation, OrganisationKind, Role, User
from wpsnap.accounts.services import user_credentials_revoke
from wpsnap.core import audit
from wpsnap.core.errors import InvalidInput
from wpsnap.core.models import AuditAction
from wpsnap.plan.models import Plan

if TYPE_CHECKING:
    from .events import Result as EventsResult
    from .reports import Result as ReportsResult

PLAN_SLUG = "az-2020-2023"
PLAN_FILE = "az-2020-2023.yaml"
# The districts of Azerbaijan, where the demo's events take place (``wpsnap events setup``).
DISTRICTS_FILE = "az-districts.yaml"
REGISTRY_RULES_FILE = "az-registry-rules.yaml"
COUNTRY = "AZ"
# Demo passwords skip the site's password rules (a demo needs something easy to type), but not this.
MIN_PASSWORD_LENGTH = 8
# Marks the second-factor devices (and so the users) that belong to the demo.
DEVICE_NAME = "wpsnap demo"
# The note on the demo's history and audit lines (stored data, so not translated).
NOTE = "wpsnap demo load"


@dataclass(frozen=True)
class DemoOrganisation:
    key: str
    name: str
    short_name: str
    kind: str
    name_az: str


@dataclass(frozen=True)
class DemoPerson:
    username: str
    first_name: str
    last_name: str
    email: str
    role: str
    organisation: str  # the organisation's key (in Azerbaijan)


NGO = "women-for-peace"
EVALUATORS = "independent-evaluators"

# Organisations the plan does not name; the plan's agencies come from the plan file.
# The Azerbaijani names use the dotless i on purpose, hence the RUF001 exemptions.
ORGANISATIONS = [
    DemoOrganisation(
        key=NGO,
        name="Women for Peace Network",
        short_name="WPN",
        kind=OrganisationKind.NGO,
        name_az="Sülh Naminə Qadınlar Şəbəkəsi",  # noqa: RUF001
    ),
    DemoOrganisation(
        key=EVALUATORS,
        name="Independent Evaluation Team",
        short_name="IET",
        kind=OrganisationKind.EVALUATOR,
        name_az="Müstəqil Qiymətləndirmə Qrupu",
    ),
]


def _person(username: str, first: str, last: str, email: str, role: str, organisation: str) -> DemoPerson:
    return DemoPerson(username, first, last, f"{email}@example.org", role, organisation)


PEOPLE = [
    _person("coordinator", "Leyla", "Əliyeva", "leyla.aliyeva", Role.COORDINATOR, "scfwca"),
    _person("mod.focal", "Rauf", "Həsənov", "rauf.hasanov", Role.FOCAL_POINT, "mod"),
    _person("mod.approver", "Elnur", "Quliyev", "elnur.guliyev", Role.APPROVER, "mod"),
    _person("mia.focal", "Aynur", "Hüseynova", "aynur.huseynova", Role.FOCAL_POINT, "mia"),
    _person("mia.approver", "Tural", "Məmmədov", "tural.mammadov", Role.APPROVER, "mia"),
    _person("scridp.focal", "Günel", "Abbasova", "gunel.abbasova", Role.FOCAL_POINT, "scridp"),
    _person("scridp.approver", "Kamran", "İsmayılov", "kamran.ismayilov", Role.APPROVER, "scridp"),  # noqa: RUF001
    _person("mlspp.focal", "Səbinə", "Rzayeva", "sabina.rzayeva", Role.FOCAL_POINT, "mlspp"),
    _person("mlspp.approver", "Fərid", "Novruzov", "farid.novruzov", Role.APPROVER, "mlspp"),
    _person("moe.focal", "Nərmin", "Cəfərova", "narmin.jafarova", Role.FOCAL_POINT, "moe"),
    _person("moe.approver", "Vüqar", "Bağırov", "vugar.bagirov", Role.APPROVER, "moe"),  # noqa: RUF001
    _person("ngo.contributor", "Zərifə", "Qasımova", "zarifa.gasimova", Role.NGO_CONTRIBUTOR, NGO),  # noqa: RUF001
    # The NGO's own approver endorses its contributions before they reach the coordinator.
    _person("ngo.approver", "Nigar", "Həsənova", "nigar.hasanova", Role.APPROVER, NGO),
    _person("evaluator", "Orxan", "Səfərov", "orkhan.safarov", Role.EVALUATOR, EVALUATORS),
]
USERNAMES = [person.username for person in PEOPLE]


@dataclass
class LoadResult:
    plan_loaded: bool = False
    organisations_created: list[str] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    devices_created: list[str] = field(default_factory=list)
    # The demo's progress reports (``wpsnap.demo.reports``); None when not asked for.
    reports: ReportsResult | None = None
    # The demo's events and participants (``wpsnap.demo.events``); None when not asked for.
    events: EventsResult | None = None
    # The demo's records in the plan's other registries (media, candidates, legal aid, peacebuilding
    # actors, gender officers, publications, policy reviews, workforce, projects, settlements): how many
    # this run created, by registry name.
    registries: dict[str, int] = field(default_factory=dict)


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput.one(
            "password",
            "too_short",
            _("The demo password needs at least %(count)d characters.") % {"count": MIN_PASSWORD_LENGTH},
        )


def demo_load(*, password: str, reports: bool = True, events: bool = True) -> LoadResult:
    """Create the demo organisations, people and second-factor devices, loading the Azerbaijan plan
    first if it is not loaded, then (unless ``reports`` is false) the demo's progress reports for
    2020-2023 and (unless ``events`` is false too) its events and participants. Idempotent: a second
    run creates nothing, puts back any demo value someone changed (role, organisation, names,
    active) and sets every demo password to ``password``."""
    check_password(password)
    result = LoadResult()
    with transaction.atomic():
        if not Plan.objects.filter(slug=PLAN_SLUG).exists():
            from wpsnap.plan.schema import read_plan_file
            from wpsnap.plan.services import plan_load

            plan_load(plan_file=read_plan_file(settings.WPSNAP_PLANS_DIR / PLAN_FILE))
            result.plan_loaded = True
        organisations = _load_organisations(result)
        for person in PEOPLE:
            user = _load_person(person, organisations[person.organisation], password, result)
            if user.needs_second_factor:
                _load_device(user, result)
    # --- demo progress reports: the plan set up for reporting, then reports made through the services;
    # the events recorded before the closed periods are locked (nothing in them changes afterwards).
    if reports:
        from wpsnap.registries.services.registry_setup import read_registry_rules, registry_rules_setup
        from wpsnap.registries.services.setup import events_setup, read_districts
        from wpsnap.reporting.services import reporting_setup

        from .events import demo_events_load
        from .reports import demo_periods_lock, demo_reports_load

        plan = Plan.objects.get(slug=PLAN_SLUG)
        reporting_setup(plan=plan)
        events_setup(plan=plan, districts=read_districts(settings.WPSNAP_PLANS_DIR / DISTRICTS_FILE))
        registry_rules = read_registry_rules(settings.WPSNAP_PLANS_DIR / REGISTRY_RULES_FILE)
        registry_rules_setup(plan=plan, rules=registry_rules["rules"])
        result.reports = demo_reports_load(plan=plan, lock=False)
        if events:
            result.events = demo_events_load(plan=plan, reports=result.reports.planned)
            result.registries = _load_registries(plan)
        demo_periods_lock(plan=plan, result=result.reports)
    # --- end of demo progress reports.
    _forget_lockouts()
    return result


def _load_registries(plan: Plan) -> dict[str, int]:
    """The demo's records in the plan's registries, each module with its own seeded random (a second run
    writes nothing), before the closed periods are locked. Returns how many records each registry
    gained."""
    from random import Random

    from wpsnap.registries.kinds import catalogue

    from . import registries_media, registries_people, registries_policy, registries_restricted

    def counts() -> dict[str, int]:
        return {
            kind.name: kind.model._default_manager.filter(plan=plan).count() for kind in catalogue.kinds()
        }

    before = counts()
    for module in (registries_media, registries_restricted, registries_people, registries_policy):
        module.load(plan, Random(1325))  # noqa: S311 - demo data, not secrets
    return {name: count - before.get(name, 0) for name, count in counts().items()}


def _load_organisations(result: LoadResult) -> dict[str, Organisation]:
    for spec in ORGANISATIONS:
        if not Organisation.objects.filter(country=COUNTRY, key=spec.key).exists():
            org = Organisation(
                country=COUNTRY,
                key=spec.key,
                name=spec.name,
                short_name=spec.short_name,
                kind=spec.kind,
                translations={"az": {"name": spec.name_az}},
            )
            org._change_reason = NOTE  # type: ignore[attr-defined]
            org.full_clean()
            org.save()
            result.organisations_created.append(spec.key)
    keys = {person.organisation for person in PEOPLE}
    found = {org.key: org for org in Organisation.objects.filter(country=COUNTRY, key__in=keys)}
    missing = sorted(keys - set(found))
    if missing:
        raise InvalidInput(
            ("organisation", "not_found", _("The plan has no agency %(key)r.") % {"key": key})
            for key in missing
        )
    return found


def _load_person(person: DemoPerson, organisation: Organisation, password: str, result: LoadResult) -> User:
    wanted: dict[str, Any] = {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "role": person.role,
        "organisation_id": organisation.pk,
        "is_active": True,
    }
    user = User.objects.filter(username=person.username).first()
    if user is None:
        user = User(username=person.username, **wanted)
        user.set_password(password)
        user._change_reason = NOTE  # type: ignore[attr-defined]
        user.full_clean(exclude=["password"])
        user.save()
        result.created.append(person.username)
        return user
    changed = [name for name, value in wanted.items() if getattr(user, name) != value]
    for name in changed:
        setattr(user, name, wanted[name])
    if not user.check_password(password):
        user.set_password(password)
        changed.append("password")
    if changed:
        user._change_reason = NOTE  # type: ignore[attr-defined]
        user.save(update_fields=[name.removesuffix("_id") for name in changed])
        if {"role", "organisation_id", "is_active"} & set(changed):
            # Put back to its demo role or agency: tokens and sessions made meanwhile end with the change.
            user_credentials_revoke(user=user)
        result.updated.append(person.username)
    else:
        result.unchanged.append(person.username)
    return user


def _load_device(user: User, result: LoadResult) -> None:
    device = TOTPDevice.objects.filter(user=user, name=DEVICE_NAME).first()
    if device is None:
        # The key (the TOTP secret) is random, a new one for each user; `demo users` shows it.
        TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=True)
        audit.record(AuditAction.SECOND_FACTOR, obj=user, note=NOTE)
        result.devices_created.append(user.username)
    elif not device.confirmed:
        device.confirmed = True
        device.save(update_fields=["confirmed"])


def _forget_lockouts() -> None:
    """A demo user locked out by too many wrong passwords can sign in again with the new one."""
    from axes.utils import reset

    for username in USERNAMES:
        reset(username=username)


# --- reading the demo back ------------------------------------------------------------------------


def _devices() -> dict[int, TOTPDevice]:
    return {
        device.user_id: device
        for device in TOTPDevice.objects.filter(name=DEVICE_NAME, user__username__in=USERNAMES)
    }


def totp_secret(device: TOTPDevice) -> str:
    """The device's secret as an authenticator app takes it (base32, without padding)."""
    return base64.b32encode(device.bin_key).decode("ascii").rstrip("=")


def demo_users() -> list[dict[str, Any]]:
    """The demo people that exist, in the demo's order, with what one needs to sign in as them."""
    users = {
        user.username: user
        for user in User.objects.filter(username__in=USERNAMES).select_related("organisation")
    }
    devices = _devices()
    rows = []
    for username in USERNAMES:
        user = users.get(username)
        if user is None:
            continue
        device = devices.get(user.pk)
        rows.append(
            {
                "username": user.username,
                "name": user.get_full_name(),
                "email": user.email,
                "role": user.role,
                "role_label": str(Role(user.role).label) if user.role else "",
                "organisation": user.organisation.key if user.organisation else None,
                "organisation_name": user.organisation.name if user.organisation else None,
                "is_active": user.is_active,
                "needs_second_factor": user.needs_second_factor,
                "totp_secret": totp_secret(device) if device is not None else None,
            }
        )
    return rows


def demo_totp(username: str) -> str:
    """The current code of a demo user's second factor (what their authenticator app would show)."""
    device = (
        TOTPDevice.objects.filter(name=DEVICE_NAME, confirmed=True, user__username=username)
        .filter(user__username__in=USERNAMES)
        .first()
    )
    if device is None:
        raise InvalidInput.one(
            "username",
            "not_found",
            _("%(username)r is not a demo user with a second factor (see `wpsnap demo users`).")
            % {"username": username},
        )
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"
