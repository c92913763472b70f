"""A national-scale data set for the benchmarks: ``wpsnap demo generate --scale national``.

On a loaded plan (the Azerbaijan plan, set up for reporting and events here if it is not yet), it makes
what four years of a national plan leave behind: about 60 agencies (the plan's own, more ministries and
state bodies, district executive authorities and NGOs, given priority areas to implement so that enough
reports are owed), 2,000 approved or published progress reports with their figures by sex x age band
(every total the sum of its cells), qualitative answers and financing, and beside them reports still in
review, returned, in draft or missing; 20,000 events (trainings, awareness-raising, consultations,
surveys, media campaigns) with their activities, topics, districts and partners, 2,000,000 participants
listed one row each and, for some events, participants counted by sex x age band. The reports' figures
for indicators bound to event data are what the agency's events say (most), or a few people off (the
rest), as the demo does.

It writes straight into the real tables with their constraints, foreign keys and indexes on (bulk
inserts, and PostgreSQL's ``COPY`` for the participants), in one transaction; it does not go through the
services (no audit lines, history rows, versions or comments: the data set serves benchmarks, never the
test suite). Everything is drawn from the seed, so a seed gives the same data set every time. The
national scale needs PostgreSQL; ``small`` (for tests) runs on SQLite too.
"""

from __future__ import annotations

import io
import itertools
import math
import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from decimal import Decimal
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wpsnap.accounts.models import Organisation, OrganisationKind
from wpsnap.analytics.rollups import rollups_rebuild
from wpsnap.core.errors import InvalidInput
from wpsnap.plan.models import Activity, Assignment, Indicator, IndicatorKind, Plan, Role
from wpsnap.registries.models import (
    DerivationRule,
    Event,
    EventKind,
    ImportSource,
    Measure,
    Participant,
    ParticipantCount,
    ParticipantImport,
    Participation,
    Topic,
)
from wpsnap.reporting.disaggregation import TOTAL, cell_key
from wpsnap.reporting.models import (
    BreakdownDimension,
    DimensionOption,
    FinancingLine,
    FundingSource,
    IndicatorAnswer,
    IndicatorBreakdown,
    IndicatorValue,
    ProgressReport,
    ProgressStatus,
    ReportingPeriod,
)
from wpsnap.reporting.selectors import ExpectedActivity, expected_in
from wpsnap.reporting.workflow import Status

SEED = 2026
# Generated organisations' keys start with this: a second run on the same plan is refused by it.
PREFIX = "nat-"
SEXES = ("women", "men")
BANDS = ("0-17", "18-24", "25-34", "35-59", "60-plus")
BAND_EDGES = (18, 25, 35, 60)  # the first age of each band after the first
# Of the reports created, the share a coordinator has approved or published.
COUNTED_SHARE = 0.8
# An agency owes a report and has written one (the rest are missing); a partner contributes one.
OWED_WRITTEN = 0.9
OPTIONAL_WRITTEN = 0.35
# Of the reports for indicators bound to events: the figures agree with the events' (else a few off).
AGREE = 0.7


@dataclass(frozen=True)
class Scale:
    name: str
    agencies: int  # taking part: the plan's own and the generated ones
    reports: int  # approved or published
    events: int
    participants: int  # listed, one row each
    counted_events: float  # the share of events with counts instead of a list


SCALES = {
    "national": Scale(
        "national", agencies=60, reports=2000, events=20000, participants=2_000_000, counted_events=0.08
    ),
    "small": Scale("small", agencies=20, reports=40, events=60, participants=3000, counted_events=0.1),
}


@dataclass
class Result:
    scale: str
    seed: int
    agencies: int = 0
    agencies_created: int = 0
    assignments_created: int = 0
    reports: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    missing: int = 0
    values: int = 0
    answers: int = 0
    financing: int = 0
    events: int = 0
    listed_events: int = 0
    counted_events: int = 0
    participants: int = 0
    counted_participants: int = 0
    event_activities: int = 0
    event_topics: int = 0
    seconds: float = 0.0
    steps: dict[str, float] = field(default_factory=dict)

    @property
    def counted(self) -> int:
        return self.by_status.get(Status.APPROVED, 0) + self.by_status.get(Status.PUBLISHED, 0)


# --- the generated organisations ---------------------------------------------------------------------

