"""The access matrix: every role x every page and API endpoint x own / other agency's object x read / write.

Each case lists the roles that may succeed, and the status each role gets (``codes``, one column per
role). A request succeeds when it answers 2xx, or redirects anywhere but to a sign-in or second-factor
page. For every (role, case) the test asserts that the outcome matches, 0 unauthorised successes and 0
wrongful refusals, and that the status is exactly the one given. Refused attempts on an object
are written to the audit trail. Later issues add their objects to CASES.

Events and participants: MoD's events are "own" for the focal point and approver; the matrix's NGO is
a partner in MoD's training (it sees the event, never its participants) and organises an event of its
own; MIA's event is "other".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from wpsnap.accounts.models import User
from wpsnap.core.models import AuditEvent
from wpsnap.plan.models import Plan

from ..conftest import sign_in

# The column order of each case's ``codes``.
COLUMNS = ("anonymous", "coordinator", "approver", "focal_point", "ngo_contributor", "evaluator")
ALL = frozenset(COLUMNS)
SIGNED_IN = ALL - {"anonymous"}
COORDINATOR = frozenset({"coordinator"})
SEES_DRAFTS = frozenset({"coordinator", "evaluator"})
NOBODY: frozenset[str] = frozenset()
REPORT_READERS = frozenset({"coordinator", "evaluator", "approver", "focal_point"})
WRITERS = frozenset({"focal_point"})
# Events: whoever sees MoD's training (the NGO is its partner), who records events, who reads lists.
EVENT_CREATORS = frozenset({"focal_point", "ngo_contributor"})
PARTICIPANT_READERS = frozenset({"coordinator", "approver", "focal_point"})
DERIVED_READERS = frozenset({"coordinator", "evaluator", "approver", "focal_point"})


@dataclass
class World:
    me: User | None
    own_colleague: User  # a user of the caller's own organisation (or of mod, for anonymous)
    other: User  # a user of another agency
    draft: Plan
    # Reports: MoD's draft (5.1.2.2) and submitted (5.1.2.3) reports, MIA's submitted report (5.2.1.1),
    # and an evidence file on each agency's draft or report. "Own" means MoD's, the agency of the
    # matrix's focal point and approver.
    own_draft: Any = None
    own_submitted: Any = None
    other_report: Any = None
    own_evidence: Any = None
    other_evidence: Any = None
    period_2021: Any = None
    # Events: MoD's training (a list, the NGO its partner) and awareness day (counts), MIA's training,
    # the NGO's own event; a participant and a file of MoD's and of MIA's; a count indicator.
    own_event: Any = None
    own_counts_event: Any = None
    other_event: Any = None
    ngo_event: Any = None
    own_participant: Any = None
    other_participant: Any = None
    own_file: Any = None
    other_file: Any = None
    indicator: Any = None


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    url: Callable[[World], str]
    allowed: frozenset[str]
    data: Callable[[World], dict[str, Any]] = field(default=lambda w: {})
    api: bool = False
    # Whether a refusal must leave an access_refused line in the audit trail.
    logs_refusal: bool = True
    # The status each role gets, in the order of COLUMNS ("-" where the case does not apply): a refusal
    # is 403 where the caller may see the object, 404 where it is outside their scope, 302 to the sign-in
    # page or 401 for an anonymous visitor; a success 200, 201, 204 or a redirect onward (302).
    codes: str = ""

    def expected(self, role: str) -> int:
        assert len(self.codes.split()) == len(COLUMNS), f"{self.name}: give each role's status (codes)"
        code = self.codes.split()[COLUMNS.index(role)]
        assert code != "-", f"{self.name}: no status given for {role}"
        return int(code)

    @property
    def needs_events(self) -> bool:
        """Cases about events and participants (anonymous visitors get the sign-in page or 401)."""
        return self.name.startswith("events: ")


def _published(w: World) -> int:
    """MoD's submitted report, made published (as after approve and publish) in this test's database
    (the shared world's object is left as it is: each test's changes are rolled back)."""
    from django.utils import timezone

    from wpsnap.reporting.models import ProgressReport

    ProgressReport.objects.filter(pk=w.own_submitted.pk).exclude(status="published").update(
        status="published", published_at=timezone.now()
    )
    return int(w.own_submitted.pk)


def _published_version(w: World) -> int:
    from wpsnap.reporting.models import ProgressReport

    return int(ProgressReport.objects.values_list("version", flat=True).get(pk=_published(w)))


def _me(w: World) -> int:
    assert w.me is not None
    return w.me.pk


def _page(name: str, *args: Any) -> str:
    return reverse(f"registries:{name}", args=args)


def _event_form(w: World) -> dict[str, Any]:
    """A valid event for the form of the new-event and edit pages (activity 5.1.2.3, which MoD and the
    NGOs may report on)."""
    activity = w.own_event.activities.get()
    return {
        "title": "Gender and security",
        "kind": "training",
        "starts_on": "2021-05-04",
        "ends_on": "2021-05-05",
        "activities": [str(activity.pk)],
        "participation": "list",
    }


def _api_event(w: World) -> dict[str, Any]:
    return {
        "plan": "az-2020-2023",
        "kind": "training",
        "title": "Gender and security",
        "starts_on": "2021-05-04",
        "ends_on": "2021-05-05",
        "activities": ["5.1.2.3"],
    }


def _job(w: World, name: str, mine: bool) -> str:
    """The page ``name`` (jobs:detail, status, file) of a finished background job, made once per test:
    the caller's own (an anonymous caller's: a colleague's) or another agency's person's."""
    from wpsnap.core.jobs import job_dir
    from wpsnap.core.models import Job

    owner = (w.me or w.own_colleague) if mine else w.other
    key = f"_job_{owner.pk}"
    if key not in w.__dict__:
        job = Job(kind="tests.csv", owner=owner, action="account.view", label="Figures", status="done")
        job.file_name, job.download_name, job.content_type = str(job.pk), "figures.csv", "text/csv"
        (job_dir() / job.file_name).write_bytes(b"a,b\n1,2\n")
        job.size, job.progress = 8, 100
        job.save()
        w.__dict__[key] = job.pk
    return reverse(f"jobs:{name}", args=[w.__dict__[key]])


def _api_job(w: World, suffix: str, mine: bool) -> str:
    """A finished background job (as :func:`_job` makes it) in the API: the job, or its file."""
    page = _job(w, "detail", mine)
    return "/api/v1" + page + suffix


def _report_job(w: World) -> dict[str, Any]:
    """The form putting a report on the portal: the caller's own finished public PDF build (for an
    anonymous caller, a colleague's)."""
    from ..publishing.report_file_jobs import finished_job

    job = finished_job(w.me or w.own_colleague, b"%PDF-1.4\nreport\n")
    return {"job": str(job.pk)}


def _report_file(w: World) -> int:
    """A public report file on the portal (the 2021 annual report in English), made once per test."""
    if "_report_file" not in w.__dict__:
        from django.utils import timezone

        from wpsnap.core import files
        from wpsnap.publishing.models import PublicReportFile

        stored = PublicReportFile(
            plan=Plan.objects.get(slug="az-2020-2023"),
            first_year=2021,
            last_year=2021,
            language="en",
            format="pdf",
            built_at=timezone.now(),
        )
        upload = files.upload_check(name="report.pdf", content=b"%PDF-1.4\nreport\n", max_bytes=10**6)
        files.stored_file_save(stored=stored, upload=upload, actor=None)
        w.__dict__["_report_file"] = stored.pk
    return int(w.__dict__["_report_file"])


def _file(w: World) -> dict[str, Any]:
    return {"purpose": "agenda", "file": SimpleUploadedFile("agenda.pdf", b"%PDF-1.4\nagenda\n")}


PASTED = {"text": "sex,age\nwomen,31\n"}
ROWS = {"rows": [{"sex": "women", "age": 31}]}
COUNTS = {"counts": {"sex:women|age:18-24": 4}}

