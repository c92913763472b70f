"""The translation screen (coordinators): a plan's content beside an input for each text, one part at
a time (the plan's general texts, or one pillar), with a "missing only" filter. Thin: the items come
from ``plan.translations``, and saving goes through its ``plan_translations_save``."""

from __future__ import annotations

import re

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from wpsnap.accounts import permissions
from wpsnap.accounts.permissions import gate, get_or_refuse
from wpsnap.core.errors import InvalidInput, WpsnapError

from . import selectors
from .translations import (
    FIELDS,
    GENERAL,
    Submitted,
    TranslationsStale,
    part_items,
    plan_translations_save,
    translatable_languages,
)

_TEXT = re.compile(r"^t-([a-z]+)-(\d{1,18})-([a-z_]+)$")
_STAMP = re.compile(r"^s-([a-z]+)-(\d{1,18})$")


def _submitted(data: dict[str, str]) -> list[Submitted]:
    stamps: dict[tuple[str, int], str] = {}
    texts: dict[tuple[str, int], dict[str, str]] = {}
    for name, value in data.items():
        if found := _STAMP.match(name):
            stamps[(found[1], int(found[2]))] = value
        elif found := _TEXT.match(name):
            texts.setdefault((found[1], int(found[2])), {})[found[3]] = value
    unknown = [f"{kind}-{pk}" for kind, pk in texts if kind not in FIELDS or (kind, pk) not in stamps]
    if unknown:
        raise InvalidInput((name, "unknown", _("This text is not part of this page.")) for name in unknown)
    return [Submitted(kind, pk, stamps[(kind, pk)], fields) for (kind, pk), fields in texts.items()]


@gate("plan.translate", authenticated=True)
@require_http_methods(["GET", "HEAD", "POST"])
def plan_translations(request: HttpRequest, slug: str, language: str) -> HttpResponse:
    plan = get_or_refuse(request, selectors.plans(request.user), slug=slug)
    permissions.require(request, "plan.translate", plan)
    languages = translatable_languages(plan)
    if language not in languages:
        raise Http404
    pillars = list(plan.pillars.order_by("position"))
    parts = [(GENERAL, _("The plan, expected results and agencies"))] + [
        (p.key, _("Pillar %(number)s: %(title)s") % {"number": p.number, "title": p.title}) for p in pillars
    ]
    part = request.GET.get("part") or GENERAL
    missing_only = request.GET.get("missing") == "1"
    status = 200
    errors: dict[str, str] = {}
    sent: dict[str, str] = {}
    page_problems: list[str] = []
    if part not in dict(parts):
        page_problems.append(
            _("There is no part “%(part)s” in this plan. Choose one from the list.") % {"part": part[:40]}
        )
        part, status = GENERAL, 400
    elif request.method == "POST":
        posted = {name: str(value) for name, value in request.POST.items()}
        sent = {name: value for name, value in posted.items() if name.startswith("t-")}
        try:
            count = plan_translations_save(
                actor=request.user,
                plan=plan,
                language=language,
                part=part,
                submitted=_submitted(posted),
                request=request,
            )
        except WpsnapError as exc:
            status = exc.status if isinstance(exc, TranslationsStale) else 400
            for problem in exc.problems:
                if problem.field:
                    errors[problem.field] = str(problem.message)
                else:
                    page_problems.append(str(problem.message))
            if not page_problems:
                page_problems.append(_("Nothing was saved: correct the marked texts and save again."))
        else:
            messages.success(request, _("Saved: %(count)d texts changed.") % {"count": count})
            return redirect(request.get_full_path())
    items = part_items(plan, part, language)
    for item in items:
        for field in item.fields:
            key = f"{item.prefix}-{field.name}"
            field.value = sent.get(f"t-{key}")
            field.error = errors.get(key, "")
    if missing_only and status == 200:
        for item in items:
            item.fields = [field for field in item.fields if field.missing]
        items = [item for item in items if item.fields]
    total = sum(len(item.fields) for item in items)
    return render(
        request,
        "plan/translations.html",
        {
            "plan": selectors.plan_get_with_text(plan),
            "language": language,
            "language_info": get_language_info(language),
            "source_info": get_language_info(plan.default_language),
            "languages": [get_language_info(code) for code in languages],
            "parts": parts,
            "part": part,
            "missing_only": missing_only,
            "items": items,
            "total": total,
            "page_problems": page_problems,
        },
        status=status,
    )
