"""Reports beside the events: the report form shows what the agency's events say for each bound
indicator, marks the figures that differ, and takes the events' figures with one click (through the
same save as the form, so the lock and the validation apply); reviewers see the same comparison on
the report's page."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wpsnap.registries.models import Event, Participant
from wpsnap.registries.services.participants import participants_add_rows
from wpsnap.reporting import services
from wpsnap.reporting.disaggregation import TOTAL, field_name
from wpsnap.reporting.models import IndicatorValue
from wpsnap.reporting.services import ReportInput

from .conftest import sign_in

pytestmark = pytest.mark.django_db

WOMEN_18 = "sex:women|age:18-24"
MEN_25 = "sex:men|age:25-34"
CELL_KEYS = [
    f"sex:{sex}|age:{age}"
    for sex in ("women", "men")
    for age in ("0-17", "18-24", "25-34", "35-59", "60-plus")
]


@pytest.fixture
def indicator(training):
    """5.1.2.3's indicator: training participants by sex x age band."""
    return training.activities.get().indicators.get()


@pytest.fixture
def report(people, events_plan, training, indicator):
    """MoD's 2021 draft on 5.1.2.3: 3 women 18-24 and 1 man 25-34 reported; the training had 3 women
    aged 18-24 and 2 men aged 25-34."""
    participants_add_rows(
        actor=people["focal"],
        event=training,
        rows=[
            {"sex": "women", "age": 19},
            {"sex": "women", "age": 23},
            {"sex": "women", "age_band": "18-24"},
            {"sex": "men", "age": 30},
            {"sex": "men", "age": 26},
        ],
    )
    focal = people["focal"]
    report = services.report_start(
        actor=focal,
        activity=training.activities.get(),
        agency=focal.organisation,
        period=events_plan.reporting_periods.get(label="2021"),
    )
    services.report_save(
        actor=focal,
        report=report,
        data=ReportInput(
            progress="completed",
            done="One training for officers.",
            values={indicator.pk: {WOMEN_18: "3", MEN_25: "1", TOTAL: "4"}},
        ),
    )
    return report


def stored(report, indicator) -> dict[str, int]:
    return {
        cell: int(value)
        for cell, value in IndicatorValue.objects.filter(report=report, indicator=indicator).values_list(
            "cell", "value"
        )
    }


def source_note(html: str, indicator, key: str) -> str:
    """The "events: n" element next to the cell ``key``'s input."""
    name = field_name(indicator.pk, key)
    found = re.search(rf'<div[^>]*id="id_{re.escape(name)}_source"[^>]*>.*?</div>', html, re.S)
    assert found is not None, f"no source figure next to {name}"
    return found.group(0)


def text_of(fragment: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)).strip()


def input_value(html: str, name: str) -> str | None:
    tag = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', html)
    assert tag is not None, f"no input named {name}"
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return value.group(1) if value else None


# --- the form ----------------------------------------------------------------------------------------


def test_the_form_shows_the_events_figures_beside_each_cell(client, people, report, indicator) -> None:
    """Each cell shows what the events say; the two that differ (men 25-34 and the total) are marked
    in words, not colour only, and the input points to its note; the matching ones are not marked."""
    sign_in(client, people["focal"])

    html = client.get(f"/reports/{report.pk}/edit/").content.decode()

    women = source_note(html, indicator, WOMEN_18)
    men = source_note(html, indicator, MEN_25)
    total = source_note(html, indicator, TOTAL)
    assert 'data-source-value="3"' in women and "data-differs" not in women
    assert text_of(women) == "events: 3"
    assert 'data-source-value="2"' in men and "data-differs" in men
    assert text_of(men) == "≠ events: 2 (differs)"
    assert 'data-source-value="5"' in total and "data-differs" in total
    assert text_of(source_note(html, indicator, "sex:women|age:60-plus")) == "events: 0"
    men_input = re.search(rf'<input[^>]*name="{field_name(indicator.pk, MEN_25)}"[^>]*>', html)
    assert men_input is not None
    assert f'aria-describedby="id_{field_name(indicator.pk, MEN_25)}_source"' in men_input.group(0)
    assert "From 1 event" in html
    assert "2 figures entered differ from what the events say" in html
    activity = report.activity_id
    assert (
        f'href="/events/?plan=az-2020-2023&amp;activity={activity}&amp;organiser=mod&amp;year=2021"' in html
    )
    assert f'formaction="/reports/{report.pk}/take/{indicator.pk}/"' in html
    assert "Use the figures from events" in html