# codes: anonymous, coordinator, approver, focal_point, ngo_contributor, evaluator (COLUMNS).
EVENT_CASES = [
    # --- events and participants: pages ---
    Case(
        "events: event list", "get", lambda w: _page("event_list"), SIGNED_IN, codes="302 200 200 200 200 200"
    ),
    Case(
        "events: new event form",
        "get",
        lambda w: _page("event_create"),
        EVENT_CREATORS,
        codes="302 403 403 200 200 403",
    ),
    Case(
        "events: record an event",
        "post",
        lambda w: _page("event_create"),
        EVENT_CREATORS,
        data=_event_form,
        codes="302 403 403 302 302 403",
    ),
    Case(
        "events: own event",
        "get",
        lambda w: _page("event_detail", w.own_event.pk),
        SIGNED_IN,
        codes="302 200 200 200 200 200",
    ),
    Case(
        "events: other agency's event",
        "get",
        lambda w: _page("event_detail", w.other_event.pk),
        SEES_DRAFTS,
        codes="302 200 404 404 404 200",
    ),
    Case(
        "events: edit own event",
        "get",
        lambda w: _page("event_edit", w.own_event.pk),
        WRITERS,
        codes="302 403 403 200 403 403",
    ),
    Case(
        "events: save own event",
        "post",
        lambda w: _page("event_edit", w.own_event.pk),
        WRITERS,
        data=_event_form,
        codes="302 403 403 302 403 403",
    ),
    Case(
        "events: edit other agency's event",
        "get",
        lambda w: _page("event_edit", w.other_event.pk),
        NOBODY,
        codes="302 403 403 404 404 403",
    ),
    Case(
        "events: save other agency's event",
        "post",
        lambda w: _page("event_edit", w.other_event.pk),
        NOBODY,
        data=_event_form,
        codes="302 403 403 404 404 403",
    ),
    Case(
        "events: edit the NGO's own event",
        "get",
        lambda w: _page("event_edit", w.ngo_event.pk),
        frozenset({"ngo_contributor"}),
        codes="302 403 403 404 200 403",
    ),
    Case(
        "events: delete own event",
        "post",
        lambda w: _page("event_delete", w.own_event.pk),
        WRITERS,
        codes="302 403 403 302 403 403",
    ),
    Case(
        "events: delete other agency's event",
        "post",
        lambda w: _page("event_delete", w.other_event.pk),
        NOBODY,
        codes="302 403 403 404 404 403",
    ),
    Case(
        "events: add a file to own event",
        "post",
        lambda w: _page("event_file_add", w.own_event.pk),
        WRITERS,
        data=_file,
        codes="302 403 403 302 403 403",
    ),
    Case(
        "events: add a file to other agency's event",
        "post",
        lambda w: _page("event_file_add", w.other_event.pk),
        NOBODY,
        data=_file,
        codes="302 403 403 404 404 403",
    ),
    Case(
        "events: own event's file",
        "get",
        lambda w: _page("event_file", w.own_event.pk, w.own_file.pk),
        SIGNED_IN,
        codes="302 200 200 200 200 200",
    ),
    Case(
        "events: other agency's file",
        "get",
        lambda w: _page("event_file", w.other_event.pk, w.other_file.pk),
        SEES_DRAFTS,
        codes="302 200 404 404 404 200",
    ),
    Case(
        "events: delete own event's file",
        "post",
        lambda w: _page("event_file_delete", w.own_event.pk, w.own_file.pk),
        WRITERS,
        codes="302 403 403 302 403 403",
    ),
    Case(
        "events: delete other agency's file",
        "post",
        lambda w: _page("event_file_delete", w.other_event.pk, w.other_file.pk),
        NOBODY,
        codes="302 403 403 404 404 403",
    ),
    Case(
        "events: own participants",
        "get",
        lambda w: _page("participant_list", w.own_event.pk),
        PARTICIPANT_READERS,
        codes="302 200 200 200 404 403",
    ),
    Case(
        "events: other agency's participants",
        "get",
        lambda w: _page("participant_list", w.other_event.pk),
        COORDINATOR,
        codes="302 200 404 404 404 403",
    ),
    Case(
        "events: the NGO's participants",
        "get",
        lambda w: _page("participant_list", w.ngo_event.pk),
        frozenset({"coordinator", "ngo_contributor"}),
        codes="302 200 404 404 200 403",
    ),
    Case(
        "events: export own participants",
        "get",
        lambda w: _page("participant_export", w.own_event.pk),
        PARTICIPANT_READERS,
        codes="302 200 200 200 404 403",
    ),
    Case(
        "events: export other agency's participants",
        "get",
        lambda w: _page("participant_export", w.other_event.pk),
        COORDINATOR,
        codes="302 200 404 404 404 403",
    ),
    # Lists as CSV/XLSX (issue 12, exports): each as its page, plus exports.table (anyone signed in).
    Case(
        "events: export the events list",
        "get",
        lambda w: "/exports/lists/events/?format=xlsx",
        SIGNED_IN,
        codes="302 200 200 200 200 200",
    ),
    Case(
        "events: export own event's participants as a list",
        "get",
        lambda w: f"/exports/lists/events/{w.own_event.pk}/participants/?format=xlsx",
        PARTICIPANT_READERS,
        codes="302 200 200 200 404 403",
    ),
    Case(
        "events: export other agency's participants as a list",
        "get",
        lambda w: f"/exports/lists/events/{w.other_event.pk}/participants/",
        COORDINATOR,
        codes="302 200 404 404 404 403",
    ),
    Case(
        "events: import form of own event",
        "get",
        lambda w: _page("participant_import", w.own_event.pk),
        WRITERS,
        codes="302 403 403 200 403 403",
    ),
    Case(
        "events: import into own event",
        "post",
        lambda w: _page("participant_import", w.own_event.pk),
        WRITERS,
        data=lambda w: PASTED,
        codes="302 403 403 302 403 403",
    ),
    Case(
        "events: import into other agency's event",
        "post",
        lambda w: _page("participant_import", w.other_event.pk),
        NOBODY,
        data=lambda w: PASTED,
        codes="302 403 403 404 404 403",
    ),
    Case(
        "events: own template xlsx",
        "get",
        lambda w: _page("participant_template_xlsx", w.own_event.pk),
        WRITERS,
        codes="302 403 403 200 403 403",
    ),
    Case(
        "events: own template csv",
        "get",
        lambda w: _page("participant_template_csv", w.own_event.pk),
        WRITERS,
        codes="302 403 403 200 403 403",
    ),
    Case(
        "events: other agency's template",
        "get",
        lambda w: _page("participant_template_csv", w.other_event.pk),
        NOBODY,
        codes="302 403 403 404 404 403",
    ),
    Case(
        "events: delete own participant",
        "post",
        lambda w: _page("participant_delete", w.own_event.pk, w.own_participant.pk),
        WRITERS,
        codes="302 403 403 302 403 403",
    ),
    Case(
        "events: delete other agency's participant",
        "post",
        lambda w: _page("participant_delete", w.other_event.pk, w.other_participant.pk),
        NOBODY,
        codes="302 403 403 404 404 403",
    ),
    Case(
        "events: own counts form",
        "get",
        lambda w: _page("event_counts", w.own_counts_event.pk),
        WRITERS,
        codes="302 403 403 200 404 403",
    ),
    Case(
        "events: save own counts",
        "post",
        lambda w: _page("event_counts", w.own_counts_event.pk),
        WRITERS,
        data=lambda w: {"n-sex-women--age-18-24": "4"},
        codes="302 403 403 302 404 403",
    ),
    Case(
        "events: other agency's counts",
        "get",
        lambda w: _page("event_counts", w.other_event.pk),
        NOBODY,
        codes="302 403 403 404 404 403",
    ),
    Case(
        "events: derivation rules",
        "get",
        lambda w: _page("rule_list"),
        SIGNED_IN,
        codes="302 200 200 200 200 200",
    ),
    Case(
        "events: bind an indicator",
        "post",
        lambda w: _page("rule_set", w.indicator.pk),
        COORDINATOR,
        data=lambda w: {"action": "set", "measure": "participants", "kinds": ["training"]},
        codes="302 302 403 403 403 403",
    ),
    Case(
        "registries: unbind an indicator from a registry count",
        "post",
        lambda w: _page("registry_rule_set", w.indicator.pk),
        COORDINATOR,
        data=lambda w: {"action": "remove"},
        codes="302 302 403 403 403 403",
    ),
    # --- events and participants: the API ---
    Case(
        "events: api events",
        "get",
        lambda w: "/api/v1/events/",
        SIGNED_IN,
        api=True,
        codes="401 200 200 200 200 200",
    ),
    Case(
        "events: api own event",
        "get",
        lambda w: f"/api/v1/events/{w.own_event.pk}/",
        SIGNED_IN,
        api=True,
        codes="401 200 200 200 200 200",
    ),
    Case(
        "events: api other agency's event",
        "get",
        lambda w: f"/api/v1/events/{w.other_event.pk}/",
        SEES_DRAFTS,
        api=True,
        codes="401 200 404 404 404 200",
    ),
    Case(
        "events: api record an event",
        "post",
        lambda w: "/api/v1/events/",
        EVENT_CREATORS,
        api=True,
        data=_api_event,
        codes="401 403 403 201 201 403",
    ),
    Case(
        "events: api edit own event",
        "patch",
        lambda w: f"/api/v1/events/{w.own_event.pk}/",
        WRITERS,
        api=True,
        data=lambda w: {"title": "Changed"},
        codes="401 403 403 200 403 403",
    ),
    Case(
        "events: api replace own event",
        "put",
        lambda w: f"/api/v1/events/{w.own_event.pk}/",
        WRITERS,
        api=True,
        data=lambda w: {k: v for k, v in _api_event(w).items() if k != "plan"},
        codes="401 403 403 200 403 403",
    ),
    Case(
        "events: api edit other agency's event",
        "patch",
        lambda w: f"/api/v1/events/{w.other_event.pk}/",
        NOBODY,
        api=True,
        data=lambda w: {"title": "Changed"},
        codes="401 403 403 404 404 403",
    ),
    Case(
        "events: api edit the NGO's own event",
        "patch",
        lambda w: f"/api/v1/events/{w.ngo_event.pk}/",
        frozenset({"ngo_contributor"}),
        api=True,
        data=lambda w: {"title": "Changed"},
        codes="401 403 403 404 200 403",
    ),
    Case(
        "events: api delete own event",
        "delete",
        lambda w: f"/api/v1/events/{w.own_event.pk}/",
        WRITERS,
        api=True,
        codes="401 403 403 204 403 403",
    ),
    Case(
        "events: api delete other agency's event",
        "delete",
        lambda w: f"/api/v1/events/{w.other_event.pk}/",
        NOBODY,
        api=True,
        codes="401 403 403 404 404 403",
    ),
    Case(
        "events: api own participants",
        "get",
        lambda w: f"/api/v1/events/{w.own_event.pk}/participants/",
        PARTICIPANT_READERS,
        api=True,
        codes="401 200 200 200 403 403",
    ),
    Case(
        "events: api other agency's participants",
        "get",
        lambda w: f"/api/v1/events/{w.other_event.pk}/participants/",
        COORDINATOR,
        api=True,
        codes="401 200 404 404 404 403",
    ),
    Case(
        "events: api the NGO's participants",
        "get",
        lambda w: f"/api/v1/events/{w.ngo_event.pk}/participants/",
        frozenset({"coordinator", "ngo_contributor"}),
        api=True,
        codes="401 200 404 404 200 403",
    ),
    Case(
        "events: api add participants to own event",
        "post",
        lambda w: f"/api/v1/events/{w.own_event.pk}/participants/",
        WRITERS,
        api=True,
        data=lambda w: ROWS,
        codes="401 403 403 201 403 403",
    ),
    Case(
        "events: api add participants to other agency's event",
        "post",
        lambda w: f"/api/v1/events/{w.other_event.pk}/participants/",
        NOBODY,
        api=True,
        data=lambda w: ROWS,
        codes="401 403 403 404 404 403",
    ),
    Case(
        "events: api delete own participant",
        "delete",
        lambda w: f"/api/v1/events/{w.own_event.pk}/participants/{w.own_participant.pk}/",
        WRITERS,
        api=True,
        codes="401 403 403 204 404 403",
    ),
    Case(
        "events: api delete other agency's participant",
        "delete",
        lambda w: f"/api/v1/events/{w.other_event.pk}/participants/{w.other_participant.pk}/",
        NOBODY,
        api=True,
        codes="401 403 403 404 404 403",
    ),
    Case(
        "events: api own counts",
        "get",
        lambda w: f"/api/v1/events/{w.own_counts_event.pk}/counts/",
        SIGNED_IN - {"ngo_contributor"},
        api=True,
        codes="401 200 200 200 404 200",
    ),
    Case(
        "events: api counts of own partnered event",
        "get",
        lambda w: f"/api/v1/events/{w.own_event.pk}/counts/",
        SIGNED_IN,
        api=True,
        codes="401 200 200 200 200 200",
    ),
    Case(
        "events: api other agency's counts",
        "get",
        lambda w: f"/api/v1/events/{w.other_event.pk}/counts/",
        SEES_DRAFTS,
        api=True,
        codes="401 200 404 404 404 200",
    ),
    Case(
        "events: api save own counts",
        "put",
        lambda w: f"/api/v1/events/{w.own_counts_event.pk}/counts/",
        WRITERS,
        api=True,
        data=lambda w: COUNTS,
        codes="401 403 403 200 404 403",
    ),
    Case(
        "events: api save other agency's counts",
        "put",
        lambda w: f"/api/v1/events/{w.other_event.pk}/counts/",
        NOBODY,
        api=True,
        data=lambda w: COUNTS,
        codes="401 403 403 404 404 403",
    ),
    Case(
        "events: api own event's files",
        "get",
        lambda w: f"/api/v1/events/{w.own_event.pk}/files/",
        SIGNED_IN,
        api=True,
        codes="401 200 200 200 200 200",
    ),
    Case(
        "events: api own event's file",
        "get",
        lambda w: f"/api/v1/events/{w.own_event.pk}/files/{w.own_file.pk}/file/",
        SIGNED_IN,
        api=True,
        codes="401 200 200 200 200 200",
    ),
    Case(
        "events: api other agency's file",
        "get",
        lambda w: f"/api/v1/events/{w.other_event.pk}/files/{w.other_file.pk}/",
        SEES_DRAFTS,
        api=True,
        codes="401 200 404 404 404 200",
    ),
    Case(
        "events: api a topic",
        "get",
        lambda w: "/api/v1/topics/unscr-1325/",
        SIGNED_IN,
        api=True,
        codes="401 200 200 200 200 200",
    ),
    Case(
        "events: api topics",
        "get",
        lambda w: "/api/v1/topics/",
        SIGNED_IN,
        api=True,
        codes="401 200 200 200 200 200",
    ),
    Case(
        "events: api own derived values",
        "get",
        lambda w: f"/api/v1/derived/?period={w.period_2021.pk}&agency=mod",
        DERIVED_READERS,
        api=True,
        codes="401 200 200 200 403 200",
    ),
    Case(
        "events: api other agency's derived values",
        "get",
        lambda w: f"/api/v1/derived/?period={w.period_2021.pk}&agency=mia",
        SEES_DRAFTS,
        api=True,
        codes="401 200 403 403 403 200",
    ),
]

