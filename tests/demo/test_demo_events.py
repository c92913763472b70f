"""The demo's events and participants (``wpsnap.demo.events``): recorded through the services by the
agencies' writers before the closed periods are locked, of every type, with plausible audiences, no
names without consent, derived values that agree with some reports and differ from others, and made
only once however often ``demo load`` runs.

The demo is loaded once for the package (``tests/demo/conftest.py``); each test runs in a savepoint inside it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter

import pytest
from django.db.models import Sum

from wpsnap.accounts.models import Organisation, Role
from wpsnap.demo import events as demo_events
from wpsnap.registries.models import (
    Event,
    EventFile,
    EventKind,
    Participant,
    ParticipantCount,
    ParticipantImport,
    Participation,
)
from wpsnap.registries.selectors import derived_values, district_names, rules_for
from wpsnap.registries.services.events import EventLockedError, ensure_event_writable
from wpsnap.reporting import selectors
from wpsnap.reporting.models import IndicatorValue, ProgressReport
from wpsnap.reporting.workflow import Status

from .conftest import PASSWORD, demo

# In the SQLite half only when the suite runs on both (tests/conftest.py): `make run` loads the demo on
# SQLite, and the demo's figures on PostgreSQL are checked by tests/demo/test_demo_figures.py.
pytestmark = [pytest.mark.django_db, pytest.mark.suite_half("sqlite")]

SUMMARY = re.compile(
    r"Demo events: (\d+) created \((\d+) participants listed, (\d+) counted, (\d+) files\), "
    r"(\d+) already there, (\d+) left out in locked periods\."
)


def snapshot() -> dict[str, object]:
    """Counts of everything the demo's events write, and a checksum of what they say."""
    events = list(
        Event.objects.order_by("pk").values_list(
            "pk", "organiser_id", "kind", "title", "starts_on", "issues_raised"
        )
    )
    people = list(
        Participant.objects.order_by("pk").values_list(
            "event_id", "sex", "age", "age_band", "district", "name", "consent"
        )
    )
    counts = list(ParticipantCount.objects.order_by("pk").values_list("event_id", "cell", "value"))
    digest = hashlib.sha256(repr((events, people, counts)).encode()).hexdigest()
    return {
        "events": len(events),
        "participants": len(people),
        "imports": ParticipantImport.objects.count(),
        "files": EventFile.objects.count(),
        "checksum": digest,
    }


def derived_and_reported(plan) -> list[tuple[ProgressReport, dict[str, int], dict[str, int]]]:
    """For each report with figures for an indicator bound to event data, and events behind it:
    (report, reported cells, derived cells), zero cells left out on both sides."""
    found = []
    reports = ProgressReport.objects.filter(plan=plan).exclude(status=Status.DRAFT)
    reports = reports.select_related("activity", "agency", "period")
    for report in reports:
        indicators = list(report.activity.indicators.all())
        bound = [i for i in indicators if i.pk in rules_for(indicators)]
        for indicator in bound:
            derived = derived_values(indicators=[indicator], agency_id=report.agency_id, period=report.period)
            values = IndicatorValue.objects.filter(report=report, indicator=indicator)
            reported = {v.cell: int(v.value) for v in values if int(v.value)}
            if reported and derived[indicator.pk].events:
                cells = {k: n for k, n in derived[indicator.pk].cells.items() if n}
                found.append((report, reported, cells))
    return found


def test_the_load_reports_what_it_made(loaded):
    """The command says how many events it recorded, with how many participants (listed and
    counted) and files; the figures are what the database holds, and within the demo's scale."""
    found = SUMMARY.search(loaded)
    assert found, loaded
    created, listed, counted, files, existing, locked = (int(g) for g in found.groups())
    assert created == Event.objects.count()
    assert 80 <= created <= 150
    assert listed == Participant.objects.count() > 1000
    assert counted == ParticipantCount.objects.aggregate(n=Sum("value"))["n"] > 1000
    assert files == EventFile.objects.count() > 0
    assert existing == locked == 0


def test_every_type_of_event_is_there_for_2020_to_2023(plan):
    """Trainings, awareness-raising, consultations, surveys, media campaigns and others, in every
    year of the plan, in districts of Azerbaijan (or online), the last day never before the first."""
    kinds = Counter(Event.objects.values_list("kind", flat=True))
    assert set(kinds) == set(EventKind.values)
    assert kinds[EventKind.TRAINING] > kinds[EventKind.CONSULTATION] > kinds[EventKind.MEDIA_CAMPAIGN] > 0
    assert {e.starts_on.year for e in Event.objects.all()} == {2020, 2021, 2022, 2023}
    names = district_names(plan)
    for event in Event.objects.all():
        assert event.district in names or (event.district == "" and event.place in ("", demo_events.ONLINE))
        assert event.ends_on >= event.starts_on
        assert event.topics.exists()
    assert Event.objects.filter(place=demo_events.ONLINE, starts_on__year=2020).exists()


