"""Writes of the exports app: the coordinator's narratives of a report (``ReportNarrative``).

Each save is keyword-only and atomic, asks the gate first (``exports.narrative.edit``: coordinators),
and leaves a history row, which the audit trail mirrors (``wpsnap.core.audit``). A save made on a text
someone else has changed since is refused (:class:`NarrativeStale`, 409), naming the sections, with
their text now stored so that a page can show it beside what the person typed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from wpsnap.accounts import permissions
from wpsnap.core import params
from wpsnap.core.errors import InvalidInput, Problem, WpsnapError
from wpsnap.core.versions import Conflict, normalised
from wpsnap.plan.models import Plan

from .models import TEXT_MAX, NarrativeLanguage, ReportNarrative
from .narratives import check_period, check_section, section_label


class NarrativeStale(WpsnapError):
    """Texts changed by someone else since the writer opened them (409): nothing was saved. Each
    conflict's ``key`` is the section, ``current`` the text stored now, ``yours`` the one sent; ``versions``
    gives each section's version now stored (0: none), for the page to send again."""

    status: ClassVar[int] = 409
    code: ClassVar[str] = "stale"

    def __init__(self, conflicts: list[Conflict], versions: dict[str, int], labels: dict[str, str]) -> None:
        self.conflicts = conflicts
        self.versions = versions
        super().__init__(
            _(
                "Someone else saved %(sections)s since you opened this page. Nothing was saved: check their "
                "text and save again."
            )
            % {"sections": ", ".join(labels.get(c.key, c.key) for c in conflicts)}
        )

    @property
    def problems(self) -> list[Problem]:
        return [Problem("", self.code, str(self))] + [
            Problem(c.key, self.code, _("Changed by someone else since you opened this page."))
            for c in self.conflicts
        ]

    def extra(self) -> dict[str, Any]:
        return {
            "versions": self.versions,
            "conflicts": [{"field": c.key, "current": c.current, "yours": c.yours} for c in self.conflicts],
        }


def narratives_save(
    *,
    viewer: Any,
    plan: Plan,
    first_year: int,
    last_year: int,
    language: str,
    texts: Mapping[str, str],
    base_versions: Mapping[str, int | None],
    request: Any = None,
) -> list[str]:
    """Save the texts ``texts`` ({section: text}) of the report on ``plan``'s years
    ``first_year``..``last_year`` in ``language``, all or none. ``base_versions`` gives, per section, the
    version the writer read (0: there was no text yet; None or missing: the caller does not say, as a
    command: nothing is compared). A text equal to the one stored is left alone; an empty text empties the
    section. Returns the sections changed.

    Refused: without the gate's ``exports.narrative.edit`` (403, audited); a period that is neither one
    year of the plan nor its whole span, a section not of this plan, a language not az/en/ru, a text over
    ``TEXT_MAX`` characters or with control characters (``InvalidInput`` naming the field or section); a
    text changed by someone else since its base version (:class:`NarrativeStale`)."""
    if not permissions.can(viewer, "exports.narrative.edit", plan):
        permissions.refuse(request, "exports.narrative.edit", plan)
    check_period(plan, first_year, last_year)
    if language not in NarrativeLanguage.values:
        raise InvalidInput.one("language", "invalid_choice", _("Choose az, en or ru."))
    problems: list[Problem] = []
    cleaned: dict[str, str] = {}
    for section, text in texts.items():
        check_section(plan, section)
        try:
            cleaned[section] = params.text(section, text, max_length=TEXT_MAX, lines=True)
        except InvalidInput as refused:
            problems.extend(refused.problems)
    if problems:
        raise InvalidInput(problems)
    try:
        with transaction.atomic():
            return _write(viewer, plan, first_year, last_year, language, cleaned, base_versions)
    except IntegrityError:
        # Another person wrote a section's first text at the same moment (one row per section): their
        # text is now stored, and this save was made without seeing it.
        with transaction.atomic():
            return _write(viewer, plan, first_year, last_year, language, cleaned, base_versions)


def narrative_save(
    *,
    viewer: Any,
    plan: Plan,
    first_year: int,
    last_year: int,
    section: str,
    language: str,
    text: str,
    base_version: int | None,
    request: Any = None,
) -> ReportNarrative | None:
    """Save one section's text (:func:`narratives_save` with one section). Returns the row (None when
    the section had no text and was given none)."""
    narratives_save(
        viewer=viewer,
        plan=plan,
        first_year=first_year,
        last_year=last_year,
        language=language,
        texts={section: text},
        base_versions={section: base_version},
        request=request,
    )
    return ReportNarrative.objects.filter(
        plan=plan, first_year=first_year, last_year=last_year, section=section, language=language
    ).first()


def _write(
    viewer: Any,
    plan: Plan,
    first_year: int,
    last_year: int,
    language: str,
    texts: Mapping[str, str],
    base_versions: Mapping[str, int | None],
) -> list[str]:
    report = {"plan": plan, "first_year": first_year, "last_year": last_year, "language": language}
    rows = {
        row.section: row
        for row in ReportNarrative.objects.select_for_update().filter(**report, section__in=list(texts))
    }
    conflicts: list[Conflict] = []
    for section, text in texts.items():
        row = rows.get(section)
        stored_version = row.version if row is not None else 0
        stored_text = row.text if row is not None else ""
        base = base_versions.get(section)
        if base is not None and base > stored_version:
            raise InvalidInput.one(
                section, "invalid", _("%(version)d is not a version of this text.") % {"version": base}
            )
        if normalised(text) == normalised(stored_text):
            continue
        if base is not None and base != stored_version:
            conflicts.append(Conflict(key=section, current=stored_text, yours=text))
    if conflicts:
        versions = {c.key: (rows[c.key].version if c.key in rows else 0) for c in conflicts}
        labels = {c.key: section_label(plan, c.key) for c in conflicts}
        raise NarrativeStale(conflicts, versions, labels)
    changed: list[str] = []
    for section, text in texts.items():
        row = rows.get(section)
        text = normalised(text)
        if row is None:
            if not text:
                continue
            row = ReportNarrative(**report, section=section, text=text, created_by=viewer, updated_by=viewer)
            row.field_versions = {"text": 1}
            row._history_user = viewer  # type: ignore[attr-defined]
            row.save(force_insert=True)
        elif normalised(row.text) != text:
            row.text = text
            row.version += 1
            row.field_versions = {"text": row.version}
            row.updated_by = viewer
            row._history_user = viewer  # type: ignore[attr-defined]
            row.save(update_fields=["text", "version", "field_versions", "updated_by", "updated_at"])
        else:
            continue
        changed.append(section)
    return changed
