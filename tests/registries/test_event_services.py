"""Event services: the rules they check, the gate they ask, the lock they respect."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied as Refusal
from django.utils import timezone

from wpsnap.core.errors import InvalidInput

pytestmark = pytest.mark.django_db


def _input(events_plan, **changes):
    from wpsnap.registries.services.events import EventInput

    data = {
        "kind": "training",
        "title": "Gender mainstreaming in the armed forces",
        "starts_on": date(2022, 5, 3),
        "ends_on": date(2022, 5, 4),
        "activities": [events_plan.activities.get(code="5.1.2.3")],
        "district": "ganja",
    }
    data.update(changes)
    return EventInput(**data)


def test_create_sets_the_organiser_to_the_actors_agency(events_plan, people):
    from wpsnap.registries.models import Topic
    from wpsnap.registries.services.events import event_create

    topics = list(Topic.objects.filter(code__in=["unscr-1325", "mediation"]))
    event = event_create(actor=people["focal"], plan=events_plan, data=_input(events_plan, topics=topics))
    assert event.organiser == people["focal"].organisation
    assert event.created_by == people["focal"]
    assert {t.code for t in event.topics.all()} == {"unscr-1325", "mediation"}
    assert event.history.count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "party"}, "kind:"),
        ({"title": "  "}, "title:"),
        ({"ends_on": date(2022, 5, 1)}, "ends_on:"),
        ({"activities": []}, "activities:"),
        ({"district": "atlantis"}, "district:"),
        ({"participation": "maybe"}, "participation:"),
        ({"issues_raised": "Housing"}, "issues_raised:"),
        ({"content": "x" * 5001}, "content:"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(events_plan, people, changes, field):
    from wpsnap.registries.models import Event
    from wpsnap.registries.services.events import event_create

    with pytest.raises(InvalidInput) as caught:
        event_create(actor=people["focal"], plan=events_plan, data=_input(events_plan, **changes))
    assert f"{field[:-1]}" in [p.field for p in caught.value.problems], caught.value.problems
    assert not Event.objects.exists()


def test_an_agency_records_events_only_for_activities_it_is_named_for(events_plan, people):
    from wpsnap.registries.services.events import event_create

    # 5.1.2.3 is MoD's; the Ministry of Internal Affairs is not named for it.
    with pytest.raises(InvalidInput) as caught:
        event_create(actor=people["other_focal"], plan=events_plan, data=_input(events_plan))
    assert caught.value.problems[0].field == "activities"


def test_the_organiser_is_not_its_own_partner(events_plan, people):
    from wpsnap.registries.services.events import event_create

    data = _input(events_plan, partners=[people["focal"].organisation])
    with pytest.raises(InvalidInput, match="partners:"):
        event_create(actor=people["focal"], plan=events_plan, data=data)


@pytest.mark.parametrize("role", ["approver", "evaluator", "coordinator"])
def test_only_focal_points_and_ngo_contributors_record_events(events_plan, people, role):
    from wpsnap.registries.models import Event
    from wpsnap.registries.services.events import event_create

    with pytest.raises(Refusal):
        event_create(actor=people[role], plan=events_plan, data=_input(events_plan))
    assert not Event.objects.exists()


def test_another_agency_cannot_change_the_event(training, people, events_plan):
    from wpsnap.registries.services.events import event_delete, event_update

    with pytest.raises(Refusal):
        event_update(actor=people["other_focal"], event=training, data=_input(events_plan))
    with pytest.raises(Refusal):
        event_delete(actor=people["other_focal"], event=training)
    training.refresh_from_db()
    assert training.title == "UNSCR 1325 for officers"


def test_update_changes_fields_and_records_history(training, people, events_plan):
    from wpsnap.registries.services.events import event_update

    event_update(actor=people["focal"], event=training, data=_input(events_plan, title="Renamed"))
    training.refresh_from_db()
    assert training.title == "Renamed"
    assert training.history.first().history_user == people["focal"]


def test_participation_does_not_change_under_recorded_participants(training, people, events_plan):
    from wpsnap.registries.services.events import event_update
    from wpsnap.registries.services.participants import participants_import_text

    participants_import_text(actor=people["focal"], event=training, text="sex,age\nwomen,30\n")
    with pytest.raises(InvalidInput, match="participation:"):
        event_update(actor=people["focal"], event=training, data=_input(events_plan, participation="counts"))


def _lock(events_plan, label):
    period = events_plan.reporting_periods.get(label=label)
    period.locked_at = timezone.now()
    period.save()
    return period


def test_events_in_a_locked_period_do_not_change(training, people, events_plan):
    from wpsnap.registries.models import Participant
    from wpsnap.registries.services.events import (
        EventLockedError,
        event_create,
        event_delete,
        event_file_add,
        event_update,
    )
    from wpsnap.registries.services.participants import participants_import_text

    _lock(events_plan, "2021")
    attempts = [
        lambda: event_update(actor=people["focal"], event=training, data=_input(events_plan, title="X")),
        lambda: event_delete(actor=people["focal"], event=training),
        lambda: event_file_add(actor=people["focal"], event=training, name="a.txt", content=b"agenda"),
        lambda: participants_import_text(actor=people["focal"], event=training, text="sex,age\nmen,30\n"),
        # Moving a 2022 event into the locked year is refused too.
        lambda: event_create(
            actor=people["focal"],
            plan=events_plan,
            data=_input(events_plan, starts_on=date(2021, 6, 1), ends_on=date(2021, 6, 1)),
        ),
    ]
    for attempt in attempts:
        with pytest.raises(EventLockedError):
            attempt()
    training.refresh_from_db()
    assert training.title == "UNSCR 1325 for officers"
    assert not Participant.objects.filter(event=training).exists()


def test_an_event_cannot_move_out_of_a_locked_period_either(people, events_plan):
    from wpsnap.registries.services.events import EventLockedError, event_create, event_update

    event = event_create(actor=people["focal"], plan=events_plan, data=_input(events_plan))
    _lock(events_plan, "2022")
    with pytest.raises(EventLockedError):
        event_update(
            actor=people["focal"],
            event=event,
            data=_input(events_plan, starts_on=date(2023, 1, 5), ends_on=date(2023, 1, 5)),
        )


def test_files_are_judged_by_their_content(training, people):
    from wpsnap.registries.services.events import event_file_add

    stored = event_file_add(
        actor=people["focal"], event=training, name="agenda.pdf", content=b"%PDF-1.4\n%%EOF\n"
    )
    assert stored.kind == "pdf"
    assert stored.file.read() == b"%PDF-1.4\n%%EOF\n"
    with pytest.raises(InvalidInput, match="file:"):
        event_file_add(
            actor=people["focal"], event=training, name="agenda.pdf", content=b"MZ\x90\x00\x03\x00binary"
        )


def test_counts_replace_the_grid_all_or_nothing(people, events_plan):
    from wpsnap.registries.models import ParticipantCount
    from wpsnap.registries.services.events import counts_save, event_create

    event = event_create(
        actor=people["focal"], plan=events_plan, data=_input(events_plan, participation="counts")
    )
    saved = counts_save(
        actor=people["focal"],
        event=event,
        counts={"sex:women|age:18-24": "12", "sex:men|age:25-34": 30, "sex:men|age:35-59": ""},
    )
    assert saved == {"sex:women|age:18-24": 12, "sex:men|age:25-34": 30}
    with pytest.raises(InvalidInput) as caught:
        counts_save(
            actor=people["focal"],
            event=event,
            counts={"sex:women|age:18-24": "-3", "sex:other|age:18-24": "1"},
        )
    assert [p.field for p in caught.value.problems] == [
        "counts[sex:women|age:18-24]",
        "counts[sex:other|age:18-24]",
    ]
    assert dict(ParticipantCount.objects.filter(event=event).values_list("cell", "value")) == saved
    counts_save(actor=people["focal"], event=event, counts={"sex:women|age:18-24": "5"})
    assert dict(ParticipantCount.objects.filter(event=event).values_list("cell", "value")) == {
        "sex:women|age:18-24": 5
    }


def test_counts_are_for_events_without_a_list(training, people):
    from wpsnap.registries.services.events import counts_save

    with pytest.raises(InvalidInput, match="participation:"):
        counts_save(actor=people["focal"], event=training, counts={"sex:women|age:18-24": "1"})


def test_setup_binds_the_indicators_events_answer_and_is_idempotent(events_plan):
    from wpsnap.registries.models import DerivationRule
    from wpsnap.registries.services.setup import events_setup, read_districts

    from .conftest import DISTRICTS

    rules = {r.indicator.key: r for r in DerivationRule.objects.select_related("indicator")}
    dialogue = next(
        r for r in rules.values() if r.indicator.activity and r.indicator.activity.code == "5.2.2.1"
    )
    assert dialogue.measure == "participants"
    assert set(dialogue.kinds) == {"consultation", "survey"}
    trainings = [r for r in rules.values() if r.indicator.activity and r.indicator.activity.code == "5.1.2.3"]
    assert trainings and trainings[0].kinds == ["training"]
    again = events_setup(plan=events_plan, districts=read_districts(DISTRICTS))
    assert (again.districts, again.rules) == (0, 0)


def test_districts_file_problems_are_named(tmp_path):
    from wpsnap.registries.services.setup import read_districts

    bad = tmp_path / "d.yaml"
    bad.write_text(
        "format: wpsnap-districts/1\ndistricts:\n  - {code: a, name: A}\n  - {code: a, name: B}\n  - {name: C}\n"
    )
    with pytest.raises(InvalidInput) as caught:
        read_districts(bad)
    assert [str(p) for p in caught.value.problems] == [
        "districts[1]: The code a appears twice.",
        "districts[2]: Give a code and a name.",
    ]
    bad.write_text("format: something-else\n")
    with pytest.raises(InvalidInput, match="format"):
        read_districts(bad)


def test_only_coordinators_bind_indicators(events_plan, people):
    from wpsnap.registries.models import Topic
    from wpsnap.registries.services.rules import rule_remove, rule_set

    indicator = events_plan.indicators.filter(kind="count").first()
    with pytest.raises(Refusal):
        rule_set(actor=people["focal"], indicator=indicator, measure="events", kinds=[], topics=[])
    rule = rule_set(
        actor=people["coordinator"],
        indicator=indicator,
        measure="events",
        kinds=["survey", "training"],
        topics=list(Topic.objects.filter(code="cedaw")),
    )
    assert rule.kinds == ["training", "survey"]  # in the types' own order
    with pytest.raises(InvalidInput, match="kinds:"):
        rule_set(
            actor=people["coordinator"], indicator=indicator, measure="events", kinds=["party"], topics=[]
        )
    rule_remove(actor=people["coordinator"], indicator=indicator)
    assert not type(rule).objects.filter(indicator=indicator).exists()


def test_qualitative_indicators_are_not_derived(events_plan, people):
    from wpsnap.registries.services.rules import rule_set

    indicator = events_plan.indicators.exclude(kind="count").first()
    with pytest.raises(InvalidInput, match="indicator:"):
        rule_set(actor=people["coordinator"], indicator=indicator, measure="events", kinds=[], topics=[])