STATE_BODIES = (
    ("mfa", "Ministry of Foreign Affairs", "MFA", OrganisationKind.MINISTRY),
    ("mes", "Ministry of Emergency Situations", "MES", OrganisationKind.MINISTRY),
    ("mys", "Ministry of Youth and Sports", "MYS", OrganisationKind.MINISTRY),
    ("moc", "Ministry of Culture", "MoC", OrganisationKind.MINISTRY),
    ("moa", "Ministry of Agriculture", "MoA", OrganisationKind.MINISTRY),
    ("mddt", "Ministry of Digital Development and Transport", "MDDT", OrganisationKind.MINISTRY),
    ("menr", "Ministry of Ecology and Natural Resources", "MENR", OrganisationKind.MINISTRY),
    (
        "scwra",
        "State Committee for Work with Religious Associations",
        "SCWRA",
        OrganisationKind.STATE_COMMITTEE,
    ),
    ("scad", "State Committee on Affairs of Diaspora", "SCAD", OrganisationKind.STATE_COMMITTEE),
    ("ssc", "State Statistical Committee", "SSC", OrganisationKind.STATE_COMMITTEE),
    (
        "scupa",
        "State Committee for Urban Planning and Architecture",
        "SCUPA",
        OrganisationKind.STATE_COMMITTEE,
    ),
    ("sms", "State Migration Service", "SMS", OrganisationKind.STATE_AGENCY),
    ("sbs", "State Border Service", "SBS", OrganisationKind.STATE_AGENCY),
    ("ssa", "State Employment Agency", "SEA", OrganisationKind.STATE_AGENCY),
)
NGOS = (
    ("wcc", "Women's Crisis Centre", "WCC"),
    ("awl", "Association of Women Lawyers", "AWL"),
    ("ywl", "Young Women Leaders Network", "YWL"),
    ("rwu", "Refugee and IDP Women's Union", "RWU"),
    ("rwa", "Rural Women's Association", "RWA"),
    ("pdc", "Peace Dialogue Centre", "PDC"),
    ("wea", "Women Entrepreneurs' Association", "WEA"),
    ("las", "Legal Aid Society", "LAS"),
    ("wmn", "Women Mediators' Network", "WMN"),
)
# District executive authorities are drawn from these districts first (the former line of contact and
# the liberated territories, where most of the plan's work is), then from the plan's other districts.
FRONTLINE = (
    "tartar", "aghdam", "fuzuli", "goranboy", "barda", "aghjabadi", "beylagan", "tovuz", "gazakh",
    "aghstafa", "gadabay", "shusha", "lachin", "kalbajar", "zangilan", "jabrayil", "gubadli", "khojavend",
    "khojaly", "shamkir", "dashkasan", "naftalan", "yevlakh", "imishli", "ganja", "sabirabad", "saatly",
)  # fmt: skip
# Where events happen: Baku and Ganja host many; the frontline districts more than the rest.
DISTRICT_WEIGHT = {"baku": 14.0, "ganja": 5.0, "sumgayit": 2.0}


def _mix(generated: int) -> tuple[int, int, int]:
    """How many state bodies, NGOs and district executive authorities make up ``generated`` agencies."""
    bodies = min(len(STATE_BODIES), round(generated * 0.3))
    ngos = min(len(NGOS), round(generated * 0.19))
    return bodies, ngos, generated - bodies - ngos


# --- events: who comes, and how many -----------------------------------------------------------------

# (median size, spread of the log, days it lasts, youngest, most common and oldest age)
EVENT_SHAPES: dict[str, tuple[float, float, int, tuple[int, int, int]]] = {
    EventKind.TRAINING: (28, 0.55, 3, (19, 33, 62)),
    EventKind.AWARENESS: (110, 0.7, 1, (12, 34, 78)),
    EventKind.CONSULTATION: (32, 0.5, 1, (18, 39, 75)),
    EventKind.SURVEY: (240, 0.6, 20, (16, 37, 80)),
    EventKind.MEDIA_CAMPAIGN: (600, 0.8, 30, (14, 31, 70)),
    EventKind.OTHER: (45, 0.6, 2, (18, 36, 68)),
}
KIND_WEIGHTS = {
    EventKind.TRAINING: 40,
    EventKind.AWARENESS: 28,
    EventKind.CONSULTATION: 14,
    EventKind.SURVEY: 7,
    EventKind.MEDIA_CAMPAIGN: 4,
    EventKind.OTHER: 7,
}
# Security-sector organisers train mostly men; the others' events are mostly women.
SECURITY = {"mod", "mia", "nat-sbs", "nat-mes"}
GROUPS = ("idp", "conflict-affected", "host-community")
AFFILIATIONS = (
    "Teacher", "Police officer", "Officer", "Social worker", "Doctor", "Nurse", "Lawyer", "Journalist",
    "Student", "Homemaker", "Farmer", "Municipality member", "Civil servant", "NGO volunteer", "Unemployed",
)  # fmt: skip
TITLES: dict[str, str] = {
    EventKind.TRAINING: "Training on {topic}",
    EventKind.AWARENESS: "Awareness-raising session on {topic}",
    EventKind.CONSULTATION: "Consultation with displaced women on {topic}",
    EventKind.SURVEY: "Survey on {topic}",
    EventKind.MEDIA_CAMPAIGN: "Media campaign on {topic}",
    EventKind.OTHER: "Round table on {topic}",
}
DONE = (
    "Activities carried out as planned; figures from the attendance lists.",
    "Trainings and consultations held in the districts; materials distributed.",
    "Work started late because of the transfer of funds; most sessions held in the second half of the year.",
    "Carried out jointly with partner organisations and the district executive authorities.",
)
CHALLENGES = (
    "",
    "Late transfer of funds in the first quarter.",
    "Travel to the liberated territories restricted by mine contamination.",
    "Few women among the staff nominated for training.",
)
NEXT_STEPS = ("", "Extend the programme to the regions.", "Train the trainers of the district offices.")


# --- the generator -----------------------------------------------------------------------------------