def test_without_events_nothing_is_marked_and_nothing_can_be_taken(
    client, people, events_plan, training, indicator
) -> None:
    """A period in which the agency recorded no event: the form says so, marks nothing, offers no
    button, and the take address refuses (404) rather than overwrite the figures with zeros."""
    focal = people["focal"]
    report = services.report_start(
        actor=focal,
        activity=training.activities.get(),
        agency=focal.organisation,
        period=events_plan.reporting_periods.get(label="2022"),
    )
    services.report_save(actor=focal, report=report, data=ReportInput(values={indicator.pk: {MEN_25: "9"}}))
    sign_in(client, focal)

    html = client.get(f"/reports/{report.pk}/edit/").content.decode()

    assert "No events recorded for this activity in this period" in html
    assert "events: " not in html
    assert "data-differs" not in html
    assert "Use the figures from events" not in html
    assert client.post(f"/reports/{report.pk}/take/{indicator.pk}/", {}).status_code == 404
    assert stored(report, indicator) == {MEN_25: 9}


def test_enter_in_a_field_saves_the_draft_and_does_not_take_the_figures(client, people, report) -> None:
    """The form's first submit button (the one Enter presses) is "Save draft", hidden from view and
    from assistive technology, before any indicator's "Use the figures from events"."""
    sign_in(client, people["focal"])

    html = client.get(f"/reports/{report.pk}/edit/").content.decode()

    form = html.split('id="report-form"')[1].split("</form>")[0]
    first = re.search(r"<button[^>]*>", form)
    assert first is not None
    assert 'value="save"' in first.group(0) and 'aria-hidden="true"' in first.group(0)


def test_the_take_button_saves_the_events_figures(client, people, report, indicator) -> None:
    """Without script: the button posts the form to the take address; every cell becomes the events'
    figure (zero where no participant falls), the rest of what was posted is saved too, and the form
    then says the figures match."""
    sign_in(client, people["focal"])

    response = client.post(
        f"/reports/{report.pk}/take/{indicator.pk}/",
        {"done": "One training for officers, in Baku.", field_name(indicator.pk, MEN_25): "7"},
    )

    assert response.status_code == 302
    assert response["Location"] == f"/reports/{report.pk}/edit/#indicator-{indicator.pk}"
    expected = dict.fromkeys(CELL_KEYS, 0) | {WOMEN_18: 3, MEN_25: 2, TOTAL: 5}
    assert stored(report, indicator) == expected
    report.refresh_from_db()
    assert report.done == "One training for officers, in Baku."
    html = client.get(f"/reports/{report.pk}/edit/").content.decode()
    assert "The figures entered match the events." in html
    assert "data-differs" not in html
    assert "Use the figures from events" not in html
    assert "The figures from events are in the draft" in html


