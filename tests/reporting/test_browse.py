"""The reports browser (/reports/browse/): who may use it and what each sees, the filters (bad values
refused naming the parameter), sorting on indexed keys with keyset paging (every row once, in order, with
rows inserted meanwhile never shown twice), a constant query count, and the bulk steps (one confirmation,
then each report through its own step; refusals named with their reason)."""

from __future__ import annotations

import itertools
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wpsnap.accounts.models import Organisation
from wpsnap.core import keyset
from wpsnap.core.models import AuditAction, AuditEvent
from wpsnap.reporting import selectors
from wpsnap.reporting.models import ProgressReport, ReportTransition
from wpsnap.reporting.workflow import Status

from .conftest import sign_in

pytestmark = pytest.mark.django_db


def make_reports(plan, count: int, *, agency_keys=("mod", "mia", "moe", "mlspp"), status=Status.SUBMITTED):
    """``count`` reports of the plan, spread over activities, agencies and periods (bulk-inserted: the
    browser reads them, whatever made them)."""
    agencies = list(Organisation.objects.filter(key__in=agency_keys).order_by("key"))
    periods = list(plan.reporting_periods.order_by("start"))
    activities = list(plan.activities.order_by("pk"))
    taken = set(ProgressReport.objects.values_list("activity_id", "agency_id", "period_id"))
    combos = (
        (a, g, p)
        for p, a, g in itertools.product(periods, activities, agencies)
        if (a.pk, g.pk, p.pk) not in taken
    )
    reports = [
        ProgressReport(plan=plan, period=p, activity=a, agency=g, status=status)
        for a, g, p in itertools.islice(combos, count)
    ]
    assert len(reports) == count
    return ProgressReport.objects.bulk_create(reports)


def _ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<li class="card mb-2 browse-row" data-report="(\d+)"', html)]


def _next(html: str) -> str | None:
    found = re.search(r'<a class="page-link" href="([^"]+)" rel="next">', html)
    return found.group(1).replace("&amp;", "&") if found else None


# --- who sees what ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [("coordinator", 200), ("evaluator", 200), ("approver", 200), ("focal", 403), ("anonymous", 302)],
)
def test_who_may_browse(client, people, reporting, role, status) -> None:
    """Coordinators, evaluators and approvers browse; focal points have their workspace instead (403);
    anonymous visitors are sent to sign in."""
    if role != "anonymous":
        sign_in(client, people[role])
    assert client.get("/reports/browse/").status_code == status


def test_ngo_contributor_is_refused(client, make_user, reporting) -> None:
    """NGO contributors report through their workspace; the browser is not theirs (403)."""
    sign_in(client, make_user("ngo_contributor", "test-ngo"))
    assert client.get("/reports/browse/").status_code == 403


def test_each_sees_their_scope_and_steps(client, people, reporting) -> None:
    """The coordinator and the evaluator see every agency's reports, the approver their agency's; the
    evaluator gets no checkboxes and no step buttons (read-only), the approver "endorse", the
    coordinator "approve" and "publish"."""
    made = make_reports(reporting, 8)
    mod = {r.pk for r in made if r.agency.key == "mod"}
    sign_in(client, people["coordinator"])
    page = client.get("/reports/browse/").content.decode()
    assert set(_ids(page)) == {r.pk for r in made}
    assert re.findall(r'name="step" value="(\w+)"', page) == ["approve", "publish"]

    sign_in(client, people["evaluator"])
    page = client.get("/reports/browse/").content.decode()
    assert set(_ids(page)) == {r.pk for r in made}
    assert (
        'type="checkbox"' not in page
        and 'name="step"' not in page
        and 'method="post"' not in page.split("<main", 1)[1]
    )

    sign_in(client, people["approver"])
    page = client.get("/reports/browse/").content.decode()
    assert set(_ids(page)) == mod and mod
    assert re.findall(r'name="step" value="(\w+)"', page) == ["endorse"]


# --- filters -----------------------------------------------------------------------------------------


