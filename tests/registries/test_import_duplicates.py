"""Issue 14: the same participants imported twice into an event. An import whose rows an earlier import
of the event still holds (the same rows once read and checked: any order, spelling or file format) is
refused, naming when, by whom and how many, and nothing is added; unless the person chose to replace the
list or to add them anyway. Through the service, the page (file and pasted rows), the API (file and
JSON rows) and the command; and two at the same moment on PostgreSQL."""

from __future__ import annotations

import io
import threading
from io import BytesIO, StringIO

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections

from wpsnap.core.models import AuditAction, AuditEvent
from wpsnap.registries.models import Participant, ParticipantImport
from wpsnap.registries.services.participants import (
    DuplicateImport,
    RowsFingerprint,
    participants_add_rows,
    participants_clear,
    participants_import_file,
    participants_import_text,
)

from ..api import token_client
from ..conftest import problems_of, sign_in

pytestmark = pytest.mark.django_db

FILE = b"sex,age,district\nwomen,23,baku\nmen,40,ganja\nwomen,35,baku\n"
# The same three people: other column order, other spellings, other row order.
SAME_ROWS = "district;age;sex\nganja;40;M\nBaku;35;female\nbaku;23;qad\u0131n\n".encode()
OTHER = b"sex,age\nwomen,61\n"


def _import(people, event, content: bytes = FILE, **options):
    return participants_import_file(
        actor=people["focal"], event=event, name="participants.csv", content=content, **options
    )


def _count(event) -> int:
    return Participant.objects.filter(event=event).count()


def _stored() -> tuple[int, int, int]:
    return (
        Participant.objects.count(),
        ParticipantImport.objects.count(),
        AuditEvent.objects.filter(action=AuditAction.IMPORT).count(),
    )