# codes: anonymous, coordinator, approver, focal_point, ngo_contributor, evaluator (COLUMNS).
CASES = [
    # --- plan pages (public once adopted; drafts for coordinators and evaluators) ---
    Case("home", "get", lambda w: "/", ALL, logs_refusal=False, codes="200 200 200 200 200 200"),
    Case("plan page", "get", lambda w: "/plans/az-2020-2023/", ALL, codes="200 200 200 200 200 200"),
    Case(
        "activity page",
        "get",
        lambda w: "/plans/az-2020-2023/activities/5.3.2-3/",
        ALL,
        codes="200 200 200 200 200 200",
    ),
    Case(
        "agency list", "get", lambda w: "/plans/az-2020-2023/agencies/", ALL, codes="200 200 200 200 200 200"
    ),
    Case(
        "agency page",
        "get",
        lambda w: "/plans/az-2020-2023/agencies/mia/",
        ALL,
        codes="200 200 200 200 200 200",
    ),
    Case("timeline", "get", lambda w: "/plans/az-2020-2023/timeline/", ALL, codes="200 200 200 200 200 200"),
    # The maps: every signed-in role, each in their scope; the boundaries they draw on are public geometry.
    Case(
        "dashboard districts",
        "get",
        lambda w: "/plans/az-2020-2023/dashboard/districts/",
        SIGNED_IN,
        codes="302 200 200 200 200 200",
    ),
    Case(
        "district boundaries", "get", lambda w: "/geo/districts.geojson", ALL, codes="200 200 200 200 200 200"
    ),
    Case(
        "draft plan page",
        "get",
        lambda w: f"/plans/{w.draft.slug}/",
        SEES_DRAFTS,
        codes="404 200 404 404 404 200",
    ),
    Case(
        "draft plan activity",
        "get",
        lambda w: f"/plans/{w.draft.slug}/activities/1.1.1-1/",
        SEES_DRAFTS,
        codes="404 200 404 404 404 200",
    ),
    # The public open-data downloads (issue 13): everyone; a draft plan is not public, 404 to all alike.
    *[
        Case(
            f"open data {name}",
            "get",
            lambda w, n=name: f"/exports/open/az-2020-2023/{n}",
            ALL,
            codes="200 200 200 200 200 200",
        )
        for name in ("figures.csv", "figures.xlsx", "datapackage.zip")
    ],
    Case(
        "open data of a draft plan",
        "get",
        lambda w: f"/exports/open/{w.draft.slug}/figures.csv",
        NOBODY,
        logs_refusal=False,
        codes="404 404 404 404 404 404",
    ),
    # The public versions of the annual reports (issue 13): coordinators put their own builds on the portal
    # and take them off; anyone downloads a live one; none there is 404 to all alike.
    Case(
        "put a public report on the portal",
        "post",
        lambda w: "/exports/plans/az-2020-2023/reports/2021-2021/publish/",
        COORDINATOR,
        data=_report_job,
        codes="302 302 403 403 403 403",
    ),
    Case(
        "take a public report off the portal",
        "post",
        lambda w: f"/exports/plans/az-2020-2023/reports/files/{_report_file(w)}/withdraw/",
        COORDINATOR,
        data=lambda w: {"reason": "A figure on the cover is wrong."},
        codes="302 302 403 403 403 403",
    ),
    Case(
        "public annual report download",
        "get",
        lambda w: (_report_file(w), "/exports/open/az-2020-2023/reports/2021-2021/en.pdf")[1],
        ALL,
        codes="200 200 200 200 200 200",
    ),
    Case(
        "public annual report not on the portal",
        "get",
        lambda w: "/exports/open/az-2020-2023/reports/2022-2022/en.pdf",
        NOBODY,
        logs_refusal=False,
        codes="404 404 404 404 404 404",
    ),
    Case(
        "api public annual reports",
        "get",
        lambda w: (_report_file(w), "/api/v1/public/plans/az-2020-2023/reports/")[1],
        ALL,
        api=True,
        codes="200 200 200 200 200 200",
    ),
    # --- the public portal (open to all; a draft plan is never shown there, whoever asks) ---
    Case("portal home", "get", lambda w: "/en/", ALL, logs_refusal=False, codes="200 200 200 200 200 200"),
    Case("portal plan", "get", lambda w: "/az/plans/az-2020-2023/", ALL, codes="200 200 200 200 200 200"),
    Case(
        "portal indicator",
        "get",
        lambda w: "/ru/plans/az-2020-2023/indicators/5.1.2-3-i1/",
        ALL,
        codes="200 200 200 200 200 200",
    ),
    Case(
        "portal indicator figures",
        "get",
        lambda w: "/en/plans/az-2020-2023/indicators/5.1.2-3-i1/figures.csv",
        ALL,
        codes="200 200 200 200 200 200",
    ),
    Case(
        "portal draft plan",
        "get",
        lambda w: f"/en/plans/{w.draft.slug}/",
        NOBODY,
        logs_refusal=False,
        codes="404 404 404 404 404 404",
    ),
    # --- people and the audit trail (coordinators) ---
    # --- languages (issue 13): the switcher, open to all; the plan's translation screen, coordinators ---
    Case(
        "language switch",
        "post",
        lambda w: "/i18n/setlang/",
        ALL,
        data=lambda w: {"language": "en", "next": "/"},
        codes="302 302 302 302 302 302",
    ),
    Case(
        "plan translation screen",
        "get",
        lambda w: "/plans/az-2020-2023/translations/ru/",
        COORDINATOR,
        codes="302 200 403 403 403 403",
    ),
    Case(
        "plan translations save",
        "post",
        lambda w: "/plans/az-2020-2023/translations/ru/",
        COORDINATOR,
        codes="302 302 403 403 403 403",
    ),
    Case("user list", "get", lambda w: "/accounts/users/", COORDINATOR, codes="302 200 403 403 403 403"),
    Case(
        "other agency's user",
        "get",
        lambda w: f"/accounts/users/{w.other.pk}/",
        COORDINATOR,
        codes="302 200 404 404 404 404",
    ),
    Case(
        "own colleague",
        "get",
        lambda w: f"/accounts/users/{w.own_colleague.pk}/",
        COORDINATOR,
        codes="302 200 404 404 404 404",
    ),
    Case(
        "invite form",
        "get",
        lambda w: "/accounts/users/invite/",
        COORDINATOR,
        codes="302 200 403 403 403 403",
    ),
    Case(
        "invite",
        "post",
        lambda w: "/accounts/users/invite/",
        COORDINATOR,
        data=lambda w: {
            "email": "new.person@example.org",
            "first_name": "Aysel",
            "last_name": "Quliyeva",
            "organisation": w.other.organisation_id,
            "role": "focal_point",
        },
        codes="302 302 403 403 403 403",
    ),
    Case(
        "change other's role",
        "post",
        lambda w: f"/accounts/users/{w.other.pk}/role/",
        COORDINATOR,
        data=lambda w: {"role": "approver"},
        codes="302 302 403 403 403 403",
    ),
    Case(
        "deactivate other",
        "post",
        lambda w: f"/accounts/users/{w.other.pk}/active/",
        COORDINATOR,
        data=lambda w: {"active": "0"},
        codes="302 302 403 403 403 403",
    ),
    Case(
        "change own role",
        "post",
        lambda w: f"/accounts/users/{_me(w)}/role/",
        NOBODY,
        data=lambda w: {"role": "evaluator"},
        codes="- 403 403 403 403 403",
    ),
    Case("audit log", "get", lambda w: "/accounts/audit/", COORDINATOR, codes="302 200 403 403 403 403"),
    Case(
        "audit of a user",
        "get",
        lambda w: f"/accounts/audit/accounts.user/{w.other.pk}/",
        COORDINATOR,
        codes="302 200 403 403 403 403",
    ),
    Case(
        "admin", "get", lambda w: "/admin/", COORDINATOR, logs_refusal=False, codes="302 200 302 302 302 302"
    ),
    Case(
        "admin user page",
        "get",
        lambda w: f"/admin/accounts/user/{w.other.pk}/change/",
        COORDINATOR,
        logs_refusal=False,
        codes="302 200 302 302 302 302",
    ),
    # --- the API ---
    Case("api plans", "get", lambda w: "/api/v1/plans/", ALL, api=True, codes="200 200 200 200 200 200"),
    Case(
        "api plan",
        "get",
        lambda w: "/api/v1/plans/az-2020-2023/",
        ALL,
        api=True,
        codes="200 200 200 200 200 200",
    ),
    Case(
        "api draft plan",
        "get",
        lambda w: f"/api/v1/plans/{w.draft.slug}/",
        SEES_DRAFTS,
        api=True,
        codes="404 200 404 404 404 200",
    ),
    Case(
        "api organisations",
        "get",
        lambda w: "/api/v1/organisations/",
        ALL,
        api=True,
        codes="200 200 200 200 200 200",
    ),
    Case("api me", "get", lambda w: "/api/v1/me/", SIGNED_IN, api=True, codes="401 200 200 200 200 200"),
    Case(
        "api user list",
        "get",
        lambda w: "/api/v1/users/",
        COORDINATOR,
        api=True,
        codes="401 200 403 403 403 403",
    ),
    Case(
        "api own user",
        "get",
        lambda w: f"/api/v1/users/{_me(w)}/",
        SIGNED_IN,
        api=True,
        codes="- 200 200 200 200 200",
    ),
    Case(
        "api other agency's user",
        "get",
        lambda w: f"/api/v1/users/{w.other.pk}/",
        COORDINATOR,
        api=True,
        codes="401 200 404 404 404 404",
    ),
    Case(
        "api own colleague",
        "get",
        lambda w: f"/api/v1/users/{w.own_colleague.pk}/",
        COORDINATOR,
        api=True,
        codes="401 200 404 404 404 404",
    ),
    Case(
        "api invite",
        "post",
        lambda w: "/api/v1/users/",
        COORDINATOR,
        api=True,
        data=lambda w: {
            "email": "api.person@example.org",
            "first_name": "Rauf",
            "last_name": "Məmmədov",
            "organisation": "mia",
            "role": "focal_point",
        },
        codes="401 201 403 403 403 403",
    ),
    Case(
        "api change other's role",
        "patch",
        lambda w: f"/api/v1/users/{w.other.pk}/",
        COORDINATOR,
        api=True,
        data=lambda w: {"role": "approver"},
        codes="401 200 403 403 403 403",
    ),
    Case(
        "api change own role",
        "patch",
        lambda w: f"/api/v1/users/{_me(w)}/",
        NOBODY,
        api=True,
        data=lambda w: {"role": "evaluator"},
        codes="- 403 403 403 403 403",
    ),
    Case(
        "api audit", "get", lambda w: "/api/v1/audit/", COORDINATOR, api=True, codes="401 200 403 403 403 403"
    ),
    Case(
        "api schema",
        "get",
        lambda w: "/api/v1/schema/",
        ALL,
        api=True,
        logs_refusal=False,
        codes="200 200 200 200 200 200",
    ),
    # --- progress reports (MoD's are "own" for the focal point and approver) ---
    # Coordinators and evaluators report on nothing of their own: /reports/ sends them to the browser
    # (302 to /reports/browse/, issue 11; it was 200, an empty page).
    Case("my activities", "get", lambda w: "/reports/", SIGNED_IN, codes="302 302 200 200 200 302"),
    # The reports browser (issue 11): coordinators and evaluators every report, approvers their agency's.
    Case(
        "reports browser",
        "get",
        lambda w: "/reports/browse/",
        frozenset({"coordinator", "approver", "evaluator"}),
        codes="302 200 200 403 403 200",
    ),
    # The browser's list and the plan's figures as CSV/XLSX (issue 12): as the browser and /api/v1/results/.
    Case(
        "reports browser: export",
        "get",
        lambda w: "/exports/lists/reports/?format=xlsx&hxl=1",
        frozenset({"coordinator", "approver", "evaluator"}),
        codes="302 200 200 403 403 200",
    ),
    Case(
        "figures: export",
        "get",
        lambda w: "/exports/lists/figures/?hxl=1",
        SEES_DRAFTS,
        codes="302 200 403 403 403 200",
    ),
    # Bulk steps are gated as one report's steps: the page by report.review, the step by its action.
    Case(
        "bulk endorse: confirm",
        "post",
        lambda w: "/reports/browse/bulk/",
        frozenset({"approver"}),
        data=lambda w: {"step": "endorse", "report": [str(w.own_submitted.pk)]},
        codes="302 403 200 403 403 403",
    ),
    Case(
        "bulk endorse: run",
        "post",
        lambda w: "/reports/browse/bulk/run/",
        frozenset({"approver"}),
        data=lambda w: {"step": "endorse", "report": [str(w.own_submitted.pk)]},
        codes="302 403 200 403 403 403",
    ),
    # The coordinator's run answers its result page (200), naming the submitted report as refused.
    Case(
        "bulk approve: run",
        "post",
        lambda w: "/reports/browse/bulk/run/",
        COORDINATOR,
        data=lambda w: {"step": "approve", "report": [str(w.other_report.pk)]},
        codes="302 200 403 403 403 403",
    ),
    Case(
        "bulk publish: confirm",
        "post",
        lambda w: "/reports/browse/bulk/",
        COORDINATOR,
        data=lambda w: {"step": "publish", "report": [str(w.other_report.pk)]},
        codes="302 200 403 403 403 403",
    ),
    Case(
        "review queue",
        "get",
        lambda w: "/reports/queue/",
        frozenset({"approver", "coordinator"}),
        codes="302 200 200 403 403 403",
    ),
    Case("periods", "get", lambda w: "/reports/periods/", SIGNED_IN, codes="302 200 200 200 200 200"),
    Case(
        "lock a period",
        "post",
        lambda w: f"/reports/periods/{w.period_2021.pk}/lock/",
        COORDINATOR,
        codes="302 302 403 403 403 403",
    ),
    Case(
        "reopen a period",
        "post",
        lambda w: f"/reports/periods/{w.period_2021.pk}/reopen/",
        COORDINATOR,
        data=lambda w: {"reason": "Late figures from the ministry."},
        codes="302 302 403 403 403 403",
    ),
    Case(
        "own report",
        "get",
        lambda w: f"/reports/{w.own_submitted.pk}/",
        REPORT_READERS,
        codes="302 200 200 200 404 200",
    ),
    Case(
        "other agency's report",
        "get",
        lambda w: f"/reports/{w.other_report.pk}/",
        SEES_DRAFTS,
        codes="302 200 404 404 404 200",
    ),
    Case(
        "own report history",
        "get",
        lambda w: f"/reports/{w.own_submitted.pk}/history/",
        REPORT_READERS,
        codes="302 200 200 200 404 200",
    ),
    Case(
        "other agency's history",
        "get",
        lambda w: f"/reports/{w.other_report.pk}/history/",
        SEES_DRAFTS,
        codes="302 200 404 404 404 200",
    ),
    Case(
        "comment on own report",
        "post",
        lambda w: f"/reports/{w.own_submitted.pk}/comment/",
        frozenset({"coordinator", "approver", "focal_point"}),
        data=lambda w: {"text": "Please add the agenda."},
        codes="302 302 302 302 404 403",
    ),
    Case(
        "comment on other agency's",
        "post",
        lambda w: f"/reports/{w.other_report.pk}/comment/",
        COORDINATOR,
        data=lambda w: {"text": "Please add the agenda."},
        codes="302 302 404 404 404 403",
    ),
    Case(
        "edit own draft",
        "get",
        lambda w: f"/reports/{w.own_draft.pk}/edit/",
        WRITERS,
        codes="302 403 403 200 404 403",
    ),
    Case(
        "save own draft",
        "post",
        lambda w: f"/reports/{w.own_draft.pk}/autosave/",
        WRITERS,
        data=lambda w: {"done": "A training.", "progress": "in_progress"},
        codes="302 403 403 200 404 403",
    ),
    Case(
        "edit other agency's",
        "get",
        lambda w: f"/reports/{w.other_report.pk}/edit/",
        NOBODY,
        codes="302 403 403 404 404 403",
    ),
    Case(
        "endorse own",
        "post",
        lambda w: f"/reports/{w.own_submitted.pk}/step/endorse/",
        frozenset({"approver"}),
        codes="302 403 302 403 404 403",
    ),
    Case(
        "endorse other agency's",
        "post",
        lambda w: f"/reports/{w.other_report.pk}/step/endorse/",
        NOBODY,
        codes="302 403 404 404 404 403",
    ),
    # Not a step from "submitted": refused as out of order (400) for everyone, not as an access refusal.
    Case(
        "approve a submitted report",
        "post",
        lambda w: f"/reports/{w.own_submitted.pk}/step/approve/",
        NOBODY,
        logs_refusal=False,
        codes="302 400 400 400 404 400",
    ),
    # Unpublish (issue 13): coordinators only, with a reason; MoD's submitted report, published for it.
    Case(
        "unpublish a published report",
        "post",
        lambda w: f"/reports/{_published(w)}/step/unpublish/",
        COORDINATOR,
        data=lambda w: {"comment": "A figure was wrong.", "version": str(_published_version(w))},
        codes="302 302 403 403 404 403",
    ),
    Case(
        "api unpublish a published report",
        "post",
        lambda w: f"/api/v1/reports/{_published(w)}/unpublish/",
        COORDINATOR,
        data=lambda w: {"comment": "A figure was wrong."},
        api=True,
        codes="401 200 403 403 403 403",
    ),
    Case(
        "own evidence",
        "get",
        lambda w: f"/reports/evidence/{w.own_evidence.pk}/",
        REPORT_READERS,
        codes="302 200 200 200 404 200",
    ),
    Case(
        "other agency's evidence",
        "get",
        lambda w: f"/reports/evidence/{w.other_evidence.pk}/",
        SEES_DRAFTS,
        codes="302 200 404 404 404 200",
    ),
    Case(
        "api reports",
        "get",
        lambda w: "/api/v1/reports/",
        SIGNED_IN,
        api=True,
        codes="401 200 200 200 200 200",
    ),
    Case(
        "api own report",
        "get",
        lambda w: f"/api/v1/reports/{w.own_submitted.pk}/",
        REPORT_READERS,
        api=True,
        codes="401 200 200 200 404 200",
    ),
    Case(
        "api other agency's report",
        "get",
        lambda w: f"/api/v1/reports/{w.other_report.pk}/",
        SEES_DRAFTS,
        api=True,
        codes="401 200 404 404 404 200",
    ),
    Case(
        "api edit own draft",
        "patch",
        lambda w: f"/api/v1/reports/{w.own_draft.pk}/",
        WRITERS,
        api=True,
        data=lambda w: {"done": "A training."},
        codes="401 403 403 200 404 403",
    ),
    Case(
        "api edit other agency's",
        "patch",
        lambda w: f"/api/v1/reports/{w.other_report.pk}/",
        NOBODY,
        api=True,
        data=lambda w: {"done": "A training."},
        codes="401 403 403 404 404 403",
    ),
    Case(
        "api endorse own",
        "post",
        lambda w: f"/api/v1/reports/{w.own_submitted.pk}/endorse/",
        frozenset({"approver"}),
        api=True,
        codes="401 403 200 403 403 403",
    ),
    Case(
        "api endorse other agency's",
        "post",
        lambda w: f"/api/v1/reports/{w.other_report.pk}/endorse/",
        NOBODY,
        api=True,
        codes="401 403 404 403 403 403",
    ),
    Case(
        "api periods",
        "get",
        lambda w: "/api/v1/periods/",
        SIGNED_IN,
        api=True,
        codes="401 200 200 200 200 200",
    ),
    Case(
        "api results",
        "get",
        lambda w: "/api/v1/results/",
        SEES_DRAFTS,
        api=True,
        codes="401 200 403 403 403 200",
    ),
    # The plan's parts one by one (issue 12): public like their plan; a draft's for those who see drafts.
    Case("api pillars", "get", lambda w: "/api/v1/pillars/", ALL, api=True, codes="200 200 200 200 200 200"),
    Case(
        "api an activity",
        "get",
        lambda w: f"/api/v1/activities/{w.own_submitted.activity_id}/",
        ALL,
        api=True,
        codes="200 200 200 200 200 200",
    ),
    Case(
        "api a draft plan's activity",
        "get",
        lambda w: f"/api/v1/activities/{w.draft.activities.order_by('id').first().pk}/",
        SEES_DRAFTS,
        api=True,
        codes="404 200 404 404 404 200",
    ),
    Case(
        "api an organisation",
        "get",
        lambda w: f"/api/v1/organisations/{w.own_submitted.agency_id}/",
        ALL,
        api=True,
        codes="200 200 200 200 200 200",
    ),
    Case(
        "api a period",
        "get",
        lambda w: f"/api/v1/periods/{w.period_2021.pk}/",
        SIGNED_IN,
        api=True,
        codes="401 200 200 200 200 200",
    ),
    Case(
        "api figures",
        "get",
        lambda w: "/api/v1/values/",
        SIGNED_IN,
        api=True,
        codes="401 200 200 200 200 200",
    ),
    # What a report keeps beside its content (issue 12): read as the report is.
    Case(
        "api own report's evidence",
        "get",
        lambda w: f"/api/v1/reports/{w.own_draft.pk}/evidence/",
        REPORT_READERS,
        api=True,
        codes="401 200 200 200 404 200",
    ),
    Case(
        "api own evidence file",
        "get",
        lambda w: f"/api/v1/reports/{w.own_draft.pk}/evidence/{w.own_evidence.pk}/file/",
        REPORT_READERS,
        api=True,
        codes="401 200 200 200 404 200",
    ),
    Case(
        "api other agency's evidence file",
        "get",
        lambda w: f"/api/v1/reports/{w.other_evidence.report_id}/evidence/{w.other_evidence.pk}/file/",
        SEES_DRAFTS,
        api=True,
        codes="401 200 404 404 404 200",
    ),
    Case(
        "api own report's comments",
        "get",
        lambda w: f"/api/v1/reports/{w.own_submitted.pk}/comments/",
        REPORT_READERS,
        api=True,
        codes="401 200 200 200 404 200",
    ),
    Case(
        "api own report's steps",
        "get",
        lambda w: f"/api/v1/reports/{w.own_submitted.pk}/transitions/",
        REPORT_READERS,
        api=True,
        codes="401 200 200 200 404 200",
    ),
    Case(
        "api other agency's versions",
        "get",
        lambda w: f"/api/v1/reports/{w.other_report.pk}/versions/",
        SEES_DRAFTS,
        api=True,
        codes="401 200 404 404 404 200",
    ),
    Case(
        "api other agency's version",
        "get",
        lambda w: f"/api/v1/reports/{w.other_report.pk}/versions/1/",
        SEES_DRAFTS,
        api=True,
        codes="401 200 404 404 404 200",
    ),
    # The dashboard pages: every signed-in role, each seeing its own scope; a draft plan's for those who
    # see drafts; visitors are sent to sign in.
    Case("dashboard start", "get", lambda w: "/dashboard/", SIGNED_IN, codes="302 302 302 302 302 302"),
    *[
        Case(
            f"dashboard {page or 'overview'}",
            "get",
            lambda w, page=page: f"/plans/az-2020-2023/dashboard/{page}",
            SIGNED_IN,
            codes="302 200 200 200 200 200",
        )
        for page in ("", "people/", "financing/", "indicators/")
    ],
    Case(
        "dashboard of a draft plan",
        "get",
        lambda w: f"/plans/{w.draft.slug}/dashboard/",
        SEES_DRAFTS,
        codes="302 200 404 404 404 200",
    ),
    # The dashboards' figures: everyone who may list reports, each in their scope; another agency's figures
    # only for those who see every agency.
    *[
        Case(
            f"api analytics {name}",
            "get",
            lambda w, name=name: f"/api/v1/analytics/{name}/",
            SIGNED_IN,
            api=True,
            codes="401 200 200 200 200 200",
        )
        for name in ("status", "compliance", "people", "financing", "indicators", "timeline", "districts")
    ],
    Case(
        "api analytics own agency's compliance",
        "get",
        lambda w: f"/api/v1/analytics/compliance/?plan=az-2020-2023&agency={w.own_colleague.organisation_id}",
        SIGNED_IN,
        api=True,
        codes="401 200 200 200 200 200",
    ),
    Case(
        "api analytics other agency's compliance",
        "get",
        lambda w: f"/api/v1/analytics/compliance/?plan=az-2020-2023&agency={w.other.organisation_id}",
        SEES_DRAFTS,
        api=True,
        codes="401 200 403 403 403 200",
    ),
    Case(
        "api analytics results",
        "get",
        lambda w: "/api/v1/analytics/results/",
        SEES_DRAFTS,
        api=True,
        codes="401 200 403 403 403 200",
    ),
    Case(
        "events: api analytics own derived values",
        "get",
        lambda w: f"/api/v1/analytics/derived/?period={w.period_2021.pk}&agency=mod",
        DERIVED_READERS,
        api=True,
        codes="401 200 200 200 403 200",
    ),
    Case(
        "events: api analytics other agency's derived values",
        "get",
        lambda w: f"/api/v1/analytics/derived/?period={w.period_2021.pk}&agency=mia",
        SEES_DRAFTS,
        api=True,
        codes="401 200 403 403 403 200",
    ),
    # The annual reports and the end-of-plan review (exports): the list for everyone signed in who sees
    # the plan; the coordinator's text for coordinators only.
    Case(
        "annual reports list",
        "get",
        lambda w: "/exports/plans/az-2020-2023/reports/",
        SIGNED_IN,
        codes="302 200 200 200 200 200",
    ),
    Case(
        "annual reports of a draft plan",
        "get",
        lambda w: f"/exports/plans/{w.draft.slug}/reports/",
        SEES_DRAFTS,
        codes="302 200 404 404 404 200",
    ),
    Case(
        "write the review's text",
        "get",
        lambda w: "/exports/plans/az-2020-2023/reports/2020-2023/write/",
        COORDINATOR,
        codes="302 200 403 403 403 403",
    ),
    Case(
        "save the review's text",
        "post",
        lambda w: "/exports/plans/az-2020-2023/reports/2020-2023/write/",
        COORDINATOR,
        data=lambda w: {"lang": "en", "conclusions": "Our conclusions."},
        codes="302 302 403 403 403 403",
    ),
    # Building starts a job: the internal version for coordinators and evaluators, the public one for
    # anyone signed in (the job's page is the redirect's target).
    *[
        Case(
            f"build the {version} review",
            "post",
            lambda w: "/exports/plans/az-2020-2023/reports/2020-2023/build/",
            SEES_DRAFTS if version == "internal" else SIGNED_IN,
            data=lambda w, version=version: {
                "2020-2023-format": "pdf",
                "2020-2023-language": "en",
                "2020-2023-version": version,
            },
            codes="302 302 403 403 403 302" if version == "internal" else "302 302 302 302 302 302",
        )
        for version in ("internal", "public")
    ],
    # One's own background jobs; a job's page, its poll and its file: its owner's only (anyone else: 404).
    Case(
        "background jobs list",
        "get",
        lambda w: reverse("jobs:list"),
        SIGNED_IN,
        codes="302 200 200 200 200 200",
    ),
    *[
        case
        for name in ("detail", "status", "file")
        for case in (
            Case(
                f"own background job's {name}",
                "get",
                lambda w, name=name: _job(w, name, mine=True),
                SIGNED_IN,
                codes="302 200 200 200 200 200",
            ),
            Case(
                f"another person's background job's {name}",
                "get",
                lambda w, name=name: _job(w, name, mine=False),
                NOBODY,
                codes="302 404 404 404 404 404",
            ),
        )
    ],
    # The same jobs in the API: one's own list, and a job and its file (anyone else's: 404).
    Case(
        "api background jobs list",
        "get",
        lambda w: "/api/v1/jobs/",
        SIGNED_IN,
        api=True,
        codes="401 200 200 200 200 200",
    ),
    *[
        case
        for name, suffix in (("detail", ""), ("file", "file/"))
        for case in (
            Case(
                f"api own background job's {name}",
                "get",
                lambda w, suffix=suffix: _api_job(w, suffix, mine=True),
                SIGNED_IN,
                api=True,
                codes="401 200 200 200 200 200",
            ),
            Case(
                f"api another person's background job's {name}",
                "get",
                lambda w, suffix=suffix: _api_job(w, suffix, mine=False),
                NOBODY,
                api=True,
                codes="401 404 404 404 404 404",
            ),
        )
    ],
    *EVENT_CASES,
]

