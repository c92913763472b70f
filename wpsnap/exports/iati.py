"""IATI activity XML 2.03 of a plan: one ``iati-activity`` per plan activity, with its results and the
published figures of its count indicators (docs/open-data.md).

Figures come only through ``wpsnap.publishing`` (``public_results``: published reports, disclosure
controlled); a suppressed figure is left out, never shown. This module must not import
``wpsnap.analytics`` or any app's selectors (an import-linter contract). The plan's structure (activities,
agencies, periods, dimensions) is read from the models: it is public once the plan is adopted, and a draft
plan is refused.

The codes used, each from the IATI 2.03 codelists (checked by tests/exports/test_iati.py against the
copies in ``iati_schema/``):

- reporting-org: ``WPSNAP_IATI_ORG_REF`` (an IATI organisation identifier the installation must obtain),
  ``WPSNAP_IATI_ORG_NAME`` (default: the plan's coordinating body), ``WPSNAP_IATI_ORG_TYPE`` (default 10,
  Government);
- participating-org: the coordinating body as accountable (role 2), each implementing agency as
  implementing (role 4), typed from the organisation's kind;
- activity-status from the plan's status and the activity's years; activity-date 1 and 3 (planned start
  and end) from the activity's years; recipient-country AZ (the plan's country);
- sector (vocabulary 1, OECD DAC CRS 5-digit) by pillar (``WPSNAP_IATI_SECTORS`` or ``SECTORS``);
  policy-marker 1 (gender equality), significance 2 (principal objective); default-currency AZN;
- one result per indicator (type 1, output): count indicators measure 1 (unit), with a period per
  reporting period that has published figures and an ``actual`` per published figure (the total without
  dimensions, each margin and inner cell with a ``dimension`` per dimension it fixes); qualitative and
  document indicators measure 5 (qualitative), without periods (their answers are text, which nothing
  publishes yet).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from wpsnap.accounts.models import Organisation, OrganisationKind
from wpsnap.core.errors import WpsnapError
from wpsnap.plan.models import Activity, Assignment, Indicator, IndicatorKind, Plan, PlanStatus, Role
from wpsnap.publishing.public import PublicPeriod, PublicResults, public_results
from wpsnap.reporting.disaggregation import TOTAL, parse_cell_key
from wpsnap.reporting.models import ReportingPeriod

VERSION = "2.03"

# The IATI 2.03 schemas, codelists and ruleset, vendored (iati_schema/README.md).
SCHEMA_DIR = Path(__file__).resolve().parent / "iati_schema"

# OECD DAC CRS purpose codes (Sector vocabulary 1) by pillar key, for the Azerbaijan plan's pillars; a
# pillar not named gets DEFAULT_SECTOR. WPSNAP_IATI_SECTORS overrides or adds entries.
SECTORS: dict[str, str] = {
    # Prevent conflicts and all forms of structural and physical violence against women and girls.
    "prevention": "15180",  # Ending violence against women and girls
    # Women's participation in the prevention, management and resolution of conflicts.
    "participation": "15220",  # Civilian peace-building, conflict prevention and resolution
    # Protect the human rights of conflict-affected women and girls.
    "protection": "15160",  # Human rights
    # Relief and recovery of women and girls during and after conflict.
    "relief-and-recovery": "73010",  # Immediate post-emergency reconstruction and rehabilitation
}
# Women's rights organisations and movements, and government institutions.
DEFAULT_SECTOR = "15170"

POLICY_MARKER_GENDER = "1"
SIGNIFICANCE_PRINCIPAL = "2"
RESULT_OUTPUT = "1"
MEASURE_UNIT = "1"
MEASURE_QUALITATIVE = "5"
ROLE_ACCOUNTABLE = "2"
ROLE_IMPLEMENTING = "4"
DATE_PLANNED_START = "1"
DATE_PLANNED_END = "3"
STATUS_PIPELINE = "1"
STATUS_IMPLEMENTATION = "2"
STATUS_FINALISATION = "3"
STATUS_CLOSED = "4"

# IATI OrganisationType by the platform's organisation kind; None: no type (a collective implementer
# stands for several bodies; an "other" is not known).
ORGANISATION_TYPES: dict[str, str | None] = {
    OrganisationKind.MINISTRY: "10",
    OrganisationKind.STATE_COMMITTEE: "10",
    OrganisationKind.STATE_AGENCY: "10",
    OrganisationKind.OMBUDSMAN: "15",  # Other public sector: an independent public institution
    OrganisationKind.NGO: "22",  # National NGO
    OrganisationKind.LOCAL_EXECUTIVE: "11",
    OrganisationKind.COLLECTIVE: None,
    OrganisationKind.INTERNATIONAL: "40",  # Multilateral
    OrganisationKind.EVALUATOR: "80",  # Academic, training and research
    OrganisationKind.DONOR: "10",
    OrganisationKind.OTHER: None,
}

CURRENCY = "AZN"

# The placeholder identifier of the demo: not registered anywhere. The command warns when it is used.
PLACEHOLDER_ORG_REF = "AZ-GOV-SCFWCA"

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@dataclass(frozen=True)
class ReportingOrg:
    ref: str
    type: str
    # {language: name}; the plan's default language first.
    names: Mapping[str, str]


def org_settings() -> tuple[str, str, str]:
    """(ref, name, type) from the settings; an empty name means the plan's coordinating body."""
    return (
        str(getattr(settings, "WPSNAP_IATI_ORG_REF", PLACEHOLDER_ORG_REF) or PLACEHOLDER_ORG_REF),
        str(getattr(settings, "WPSNAP_IATI_ORG_NAME", "") or ""),
        str(getattr(settings, "WPSNAP_IATI_ORG_TYPE", "10") or "10"),
    )


