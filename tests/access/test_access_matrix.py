"""The access matrix: every role x every page and API endpoint x own / other agency's object x read / write.

Each case lists the roles that may succeed. A request succeeds when it answers 2xx, or redirects
anywhere but to a sign-in or second-factor page. For every (role, case) the test asserts that the
outcome matches: 0 unauthorised successes and 0 wrongful refusals. Refused attempts on an object
are written to the audit trail. Later issues add their objects to CASES.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client

from wpsnap.accounts.models import User
from wpsnap.core.models import AuditEvent
from wpsnap.plan.models import Plan

from ..conftest import sign_in

ALL = frozenset({"anonymous", "coordinator", "approver", "focal_point", "ngo_contributor", "evaluator"})
SIGNED_IN = ALL - {"anonymous"}
COORDINATOR = frozenset({"coordinator"})
SEES_DRAFTS = frozenset({"coordinator", "evaluator"})
NOBODY: frozenset[str] = frozenset()
REPORT_READERS = frozenset({"coordinator", "evaluator", "approver", "focal_point"})
WRITERS = frozenset({"focal_point"})


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

    @property
    def needs_reports(self) -> bool:
        """Cases about reports, periods and evidence need the reporting world (slower to build)."""
        return any(
            part in self.name
            for part in (
                "report",
                "period",
                "evidence",
                "activities",
                "queue",
                "results",
                "endorse",
                "approve",
                "edit own",
                "edit other",
                "comment",
                "history",
                "save own",
            )
        )


def _me(w: World) -> int:
    assert w.me is not None
    return w.me.pk


CASES = [
    # --- plan pages (public once adopted; drafts for coordinators and evaluators) ---
    Case("home", "get", lambda w: "/", ALL, logs_refusal=False),
    Case("plan page", "get", lambda w: "/plans/az-2020-2023/", ALL),
    Case("activity page", "get", lambda w: "/plans/az-2020-2023/activities/5.3.2-3/", ALL),
    Case("agency list", "get", lambda w: "/plans/az-2020-2023/agencies/", ALL),
    Case("agency page", "get", lambda w: "/plans/az-2020-2023/agencies/mia/", ALL),
    Case("timeline", "get", lambda w: "/plans/az-2020-2023/timeline/", ALL),
    Case("draft plan page", "get", lambda w: f"/plans/{w.draft.slug}/", SEES_DRAFTS),
    Case("draft plan activity", "get", lambda w: f"/plans/{w.draft.slug}/activities/1.1.1-1/", SEES_DRAFTS),
    # --- people and the audit trail (coordinators) ---
    Case("user list", "get", lambda w: "/accounts/users/", COORDINATOR),
    Case("other agency's user", "get", lambda w: f"/accounts/users/{w.other.pk}/", COORDINATOR),
    Case("own colleague", "get", lambda w: f"/accounts/users/{w.own_colleague.pk}/", COORDINATOR),
    Case("invite form", "get", lambda w: "/accounts/users/invite/", COORDINATOR),
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
    ),
    Case(
        "change other's role",
        "post",
        lambda w: f"/accounts/users/{w.other.pk}/role/",
        COORDINATOR,
        data=lambda w: {"role": "approver"},
    ),
    Case(
        "deactivate other",
        "post",
        lambda w: f"/accounts/users/{w.other.pk}/active/",
        COORDINATOR,
        data=lambda w: {"active": "0"},
    ),
    Case(
        "change own role",
        "post",
        lambda w: f"/accounts/users/{_me(w)}/role/",
        NOBODY,
        data=lambda w: {"role": "evaluator"},
    ),
    Case("audit log", "get", lambda w: "/accounts/audit/", COORDINATOR),
    Case("audit of a user", "get", lambda w: f"/accounts/audit/accounts.user/{w.other.pk}/", COORDINATOR),
    Case("admin", "get", lambda w: "/admin/", COORDINATOR, logs_refusal=False),
    Case(
        "admin user page",
        "get",
        lambda w: f"/admin/accounts/user/{w.other.pk}/change/",
        COORDINATOR,
        logs_refusal=False,
    ),
    # --- the API ---
    Case("api plans", "get", lambda w: "/api/v1/plans/", ALL, api=True),
    Case("api plan", "get", lambda w: "/api/v1/plans/az-2020-2023/", ALL, api=True),
    Case("api draft plan", "get", lambda w: f"/api/v1/plans/{w.draft.slug}/", SEES_DRAFTS, api=True),
    Case("api organisations", "get", lambda w: "/api/v1/organisations/", ALL, api=True),
    Case("api me", "get", lambda w: "/api/v1/me/", SIGNED_IN, api=True),
    Case("api user list", "get", lambda w: "/api/v1/users/", COORDINATOR, api=True),
    Case("api own user", "get", lambda w: f"/api/v1/users/{_me(w)}/", SIGNED_IN, api=True),
    Case("api other agency's user", "get", lambda w: f"/api/v1/users/{w.other.pk}/", COORDINATOR, api=True),
    Case("api own colleague", "get", lambda w: f"/api/v1/users/{w.own_colleague.pk}/", COORDINATOR, api=True),
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
    ),
    Case(
        "api change other's role",
        "patch",
        lambda w: f"/api/v1/users/{w.other.pk}/",
        COORDINATOR,
        api=True,
        data=lambda w: {"role": "approver"},
    ),
    Case(
        "api change own role",
        "patch",
        lambda w: f"/api/v1/users/{_me(w)}/",
        NOBODY,
        api=True,
        data=lambda w: {"role": "evaluator"},
    ),
    Case("api audit", "get", lambda w: "/api/v1/audit/", COORDINATOR, api=True),
    Case("api schema", "get", lambda w: "/api/v1/schema/", ALL, api=True, logs_refusal=False),
    # --- progress reports (MoD's are "own" for the focal point and approver) ---
    Case("my activities", "get", lambda w: "/reports/", SIGNED_IN),
    Case("review queue", "get", lambda w: "/reports/queue/", frozenset({"approver", "coordinator"})),
    Case("periods", "get", lambda w: "/reports/periods/", SIGNED_IN),
    Case("lock a period", "post", lambda w: f"/reports/periods/{w.period_2021.pk}/lock/", COORDINATOR),
    Case(
        "reopen a period",
        "post",
        lambda w: f"/reports/periods/{w.period_2021.pk}/reopen/",
        COORDINATOR,
        data=lambda w: {"reason": "Late figures from the ministry."},
    ),
    Case("own report", "get", lambda w: f"/reports/{w.own_submitted.pk}/", REPORT_READERS),
    Case("other agency's report", "get", lambda w: f"/reports/{w.other_report.pk}/", SEES_DRAFTS),
    Case("own report history", "get", lambda w: f"/reports/{w.own_submitted.pk}/history/", REPORT_READERS),
    Case("other agency's history", "get", lambda w: f"/reports/{w.other_report.pk}/history/", SEES_DRAFTS),
    Case(
        "comment on own report",
        "post",
        lambda w: f"/reports/{w.own_submitted.pk}/comment/",
        frozenset({"coordinator", "approver", "focal_point"}),
        data=lambda w: {"text": "Please add the agenda."},
    ),
    Case(
        "comment on other agency's",
        "post",
        lambda w: f"/reports/{w.other_report.pk}/comment/",
        COORDINATOR,
        data=lambda w: {"text": "Please add the agenda."},
    ),
    Case("edit own draft", "get", lambda w: f"/reports/{w.own_draft.pk}/edit/", WRITERS),
    Case(
        "save own draft",
        "post",
        lambda w: f"/reports/{w.own_draft.pk}/autosave/",
        WRITERS,
        data=lambda w: {"done": "A training.", "progress": "in_progress"},
    ),
    Case("edit other agency's", "get", lambda w: f"/reports/{w.other_report.pk}/edit/", NOBODY),
    Case(
        "endorse own",
        "post",
        lambda w: f"/reports/{w.own_submitted.pk}/step/endorse/",
        frozenset({"approver"}),
    ),
    Case("endorse other agency's", "post", lambda w: f"/reports/{w.other_report.pk}/step/endorse/", NOBODY),
    # Not a step from "submitted": refused as out of order (400) for everyone, not as an access refusal.
    Case(
        "approve a submitted report",
        "post",
        lambda w: f"/reports/{w.own_submitted.pk}/step/approve/",
        NOBODY,
        logs_refusal=False,
    ),
    Case("own evidence", "get", lambda w: f"/reports/evidence/{w.own_evidence.pk}/", REPORT_READERS),
    Case(
        "other agency's evidence", "get", lambda w: f"/reports/evidence/{w.other_evidence.pk}/", SEES_DRAFTS
    ),
    Case("api reports", "get", lambda w: "/api/v1/reports/", SIGNED_IN, api=True),
    Case(
        "api own report", "get", lambda w: f"/api/v1/reports/{w.own_submitted.pk}/", REPORT_READERS, api=True
    ),
    Case(
        "api other agency's report",
        "get",
        lambda w: f"/api/v1/reports/{w.other_report.pk}/",
        SEES_DRAFTS,
        api=True,
    ),
    Case(
        "api edit own draft",
        "patch",
        lambda w: f"/api/v1/reports/{w.own_draft.pk}/",
        WRITERS,
        api=True,
        data=lambda w: {"done": "A training."},
    ),
    Case(
        "api edit other agency's",
        "patch",
        lambda w: f"/api/v1/reports/{w.other_report.pk}/",
        NOBODY,
        api=True,
        data=lambda w: {"done": "A training."},
    ),
    Case(
        "api endorse own",
        "post",
        lambda w: f"/api/v1/reports/{w.own_submitted.pk}/endorse/",
        frozenset({"approver"}),
        api=True,
    ),
    Case(
        "api endorse other agency's",
        "post",
        lambda w: f"/api/v1/reports/{w.other_report.pk}/endorse/",
        NOBODY,
        api=True,
    ),
    Case("api periods", "get", lambda w: "/api/v1/periods/", SIGNED_IN, api=True),
    Case("api results", "get", lambda w: "/api/v1/results/", SEES_DRAFTS, api=True),
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


def _world(make_user, role: str, *, reports: bool = True) -> World:
    from wpsnap.plan import schema
    from wpsnap.plan.services import plan_load

    from ..plan.minimal import MINIMAL_PLAN

    draft_file = schema.parse_plan_text(MINIMAL_PLAN.replace("status: adopted", "status: draft"))
    draft = plan_load(plan_file=draft_file).plan
    me = None if role == "anonymous" else make_user(role)
    own = make_user(
        "focal_point" if role != "ngo_contributor" else "ngo_contributor", OWN_ORG[role], "colleague"
    )
    other = make_user("focal_point", "mia", "other-agency-person")
    world = World(me=me, own_colleague=own, other=other, draft=draft)
    if reports:
        _reports(world, make_user)
    return world


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
def test_access_matrix(role: str, case: Case, make_user) -> None:
    """The role succeeds exactly where the matrix allows it; refusals on objects are audited."""
    world = _world(make_user, role, reports=case.needs_reports)
    client = Client()
    if world.me is not None:
        sign_in(client, world.me)
    before = AuditEvent.objects.filter(action="access_refused").count()
    data = case.data(world)
    if case.api and case.method in ("post", "patch"):
        response = getattr(client, case.method)(case.url(world), data, content_type="application/json")
    else:
        response = getattr(client, case.method)(case.url(world), data)
    allowed = role in case.allowed
    assert response.status_code < 500
    assert _succeeded(response) is allowed, (
        f"{role} {case.method.upper()} {case.url(world)}: {response.status_code} "
        f"({'should succeed' if allowed else 'must be refused'})"
    )
    refused_lines = AuditEvent.objects.filter(action="access_refused").count() - before
    if not allowed and case.logs_refusal and world.me is not None:
        assert refused_lines >= 1, "a refused attempt must be written to the audit trail"