ROLES = sorted(ALL)
OWN_ORG = {
    "coordinator": "scfwca",
    "approver": "mod",
    "focal_point": "mod",
    "ngo_contributor": "test-ngo",
    "evaluator": "test-evaluators",
    "anonymous": "mod",
}


def _succeeded(response: Any) -> bool:
    if 200 <= response.status_code < 300:
        return True
    if response.status_code in (301, 302, 303):
        location = response["Location"]
        return not any(part in location for part in ("/accounts/login/", "/admin/login/", "/two-factor/"))
    return False


@dataclass
class Shared:
    """What every case reads, built once per module: the draft plan, another agency's person, a
    colleague in each organisation, and the reporting and events worlds."""

    world: World
    colleagues: dict[str, User]


@pytest.fixture(scope="module")
def shared(django_db_setup, django_db_blocker):
    """Build the world once, inside a transaction that each test's own (savepoint) transaction nests
    in and that is rolled back when the module ends: the database is as it was for the next module."""
    from django.db import transaction

    from wpsnap.plan import schema
    from wpsnap.plan.services import plan_load

    from ..conftest import create_user, seed_migration_rows
    from ..plan.minimal import MINIMAL_PLAN

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            seed_migration_rows()  # the plan, if a flush before this module took it
            draft_file = schema.parse_plan_text(MINIMAL_PLAN.replace("status: adopted", "status: draft"))
            draft = plan_load(plan_file=draft_file).plan
            colleagues = {
                org: create_user(
                    "ngo_contributor" if org == "test-ngo" else "focal_point", org, f"colleague-{org}"
                )
                for org in set(OWN_ORG.values())
            }
            other = create_user("focal_point", "mia", "other-agency-person")
            world = World(me=None, own_colleague=colleagues["mod"], other=other, draft=draft)
            _reports(world, create_user)
            _events(world, create_user)
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield Shared(world=world, colleagues=colleagues)
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