def activity_identifier(org_ref: str, plan: Plan, activity: Activity) -> str:
    """``<org ref>-<plan slug>-<activity key>``: the activity's key, not its published number, because
    the number may repeat or be missing and an IATI identifier must be unique and never change. Any
    character IATI forbids (``/ & | ?``) or a space becomes a hyphen."""
    return f"{org_ref}-{_UNSAFE.sub('-', plan.slug)}-{_UNSAFE.sub('-', activity.key)}"


def iati_activities(
    plan: Plan,
    *,
    org_ref: str | None = None,
    org_name: str | None = None,
    org_type: str | None = None,
    figures: PublicResults | None = None,
    now: datetime | None = None,
) -> bytes:
    """The plan's activities as an IATI 2.03 ``iati-activities`` document (UTF-8 bytes with an XML
    declaration). ``org_ref``/``org_name``/``org_type`` default to the settings ``WPSNAP_IATI_ORG_*``;
    ``figures`` to ``public_results(plan)`` (pass it when the caller has it already). Raises
    ``WpsnapError`` for a draft plan (the public may not see it)."""
    if plan.status == PlanStatus.DRAFT:
        raise WpsnapError(
            _("The plan %(slug)s is a draft: it is not public, so it has no open data.") % {"slug": plan.slug}
        )
    set_ref, set_name, set_type = org_settings()
    ref = (org_ref or set_ref).strip()
    now = now or timezone.now()
    figures = figures if figures is not None else public_results(plan)
    languages = _languages(plan)
    reporting = ReportingOrg(
        ref=ref,
        type=org_type or set_type,
        names=(
            {plan.default_language: org_name or set_name}
            if (org_name or set_name)
            else _names(plan.coordinator, "name", languages)
        ),
    )
    by_indicator = {indicator.indicator_id: indicator for indicator in figures.indicators}
    periods = {p.pk: p for p in ReportingPeriod.objects.filter(plan=plan).order_by("start")}
    activities = list(
        Activity.objects.filter(plan=plan)
        .select_related("priority_area__pillar__objective")
        .order_by("priority_area__position", "position")
    )
    indicators: dict[int, list[Indicator]] = {}
    for indicator in Indicator.objects.filter(plan=plan, activity__isnull=False).order_by(
        "priority_area__position", "position"
    ):
        indicators.setdefault(indicator.activity_id or 0, []).append(indicator)
    implementers = _implementers(plan)
    updated = figures.last_updated or now

    root = etree.Element(
        "iati-activities",
        {"version": VERSION, "generated-datetime": _datetime(now)},
    )
    sectors = {**SECTORS, **getattr(settings, "WPSNAP_IATI_SECTORS", {})}
    for activity in activities:
        element = etree.SubElement(
            root,
            "iati-activity",
            {
                _XML_LANG: plan.default_language,
                "default-currency": CURRENCY,
                "last-updated-datetime": _datetime(updated),
            },
        )
        etree.SubElement(element, "iati-identifier").text = activity_identifier(ref, plan, activity)
        org = etree.SubElement(element, "reporting-org", {"ref": ref, "type": reporting.type})
        _narrative_elements(org, reporting.names, plan.default_language)
        _narrative_elements(
            etree.SubElement(element, "title"), _names(activity, "text", languages), plan.default_language
        )
        area = activity.priority_area
        description = _names(area, "title", languages)
        _narrative_elements(
            etree.SubElement(element, "description", {"type": "1"}),
            {lang: f"{area.code} {text}" for lang, text in description.items()},
            plan.default_language,
        )
        objective = getattr(area.pillar, "objective", None)
        if objective is not None:
            _narrative_elements(
                etree.SubElement(element, "description", {"type": "2"}),
                _names(objective, "text", languages),
                plan.default_language,
            )
        if plan.coordinator is not None:
            _participating(element, plan.coordinator, ROLE_ACCOUNTABLE, languages, plan.default_language)
        agencies = implementers.get((area.pk, activity.pk)) or implementers.get((area.pk, None), [])
        for agency in agencies:
            _participating(element, agency, ROLE_IMPLEMENTING, languages, plan.default_language)
        if plan.coordinator is None and not agencies:
            # The schema wants at least one participating organisation: the reporting one, accountable.
            org = etree.SubElement(
                element, "participating-org", {"ref": ref, "role": ROLE_ACCOUNTABLE, "type": reporting.type}
            )
            _narrative_elements(org, reporting.names, plan.default_language)
        first, last = _years(plan, activity)
        etree.SubElement(element, "activity-status", {"code": _status(plan, first, last, now.date())})
        if first is not None and last is not None:
            etree.SubElement(
                element,
                "activity-date",
                {"type": DATE_PLANNED_START, "iso-date": date(first, 1, 1).isoformat()},
            )
            etree.SubElement(
                element,
                "activity-date",
                {"type": DATE_PLANNED_END, "iso-date": date(last, 12, 31).isoformat()},
            )
        etree.SubElement(element, "recipient-country", {"code": plan.country.upper()})
        etree.SubElement(
            element,
            "sector",
            {"vocabulary": "1", "code": sectors.get(area.pillar.key, DEFAULT_SECTOR)},
        )
        etree.SubElement(
            element,
            "policy-marker",
            {"vocabulary": "1", "code": POLICY_MARKER_GENDER, "significance": SIGNIFICANCE_PRINCIPAL},
        )
        for indicator in indicators.get(activity.pk, []):
            published = by_indicator.get(indicator.pk)
            _result(
                element,
                indicator,
                published.periods if published is not None else (),
                periods,
                languages,
                plan.default_language,
                plan.start_year,
            )
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