def test_with_htmx_the_indicator_is_swapped_with_the_events_figures(
    client, people, report, indicator
) -> None:
    """With htmx the answer is the indicator alone, its inputs holding the events' figures, and the
    save status out of band."""
    sign_in(client, people["focal"])

    response = client.post(f"/reports/{report.pk}/take/{indicator.pk}/", {}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<article class="indicator card mb-3" id="indicator-{indicator.pk}"')
    assert input_value(html, field_name(indicator.pk, MEN_25)) == "2"
    assert input_value(html, field_name(indicator.pk, TOTAL)) == "5"
    assert "data-differs" not in html
    assert 'id="autosave-status" hx-swap-oob="true"' in html
    assert "Draft saved at" in html
    assert stored(report, indicator)[MEN_25] == 2


def test_taking_is_refused_when_the_period_is_locked(client, people, events_plan, report, indicator) -> None:
    """A locked period: 409 with the reason, nothing saved, with or without htmx (htmx reloads the page)."""
    services.period_lock(actor=people["coordinator"], period=events_plan.reporting_periods.get(label="2021"))
    before = stored(report, indicator)
    sign_in(client, people["focal"])

    plain = client.post(f"/reports/{report.pk}/take/{indicator.pk}/", {})
    htmx = client.post(f"/reports/{report.pk}/take/{indicator.pk}/", {}, HTTP_HX_REQUEST="true")

    assert plain.status_code == 409
    assert "approved and locked" in plain.content.decode()
    assert "Nothing was saved." in plain.content.decode()
    assert htmx.status_code == 409
    assert htmx["HX-Refresh"] == "true"
    assert stored(report, indicator) == before == {WOMEN_18: 3, MEN_25: 1, TOTAL: 4}


def test_another_agencys_report_answers_404(client, people, report, indicator) -> None:
    """MIA's focal point cannot take figures into MoD's report (404, as if it did not exist); nor can
    MoD's focal point name an indicator that is not the report's."""
    sign_in(client, people["other_focal"])
    assert client.post(f"/reports/{report.pk}/take/{indicator.pk}/", {}).status_code == 404
    assert stored(report, indicator) == {WOMEN_18: 3, MEN_25: 1, TOTAL: 4}

    client.logout()
    sign_in(client, people["focal"])
    other = report.plan.indicators.exclude(activity_id=report.activity_id).first()
    assert client.post(f"/reports/{report.pk}/take/{other.pk}/", {}).status_code == 404


def test_only_writers_may_take(client, people, report, indicator) -> None:
    """The approver reads the report but may not change it: refused by the gate (403)."""
    sign_in(client, people["approver"])
    assert client.post(f"/reports/{report.pk}/take/{indicator.pk}/", {}).status_code == 403
    assert stored(report, indicator) == {WOMEN_18: 3, MEN_25: 1, TOTAL: 4}


# --- reviewers ---------------------------------------------------------------------------------------


def test_reviewers_see_the_difference_before_approving(client, people, report, indicator) -> None:
    """The approver's page of the submitted report shows each figure with the events' beside it, the
    differing ones marked, and how many differ."""
    services.report_submit(actor=people["focal"], report=report)
    sign_in(client, people["approver"])

    html = client.get(f"/reports/{report.pk}/").content.decode()

    assert "From 1 event" in html
    assert "2 figures reported differ from what the events say" in html
    grid = html.split('figures-grid">')[1].split("</table>")[0]
    marked = re.findall(
        r'<span class="[^"]*source-differs[^"]*" data-source-value="(\d+)" data-differs>', html
    )
    assert marked == ["5", "2"]  # the total, then men 25-34
    assert grid.count("events: ") == 10


# --- query counts --------------------------------------------------------------------------------------


def _more_events(training, people, n: int) -> None:
    """``n`` more 2021 trainings by MoD for the same activity, each with three participants."""
    activity = training.activities.get()
    events = Event.objects.bulk_create(
        Event(
            plan_id=training.plan_id,
            organiser=people["focal"].organisation,
            kind="training",
            title=f"Training {i}",
            starts_on=date(2021, 4, 1 + i % 28),
            ends_on=date(2021, 4, 1 + i % 28),
        )
        for i in range(n)
    )
    Event.activities.through.objects.bulk_create(
        Event.activities.through(event_id=e.pk, activity_id=activity.pk) for e in events
    )
    Participant.objects.bulk_create(
        Participant(event=e, sex=sex, age_band=band)
        for e in events
        for sex, band in (("women", "25-34"), ("men", "35-59"), ("women", "60-plus"))
    )


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_query_counts_do_not_grow_with_events(
    client, people, training, report, django_assert_num_queries
) -> None:
    """The form and the report's page cost the same with 1 event as with 20 (pinned): the events'
    figures are aggregated in the database."""
    sign_in(client, people["focal"])
    form_url = f"/reports/{report.pk}/edit/"
    detail_url = f"/reports/{report.pk}/"
    client.get(form_url)  # the first request of a session also writes the session
    # The form's 12 (session and user, the report, indicators, breakdowns (3), values, answers, money,
    # files, comments) and the events' 7: rules and their topics, events, their activities and topics,
    # participants grouped by cell, counts; and the registries' bindings (issue 14: one query).
    with django_assert_num_queries(20):
        client.get(form_url)
    one = (_queries(client, form_url), _queries(client, detail_url))

    _more_events(training, people, 19)

    assert Event.objects.count() == 20
    html = client.get(form_url).content.decode()
    assert "From 20 events" in html
    assert (_queries(client, form_url), _queries(client, detail_url)) == one


def test_a_blank_total_is_compared_as_the_sum_of_the_parts(report, indicator) -> None:
    """A total left blank stands for the sum of the parts ("left blank, the total is the sum"): parts
    that match the events leave the total unmarked; parts that do not, mark it."""
    from django.http import QueryDict

    from wpsnap.reporting.form_selectors import report_form_page
    from wpsnap.reporting.forms import ReportForm

    page = report_form_page(report)

    def total_differs(parts: dict[str, str]) -> bool:
        data = QueryDict(mutable=True)
        data.update({field_name(indicator.pk, key): value for key, value in parts.items()})
        data[field_name(indicator.pk, TOTAL)] = ""
        form = ReportForm(data, page=page)
        view = next(v for v in form.indicator_views if v.block.indicator.pk == indicator.pk)
        assert view.total_source is not None
        return view.total_source.differs

    assert total_differs({WOMEN_18: "3", MEN_25: "2"}) is False
    assert total_differs({WOMEN_18: "3", MEN_25: "1"}) is True
    assert total_differs({}) is True  # nothing typed: 0 against the events' 5