def _world(shared: Shared, make_user, role: str) -> World:
    """The shared world seen by a new person of ``role`` (made inside the test's transaction)."""
    me = None if role == "anonymous" else make_user(role)
    return replace(shared.world, me=me, own_colleague=shared.colleagues[OWN_ORG[role]])


def _events(world: World, make_user) -> None:
    from datetime import date

    from wpsnap.accounts.models import Organisation
    from wpsnap.plan.models import Indicator
    from wpsnap.registries.services.events import EventInput, event_create, event_file_add
    from wpsnap.registries.services.participants import participants_add_rows
    from wpsnap.registries.services.setup import events_setup, read_districts
    from wpsnap.reporting.services import reporting_setup

    from ..registries.conftest import DISTRICTS

    plan = Plan.objects.get(slug="az-2020-2023")
    reporting_setup(plan=plan)
    events_setup(plan=plan, districts=read_districts(DISTRICTS))
    world.period_2021 = plan.reporting_periods.get(label="2021")
    world.indicator = Indicator.objects.get(plan=plan, key="5.1.2-3-i1")
    mod_focal = User.objects.filter(role="focal_point", organisation__key="mod").first() or make_user(
        "focal_point", "mod", "mod-writer"
    )
    ngo_writer = User.objects.filter(
        role="ngo_contributor", organisation__key="test-ngo"
    ).first() or make_user("ngo_contributor", "test-ngo", "ngo-writer")
    ngo = Organisation.objects.get(country="AZ", key="test-ngo")

    def event(user: User, code: str, participation: str = "list", partners=()):
        return event_create(
            actor=user,
            plan=plan,
            data=EventInput(
                kind="training",
                title=f"Training for {code}",
                starts_on=date(2021, 3, 10),
                ends_on=date(2021, 3, 11),
                activities=[plan.activities.get(code=code)],
                participation=participation,
                partners=list(partners),
            ),
        )

    rows = [{"sex": "women", "age": 30, "name": NAME, "consent": "yes"}, {"sex": "men", "age": 41}]
    world.own_event = event(mod_focal, "5.1.2.3", partners=[ngo])
    participants_add_rows(actor=mod_focal, event=world.own_event, rows=rows)
    world.own_participant = world.own_event.participants.order_by("id").first()
    world.own_file = event_file_add(
        actor=mod_focal, event=world.own_event, name="agenda.pdf", content=b"%PDF-1.4\nagenda\n"
    )
    world.own_counts_event = event(mod_focal, "5.1.2.3", participation="counts")
    world.other_event = event(world.other, "5.2.1.1")
    participants_add_rows(actor=world.other, event=world.other_event, rows=rows)
    world.other_participant = world.other_event.participants.order_by("id").first()
    world.other_file = event_file_add(
        actor=world.other, event=world.other_event, name="list.pdf", content=b"%PDF-1.4\nlist\n"
    )
    world.ngo_event = event(ngo_writer, "5.1.2.3")
    participants_add_rows(actor=ngo_writer, event=world.ngo_event, rows=rows)