def test_filters_narrow_the_list(client, people, reporting) -> None:
    """Each filter keeps exactly the reports that match it (counted here from the rows made)."""
    made = make_reports(reporting, 40)
    ProgressReport.objects.filter(pk__in=[r.pk for r in made[::3]]).update(
        status=Status.APPROVED, progress="delayed"
    )
    made = list(
        ProgressReport.objects.filter(pk__in=[r.pk for r in made]).select_related("activity__priority_area")
    )
    sign_in(client, people["coordinator"])
    first = made[0]
    cases = {
        f"period={first.period_id}": {r.pk for r in made if r.period_id == first.period_id},
        f"agency={first.agency_id}": {r.pk for r in made if r.agency_id == first.agency_id},
        "status=approved": {r.pk for r in made if r.status == "approved"},
        "progress=delayed": {r.pk for r in made if r.progress == "delayed"},
        f"activity={first.activity.key}": {r.pk for r in made if r.activity_id == first.activity_id},
        f"area={first.activity.priority_area_id}": {
            r.pk for r in made if r.activity.priority_area_id == first.activity.priority_area_id
        },
        f"pillar={first.activity.priority_area.pillar_id}": {
            r.pk for r in made if r.activity.priority_area.pillar_id == first.activity.priority_area.pillar_id
        },
        f"status=approved&agency={first.agency_id}": {
            r.pk for r in made if r.status == "approved" and r.agency_id == first.agency_id
        },
    }
    for query, expected in cases.items():
        response = client.get(f"/reports/browse/?{query}")
        assert response.status_code == 200, query
        assert set(_ids(response.content.decode())) == expected, query


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("period=abc", "period"),
        ("period=999999", "period"),
        ("pillar=%C2%B2", "pillar"),
        ("area=0", "area"),
        ("agency=99999999", "agency"),
        ("status=lost", "status"),
        ("progress=finished", "progress"),
        ("activity=no-such-key", "activity"),
        ("sort=agency__name", "sort"),
        ("cursor=not-a-cursor", "cursor"),
        ("cursor=" + keyset.encode(keyset.Ordering("id", ("id",)), "n", [1]), "cursor"),
    ],
)
def test_bad_filter_values_are_refused_by_name(client, people, reporting, query, field) -> None:
    """A value that does not fit answers 400 with the message next to the parameter it names; a cursor
    made for another sort order is refused too."""
    sign_in(client, people["coordinator"])
    response = client.get(f"/reports/browse/?{query}")
    assert response.status_code == 400
    assert f'id="f-{field}-error"' in response.content.decode()


def test_an_approver_cannot_filter_on_another_agency(client, people, reporting) -> None:
    """The agency filter offers an approver their own agency only; another agency's id is refused (400)."""
    mia = Organisation.objects.get(key="mia")
    sign_in(client, people["approver"])
    response = client.get(f"/reports/browse/?agency={mia.pk}")
    assert response.status_code == 400
    assert 'id="f-agency-error"' in response.content.decode()


# --- keyset paging -----------------------------------------------------------------------------------


@pytest.mark.parametrize("ordering", selectors.BROWSE_ORDERINGS, ids=lambda o: o.key)
def test_keyset_walks_every_row_once_in_order(people, reporting, ordering) -> None:
    """Walking the pages forward gives every report once, in the sort order; walking back from the last
    page gives the same pages; reports inserted during the walk are never shown twice, and the rows
    already shown do not move."""
    make_reports(reporting, 47)
    user = people["coordinator"]
    expected = list(ProgressReport.objects.order_by(*ordering.order_by()).values_list("pk", flat=True))
    seen: list[int] = []
    pages = []
    cursor = None
    while True:
        page = selectors.browse_reports(
            user, selectors.BrowseFilters(), ordering=ordering, cursor=cursor, size=10
        )
        pages.append([r.pk for r in page.items])
        seen += [r.pk for r in page.items]
        if len(pages) == 2:
            make_reports(reporting, 5)  # concurrent inserts, mid-walk
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert len(seen) == len(set(seen)), "a row was shown twice"
    # Every row that existed when the walk began was shown, once, in the order it had then.
    assert [pk for pk in seen if pk in set(expected)] == expected
    # Back from the last page: every row before it as the table stands now (the inserts included), in
    # order, each once.
    last = [r.pk for r in page.items]
    back = []
    cursor = page.previous_cursor
    while cursor:
        page = selectors.browse_reports(
            user, selectors.BrowseFilters(), ordering=ordering, cursor=cursor, size=10
        )
        back.append([r.pk for r in page.items])
        cursor = page.previous_cursor
    walked = [pk for chunk in reversed(back) for pk in chunk] + last
    now = list(ProgressReport.objects.order_by(*ordering.order_by()).values_list("pk", flat=True))
    assert walked == now


