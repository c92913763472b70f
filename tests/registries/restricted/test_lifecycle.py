"""The personal-data lifecycle (kinds/lifecycle.py) on the restricted registries: the daily purge after
the retention date, withdrawal of consent, erasure on request; each through the gate, each audited with
counts and record numbers only: no personal value in an audit line or a log line."""

from __future__ import annotations

import json
import logging
from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.http import Http404
from django.utils import timezone

from wpsnap.core.errors import InvalidInput
from wpsnap.core.models import AuditAction, AuditEvent
from wpsnap.registries.candidates.models import Candidate
from wpsnap.registries.kinds.lifecycle import (
    PURGE_ACTOR,
    ErasureReason,
    person_erase,
    record_consent_withdraw,
    records_expired,
    records_purge,
)
from wpsnap.registries.legal_aid.models import LegalAidService

from .conftest import make_record

pytestmark = pytest.mark.django_db

NAME = "Nərgiz Sınaqova"  # noqa: RUF001 - an Azerbaijani name: the dotless i is meant
CODE = "BAK-2021-0042"


@pytest.fixture
def plan(events_plan):
    return events_plan


@pytest.fixture
def logs(caplog):
    caplog.set_level(logging.DEBUG)
    return caplog


def audit_text(since: int) -> str:
    """Everything the audit lines written after ``since`` say, as one text."""
    rows = AuditEvent.objects.filter(pk__gt=since).values(
        "actor_label", "object_type", "object_id", "object_label", "changes", "path", "note"
    )
    return json.dumps(list(rows), ensure_ascii=False, default=str)


def last_audit_id() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def assert_nothing_personal(text: str, *values: str) -> None:
    for value in values:
        assert value not in text


# --- the purge -------------------------------------------------------------------------------------------


def test_purge_deletes_what_is_past_its_day(plan, staff, candidates_kind, legal_aid_kind, logs):
    """Records whose keep-until day has passed go, those kept until today or later stay; one audit line
    per registry with the number deleted; a second run deletes nothing and writes nothing."""
    today = timezone.localdate()
    since = last_audit_id()
    old = make_record(candidates_kind, plan, staff["mia_focal"], full_name=NAME, seed=1)
    Candidate.objects.filter(pk=old.pk).update(retain_until=today - timedelta(days=1))
    due_today = make_record(candidates_kind, plan, staff["mia_focal"], seed=2)
    Candidate.objects.filter(pk=due_today.pk).update(retain_until=today)
    fresh = make_record(candidates_kind, plan, staff["mod_focal"], seed=3)
    undated_old = make_record(legal_aid_kind, plan, staff["moj_focal"], beneficiary_code=CODE, seed=4)
    LegalAidService.objects.filter(pk=undated_old.pk).update(
        retain_until=None, created_at=timezone.now() - timedelta(days=legal_aid_kind.retention_days + 1)
    )
    undated_new = make_record(legal_aid_kind, plan, staff["moj_focal"], seed=5)
    LegalAidService.objects.filter(pk=undated_new.pk).update(retain_until=None)

    assert records_expired() == {**records_expired(), "candidates": 1, "legal-aid": 1}
    deleted = records_purge()

    assert deleted["candidates"] == 1 and deleted["legal-aid"] == 1
    assert set(Candidate.objects.values_list("pk", flat=True)) == {due_today.pk, fresh.pk}
    assert set(LegalAidService.objects.values_list("pk", flat=True)) == {undated_new.pk}
    lines = AuditEvent.objects.filter(pk__gt=since, actor_label=PURGE_ACTOR).order_by("pk")
    assert [(line.action, line.object_label, line.changes) for line in lines] == [
        (AuditAction.DELETE, "candidates", [{"field": "records", "old": 1, "new": 0}]),
        (AuditAction.DELETE, "legal-aid", [{"field": "records", "old": 1, "new": 0}]),
    ]
    assert all(line.actor_id is None for line in lines)
    assert_nothing_personal(audit_text(since) + logs.text, NAME, CODE)

    again = last_audit_id()
    assert set(records_purge().values()) == {0}
    assert last_audit_id() == again