def _xlsx(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- the service ---------------------------------------------------------------------------------


def test_the_same_file_twice_is_refused_naming_date_person_and_count(people, training) -> None:
    first = _import(people, training)
    stored = _stored()
    with pytest.raises(DuplicateImport) as refused:
        _import(people, training)
    assert _stored() == stored  # nothing added: no rows, no batch, no audit line
    (problem,) = refused.value.problems
    assert (problem.field, problem.code) == ("file", "duplicate")
    assert problem.message.startswith("This file was already imported into this event on ")
    assert "by mod-focal: 3 participants." in problem.message
    assert (
        "Choose “Replace the current list” to replace them or “Add anyway” to add them again."
        in problem.message
    )
    assert str(first.batch.at.astimezone().year) in problem.message
    assert refused.value.status == 409


def test_the_same_rows_in_another_order_spelling_or_format_are_refused(people, training) -> None:
    """A spreadsheet saved again differs in its bytes: the rows as read and checked are compared."""
    _import(people, training)
    with pytest.raises(DuplicateImport):
        _import(people, training, SAME_ROWS)
    xlsx = _xlsx(
        [["sex", "age", "district"], ["men", 40, "ganja"], ["women", 35, "baku"], ["women", 23, "baku"]]
    )
    with pytest.raises(DuplicateImport):
        participants_import_file(actor=people["focal"], event=training, name="list.xlsx", content=xlsx)
    assert _count(training) == 3


def test_a_person_more_or_different_is_not_a_duplicate(people, training) -> None:
    _import(people, training)
    _import(people, training, FILE + b"men,41,ganja\n")
    _import(people, training, FILE.replace(b"women,23", b"women,24"))
    assert _count(training) == 3 + 4 + 3


def test_the_fingerprint_ignores_order_and_counts_repeats() -> None:
    a = ("women", 23, "18-24", "", "baku", "", "", False)
    b = ("men", 40, "35-59", "", "ganja", "", "", False)

    def of(*rows):
        fingerprint = RowsFingerprint()
        for row in rows:
            fingerprint.add(row)
        return fingerprint.hexdigest()

    assert of(a, b) == of(b, a)
    assert of(a, b) != of(a, b, b) != of(a, a, b)
    assert of(a) != of(b)


def test_replace_gives_the_same_count(people, training) -> None:
    _import(people, training)
    result = _import(people, training, replace=True)
    assert (result.rows, _count(training)) == (3, 3)


def test_add_anyway_doubles_the_list(people, training) -> None:
    _import(people, training)
    result = _import(people, training, allow_duplicate=True)
    assert (result.rows, _count(training)) == (3, 6)
    assert AuditEvent.objects.filter(action=AuditAction.IMPORT, note__contains="added again").count() == 1


def test_an_import_whose_rows_are_gone_no_longer_counts(people, training) -> None:
    """Replaced by another list, or the list emptied: the first file may be imported again."""
    _import(people, training)
    _import(people, training, OTHER, replace=True)
    _import(people, training)
    assert _count(training) == 1 + 3
    participants_clear(actor=people["focal"], event=training)
    _import(people, training)
    assert _count(training) == 3


def test_pasted_rows_and_records_are_refused_as_rows(people, training) -> None:
    text = "sex,age\nwomen,30\nmen,41\n"
    participants_import_text(actor=people["focal"], event=training, text=text)
    with pytest.raises(DuplicateImport, match="These rows were already imported"):
        participants_import_text(actor=people["focal"], event=training, text="sex\tage\nmen\t41\nwomen\t30\n")
    with pytest.raises(DuplicateImport) as refused:
        participants_add_rows(
            actor=people["focal"],
            event=training,
            rows=[{"sex": "men", "age": 41}, {"sex": "women", "age": 30}],
        )
    assert refused.value.problems[0].field == "rows"
    assert _count(training) == 2


def test_people_typed_one_by_one_may_be_alike(people, training) -> None:
    """Two people typed in the form with the same sex, age and district are two people, not a list
    imported again (the API's records are imported lists: they send ``allow_duplicate`` for that)."""
    from wpsnap.registries.models import ImportSource

    for _ in range(2):
        participants_add_rows(
            actor=people["focal"],
            event=training,
            rows=[{"sex": "women", "age": 30}],
            source=ImportSource.FORM,
        )
    assert _count(training) == 2


# --- the page ------------------------------------------------------------------------------------


def _upload(content: bytes, name: str = "participants.csv") -> BytesIO:
    upload = BytesIO(content)
    upload.name = name
    return upload


def test_the_page_refuses_the_same_file_with_its_choices(client, people, training) -> None:
    sign_in(client, people["focal"])
    url = f"/events/{training.pk}/participants/import/"
    assert client.post(url, {"file": _upload(FILE)}).status_code == 302
    refused = client.post(url, {"file": _upload(FILE)})
    page = refused.content.decode()
    assert refused.status_code == 409
    assert "This file was already imported into this event on" in page
    assert "by mod-focal: 3 participants" in page
    assert "The file is not kept: choose it again" in page
    assert 'name="allow_duplicate"' in page and 'name="replace"' in page
    assert _count(training) == 3
    assert client.post(url, {"file": _upload(FILE), "allow_duplicate": "on"}).status_code == 302
    assert _count(training) == 6
    assert client.post(url, {"file": _upload(FILE), "replace": "on"}).status_code == 302
    assert _count(training) == 3


def test_the_page_refuses_the_same_pasted_rows_and_keeps_them(client, people, training) -> None:
    sign_in(client, people["focal"])
    url = f"/events/{training.pk}/participants/import/"
    text = "sex,age\nwomen,30\nmen,41\n"
    client.post(url, {"text": text})
    refused = client.post(url, {"text": text})
    page = refused.content.decode()
    assert refused.status_code == 409
    assert "These rows were already imported into this event" in page
    assert "men,41" in page
    assert _count(training) == 2


# --- the API -------------------------------------------------------------------------------------


def test_the_api_answers_409_naming_its_fields(people, training) -> None:
    api = token_client(people["focal"])
    url = f"/api/v1/events/{training.pk}/participants/"
    assert api.post(url, {"file": _upload(FILE)}, format="multipart").status_code == 201
    refused = api.post(url, {"file": _upload(FILE)}, format="multipart")
    assert refused.status_code == 409
    (problem,) = problems_of(refused)
    assert (problem["field"], problem["code"]) == ("file", "duplicate")
    assert "Choose “replace” to replace them or “allow_duplicate” to add them again." in problem["message"]
    again = api.post(url, {"file": _upload(FILE), "allow_duplicate": "true"}, format="multipart")
    assert (again.status_code, again.json()["participants"]) == (201, 6)
    rows = {"rows": [{"sex": "women", "age": 61}]}
    assert api.post(url, rows, format="json").status_code == 201
    refused = api.post(url, rows, format="json")
    assert (refused.status_code, problems_of(refused)[0]["field"]) == (409, "rows")
    assert api.post(url, {**rows, "allow_duplicate": True}, format="json").status_code == 201
    assert _count(training) == 8


# --- the command ---------------------------------------------------------------------------------


def test_the_command_refuses_naming_its_options_and_prints_progress(people, training, tmp_path) -> None:
    path = tmp_path / "participants.csv"
    path.write_bytes(FILE)
    args = ["participants", str(path), "--event", str(training.pk), "--user", "mod-focal"]
    err = StringIO()
    call_command("import", *args, stdout=StringIO(), stderr=err)
    assert "Rows checked: 3. Rows written: 3." in err.getvalue()
    with pytest.raises(CommandError, match="Choose “--replace” to replace them or “--allow-duplicate”"):
        call_command("import", *args, stdout=StringIO(), stderr=StringIO())
    out = StringIO()
    call_command("import", *args, "--allow-duplicate", stdout=out, stderr=StringIO())
    assert "3 participants added" in out.getvalue()
    assert _count(training) == 6


# --- two at once (PostgreSQL) --------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent connections need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_uploads_of_one_file_at_the_same_moment_add_it_once(people, training) -> None:
    """Two imports of the same file at the same moment, from two connections, without keys: the second
    waits for the first at the event's row, then sees its fingerprint and is refused."""
    start = threading.Barrier(2)
    results: list[object] = []

    def send() -> None:
        try:
            start.wait()
            results.append(_import(people, training))
        except Exception as error:
            results.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(type(r).__name__ for r in results) == ["DuplicateImport", "ImportResult"]
    assert _count(training) == 3
    assert ParticipantImport.objects.filter(event=training).count() == 1
