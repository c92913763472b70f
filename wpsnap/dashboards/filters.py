"""The dashboards' filters, read from the query string: ``period`` (a reporting period's id), ``pillar``
(a pillar's id), ``agency`` (an organisation's id) and ``district`` (a district's code; only figures derived
from events use it). Every choice comes from the plan and the viewer's scope, so a value that is not one
of them is refused with a 400 that names the parameter, never a server error or an empty page that looks
like a real answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.utils.translation import gettext as _

from wpsnap.accounts.models import Organisation, OrganisationKind
from wpsnap.analytics.scope import agencies as visible_agencies
from wpsnap.core import params
from wpsnap.core.errors import InvalidInput
from wpsnap.plan.models import Pillar, Plan
from wpsnap.registries.selectors import district_names
from wpsnap.reporting.models import ReportingPeriod

from .links import Drill, drill_for

# Organisations that never owe reports: they are not offered as an agency to filter by.
NOT_AGENCIES = (OrganisationKind.COLLECTIVE, OrganisationKind.EVALUATOR, OrganisationKind.DONOR)


@dataclass(frozen=True)
class Filters:
    """What the viewer chose; None meaning all."""

    period: ReportingPeriod | None = None
    pillar: Pillar | None = None
    agency: Organisation | None = None
    district: str | None = None  # a district's code
    district_name: str = ""

    def query(self, **changes: Any) -> str:
        """The query string (without ``?``) of these filters, with ``changes`` (None drops a filter)."""
        values: dict[str, Any] = {
            "period": self.period.pk if self.period is not None else None,
            "pillar": self.pillar.pk if self.pillar is not None else None,
            "agency": self.agency.pk if self.agency is not None else None,
            "district": self.district,
        }
        values.update(changes)
        return urlencode([(k, v) for k, v in values.items() if v not in (None, "")])

    @property
    def any(self) -> bool:
        return any(v is not None for v in (self.period, self.pillar, self.agency, self.district))


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class FilterBar:
    """The filter form's choices and what is chosen, for ``dashboards/partials/filters.html``."""

    filters: Filters
    periods: tuple[Choice, ...]
    pillars: tuple[Choice, ...]
    agencies: tuple[Choice, ...]
    districts: tuple[Choice, ...] = ()
    # Whether the page uses the district filter (the people and districts pages).
    with_district: bool = False
    # The periods in order, for the pages that show them.
    period_objects: tuple[ReportingPeriod, ...] = field(default=(), repr=False)
    # Where the viewer's figures may drill down to.
    drill: Drill = field(default_factory=lambda: Drill(browse=False, events_list=False), repr=False)
    pillar_objects: tuple[Pillar, ...] = field(default=(), repr=False)

    @property
    def chosen(self) -> dict[str, str]:
        f = self.filters
        return {
            "period": str(f.period.pk) if f.period is not None else "",
            "pillar": str(f.pillar.pk) if f.pillar is not None else "",
            "agency": str(f.agency.pk) if f.agency is not None else "",
            "district": f.district or "",
        }


def _unknown(name: str, message: str, value: str) -> InvalidInput:
    return InvalidInput.one(name, "invalid_choice", message % {"value": params.shown(value)})


def read_filters(
    query: Mapping[str, str], *, plan: Plan, viewer: Any, with_district: bool = False
) -> FilterBar:
    """The filters ``query`` gives for ``plan``, checked against the plan's periods and pillars, the
    agencies ``viewer`` sees and (``with_district``) the plan's districts: three queries, four with
    districts. Raises ``InvalidInput`` naming the parameter for a value that is not one of them."""
    periods = tuple(ReportingPeriod.objects.filter(plan=plan).order_by("start"))
    pillars = tuple(Pillar.objects.filter(plan=plan).select_related("objective").order_by("position"))
    visible = visible_agencies(viewer)
    agencies_qs = Organisation.objects.filter(country=plan.country).exclude(kind__in=NOT_AGENCIES)
    if visible is not None:
        agencies_qs = agencies_qs.filter(pk__in=sorted(visible))
    agencies = sorted(agencies_qs, key=lambda o: o.label.casefold())
    districts = district_names(plan) if with_district else {}

    def pick(name: str, objects: Mapping[int, Any], message: str) -> Any:
        raw = query.get(name, "")
        if raw == "":
            return None
        pk = params.identifier(name, raw)
        if pk not in objects:
            raise _unknown(name, message, raw)
        return objects[pk]

    period = pick(
        "period",
        {p.pk: p for p in periods},
        _("There is no reporting period “%(value)s” in this plan. Choose one from the list."),
    )
    pillar = pick(
        "pillar",
        {p.pk: p for p in pillars},
        _("There is no pillar “%(value)s” in this plan. Choose one from the list."),
    )
    agency = pick(
        "agency",
        {a.pk: a for a in agencies},
        _("There is no agency “%(value)s” among those you may see. Choose one from the list."),
    )
    district = None
    if with_district and query.get("district", ""):
        district = params.text("district", query["district"])
        if district not in districts:
            raise _unknown(
                "district",
                _("There is no district “%(value)s” in this plan. Choose one from the list."),
                district,
            )
    filters = Filters(
        period=period,
        pillar=pillar,
        agency=agency,
        district=district,
        district_name=districts.get(district, "") if district else "",
    )
    return FilterBar(
        filters=filters,
        periods=tuple(Choice(str(p.pk), p.label) for p in periods),
        pillars=tuple(Choice(str(p.pk), f"{p.number} {p.tr('title')}".strip()) for p in pillars),
        agencies=tuple(Choice(str(a.pk), a.label) for a in agencies),
        districts=tuple(Choice(code, name) for code, name in sorted(districts.items(), key=lambda d: d[1])),
        with_district=with_district,
        period_objects=periods,
        pillar_objects=pillars,
        drill=drill_for(viewer),
    )