def test_purge_at_a_given_moment(plan, staff, candidates_kind):
    """The purge takes the moment it runs at: a record made today goes once its retention has passed."""
    record = make_record(candidates_kind, plan, staff["mia_focal"])
    later = timezone.now() + timedelta(days=candidates_kind.retention_days + 1)
    assert records_purge(now=timezone.now())["candidates"] == 0
    assert records_purge(now=later)["candidates"] == 1
    assert not Candidate.objects.filter(pk=record.pk).exists()


def test_retention_date_set_from_the_kind(plan, staff, candidates_kind, legal_aid_kind):
    """A record's keep-until day is its creation day plus the kind's retention."""
    day = date(2022, 5, 1)
    candidate = make_record(candidates_kind, plan, staff["mia_focal"], today=day)
    service = make_record(legal_aid_kind, plan, staff["moj_focal"], today=day)
    assert candidate.retain_until == day + timedelta(days=3 * 365)
    assert service.retain_until == day + timedelta(days=5 * 365)


def test_purge_command(plan, staff, candidates_kind, capsys):
    """``wpsnap registries purge`` prints counts per registry; --dry-run deletes nothing; --json; --help."""
    record = make_record(candidates_kind, plan, staff["mia_focal"], full_name=NAME)
    Candidate.objects.filter(pk=record.pk).update(retain_until=timezone.localdate() - timedelta(days=1))

    call_command("registries", "purge", "--dry-run")
    out = capsys.readouterr().out
    assert "candidates: 1 record would be deleted" in out
    assert Candidate.objects.filter(pk=record.pk).exists()

    call_command("registries", "purge", "--json")
    counts = json.loads(capsys.readouterr().out)
    assert counts["candidates"] == 1 and counts["legal-aid"] == 0
    assert not Candidate.objects.filter(pk=record.pk).exists()

    call_command("registries", "purge")
    out = capsys.readouterr().out
    assert "candidates: 0 records deleted" in out
    assert NAME not in out

    with pytest.raises(SystemExit):
        call_command("registries", "purge", "--help")
    assert "--dry-run" in capsys.readouterr().out


# --- consent ----------------------------------------------------------------------------------------------


def test_consent_withdrawn_deletes_the_record(plan, staff, candidates_kind, logs):
    """The owner's focal point records a withdrawal: the candidate's record is gone, audited by its number,
    with nothing she said in the line or the logs."""
    keep = make_record(candidates_kind, plan, staff["mia_focal"], seed=8)
    record = make_record(
        candidates_kind, plan, staff["mia_focal"], full_name=NAME, contact="+994 50 000 00 00"
    )
    since = last_audit_id()

    record_consent_withdraw(actor=staff["mia_focal"], kind=candidates_kind, record=record)

    assert list(Candidate.objects.values_list("pk", flat=True)) == [keep.pk]
    line = AuditEvent.objects.get(pk__gt=since)
    assert (line.action, line.actor, line.note) == (
        AuditAction.DELETE,
        staff["mia_focal"],
        "consent withdrawn",
    )
    assert (line.object_type, line.object_id, line.object_label) == (
        "registry_candidates.candidate",
        str(record.pk),
        f"candidate {record.number}",
    )
    assert_nothing_personal(audit_text(since) + logs.text, NAME, "+994 50 000 00 00", record.skills)