def national_generate(*, plan: Plan, scale: Scale, seed: int = SEED, now: datetime | None = None) -> Result:
    """Generate ``scale``'s data set for ``plan`` (loaded and set up for reporting and events) and return
    what was made. Refused on a database other than PostgreSQL for any scale but ``small``, and on a plan
    that already has progress reports or events. One transaction: all of it or nothing."""
    if scale.name != "small" and connection.vendor != "postgresql":
        raise InvalidInput.one(
            "scale",
            "needs_postgresql",
            _(
                "The %(scale)s data set needs PostgreSQL (set DATABASE_URL to a PostgreSQL database); "
                "only the small one can be made on SQLite."
            )
            % {"scale": scale.name},
        )
    if (
        ProgressReport.objects.filter(plan=plan).exists()
        or Event.objects.filter(plan=plan).exists()
        or Organisation.objects.filter(country=plan.country, key__startswith=PREFIX).exists()
    ):
        raise InvalidInput.one(
            "plan",
            "not_empty",
            _(
                "The plan %(plan)s already has reports, events or generated agencies: generate a data set "
                "only into a database with the plan loaded and nothing else."
            )
            % {"plan": plan.slug},
        )
    periods = list(ReportingPeriod.objects.filter(plan=plan).order_by("start"))
    if not periods:
        raise InvalidInput.one(
            "plan", "not_set_up", _("Set the plan up for reporting first (wpsnap reports setup).")
        )
    started = time.perf_counter()
    result = Result(scale=scale.name, seed=seed)
    world = _World(
        plan=plan, periods=periods, scale=scale, seed=seed, now=now or timezone.now(), result=result
    )
    with transaction.atomic():
        world.step("agencies", world.agencies)
        world.step("events", world.events)
        world.step("participants", world.participants)
        world.step("reports", world.reports)
    # The bulk inserts bypass the writers' hooks: the analytics rollups are computed afresh from the tables.
    world.step("rollups", lambda: rollups_rebuild(plan=plan))
    world.step("analyze", _analyze)
    result.seconds = round(time.perf_counter() - started, 1)
    return result


