"""`wpsnap people invite` and `wpsnap organisations list|add`: the administrator's commands for what the site
cannot do before anyone can sign in (the first coordinator) or has no page for (an organisation the plan
does not name). Each goes through the same service as the site, is checked the same way and audited as
made on the command line."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from tests.conftest import wpsnap_help
from wpsnap.accounts.models import Organisation, User
from wpsnap.core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db


def _run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_first_coordinator_is_invited_from_the_server_and_chooses_a_password(
    az_plan, django_capture_on_commit_callbacks
) -> None:
    """Nobody has an account yet: the command makes the coordinator's, without a password, e-mails and
    prints the one-time link, and records who did it as the command line; the link lets them choose one."""
    assert not User.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):  # the e-mail goes once the account is committed
        out, err = _run(
            "people",
            "invite",
            "Leyla.Aliyeva@Example.org",
            "--organisation",
            "scfwca",
            "--role",
            "coordinator",
            "--first-name",
            "Leyla",
            "--last-name",
            "Aliyeva",
            "--base-url",
            "https://wpsnap.example.az/",
        )
    user = User.objects.get()
    assert (user.username, user.email, user.role, user.organisation.key) == (
        "Leyla.Aliyeva@example.org",
        "Leyla.Aliyeva@example.org",
        "coordinator",
        "scfwca",
    )
    assert (user.first_name, user.last_name, user.has_usable_password()) == ("Leyla", "Aliyeva", False)
    link = out.strip().splitlines()[-1]
    assert link.startswith("https://wpsnap.example.az/accounts/invitation/"), out
    assert user.username in err
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [user.email] and link in mail.outbox[0].body
    line = AuditEvent.objects.get(action=AuditAction.INVITE)
    assert (line.actor, line.actor_label, line.object_id, line.note) == (
        None,
        "command line",
        str(user.pk),
        "coordinator",
    )

    client = Client()
    path = link.removeprefix("https://wpsnap.example.az")
    assert client.get(path).status_code == 200
    chosen = client.post(
        path, {"new_password1": "a-long-Passphrase-2026", "new_password2": "a-long-Passphrase-2026"}
    )
    assert chosen.status_code == 302, chosen.content[:500]
    user.refresh_from_db()
    assert user.check_password("a-long-Passphrase-2026")


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--organisation", "nowhere", "--role", "coordinator"], "organisation"),
        (["--organisation", "mod", "--role", "ngo_contributor"], "role"),
        (["--organisation", "scfwca", "--role", "coordinator"], "email"),  # the address is taken
    ],
    ids=["unknown-organisation", "role-not-open-to-it", "address-taken"],
)
def test_an_invitation_that_does_not_fit_is_refused_naming_what(az_plan, make_user, args, named) -> None:
    make_user("focal_point", "mod", "taken@example.org")
    before = User.objects.count()
    with pytest.raises(CommandError) as refused:
        _run("people", "invite", "taken@example.org", *args)
    assert str(refused.value).startswith(f"{named}:"), str(refused.value)
    assert User.objects.count() == before
    assert not AuditEvent.objects.filter(action=AuditAction.INVITE).exists()
    assert mail.outbox == []


def test_an_organisation_the_plan_does_not_name_is_added_listed_and_audited(az_plan) -> None:
    out, _err = _run(
        "organisations",
        "add",
        "women-for-peace",
        "--name",
        "Women for Peace Network",
        "--short-name",
        "WPN",
        "--kind",
        "ngo",
    )
    assert out.strip() == "women-for-peace"
    made = Organisation.objects.get(key="women-for-peace")
    assert (made.country, made.name, made.short_name, made.kind) == (
        "AZ",
        "Women for Peace Network",
        "WPN",
        "ngo",
    )
    line = AuditEvent.objects.get(
        action=AuditAction.CREATE, object_type="accounts.organisation", object_id=made.pk
    )
    assert (line.actor, line.note) == (None, "command line")
    assert {"field": "key", "new": "women-for-peace"} in line.changes
    listed, _err = _run("organisations", "list")
    assert "women-for-peace\tngo\tAZ\tWomen for Peace Network" in listed.splitlines()
    assert any(row.startswith("scfwca\t") for row in listed.splitlines())  # the plan's agencies too


@pytest.mark.parametrize(
    ("key", "more", "named"),
    [
        ("mod", [], "key"),  # the plan's Ministry of Defense has it
        ("Women for Peace", [], "key"),  # not a slug
        ("wfp", ["--name", ""], "name"),
        ("wfp", ["--country", "AZE"], "country"),
    ],
    ids=["taken", "not-a-key", "no-name", "country-too-long"],
)
def test_an_organisation_that_does_not_fit_is_refused_naming_the_field(az_plan, key, more, named) -> None:
    before = Organisation.objects.count()
    with pytest.raises(CommandError) as refused:
        _run("organisations", "add", key, "--name", "Women for Peace Network", "--kind", "ngo", *more)
    assert str(refused.value).startswith(f"{named}:"), str(refused.value)
    assert Organisation.objects.count() == before
    assert not AuditEvent.objects.filter(object_type="accounts.organisation", note="command line").exists()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["people"], "{invite}"),
        (["people", "invite"], "--organisation"),
        (["organisations"], "{list,add}"),
        (["organisations", "add"], "--kind"),
    ],
)
def test_help_describes_the_commands(args, expected) -> None:
    assert expected in wpsnap_help(*args)