@pytest.mark.parametrize(
    ("who", "refusal"),
    [
        ("mod_focal", PermissionDenied),  # another authority reads MIA's candidates but does not keep them
        ("moj_focal", Http404),  # not an authority of 5.2.1.2: the record does not exist for her
        ("evaluator", Http404),  # counts only
        ("ngo", Http404),
    ],
)
def test_consent_withdrawal_refused(plan, staff, candidates_kind, who, refusal):
    """Only coordinators and the owner's staff record a withdrawal; the refusal is audited and the record
    stays."""
    record = make_record(candidates_kind, plan, staff["mia_focal"])
    since = last_audit_id()
    with pytest.raises(refusal):
        record_consent_withdraw(actor=staff[who], kind=candidates_kind, record=record)
    assert Candidate.objects.filter(pk=record.pk).exists()
    refused = AuditEvent.objects.get(pk__gt=since)
    assert (refused.action, refused.note) == (
        AuditAction.ACCESS_REFUSED,
        "registry.candidates.consent_withdraw",
    )


def test_coordinator_records_a_withdrawal(plan, staff, candidates_kind):
    record = make_record(candidates_kind, plan, staff["mod_focal"])
    record_consent_withdraw(actor=staff["coordinator"], kind=candidates_kind, record=record)
    assert not Candidate.objects.filter(pk=record.pk).exists()


def test_legal_aid_records_no_consent(plan, staff, legal_aid_kind):
    """Legal aid keeps no consent: a withdrawal is refused with the way to go (erasure)."""
    record = make_record(legal_aid_kind, plan, staff["moj_focal"])
    with pytest.raises(InvalidInput) as refused:
        record_consent_withdraw(actor=staff["moj_focal"], kind=legal_aid_kind, record=record)
    assert [p.code for p in refused.value.problems] == ["no_consent"]
    assert LegalAidService.objects.filter(pk=record.pk).exists()


# --- erasure ----------------------------------------------------------------------------------------------


def test_erasure_takes_every_record_of_the_person(plan, staff, legal_aid_kind, logs):
    """Erasing a beneficiary deletes every record of the provider with her code (and nothing of another
    provider's, whose code is another person's), audited with the number and the reason's code only."""
    mine = [
        make_record(legal_aid_kind, plan, staff["moj_focal"], beneficiary_code=CODE, seed=seed)
        for seed in (1, 2, 3)
    ]
    other_person = make_record(legal_aid_kind, plan, staff["moj_focal"], beneficiary_code="BAK-2021-0043")
    other_provider = make_record(legal_aid_kind, plan, staff["mlspp_focal"], beneficiary_code=CODE)
    since = last_audit_id()

    erased = person_erase(
        actor=staff["moj_approver"], kind=legal_aid_kind, record=mine[1], reason=ErasureReason.PERSON_REQUEST
    )

    assert erased == 3
    assert set(LegalAidService.objects.values_list("pk", flat=True)) == {other_person.pk, other_provider.pk}
    line = AuditEvent.objects.get(pk__gt=since)
    assert (line.action, line.note, line.changes) == (
        AuditAction.DELETE,
        "erasure: person_request",
        [{"field": "records", "old": 3, "new": 0}],
    )
    assert line.object_label == f"legal aid service {mine[1].pk}"
    assert_nothing_personal(audit_text(since) + logs.text, CODE)


def test_erasure_of_a_candidate(plan, staff, candidates_kind, logs):
    """A candidate's erasure deletes her record (candidates are counted by authority, not by person)."""
    record = make_record(candidates_kind, plan, staff["mia_focal"], full_name=NAME)
    twin = make_record(candidates_kind, plan, staff["mia_focal"], full_name=NAME)
    since = last_audit_id()
    erased = person_erase(
        actor=staff["coordinator"],
        kind=candidates_kind,
        record=record,
        reason=ErasureReason.RECORDED_IN_ERROR,
    )
    assert erased == 1
    assert list(Candidate.objects.values_list("pk", flat=True)) == [twin.pk]
    assert_nothing_personal(audit_text(since) + logs.text, NAME)


