"""Idempotency keys for participant imports: an import that committed while its client saw an error
(a worker killed at COMMIT, a lost connection) is not done again by the retry. The same key with the
same file answers what the first import did and adds nothing; the same key with another file (or
event, or person) is refused and writes nothing. Through the service, the API's ``Idempotency-Key``,
the import form's hidden token and ``wpsnap import participants --key``."""

from __future__ import annotations

import re
import threading
from datetime import timedelta
from io import BytesIO, StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections
from django.utils import timezone

from wpsnap.core.errors import InvalidInput
from wpsnap.core.idempotency import KeyReused
from wpsnap.core.models import AuditAction, AuditEvent, IdempotencyKey
from wpsnap.registries.models import Participant, ParticipantImport
from wpsnap.registries.services.participants import (
    participants_add_rows,
    participants_import_file,
    participants_import_text,
)

from ..api import token_client
from ..conftest import problems_of, sign_in

pytestmark = pytest.mark.django_db

KEY = "3f1c2a9e-6b1d-4c1e-9a55-0d4f6f8f2b11"
FILE = b"sex,age,district\nwomen,23,baku\nmen,40,ganja\n"
OTHER_FILE = b"sex,age\nwomen,61\n"


def _stored() -> tuple[int, int, int, int]:
    """What an import writes: participants, batches, audit lines of imports, keys."""
    return (
        Participant.objects.count(),
        ParticipantImport.objects.count(),
        AuditEvent.objects.filter(action=AuditAction.IMPORT).count(),
        IdempotencyKey.objects.count(),
    )


def _import(people, event, content: bytes = FILE, key: str = KEY, person: str = "focal"):
    return participants_import_file(
        actor=people[person], event=event, name="participants.csv", content=content, idempotency_key=key
    )


# --- the service ---------------------------------------------------------------------------------


def test_a_retry_with_the_key_adds_nothing_and_answers_what_the_first_did(people, training) -> None:
    """The import committed, then its client saw an error and sent it again with the same key: no new
    rows, batch or audit line, and the answer is the first import's (same batch, same count)."""
    first = _import(people, training)
    after_first = _stored()
    again = _import(people, training)
    assert (first.rows, first.replayed) == (2, False)
    assert (again.batch.pk, again.rows, again.replayed) == (first.batch.pk, 2, True)
    assert _stored() == after_first == (2, 1, 1, 1)


def test_the_key_with_another_file_is_refused_and_nothing_is_written(people, training) -> None:
    """The same key with another file is refused with a message naming the key; nothing is written."""
    _import(people, training)
    before = _stored()
    with pytest.raises(KeyReused) as refused:
        _import(people, training, OTHER_FILE)
    assert refused.value.problems[0].field == "Idempotency-Key"
    assert KEY in refused.value.problems[0].message
    assert _stored() == before


def test_the_key_stands_for_its_person_event_and_replace_flag(
    people, training, events_plan, make_user
) -> None:
    """The same key and file from another person, for another event, or replacing the list instead of
    adding to it, is another request: refused, never answered with the first one's result."""
    from wpsnap.registries.services.events import EventInput, event_create

    _import(people, training)
    other_event = event_create(
        actor=people["focal"],
        plan=events_plan,
        data=EventInput(
            kind="training",
            title="Second training",
            starts_on=training.starts_on,
            ends_on=training.ends_on,
            activities=list(training.activities.all()),
        ),
    )
    before = _stored()
    with pytest.raises(KeyReused):
        _import(people, other_event)
    with pytest.raises(KeyReused):
        _import({"colleague": make_user("focal_point", "mod", "mod-focal-2")}, training, person="colleague")
    with pytest.raises(KeyReused):
        participants_import_file(
            actor=people["focal"],
            event=training,
            name="participants.csv",
            content=FILE,
            replace=True,
            idempotency_key=KEY,
        )
    assert _stored() == before


def test_a_refused_import_does_not_use_up_its_key(people, training) -> None:
    """A file with a problem is refused whole, and its key with it: the corrected file, sent with the
    same key, is imported."""
    with pytest.raises(InvalidInput):
        _import(people, training, b"sex,age\nwomen,250\n")
    assert _stored() == (0, 0, 0, 0)
    assert _import(people, training).rows == 2


