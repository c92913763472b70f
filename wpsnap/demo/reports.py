"""Demo progress reports for the plan's periods (2020-2023 for Azerbaijan), made through the services.

The demo replays four years of reporting as the demo people would have done it: focal points start,
fill and submit reports, approvers endorse them, the coordinator returns some with a comment and
approves, publishes and locks the older periods. Every step is a call of the reporting services
with a demo user as actor, so that versions, transitions, comments, history and the audit trail are
what real use leaves behind. Each step is given the moment it would have happened (the services'
``now``, ``wpsnap.core.clock``), so that dates read as a real reporting year: reports started in the
autumn, most submitted before the due date, some late.

Everything is drawn from ``random.Random(SEED)`` in a fixed order before anything is written, so
the demo is the same every time. A second load writes nothing: reports that exist and locked
periods are left alone, and deliberately missing reports stay missing.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from wpsnap.accounts.models import Organisation, Role, User
from wpsnap.core.errors import InvalidInput
from wpsnap.plan.models import Activity, Indicator, IndicatorKind, Plan
from wpsnap.reporting import selectors, services
from wpsnap.reporting.disaggregation import TOTAL, BreakdownSpec
from wpsnap.reporting.models import ProgressReport, ProgressStatus, ReportingPeriod
from wpsnap.reporting.services import ReportInput
from wpsnap.reporting.workflow import Status

from .data import NGO, PEOPLE

SEED = 1325
MISSING = "missing"
COORDINATOR = next(p.username for p in PEOPLE if p.role == Role.COORDINATOR)
# The agencies whose focal point and approver are demo people (mod, mia, scridp, mlspp, moe).
AGENCIES = tuple(p.organisation for p in PEOPLE if p.role == Role.FOCAL_POINT)
NGO_WRITER = next(p.username for p in PEOPLE if p.role == Role.NGO_CONTRIBUTOR)
# The NGO reports its own contributions to these activities, in the period under review. Its reports
# stay "submitted": they wait in the queue of the NGO's approver (ngo.approver) for the demo to show.
NGO_ACTIVITIES = ("5.1.2-2", "5.4.1-1", "5.4.1-3")


@dataclass
class Result:
    created: int = 0
    # Planned reports found already there (or in a locked period): left as they are.
    existing: int = 0
    # Expected reports the demo leaves missing on purpose.
    missing: int = 0
    evidence: int = 0
    locked: list[str] = field(default_factory=list)
    # {period label: {status: count}} of the reports created by this run.
    by_period: dict[str, Counter[str]] = field(default_factory=dict)
    # The plan of the demo's reports this run followed (the demo's events are built on it).
    planned: list[PlannedReport] = field(default_factory=list, repr=False)


# --- the scenario -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    at: datetime
    action: str  # start, save, evidence, submit, endorse, return, comment, approve, publish
    data: ReportInput | None = None
    text: str = ""
    by: str = ""  # for return: "approver" or "coordinator"
    file: tuple[str, bytes] | None = None


@dataclass
class PlannedReport:
    period: ReportingPeriod
    activity: Activity
    agency: Organisation
    outcome: str  # MISSING or the status the report ends in
    writer: str
    steps: list[Step] = field(default_factory=list)

    @property
    def key(self) -> tuple[int, int, int]:
        return (self.activity.pk, self.agency.pk, self.period.pk)


@dataclass(frozen=True)
class Figure:
    """How an activity's count indicator is filled: a total between ``low`` and ``high``, split by
    sex (``women``: the range of the women's share), age (a profile of ``AGE_PROFILES``) and
    service (weights per agency)."""

    low: int
    high: int
    women: tuple[float, float] = (0.5, 0.6)
    ages: str = "staff"


@dataclass(frozen=True)
class ActivityText:
    kind: str  # training, awareness, study, document, services, tally: picks challenges and evidence
    done: dict[str, str]  # by agency key, "*" for any
    figure: Figure | None = None
    answer: dict[str, str] = field(default_factory=dict)
    cost: tuple[int, int] = (2000, 8000)  # AZN planned from the state budget
    # Another audience at some agencies (teachers rather than cadets): their figure.
    figures: dict[str, Figure] = field(default_factory=dict)

    def figure_for(self, agency: str) -> Figure:
        return self.figures.get(agency) or self.figure or Figure(1, 10)


AGE_PROFILES: dict[str, dict[str, float]] = {
    "staff": {"0-17": 0, "18-24": 5, "25-34": 36, "35-59": 56, "60-plus": 3},
    "cadets": {"0-17": 0, "18-24": 42, "25-34": 38, "35-59": 20, "60-plus": 0},
    "public": {"0-17": 12, "18-24": 15, "25-34": 24, "35-59": 36, "60-plus": 13},
    "pupils": {"0-17": 68, "18-24": 4, "25-34": 9, "35-59": 17, "60-plus": 2},
    "clients": {"0-17": 6, "18-24": 12, "25-34": 28, "35-59": 40, "60-plus": 14},
}

SERVICES: dict[str, dict[str, float]] = {
    "mlspp": {"education": 5, "health": 10, "social": 40, "legal": 10, "employment": 35},
    "moe": {"education": 70, "health": 5, "social": 15, "legal": 4, "employment": 6},
    "mia": {"education": 4, "health": 8, "social": 25, "legal": 53, "employment": 10},
    "business": {"education": 25, "health": 0, "social": 10, "legal": 5, "employment": 60},
}

DISTRICTS = (
    "Tartar",
    "Aghdam",
    "Fuzuli",
    "Goranboy",
    "Barda",
    "Aghjabadi",
    "Beylagan",
    "Tovuz",
    "Gazakh",
    "Aghstafa",
    "Gadabay",
)

# What each agency's people and places are called in the narratives.
VOCABULARY: dict[str, dict[str, str]] = {
    "mod": {"staff": "officers", "venue": "the Military Academy", "sector": "armed forces"},
    "mia": {"staff": "police officers", "venue": "the Police Academy", "sector": "police"},
    "scridp": {
        "staff": "staff of the Committee and of local executive authorities",
        "venue": "the Committee's regional offices",
        "sector": "Committee's system",
    },
    "mlspp": {
        "staff": "social workers and employment centre staff",
        "venue": "the Ministry's Training Centre",
        "sector": "social protection system",
    },
    "moe": {
        "staff": "teachers and school administrators",
        "venue": "the Institute of Education",
        "sector": "education system",
    },
    NGO: {"staff": "community volunteers", "venue": "community centres", "sector": "civil society"},
}

ACTIVITIES: dict[str, ActivityText] = {
    "5.1.1-1": ActivityText(
        "study",
        {
            "*": "Needs assessment among {total} internally displaced and conflict-affected people ({women} "
            "women, {men} men) in {districts}: household questionnaires and {n} focus groups on safety, "
            "access to services and livelihoods. Findings summarised in a {pages}-page report shared with "
            "the local executive authorities."
        },
        Figure(150, 600, (0.62, 0.75), "public"),
        cost=(4000, 12000),
    ),
    "5.1.1-2": ActivityText(
        "awareness",
        {
            "*": "{N} information sessions on human rights and personal safety in conflict and post-conflict "
            "situations in {districts}, reaching {total} people ({women} women, {men} men); leaflets in "
            "Azerbaijani distributed through {venue}."
        },
        Figure(250, 900, (0.55, 0.7), "public"),
        cost=(3000, 9000),
    ),
    "5.1.2-1": ActivityText(
        "document",
        {
            "mod": "A module on gender equality and UN Security Council resolutions 1325 and 1820 taught in "
            "the command-staff course of the Military Academy ({hours} hours in the {year}/{next_year} "
            "academic year).",
            "moe": "Elective course on gender equality and the women, peace and security agenda introduced "
            "at {k} pedagogical universities ({hours} hours); teachers' guide prepared.",
            "*": "Teaching materials on gender equality and UNSCR 1325 prepared ({pages} pages).",
        },
        answer={
            "mod": "Module “Gender equality and women, peace and security” ({hours} hours) in the "
            "command-staff course; teaching manual of {pages} pages approved by the Academy's academic "
            "council; covers UNSCR 1325, 1820, 1888 and 2242.",
            "moe": "Elective course “Gender equality and UNSCR 1325” ({hours} hours) for pedagogical "
            "universities; teachers' guide of {pages} pages approved by the Ministry's "
            "Scientific-Methodological Council.",
            "*": "Teaching materials of {pages} pages on gender equality and UNSCR 1325.",
        },
        cost=(1500, 6000),
    ),
    "5.1.2-2": ActivityText(
        "awareness",
        {
            "mod": "{N} lectures on preventing sexual and gender-based violence in conflict situations for "
            "personnel of military units in {districts}; {total} servicemen and servicewomen attended "
            "({women} women, {men} men).",
            "moe": "{N} awareness sessions on preventing gender-based violence for senior pupils and parents "
            "in {k} schools of {districts}; {total} participants ({women} women and girls, {men} men and "
            "boys).",
            NGO: "{N} community meetings on preventing gender-based violence in {districts}, run by our "
            "volunteers with local women's councils; {total} participants ({women} women, {men} men).",
        },
        Figure(300, 1200, (0.08, 0.18), "cadets"),
        cost=(2500, 9000),
        figures={
            "moe": Figure(250, 900, (0.5, 0.6), "pupils"),
            NGO: Figure(120, 400, (0.55, 0.68), "public"),
        },
    ),
    "5.1.2-3": ActivityText(
        "training",
        {
            "mod": "{N} {days} trainings for {total} officers of the Military Academy on human rights, "
            "gender equality and UNSCR 1325 and 1820 ({women} women, {men} men).",
            "moe": "{N} {days} trainings for {total} teachers and school administrators on gender equality "
            "and the women, peace and security agenda at the Institute of Education ({women} women, "
            "{men} men).",
            "*": "{N} {days} trainings on human rights and gender equality for {total} {staff}.",
        },
        Figure(20, 120, (0.1, 0.22), "cadets"),
        cost=(3000, 15000),
        figures={"moe": Figure(20, 120, (0.7, 0.85), "staff")},
    ),
    "5.2.1-1": ActivityText(
        "study",
        {
            "*": "Study of the obstacles to women's careers in the {sector}: survey of {total} servicewomen and "
            "{staff}, and {n} interviews with heads of units; {k} recommendations submitted to the "
            "Ministry's leadership."
        },
        Figure(60, 320),
        cost=(2000, 7000),
    ),
    "5.2.1-2": ActivityText(
        "study",
        {
            "*": "Draft recruitment strategy for women in the {sector} prepared with the personnel department; "
            "a database of women candidates for leadership posts set up in {total} structural units."
        },
        Figure(2, 9),
        cost=(1000, 4000),
    ),
    "5.2.2-1": ActivityText(
        "tally",
        {
            "*": "Dialogue mechanism with displaced women: {n} consultations in {districts} and an online "
            "survey; {total} people took part, and their proposals were sent to the working group on the "
            "State Programme for IDPs."
        },
        Figure(90, 420),
        cost=(1500, 5000),
    ),
    "5.2.3-1": ActivityText(
        "study",
        {
            "*": "Database of {total} individuals and organisations working on conflict resolution and "
            "peacebuilding compiled; a short study of their training needs completed."
        },
        Figure(40, 160),
        cost=(1500, 5000),
    ),
    "5.2.3-2": ActivityText(
        "training",
        {
            "*": "{N} {days} trainings on conflict resolution and peacebuilding for {total} participants "
            "selected from the database ({women} women, {men} men), at {venue}."
        },
        Figure(20, 80, (0.35, 0.5), "staff"),
        cost=(3000, 10000),
    ),
    "5.2.4-1": ActivityText(
        "training",
        {
            "*": "{N} trainings on human rights, peacebuilding and communication skills for {total} women "
            "serving in the {sector}, at {venue}."
        },
        Figure(15, 70, (1.0, 1.0), "staff"),
        cost=(2000, 7000),
    ),
    "5.2.6-1": ActivityText(
        "document",
        {
            "*": "The order on the gender officer's powers was updated and sent to all departments; the "
            "gender officer reports to the deputy minister."
        },
        answer={
            "*": "Gender officer appointed by order No. {num} of {order_date}. Powers: reviewing draft internal "
            "acts for gender sensitivity; collecting sex-disaggregated personnel data; receiving staff "
            "complaints of discrimination; reporting each year to the SCFWCA."
        },
        cost=(0, 0),
    ),
    "5.2.6-2": ActivityText(
        "training",
        {
            "*": "{N} {days} trainings for {total} gender officers and personnel staff on exercising their "
            "powers: gender analysis of internal acts, sex-disaggregated data, handling complaints "
            "({women} women, {men} men)."
        },
        Figure(15, 60, (0.62, 0.8), "staff"),
        cost=(1500, 6000),
    ),
    "5.2.6-3": ActivityText(
        "training",
        {
            "*": "{N} trainings for gender officers on gender equality, women, peace and security, and the "
            "international mechanisms for the rights of women and girls (CEDAW, UNSCR 1325); {total} "
            "participants ({women} women, {men} men).",
            NGO: "{N} peer-learning sessions for gender officers of district executive authorities on "
            "UNSCR 1325 and CEDAW, run by our trainers; {total} participants ({women} women, {men} men).",
        },
        Figure(15, 70, (0.65, 0.82), "staff"),
        cost=(1500, 6000),
    ),
    "5.2.6-4": ActivityText(
        "document",
        {"*": "Handbook for gender officers published and a video lesson placed on the intranet."},
        answer={
            "*": "Handbook “Gender officer: powers and practice” ({pages} pages, {copies} copies) and a "
            "{minutes}-minute video lesson on the intranet."
        },
        cost=(2000, 8000),
    ),
    "5.3.2-1": ActivityText(
        "training",
        {
            "*": "{N} {days} trainings on UN Security Council resolutions on women, peace and security for "
            "{total} lawyers and staff of the Committee and local law-enforcement bodies ({women} women, "
            "{men} men)."
        },
        Figure(20, 90, (0.3, 0.45), "staff"),
        cost=(2500, 8000),
    ),
    "5.3.2-2": ActivityText(
        "tally",
        {
            "*": "Legal aid points opened in the Committee's offices in {districts}; {total} agencies (the Bar "
            "Association, legal clinics of two universities, local executive authorities) provide lawyers "
            "to them."
        },
        Figure(3, 12),
        cost=(3000, 12000),
    ),
    "5.3.2-3": ActivityText(
        "services",
        {
            "*": "Free legal advice on property, social benefits, identity documents and family law for "
            "{total} internally displaced and conflict-affected people ({women} women and girls, {men} "
            "men) at the legal aid points in {districts}, from {month_from} to {month_to}."
        },
        Figure(20, 90, (0.72, 0.85), "clients"),
        cost=(2000, 9000),
    ),
    "5.3.3-1": ActivityText(
        "services",
        {
            "mlspp": "{Total} internally displaced and conflict-affected women supported through the "
            "self-employment programme and paid public works; {n} vocational courses (tailoring, cooking, "
            "computer skills) held in {districts}.",
            "moe": "Vocational courses at {k} vocational schools in {districts} for {total} internally "
            "displaced women (hairdressing, sewing, accounting).",
            "mia": "{Total} women from IDP families employed in civilian posts of the Ministry's regional "
            "departments in {districts}.",
            "*": "{Total} internally displaced and conflict-affected women supported into employment.",
        },
        Figure(20, 120),
        cost=(5000, 40000),
    ),
    "5.3.3-2": ActivityText(
        "services",
        {
            "mlspp": "Social, health, legal and employment services for {total} internally displaced and "
            "conflict-affected women through the DOST centres and employment offices in {districts}.",
            "moe": "{Total} internally displaced women and girls received education services: free courses, "
            "tuition support at universities and psychological counselling in schools of {districts}.",
            "mia": "{Total} internally displaced women received registration, identity document and legal "
            "services at the Ministry's offices in {districts}.",
            "*": "{Total} internally displaced and conflict-affected women received services.",
        },
        Figure(120, 900),
        cost=(5000, 30000),
    ),
    "5.3.3-3": ActivityText(
        "training",
        {
            "*": "{N} courses “Start and improve your business” for {total} women in {districts}; the "
            "figures count the services each participant received (training, business advice, referral "
            "to micro-credit).",
        },
        Figure(25, 140),
        cost=(4000, 15000),
    ),
    "5.3.3-4": ActivityText(
        "training",
        {
            "*": "{N} trainings on family budget management, financial literacy and starting a business for "
            "{people} women in {districts}."
        },
        cost=(1500, 6000),
    ),
    "5.4.1-1": ActivityText(
        "awareness",
        {
            "mod": "{N} meetings with residents of frontline villages in {districts} on the risks of mines "
            "and unexploded ordnance; {total} participants ({women} women, {men} men), with leaflets for "
            "children.",
            "scridp": "{N} awareness sessions in IDP settlements of {districts} on mine risks and personal "
            "safety; {total} participants ({women} women, {men} men).",
            NGO: "{N} mine-risk awareness sessions for women and children in villages of {districts}, with "
            "the national mine action agency; {total} participants ({women} women and girls, {men} men and "
            "boys).",
        },
        Figure(200, 800, (0.52, 0.66), "public"),
        cost=(2000, 8000),
    ),
    "5.4.1-2": ActivityText(
        "training",
        {
            "*": "{N} civil defence trainings (shelters, first aid, evacuation) for {total} residents of "
            "{districts} ({women} women, {men} men), with the Ministry of Emergency Situations."
        },
        Figure(40, 180, (0.5, 0.62), "public"),
        cost=(2000, 7000),
    ),
    "5.4.1-3": ActivityText(
        "tally",
        {
            "*": "{Total} media outlets involved; {articles} articles and {programmes} TV and radio programmes "
            "on women's role in peace efforts.",
            NGO: "Media club for regional journalists: {total} outlets took part; {articles} articles on "
            "women peacebuilders from {districts} published.",
        },
        Figure(5, 24),
        cost=(1500, 6000),
    ),
    "5.4.2-1": ActivityText(
        "study",
        {
            "*": "Review of {k} internal security regulations against the needs of women and girls; {total} "
            "changes adopted (separate facilities, women staff on duty at receptions, lighting of "
            "premises)."
        },
        Figure(1, 5),
        cost=(0, 0),
    ),
    "5.4.2-2": ActivityText(
        "study",
        {
            "*": "{Total} measures of the demobilisation and reintegration programme adjusted to the needs of "
            "servicewomen and of women in veterans' families (health checks, retraining, childcare)."
        },
        Figure(1, 6),
        cost=(1000, 5000),
    ),
    "5.4.3-1": ActivityText(
        "study",
        {
            "*": "Assessment of the needs of internally displaced and conflict-affected women and their families "
            "in {districts} with a standard questionnaire; {total} reports prepared."
        },
        Figure(1, 4),
        cost=(2000, 6000),
    ),
    "5.4.3-2": ActivityText(
        "document",
        {"*": "Package of recommendations prepared from the needs assessment and sent to the Cabinet."},
        answer={
            "*": "{k} recommendations: priority housing for women-headed IDP households; employment quotas in "
            "new settlements; mobile health teams; psychosocial support for children; legal aid points in "
            "every settlement."
        },
        cost=(0, 0),
    ),
    "5.4.4-1": ActivityText(
        "tally",
        {
            "*": "{Total} projects for women, girls and children in IDP settlements of {districts} (a "
            "kindergarten, sewing workshops, a youth centre and summer camps); the amounts are in the "
            "financing section."
        },
        Figure(3, 14),
        cost=(20000, 120000),
    ),
    "5.4.5-1": ActivityText(
        "tally",
        {
            "*": "{Total} consultation meetings with IDP women on the design of new residential buildings in "
            "{districts}; their proposals (playgrounds, ramps, laundry rooms) were added to the standards "
            "for new settlements."
        },
        Figure(4, 18),
        cost=(1000, 4000),
    ),
}
DIMENSION_WORDS = {
    "sex": "sex",
    "age": "age band",
    "service": "service",
    "population_group": "population group",
}
GENERIC = ActivityText("study", {"*": "Work on the activity continued as planned ({n} meetings held)."})
# The first, too short description of a report that comes back for a better one.
SHORT = {
    "training": "Trainings held as planned.",
    "awareness": "Awareness sessions held in the districts.",
    "study": "Work carried out.",
    "document": "Text prepared.",
    "services": "Services provided.",
    "tally": "Meetings held.",
}

EVENTS = ("training", "awareness", "tally")  # kinds of work done in sessions and meetings
CHALLENGES: dict[str, tuple[str, ...]] = {
    "training": (
        "Few trainers know UNSCR 1325 well; two sessions waited for a trainer from Baku.",
        "Staff turnover: about a third of those trained the year before moved to other posts.",
        "Participants from remote districts could not always be released from duty.",
    ),
    "awareness": (
        "Men attended less than women in the villages; evening sessions were added.",
        "Leaflets ran out in the larger settlements; a reprint is needed.",
        "Transport to remote villages was costly and took most of the budget.",
    ),
    "study": (
        "Some units answered the questionnaire late, which delayed the analysis.",
        "Personnel data by sex were not available for all units.",
    ),
    "document": ("The approval procedure took longer than planned.",),
    "services": (
        "Many women came without identity documents, which slowed the cases.",
        "Demand in Barda and Tartar was higher than the staff's time allowed.",
    ),
    "tally": ("Meetings depended on the availability of local executive authorities.",),
}
# The first two years: COVID-19 restrictions, for work done in sessions or desk work.
COVID = {
    "events": (
        "COVID-19 restrictions moved most sessions online from March; connections in the districts were weak.",
        "Sessions planned for the spring were postponed to the autumn because of COVID-19 restrictions.",
    ),
    "desk": ("COVID-19 restrictions delayed the meetings needed to agree the text and the findings.",),
}
NEXT_STEPS: dict[str, tuple[str, ...]] = {
    "training": (
        "Add a refresher course and a short test before and after each training.",
        "Train trainers in each regional department so that the course no longer depends on Baku.",
        "Include the training in the annual professional development plan.",
    ),
    "awareness": (
        "Extend the sessions to two more districts and print the leaflets for children.",
        "Work with local women's councils to reach more men.",
    ),
    "study": ("Present the findings to the inter-agency working group.",),
    "document": ("Review the text after the first year of use.",),
    "services": (
        "Reach women in remote villages with a mobile team.",
        "Share the figures with the local executive authorities to plan next year's services.",
    ),
    "tally": ("Continue the meetings twice a year.",),
}
# What a draft says so far, after the short description of its kind.
DRAFT_TEXTS = (
    "Figures to be added after the regional offices report.",
    "The description will be completed after the last activities in December.",
    "Attendance lists and statistics are still being collected.",
)
# What a reviewer writes when returning a report, by what was missing ({dimensions}: the breakdown).
RETURNS: dict[str, tuple[str, ...]] = {
    "cells": (
        "Please give the figures by {dimensions}, not only the total: the lists you keep have them.",
        "The figures are a total only; the indicator is disaggregated by {dimensions}, please fill the table.",
    ),
    "narrative": (
        "Please describe what was done: what, when, where and for whom.",
        "The description is too short to publish; say what was done, where and with whom.",
    ),
    "evidence": (
        "Please attach {backing}.",
        "Please attach a document backing the report: {backing}.",
    ),
    "financing": (
        "The amount spent from the state budget is missing.",
        "Please add what was actually spent; only the planned amount is given.",
    ),
}
REPLIES = {
    "cells": "Corrected: figures by {dimensions} added.",
    "narrative": "Description completed.",
    "evidence": "Attached.",
    "financing": "Amount spent added.",
}
BACKING = {
    "training": "the agenda and the list of participants",
    "awareness": "the list of sessions with the number of participants",
    "study": "the report of the study",
    "document": "the approved text",
    "services": "the statistics of the services",
    "tally": "the minutes of the meetings",
}
APPROVAL_NOTES = (
    "Approved. Thank you for the clear report.",
    "Approved; please keep the supporting documents for the evaluation.",
)
EVIDENCE_NAMES = {
    "training": ("training-agenda-{year}.pdf", "participants-list-{year}.pdf"),
    "awareness": ("awareness-campaign-report-{year}.pdf",),
    "study": ("study-report-{year}.pdf",),
    "document": ("approved-text-{year}.pdf",),
    "services": ("services-statistics-{year}.pdf",),
    "tally": ("meeting-minutes-{year}.pdf",),
}
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
WORDS = (
    "no",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
)


def _word(n: int) -> str:
    return WORDS[n] if n < len(WORDS) else str(n)


def demo_reports_plan(*, plan: Plan, today: date | None = None) -> list[PlannedReport]:
    """What the demo makes, report by report: for each period that has opened by ``today``, every
    expected report of the demo agencies (and a few NGO contributions), with the status it ends in
    and the steps that lead there. Reads the plan; writes nothing; the same every time."""
    today = today or timezone.localdate()
    rng = random.Random(SEED)  # noqa: S311 - demo data, not secrets
    periods = [p for p in selectors.periods(plan) if p.opens_on <= today]
    all_periods = list(selectors.periods(plan))
    indicators = list(Indicator.objects.filter(plan=plan, activity__isnull=False).order_by("position"))
    specs = selectors.indicator_specs(indicators)
    by_activity: dict[int, list[Indicator]] = {}
    for indicator in indicators:
        by_activity.setdefault(indicator.activity_id or 0, []).append(indicator)
    ngo = Organisation.objects.filter(country=plan.country, key=NGO).first()
    planned: list[PlannedReport] = []
    for period in periods:
        stage = _stage(period, all_periods)
        rows = [r for r in selectors.expected_reports(period) if r.agency.key in AGENCIES]
        outcomes = _outcomes(stage, len(rows), rng)
        for row, outcome in zip(rows, outcomes, strict=True):
            writer = f"{row.agency.key}.focal"
            planned.append(
                _plan_one(
                    rng, stage, period, row.activity, row.agency, outcome, writer, by_activity, specs, today
                )
            )
        if stage == "review" and ngo is not None:
            activities = {a.key: a for a in selectors.activities_in_period(plan, period)}
            chosen = [activities[k] for k in NGO_ACTIVITIES if k in activities]
            chosen = [a for a in chosen if selectors.may_report(a, ngo)]
            for activity, outcome in zip(
                chosen, [Status.SUBMITTED, Status.SUBMITTED, Status.DRAFT], strict=False
            ):
                planned.append(
                    _plan_one(
                        rng, stage, period, activity, ngo, outcome, NGO_WRITER, by_activity, specs, today
                    )
                )
    return planned


def _stage(period: ReportingPeriod, periods: list[ReportingPeriod]) -> str:
    """closed (approved and locked), review (reports coming in and under review) or current."""
    index = periods.index(period)
    if index >= len(periods) - 1:
        return "current"
    if index == len(periods) - 2:
        return "review"
    return "closed"


def _outcomes(stage: str, count: int, rng: random.Random) -> list[str]:
    """The statuses the period's reports end in, shuffled: one of each status of the stage's mix
    first (in the mix's order, as far as the reports go), the rest by the mix's shares."""
    mixes: dict[str, list[tuple[str, float]]] = {
        "closed": [(Status.PUBLISHED, 0.78), (Status.APPROVED, 0.14), (MISSING, 0.08)],
        "review": [
            (Status.SUBMITTED, 0.14),
            (Status.ENDORSED, 0.14),
            (Status.RETURNED, 0.14),
            (Status.APPROVED, 0.2),
            (Status.PUBLISHED, 0.18),
            (Status.DRAFT, 0.1),
            (MISSING, 0.1),
        ],
        "current": [(Status.SUBMITTED, 0.2), (Status.DRAFT, 0.5), (MISSING, 0.3)],
    }
    mix = mixes[stage]
    counts = {status: 1 if i < count else 0 for i, (status, _share) in enumerate(mix)}
    rest = count - sum(counts.values())
    exact = {status: share * rest for status, share in mix}
    for status, value in exact.items():
        counts[status] += int(value)
    # Largest remainders take the reports left over.
    order = sorted(exact, key=lambda status: exact[status] - int(exact[status]), reverse=True)
    for status in order[: count - sum(counts.values())]:
        counts[status] += 1
    outcomes = [status for status, _share in mix for _ in range(counts[status])]
    rng.shuffle(outcomes)
    return outcomes


def _plan_one(
    rng: random.Random,
    stage: str,
    period: ReportingPeriod,
    activity: Activity,
    agency: Organisation,
    outcome: str,
    writer: str,
    by_activity: dict[int, list[Indicator]],
    specs: dict[int, tuple[Any, BreakdownSpec]],
    today: date,
) -> PlannedReport:
    text = ACTIVITIES.get(activity.key, GENERIC)
    indicators = by_activity.get(activity.pk, [])
    year = period.start.year
    final, context = _content(rng, text, activity, agency, period, indicators, specs)
    report = PlannedReport(period, activity, agency, outcome, writer)
    # Decided whatever the outcome, so that one report's fate does not shift the others' draws.
    problem = rng.choice(_problems(final))
    returned_before = rng.random() < 0.15
    returned_by = rng.choice(["approver", "coordinator", "coordinator"])
    # Reports still waiting, and any submitted in the current period, came in late more often.
    late = rng.random() < (0.35 if outcome == Status.SUBMITTED else 0.15) or stage == "current"
    attach = rng.random() < 0.14
    approval_note = rng.choice(APPROVAL_NOTES) if rng.random() < 0.2 else ""
    evidence_name = rng.choice(EVIDENCE_NAMES[text.kind]).format(year=year)
    return_comment = rng.choice(RETURNS[problem]).format_map(context)
    gaps = [rng.randint(0, 75), rng.randint(0, 20), rng.randint(0, 24), rng.randint(3, 60)]
    gaps += [rng.randint(1, 8), rng.randint(2, 12), rng.randint(2, 10), rng.randint(1, 5)]
    gaps += [rng.randint(4, 30), rng.randint(3, 20), rng.randint(9, 17), rng.randint(0, 59)]
    draft = ReportInput(
        progress=ProgressStatus.IN_PROGRESS,
        done=f"{SHORT[text.kind]} {rng.choice(DRAFT_TEXTS)}",
        started_on=final.started_on,
        dates_sent=frozenset({"started_on"}),
        financing={k: {"planned": v["planned"]} for k, v in final.financing.items()},
    )
    clock = _Clock(today, hour=gaps[10], minute=gaps[11], rng=rng)
    if outcome == MISSING:
        return report
    start = clock.at(period.opens_on + timedelta(days=gaps[0]))
    report.steps.append(Step(start, "start"))
    if outcome == Status.DRAFT:
        report.steps.append(Step(clock.after(gaps[1]), "save", data=draft))
        return report
    cycle = outcome == Status.RETURNED or (
        returned_before and outcome in (Status.ENDORSED, Status.APPROVED, Status.PUBLISHED)
    )
    first = _weaker(final, problem, text.kind) if cycle else final
    report.steps.append(Step(clock.after(gaps[1]), "save", data=first))
    if attach and not (cycle and problem == "evidence"):
        report.steps.append(
            Step(clock.after(0), "evidence", file=_evidence(evidence_name, agency, activity, context))
        )
    due = period.due_on
    submit_on = due + timedelta(days=gaps[3]) if late else due - timedelta(days=gaps[2])
    report.steps.append(Step(clock.at(submit_on), "submit"))
    if outcome == Status.SUBMITTED:
        return report
    if cycle:
        if returned_by == "coordinator":
            report.steps.append(Step(clock.after(gaps[4]), "endorse"))
        report.steps.append(Step(clock.after(gaps[5]), "return", text=return_comment, by=returned_by))
        if outcome == Status.RETURNED:
            return report
        report.steps.append(Step(clock.after(gaps[6]), "comment", text=REPLIES[problem].format_map(context)))
        if problem == "evidence":
            report.steps.append(
                Step(clock.after(0), "evidence", file=_evidence(evidence_name, agency, activity, context))
            )
        report.steps.append(Step(clock.after(0), "save", data=final))
        report.steps.append(Step(clock.after(0), "submit"))
    report.steps.append(Step(clock.after(gaps[7] if cycle else gaps[4]), "endorse"))
    if outcome == Status.ENDORSED:
        return report
    report.steps.append(Step(clock.after(gaps[8]), "approve", text=approval_note))
    if outcome == Status.PUBLISHED:
        report.steps.append(Step(clock.after(gaps[9]), "publish"))
    return report


class _Clock:
    """Moments of one report's steps: always later than the step before, never after ``today``."""

    def __init__(self, today: date, *, hour: int, minute: int, rng: random.Random) -> None:
        self.limit = timezone.make_aware(datetime.combine(today, time(hour, minute)))
        self.hour, self.minute = hour, minute
        self.last: datetime | None = None
        self.minutes = rng.randint(7, 40)

    def at(self, day: date) -> datetime:
        moment = timezone.make_aware(datetime.combine(day, time(self.hour, self.minute)))
        if self.last is not None and moment <= self.last:
            moment = self.last + timedelta(minutes=self.minutes)
        moment = min(moment, self.limit)
        self.last = moment if self.last is None else max(moment, self.last)
        return self.last

    def after(self, days: int) -> datetime:
        assert self.last is not None
        return self.at((self.last + timedelta(days=days)).date())


def _problems(final: ReportInput) -> list[str]:
    """What a reviewer may find missing in this report's first version."""
    problems = ["narrative", "evidence"]
    if any(len(cells) > 1 for cells in final.values.values()):
        problems.append("cells")
    if any(line.get("spent") for line in final.financing.values()):
        problems.append("financing")
    return problems


def _weaker(final: ReportInput, problem: str, kind: str) -> ReportInput:
    """The first version of a report that was returned: ``problem`` is what the reviewer noticed."""
    if problem == "cells":
        values = {i: {TOTAL: cells[TOTAL]} for i, cells in final.values.items()}
        return _replace(final, values=values)
    if problem == "narrative":
        return _replace(final, done=SHORT[kind])
    if problem == "financing":
        return _replace(final, financing={k: {"planned": v["planned"]} for k, v in final.financing.items()})
    return final  # evidence: the file comes with the correction


def _replace(data: ReportInput, **changes: Any) -> ReportInput:
    fields = {name: getattr(data, name) for name in data.__dataclass_fields__}
    return ReportInput(**{**fields, **changes})


def _content(
    rng: random.Random,
    text: ActivityText,
    activity: Activity,
    agency: Organisation,
    period: ReportingPeriod,
    indicators: list[Indicator],
    specs: dict[int, tuple[Any, BreakdownSpec]],
) -> tuple[ReportInput, dict[str, Any]]:
    """The complete report: narrative, figures, answers, financing, dates."""
    year = period.start.year
    vocabulary = VOCABULARY.get(agency.key, VOCABULARY["scridp"])
    events = rng.randint(2, 6)
    days = rng.choice(["one-day", "two-day", "two-day", "three-day", "five-day"])
    if days.startswith(_word(events)):  # not "five five-day trainings"
        days = "two-day" if events != 2 else "three-day"
    month_from = rng.randint(1, 5)
    context: dict[str, Any] = {
        **vocabulary,
        "year": year,
        "next_year": year + 1,
        "N": _word(events).capitalize(),
        "n": _word(events),
        "days": days,
        "backing": BACKING[text.kind],
        "dimensions": "",
        "districts": _districts(rng),
        "pages": rng.randint(12, 96),
        "hours": rng.choice([8, 12, 16, 18, 24, 36]),
        "k": rng.randint(3, 12),
        "copies": rng.choice([200, 300, 500, 1000]),
        "minutes": rng.randint(12, 40),
        "num": rng.randint(120, 980),
        "order_date": f"{rng.randint(2, 27)} {MONTHS[rng.randint(0, 10)]} {year}",
        "articles": rng.randint(18, 90),
        "programmes": rng.randint(3, 16),
        "people": rng.randint(40, 260),
        "month_from": MONTHS[month_from - 1],
        "month_to": MONTHS[rng.randint(8, 11)],
        "total": 0,
        "Total": "",
        "women": 0,
        "men": 0,
    }
    figure = text.figure_for(agency.key)
    # Fewer people in the first year, under COVID-19 restrictions (small tallies excepted).
    factor = 0.6 if year == 2020 and figure.low >= 10 else 1.0
    values: dict[int, dict[str, str]] = {}
    answers: dict[int, str] = {}
    for indicator in indicators:
        if indicator.kind != IndicatorKind.COUNT:
            answers[indicator.pk] = _fill(text.answer, agency.key, context)
            continue
        total = max(1, round(rng.randint(figure.low, figure.high) * factor))
        women_share = rng.uniform(*figure.women)
        cells = _split(
            rng, total, specs[indicator.pk][1], women_share, figure.ages, _services(activity, agency)
        )
        values[indicator.pk] = {TOTAL: str(total), **{k: str(v) for k, v in cells.items()}}
        women = sum(v for k, v in cells.items() if "sex:women" in k)
        context.update(
            total=total,
            Total=_word(total).capitalize() if total < len(WORDS) else str(total),
            women=women,
            men=sum(cells.values()) - women if cells else 0,
            dimensions=" and ".join(
                DIMENSION_WORDS.get(d.code, d.code) for d in specs[indicator.pk][1].dimensions
            ),
        )
    progress = ProgressStatus.COMPLETED
    end_year = activity.end_year or activity.priority_area.end_year or year
    if end_year > year:
        progress = ProgressStatus.IN_PROGRESS
    delayed = rng.random() < 0.08
    if delayed:
        progress = ProgressStatus.DELAYED
    covid = COVID["events" if text.kind in EVENTS else "desk"] if year <= 2021 else ()
    pool = CHALLENGES[text.kind] + covid
    challenges = rng.choice(pool) if delayed or year == 2020 or rng.random() < 0.55 else ""
    next_steps = rng.choice(NEXT_STEPS[text.kind]) if rng.random() < 0.6 else ""
    started = date(year, month_from, rng.randint(1, 28))
    finished = (
        date(year, rng.randint(9, 12), rng.randint(1, 28)) if progress == ProgressStatus.COMPLETED else None
    )
    financing: dict[str, dict[str, str]] = {}
    low, high = text.cost
    # Agencies spend the state budget, sometimes with an international partner's grant; the NGO
    # spends grants from international partners and sometimes its own or donated funds.
    main, extra = ("international", "other") if agency.key == NGO else ("state_budget", "international")
    if high:
        planned = Decimal(rng.randint(low, high) // 100 * 100)
        spent = (planned * Decimal(rng.randint(72, 100)) / 100).quantize(Decimal("1"))
        financing[main] = {"planned": f"{planned}", "spent": f"{spent}.00"}
        if rng.random() < 0.25:
            grant = Decimal(rng.randint(20, 150) * 100)
            used = (grant * Decimal(rng.randint(60, 100)) / 100).quantize(Decimal("0.01"))
            financing[extra] = {"planned": f"{grant}", "spent": f"{used}"}
    data = ReportInput(
        progress=progress,
        done=_fill(text.done, agency.key, context),
        challenges=challenges,
        next_steps=next_steps,
        started_on=started,
        finished_on=finished,
        dates_sent=frozenset({"started_on", "finished_on"}),
        values=values,
        answers=answers,
        financing=financing,
    )
    return data, context


def _fill(templates: dict[str, str], agency: str, context: dict[str, Any]) -> str:
    template = templates.get(agency) or templates.get("*") or next(iter(templates.values()), "")
    return template.format_map(context)


def _districts(rng: random.Random) -> str:
    names = rng.sample(DISTRICTS, rng.randint(1, 3))
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _services(activity: Activity, agency: Organisation) -> dict[str, float]:
    if activity.key == "5.3.3-3":
        return SERVICES["business"]
    return SERVICES.get(agency.key, SERVICES["mlspp"])


def _split(
    rng: random.Random,
    total: int,
    spec: BreakdownSpec,
    women_share: float,
    ages: str,
    services: dict[str, float],
) -> dict[str, int]:
    """``total`` spread over the breakdown's cells in whole numbers that add up to it exactly."""
    cells = spec.cells()
    if not cells:
        return {}
    weights = []
    for cell in cells:
        weight = 1.0
        for dimension, option in cell.options:
            if dimension == "sex":
                weight *= women_share if option == "women" else 1 - women_share
            elif dimension == "age":
                weight *= AGE_PROFILES[ages].get(option, 0)
            elif dimension == "service":
                weight *= services.get(option, 0)
        weights.append(weight * rng.uniform(0.75, 1.25) if weight else 0.0)
    scale = sum(weights) or 1.0
    exact = [total * w / scale for w in weights]
    counts = [int(x) for x in exact]
    # Largest remainders get the units left over, so that the parts sum to the total.
    order = sorted(range(len(cells)), key=lambda i: exact[i] - counts[i], reverse=True)
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return {cell.key: count for cell, count in zip(cells, counts, strict=True)}


def _evidence(
    name: str, agency: Organisation, activity: Activity, context: dict[str, Any]
) -> tuple[str, bytes]:
    title = name.removesuffix(".pdf").replace("-", " ").capitalize()
    lines = [
        f"{agency.name}",
        f"Activity {activity.code or activity.key}, {context['year']}",
        f"Districts: {context['districts']}",
        "Demo document generated by wpsnap demo load.",
    ]
    return name, pdf(title, lines)


def pdf(title: str, lines: list[str]) -> bytes:
    """A small valid one-page PDF (Helvetica, ASCII text) with a title and a few lines."""

    def escape(text: str) -> str:
        text = text.encode("ascii", "replace").decode("ascii")
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    ops = [f"BT /F1 16 Tf 72 770 Td ({escape(title)}) Tj /F1 11 Tf"]
    ops += [f"0 -22 Td ({escape(line)}) Tj" for line in lines]
    stream = ("\n".join(ops) + "\nET").encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


# --- loading ----------------------------------------------------------------------------------------


# The demo replays steps taken years ago: nobody is to be e-mailed about them.
QUIET_MAIL = {"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}


def demo_reports_load(*, plan: Plan, today: date | None = None, lock: bool = True) -> Result:
    """Make the demo's progress reports through the services, as the demo people would have (see
    the module's docstring), then (unless ``lock`` is false: see ``demo_periods_lock``) lock the
    closed periods. The plan must be set up for reporting (``reporting_setup``) and the demo people
    loaded. Idempotent: a second run creates nothing and changes nothing."""
    today = today or timezone.localdate()
    result = Result()
    planned = demo_reports_plan(plan=plan, today=today)
    result.planned = planned
    usernames = {COORDINATOR, NGO_WRITER} | {f"{a}.{r}" for a in AGENCIES for r in ("focal", "approver")}
    people = {u.username: u for u in User.objects.filter(username__in=usernames, is_active=True)}
    existing = set(
        ProgressReport.objects.filter(plan=plan).values_list("activity_id", "agency_id", "period_id")
    )
    with override_settings(MAILERS=QUIET_MAIL), transaction.atomic():
        for item in planned:
            if item.outcome == MISSING:
                result.missing += 1
            elif item.key in existing or item.period.is_locked:
                result.existing += 1
            elif item.writer in people:
                report = _replay(item, people)
                result.created += 1
                result.evidence += sum(1 for step in item.steps if step.action == "evidence")
                result.by_period.setdefault(item.period.label, Counter())[report.status] += 1
        if lock:
            _lock_closed_periods(plan, planned, people, today, result)
    return result


def demo_periods_lock(*, plan: Plan, result: Result, today: date | None = None) -> Result:
    """The last step of the demo's reporting, for a load that records more (the demo's events) in
    the closed periods before they are locked: ``demo_reports_load(lock=False)`` first, then this
    with its result."""
    today = today or timezone.localdate()
    people = {u.username: u for u in User.objects.filter(username=COORDINATOR, is_active=True)}
    if COORDINATOR not in people:
        return result
    with override_settings(MAILERS=QUIET_MAIL), transaction.atomic():
        _lock_closed_periods(plan, result.planned, people, today, result)
    return result


def _replay(item: PlannedReport, people: dict[str, User]) -> ProgressReport:
    writer = people[item.writer]
    approver = people.get(f"{item.agency.key}.approver")
    coordinator = people[COORDINATOR]
    report: ProgressReport | None = None
    for step in item.steps:
        now = step.at
        if step.action == "start":
            report = services.report_start(
                actor=writer, activity=item.activity, agency=item.agency, period=item.period, now=now
            )
            continue
        assert report is not None
        if step.action == "save":
            assert step.data is not None
            saved = services.report_save(actor=writer, report=report, data=step.data, now=now)
            assert saved.ok or item.outcome == Status.DRAFT, saved.problems
        elif step.action == "evidence":
            assert step.file is not None
            name, content = step.file
            services.evidence_add(actor=writer, report=report, name=name, content=content, now=now)
        elif step.action == "submit":
            report = services.report_submit(actor=writer, report=report, now=now)
        elif step.action == "endorse":
            report = services.report_endorse(actor=approver, report=report, now=now)
        elif step.action == "return":
            reviewer = approver if step.by == "approver" else coordinator
            report = services.report_return(actor=reviewer, report=report, comment=step.text, now=now)
        elif step.action == "comment":
            services.comment_add(actor=writer, report=report, text=step.text, now=now)
        elif step.action == "approve":
            report = services.report_approve(actor=coordinator, report=report, comment=step.text, now=now)
        elif step.action == "publish":
            report = services.report_publish(actor=coordinator, report=report, now=now)
    assert report is not None
    return report


def _lock_closed_periods(
    plan: Plan, planned: list[PlannedReport], people: dict[str, User], today: date, result: Result
) -> None:
    """The coordinator locks each closed period a few days after its last step."""
    periods = list(selectors.periods(plan))
    for period in periods:
        if period.is_locked or _stage(period, periods) != "closed" or period.opens_on > today:
            continue
        moments = [step.at for item in planned if item.period == period for step in item.steps]
        last = max(moments, default=timezone.make_aware(datetime.combine(period.due_on, time(12))))
        moment = min(last + timedelta(days=3), timezone.make_aware(datetime.combine(today, time(18))))
        try:
            services.period_lock(actor=people[COORDINATOR], period=period, now=moment)
        except InvalidInput:
            continue  # reports someone made in the demo wait for review: the period stays open
        result.locked.append(period.label)
