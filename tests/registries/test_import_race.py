"""The same registry file imported twice at the same moment, from two connections, on PostgreSQL: one
import adds the rows, the other is refused as a duplicate, never both. A deferred trigger holds each
import's COMMIT open a moment (``pg_sleep``), so that without the plan's row lock both would pass the
duplicate check before either committed."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from wpsnap.core.tables import read_text
from wpsnap.registries.kinds import catalogue
from wpsnap.registries.kinds.services import DuplicateImport, records_import

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks and triggers need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]

ROUNDS = 5


@pytest.fixture
def held_commits():
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION race_hold() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN PERFORM pg_sleep(0.2); RETURN NULL; END $$"
        )
        cursor.execute(
            "CREATE CONSTRAINT TRIGGER race_hold AFTER INSERT ON registries_recordimport "
            "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION race_hold()"
        )
    yield
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER IF EXISTS race_hold ON registries_recordimport")
        cursor.execute("DROP FUNCTION IF EXISTS race_hold()")


def _import_twice_at_once(kind, actor, plan, text: str) -> list[str]:
    """Import ``text`` from two threads released together; what each got."""
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def one() -> None:
        try:
            barrier.wait()
            records_import(
                kind=kind, actor=actor, plan=plan, table=read_text(text), source="paste", sha256=""
            )
            outcomes.append("imported")
        except DuplicateImport:
            outcomes.append("duplicate")
        except Exception as error:  # shown in the assertion
            outcomes.append(repr(error)[:300])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


def test_two_imports_of_one_file_at_once_add_the_rows_once(az_plan, make_user, held_commits):
    kind = catalogue.kind_named("media-outlets")
    assert kind is not None
    coordinator = make_user("coordinator")
    for round_ in range(ROUNDS):
        text = f"name,outlet_type,owner\nOutlet {round_} A,radio,scfwca\nOutlet {round_} B,print,scfwca\n"
        assert _import_twice_at_once(kind, coordinator, az_plan, text) == ["duplicate", "imported"], round_
        made = kind.model._default_manager.filter(plan=az_plan, name__startswith=f"Outlet {round_} ")
        assert made.count() == 2
