"""Demo events and participants for 2020-2023, recorded through the services by the demo people.

The agencies' focal points (and the NGO's contributor) record what they organised: trainings for the
armed forces, the police and the border guards, awareness-raising in the districts along the former
line of contact, the consultations with internally displaced women that make up the dialogue
mechanism of 5.2.2.1 (with the issues raised and the answers given), surveys, media campaigns. Each
event is created with ``event_create`` as its agency's writer, its participants added as a CSV file,
pasted rows or typed records (or, where no list is kept, as counts by sex and age band), and some
get an agenda file. Every call is given the moment it would have happened (the services' ``now``): a
few days after the event.

Where the demo's progress reports give a figure for an indicator bound to event data, the events of
that activity, agency and year are built from it: for some the participants add up to exactly the
reported cells (the derived values agree), for others a few people more or fewer were recorded than
reported (the difference is highlighted). Where there is no figure (drafts, missing reports,
activities not bound), the events are drawn on their own: the report form can take their figures.

Participants carry no names, except a few rows with an obviously fictitious placeholder and consent.

Everything is drawn from ``random.Random(SEED)`` in a fixed order before anything is written, so the
demo is the same every time. A second load writes nothing: events are found by organiser, first day
and type; events in locked periods are never written.
"""

from __future__ import annotations

import csv
import io
import random
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from wpsnap.accounts.models import Organisation, Role, User
from wpsnap.plan.models import Activity, Indicator, Plan
from wpsnap.registries.models import (
    Event,
    EventFilePurpose,
    EventKind,
    ImportSource,
    Measure,
    Participation,
    Topic,
)
from wpsnap.registries.participants import COLUMNS
from wpsnap.registries.selectors import district_names, rules_for
from wpsnap.registries.services.events import EventInput, counts_save, event_create, event_file_add
from wpsnap.registries.services.participants import (
    participants_add_rows,
    participants_import_file,
    participants_import_text,
)
from wpsnap.reporting import selectors as reporting
from wpsnap.reporting.disaggregation import TOTAL, cell_key, parse_cell_key
from wpsnap.reporting.models import ReportingPeriod
from wpsnap.reporting.workflow import Status

from .data import NGO, PEOPLE
from .reports import MISSING, QUIET_MAIL, PlannedReport, demo_reports_plan, pdf

SEED = 1889
AGREE, DIFFER, OWN = "agree", "differ", "own"
# Where the demo wants a sure example of each: MoD's officers' trainings (5.1.2.3).
FIXED_MODES = {("5.1.2-3", "mod", 2020): DIFFER, ("5.1.2-3", "mod", 2021): AGREE}
MAX_EVENTS = 5
WRITERS = {p.organisation: p.username for p in PEOPLE if p.role in (Role.FOCAL_POINT, Role.NGO_CONTRIBUTOR)}
BANDS = (("0-17", 0, 17), ("18-24", 18, 24), ("25-34", 25, 34), ("35-59", 35, 59), ("60-plus", 60, 79))
# Obviously made-up names for the few rows kept with a name (and consent).
PLACEHOLDERS = tuple(f"Demo Participant {letter}" for letter in "ABCDEFGHJK")
ONLINE = "Online (video conference)"


@dataclass
class Result:
    created: int = 0
    # Planned events found already there (same organiser, first day and type): left as they are.
    existing: int = 0
    # Planned events in a period locked before this run: not written.
    locked: int = 0
    listed: int = 0  # participants recorded one row per person
    counted: int = 0  # participants recorded as counts
    files: int = 0
    by_kind: Counter[str] = field(default_factory=Counter)


# --- who comes ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Audience:
    """Who comes to an agency's events: the women's share, the ages (a triangular draw: youngest,
    most common, oldest), population groups (weights; "" for not recorded) and what people do."""

    women: tuple[float, float]
    ages: tuple[int, int, int]
    affiliations: tuple[str, ...]
    groups: tuple[tuple[str, float], ...] = (("", 1.0),)
    # The share of participants from the event's own district (the others from nearby ones).
    local: float = 0.85


OFFICERS = Audience(
    (0.06, 0.14),
    (22, 31, 52),
    (
        "Ministry of Defense, officer",
        "Ministry of Defense, officer",
        "Land Forces, company commander",
        "Military Academy, instructor",
        "State Border Service, officer",
        "Military police, officer",
        "Ministry of Defense, personnel department",
        "Military medical service, doctor",
    ),
)
SERVICEWOMEN_MOD = Audience(
    (1.0, 1.0),
    (21, 29, 48),
    (
        "Ministry of Defense, sergeant",
        "Ministry of Defense, lieutenant",
        "Military medical service, doctor",
        "Military Academy, instructor",
        "Ministry of Defense, signals officer",
    ),
)
SERVICEWOMEN_MIA = Audience(
    (1.0, 1.0),
    (22, 30, 50),
    (
        "Police inspector, district police department",
        "Juvenile affairs inspector",
        "Police lieutenant, patrol service",
        "Investigator, district police department",
        "Migration and passport service, officer",
    ),
)
PEACEBUILDERS = Audience(
    (0.35, 0.5),
    (23, 34, 58),
    (
        "Ministry of Defense, officer",
        "University lecturer, conflict studies",
        "NGO, peacebuilding programme",
        "Youth organisation, volunteer",
        "Journalist",
        "Local executive authority, specialist",
    ),
)
TEACHERS = Audience(
    (0.72, 0.86),
    (23, 41, 62),
    (
        "Teacher, secondary school",
        "Teacher of history",
        "Teacher of civics",
        "School principal",
        "Deputy principal",
        "School psychologist",
        "Methodologist, Institute of Education",
    ),
)
GENDER_OFFICERS = Audience(
    (0.62, 0.8),
    (27, 39, 58),
    (
        "{agency}, gender officer",
        "{agency}, gender officer",
        "{agency}, personnel department",
        "{agency}, legal department",
        "{agency}, head of sector",
        "{agency}, regional office",
    ),
)
LAW = Audience(
    (0.3, 0.45),
    (25, 38, 60),
    (
        "Lawyer, Bar Association",
        "Judge, district court",
        "Police officer, district police department",
        "Investigator, prosecutor's office",
        "Legal adviser, SCRIDP regional office",
        "Legal clinic, university",
    ),
)
RESIDENTS = Audience(
    (0.5, 0.62),
    (16, 38, 72),
    (
        "Resident",
        "Resident",
        "Teacher, village school",
        "Nurse, village health post",
        "Municipality member",
        "Farmer",
        "Student",
        "Head of the village's women's council",
    ),
    (("conflict-affected", 0.6), ("idp", 0.25), ("host-community", 0.15)),
)
PUBLIC = Audience(
    (0.52, 0.66),
    (8, 34, 75),
    ("",),
    (("conflict-affected", 0.55), ("idp", 0.3), ("host-community", 0.15)),
)
SOLDIERS = Audience((0.06, 0.14), (18, 22, 45), ("",))
PUPILS = Audience((0.5, 0.58), (13, 16, 55), ("",))
IDP_WOMEN = Audience(
    (0.86, 0.96),
    (18, 38, 74),
    (
        "Homemaker",
        "Homemaker",
        "Teacher",
        "Nurse",
        "Unemployed",
        "Head of household",
        "Member of the settlement's women's council",
        "Small business owner",
        "Student",
        "",
    ),
    (("idp", 0.85), ("conflict-affected", 0.15)),
    local=0.7,
)
WOMEN_ENTREPRENEURS = Audience(
    (0.92, 1.0),
    (19, 33, 56),
    (
        "Homemaker",
        "Unemployed",
        "Seamstress",
        "Small business owner",
        "Farmer",
        "Hairdresser",
        "Confectioner",
    ),
    (("idp", 0.5), ("conflict-affected", 0.35), ("host-community", 0.15)),
)
CIVIL_SERVANTS = Audience(
    (0.6, 0.8),
    (24, 36, 57),
    (
        "District executive authority, specialist",
        "Municipality, head of department",
        "Ministry employee",
        "State committee employee",
        "Regional office, deputy head",
    ),
)
JOURNALISTS = Audience(
    (0.5, 0.62),
    (22, 32, 58),
    (
        "Journalist, regional newspaper",
        "Reporter, regional TV",
        "Radio presenter",
        "Editor, news website",
        "Freelance journalist",
        "Photojournalist",
    ),
)
CHILDREN = Audience((0.75, 0.9), (9, 13, 17), ("",), (("idp", 0.8), ("conflict-affected", 0.2)))