def _reports(world: World, make_user) -> None:
    from wpsnap.plan.models import Activity
    from wpsnap.reporting import services
    from wpsnap.reporting.services import ReportInput

    plan = Plan.objects.get(slug="az-2020-2023")
    services.reporting_setup(plan=plan)
    period = plan.reporting_periods.get(label="2020")
    world.period_2021 = plan.reporting_periods.get(label="2021")
    mod_focal = User.objects.filter(role="focal_point", organisation__key="mod").first() or make_user(
        "focal_point", "mod", "mod-writer"
    )
    mia_focal = world.other

    def report(user: User, code: str, submit: bool):
        activity = Activity.objects.get(plan=plan, code=code)
        made = services.report_start(actor=user, activity=activity, agency=user.organisation, period=period)
        indicator = activity.indicators.first()
        values = {indicator.pk: {"": "12"}} if indicator and indicator.kind == "count" else {}
        answers = {indicator.pk: "A list."} if indicator and indicator.kind != "count" else {}
        services.report_save(
            actor=user,
            report=made,
            data=ReportInput(progress="completed", done="Work done.", values=values, answers=answers),
        )
        if submit:
            services.report_submit(actor=user, report=made)
        return made

    world.own_draft = report(mod_focal, "5.1.2.2", submit=False)
    world.own_submitted = report(mod_focal, "5.1.2.3", submit=True)
    world.other_report = report(mia_focal, "5.2.1.1", submit=True)
    world.own_evidence = services.evidence_add(
        actor=mod_focal, report=world.own_draft, name="agenda.pdf", content=b"%PDF-1.4\nagenda\n"
    )
    other_draft = report(mia_focal, "5.2.4.1", submit=False)
    world.other_evidence = services.evidence_add(
        actor=mia_focal, report=other_draft, name="list.pdf", content=b"%PDF-1.4\nlist\n"
    )


