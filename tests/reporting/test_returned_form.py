"""A returned report's form opens on the reviewer's word: the return note, who returned it and when,
and the comments written since, above the form; earlier comments stay in the thread below."""

from __future__ import annotations

import pytest

from wpsnap.reporting import services
from wpsnap.reporting.services import ReportInput

from .conftest import sign_in

pytestmark = pytest.mark.django_db


def test_the_return_note_and_comments_since_open_the_form(
    client, people, activity_512_3, period_2020, django_assert_max_num_queries
) -> None:
    """The approver's return note and the comment added after it are shown before the form; the comment
    from before the return is not among them; the form costs one query more than a draft's."""
    focal, approver = people["focal"], people["approver"]
    report = services.report_start(
        actor=focal, activity=activity_512_3, agency=focal.organisation, period=period_2020
    )
    indicator = activity_512_3.indicators.get()
    services.report_save(
        actor=focal,
        report=report,
        data=ReportInput(progress="completed", done="Trainings.", values={indicator.pk: {"": "5"}}),
    )
    services.comment_add(actor=focal, report=report, text="Figures from the academy's register.")
    services.report_submit(actor=focal, report=report)
    services.report_return(actor=approver, report=report, comment="Add the March training in Ganja.")
    services.comment_add(actor=approver, report=report, text="The agenda is enough as evidence.")

    sign_in(client, focal)
    client.get(f"/reports/{report.pk}/edit/")  # the session's first request touches its row
    # The draft form's 14 (test_form_pages) and the last return.
    with django_assert_max_num_queries(15):
        response = client.get(f"/reports/{report.pk}/edit/")
    html = response.content.decode()
    top, form = html.split('id="report-form"', 1)
    note = top.split('class="alert alert-warning returned-note"', 1)[1]
    assert "Add the March training in Ganja." in note
    assert "mod-approver returned it on" in note
    assert (
        "The agenda is enough as evidence." in note.split('class="list-unstyled mb-2 comments-since"', 1)[1]
    )
    assert "Figures from the academy" not in note
    assert "Figures from the academy" in form  # the whole thread stays below


def test_a_draft_has_no_return_note(client, people, activity_512_3, period_2020) -> None:
    """A draft's form shows no return note."""
    focal = people["focal"]
    report = services.report_start(
        actor=focal, activity=activity_512_3, agency=focal.organisation, period=period_2020
    )
    sign_in(client, focal)
    assert "returned-note" not in client.get(f"/reports/{report.pk}/edit/").content.decode()