@cache
def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_DIR / "iati-activities-schema.xsd")))


# The coded attributes the export writes whose codelists are vendored: (element, attribute) -> codelist.
CODED_ATTRIBUTES: dict[tuple[str, str], str] = {
    ("iati-activities", "version"): "Version",
    ("iati-activity", "default-currency"): "Currency",
    ("iati-activity", _XML_LANG): "Language",
    ("narrative", _XML_LANG): "Language",
    ("reporting-org", "type"): "OrganisationType",
    ("participating-org", "type"): "OrganisationType",
    ("participating-org", "role"): "OrganisationRole",
    ("activity-status", "code"): "ActivityStatus",
    ("recipient-country", "code"): "Country",
    ("sector", "vocabulary"): "SectorVocabulary",
    ("sector", "code"): "Sector",
    ("policy-marker", "code"): "PolicyMarker",
    ("policy-marker", "significance"): "PolicySignificance",
    ("result", "type"): "ResultType",
    ("indicator", "measure"): "IndicatorMeasure",
}


@cache
def codelist_codes(name: str) -> frozenset[str]:
    """The active codes of a vendored IATI codelist (withdrawn codes are not for new data)."""
    tree = etree.parse(str(SCHEMA_DIR / "codelists" / f"{name}.xml"))
    return frozenset(
        item.findtext("code") or ""
        for item in tree.iter("codelist-item")
        if item.get("status") != "withdrawn"
    )


def iati_code_errors(document: bytes) -> list[str]:
    """Codes in ``document`` that are not active codes of their IATI codelist: a setting out of its list
    (``WPSNAP_IATI_ORG_TYPE``, ``WPSNAP_IATI_SECTORS``) or a plan's language or country IATI does not
    know. Empty when every code is in its list."""
    errors = []
    for element in etree.fromstring(document).iter():
        for attribute, value in element.attrib.items():
            name = CODED_ATTRIBUTES.get((str(element.tag), str(attribute)))
            if name is not None and value not in codelist_codes(name):
                shown = "xml:lang" if attribute == _XML_LANG else attribute
                errors.append(f"{element.tag}/@{shown}={value!r} is not a code of IATI's {name} list")
    return sorted(set(errors))


def iati_schema_errors(document: bytes) -> list[str]:
    """What the IATI 2.03 activity schema finds wrong with ``document`` (empty when it is valid)."""
    schema = _schema()
    if schema.validate(etree.fromstring(document)):
        return []
    return [f"line {error.line}: {error.message}" for error in schema.error_log]


