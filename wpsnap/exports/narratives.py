"""Reading the coordinator's narratives (``ReportNarrative``) for a report being built."""

from __future__ import annotations

from wpsnap.plan.models import Plan

from .models import NarrativeLanguage, ReportNarrative

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