def _analyze() -> None:
    """Fresh planner statistics after the bulk inserts, as autovacuum would give a live database."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


class _World:
    """The generation's state, step by step. Each step draws from its own generator seeded from ``seed``,
    so a step's data does not change when another step draws differently."""

    def __init__(
        self,
        *,
        plan: Plan,
        periods: list[ReportingPeriod],
        scale: Scale,
        seed: int,
        now: datetime,
        result: Result,
    ) -> None:
        self.plan = plan
        self.periods = periods
        self.period_of_year = {p.start.year: p for p in periods}
        self.scale = scale
        self.seed = seed
        self.now = now
        self.result = result
        self.districts = list(
            DimensionOption.objects.filter(dimension__plan=plan, dimension__code="district")
            .order_by("position")
            .values_list("code", "name")
        )
        # Filled by the steps.
        self.pool: list[tuple[Activity, Organisation, ReportingPeriod, bool]] = []
        self.event_rows: list[Event] = []
        self.event_links: list[list[int]] = []  # activity ids of each event
        self.event_topics: list[list[int]] = []
        self.listed: list[int] = []  # indexes of the events with a list
        # Participants by sex x age band (10 cells, sex-major) for each event.
        self.cells: np.ndarray = np.zeros((0, 10), dtype=np.int64)

    def rng(self, step: str) -> random.Random:
        return random.Random(f"{self.seed}:{step}")  # noqa: S311 - generated data, not secrets

    def step(self, name: str, run: Any) -> None:
        began = time.perf_counter()
        run()
        self.result.steps[name] = round(time.perf_counter() - began, 1)

    # --- agencies and who owes what -------------------------------------------------------------------

    def agencies(self) -> None:
        rng = self.rng("agencies")
        plan_agencies = list(
            Organisation.objects.filter(assignments__plan=self.plan)
            .exclude(kind=OrganisationKind.COLLECTIVE)
            .distinct()
        )
        generated = max(0, self.scale.agencies - len(plan_agencies))
        bodies, ngos, locals_ = _mix(generated)
        names = dict(self.districts)
        frontline = [code for code in FRONTLINE if code in names]
        others = [code for code, _name in self.districts if code not in frontline and code != "baku"]
        district_codes = (frontline + others)[:locals_]
        new = [
            Organisation(
                country=self.plan.country, key=f"{PREFIX}{key}", name=name, short_name=short, kind=kind
            )
            for key, name, short, kind in STATE_BODIES[:bodies]
        ]
        new += [
            Organisation(
                country=self.plan.country, key=f"{PREFIX}{key}", name=name, short_name=short, kind="ngo"
            )
            for key, name, short in NGOS[:ngos]
        ]
        new += [
            Organisation(
                country=self.plan.country,
                key=f"{PREFIX}lea-{code}",
                name=f"{names[code]} District Executive Authority",
                short_name=f"{names[code]} DEA"[:60],
                kind=OrganisationKind.LOCAL_EXECUTIVE,
            )
            for code in district_codes
        ]
        for org in new:
            org.full_clean()
        created = Organisation.objects.bulk_create(new)
        self.result.agencies_created = len(created)

        # Enough reports owed: the generated state bodies and district authorities implement more of the
        # plan's priority areas (the plan's collectives already give some of them work).
        activities = list(Activity.objects.filter(plan=self.plan).select_related("priority_area"))
        slots: Counter[int] = Counter()
        for activity in activities:
            for period in self.periods:
                if _runs_in(activity, period):
                    slots[activity.priority_area_id] += 1
        wanted = math.ceil(self.scale.reports / COUNTED_SHARE)
        assignments: list[Assignment] = []
        expected = self._expected()
        owed = sum(1 for *_rest, optional in expected if not optional)
        optional = len(expected) - owed
        covered = {(org.pk, activity.priority_area_id) for activity, org, _p, _o in expected}
        areas = sorted(slots, key=lambda area: (-slots[area], area))
        workers = [o for o in created if o.kind != OrganisationKind.NGO]
        candidates = [(org, area) for org in workers for area in areas if (org.pk, area) not in covered]
        rng.shuffle(candidates)
        positions: Counter[int] = Counter()
        while owed * OWED_WRITTEN + optional * OPTIONAL_WRITTEN < wanted and candidates:
            org, area = candidates.pop()
            positions[area] += 1
            assignments.append(
                Assignment(
                    plan=self.plan,
                    agency=org,
                    priority_area_id=area,
                    role=Role.IMPLEMENTER,
                    position=50 + positions[area],
                )
            )
            owed += slots[area]
        Assignment.objects.bulk_create(assignments)
        self.result.assignments_created = len(assignments)
        if assignments:
            expected = self._expected()
        # Which of the expected reports exist: owed ones mostly, partners' contributions sometimes.
        kept = [row for row in expected if not row[3] or rng.random() < OPTIONAL_WRITTEN]
        rng.shuffle(kept)
        self.pool = kept
        self.written = min(
            len(kept), max(wanted, round(len(kept) * OWED_WRITTEN)) if self.scale.name != "small" else wanted
        )
        self.result.agencies = len({org.pk for _a, org, _p, _o in expected})
        self.result.missing = sum(1 for row in expected if not row[3]) - sum(
            1 for row in kept[: self.written] if not row[3]
        )

    def _expected(self) -> list[tuple[Activity, Organisation, ReportingPeriod, bool]]:
        rows: dict[tuple[int, int, int], tuple[Activity, Organisation, ReportingPeriod, bool]] = {}
        expected: list[ExpectedActivity] = expected_in(self.plan, self.periods, partners=True)
        for item in expected:
            for org, optional in item.agencies:
                rows.setdefault(
                    (item.activity.pk, org.pk, item.period.pk), (item.activity, org, item.period, optional)
                )
        return list(rows.values())

    # --- events ---------------------------------------------------------------------------------------

    def events(self) -> None:
        rng = self.rng("events")
        scale = self.scale
        topics = list(Topic.objects.order_by("position", "code"))
        topic_weights = [
            6.0 if t.code == "unscr-1325" else 2.0 if t.code in ("gbv-prevention", "idp-women") else 1.0
            for t in topics
        ]
        rules = self._rules()
        kinds_of_activity: dict[int, list[str]] = defaultdict(list)
        for rule, indicator in rules:
            if indicator.activity_id is not None:
                kinds_of_activity[indicator.activity_id] += list(rule.kinds)
        district_codes = [code for code, _name in self.districts]
        district_weights = [
            DISTRICT_WEIGHT.get(code, 2.0 if code in FRONTLINE else 0.6) for code in district_codes
        ]
        names = dict(self.districts)
        # Events are held by the agencies that owe or contribute reports, on those activities, in those
        # years (whether or not the report was written); some slots hold many events, some none.
        slot_weights = [rng.lognormvariate(0, 0.9) for _ in self.pool]
        by_agency_period: dict[tuple[int, int], list[int]] = defaultdict(list)
        for activity, org, period, _o in self.pool:
            by_agency_period[(org.pk, period.pk)].append(activity.pk)
        partners = sorted({org.pk for _a, org, _p, _o in self.pool})
        chosen = rng.choices(range(len(self.pool)), weights=slot_weights, k=scale.events) if self.pool else []
        kind_names = list(KIND_WEIGHTS)
        kind_weights = list(KIND_WEIGHTS.values())
        counted = set(rng.sample(range(scale.events), round(scale.events * scale.counted_events)))
        rows: list[Event] = []
        for n, slot in enumerate(chosen):
            activity, org, period, _optional = self.pool[slot]
            ruled = kinds_of_activity.get(activity.pk)
            kind = (
                rng.choice(ruled)
                if ruled and rng.random() < 0.8
                else rng.choices(kind_names, kind_weights)[0]
            )
            if n in counted and kind == EventKind.TRAINING:
                kind = EventKind.AWARENESS  # counts are kept where no list can be: big, open events
            first = period.start + timedelta(days=rng.randrange((period.end - period.start).days + 1))
            days = rng.randint(0, EVENT_SHAPES[kind][2])
            district = "" if rng.random() < 0.07 else rng.choices(district_codes, district_weights)[0]
            topic_ids = rng.sample(range(len(topics)), 1)
            if rng.random() < 0.5:
                topic_ids = list({*topic_ids, *rng.choices(range(len(topics)), topic_weights, k=2)})
            topic = topics[topic_ids[0]]
            links = [activity.pk]
            others = [a for a in by_agency_period[(org.pk, period.pk)] if a != activity.pk]
            if others and rng.random() < 0.15:
                links.append(rng.choice(others))
            place = names.get(district, "") if district else "Online (video conference)"
            rows.append(
                Event(
                    plan=self.plan,
                    organiser=org,
                    kind=kind,
                    title=TITLES[kind].format(topic=topic.name)[:200],
                    starts_on=first,
                    ends_on=first + timedelta(days=days),
                    district=district,
                    place=place,
                    content=f"{TITLES[kind].format(topic=topic.name)} for {period.label}.",
                    outcomes="Participants' knowledge assessed before and after; the results are in the report.",
                    issues_raised="Housing, employment and access to services."
                    if kind == EventKind.CONSULTATION
                    else "",
                    answers_given="Referred to the district executive authority."
                    if kind == EventKind.CONSULTATION
                    else "",
                    participation=Participation.COUNTS if n in counted else Participation.LIST,
                )
            )
            self.event_links.append(links)
            self.event_topics.append([topics[i].pk for i in topic_ids])
        self.event_rows = Event.objects.bulk_create(rows, batch_size=2000)
        through_activity = Event.activities.through
        through_topic = Event.topics.through
        through_partner = Event.partners.through
        activity_links = [
            through_activity(event_id=event.pk, activity_id=a)
            for event, links in zip(self.event_rows, self.event_links, strict=True)
            for a in links
        ]
        topic_links = [
            through_topic(event_id=event.pk, topic_id=t)
            for event, ids in zip(self.event_rows, self.event_topics, strict=True)
            for t in ids
        ]
        partner_links = [
            through_partner(event_id=event.pk, organisation_id=p)
            for event in self.event_rows
            if rng.random() < 0.1 and len(partners) > 1
            for p in [rng.choice([q for q in partners[:50] if q != event.organiser_id] or partners)]
            if p != event.organiser_id
        ]
        through_activity.objects.bulk_create(activity_links, batch_size=5000)
        through_topic.objects.bulk_create(topic_links, batch_size=5000)
        through_partner.objects.bulk_create(partner_links, batch_size=5000)
        self.result.events = len(self.event_rows)
        self.result.event_activities = len(activity_links)
        self.result.event_topics = len(topic_links)
        self.listed = [i for i, e in enumerate(self.event_rows) if e.participation == Participation.LIST]
        self.result.listed_events = len(self.listed)
        self.result.counted_events = len(self.event_rows) - len(self.listed)

    def _rules(self) -> list[tuple[DerivationRule, Indicator]]:
        rules = DerivationRule.objects.filter(indicator__plan=self.plan).select_related("indicator")
        return [(rule, rule.indicator) for rule in rules.prefetch_related("topics")]

    # --- participants ---------------------------------------------------------------------------------

    def participants(self) -> None:
        """Participant rows for the events with a list (exactly ``scale.participants`` of them, sized
        by the kind of event), and counts by sex x age band for the others."""
        gen = np.random.default_rng([self.seed, 7])
        events = self.event_rows
        n_events = len(events)
        shapes = [EVENT_SHAPES[e.kind] for e in events]
        raw = np.array([gen.lognormal(math.log(s[0]), s[1]) for s in shapes]) if n_events else np.zeros(0)
        sizes = np.maximum(1, np.round(raw)).astype(np.int64)
        listed = np.array(self.listed, dtype=np.int64)
        if len(listed):
            # Scale the listed events' sizes so that their rows add up to exactly the number asked for.
            wanted = self.scale.participants
            part = raw[listed] * (wanted / raw[listed].sum())
            floor = np.maximum(1, np.floor(part)).astype(np.int64)
            short = wanted - int(floor.sum())
            if short > 0:
                order = np.argsort(-(part - np.floor(part)))
                floor[order[: short % len(floor)]] += 1
                floor += short // len(floor)
            elif short < 0:
                order = np.argsort(-floor)
                i = 0
                while short < 0:
                    j = order[i % len(order)]
                    if floor[j] > 1:
                        floor[j] -= 1
                        short += 1
                    i += 1
            sizes[listed] = floor
        women = (
            np.array(
                [
                    gen.beta(2, 9)
                    if e.organiser.key in SECURITY
                    else gen.beta(6, 3)
                    if e.kind != EventKind.CONSULTATION
                    else gen.beta(18, 1.5)
                    for e in events
                ]
            )
            if n_events
            else np.zeros(0)
        )
        self.cells = np.zeros((n_events, 10), dtype=np.int64)
        imports = ParticipantImport.objects.bulk_create(
            [
                ParticipantImport(
                    event=events[i],
                    source=(ImportSource.CSV, ImportSource.XLSX, ImportSource.PASTE, ImportSource.FORM)[
                        i % 4
                    ],
                    rows=int(sizes[i]),
                )
                for i in self.listed
            ],
            batch_size=5000,
        )
        batch_of = {i: b.pk for i, b in zip(self.listed, imports, strict=True)}
        district_codes = [code for code, _name in self.districts] or [""]
        written = self._write_participants(gen, listed, sizes, women, batch_of, district_codes)
        self.result.participants = written
        # Counted events: a total by the kind's size, split by sex and age band.
        counts: list[ParticipantCount] = []
        for i, event in enumerate(events):
            if event.participation != Participation.COUNTS:
                continue
            low, mode, high = EVENT_SHAPES[event.kind][3]
            ages = gen.triangular(low, mode, high, size=int(sizes[i])).astype(np.int64)
            sex = (gen.random(int(sizes[i])) >= women[i]).astype(np.int64)
            cells = np.bincount(sex * 5 + np.searchsorted(BAND_EDGES, ages, side="right"), minlength=10)
            self.cells[i] = cells
            counts += [
                ParticipantCount(
                    event=event, cell=cell_key([("sex", SEXES[c // 5]), ("age", BANDS[c % 5])]), value=int(v)
                )
                for c, v in enumerate(cells)
                if v
            ]
        ParticipantCount.objects.bulk_create(counts, batch_size=5000)
        self.result.counted_participants = int(sum(c.value for c in counts))

    def _write_participants(
        self,
        gen: np.random.Generator,
        listed: np.ndarray,
        sizes: np.ndarray,
        women: np.ndarray,
        batch_of: dict[int, int],
        district_codes: list[str],
    ) -> int:
        """The listed events' rows, drawn 200,000 at a time with numpy and written by COPY (PostgreSQL)
        or bulk inserts (SQLite); each event's sex x age band cells are kept for the reports."""
        district_index = {code: i for i, code in enumerate(district_codes)}
        total = 0
        chunk: list[int] = []
        chunk_rows = 0
        for position, i in enumerate(listed.tolist()):
            chunk.append(i)
            chunk_rows += int(sizes[i])
            if chunk_rows >= 200_000 or position == len(listed) - 1:
                total += self._write_chunk(gen, chunk, sizes, women, batch_of, district_codes, district_index)
                chunk, chunk_rows = [], 0
        return total

    def _write_chunk(
        self,
        gen: np.random.Generator,
        chunk: list[int],
        sizes: np.ndarray,
        women: np.ndarray,
        batch_of: dict[int, int],
        district_codes: list[str],
        district_index: dict[str, int],
    ) -> int:
        events = self.event_rows
        idx = np.array(chunk, dtype=np.int64)
        counts = sizes[idx]
        n = int(counts.sum())
        shapes = np.array([EVENT_SHAPES[events[i].kind][3] for i in chunk], dtype=np.float64)
        low, mode, high = (np.repeat(shapes[:, k], counts) for k in range(3))
        ages = np.clip(gen.triangular(low, mode, high), 0, 99).astype(np.int64)
        bands = np.searchsorted(BAND_EDGES, ages, side="right")
        sex = (gen.random(n) >= np.repeat(women[idx], counts)).astype(np.int64)
        cells = np.bincount(
            np.repeat(np.arange(len(chunk)), counts) * 10 + sex * 5 + bands, minlength=10 * len(chunk)
        )
        self.cells[idx] = cells.reshape(len(chunk), 10)
        age_known = gen.random(n) < 0.85
        home = np.array([district_index.get(events[i].district, -1) for i in chunk], dtype=np.int64)
        home = np.repeat(home, counts)
        roll = gen.random(n)
        elsewhere = gen.integers(0, len(district_codes), n)
        district = np.where(
            home >= 0,
            np.where(roll < 0.85, home, np.where(roll < 0.95, elsewhere, -1)),
            np.where(roll < 0.9, elsewhere, -1),
        )
        consultation = np.repeat(np.array([events[i].kind == EventKind.CONSULTATION for i in chunk]), counts)
        group_roll = gen.random(n)
        group = np.where(
            consultation,
            np.where(group_roll < 0.75, 0, np.where(group_roll < 0.95, 1, -1)),
            np.where(group_roll < 0.35, gen.integers(0, 3, n), -1),
        )
        affiliation = np.where(gen.random(n) < 0.45, gen.integers(0, len(AFFILIATIONS), n), -1)
        named = gen.random(n) < 0.005
        consent = named | (gen.random(n) < 0.1)
        event_ids = [events[i].pk for i in chunk]
        batches = [batch_of[i] for i in chunk]
        owners = np.repeat(np.arange(len(chunk)), counts).tolist()
        groups = [*GROUPS, ""]
        affiliations = [*AFFILIATIONS, ""]
        districts = [*district_codes, ""]
        rows = zip(
            owners,
            sex.tolist(),
            np.where(age_known, ages, -1).tolist(),
            bands.tolist(),
            group.tolist(),
            district.tolist(),
            affiliation.tolist(),
            named.tolist(),
            consent.tolist(),
            strict=True,
        )
        if connection.vendor == "postgresql":
            text = "".join(
                [
                    f"{event_ids[o]}\t{batches[o]}\t{SEXES[s]}\t{a if a >= 0 else chr(92) + 'N'}\t{BANDS[b]}\t"
                    f"{groups[g]}\t{districts[d]}\t{affiliations[f]}\t{'Participant (consented)' if nm else ''}\t"
                    f"{'t' if c else 'f'}\n"
                    for o, s, a, b, g, d, f, nm, c in rows
                ]
            )
            table = Participant._meta.db_table
            with (
                connection.cursor() as cursor,
                cursor.cursor.copy(
                    f"COPY {table} (event_id, batch_id, sex, age, age_band, population_group, district, "
                    "affiliation, name, consent) FROM STDIN"
                ) as copy,
            ):
                buffer = io.StringIO(text)
                while block := buffer.read(1 << 20):
                    copy.write(block)
        else:
            Participant.objects.bulk_create(
                [
                    Participant(
                        event_id=event_ids[o],
                        batch_id=batches[o],
                        sex=SEXES[s],
                        age=a if a >= 0 else None,
                        age_band=BANDS[b],
                        population_group=groups[g],
                        district=districts[d],
                        affiliation=affiliations[f],
                        name="Participant (consented)" if nm else "",
                        consent=c,
                    )
                    for o, s, a, b, g, d, f, nm, c in rows
                ],
                batch_size=2000,
            )
        return n

    # --- reports --------------------------------------------------------------------------------------

    def reports(self) -> None:
        rng = self.rng("reports")
        written = self.pool[: self.written]
        # The counted ones lean to the older periods; the rest are in review, returned or drafts.
        order = sorted(range(len(written)), key=lambda i: written[i][2].start.year + rng.random() * 2.5)
        counted = set(order[: self.scale.reports])
        derived = self._derived()
        indicators: dict[int, list[Indicator]] = defaultdict(list)
        for indicator in Indicator.objects.filter(plan=self.plan).order_by("position"):
            if indicator.activity_id is not None:
                indicators[indicator.activity_id].append(indicator)
        breakdowns = {
            ib.indicator_id: ib.breakdown_id
            for ib in IndicatorBreakdown.objects.filter(indicator__plan=self.plan)
        }
        parts: dict[int, list[tuple[str, list[str]]]] = defaultdict(list)
        for part in (
            BreakdownDimension.objects.filter(breakdown__plan=self.plan)
            .select_related("dimension")
            .order_by("position")
        ):
            parts[part.breakdown_id].append((part.dimension.code, list(part.options)))
        reports: list[ProgressReport] = []
        statuses: Counter[str] = Counter()
        for i, (activity, org, period, _optional) in enumerate(written):
            if i in counted:
                status = (
                    Status.PUBLISHED
                    if period.start.year <= self.periods[0].start.year + 1 and rng.random() < 0.6
                    else Status.APPROVED
                )
            else:
                status = rng.choices(
                    [Status.SUBMITTED, Status.ENDORSED, Status.RETURNED, Status.DRAFT], [35, 25, 15, 25]
                )[0]
            statuses[status] += 1
            progress = rng.choices(
                [
                    ProgressStatus.COMPLETED,
                    ProgressStatus.IN_PROGRESS,
                    ProgressStatus.DELAYED,
                    ProgressStatus.NOT_STARTED,
                    ProgressStatus.CANCELLED,
                ],
                [55, 28, 9, 5, 3],
            )[0]
            submitted = approved = published = None
            if status != Status.DRAFT:
                # Most reports arrive in the month before the due date, some weeks late.
                submitted = self._at(period.due_on + timedelta(days=round(rng.gauss(-12, 18))))
            if status in (Status.APPROVED, Status.PUBLISHED):
                approved = submitted + timedelta(days=rng.randint(7, 60)) if submitted else None
            if status == Status.PUBLISHED:
                published = approved + timedelta(days=rng.randint(5, 40)) if approved else None
            reports.append(
                ProgressReport(
                    plan=self.plan,
                    period=period,
                    activity=activity,
                    agency=org,
                    status=status,
                    progress=progress,
                    done=rng.choice(DONE),
                    challenges=rng.choice(CHALLENGES),
                    next_steps=rng.choice(NEXT_STEPS),
                    started_on=period.start + timedelta(days=rng.randint(0, 120)),
                    finished_on=period.end - timedelta(days=rng.randint(0, 60))
                    if progress == ProgressStatus.COMPLETED
                    else None,
                    submitted_at=submitted,
                    approved_at=approved,
                    published_at=published,
                )
            )
        reports = ProgressReport.objects.bulk_create(reports, batch_size=2000)
        values: list[IndicatorValue] = []
        answers: list[IndicatorAnswer] = []
        financing: list[FinancingLine] = []
        for report in reports:
            for indicator in indicators.get(report.activity_id, []):
                if indicator.kind != IndicatorKind.COUNT:
                    if rng.random() < 0.9:
                        answers.append(
                            IndicatorAnswer(
                                report=report,
                                indicator=indicator,
                                text=f"{indicator.text[:120]}: adopted and in use ({report.period.label}).",
                            )
                        )
                    continue
                breakdown = breakdowns.get(indicator.pk)
                figures = self._figures(
                    rng,
                    derived.get((indicator.pk, report.agency_id, report.period_id)),
                    parts.get(breakdown, []) if breakdown else [],
                )
                values += [
                    IndicatorValue(
                        report=report,
                        indicator=indicator,
                        breakdown_id=breakdown,
                        cell=cell,
                        value=Decimal(value),
                    )
                    for cell, value in figures.items()
                ]
            for source, share in (
                (FundingSource.STATE_BUDGET, 0.9),
                (FundingSource.INTERNATIONAL, 0.25),
                (FundingSource.OTHER, 0.08),
            ):
                if rng.random() < share:
                    planned = round(rng.lognormvariate(math.log(15000), 0.9), -2)
                    spent = (
                        round(planned * rng.uniform(0.55, 1.05), -1)
                        if report.status != Status.DRAFT
                        else None
                    )
                    financing.append(
                        FinancingLine(
                            report=report,
                            source=source,
                            planned=Decimal(planned),
                            spent=None if spent is None else Decimal(spent),
                        )
                    )
        IndicatorValue.objects.bulk_create(values, batch_size=5000)
        IndicatorAnswer.objects.bulk_create(answers, batch_size=5000)
        FinancingLine.objects.bulk_create(financing, batch_size=5000)
        self.result.reports = len(reports)
        self.result.by_status = dict(sorted(statuses.items()))
        self.result.values = len(values)
        self.result.answers = len(answers)
        self.result.financing = len(financing)

    def _at(self, day: date) -> datetime:
        at = timezone.make_aware(datetime.combine(day, clock_time(11, 30)))
        return min(at, self.now)

    def _derived(self) -> dict[tuple[int, int, int], tuple[str, np.ndarray]]:
        """What the generated events say for each bound indicator, agency and period, as the
        registries' rule counts it: (measure, the 10 sex x age band cells, or the number of events)."""
        rules = self._rules()
        of_activity: dict[int, list[tuple[DerivationRule, Indicator]]] = defaultdict(list)
        of_area: dict[int, list[tuple[DerivationRule, Indicator]]] = defaultdict(list)
        for rule, indicator in rules:
            if indicator.activity_id is not None:
                of_activity[indicator.activity_id].append((rule, indicator))
            else:
                of_area[indicator.priority_area_id].append((rule, indicator))
        area_of = dict(Activity.objects.filter(plan=self.plan).values_list("pk", "priority_area_id"))
        topics_of = {rule.indicator_id: {t.pk for t in rule.topics.all()} for rule, _i in rules}
        out: dict[tuple[int, int, int], tuple[str, np.ndarray]] = {}
        for i, event in enumerate(self.event_rows):
            period = self.period_of_year.get(event.starts_on.year)
            if period is None or not (period.start <= event.starts_on <= period.end):
                continue
            matched: list[tuple[DerivationRule, Indicator]] = []
            areas_seen: set[int] = set()
            for activity_id in self.event_links[i]:
                matched += of_activity.get(activity_id, [])
                area = area_of[activity_id]
                if area not in areas_seen:
                    areas_seen.add(area)
                    matched += of_area.get(area, [])
            for rule, indicator in matched:
                if rule.kinds and event.kind not in rule.kinds:
                    continue
                wanted_topics = topics_of[indicator.pk]
                if wanted_topics and not wanted_topics & set(self.event_topics[i]):
                    continue
                key = (indicator.pk, event.organiser_id, period.pk)
                measure, cells = out.get(key, (rule.measure, np.zeros(10, dtype=np.int64)))
                if rule.measure == Measure.EVENTS:
                    cells = cells.copy()
                    cells[0] += 1
                else:
                    cells = cells + self.cells[i]
                out[key] = (measure, cells)
        return out

    def _figures(
        self,
        rng: random.Random,
        derived: tuple[str, np.ndarray] | None,
        parts: list[tuple[str, list[str]]],
    ) -> dict[str, int]:
        """One indicator's figures in a report: every cell of its breakdown and the total, their sum.
        Taken from the events where they say something (a few people off in some reports)."""
        dims = [code for code, _options in parts]
        cells = [
            cell_key(list(zip(dims, combo, strict=True)))
            for combo in itertools.product(*[o for _c, o in parts])
        ]
        if derived is not None and derived[0] == Measure.EVENTS:
            total = int(derived[1][0]) + (0 if rng.random() < AGREE else rng.randint(-1, 3))
            return {TOTAL: max(0, total)}
        grid: np.ndarray
        if derived is not None:
            grid = derived[1].reshape(2, 5).copy()
        else:
            size = max(1, round(rng.lognormvariate(math.log(90), 1.0)))
            women = rng.uniform(0.45, 0.8)
            profile = np.array([0.06, 0.16, 0.3, 0.38, 0.1])
            weights = np.concatenate([profile * women, profile * (1 - women)])
            grid = (
                np.random.default_rng(rng.getrandbits(32))
                .multinomial(size, weights / weights.sum())
                .reshape(2, 5)
            )
        if derived is not None and rng.random() >= AGREE:
            for _ in range(rng.randint(1, 3)):
                s, b = rng.randrange(2), rng.randrange(5)
                grid[s, b] = max(0, int(grid[s, b]) + rng.choice((-3, -2, -1, 1, 2, 4)))
        figures: dict[str, int] = {}
        if dims == ["sex", "age"]:
            figures = {cell: int(grid[i // 5, i % 5]) for i, cell in enumerate(cells)}
        elif dims == ["age"]:
            figures = {cell: int(grid[:, i].sum()) for i, cell in enumerate(cells)}
        elif dims == ["sex"]:
            figures = {cell: int(grid[i].sum()) for i, cell in enumerate(cells)}
        elif cells and dims != []:
            # Another breakdown (services): the people reached shared out over its cells.
            split = np.random.default_rng(rng.getrandbits(32)).multinomial(
                int(grid.sum()), [1 / len(cells)] * len(cells)
            )
            figures = {cell: int(v) for cell, v in zip(cells, split, strict=True)}
        figures[TOTAL] = int(grid.sum()) if not figures else sum(figures.values())
        return figures


def _runs_in(activity: Activity, period: ReportingPeriod) -> bool:
    start, end = activity.effective_start_year, activity.effective_end_year
    return start is not None and end is not None and start <= period.end.year and end >= period.start.year


def summary(result: Result) -> dict[str, Any]:
    """What was made, for the command's output and the benchmarks' JSON."""
    return {
        "scale": result.scale,
        "seed": result.seed,
        "agencies": result.agencies,
        "agencies_created": result.agencies_created,
        "assignments_created": result.assignments_created,
        "reports": result.reports,
        "reports_counted": result.counted,
        "reports_by_status": result.by_status,
        "reports_missing": result.missing,
        "values": result.values,
        "answers": result.answers,
        "financing_lines": result.financing,
        "events": result.events,
        "events_listed": result.listed_events,
        "events_counted": result.counted_events,
        "participants_listed": result.participants,
        "participants_counted": result.counted_participants,
        "event_activity_links": result.event_activities,
        "event_topic_links": result.event_topics,
        "seconds": result.seconds,
        "steps_seconds": result.steps,
    }


__all__ = ["SCALES", "SEED", "Result", "Scale", "national_generate", "summary"]
