"""``wpsnap demo load|users|totp``: the demo people, idempotent loading, signing in as them, and the
second-factor codes the command prints."""

from __future__ import annotations

import json
import re
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory
from django_otp.plugins.otp_totp.models import TOTPDevice

from wpsnap.accounts.models import Organisation, Role, User
from wpsnap.core.models import AuditAction, AuditEvent
from wpsnap.demo import data
from wpsnap.plan.models import Plan, PriorityArea

pytestmark = pytest.mark.django_db

PASSWORD = "demo-pass-2026"

EXPECTED = {
    "coordinator": (Role.COORDINATOR, "scfwca"),
    "mod.focal": (Role.FOCAL_POINT, "mod"),
    "mod.approver": (Role.APPROVER, "mod"),
    "mia.focal": (Role.FOCAL_POINT, "mia"),
    "mia.approver": (Role.APPROVER, "mia"),
    "scridp.focal": (Role.FOCAL_POINT, "scridp"),
    "scridp.approver": (Role.APPROVER, "scridp"),
    "mlspp.focal": (Role.FOCAL_POINT, "mlspp"),
    "mlspp.approver": (Role.APPROVER, "mlspp"),
    "moe.focal": (Role.FOCAL_POINT, "moe"),
    "moe.approver": (Role.APPROVER, "moe"),
    "ngo.contributor": (Role.NGO_CONTRIBUTOR, "women-for-peace"),
    "ngo.approver": (Role.APPROVER, "women-for-peace"),
    "evaluator": (Role.EVALUATOR, "independent-evaluators"),
}


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Argon2 is slow on purpose; these tests are about the demo, not hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def demo(*args: str) -> str:
    out = StringIO()
    if args[:1] == ("load",):
        args = (*args, "--without-reports")  # the reports have their own tests (test_demo_reports.py)
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def snapshot() -> dict[str, object]:
    """What the demo creates, to compare two runs."""
    return {
        "users": sorted(User.objects.values_list("pk", "username", "role", "organisation__key", "email")),
        "organisations": sorted(Organisation.objects.values_list("pk", "key", "kind")),
        "devices": sorted(TOTPDevice.objects.values_list("pk", "user__username", "key", "name", "confirmed")),
        "audit": AuditEvent.objects.count(),
    }


def signs_in(username: str, password: str) -> bool:
    request = RequestFactory().post("/accounts/login/")
    return authenticate(request=request, username=username, password=password) is not None


def test_load_creates_the_demo_people_with_their_roles_and_organisations():
    """One load creates a coordinator, a focal point and an approver at five agencies, an NGO
    contributor and an evaluator, with Azerbaijani names and example.org addresses."""
    output = demo("load", "--password", PASSWORD)
    assert "14 people created" in output
    users = {u.username: u for u in User.objects.filter(username__in=EXPECTED).select_related("organisation")}
    assert {name: (u.role, u.organisation.key) for name, u in users.items()} == EXPECTED
    assert all(u.email.endswith("@example.org") and u.first_name and u.last_name for u in users.values())
    ngo = Organisation.objects.get(country="AZ", key="women-for-peace")
    assert (ngo.name, ngo.kind) == ("Women for Peace Network", "ngo")
    assert Organisation.objects.get(country="AZ", key="independent-evaluators").kind == "evaluator"


def test_loading_twice_creates_nothing_new():
    """A second load with the same password changes nothing at all, not even the audit trail."""
    demo("load", "--password", PASSWORD)
    before = snapshot()
    output = demo("load", "--password", PASSWORD)
    assert snapshot() == before
    assert "0 people created, 0 updated, 14 unchanged" in output


def test_loading_again_resets_passwords_and_puts_back_changed_demo_values():
    """A second load with another password gives every demo user that password, and puts back a role
    and an active flag someone changed; nothing new is created."""
    demo("load", "--password", PASSWORD)
    User.objects.filter(username="mod.focal").update(role=Role.APPROVER, is_active=False)
    users, devices = User.objects.count(), TOTPDevice.objects.count()
    output = demo("load", "--password", "another-demo-password")
    assert "0 people created, 14 updated" in output
    assert (User.objects.count(), TOTPDevice.objects.count()) == (users, devices)
    focal = User.objects.get(username="mod.focal")
    assert (focal.role, focal.is_active) == (Role.FOCAL_POINT, True)
    assert signs_in("coordinator", "another-demo-password")
    assert not signs_in("coordinator", PASSWORD)


def test_each_demo_user_is_created_with_one_audit_line():
    """History already turns each created user into an audit line; the demo writes no second one.
    Each coordinator's and approver's second factor gets its own line."""
    demo("load", "--password", PASSWORD)
    for username in EXPECTED:
        user = User.objects.get(username=username)
        created = AuditEvent.objects.filter(
            action=AuditAction.CREATE, object_type="accounts.user", object_id=str(user.pk)
        )
        assert created.count() == 1, username
    assert AuditEvent.objects.filter(action=AuditAction.SECOND_FACTOR, note=data.NOTE).count() == 7


