"""Demo records of the restricted registries: women candidates kept by the recruiting authorities (MIA,
MoD) for 5.2.1.2, and legal aid and services given by the Ministry of Labour and Social Protection, the
State Committee for Refugees and IDPs and the demo NGO (5.3.2, 5.3.3).

Each record is drawn from its kind's ``examples`` generator (obviously made-up: candidates are named
"Demo Candidate 01234", beneficiaries by codes such as BAK-2022-0042) and written with the generic
``record_create`` as its organisation's writer, so the gate, the checks, the retention date and the audit
line are the real ones. A few beneficiaries get several services (the same code), so that services and
distinct beneficiaries differ. Services are dated in the plan's reporting periods that are still open
(a locked period's records no longer change). Records are made with the real clock, so their retention
runs from today: the daily purge keeps them.

A second load writes nothing: a candidate is found by her owner and name, a service by its owner, code,
type and date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from random import Random

from django.utils import timezone

from wpsnap.accounts.models import User
from wpsnap.plan.models import Plan
from wpsnap.registries.candidates.models import Candidate
from wpsnap.registries.kinds import catalogue
from wpsnap.registries.kinds.services import record_create
from wpsnap.registries.legal_aid.models import LegalAidService
from wpsnap.reporting.models import ReportingPeriod

# Writers per registry: (demo user name, how many records).
CANDIDATE_WRITERS = (("mia.focal", 9), ("mod.focal", 7))
SERVICE_WRITERS = (("mlspp.focal", 14), ("scridp.focal", 10), ("ngo.contributor", 6))
# The plan activity each type of service serves: free legal advice (5.3.1.3, as the plan numbers it),
# employment and vocational training (5.3.3.1), education, health and social services (5.3.3.2).
ACTIVITY_OF_SERVICE = {
    "legal_advice": "5.3.1.3",
    "vocational_training": "5.3.3.1",
    "employment_support": "5.3.3.1",
    "education": "5.3.3.2",
    "health": "5.3.3.2",
    "social_service": "5.3.3.2",
}
# Of each provider's services, this share goes to a beneficiary served before (a second service).
REPEAT_SHARE = 0.3


@dataclass
class Result:
    candidates: int = 0
    services: int = 0
    skipped: int = 0


def load(plan: Plan, rng: Random) -> Result:
    """Add the demo's candidates and services to ``plan`` (nothing that is already there)."""
    result = Result()
    _candidates(plan, rng, result)
    _services(plan, rng, result)
    return result


def _writer(username: str) -> User | None:
    return User.objects.select_related("organisation").filter(username=username, is_active=True).first()


def _candidates(plan: Plan, rng: Random, result: Result) -> None:
    kind = catalogue.kind_named("candidates")
    if kind is None:
        return
    activities = "; ".join(kind.activity_codes)
    for username, how_many in CANDIDATE_WRITERS:
        writer = _writer(username)
        rows = [kind.examples(rng) for _ in range(how_many)] if kind.examples else []
        if writer is None:
            result.skipped += len(rows)
            continue
        for row in rows:
            exists = Candidate.objects.filter(
                plan=plan, owner=writer.organisation, full_name=row["full_name"]
            ).exists()
            if exists:
                continue
            record_create(kind=kind, actor=writer, plan=plan, values={**row, "activities": activities})
            result.candidates += 1


def _open_days(plan: Plan) -> list[tuple[date, date]]:
    """The first and last day of each reporting period of the plan that is not locked, up to today."""
    today = timezone.localdate()
    spans = []
    for period in ReportingPeriod.objects.filter(plan=plan, locked_at__isnull=True, start__lte=today):
        spans.append((period.start, min(period.end, today)))
    return sorted(spans)


def _services(plan: Plan, rng: Random, result: Result) -> None:
    kind = catalogue.kind_named("legal-aid")
    if kind is None or kind.examples is None:
        return
    spans = _open_days(plan)
    for username, how_many in SERVICE_WRITERS:
        rows: list[dict[str, str]] = []
        for _ in range(how_many):
            row = kind.examples(rng)
            if rows and rng.random() < REPEAT_SHARE:
                # The same person again, for another service.
                earlier = rng.choice(rows)
                row = {**row, **{k: earlier[k] for k in ("beneficiary_code", "sex", "age_band", "district")}}
            if spans:
                start, end = rng.choice(spans)
                row["provided_on"] = (start + timedelta(days=rng.randint(0, (end - start).days))).isoformat()
            rows.append(row)
        writer = _writer(username)
        if writer is None or not spans:
            result.skipped += len(rows)
            continue
        for row in rows:
            activity = ACTIVITY_OF_SERVICE[row["service_type"]]
            exists = LegalAidService.objects.filter(
                plan=plan,
                owner=writer.organisation,
                beneficiary_code=row["beneficiary_code"],
                service_type=row["service_type"],
                provided_on=row["provided_on"],
            ).exists()
            if exists:
                continue
            record_create(kind=kind, actor=writer, plan=plan, values={**row, "activities": activity})
            result.services += 1