@pytest.mark.parametrize(
    ("who", "refusal"),
    [
        ("moj_focal", PermissionDenied),  # sees the record, but erasure is the approver's
        ("mlspp_approver", Http404),  # another provider: the record does not exist for her
        ("mia_approver", Http404),
        ("evaluator", Http404),
        ("ngo", Http404),
    ],
)
def test_erasure_refused(plan, staff, legal_aid_kind, who, refusal):
    """Only coordinators and the owner's approvers erase; the refusal is audited and nothing goes."""
    record = make_record(legal_aid_kind, plan, staff["moj_focal"], beneficiary_code=CODE)
    since = last_audit_id()
    with pytest.raises(refusal):
        person_erase(
            actor=staff[who], kind=legal_aid_kind, record=record, reason=ErasureReason.PERSON_REQUEST
        )
    assert LegalAidService.objects.filter(pk=record.pk).exists()
    refused = AuditEvent.objects.get(pk__gt=since)
    assert (refused.action, refused.note) == (AuditAction.ACCESS_REFUSED, "registry.legal-aid.erase")
    assert_nothing_personal(audit_text(since), CODE)


def test_erasure_reason_is_a_code(plan, staff, legal_aid_kind):
    """A reason that is not one of the codes (free text might name the person) is refused."""
    record = make_record(legal_aid_kind, plan, staff["moj_focal"])
    with pytest.raises(InvalidInput) as refused:
        person_erase(actor=staff["coordinator"], kind=legal_aid_kind, record=record, reason="Aysel asked")
    assert [p.field for p in refused.value.problems] == ["reason"]
    assert LegalAidService.objects.filter(pk=record.pk).exists()


def test_audit_lines_dated_by_now(plan, staff, legal_aid_kind):
    """Given ``now``, the erasure's audit line says that moment (a replayed past, the demo)."""
    record = make_record(legal_aid_kind, plan, staff["moj_focal"])
    moment = timezone.make_aware(datetime(2023, 6, 1, 10, 0))
    since = last_audit_id()
    person_erase(
        actor=staff["coordinator"],
        kind=legal_aid_kind,
        record=record,
        reason=ErasureReason.NO_LEGAL_BASIS,
        now=moment,
    )
    assert AuditEvent.objects.get(pk__gt=since).at == moment


def test_erase_and_withdraw_commands(plan, staff, candidates_kind, legal_aid_kind, capsys):
    """``wpsnap registries erase`` and ``withdraw-consent`` act as the person named by --by, through the
    gate: allowed, they print counts only; refused, they say so and delete nothing."""
    service = make_record(legal_aid_kind, plan, staff["moj_focal"], beneficiary_code=CODE)
    twice = make_record(legal_aid_kind, plan, staff["moj_focal"], beneficiary_code=CODE, seed=5)
    with pytest.raises(CommandError):
        call_command(
            "registries",
            "erase",
            "legal-aid",
            str(service.ref),
            "--by",
            "mlspp-approver",
            "--reason",
            "person_request",
        )
    assert LegalAidService.objects.filter(pk__in=[service.pk, twice.pk]).count() == 2
    call_command(
        "registries",
        "erase",
        "legal-aid",
        str(service.ref),
        "--by",
        "moj-approver",
        "--reason",
        "person_request",
    )
    out = capsys.readouterr().out
    assert "2 records erased." in out and CODE not in out
    assert not LegalAidService.objects.filter(pk__in=[service.pk, twice.pk]).exists()

    candidate = make_record(candidates_kind, plan, staff["mia_focal"], full_name=NAME)
    with pytest.raises(CommandError):
        call_command("registries", "withdraw-consent", "legal-aid", str(candidate.ref), "--by", "mia-focal")
    with pytest.raises(CommandError):
        call_command("registries", "withdraw-consent", "candidates", "not-an-id", "--by", "mia-focal")
    call_command("registries", "withdraw-consent", "candidates", str(candidate.ref), "--by", "mia-focal")
    assert "Consent withdrawn" in capsys.readouterr().out
    assert not Candidate.objects.filter(pk=candidate.pk).exists()