# --- what the agencies organise -----------------------------------------------------------------------


@dataclass(frozen=True)
class Format:
    """One kind of event an agency holds for an activity: its type, titles, size and texts."""

    kind: str
    titles: tuple[str, ...]
    size: tuple[int, int]
    participation: str = Participation.LIST
    days: tuple[int, int] = (1, 2)
    content: tuple[str, ...] = ()
    outcomes: tuple[str, ...] = ()
    dialogue: str = ""  # a key of DIALOGUES: the issues raised and the answers given
    agenda: float = 0.35  # the chance of an agenda file
    weight: float = 1.0


@dataclass(frozen=True)
class Series:
    """An agency's events for one activity of the plan."""

    activity: str  # the activity's key
    agency: str
    formats: tuple[Format, ...]
    audience: Audience
    topics: tuple[str, ...]
    places: tuple[tuple[str, str], ...]  # (district code, place); "" for the district's own centre
    partners: tuple[str, ...] = ()
    years: tuple[int, ...] = ()  # () for every year the activity runs
    share: float = 1.0  # the chance that a year's events were recorded at all
    events: tuple[int, int] = (1, 3)  # events a year where no figure is reported


FRONTLINE = (
    "tartar",
    "aghdam",
    "fuzuli",
    "goranboy",
    "barda",
    "aghjabadi",
    "beylagan",
    "tovuz",
    "gazakh",
    "aghstafa",
    "gadabay",
)
IDP_DISTRICTS = (
    "baku",
    "sumgayit",
    "absheron",
    "barda",
    "aghjabadi",
    "beylagan",
    "goranboy",
    "yevlakh",
    "mingachevir",
)

TRAINING_CONTENT = (
    "Programme: the women, peace and security agenda and UNSCR 1325; the resolutions that followed "
    "(1820, 1888, 1889, 2242); gender equality in the law of Azerbaijan; case studies and group work.",
    "Two sessions a day: lectures in the morning, exercises on case studies in the afternoon; pre- and "
    "post-test; handouts in Azerbaijani.",
    "Interactive sessions with a national trainer: international humanitarian law, protection of "
    "civilians, preventing conflict-related sexual violence, the role of women in the armed forces.",
)
TRAINING_OUTCOMES = (
    "Average test score rose from {pre}% before to {post}% after the training.",
    "Participants asked for a follow-up course on {follow}; {k} of them volunteered as trainers.",
    "Evaluation forms: {post}% rated the training useful for their work.",
    "",
)
AWARENESS_CONTENT = (
    "Talk by a trainer and a psychologist, a short film and questions from the audience; leaflets in "
    "Azerbaijani handed out.",
    "Meeting at the village school with the municipality and the local women's council; leaflets and "
    "posters left with the school.",
)
AWARENESS_OUTCOMES = (
    "{k} people asked for individual advice and were referred to the district's services.",
    "The municipality asked for a second session for the neighbouring villages.",
    "",
)

