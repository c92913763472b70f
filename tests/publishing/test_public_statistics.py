"""Public statistics (``indicator_set_public_statistics`` and ``wpsnap publishing public-statistics``): only
a coordinator decides, with a reason; the decision is audited with its reason and the old and new value,
and kept in the indicator's history; a marked indicator's published figures are shown whole."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError

from wpsnap.core.errors import InvalidInput, Problem
from wpsnap.core.models import AuditAction, AuditEvent
from wpsnap.plan.models import Indicator
from wpsnap.publishing.disclosure import Reason
from wpsnap.publishing.public import public_results
from wpsnap.publishing.services import indicator_set_public_statistics
from wpsnap.reporting.workflow import Status

from .conftest import SEX_AND_AGE, THRESHOLD, Written, activities_of, by_hand, publish_dates, write_reports

pytestmark = pytest.mark.django_db

REASON = "Staff in posts: published by the State Statistical Committee every year."


@pytest.fixture
def indicator(plan) -> Indicator:
    return Indicator.objects.get(activity=activities_of(plan)[SEX_AND_AGE])


@pytest.mark.parametrize("who", ["evaluator", "mod", "mod_approver", "ngo"])
def test_only_coordinators_decide(people, indicator, who) -> None:
    """Evaluators, focal points, approvers and NGO contributors are refused, and the refusal is audited;
    the indicator is unchanged."""
    with pytest.raises(PermissionDenied):
        indicator_set_public_statistics(actor=people[who], indicator=indicator, public=True, reason=REASON)
    indicator.refresh_from_db()
    assert not indicator.public_statistics
    refused = AuditEvent.objects.get(action=AuditAction.ACCESS_REFUSED, object_id=str(indicator.pk))
    assert refused.note == "publishing.public_statistics"


def test_an_anonymous_caller_is_refused(indicator) -> None:
    """Nobody signed in decides anything."""
    with pytest.raises(PermissionDenied):
        indicator_set_public_statistics(
            actor=AnonymousUser(), indicator=indicator, public=True, reason=REASON
        )
    indicator.refresh_from_db()
    assert not indicator.public_statistics


@pytest.mark.parametrize("reason", ["", "   \n "])
def test_a_reason_is_required(people, indicator, reason) -> None:
    """A blank reason is refused, naming the reason field with a code; nothing changes."""
    with pytest.raises(InvalidInput) as refused:
        indicator_set_public_statistics(
            actor=people["coordinator"], indicator=indicator, public=True, reason=reason
        )
    assert [(p.field, p.code) for p in refused.value.problems] == [("reason", "required")]
    assert all(isinstance(p, Problem) and not p.message.startswith("reason") for p in refused.value.problems)
    indicator.refresh_from_db()
    assert not indicator.public_statistics


def test_only_count_indicators_are_marked(people, plan) -> None:
    """A list or document indicator has no figures to publish."""
    qualitative = Indicator.objects.filter(plan=plan).exclude(kind="count").first()
    assert qualitative is not None
    with pytest.raises(InvalidInput) as refused:
        indicator_set_public_statistics(
            actor=people["coordinator"], indicator=qualitative, public=True, reason=REASON
        )
    assert [(p.field, p.code) for p in refused.value.problems] == [("indicator", "not_a_count")]


def test_the_decision_is_audited_with_its_reason_and_kept_in_history(people, indicator) -> None:
    """One audit line by the coordinator with the reason and the old and new value, for marking and for
    unmarking; the indicator's history has both changes; marking again what is marked writes nothing."""
    coordinator = people["coordinator"]
    indicator_set_public_statistics(actor=coordinator, indicator=indicator, public=True, reason=REASON)
    indicator_set_public_statistics(actor=coordinator, indicator=indicator, public=True, reason=REASON)
    indicator_set_public_statistics(
        actor=coordinator, indicator=indicator, public=False, reason="The committee stopped publishing it."
    )
    lines = AuditEvent.objects.filter(
        object_type="plan.indicator", object_id=str(indicator.pk), actor=coordinator
    ).exclude(note="public statistics")
    assert [(line.action, line.note, line.changes) for line in lines.order_by("pk")] == [
        (AuditAction.UPDATE, REASON, [{"field": "public_statistics", "old": False, "new": True}]),
        (
            AuditAction.UPDATE,
            "The committee stopped publishing it.",
            [{"field": "public_statistics", "old": True, "new": False}],
        ),
    ]
    history = indicator.history.order_by("history_id")
    assert [h.public_statistics for h in history][-2:] == [True, False]
    assert history.last().history_user == coordinator