def test_the_demo_loads_the_plan_when_it_is_missing(az_plan):
    """Without the Azerbaijan plan in the database the demo loads it first (its agencies are the
    demo's organisations)."""
    PriorityArea.objects.filter(plan=az_plan).delete()  # pillars protect their areas: areas go first
    az_plan.delete()
    output = demo("load", "--password", PASSWORD)
    assert "Loaded the Azerbaijan plan." in output
    assert Plan.objects.filter(slug="az-2020-2023").exists()


def test_a_short_password_is_refused():
    """The demo password needs 8 characters; a shorter one creates nobody."""
    with pytest.raises(CommandError, match="at least 8 characters"):
        demo("load", "--password", "short")
    assert not User.objects.filter(username__in=EXPECTED).exists()


def test_users_json_lists_every_role_with_its_organisation():
    """``demo users --json`` lists each demo user with role, organisation key and name, whether they
    need a second factor, and the secret for an authenticator app when they do."""
    demo("load", "--password", PASSWORD)
    rows = json.loads(demo("users", "--json"))
    assert {row["username"]: (row["role"], row["organisation"]) for row in rows} == EXPECTED
    assert {row["role"] for row in rows} == set(Role.values)
    coordinator = next(row for row in rows if row["username"] == "coordinator")
    assert coordinator["organisation_name"] == "State Committee for Family, Women and Children Affairs"
    assert coordinator["name"] == "Leyla Əliyeva"
    second_factor = {row["username"] for row in rows if row["needs_second_factor"]}
    assert second_factor == {
        name for name, (role, _) in EXPECTED.items() if role in {"coordinator", "approver"}
    }
    assert all(
        re.fullmatch(r"[A-Z2-7]{32}", row["totp_secret"]) for row in rows if row["needs_second_factor"]
    )
    assert [row["totp_secret"] for row in rows if not row["needs_second_factor"]] == [None] * 7


def test_users_prints_a_readable_table():
    """Without --json the list is a table with a line per demo user and how to sign in."""
    demo("load", "--password", PASSWORD)
    lines = demo("users").splitlines()
    assert lines[0].split()[:3] == ["User", "name", "Name"]
    assert [line.split()[0] for line in lines[2 : 2 + len(EXPECTED)]] == list(EXPECTED)
    assert "wpsnap demo totp USERNAME" in lines[-1]


def test_users_says_how_to_create_them_when_there_are_none():
    """Before any load the list says which command creates the demo users; the JSON list is empty."""
    assert "wpsnap demo load --password" in demo("users")
    assert json.loads(demo("users", "--json")) == []


def test_every_demo_user_signs_in_with_the_password():
    """Each demo user signs in through the site's authentication backends (django-axes first) with the
    password given, and not with another."""
    demo("load", "--password", PASSWORD)
    assert all(signs_in(username, PASSWORD) for username in EXPECTED)
    assert not signs_in("mod.focal", "wrong-password")


def test_totp_prints_a_code_the_device_accepts():
    """``demo totp coordinator`` prints six digits that the coordinator's device accepts now."""
    demo("load", "--password", PASSWORD)
    code = demo("totp", "coordinator").strip()
    assert re.fullmatch(r"\d{6}", code)
    device = TOTPDevice.objects.get(user__username="coordinator", name=data.DEVICE_NAME)
    assert device.verify_token(code)


def test_totp_refuses_users_outside_the_demo_and_demo_users_without_a_second_factor():
    """A user who is not in the demo, or one without a second factor, gets no code."""
    demo("load", "--password", PASSWORD)
    outsider = User.objects.create(
        username="outsider",
        role=Role.COORDINATOR,
        organisation=Organisation.objects.get(country="AZ", key="moj"),
    )
    TOTPDevice.objects.create(user=outsider, name=data.DEVICE_NAME, confirmed=True)
    with pytest.raises(CommandError, match="not a demo user"):
        demo("totp", "outsider")
    with pytest.raises(CommandError, match="not a demo user with a second factor"):
        demo("totp", "mod.focal")


def help_of(*args: str, capsys) -> str:
    with pytest.raises(SystemExit) as exit_info:
        call_command("demo", *args, "--help")
    assert exit_info.value.code == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("subcommand", ["load", "users", "totp"])
def test_every_subcommand_has_help(subcommand, capsys):
    """``demo SUBCOMMAND --help`` prints its usage and options and exits 0."""
    help_text = help_of(subcommand, capsys=capsys)
    assert f"demo {subcommand} [-h]" in help_text
    assert "show this help message and exit" in help_text


def test_the_load_help_states_the_password_rule(capsys):
    """The help of ``demo load`` says that any password of 8 characters or more will do."""
    help_text = " ".join(help_of("load", capsys=capsys).split())
    assert "Any password of at least 8 characters: the site's password rules do not apply" in help_text


@pytest.mark.django_db
def test_demo_load_is_refused_under_production_settings(settings) -> None:
    """Production settings refuse demo people (known passwords) unless WPSNAP_ALLOW_DEMO is set."""
    from django.core.management import call_command
    from django.core.management.base import CommandError

    from wpsnap.accounts.models import User

    settings.WPSNAP_DEMO_ALLOWED = False
    with pytest.raises(CommandError, match="refused under production settings"):
        call_command("demo", "load", "--password", "demo-pass-2026")
    assert not User.objects.filter(username="coordinator").exists()