# Cases about one's own account do not apply to anonymous visitors, who have none.
OWN_ACCOUNT_CASES = {"change own role", "api change own role", "api own user"}
PAIRS = [
    (role, case)
    for case in CASES
    for role in ROLES
    if not (role == "anonymous" and case.name in OWN_ACCOUNT_CASES)
]


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "case"), PAIRS, ids=[f"{role}-{case.name}" for role, case in PAIRS])
def test_access_matrix(role: str, case: Case, shared: Shared, make_user) -> None:
    """The role succeeds exactly where the matrix allows it; refusals on objects are audited."""
    world = _world(shared, make_user, role)
    client = Client()
    if world.me is not None:
        sign_in(client, world.me)
    before = AuditEvent.objects.filter(action="access_refused").count()
    data = case.data(world)
    # API writes of an existing record say which version they change (any: this is about access).
    match = {"If-Match": "*"} if case.api and case.method in ("patch", "put", "delete") else {}
    if case.api and case.method in ("post", "patch", "put"):
        response = getattr(client, case.method)(
            case.url(world), data, content_type="application/json", headers=match
        )
    elif case.method == "delete":
        response = client.delete(case.url(world), headers=match)
    else:
        response = getattr(client, case.method)(case.url(world), data)
    allowed = role in case.allowed
    assert response.status_code < 500
    assert _succeeded(response) is allowed, (
        f"{role} {case.method.upper()} {case.url(world)}: {response.status_code} "
        f"({'should succeed' if allowed else 'must be refused'})"
    )
    assert response.status_code == case.expected(role), f"{role} {case.method.upper()} {case.url(world)}"
    refused_lines = AuditEvent.objects.filter(action="access_refused").count() - before
    if not allowed and case.logs_refusal and world.me is not None:
        assert refused_lines >= 1, "a refused attempt must be written to the audit trail"
    if world.me is None and case.needs_events:
        # Anonymous visitors are sent to sign in on the pages; the API answers 401.
        if case.api:
            assert response.status_code == 401
        else:
            assert response.status_code == 302
            assert response["Location"].startswith("/accounts/login/")


NAME = "Leyla Testova"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "with_names"), [("coordinator", True), ("approver", False), ("focal_point", False)]
)
def test_names_leave_only_by_a_coordinators_hand(
    role: str, with_names: bool, shared: Shared, make_user
) -> None:
    """The export of MoD's participants and their list through the API carry a consenting participant's
    name for a coordinator only; for the agency's own people the name is not there at all."""
    world = _world(shared, make_user, role)
    assert world.me is not None
    client = sign_in(Client(), world.me)
    export = client.get(_page("participant_export", world.own_event.pk))
    assert export.status_code == 200
    exported = b"".join(export.streaming_content).decode()
    assert exported.count("\n") == 3  # the header and two participants
    assert (NAME in exported) is with_names
    listed = client.get(f"/api/v1/events/{world.own_event.pk}/participants/")
    assert listed.status_code == 200
    assert (NAME in listed.content.decode()) is with_names
    assert ("name" in listed.json()["results"][0]) is with_names


# --- Registries (issue 14): every registered kind x every role x every gate action ---------------------
# The expected answers come from each kind's declaration (visibility, personal, export_people, consent)
# through the table below, written here independently of wpsnap/registries/kinds/permissions.py and
# lifecycle.py: a new registry is covered as soon as it is registered. "owner" is the organisation keeping
# the record (for an AUTHORITIES kind, one the plan names for its activities); "other" is another agency
# (for an AUTHORITIES kind, one the plan does not name).