def test_the_page_links_walk_every_report(client, people, reporting) -> None:
    """The page's "Next page" links, followed to the end (50 a page), list every report once, newest
    change first, with the filters kept."""
    made = make_reports(reporting, 120)
    sign_in(client, people["coordinator"])
    url = "/reports/browse/?status=submitted"
    seen: list[int] = []
    while url:
        page = client.get(url if url.startswith("/") else "/reports/browse/" + url).content.decode()
        seen += _ids(page)
        url = _next(page)
        if url:
            assert parse_qs(urlsplit(url).query)["status"] == ["submitted"]
    expected = list(ProgressReport.objects.order_by("-updated_at", "-id").values_list("pk", flat=True))
    assert seen == expected and len(seen) == len(made)


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_query_count_is_pinned_and_constant(client, people, reporting) -> None:
    """The browser costs the same number of queries with 3 reports and with 150, on the first page and
    further on: session, user and second factor, the four lists of filter choices, one page of reports
    (no count)."""
    sign_in(client, people["coordinator"])
    make_reports(reporting, 3)
    client.get("/reports/browse/")  # the first request of a session also touches the session's row
    small = _queries(client, "/reports/browse/")
    make_reports(reporting, 147)
    large = _queries(client, "/reports/browse/")
    page = client.get("/reports/browse/").content.decode()
    later = _queries(client, "/reports/browse/" + _next(page))
    assert small == large == later == 8


def test_no_offset_no_count(client, people, reporting) -> None:
    """A later page is read by its sort key (a row comparison), never by OFFSET, and nothing counts the
    reports."""
    make_reports(reporting, 60)
    sign_in(client, people["coordinator"])
    page = client.get("/reports/browse/").content.decode()
    with CaptureQueriesContext(connection) as ctx:
        client.get("/reports/browse/" + _next(page))
    sql = " ".join(q["sql"] for q in ctx.captured_queries if "reporting_progressreport" in q["sql"])
    assert "OFFSET" not in sql.upper() and "COUNT(" not in sql.upper()
    assert '("reporting_progressreport"."updated_at", "reporting_progressreport"."id") <' in sql


# --- bulk steps --------------------------------------------------------------------------------------


def _post_bulk(client, url, step, reports, versions=None):
    data = {"step": step, "report": [str(r.pk) for r in reports]}
    for report in reports:
        data[f"version-{report.pk}"] = str((versions or {}).get(report.pk, report.version))
    return client.post(url, data)


def test_bulk_endorse_with_a_refusal_in_the_middle(client, people, reporting) -> None:
    """The approver chooses three reports, the middle one a draft: the confirmation lists all three and
    warns of the draft; running it endorses the first and the third, each with its own transition and
    audit line, and names the draft as refused with the reason."""
    first, draft, third = make_reports(reporting, 3, agency_keys=("mod",))
    ProgressReport.objects.filter(pk=draft.pk).update(status=Status.DRAFT)
    sign_in(client, people["approver"])
    confirm = _post_bulk(client, "/reports/browse/bulk/", "endorse", [first, draft, third])
    assert confirm.status_code == 200
    html = confirm.content.decode()
    assert re.findall(r'<li class="card mb-2" data-report="(\d+)"', html) == [
        str(r.pk) for r in (first, draft, third)
    ]
    assert html.count("Will be refused:") == 1
    before = AuditEvent.objects.count()
    result = _post_bulk(client, "/reports/browse/bulk/run/", "endorse", [first, draft, third])
    assert result.status_code == 200
    html = result.content.decode()
    done = re.search(r'<ul class="bulk-done">(.*?)</ul>', html, re.S).group(1)
    refused = re.search(r'<ul class="bulk-refused">(.*?)</ul>', html, re.S).group(1)
    assert re.findall(r'data-report="(\d+)"', done) == [str(first.pk), str(third.pk)]
    assert re.findall(r'data-report="(\d+)"', refused) == [str(draft.pk)]
    assert "cannot be endorsed" in refused
    statuses = dict(
        ProgressReport.objects.filter(pk__in=[first.pk, draft.pk, third.pk]).values_list("pk", "status")
    )
    assert statuses == {first.pk: "endorsed", draft.pk: "draft", third.pk: "endorsed"}
    assert ReportTransition.objects.filter(report__in=[first, third], target="endorsed").count() == 2
    assert not ReportTransition.objects.filter(report=draft).exists()
    # Each step writes its own history, hence its own audit lines.
    assert AuditEvent.objects.count() > before
    assert (
        AuditEvent.objects.filter(object_id__in=[str(first.pk), str(third.pk)])
        .exclude(action=AuditAction.ACCESS_REFUSED)
        .count()
        >= 2
    )