def _result(
    parent: etree._Element,
    indicator: Indicator,
    published: Iterable[PublicPeriod],
    periods: Mapping[int, ReportingPeriod],
    languages: list[str],
    default: str,
    first_year: int | None,
) -> None:
    result = etree.SubElement(parent, "result", {"type": RESULT_OUTPUT})
    texts = _names(indicator, "text", languages)
    _narrative_elements(etree.SubElement(result, "title"), texts, default)
    count = indicator.kind == IndicatorKind.COUNT
    element = etree.SubElement(
        result,
        "indicator",
        {"measure": MEASURE_UNIT if count else MEASURE_QUALITATIVE, **({"ascending": "1"} if count else {})},
    )
    _narrative_elements(etree.SubElement(element, "title"), texts, default)
    if indicator.unit:
        _narrative_elements(etree.SubElement(element, "description"), {default: indicator.unit}, default)
    if not count:
        return
    baseline = _number(indicator.baseline)
    if baseline is not None and first_year is not None:
        etree.SubElement(element, "baseline", {"year": str(first_year), "value": _value(baseline)})
    for period in published:
        shown = [figure for figure in period.figures() if figure.value is not None]
        reporting = periods.get(period.period_id)
        if not shown or reporting is None:
            continue
        element_period = etree.SubElement(element, "period")
        etree.SubElement(element_period, "period-start", {"iso-date": reporting.start.isoformat()})
        etree.SubElement(element_period, "period-end", {"iso-date": reporting.end.isoformat()})
        for figure in shown:
            assert figure.value is not None
            actual = etree.SubElement(element_period, "actual", {"value": _value(figure.value)})
            if figure.cell != TOTAL:
                for dimension, option in parse_cell_key(figure.cell):
                    etree.SubElement(actual, "dimension", {"name": dimension, "value": option})


def _participating(
    parent: etree._Element, organisation: Organisation, role: str, languages: list[str], default: str
) -> None:
    attributes = {"role": role}
    kind = ORGANISATION_TYPES.get(organisation.kind)
    if kind is not None:
        attributes["type"] = kind
    org = etree.SubElement(parent, "participating-org", attributes)
    _narrative_elements(org, _names(organisation, "name", languages), default)


def _implementers(plan: Plan) -> dict[tuple[int, int | None], list[Organisation]]:
    """Implementing agencies by (priority area, activity or None for the whole area), in order."""
    found: dict[tuple[int, int | None], list[Organisation]] = {}
    for assignment in (
        Assignment.objects.filter(plan=plan, role=Role.IMPLEMENTER)
        .select_related("agency")
        .order_by("priority_area__position", "position")
    ):
        found.setdefault((assignment.priority_area_id, assignment.activity_id), []).append(assignment.agency)
    return found


def _languages(plan: Plan) -> list[str]:
    """The plan's languages, its default first."""
    languages = [plan.default_language]
    languages += [code for code in (plan.languages or []) if code != plan.default_language]
    return languages


def _names(obj: Any, field: str, languages: list[str]) -> dict[str, str]:
    """``{language: text}`` of ``obj.field`` in each language the object has it in: the field itself in
    the default language (the first), the translations for the others; never a fallback text under
    another language's tag."""
    if obj is None:
        return {}
    found: dict[str, str] = {}
    default_text = str(getattr(obj, field, "") or "").strip()
    if default_text:
        found[languages[0]] = default_text
    translations = getattr(obj, "translations", None) or {}
    for code in languages[1:]:
        text = str((translations.get(code) or {}).get(field) or "").strip()
        if text:
            found[code] = text
    return found


def _narrative_elements(parent: etree._Element, texts: Mapping[str, str], default: str) -> None:
    for code, text in texts.items():
        narrative = etree.SubElement(parent, "narrative", {} if code == default else {_XML_LANG: code})
        narrative.text = text


def _years(plan: Plan, activity: Activity) -> tuple[int | None, int | None]:
    first, last = activity.effective_start_year, activity.effective_end_year
    if first is None or last is None:
        return plan.start_year, plan.end_year
    return first, last


def _status(plan: Plan, first: int | None, last: int | None, today: date) -> str:
    """Closed when the plan is; pipeline before the activity's first year; finalisation after its last
    year (its work done, the plan's review pending); implementation otherwise."""
    if plan.status == PlanStatus.CLOSED:
        return STATUS_CLOSED
    if first is not None and today.year < first:
        return STATUS_PIPELINE
    if last is not None and today.year > last:
        return STATUS_FINALISATION
    return STATUS_IMPLEMENTATION


def _number(text: str) -> Decimal | None:
    """A baseline or target as a number when the plan gives one (a bare number), else None."""
    try:
        value = Decimal(text.strip().replace(",", ""))
    except (ArithmeticError, ValueError):
        return None
    return value if value.is_finite() else None


def _value(value: Decimal) -> str:
    return str(int(value)) if value == value.to_integral_value() else format(value.normalize(), "f")


def _datetime(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()