MOD_TRAINING = Format(
    EventKind.TRAINING,
    (
        "UNSCR 1325 and 1820: protection of civilians — course for officers",
        "Human rights and gender equality in military service: training for officers",
        "Gender perspective in military operations: training for company commanders",
        "Women, peace and security: training of trainers for Military Academy instructors",
        "International humanitarian law and conflict-related sexual violence: training for military police",
        "Gender equality and UNSCR 1325: training for officers of the State Border Service",
    ),
    (16, 34),
    days=(2, 5),
    content=TRAINING_CONTENT,
    outcomes=TRAINING_OUTCOMES,
    agenda=0.6,
)
GENDER_OFFICER_TRAINING = Format(
    EventKind.TRAINING,
    (
        "The gender officer's powers in practice: gender analysis of internal acts",
        "Sex-disaggregated personnel data and handling discrimination complaints",
        "Gender equality, UNSCR 1325 and CEDAW: training for gender officers",
        "International mechanisms for the rights of women and girls: CEDAW reporting",
    ),
    (12, 30),
    days=(1, 3),
    content=(
        "Sessions on the Law on guarantees of gender equality, the gender officer's order, the CEDAW "
        "Committee's concluding observations and UNSCR 1325; exercises on reviewing a draft internal act.",
        "Workshop with the State Committee for Family, Women and Children Affairs: collecting and "
        "reporting sex-disaggregated data, receiving and handling complaints.",
    ),
    outcomes=TRAINING_OUTCOMES,
    agenda=0.5,
)
DIALOGUE_CONSULTATION = Format(
    EventKind.CONSULTATION,
    (
        "Consultation with internally displaced women in {district}",
        "Dialogue meeting with displaced women: housing, jobs and services",
        "Women's council meeting in the {district} IDP settlement",
        "Consultation with displaced women on the return to liberated districts",
    ),
    (15, 42),
    days=(1, 1),
    content=(
        "Open meeting at the settlement's community centre with the Committee's regional office, the "
        "district executive authority and the employment centre; women spoke in turn, the answers were "
        "given on the spot or promised in writing.",
        "Meeting in small groups (housing, jobs, children and health) and a plenary where each group "
        "presented its questions to the officials present.",
    ),
    outcomes=(
        "Questions that could not be answered on the spot were sent to the agencies concerned; replies "
        "due within 15 working days.",
        "Proposals summarised for the working group on the State Programme for IDPs.",
    ),
    dialogue="idp",
    agenda=0.4,
    weight=3.0,
)
DIALOGUE_SURVEY = Format(
    EventKind.SURVEY,
    (
        "Survey of internally displaced women on their needs and priorities",
        "Online and telephone survey of displaced women in the settlements",
    ),
    (60, 140),
    participation=Participation.COUNTS,
    days=(14, 30),
    content=(
        "Questionnaire of 24 questions (housing, income, health, children's education, safety, "
        "participation in decisions), by telephone and online; answers anonymous.",
    ),
    outcomes=("Findings presented to the working group on the State Programme for IDPs.",),
    dialogue="survey",
    agenda=0.0,
)
CONSTRUCTION_CONSULTATION = Format(
    EventKind.CONSULTATION,
    (
        "Consultation with women on the design of the new settlement in {district}",
        "Meeting with displaced women on the new residential buildings in {district}",
    ),
    (15, 35),
    days=(1, 1),
    content=(
        "The architects presented the plans of the new residential buildings; the women commented "
        "flat by flat and on the courtyards, the school and the health post.",
    ),
    outcomes=("The proposals were sent to the design institute with the Committee's comments.",),
    dialogue="construction",
    agenda=0.3,
)
CIVIL_DEFENCE = Format(
    EventKind.TRAINING,
    (
        "Civil defence training for residents of {district}: shelters, first aid and evacuation",
        "First aid and evacuation drill for residents of frontline villages",
        "Civil defence training for women and older pupils in {district}",
    ),
    (24, 48),
    days=(1, 1),
    content=(
        "With the Ministry of Emergency Situations: warning signals, the nearest shelter, what to take "
        "when evacuating, first aid for bleeding and burns; a drill in the school's shelter.",
    ),
    outcomes=(
        "A list of residents who need help to reach the shelter was drawn up with the municipality.",
        "",
    ),
    agenda=0.25,
)
MINE_RISK = Format(
    EventKind.AWARENESS,
    (
        "Mine risk awareness session in {district}",
        "Meeting with residents of frontline villages on mines and unexploded ordnance",
        "Mine risk education for women and children in {district}",
    ),
    (70, 180),
    participation=Participation.COUNTS,
    days=(1, 1),
    content=AWARENESS_CONTENT,
    outcomes=AWARENESS_OUTCOMES,
    agenda=0.0,
)
MEDIA = Format(
    EventKind.MEDIA_CAMPAIGN,
    (
        "Media campaign “Women in peacebuilding”",
        "Press tour for regional journalists: women in the liberated districts",
        "Media club for regional journalists on reporting gender-based violence",
    ),
    (8, 18),
    days=(2, 30),
    content=(
        "Journalists met women peacebuilders, servicewomen and displaced women; the campaign ran on "
        "regional TV, radio and news websites.",
    ),
    outcomes=("{k} articles and {programmes} TV and radio programmes published in the weeks that followed.",),
    agenda=0.3,
)

