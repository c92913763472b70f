"""Reading the coordinator's narratives (``ReportNarrative``) for a report being built."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from wpsnap.core import params
from wpsnap.core.errors import InvalidInput
from wpsnap.plan.models import Activity, Pillar, Plan

from .models import (
    ACTIVITY_PREFIX,
    PILLAR_PREFIX,
    NarrativeLanguage,
    ReportNarrative,
    Section,
    activity_section,
    pillar_section,
)

# When a section has no text in the language asked: Azerbaijani (the plan's own), then English, then
# Russian.
FALLBACK = ("az", "en", "ru")


def language_order(language: str) -> list[str]:
    """The languages to look in for ``language``, best first."""
    return [language, *(code for code in FALLBACK if code != language)]


def narratives_for(*, plan: Plan, first_year: int, last_year: int, language: str) -> dict[str, str]:
    """Each section's text (section key -> text) of the report on ``plan``'s years
    ``first_year``..``last_year``, in ``language`` where written in it, else in the first of az, en, ru
    that has it. Sections with no text in any language are left out. One query."""
    if language not in NarrativeLanguage.values:
        language = "az"
    order = {code: rank for rank, code in enumerate(language_order(language))}
    best: dict[str, tuple[int, str]] = {}
    rows = (
        ReportNarrative.objects.filter(plan=plan, first_year=first_year, last_year=last_year)
        .exclude(text="")
        .values_list("section", "language", "text")
    )
    for section, code, text in rows:
        rank = order.get(code, len(order))
        if section not in best or rank < best[section][0]:
            best[section] = (rank, text)
    return {section: text for section, (_rank, text) in sorted(best.items())}


# --- the reports of a plan and their sections ---------------------------------------------------------


@dataclass(frozen=True)
class ReportSpan:
    """A report one can build on a plan: one year (the annual progress report) or the plan's whole span
    (the end-of-plan review)."""

    first_year: int
    last_year: int

    @property
    def is_review(self) -> bool:
        return self.first_year != self.last_year

    @property
    def slug(self) -> str:
        """The report's part of an address: ``2021-2021``, ``2020-2023``."""
        return f"{self.first_year}-{self.last_year}"

    @property
    def years(self) -> str:
        if self.is_review:
            return f"{self.first_year}–{self.last_year}"  # noqa: RUF001 - an en dash between years
        return str(self.first_year)

    @property
    def title(self) -> str:
        if self.is_review:
            return _("End-of-plan review %(years)s") % {"years": self.years}
        return _("Annual progress report %(year)s") % {"year": self.years}


def report_spans(plan: Plan) -> list[ReportSpan]:
    """The reports of ``plan``: each year's annual report, then the end-of-plan review (none when the
    plan's years are to be determined)."""
    years = list(plan.years())
    if not years:
        return []
    spans = [ReportSpan(year, year) for year in years]
    if len(years) > 1:
        spans.append(ReportSpan(years[0], years[-1]))
    return spans


def check_period(plan: Plan, first_year: int, last_year: int) -> ReportSpan:
    """The report on ``plan``'s years ``first_year``..``last_year``, refused (``InvalidInput`` naming
    ``period``) unless it is one year of the plan or the plan's whole span."""
    span = ReportSpan(first_year, last_year)
    if span not in report_spans(plan):
        raise InvalidInput.one(
            "period",
            "invalid",
            _("%(first)d-%(last)d is neither one year of the plan nor its whole span (%(plan)s).")
            % {"first": first_year, "last": last_year, "plan": plan.period_label},
        )
    return span


def own_sections() -> list[tuple[str, str]]:
    """The report's own sections: (key, label)."""
    return [(str(value), str(label)) for value, label in Section.choices]


def pillar_sections(plan: Plan) -> list[tuple[str, str]]:
    """A note on each pillar of ``plan``: (section key, label), in the plan's order. One query."""
    return [
        (
            pillar_section(pillar.key),
            _("Note on pillar %(number)s: %(title)s")
            % {"number": pillar.number, "title": pillar.tr("title")},
        )
        for pillar in Pillar.objects.filter(plan=plan).order_by("position")
    ]


def activity_sections(plan: Plan) -> list[tuple[str, str]]:
    """A note on each activity of ``plan``: (section key, label), in the plan's order. One query."""
    activities = Activity.objects.filter(plan=plan).order_by("priority_area__position", "position")
    return [
        (
            activity_section(activity.key),
            _("Note on activity %(code)s: %(text)s")
            % {"code": activity.code or activity.key, "text": Truncator(activity.tr("text")).chars(90)},
        )
        for activity in activities.only("key", "code", "text", "translations")
    ]


def section_label(plan: Plan, section: str) -> str:
    """What a page calls ``section``."""
    labels = dict(own_sections())
    if section in labels:
        return labels[section]
    if section.startswith(PILLAR_PREFIX):
        return dict(pillar_sections(plan)).get(section, section)
    if section.startswith(ACTIVITY_PREFIX):
        return _("Note on activity %(key)s") % {"key": section.removeprefix(ACTIVITY_PREFIX)}
    return section


def check_section(plan: Plan, section: str) -> None:
    """Refuse (``InvalidInput`` naming ``section``) a section key that is not one of the report's own
    sections or a note on one of ``plan``'s pillars or activities."""
    if section in Section.values:
        return
    known = False
    if section.startswith(PILLAR_PREFIX):
        known = Pillar.objects.filter(plan=plan, key=section.removeprefix(PILLAR_PREFIX)).exists()
    elif section.startswith(ACTIVITY_PREFIX):
        known = Activity.objects.filter(plan=plan, key=section.removeprefix(ACTIVITY_PREFIX)).exists()
    if not known:
        raise InvalidInput.one(
            "section",
            "invalid",
            _("“%(section)s” is not a section of this report.") % {"section": params.shown(section)},
        )


def written(plan: Plan) -> dict[tuple[int, int], dict[str, int]]:
    """How many sections have text, per report (first, last year) and language. One query."""
    counts: dict[tuple[int, int], dict[str, int]] = {}
    rows = (
        ReportNarrative.objects.filter(plan=plan)
        .exclude(text="")
        .values_list("first_year", "last_year", "language")
        .annotate(n=Count("id"))
        .order_by()
    )
    for first, last, language, n in rows:
        counts.setdefault((first, last), {})[language] = n
    return counts