def test_pasted_rows_and_records_are_keyed_by_their_content(people, training) -> None:
    """Pasted rows and API records are compared by their content too: the same again adds nothing,
    other rows with the key are refused."""
    focal = people["focal"]
    text = "sex,age\nwomen,30\n"
    first = participants_import_text(actor=focal, event=training, text=text, idempotency_key="paste-1")
    assert participants_import_text(
        actor=focal, event=training, text=text, idempotency_key="paste-1"
    ).replayed
    with pytest.raises(KeyReused):
        participants_import_text(
            actor=focal, event=training, text="sex,age\nmen,30\n", idempotency_key="paste-1"
        )
    rows = [{"sex": "men", "age": 44}]
    participants_add_rows(actor=focal, event=training, rows=rows, idempotency_key="rows-1")
    assert participants_add_rows(actor=focal, event=training, rows=rows, idempotency_key="rows-1").replayed
    with pytest.raises(KeyReused):
        participants_add_rows(
            actor=focal, event=training, rows=[{"sex": "men", "age": 45}], idempotency_key="rows-1"
        )
    assert first.rows == 1
    assert Participant.objects.filter(event=training).count() == 2


def test_a_key_is_answered_for_a_week_then_forgotten(people, training) -> None:
    """A key older than WPSNAP_IDEMPOTENCY_KEY_DAYS no longer answers: the import is done again (the
    same rows, so only when the person says to add them anyway: the duplicate rule still holds)."""
    from wpsnap.registries.services.participants import DuplicateImport

    _import(people, training)
    IdempotencyKey.objects.update(
        created_at=timezone.now() - timedelta(days=settings.WPSNAP_IDEMPOTENCY_KEY_DAYS, minutes=1)
    )
    with pytest.raises(DuplicateImport):
        _import(people, training)
    again = participants_import_file(
        actor=people["focal"],
        event=training,
        name="participants.csv",
        content=FILE,
        idempotency_key=KEY,
        allow_duplicate=True,
    )
    assert not again.replayed
    assert Participant.objects.filter(event=training).count() == 4


@pytest.mark.parametrize("key", ["with space", "ключ", "a\x00b", "x" * 256, " "])
def test_a_key_that_is_not_one_is_refused(people, training, key) -> None:
    """A key is 1 to 255 visible ASCII characters: anything else is refused, naming the header."""
    with pytest.raises(InvalidInput, match=r"^Idempotency-Key: A key is 1 to 255"):
        _import(people, training, key=key)
    assert _stored() == (0, 0, 0, 0)


# --- the API -------------------------------------------------------------------------------------


def _post_file(api, event, content: bytes, key: str = KEY):
    upload = BytesIO(content)
    upload.name = "participants.csv"
    return api.post(
        f"/api/v1/events/{event.pk}/participants/",
        {"file": upload},
        format="multipart",
        HTTP_IDEMPOTENCY_KEY=key,
    )


def test_the_api_answers_a_retry_with_the_first_answer(people, training) -> None:
    """POST with an Idempotency-Key, then the same again: 201 both times with the same batch and count
    added, the second marked ``Idempotent-Replayed: true``; the rows are there once."""
    api = token_client(people["focal"])
    first = _post_file(api, training, FILE)
    again = _post_file(api, training, FILE)
    assert (first.status_code, again.status_code) == (201, 201)
    assert (
        again.json()
        == first.json()
        == {"added": 2, "replaced": False, "batch": first.json()["batch"], "participants": 2}
    )
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Participant.objects.filter(event=training).count() == 2


def test_the_api_refuses_the_key_with_another_file_with_422(people, training) -> None:
    """The key with another file answers 422 in the one error shape, naming the key; nothing added."""
    api = token_client(people["focal"])
    _post_file(api, training, FILE)
    refused = _post_file(api, training, OTHER_FILE)
    assert refused.status_code == 422
    [problem] = problems_of(refused)
    assert (problem["field"], problem["code"]) == ("Idempotency-Key", "key_reused")
    assert problem["message"].startswith(f"The key “{KEY}” was used for another")
    assert Participant.objects.filter(event=training).count() == 2


def test_the_api_keys_json_rows_too(people, training) -> None:
    """JSON rows sent twice with one key are added once."""
    api = token_client(people["focal"])
    url = f"/api/v1/events/{training.pk}/participants/"
    body = {"rows": [{"sex": "women", "age": 23}]}
    answers = [
        api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="rows-7").status_code for _ in range(2)
    ]
    assert answers == [201, 201]
    assert Participant.objects.filter(event=training).count() == 1