def test_events_were_recorded_by_the_organisers_writers_for_their_activities():
    """Each event was created by a focal point (or the NGO's contributor) of the organising agency,
    for activities that agency may report on; partners are other organisations."""
    events = Event.objects.select_related("created_by", "organiser").prefetch_related(
        "activities", "partners"
    )
    organisers = Counter()
    for event in events:
        assert event.created_by.organisation_id == event.organiser_id
        assert event.created_by.role in (Role.FOCAL_POINT, Role.NGO_CONTRIBUTOR)
        assert all(selectors.may_report(activity, event.organiser) for activity in event.activities.all())
        assert event.organiser not in event.partners.all()
        organisers[event.organiser.key] += 1
    assert set(organisers) == {"mod", "mia", "scridp", "mlspp", "moe", "women-for-peace"}
    assert Event.objects.filter(partners__isnull=False).exists()
    # Recorded a few days after the event, as it would have been.
    for event in events:
        assert event.created_at.date() > event.ends_on


def test_the_dialogue_consultations_have_issues_raised_and_answers_given(plan):
    """The consultations and surveys of 5.2.2.1 (with internally displaced women) carry the issues
    people raised and the answers they were given, one answer per issue; the consultations' lists
    are mostly women, mostly internally displaced."""
    dialogue = Event.objects.filter(activities__code="5.2.2.1")
    assert dialogue.filter(kind=EventKind.CONSULTATION, organiser__key="scridp").exists()
    assert dialogue.filter(kind=EventKind.SURVEY).exists()
    assert dialogue.filter(organiser__key="women-for-peace").exists()
    for event in dialogue:
        assert event.kind in (EventKind.CONSULTATION, EventKind.SURVEY)
        issues, answers = event.issues_raised.splitlines(), event.answers_given.splitlines()
        assert len(issues) == len(answers) >= 2
        assert all(re.match(r"\d\. \S", line) for line in issues + answers)
    people = Participant.objects.filter(event__in=dialogue)
    assert people.filter(sex="women").count() > 0.8 * people.count() > 0
    assert people.filter(population_group="idp").count() > 0.6 * people.count()
    # Issues and answers belong to consultations and surveys only.
    assert not Event.objects.exclude(kind__in=[EventKind.CONSULTATION, EventKind.SURVEY]).exclude(
        issues_raised=""
    )


def test_participants_have_no_names_without_consent():
    """Names are left empty for almost everyone; the few kept are obvious placeholders, each with
    consent."""
    named = Participant.objects.exclude(name="")
    assert 0 < named.count() < 0.02 * Participant.objects.count()
    assert not named.filter(consent=False).exists()
    assert all(re.fullmatch(r"Demo Participant [A-Z]", name) for name in named.values_list("name", flat=True))
    assert Participant.objects.filter(name="", consent=True).exists()
    assert Participant.objects.filter(name="", consent=False).exists()


def test_audiences_are_plausible():
    """Officers' trainings are mostly men, gender officers' mostly women; ages are those of adults
    at work; participants come from districts, some with only an age band."""
    officers = Participant.objects.filter(event__organiser__key="mod", event__activities__code="5.1.2.3")
    assert officers.filter(sex="men").count() > 0.75 * officers.count() > 0
    assert not officers.filter(age__lt=18).exists()
    gender_officers = Participant.objects.filter(event__activities__code__in=["5.2.6.2", "5.2.6.3"])
    assert gender_officers.filter(sex="women").count() > 0.55 * gender_officers.count() > 0
    assert not Participant.objects.filter(district="").exists()
    assert Participant.objects.filter(age__isnull=True).exclude(age_band="").exists()
    assert Counter(Participant.objects.values_list("age_band", flat=True))["35-59"] > 0


def test_list_and_count_events_record_their_participants_their_own_way():
    """Events with a list have participants (from a CSV file, pasted rows or the form) and no counts;
    events without one have counts by sex and age band and no list."""
    for event in Event.objects.prefetch_related("participants", "counts"):
        if event.participation == Participation.LIST:
            assert event.participants.all() and not event.counts.all()
        else:
            assert event.counts.all() and not event.participants.all()
            assert all(re.fullmatch(r"sex:(women|men)\|age:[0-9a-z-]+", c.cell) for c in event.counts.all())
    assert set(ParticipantImport.objects.values_list("source", flat=True)) == {"csv", "paste", "form"}