def test_a_marked_indicators_published_figures_are_not_suppressed(people, plan, indicator) -> None:
    """Before marking, the small cells are suppressed; after, every figure is shown with reason
    ``public`` and its true value."""
    values = {"sex:women|age:18-24": 3, "sex:men|age:18-24": 25, "sex:women|age:25-34": 0}
    written = [Written(SEX_AND_AGE, "mod", 0, Status.PUBLISHED, values=(("", 28), *values.items()))]
    publish_dates(write_reports(plan, activities_of(plan), written))

    def period():
        release = public_results(plan, threshold=THRESHOLD)
        return next(i for i in release.indicators if i.indicator_id == indicator.pk).periods[0]

    assert period().figure("sex:women|age:18-24").value is None
    indicator_set_public_statistics(
        actor=people["coordinator"], indicator=indicator, public=True, reason=REASON
    )
    shown = period()
    truth = by_hand(written, SEX_AND_AGE, 0)
    assert {f.reason for f in shown.figures()} == {Reason.PUBLIC}
    assert shown.figure("sex:women|age:18-24").value == 3
    assert shown.figure("sex:women|age:25-34").value == 0
    assert shown.figure("sex:women").value == 3
    assert shown.total.value == truth[""]


# --- the command ----------------------------------------------------------------------------------------


def test_the_command_marks_and_unmarks(people, indicator) -> None:
    """`wpsnap publishing public-statistics PLAN INDICATOR --on --reason ... --user ...` marks the
    indicator and says so; --off unmarks it; the audit line names the coordinator and the reason."""
    out = StringIO()
    call_command(
        "publishing",
        "public-statistics",
        "az-2020-2023",
        indicator.key,
        "--on",
        "--reason",
        REASON,
        "--user",
        people["coordinator"].username,
        stdout=out,
    )
    indicator.refresh_from_db()
    assert indicator.public_statistics
    assert indicator.key in out.getvalue()
    assert AuditEvent.objects.filter(actor=people["coordinator"], note=REASON).count() == 1
    call_command(
        "publishing",
        "public-statistics",
        "az-2020-2023",
        indicator.key,
        "--off",
        "--reason",
        "Withdrawn.",
        "--user",
        people["coordinator"].username,
        stdout=StringIO(),
    )
    indicator.refresh_from_db()
    assert not indicator.public_statistics


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["no-such-plan", "5.1.2-3-i1", "--user", "coord"], "no-such-plan"),
        (["az-2020-2023", "no-such-indicator", "--user", "coord"], "no-such-indicator"),
        (["az-2020-2023", "5.1.2-3-i1", "--user", "nobody"], "nobody"),
        (["az-2020-2023", "5.1.2-3-i1", "--user", "mod-focal"], "only coordinators"),
    ],
    ids=["plan", "indicator", "user", "not-a-coordinator"],
)
def test_the_command_refuses_clearly(people, indicator, arguments, message) -> None:
    """An unknown plan, indicator or user, or a user who is not a coordinator: an error naming it, and
    nothing changed."""
    with pytest.raises(CommandError, match=message):
        call_command("publishing", "public-statistics", *arguments, "--on", "--reason", REASON)
    indicator.refresh_from_db()
    assert not indicator.public_statistics


def test_the_command_names_a_missing_reason(people, indicator) -> None:
    """A blank reason is refused with the problem named."""
    with pytest.raises(CommandError, match="reason"):
        call_command(
            "publishing",
            "public-statistics",
            "az-2020-2023",
            indicator.key,
            "--on",
            "--reason",
            " ",
            "--user",
            "coord",
        )


def test_the_command_has_help() -> None:
    """--help describes the subcommand and its options."""
    from wpsnap.publishing.management.commands.publishing import Command

    parser = Command().create_parser("wpsnap", "publishing")
    text = parser.format_help()
    assert "public-statistics" in text
    sub = next(a for a in parser._actions if a.dest == "action").choices["public-statistics"]
    help_text = sub.format_help()
    for option in ("--on", "--off", "--reason", "--user", "PLAN_SLUG", "INDICATOR_KEY"):
        assert option in help_text