def test_the_schema_documents_the_header() -> None:
    """The OpenAPI schema names the Idempotency-Key header on the import and its 422."""
    from rest_framework.test import APIClient

    schema = APIClient().get("/api/v1/schema/", {"format": "json"}).json()
    post = schema["paths"]["/api/v1/events/{id}/participants/"]["post"]
    headers = {p["name"]: p for p in post["parameters"] if p["in"] == "header"}
    assert "Idempotency-Key" in headers
    assert headers["Idempotency-Key"].get("required", False) is False
    assert "422" in post["responses"]


# --- the page ------------------------------------------------------------------------------------


def _token(page: str) -> str:
    found = re.search(r'name="token" value="([^"]+)"', page)
    assert found, "the import form carries a token"
    return found.group(1)


def test_the_import_form_sent_twice_adds_the_rows_once(client, people, training) -> None:
    """The page's form carries a token made when it is shown; sending it twice (a double click, a
    retry after a lost connection) adds the rows once and says so."""
    sign_in(client, people["focal"])
    url = f"/events/{training.pk}/participants/import/"
    token = _token(client.get(url).content.decode())
    form = {"text": "sex,age\nwomen,30\nmen,41\n", "token": token}
    first, again = client.post(url, form), client.post(url, form)
    assert (first.status_code, again.status_code) == (302, 302)
    assert Participant.objects.filter(event=training).count() == 2
    assert "sent twice: its 2 participants were added once" in client.get(again["Location"]).content.decode()
    assert _token(client.get(url).content.decode()) != token


def test_a_used_form_with_other_rows_is_refused_with_a_fresh_token(client, people, training) -> None:
    """The form's token used for other rows (the back button) is refused: nothing added, the pasted
    rows kept and a fresh token, so that sending the form again adds them."""
    sign_in(client, people["focal"])
    url = f"/events/{training.pk}/participants/import/"
    token = _token(client.get(url).content.decode())
    client.post(url, {"text": "sex,age\nwomen,30\n", "token": token})
    refused = client.post(url, {"text": "sex,age\nmen,50\n", "token": token})
    page = refused.content.decode()
    assert refused.status_code == 422
    assert "already used to add participants" in page
    assert "men,50" in page
    assert Participant.objects.filter(event=training).count() == 1
    fresh = _token(page)
    assert fresh != token
    assert client.post(url, {"text": "sex,age\nmen,50\n", "token": fresh}).status_code == 302
    assert Participant.objects.filter(event=training).count() == 2


# --- the command line ----------------------------------------------------------------------------


def test_the_command_with_a_key_run_twice_imports_once(people, training, tmp_path) -> None:
    """``--key`` run again prints what the first run did and adds nothing; with another file it is
    refused, naming the key."""
    path = tmp_path / "participants.csv"
    path.write_bytes(FILE)
    args = ["participants", str(path), "--event", str(training.pk), "--user", "mod-focal", "--key", KEY]
    out = StringIO()
    call_command("import", *args, stdout=out)
    call_command("import", *args, stdout=out)
    printed = out.getvalue()
    assert "2 participants added to event" in printed
    assert f"Already done with the key {KEY}: 2 participants were added" in printed
    assert Participant.objects.filter(event=training).count() == 2
    path.write_bytes(OTHER_FILE)
    with pytest.raises(CommandError, match=f"The key “{KEY}” was used for another request"):
        call_command("import", *args, stdout=StringIO())
    assert Participant.objects.filter(event=training).count() == 2


# --- two at once (PostgreSQL) --------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent connections need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_requests_with_one_key_at_the_same_moment_import_once(people, training) -> None:
    """Two imports with one key at the same moment, from two connections: the second waits for the
    first at the key's unique index and answers as a retry; the rows are there once."""
    start = threading.Barrier(4)
    results: list[object] = []

    def send() -> None:
        try:
            start.wait()
            results.append(_import(people, training))
        except Exception as error:
            results.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(getattr(r, "replayed", r) for r in results) == [False, True, True, True]
    assert len({r.batch.pk for r in results}) == 1  # type: ignore[attr-defined]
    assert Participant.objects.filter(event=training).count() == 2