def test_agenda_files_are_valid_documents():
    """Some events carry their agenda: a small PDF or a text file, named after the day."""
    files = EventFile.objects.all()
    assert {f.kind for f in files} == {"pdf", "txt"}
    for item in files:
        assert item.purpose == "agenda"
        assert re.fullmatch(r"agenda-20(20|21|22|23)-\d\d-\d\d\.(pdf|txt)", item.original_name)
        with item.file.open("rb") as handle:
            content = handle.read()
        if item.kind == "pdf":
            assert content.startswith(b"%PDF-1.4") and content.rstrip().endswith(b"%%EOF")
        else:
            assert content.decode("utf-8").splitlines()[0] == item.event.title


def test_mods_2022_drafts_have_events_behind_them(plan, periods):
    """MoD's 2022 reports on its trainings (5.1.2.3), gender officers (5.2.6.3) and mine-risk
    awareness (5.4.1.1) are drafts without figures: the events give derived values to take."""
    mod = Organisation.objects.get(key="mod")
    for code in ("5.1.2.3", "5.2.6.3", "5.4.1.1"):
        report = ProgressReport.objects.get(agency=mod, period=periods["2022"], activity__code=code)
        assert report.status == Status.DRAFT
        indicator = report.activity.indicators.get()
        derived = derived_values(indicators=[indicator], agency_id=mod.pk, period=periods["2022"])
        assert derived[indicator.pk].events > 0, code
        assert derived[indicator.pk].total > 0, code
    training = ProgressReport.objects.get(agency=mod, period=periods["2022"], activity__code="5.1.2.3")
    indicator = training.activity.indicators.get()
    cells = derived_values(indicators=[indicator], agency_id=mod.pk, period=periods["2022"])[
        indicator.pk
    ].cells
    assert cells["sex:men|age:25-34"] > 0
    assert sum(n for key, n in cells.items() if key) == cells[""]


def test_derived_values_agree_with_some_reports_and_differ_from_others(plan, periods):
    """Where events are behind a report's figures, some add up to exactly the reported cells and
    others do not (a few people more or fewer): MoD's trainings agree in 2021, differ in 2020."""
    pairs = derived_and_reported(plan)
    agree = [report for report, reported, derived in pairs if reported == derived]
    differ = [report for report, reported, derived in pairs if reported != derived]
    assert len(agree) >= 5 and len(differ) >= 5
    mod_training = {
        r.period.label: r for r in agree + differ if r.agency.key == "mod" and r.activity.code == "5.1.2.3"
    }
    assert mod_training["2021"] in agree
    assert mod_training["2020"] in differ


def test_events_were_recorded_before_their_periods_were_locked(periods):
    """The 2020 and 2021 events exist and those periods are now locked: the demo recorded the events
    before locking, and nothing in them can change any more."""
    for label in ("2020", "2021"):
        period = periods[label]
        assert period.is_locked
        events = Event.objects.filter(starts_on__gte=period.start, starts_on__lte=period.end)
        assert events.count() > 20
        assert all(e.created_at < period.locked_at for e in events)
        with pytest.raises(EventLockedError):
            ensure_event_writable(period.plan_id, events.first().starts_on)


def test_loading_again_creates_and_changes_nothing(loaded):
    """A second ``demo load`` finds every event already there and changes nothing."""
    before = snapshot()
    output = demo("load", "--password", PASSWORD)
    assert snapshot() == before
    found = SUMMARY.search(output)
    assert found, output
    assert found.group(1) == "0" and int(found.group(5)) == before["events"]


def test_without_events_the_load_leaves_events_out(loaded):
    """``--without-events`` loads the rest and says nothing of events."""
    before = snapshot()
    output = demo("load", "--password", PASSWORD, "--without-events")
    assert "Demo reports:" in output and "Demo events" not in output
    assert snapshot() == before


def test_the_scenario_is_the_same_every_time(plan):
    """The demo's events are drawn from a fixed seed: two draws are identical, person by person."""

    def draw() -> list[object]:
        return [
            (e.writer, e.key, e.data.title, e.data.place, e.channel, e.mode, e.people, e.files)
            for e in demo_events.demo_events_plan(plan=plan)
        ]

    assert draw() == draw()


def test_demo_users_still_lists_the_demo_people_as_json(loaded):
    """`wpsnap demo users --json` still works after a load with events."""
    rows = json.loads(demo("users", "--json"))
    assert len(rows) == 14
    assert {row["username"] for row in rows} >= {"mod.focal", "scridp.focal", "ngo.contributor"}
