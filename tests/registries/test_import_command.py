"""`wpsnap import participants FILE --event ID --user USERNAME [--replace]`: the page's import from the
server's command line, through the same service and permission gate."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.conftest import wpsnap_help
from wpsnap.core.models import AuditAction, AuditEvent
from wpsnap.registries.models import Participant, ParticipantImport

from ..conftest import ROOT

pytestmark = pytest.mark.django_db

WPSNAP = str(Path(sys.executable).parent / "wpsnap")
GOOD = "sex,age,district,name,consent\nwomen,23,baku,,\nmen,40,ganja,Aysel Məmmədova,yes\nqadın,61,,,\n"  # noqa: RUF001


def _import(*args: str) -> str:
    out = StringIO()
    call_command("import", "participants", *args, stdout=out)
    return out.getvalue()


def _file(tmp_path: Path, text: str, name: str = "participants.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _stored() -> tuple[int, int, int]:
    return Participant.objects.count(), ParticipantImport.objects.count(), AuditEvent.objects.count()


def test_a_file_is_imported_as_the_user(training, people, tmp_path) -> None:
    """The participants are added as on the page: one batch by the user, one audit line; the command
    says how many, and never prints a name."""
    out = _import(_file(tmp_path, GOOD), "--event", str(training.pk), "--user", "mod-focal")
    assert out == f"3 participants added to event {training.pk}.\n"
    assert Participant.objects.filter(event=training).count() == 3
    batch = ParticipantImport.objects.get(event=training)
    assert (batch.actor, batch.source, batch.rows, len(batch.sha256)) == (people["focal"], "csv", 3, 64)
    entry = AuditEvent.objects.get(action=AuditAction.IMPORT, object_id=str(training.pk))
    assert entry.actor == people["focal"]


def test_replace_makes_the_file_the_whole_list(training, people, tmp_path) -> None:
    _import(_file(tmp_path, GOOD), "--event", str(training.pk), "--user", "mod-focal")
    out = _import(
        _file(tmp_path, "sex,age\nmen,30\n", "one.csv"),
        "--event",
        str(training.pk),
        "--user",
        "mod-focal",
        "--replace",
    )
    assert out == f"1 participant added to event {training.pk}. They replace the list recorded before.\n"
    assert list(Participant.objects.filter(event=training).values_list("sex", "age")) == [("men", 30)]


def test_a_file_with_problems_prints_every_problem_and_saves_nothing(training, people, tmp_path) -> None:
    """Every problem, one a line, as the command's error (printed to stderr, exit status 1)."""
    path = _file(tmp_path, "sex,age,district\nxx,30,baku\nwomen,250,Atlantis\n")
    before = _stored()
    with pytest.raises(CommandError) as raised:
        _import(path, "--event", str(training.pk), "--user", "mod-focal")
    assert str(raised.value).split("\n") == [
        "rows[2].sex: “xx” is not one of men, women.",
        "rows[3].age: “250” is not an age between 0 and 120.",
        "rows[3].district: “Atlantis” is not a known district (see the template's list).",
    ]
    assert raised.value.returncode == 1
    assert _stored() == before


def test_a_spreadsheet_is_judged_by_its_content(training, people, tmp_path) -> None:
    path = tmp_path / "participants.xlsx"
    path.write_bytes(b"%PDF-1.4\n%%EOF\n")
    with pytest.raises(CommandError, match="is not a spreadsheet or a CSV text file"):
        _import(str(path), "--event", str(training.pk), "--user", "mod-focal")
    assert not Participant.objects.exists()


def test_another_agency_may_not_import(training, people, tmp_path) -> None:
    """The page's permission gate: MIA's focal point may not change MoD's event; the refusal is audited."""
    with pytest.raises(
        CommandError, match=f"mia-focal may not change the participants of event {training.pk}"
    ):
        _import(_file(tmp_path, GOOD), "--event", str(training.pk), "--user", "mia-focal")
    assert not Participant.objects.exists()
    refusal = AuditEvent.objects.get(action=AuditAction.ACCESS_REFUSED)
    assert (refusal.object_id, refusal.note) == (str(training.pk), "event.edit")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--user", "nobody"], "No active user 'nobody'."),
        (["--user", "inactive"], "No active user 'inactive'."),
        (["--user", "mod-focal", "--missing-event"], "No event with the id"),
        (["--user", "mod-focal", "--missing-file"], "cannot be read"),
    ],
)
def test_unknown_users_events_and_files_are_named(
    training, people, make_user, tmp_path, args, message
) -> None:
    inactive = make_user("focal_point", "mod", "inactive")
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    event = str(training.pk + 1000) if "--missing-event" in args else str(training.pk)
    path = str(tmp_path / "absent.csv") if "--missing-file" in args else _file(tmp_path, GOOD)
    options = [a for a in args if not a.startswith("--missing")]
    with pytest.raises(CommandError, match=message):
        _import(path, "--event", event, *options)
    assert not Participant.objects.exists()


@pytest.mark.parametrize(
    ("args", "expected"),
    [(["import"], "{participants}"), (["import", "participants"], "--replace")],
)
def test_help_describes_the_command(args, expected) -> None:
    """`wpsnap import --help` and `wpsnap import participants --help` answer with their usage."""
    assert expected in wpsnap_help(*args)


def test_the_event_and_the_user_are_required() -> None:
    """Run as a person runs it: without --event and --user the command stops before doing anything."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    result = subprocess.run(
        [WPSNAP, "import", "participants", "participants.csv"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=False,
        timeout=120,
    )
    assert result.returncode == 2
    assert "the following arguments are required: --event, --user" in result.stderr