SERIES: tuple[Series, ...] = (
    # --- Ministry of Defense
    Series(
        "5.1.2-3",
        "mod",
        (MOD_TRAINING,),
        OFFICERS,
        ("unscr-1325", "unscr-1820", "human-rights"),
        (
            ("baku", "Military Academy of the Armed Forces, Baku"),
            ("baku", "Training and Education Centre of the Armed Forces, Baku"),
            ("ganja", "Garrison officers' club, Ganja"),
            ("nakhchivan", "Training centre of the Separate Combined-Arms Army, Nakhchivan"),
            ("baku", "State Border Service Academy, Baku"),
        ),
        partners=("scfwca",),
        events=(2, 4),
    ),
    Series(
        "5.1.2-2",
        "mod",
        (
            Format(
                EventKind.AWARENESS,
                (
                    "Lecture on preventing sexual and gender-based violence in conflict for military personnel",
                    "Awareness session for servicemen and servicewomen: conflict-related sexual violence",
                ),
                (120, 260),
                participation=Participation.COUNTS,
                days=(1, 1),
                content=AWARENESS_CONTENT[:1],
                outcomes=AWARENESS_OUTCOMES,
                agenda=0.0,
            ),
        ),
        SOLDIERS,
        ("gbv-prevention", "unscr-1820"),
        tuple(
            (d, "Military unit's club, {district}")
            for d in ("tartar", "goranboy", "fuzuli", "tovuz", "gazakh")
        ),
    ),
    Series(
        "5.2.3-2",
        "mod",
        (
            Format(
                EventKind.TRAINING,
                (
                    "Conflict resolution and peacebuilding: training for selected participants",
                    "Mediation and negotiation skills: training for peacebuilders",
                ),
                (12, 26),
                days=(3, 5),
                content=TRAINING_CONTENT[1:2],
                outcomes=TRAINING_OUTCOMES,
                agenda=0.5,
            ),
        ),
        PEACEBUILDERS,
        ("mediation", "peacebuilding"),
        (("baku", "Military Academy of the Armed Forces, Baku"),),
        partners=(NGO,),
    ),
    Series(
        "5.2.4-1",
        "mod",
        (
            Format(
                EventKind.TRAINING,
                ("Human rights, peacebuilding and communication skills: training for servicewomen",),
                (10, 16),
                days=(2, 3),
                outcomes=TRAINING_OUTCOMES,
            ),
        ),
        SERVICEWOMEN_MOD,
        ("human-rights", "leadership", "peacebuilding"),
        (("baku", "Military Academy of the Armed Forces, Baku"),),
    ),
    Series(
        "5.2.6-2",
        "mod",
        (GENDER_OFFICER_TRAINING,),
        GENDER_OFFICERS,
        ("human-rights",),
        (("baku", "Ministry of Defense, Baku"),),
        partners=("scfwca",),
        share=0.7,
        events=(1, 1),
    ),
    Series(
        "5.2.6-3",
        "mod",
        (GENDER_OFFICER_TRAINING,),
        GENDER_OFFICERS,
        ("unscr-1325", "cedaw"),
        (("baku", "Ministry of Defense, Baku"),),
        partners=("scfwca",),
        events=(1, 2),
    ),
    Series(
        "5.4.1-1",
        "mod",
        (MINE_RISK,),
        PUBLIC,
        ("civil-defence",),
        tuple(
            (d, "Village school, {district}") for d in ("tartar", "aghdam", "fuzuli", "goranboy", "aghjabadi")
        ),
        events=(2, 4),
    ),
    Series(
        "5.4.1-2",
        "mod",
        (CIVIL_DEFENCE,),
        RESIDENTS,
        ("civil-defence",),
        tuple(
            (d, "Community centre, {district}") for d in ("tartar", "goranboy", "tovuz", "gazakh", "aghstafa")
        ),
        share=0.8,
    ),
    Series(
        "5.4.1-3",
        "mod",
        (MEDIA,),
        JOURNALISTS,
        ("unscr-1325", "peacebuilding"),
        (("baku", "Ministry of Defense press service, Baku"),),
        years=(2021, 2022),
        events=(1, 1),
    ),
    # --- Ministry of Internal Affairs
    Series(
        "5.2.4-1",
        "mia",
        (
            Format(
                EventKind.TRAINING,
                ("Communication skills and human rights: training for policewomen",),
                (10, 16),
                days=(2, 3),
                outcomes=TRAINING_OUTCOMES,
            ),
        ),
        SERVICEWOMEN_MIA,
        ("human-rights", "leadership"),
        (("baku", "Police Academy, Baku"),),
    ),
    Series(
        "5.2.1-1",
        "mia",
        (
            Format(
                EventKind.SURVEY,
                ("Survey of women police officers on obstacles to their careers",),
                (90, 180),
                participation=Participation.COUNTS,
                days=(20, 40),
                content=("Anonymous questionnaire sent to every regional police department.",),
                dialogue="careers",
                agenda=0.0,
            ),
        ),
        SERVICEWOMEN_MIA,
        ("leadership",),
        (("", ""),),
        years=(2020,),
        events=(1, 1),
    ),
    Series(
        "5.2.6-2",
        "mia",
        (GENDER_OFFICER_TRAINING,),
        GENDER_OFFICERS,
        ("human-rights",),
        (("baku", "Police Academy, Baku"),),
        share=0.7,
        events=(1, 1),
    ),
    Series(
        "5.2.6-3",
        "mia",
        (GENDER_OFFICER_TRAINING,),
        GENDER_OFFICERS,
        ("unscr-1325", "cedaw", "trafficking"),
        (("baku", "Police Academy, Baku"),),
        share=0.6,
        events=(1, 1),
    ),
    # --- State Committee for Affairs of Refugees and IDPs
    Series(
        "5.1.1-1",
        "scridp",
        (
            Format(
                EventKind.SURVEY,
                ("Needs assessment: household survey of displaced and conflict-affected people",),
                (120, 220),
                participation=Participation.COUNTS,
                days=(20, 45),
                content=("Household questionnaire on safety, access to services and livelihoods.",),
                dialogue="survey",
                agenda=0.0,
            ),
            Format(
                EventKind.AWARENESS,
                ("Focus group on safety and access to services in {district}",),
                (10, 18),
                days=(1, 1),
                agenda=0.0,
            ),
        ),
        IDP_WOMEN,
        ("idp-women", "human-rights"),
        tuple((d, "Community centre, {district}") for d in ("barda", "aghjabadi", "goranboy")),
    ),
    Series(
        "5.1.1-2",
        "scridp",
        (
            Format(
                EventKind.AWARENESS,
                ("Information session on human rights and personal safety in {district}",),
                (20, 45),
                days=(1, 1),
                content=AWARENESS_CONTENT,
                outcomes=AWARENESS_OUTCOMES,
                agenda=0.0,
            ),
        ),
        RESIDENTS,
        ("human-rights", "gbv-prevention"),
        tuple((d, "IDP settlement's community centre, {district}") for d in IDP_DISTRICTS[3:8]),
    ),
    Series(
        "5.2.2-1",
        "scridp",
        (DIALOGUE_CONSULTATION, DIALOGUE_SURVEY),
        IDP_WOMEN,
        ("idp-women", "unscr-1325"),
        tuple((d, "IDP settlement's community centre, {district}") for d in IDP_DISTRICTS),
        partners=("mlspp",),
        events=(3, 5),
    ),
    Series(
        "5.3.2-1",
        "scridp",
        (
            Format(
                EventKind.TRAINING,
                (
                    "UN Security Council resolutions on women, peace and security for lawyers and law-enforcement staff",
                    "Legal protection of displaced women: training for lawyers and the Committee's staff",
                ),
                (14, 30),
                days=(2, 2),
                content=TRAINING_CONTENT[:1],
                outcomes=TRAINING_OUTCOMES,
                agenda=0.5,
            ),
        ),
        LAW,
        ("unscr-1325", "cedaw", "human-rights"),
        (("baku", "Justice Academy, Baku"), ("ganja", "Committee's regional office, Ganja")),
        partners=("moj",),
    ),
    Series(
        "5.4.1-1",
        "scridp",
        (MINE_RISK,),
        PUBLIC,
        ("civil-defence",),
        tuple((d, "IDP settlement, {district}") for d in ("aghjabadi", "barda", "beylagan", "fuzuli")),
        share=0.7,
    ),
    Series(
        "5.4.1-2",
        "scridp",
        (CIVIL_DEFENCE,),
        RESIDENTS,
        ("civil-defence",),
        tuple(
            (d, "IDP settlement's school, {district}") for d in ("aghjabadi", "barda", "beylagan", "goranboy")
        ),
        share=0.8,
    ),
    Series(
        "5.4.5-1",
        "scridp",
        (CONSTRUCTION_CONSULTATION,),
        IDP_WOMEN,
        ("idp-women",),
        tuple((d, "Committee's office, {district}") for d in ("fuzuli", "aghdam", "jabrayil", "zangilan")),
        years=(2021, 2022, 2023),
        events=(1, 2),
    ),
    Series(
        "5.4.4-1",
        "scridp",
        (
            Format(
                EventKind.OTHER,
                (
                    "Summer camp for girls from displaced families",
                    "Opening of the women's resource centre in the {district} settlement",
                ),
                (30, 70),
                participation=Participation.COUNTS,
                days=(1, 10),
                content=("Run with the district executive authority; funded from the project's budget.",),
                agenda=0.0,
            ),
        ),
        CHILDREN,
        ("idp-women",),
        tuple((d, "New settlement, {district}") for d in ("fuzuli", "aghdam")),
        years=(2022, 2023),
        events=(1, 1),
    ),
    Series(
        "5.2.6-3",
        "scridp",
        (GENDER_OFFICER_TRAINING,),
        GENDER_OFFICERS,
        ("unscr-1325", "cedaw"),
        (("baku", "State Committee for Affairs of Refugees and IDPs, Baku"),),
        share=0.5,
        events=(1, 1),
    ),
    # --- Ministry of Labour and Social Protection of Population
    Series(
        "5.2.6-2",
        "mlspp",
        (GENDER_OFFICER_TRAINING,),
        GENDER_OFFICERS,
        ("human-rights",),
        (("baku", "Ministry's Training Centre, Baku"),),
        share=0.6,
        events=(1, 1),
    ),
    Series(
        "5.3.3-3",
        "mlspp",
        (
            Format(
                EventKind.TRAINING,
                ("“Start and improve your business” course for women in {district}",),
                (12, 24),
                days=(3, 5),
                content=("Business idea, plan and costs; registration as an entrepreneur; micro-credit.",),
                outcomes=("{k} participants submitted a business plan to the self-employment programme.",),
                agenda=0.5,
            ),
        ),
        WOMEN_ENTREPRENEURS,
        ("financial-literacy",),
        tuple(
            (d, "Employment centre, {district}") for d in ("barda", "aghjabadi", "goranboy", "mingachevir")
        ),
    ),
    Series(
        "5.3.3-4",
        "mlspp",
        (
            Format(
                EventKind.TRAINING,
                ("Family budget and financial literacy for women in {district}",),
                (12, 25),
                days=(1, 2),
                agenda=0.3,
            ),
        ),
        WOMEN_ENTREPRENEURS,
        ("financial-literacy",),
        tuple((d, "DOST centre, {district}") for d in ("sumgayit", "absheron", "yevlakh")),
        share=0.7,
    ),
    # --- Ministry of Education
    Series(
        "5.1.2-3",
        "moe",
        (
            Format(
                EventKind.TRAINING,
                (
                    "Gender equality and the women, peace and security agenda: training for teachers",
                    "Teaching UNSCR 1325 in civics lessons: training for school administrators",
                ),
                (18, 36),
                days=(2, 3),
                content=TRAINING_CONTENT[:2],
                outcomes=TRAINING_OUTCOMES,
                agenda=0.5,
            ),
        ),
        TEACHERS,
        ("unscr-1325", "human-rights"),
        (("baku", "Institute of Education, Baku"), ("ganja", "Ganja State University")),
        share=0.8,
    ),
    Series(
        "5.1.2-2",
        "moe",
        (
            Format(
                EventKind.AWARENESS,
                ("Awareness session on preventing gender-based violence for senior pupils and parents",),
                (110, 240),
                participation=Participation.COUNTS,
                days=(1, 1),
                content=AWARENESS_CONTENT[:1],
                outcomes=AWARENESS_OUTCOMES,
                agenda=0.0,
            ),
        ),
        PUPILS,
        ("gbv-prevention",),
        tuple(
            (d, "Secondary school No. {school}, {district}") for d in ("baku", "sumgayit", "ganja", "barda")
        ),
        share=0.7,
    ),
    Series(
        "5.2.6-3",
        "moe",
        (GENDER_OFFICER_TRAINING,),
        GENDER_OFFICERS,
        ("unscr-1325", "cedaw"),
        (("baku", "Institute of Education, Baku"),),
        share=0.5,
        events=(1, 1),
    ),
    # --- Women for Peace Network (NGO)
    Series(
        "5.2.2-1",
        NGO,
        (DIALOGUE_CONSULTATION,),
        IDP_WOMEN,
        ("idp-women", "unscr-1325", "leadership"),
        tuple((d, "Women's resource centre, {district}") for d in ("barda", "goranboy", "sumgayit")),
        partners=("scridp",),
        events=(1, 2),
    ),
    Series(
        "5.1.2-2",
        NGO,
        (
            Format(
                EventKind.AWARENESS,
                ("Community meeting on preventing gender-based violence in {district}",),
                (40, 90),
                participation=Participation.COUNTS,
                days=(1, 1),
                content=AWARENESS_CONTENT[1:],
                outcomes=AWARENESS_OUTCOMES,
                agenda=0.0,
            ),
        ),
        PUBLIC,
        ("gbv-prevention",),
        tuple(
            (d, "Village community centre, {district}") for d in ("tartar", "barda", "beylagan", "aghstafa")
        ),
        share=0.8,
    ),
    Series(
        "5.4.1-1",
        NGO,
        (MINE_RISK,),
        PUBLIC,
        ("civil-defence",),
        tuple((d, "Village school, {district}") for d in ("tartar", "aghdam", "fuzuli")),
        years=(2022,),
    ),
    Series(
        "5.2.5-2",
        NGO,
        (
            Format(
                EventKind.TRAINING,
                (
                    "Leadership and communication skills for women in the civil service",
                    "Gender equality and leadership: training for employees of state agencies",
                ),
                (14, 26),
                days=(2, 3),
                outcomes=TRAINING_OUTCOMES,
                agenda=0.5,
            ),
        ),
        CIVIL_SERVANTS,
        ("leadership", "human-rights"),
        (("baku", "Women for Peace Network training room, Baku"), ("shaki", "Hotel conference room, Shaki")),
        share=0.8,
    ),
    Series(
        "5.4.1-3",
        NGO,
        (MEDIA,),
        JOURNALISTS,
        ("peacebuilding", "gbv-prevention"),
        (("baku", "Press centre, Baku"), ("ganja", "Press centre, Ganja")),
        years=(2022,),
        events=(1, 1),
    ),
)