REGISTRY_ROLES = (
    "anonymous",
    "coordinator",
    "evaluator",
    "owner:approver",
    "owner:focal_point",
    "owner:ngo_contributor",
    "other:approver",
    "other:focal_point",
    "other:ngo_contributor",
)
_AGENCY_STAFF = ("approver", "focal_point", "ngo_contributor")
_AGENCY_WRITERS = ("focal_point", "ngo_contributor")


def _expected_registry(kind: Any, role: str, verb: str) -> bool:
    """The table: may ``role`` do ``verb`` in ``kind`` (to a record the owner keeps, for record verbs)?"""
    visibility = str(kind.visibility)
    side, _, staff = role.partition(":")
    if role == "anonymous":
        return False
    if role == "coordinator":
        if verb == "export":
            return bool(kind.export_people)
        return True
    is_owner = side == "owner"
    # Reading the list (one's own records at least) and a record kept by the owner.
    lists = {
        "staff": role == "evaluator" or bool(staff),
        "owner": bool(staff),  # each agency lists its own records
        "authorities": bool(staff) and is_owner,
    }[visibility]
    views = {
        "staff": role == "evaluator" or bool(staff),
        "owner": bool(staff) and is_owner,
        "authorities": bool(staff) and is_owner,
    }[visibility]
    writes_new = staff in _AGENCY_WRITERS and (visibility != "authorities" or is_owner)
    if verb == "list":
        return lists
    if verb == "view":
        return views
    if verb in ("create", "import"):
        return writes_new
    if verb in ("edit", "delete"):
        return staff in _AGENCY_WRITERS and is_owner
    if verb == "export":
        return bool(kind.export_people) and not kind.personal and lists
    if verb == "counts":
        return role == "evaluator" or lists
    if verb == "consent_withdraw":
        return staff in _AGENCY_STAFF and is_owner
    if verb == "erase":
        return staff == "approver" and is_owner
    raise AssertionError(verb)


def _registry_verbs(kind: Any) -> list[str]:
    from wpsnap.registries.kinds.base import ACTIONS

    verbs = list(ACTIONS)
    if kind.personal:
        verbs.append("erase")
        if kind.consent_field:
            verbs.append("consent_withdraw")
    return verbs


def _registry_kind_names() -> list[str]:
    from wpsnap.registries.kinds import catalogue

    return [kind.name for kind in catalogue.kinds()]


@pytest.mark.django_db
@pytest.mark.parametrize("name", _registry_kind_names())
def test_registry_gate_matrix(name: str, az_plan, make_user) -> None:
    """Every role x every action of the kind answers as its declaration says; the lifecycle actions are
    registered exactly for personal kinds (consent withdrawal where consent is recorded)."""
    from django.contrib.auth.models import AnonymousUser

    from wpsnap.accounts import permissions
    from wpsnap.accounts.models import Organisation
    from wpsnap.registries.kinds import catalogue, index_rules
    from wpsnap.registries.kinds.permissions import authorities
    from wpsnap.reporting.services import reporting_setup

    kind = catalogue.kind_named(name)
    assert kind is not None
    reporting_setup(plan=az_plan)
    registered = set(permissions.actions())
    assert (kind.action("erase") in registered) is kind.personal, name
    assert (kind.action("consent_withdraw") in registered) is bool(kind.personal and kind.consent_field)
    if str(kind.visibility) == "authorities":
        named = authorities(kind, az_plan.pk)
        assert named, f"{name}: the plan names no organisation for {kind.activity_codes}"
        owner = Organisation.objects.filter(pk__in=named).order_by("key").first()
        other = Organisation.objects.filter(kind="ministry").exclude(pk__in=named).order_by("key").first()
    else:
        owner = Organisation.objects.get(country="AZ", key="mod")
        other = Organisation.objects.get(country="AZ", key="mia")
    assert owner is not None and other is not None
    users: dict[str, Any] = {
        "anonymous": AnonymousUser(),
        "coordinator": make_user("coordinator", "scfwca", f"rg-coord-{name}"),
        "evaluator": make_user("evaluator", "test-evaluators", f"rg-eval-{name}"),
    }
    for side, org in (("owner", owner), ("other", other)):
        for staff in _AGENCY_STAFF:
            users[f"{side}:{staff}"] = make_user(staff, org.key, f"rg-{side}-{staff}-{name}")
    # The rules read only the record's owner and plan: a record kept by the owner, not saved.
    record = kind.model(plan=az_plan, owner=owner)
    wrong = []
    for role in REGISTRY_ROLES:
        for verb in _registry_verbs(kind):
            obj = record if verb in ("view", "edit", "delete", "consent_withdraw", "erase") else None
            got = permissions.can(users[role], kind.action(verb), obj)
            if got != _expected_registry(kind, role, verb):
                wrong.append(f"{role} {verb}: {got}")
    assert not wrong, f"{name}: {wrong}"
    # The index: whoever may list or count one registry (every signed-in role, with a STAFF kind).
    assert permissions.can(users["anonymous"], index_rules.INDEX_ACTION) is False
    assert all(permissions.can(users[role], index_rules.INDEX_ACTION) for role in REGISTRY_ROLES[1:])


# The restricted registries over HTTP: their list, a record's page, the API's list and record, and the
# export, asked by another agency's staff, an evaluator (counts only) and a signed-out visitor: refused
# (sign-in, 401, 403 or 404), never a record; the evaluator's list is the numbers only.
RESTRICTED_OUTSIDERS = {
    # Candidates: MoJ is not named for 5.2.1.2; legal aid: MLSPP is another provider than MoJ.
    "candidates": ("mia", "moj"),
    "legal-aid": ("moj", "mlspp"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(RESTRICTED_OUTSIDERS))
@pytest.mark.parametrize("who", ["other_agency", "other_approver", "evaluator", "anonymous"])
def test_restricted_registry_refused_over_http(name: str, who: str, az_plan, make_user) -> None:
    from random import Random

    from wpsnap.registries.kinds import catalogue
    from wpsnap.registries.kinds.services import record_create
    from wpsnap.registries.services.setup import events_setup, read_districts
    from wpsnap.reporting.services import reporting_setup

    from ..registries.conftest import DISTRICTS

    reporting_setup(plan=az_plan)
    events_setup(plan=az_plan, districts=read_districts(DISTRICTS))
    kind = catalogue.kind_named(name)
    assert kind is not None
    owner_key, outsider_key = RESTRICTED_OUTSIDERS[name]
    writer = make_user("focal_point", owner_key, f"http-owner-{name}")
    record = record_create(kind=kind, actor=writer, plan=az_plan, values=kind.examples(Random(5)))
    secrets = {str(record.ref), str(getattr(record, kind.title_field))} | {
        str(getattr(record, c.field))
        for c in kind.columns
        if c.personal
        and getattr(record, c.field) not in (None, "")
        and len(str(getattr(record, c.field))) > 3
    }
    client = Client()
    if who != "anonymous":
        role, org = {
            "other_agency": ("focal_point", outsider_key),
            "other_approver": ("approver", outsider_key),
            "evaluator": ("evaluator", "test-evaluators"),
        }[who]
        sign_in(client, make_user(role, org, f"http-{who}-{name}"))
    listing = reverse("registry_kinds:list", kwargs={"kind": name})
    addresses = [
        listing,
        reverse("registry_kinds:detail", kwargs={"kind": name, "ref": record.ref}),
        f"/api/v1/registries/{name}/",
        f"/api/v1/registries/{name}/{record.ref}/",
        reverse("registry_exports:table_registry", kwargs={"kind": name}) + "?format=csv",
    ]
    for address in addresses:
        response = client.get(address)
        if who == "anonymous" and address.startswith("/api/"):
            assert response.status_code == 401, address
        elif who == "anonymous":
            assert response.status_code == 302, address
            assert response["Location"].startswith("/accounts/login/"), address
        elif who == "evaluator" and address == listing:
            assert response.status_code == 200  # the numbers only
        elif who != "evaluator" and name == "legal-aid" and address in (listing, addresses[2]):
            assert response.status_code == 200  # their own services (none): MoJ's are not among them
        elif who != "evaluator" and name == "legal-aid" and address in (addresses[1], addresses[3]):
            # Another provider's service is outside what they may see at all: not found, not refused.
            assert response.status_code == 404, address
        else:
            assert response.status_code == 403, (address, response.status_code)
        text = (
            b"".join(response.streaming_content)
            if getattr(response, "streaming", False)
            else response.content
        ).decode("utf-8", "replace")
        # A page may repeat its own address (the language switch does): the record id asked is no leak.
        leaked = [secret for secret in secrets if secret in text and secret not in address]
        assert not leaked, (address, response.status_code, leaked)
