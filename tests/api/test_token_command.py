"""`wpsnap token create USERNAME`: an API token from the server's command line."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.conftest import wpsnap_help
from wpsnap.accounts.models import Role
from wpsnap.core.models import AuditAction, AuditEvent

from . import person


def _token(*args: str) -> str:
    out = StringIO()
    call_command("token", *args, stdout=out)
    return out.getvalue()


def _me(key: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get("/api/v1/me/").status_code


@pytest.mark.django_db
def test_create_prints_only_a_working_key() -> None:
    """The command prints the new key and a newline, nothing else; the key authenticates on the API and
    the creation is audited."""
    user = person("ada", Role.FOCAL_POINT)
    printed = _token("create", "ada")
    key = printed.removesuffix("\n")
    assert printed == f"{key}\n"
    assert len(key) == 40
    assert Token.objects.get(user=user).key == key
    assert _me(key) == 200
    assert AuditEvent.objects.filter(action=AuditAction.TOKEN_CREATED, object_id=str(user.pk)).exists()


@pytest.mark.django_db
def test_a_new_token_replaces_the_old_one() -> None:
    """Creating a token again makes the earlier one stop working."""
    person("ada", Role.FOCAL_POINT)
    first = _token("create", "ada").strip()
    second = _token("create", "ada").strip()
    assert first != second
    assert _me(first) == 401
    assert _me(second) == 200


@pytest.mark.django_db
def test_an_unknown_user_is_an_error_naming_them() -> None:
    """A user name nobody has fails with a non-zero exit status and the name in the message."""
    with pytest.raises(CommandError, match="nobody-here") as raised:
        _token("create", "nobody-here")
    assert raised.value.returncode != 0
    assert not Token.objects.exists()


@pytest.mark.django_db
def test_a_deactivated_user_gets_no_token() -> None:
    """A deactivated account is refused by name, and no token is made."""
    user = person("gone", Role.EVALUATOR)
    user.is_active = False
    user.save(update_fields=["is_active"])
    with pytest.raises(CommandError, match="gone") as raised:
        _token("create", "gone")
    assert raised.value.returncode != 0
    assert not Token.objects.filter(user=user).exists()


@pytest.mark.parametrize(("args", "expected"), [(["token"], "{create}"), (["token", "create"], "username")])
def test_help_describes_the_command(args, expected) -> None:
    """`wpsnap token --help` and `wpsnap token create --help` answer with their usage."""
    assert expected in wpsnap_help(*args)