# The dialogue mechanism: what people raised and what they were told ((issue, answer) pairs).
DIALOGUES: dict[str, tuple[tuple[str, str], ...]] = {
    "idp": (
        (
            "Women-headed households wait long for housing in the new settlements.",
            "The Committee explained the order of priority; the applications of the women-headed households "
            "present were forwarded to the housing commission.",
        ),
        (
            "Few jobs near the settlement; women asked for vocational courses with childcare.",
            "The employment centre registered the women who asked for the self-employment programme; a "
            "childcare corner will be set up during the courses.",
        ),
        (
            "The monthly allowance stopped after moving to another settlement.",
            "Referred to the district office of the Ministry of Labour and Social Protection; a written "
            "answer within 15 working days.",
        ),
        (
            "No kindergarten in the settlement and a long way to the polyclinic.",
            "A kindergarten is planned in next year's project list; the mobile health team will visit twice "
            "a month.",
        ),
        (
            "Women want a say in the return to Fuzuli and Jabrayil: houses, schools, mine clearance.",
            "Women's representatives will join the consultations on the new settlements (activity 5.4.5.1).",
        ),
        (
            "Psychological support for children and for widows of servicemen.",
            "The Committee will ask the Ministry of Health for a psychologist's weekly hours at the "
            "community centre.",
        ),
        (
            "Little information on free legal aid for property and inheritance cases.",
            "The address and hours of the nearest legal aid point were handed out; a lawyer will attend the "
            "next meeting.",
        ),
        (
            "Street lighting and transport to the district centre in the evening.",
            "Raised with the district executive authority, which promised lighting on the main street.",
        ),
    ),
    "survey": (
        (
            "Most respondents named housing and jobs as their first needs; one in five had no regular income.",
            "Findings sent to the working group on the State Programme for IDPs and to the employment centres.",
        ),
        (
            "Respondents with children under 6 named the lack of kindergartens as what keeps them from work.",
            "Included in the package of recommendations to the Cabinet.",
        ),
        (
            "Few respondents knew where to turn in cases of domestic violence.",
            "Leaflets with the hotline and the district's support services to be distributed in the settlements.",
        ),
    ),
    "construction": (
        (
            "Playgrounds in the courtyards, away from the road.",
            "Added to the design of the courtyards.",
        ),
        (
            "Ramps and wider doors for people with disabilities and prams.",
            "Ramps included in the standards for the new buildings.",
        ),
        (
            "A laundry room and a drying area in each building.",
            "The design institute will add a laundry room on the ground floor.",
        ),
        (
            "A women's room at the health post and a bus stop near the school.",
            "Passed to the district executive authority and the Ministry of Health.",
        ),
    ),
    "careers": (
        (
            "Night shifts and the lack of childcare are the main obstacles to promotion.",
            "Recommendations to the Ministry's leadership: flexible shifts for parents of young children.",
        ),
        (
            "Few women are sent to the leadership courses of the Police Academy.",
            "A quota of places for women on the courses is proposed.",
        ),
    ),
}
AGENDAS: dict[str, tuple[str, ...]] = {
    EventKind.TRAINING: (
        "09:30  Registration of participants; pre-test",
        "10:00  Opening: the National Action Plan on UNSCR 1325 (2020-2023)",
        "10:30  Session 1: {session}",
        "12:30  Lunch",
        "13:30  Session 2: group work on case studies",
        "15:30  Post-test, evaluation and closing",
    ),
    EventKind.CONSULTATION: (
        "10:00  Opening by the regional office",
        "10:20  Questions and proposals from participants",
        "11:00  Working groups: housing, jobs, children and health",
        "12:00  Answers from the agencies present",
        "12:45  Summary, follow-up and the date of the next meeting",
    ),
    EventKind.MEDIA_CAMPAIGN: (
        "Day 1  Briefing for journalists; meeting with women peacebuilders",
        "Day 2  Visits and interviews",
        "Day 3  Round table with editors",
        "Then   Publication of articles and programmes",
    ),
}
SESSIONS = ("the international framework", "key concepts", "the law of Azerbaijan")
FOLLOW_UPS = ("UNSCR 2242", "mediation", "CEDAW reporting", "gender analysis", "communication skills")


