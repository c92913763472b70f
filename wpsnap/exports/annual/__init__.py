"""The annual progress report (one year) and the end-of-plan review (several years), built as HTML, PDF
or DOCX in Azerbaijani, English or Russian (docs/annual-report.md).

``report_build`` gathers the content (``internal.gather`` from analytics under the viewer's scope, or
``wpsnap.exports.public_report.gather`` from publishing alone) under the language asked, then lays it out
(``render``). The content modules are plain dataclasses (``content``) shared by both versions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, BinaryIO

from django.utils import translation
from django.utils.translation import gettext as _

from wpsnap.core.errors import InvalidInput, Problem
from wpsnap.plan.models import Plan

from .content import FORMATS, LANGUAGES, file_name

Progress = Callable[[int, str], None]


def check_years(plan: Plan, first_year: int, last_year: int) -> None:
    """Refuse years outside the plan, or an end before the start, naming the parameter."""
    problems = []
    start, end = plan.start_year, plan.end_year
    if start is not None and end is not None and not start <= first_year <= end:
        problems.append(
            Problem(
                "first_year",
                "out_of_plan",
                _("%(year)d is outside the plan's years (%(start)d to %(end)d).")
                % {"year": first_year, "start": start, "end": end},
            )
        )
    if last_year < first_year:
        problems.append(
            Problem(
                "last_year",
                "before_first",
                _("The last year (%(last)d) is before the first (%(first)d).")
                % {"last": last_year, "first": first_year},
            )
        )
    elif last_year != first_year and start is not None and end is not None and not start <= last_year <= end:
        problems.append(
            Problem(
                "last_year",
                "out_of_plan",
                _("%(year)d is outside the plan's years (%(start)d to %(end)d).")
                % {"year": last_year, "start": start, "end": end},
            )
        )
    if problems:
        raise InvalidInput(problems)


def report_build(
    *,
    plan: Plan,
    first_year: int,
    last_year: int,
    fmt: str,
    language: str,
    public: bool,
    viewer: Any,
    out: BinaryIO,
    progress: Progress | None = None,
) -> str:
    """Write the report on ``plan``'s years ``first_year``..``last_year`` in ``fmt`` (html, pdf, docx) and
    ``language`` (az, en, ru) into ``out``; return the file's suggested name. ``public`` builds the public
    version (figures through publishing only); otherwise the figures are those ``viewer`` sees (the caller
    has checked the gate). Bad input raises ``InvalidInput`` naming the parameter."""
    problems = []
    if fmt not in FORMATS:
        problems.append(
            Problem(
                "fmt",
                "invalid",
                _("The format must be one of: %(formats)s.") % {"formats": ", ".join(FORMATS)},
            )
        )
    if language not in LANGUAGES:
        problems.append(
            Problem(
                "language",
                "invalid",
                _("The language must be one of: %(languages)s.") % {"languages": ", ".join(LANGUAGES)},
            )
        )
    if problems:
        raise InvalidInput(problems)
    check_years(plan, first_year, last_year)
    step = progress or (lambda _pct, _text: None)
    with translation.override(language):
        step(5, _("Reading the plan"))
        if public:
            from wpsnap.exports.public_report import gather as gather_public

            report = gather_public(
                plan=plan, first_year=first_year, last_year=last_year, language=language, progress=step
            )
        else:
            from .internal import gather

            report = gather(
                plan=plan,
                first_year=first_year,
                last_year=last_year,
                viewer=viewer,
                language=language,
                progress=step,
            )
        from . import render

        step(75, _("Writing the file"))
        if fmt == "html":
            out.write(render.html(report).encode("utf-8"))
        elif fmt == "pdf":
            render.pdf(report, out)
        else:
            render.docx(report, out)
        step(100, _("Done"))
    return file_name(plan, first_year, last_year, public=public, language=language, fmt=fmt)