def test_bulk_refuses_a_report_changed_since_the_confirmation(client, people, reporting) -> None:
    """A report saved after the confirmation page showed it (a newer version) is refused as changed; the
    others go through."""
    a, b = make_reports(reporting, 2, agency_keys=("mod",))
    ProgressReport.objects.filter(pk=b.pk).update(version=b.version + 1)
    sign_in(client, people["approver"])
    result = _post_bulk(client, "/reports/browse/bulk/run/", "endorse", [a, b], versions={b.pk: b.version})
    html = result.content.decode()
    refused = re.search(r'<ul class="bulk-refused">(.*?)</ul>', html, re.S).group(1)
    assert re.findall(r'data-report="(\d+)"', refused) == [str(b.pk)]
    assert "changed after you confirmed" in refused
    assert ProgressReport.objects.get(pk=a.pk).status == "endorsed"
    assert ProgressReport.objects.get(pk=b.pk).status == "submitted"


def test_bulk_approve_and_publish_by_the_coordinator(client, people, reporting) -> None:
    """Endorsed reports are approved in bulk, then published; another agency's report chosen by an
    approver is not found (their scope), and nothing happens to it."""
    made = make_reports(reporting, 4, status=Status.ENDORSED)
    sign_in(client, people["coordinator"])
    _post_bulk(client, "/reports/browse/bulk/run/", "approve", made)
    assert set(
        ProgressReport.objects.filter(pk__in=[r.pk for r in made]).values_list("status", flat=True)
    ) == {"approved"}
    fresh = list(ProgressReport.objects.filter(pk__in=[r.pk for r in made]))
    _post_bulk(client, "/reports/browse/bulk/run/", "publish", fresh)
    assert set(
        ProgressReport.objects.filter(pk__in=[r.pk for r in made]).values_list("status", flat=True)
    ) == {"published"}

    other = make_reports(reporting, 1, agency_keys=("mia",))[0]
    sign_in(client, people["approver"])
    html = _post_bulk(client, "/reports/browse/bulk/run/", "endorse", [other]).content.decode()
    assert "Not found, or not a report you may see." in html
    assert ProgressReport.objects.get(pk=other.pk).status == "submitted"


@pytest.mark.parametrize(
    ("role", "step", "status"),
    [
        ("evaluator", "endorse", 403),
        ("focal", "endorse", 403),
        ("approver", "approve", 403),
        ("approver", "publish", 403),
        ("coordinator", "endorse", 403),
        ("coordinator", "return", 400),
    ],
)
def test_bulk_steps_are_gated_like_single_steps(client, people, reporting, role, step, status) -> None:
    """Who may not take a step on one report may not take it in bulk either (403, audited); returning
    needs a comment per report and is not a bulk step (400)."""
    report = make_reports(reporting, 1, agency_keys=("mod",))[0]
    sign_in(client, people[role])
    for url in ("/reports/browse/bulk/", "/reports/browse/bulk/run/"):
        assert _post_bulk(client, url, step, [report]).status_code == status
    assert ProgressReport.objects.get(pk=report.pk).status == "submitted"