# --- the plan of the demo -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    sex: str
    band: str
    age: int | None  # None: only the age band is known
    group: str
    district: str
    affiliation: str
    name: str = ""
    consent: bool = False


@dataclass
class PlannedEvent:
    writer: str
    organiser: Organisation
    data: EventInput
    recorded_at: datetime
    people: list[Person]
    channel: str  # csv, paste, form (a list) or counts
    files: list[tuple[str, str, bytes]]  # (purpose, name, content)
    mode: str  # agree, differ (built from a reported figure) or own

    @property
    def key(self) -> tuple[int, date, str]:
        return (self.organiser.pk, self.data.starts_on, self.data.kind)


def demo_events_plan(
    *, plan: Plan, reports: list[PlannedReport] | None = None, today: date | None = None
) -> list[PlannedEvent]:
    """What the demo records, event by event, with its participants. Reads the plan (and the plan of
    the demo's reports, drawn again unless given); writes nothing; the same every time."""
    today = today or timezone.localdate()
    reports = reports if reports is not None else demo_reports_plan(plan=plan, today=today)
    rng = random.Random(SEED)  # noqa: S311 - demo data, not secrets
    activities = {a.key: a for a in Activity.objects.filter(plan=plan).select_related("priority_area")}
    organisations = {o.key: o for o in Organisation.objects.filter(country=plan.country)}
    topics = {t.code: t for t in Topic.objects.all()}
    districts = district_names(plan)
    periods = [p for p in reporting.periods(plan) if p.start <= today]
    running = {p.start.year: {a.key for a in reporting.activities_in_period(plan, p)} for p in periods}
    indicators = list(Indicator.objects.filter(plan=plan, activity__isnull=False).select_related("activity"))
    rules = rules_for(indicators)
    bound = {
        i.activity.key: i.pk
        for i in indicators
        if i.activity is not None and i.pk in rules and rules[i.pk].measure == Measure.PARTICIPANTS
    }
    figures = _reported_figures(reports, bound)
    planned: list[PlannedEvent] = []
    taken: set[tuple[str, date, str]] = set()
    for series in SERIES:
        activity = activities.get(series.activity)
        agency = organisations.get(series.agency)
        if activity is None or agency is None or not reporting.may_report(activity, agency):
            continue
        for year in sorted(running):
            if series.activity not in running[year] or (series.years and year not in series.years):
                continue
            draws = _SeriesYear(rng, series, year, today, districts, topics, organisations, activity, agency)
            figure = figures.get((series.activity, series.agency, year))
            recorded = rng.random() < series.share or (series.activity, series.agency, year) in FIXED_MODES
            mode = FIXED_MODES.get((series.activity, series.agency, year)) or (
                AGREE if rng.random() < 0.5 else DIFFER
            )
            if not recorded:
                continue
            if figure is None:
                planned += draws.events(draws.own(), OWN, taken)
            else:
                people = draws.from_cells(figure)
                if mode == DIFFER:
                    people = draws.perturb(people)
                planned += draws.events(people, mode, taken)
    return planned


def _reported_figures(
    reports: list[PlannedReport], bound: dict[str, int]
) -> dict[tuple[str, str, int], dict[str, int]]:
    """{(activity key, agency key, year): the cells the report gives for the bound indicator} of the
    reports that end with figures (a draft has none; a missing report none)."""
    found = {}
    for item in reports:
        indicator = bound.get(item.activity.key)
        if indicator is None or item.outcome in (MISSING, Status.DRAFT):
            continue
        saves = [step.data for step in item.steps if step.action == "save" and step.data is not None]
        if not saves or indicator not in saves[-1].values:
            continue
        cells = {key: int(value) for key, value in saves[-1].values[indicator].items() if value}
        if cells.get(TOTAL):
            found[(item.activity.key, item.agency.key, item.period.start.year)] = cells
    return found


Group = tuple[Format, list[Person]]


def _fits(affiliation: str, sex: str, age: int) -> bool:
    """Whether a person of this sex and age may plausibly say this of themselves."""
    lowered = affiliation.lower()
    if sex == "men" and ("women's council" in lowered or lowered == "homemaker"):
        return False
    if lowered.startswith("student"):
        return age < 26
    if "head of" in lowered or "principal" in lowered or "commander" in lowered:
        return age >= 28
    return not (age < 18 and affiliation)


class _SeriesYear:
    """The draws for one series in one year: people, events, dates, texts."""

    def __init__(
        self,
        rng: random.Random,
        series: Series,
        year: int,
        today: date,
        districts: dict[str, str],
        topics: dict[str, Topic],
        organisations: dict[str, Organisation],
        activity: Activity,
        agency: Organisation,
    ) -> None:
        self.rng = rng
        self.series = series
        self.year = year
        self.today = today
        self.districts = districts
        self.topics = [topics[code] for code in series.topics if code in topics]
        self.partners = [organisations[key] for key in series.partners if key in organisations]
        self.activity = activity
        self.agency = agency
        self.women = rng.uniform(*series.audience.women)

    # --- people

    def person(self, sex: str = "", band: str = "") -> Person:
        """Someone of the series' audience (of the sex and age band given, if any)."""
        rng, audience = self.rng, self.series.audience
        sex = sex or ("women" if rng.random() < self.women else "men")
        low, mode, high = audience.ages
        if band:
            band_low, band_high = next((lo, hi) for code, lo, hi in BANDS if code == band)
            low, high = max(low, band_low), min(high, band_high)
            if low > high:
                low, high = band_low, min(band_high, band_low + 12)
            age = rng.randint(low, high)
        else:
            age = round(rng.triangular(low, high, mode))
            band = next(code for code, lo, hi in BANDS if lo <= age <= hi)
        groups, weights = zip(*audience.groups, strict=True)
        fitting = [a for a in audience.affiliations if _fits(a, sex, age)] or [""]
        return Person(
            sex=sex,
            band=band,
            age=age if rng.random() < 0.8 else None,
            group=rng.choices(groups, weights)[0],
            district="",
            affiliation=rng.choice(fitting).format(agency=self.agency.label),
        )

    def own(self) -> list[Group]:
        """Events drawn on their own: how many, of which format, who came."""
        formats = self.formats(self.rng.randint(*self.series.events))
        return [(f, [self.person() for _ in range(self.rng.randint(*f.size))]) for f in formats]

    def from_cells(self, cells: dict[str, int]) -> list[Group]:
        """The people of a reported figure ({cell key: n}, "" the total), shared out among events.
        What a cell does not say (the sex, the age band) is drawn from the audience."""
        people = []
        for key, n in cells.items():
            if key == TOTAL:
                continue
            options = dict(parse_cell_key(key))
            people += [self.person(options.get("sex", ""), options.get("age", "")) for _ in range(n)]
        people += [self.person() for _ in range(cells[TOTAL] - len(people))]
        self.rng.shuffle(people)
        low, high = self.series.formats[0].size
        formats = self.formats(max(1, min(MAX_EVENTS, round(len(people) / ((low + high) / 2)))))
        weights = [sum(f.size) * self.rng.uniform(0.8, 1.2) for f in formats]
        exact = [len(people) * w / sum(weights) for w in weights]
        parts = [int(x) for x in exact]
        leftover = len(people) - sum(parts)
        for i in sorted(range(len(parts)), key=lambda i: exact[i] - parts[i], reverse=True)[:leftover]:
            parts[i] += 1
        groups, start = [], 0
        for format_, part in zip(formats, parts, strict=True):
            if part:
                groups.append((format_, people[start : start + part]))
            start += part
        return groups

    def perturb(self, groups: list[Group]) -> list[Group]:
        """A few people more or fewer than reported: people who left before signing the list, or
        who came to a session the report did not count."""
        total = sum(len(people) for _format, people in groups)
        change = self.rng.randint(2, max(3, total // 8))
        if self.rng.random() < 0.5 and change < total - len(groups):
            for _ in range(change):
                people = self.rng.choice([p for _f, p in groups if len(p) > 1])
                people.pop(self.rng.randrange(len(people)))
        else:
            self.rng.choice(groups)[1].extend(self.person() for _ in range(change))
        return groups

    def formats(self, count: int) -> list[Format]:
        """The first event is of the series' main format; the others drawn by the formats' weights."""
        formats = self.series.formats
        return [formats[0], *self.rng.choices(formats, [f.weight for f in formats], k=count - 1)]

    # --- events

    def events(self, groups: list[Group], mode: str, taken: set[tuple[str, date, str]]) -> list[PlannedEvent]:
        found = []
        for (format_, people), start in zip(groups, self.days(len(groups)), strict=True):
            event = self.event(people, format_, start, mode, taken)
            if event is not None:
                found.append(event)
        return found

    def days(self, count: int) -> list[date]:
        """First days spread over the year: none in the spring lockdown of 2020, nor (for the armed
        forces) during the autumn war of 2020; none after today."""
        months = list(range(1, 13))
        if self.year == 2020:
            months = [m for m in months if m not in (4, 5)]
            if self.agency.key == "mod":
                months = [m for m in months if m not in (10, 11)]
        chosen = sorted(self.rng.sample(months, min(count, len(months))))
        chosen += sorted(self.rng.choice(months) for _ in range(count - len(chosen)))
        return [date(self.year, month, self.rng.randint(1, 26)) for month in chosen]

    def event(
        self,
        people: list[Person],
        format_: Format,
        start: date,
        mode: str,
        taken: set[tuple[str, date, str]],
    ) -> PlannedEvent | None:
        rng, series = self.rng, self.series
        code, place = rng.choice(series.places)
        online = (
            self.year == 2020 and start.month in (6, 7, 8) and format_.participation == Participation.LIST
        )
        if online:
            code, place = "", ONLINE
        ends = start + timedelta(days=rng.randint(*format_.days) - 1)
        while (series.agency, start, format_.kind) in taken:
            start += timedelta(days=1)
            ends += timedelta(days=1)
        taken.add((series.agency, start, format_.kind))
        district_name = self.districts.get(code, "")
        context = {
            "district": district_name or self.districts.get(series.places[0][0], ""),
            "school": rng.randint(2, 290),
            "pre": rng.randint(38, 58),
            "post": rng.randint(74, 93),
            "k": rng.randint(2, 9),
            "programmes": rng.randint(3, 12),
            "follow": rng.choice(FOLLOW_UPS),
        }
        title = rng.choice(format_.titles).format_map(context)
        place = place.format_map(context)
        content = rng.choice(format_.content).format_map(context) if format_.content else ""
        outcomes = rng.choice(format_.outcomes).format_map(context) if format_.outcomes else ""
        issues = answers = ""
        if format_.dialogue:
            pairs = DIALOGUES[format_.dialogue]
            chosen = rng.sample(pairs, min(len(pairs), rng.randint(2, 4)))
            issues = "\n".join(f"{n}. {issue}" for n, (issue, _answer) in enumerate(chosen, start=1))
            answers = "\n".join(f"{n}. {answer}" for n, (_issue, answer) in enumerate(chosen, start=1))
        nearby = [d for d in (*FRONTLINE, *IDP_DISTRICTS) if d in self.districts and d != code]
        local = series.audience.local
        placed = [
            replace(p, district=code if code and rng.random() < local else rng.choice(nearby)) for p in people
        ]
        named = rng.random() < 0.08 and format_.participation == Participation.LIST
        if named:
            for i in rng.sample(range(len(placed)), min(len(placed), rng.randint(1, 3))):
                placed[i] = replace(placed[i], name=rng.choice(PLACEHOLDERS), consent=True)
        # Some agree to be contacted again without leaving a name.
        placed = [p if p.name or rng.random() > 0.3 else replace(p, consent=True) for p in placed]
        if format_.participation == Participation.COUNTS:
            channel = "counts"
        else:
            channel = rng.choices(("csv", "paste", "form"), (5, 3, 2))[0]
        files = []
        if rng.random() < format_.agenda:
            files.append(self.agenda(title, format_.kind, start, ends, place))
        recorded = datetime.combine(
            ends + timedelta(days=rng.randint(1, 18)), time(rng.randint(9, 17), rng.randint(0, 59))
        )
        recorded = min(
            timezone.make_aware(recorded), timezone.make_aware(datetime.combine(self.today, time(8)))
        )
        if ends > self.today:
            return None
        return PlannedEvent(
            writer=WRITERS[series.agency],
            organiser=self.agency,
            data=EventInput(
                kind=format_.kind,
                title=title,
                starts_on=start,
                ends_on=ends,
                activities=[self.activity],
                topics=list(self.topics),
                partners=list(self.partners),
                district=code,
                place=place,
                content=content,
                outcomes=outcomes,
                issues_raised=issues,
                answers_given=answers,
                participation=format_.participation,
            ),
            recorded_at=recorded,
            people=placed,
            channel=channel,
            files=files,
            mode=mode,
        )

    def agenda(self, title: str, kind: str, start: date, ends: date, place: str) -> tuple[str, str, bytes]:
        """The agenda: a one-page PDF, or (sometimes) a text file."""
        days = (ends - start).days + 1
        lines = [
            f"{start:%d.%m.%Y}" + (f" - {ends:%d.%m.%Y}" if days > 1 else ""),
            place or ONLINE,
            *AGENDAS.get(kind, AGENDAS[EventKind.TRAINING]),
        ]
        session = self.rng.choice(SESSIONS)
        lines = [line.format(session=session) for line in lines]
        slug = f"agenda-{start:%Y-%m-%d}"
        if self.rng.random() < 0.25:
            return (EventFilePurpose.AGENDA, f"{slug}.txt", "\n".join([title, *lines, ""]).encode("utf-8"))
        return (EventFilePurpose.AGENDA, f"{slug}.pdf", pdf(_ascii(title), [_ascii(line) for line in lines]))


PUNCTUATION = str.maketrans({"“": '"', "”": '"', "—": "-", "–": "-", "’": "'"})  # noqa: RUF001


def _ascii(text: str) -> str:
    """The PDF's built-in font has no curly quotes or dashes: their plain forms."""
    return text.translate(PUNCTUATION)


# --- writing --------------------------------------------------------------------------------------------


def demo_events_load(
    *, plan: Plan, reports: list[PlannedReport] | None = None, today: date | None = None
) -> Result:
    """Record the demo's events through the services, as the demo people would have (see the
    module's docstring). The plan must be set up for events (``events_setup``), the demo people
    loaded. Call it before the demo locks its closed periods: events there are refused afterwards.
    Idempotent: a second run creates nothing and changes nothing."""
    today = today or timezone.localdate()
    result = Result()
    planned = demo_events_plan(plan=plan, reports=reports, today=today)
    usernames = {item.writer for item in planned}
    writers = {u.username: u for u in User.objects.filter(username__in=usernames, is_active=True)}
    existing = set(Event.objects.filter(plan=plan).values_list("organiser_id", "starts_on", "kind"))
    locked = list(
        ReportingPeriod.objects.filter(plan=plan, locked_at__isnull=False).values_list("start", "end")
    )
    with override_settings(MAILERS=QUIET_MAIL), transaction.atomic():
        for item in planned:
            writer = writers.get(item.writer)
            if writer is None or writer.organisation_id != item.organiser.pk:
                continue
            if item.key in existing:
                result.existing += 1
            elif any(start <= item.data.starts_on <= end for start, end in locked):
                result.locked += 1
            else:
                _record(item, writer, plan, result)
    return result


def _record(item: PlannedEvent, writer: User, plan: Plan, result: Result) -> None:
    now = item.recorded_at
    event = event_create(actor=writer, plan=plan, data=item.data, now=now)
    if item.channel == "counts":
        counts = Counter(cell_key((("sex", p.sex), ("age", p.band))) for p in item.people)
        counts_save(actor=writer, event=event, counts=dict(counts), now=now)
        result.counted += len(item.people)
    else:
        _add_people(writer, event, item, now)
        result.listed += len(item.people)
    for purpose, name, content in item.files:
        event_file_add(actor=writer, event=event, name=name, content=content, purpose=purpose, now=now)
        result.files += 1
    result.created += 1
    result.by_kind[item.data.kind] += 1


SEX_WORDS = {
    "csv": {"women": "women", "men": "men"},
    "paste": {"women": "qadın", "men": "kişi"},  # noqa: RUF001 - Azerbaijani, as pasted from a local sheet
    "form": {"women": "F", "men": "M"},
}


def _cells(person: Person, channel: str) -> dict[str, Any]:
    return {
        "sex": SEX_WORDS[channel][person.sex],
        "age": person.age if person.age is not None else "",
        "age_band": "" if person.age is not None else person.band,
        "population_group": person.group,
        "district": person.district,
        "organisation_or_position": person.affiliation,
        "name": person.name,
        "consent": "yes" if person.consent else "no",
    }


def _add_people(writer: User, event: Event, item: PlannedEvent, now: datetime) -> None:
    """The participants as the focal point would give them: the template filled in as a CSV file,
    rows pasted from a spreadsheet, or typed one by one in the form."""
    rows = [_cells(person, item.channel) for person in item.people]
    if item.channel == "form":
        participants_add_rows(actor=writer, event=event, rows=rows, source=ImportSource.FORM, now=now)
        return
    out = io.StringIO()
    writer_ = csv.DictWriter(
        out, fieldnames=list(COLUMNS), delimiter="\t" if item.channel == "paste" else ",", lineterminator="\n"
    )
    writer_.writeheader()
    writer_.writerows(rows)
    if item.channel == "paste":
        participants_import_text(actor=writer, event=event, text=out.getvalue(), now=now)
    else:
        name = f"participants-{item.data.starts_on:%Y-%m-%d}.csv"
        content = out.getvalue().encode("utf-8")
        participants_import_file(actor=writer, event=event, name=name, content=content, now=now)
