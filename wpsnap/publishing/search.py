# ruff: noqa: RUF002, RUF003 - the docstrings and comments name Azerbaijani and Cyrillic letters on purpose
"""Public search across the plans the public may see: their text in every language, and their published
reports (docs/open-data.md, "Public search").

``public_search(query, language=, limit=)`` finds the plans, pillars, priority areas, activities, indicators
and published reports whose text holds every word of ``query``, in any language the plan has (its default
text and every translation), whatever the case. It compares texts folded by ``fold``: Python's case folding
(which knows Azerbaijani's ə/Ə, ş, ç, ğ, ö, ü and every Cyrillic letter), with the Turkic i's made one letter
(``İ``, ``I``, ``i`` and ``ı`` all become ``i``: Azerbaijani lowercases ``I`` to ``ı`` and ``İ`` to ``i``, a
keyboard or a PDF often has the other, and a reader types either), ``ё`` as ``е``, and the Cyrillic schwa
``ә`` as the Latin ``ə`` (old texts mix them). A word matches anywhere in a text, so ``qadın`` finds
``qadınların``.

The work is done in Python over the public plans' texts, read fresh on each search (eight queries whatever
the plans' size; the plan's texts are a few hundred), not in SQL: SQLite's ``LOWER()`` knows only ASCII
letters, so SQL could not fold Azerbaijani or Russian alike on SQLite and PostgreSQL. It never reads a
figure: a report is found by what the public pages already say of it (its activity, agency and period), never
by its figures or its text, which reach the public only through ``public_results``. Draft plans and
unpublished reports are never searched.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from wpsnap.plan.models import (
    Activity,
    ExpectedResult,
    Indicator,
    Objective,
    Pillar,
    Plan,
    PlanStatus,
    PriorityArea,
)
from wpsnap.reporting.models import ProgressReport
from wpsnap.reporting.workflow import Status

KINDS = ("plan", "pillar", "priority_area", "activity", "indicator", "report")
# At most this many words of a query are used; a longer query is cut (no more can match anyway).
MAX_WORDS = 12
# Characters of the snippet either side of the first match.
SNIPPET_CONTEXT = 60

# Letters folded to another before case folding: the Turkic i's, ё, the Cyrillic schwa.
_FOLD = str.maketrans(
    {
        "\u0130": "i",  # İ, capital I with a dot
        "I": "i",
        "\u0131": "i",  # ı, dotless i
        "\u0451": "\u0435",  # ё -> е
        "\u0401": "\u0435",  # Ё -> е
        "\u04d8": "\u0259",  # Cyrillic Ә -> Latin ə
        "\u04d9": "\u0259",  # Cyrillic ә -> Latin ə
    }
)
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class SearchHit:
    kind: str  # "plan", "pillar", "priority_area", "activity", "indicator" or "report"
    plan_slug: str
    # The pillar's key, the area's code, the activity's or indicator's key, the report's id; the plan's slug.
    key: str
    title: str  # in the language asked for, else the plan's default text
    snippet: str  # the text around the first match, "" when the title matched


def fold_char(char: str) -> str:
    """One character as search compares it (may be "" or several characters)."""
    folded = unicodedata.normalize("NFKC", char.translate(_FOLD)).casefold().translate(_FOLD)
    # "İ" decomposed by NFKC (i + combining dot above) or typed so: the dot goes.
    return folded.replace("\u0307", "")


def fold(text: str) -> str:
    """``text`` as search compares it (see the module's doc): ``fold_char`` of each character, done on the
    whole string at once (ten times quicker)."""
    text = unicodedata.normalize("NFC", text).translate(_FOLD)
    return unicodedata.normalize("NFKC", text).casefold().translate(_FOLD).replace("\u0307", "")


def _fold_mapped(text: str) -> tuple[str, list[int]]:
    """``fold(text)`` (``text`` in NFC) with, for each of its characters, the index of the character of ``text`` it came from."""
    out: list[str] = []
    where: list[int] = []
    for index, char in enumerate(text):
        folded = fold_char(char)
        out.append(folded)
        where.extend([index] * len(folded))
    return "".join(out), where


def query_words(query: str) -> list[str]:
    """The folded words of ``query`` (letters and digits), each once, at most ``MAX_WORDS``."""
    words = list(dict.fromkeys(_WORD.findall(fold(unicodedata.normalize("NFC", query)))))
    return words[:MAX_WORDS]


@dataclass
class _Entry:
    kind: str
    plan_slug: str
    key: str
    title: str
    # Every text of the entry (every language), the title's first.
    texts: list[str]
    language_texts: list[str]  # the texts in the language asked for (snippets are taken from these first)
    rank: tuple[int, int]


def _strings(value: Any) -> Iterator[str]:
    """Every string in a text field's value (a string, or a list or mapping of them, as the introduction)."""
    if isinstance(value, str):
        if value.strip():
            yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def _texts(obj: Any, fields: Iterable[str]) -> list[str]:
    """The values of ``fields`` of ``obj`` in its default text and every translation."""
    found: list[str] = []
    for field in fields:
        found.extend(_strings(getattr(obj, field, "")))
        for texts in (obj.translations or {}).values():
            if isinstance(texts, dict):
                found.extend(_strings(texts.get(field)))
    return list(dict.fromkeys(found))


def _in_language(obj: Any, fields: Iterable[str], language: str) -> list[str]:
    return [text for field in fields for text in _strings(obj.tr(field, language))]


def _entries(language: str) -> list[_Entry]:
    """Everything the public may search, in the plans' order. Eight queries."""
    plans = {plan.pk: plan for plan in Plan.objects.exclude(status=PlanStatus.DRAFT)}
    if not plans:
        return []
    order = {
        pk: n
        for n, pk in enumerate(sorted(plans, key=lambda pk: (-(plans[pk].start_year or 0), plans[pk].slug)))
    }
    entries: list[_Entry] = []

    def add(
        kind: str,
        plan_id: int,
        key: str,
        obj: Any,
        title_field: str,
        fields: tuple[str, ...],
        more: Iterable[tuple[Any, tuple[str, ...]]] = (),
        position: int = 0,
    ) -> None:
        title = str(obj.tr(title_field, language) or getattr(obj, title_field))
        texts = _texts(obj, (title_field, *fields))
        language_texts = _in_language(obj, (title_field, *fields), language)
        for other, other_fields in more:
            texts += _texts(other, other_fields)
            language_texts += _in_language(other, other_fields, language)
        entries.append(
            _Entry(kind, plans[plan_id].slug, key, title, texts, language_texts, (order[plan_id], position))
        )

    results: dict[int, list[ExpectedResult]] = {}
    for result in ExpectedResult.objects.filter(plan_id__in=plans).order_by("position"):
        results.setdefault(result.plan_id, []).append(result)
    for plan in plans.values():
        add(
            "plan",
            plan.pk,
            plan.slug,
            plan,
            "title",
            ("short_title", "introduction", "purpose", "financing"),
            [(result, ("text",)) for result in results.get(plan.pk, [])],
        )
    objectives = {o.pillar_id: o for o in Objective.objects.filter(pillar__plan_id__in=plans)}
    for pillar in Pillar.objects.filter(plan_id__in=plans).order_by("position"):
        objective = objectives.get(pillar.pk)
        more = [(objective, ("text",))] if objective is not None else []
        add(
            "pillar",
            pillar.plan_id,
            pillar.key,
            pillar,
            "title",
            ("definition",),
            more,
            1000 + pillar.position,
        )
    for area in PriorityArea.objects.filter(plan_id__in=plans).select_related("pillar"):
        add(
            "priority_area",
            area.plan_id,
            area.code,
            area,
            "title",
            ("note",),
            position=2000 + area.pillar.position * 100 + area.position,
        )
    activities = {a.pk: a for a in Activity.objects.filter(plan_id__in=plans)}
    for activity in activities.values():
        add(
            "activity",
            activity.plan_id,
            activity.key,
            activity,
            "text",
            ("note",),
            position=3000 + activity.position,
        )
    for indicator in Indicator.objects.filter(plan_id__in=plans):
        add(
            "indicator",
            indicator.plan_id,
            indicator.key,
            indicator,
            "text",
            ("unit", "note"),
            position=4000 + indicator.position,
        )
    reports = (
        ProgressReport.objects.filter(activity__plan_id__in=plans, status=Status.PUBLISHED)
        .select_related("agency", "period")
        .only(
            "id",
            "activity_id",
            "agency",
            "period",
            "agency__name",
            "agency__short_name",
            "agency__translations",
            "period__label",
        )
        .order_by("-period__start", "id")
    )
    for report in reports:
        found = activities.get(report.activity_id)
        if found is None:
            continue
        agency = report.agency
        title = f"{found.tr('text', language)}: {agency.tr('name', language)}, {report.period.label}"
        texts = [*_texts(agency, ("name", "short_name")), report.period.label]
        entries.append(
            _Entry(
                "report",
                plans[found.plan_id].slug,
                str(report.pk),
                title,
                texts,
                [str(agency.tr("name", language)), report.period.label],
                (order[found.plan_id], 5000),
            )
        )
    return entries


def _snippet(texts: list[str], words: list[str]) -> str:
    """The text around the first word found in the first text that holds one (with "…" where cut)."""
    for raw in texts:
        text = unicodedata.normalize("NFC", raw)
        folded, where = _fold_mapped(text)
        for word in words:
            at = folded.find(word)
            if at < 0:
                continue
            start = where[at]
            first = max(0, start - SNIPPET_CONTEXT)
            last = min(len(text), start + len(word) + SNIPPET_CONTEXT)
            piece = " ".join(text[first:last].split())
            return ("…" if first > 0 else "") + piece + ("…" if last < len(text) else "")
    return ""


def public_search(query: str, *, language: str, limit: int = 50) -> list[SearchHit]:
    """The plans' parts and published reports whose text (any language) holds every word of ``query``,
    whatever the case (see the module's doc): those whose title holds them first, then by plan and the
    plan's order. Titles in ``language`` where the plan has it; at most ``limit`` hits; [] for a query
    without a word."""
    words = query_words(query)
    if not words or limit < 1:
        return []
    scored: list[tuple[int, tuple[int, int], _Entry]] = []
    for entry in _entries(language):
        folded = [fold(text) for text in entry.texts]
        if not all(any(word in text for text in folded) for word in words):
            continue
        title = fold(entry.title)
        in_title = all(word in title for word in words)
        scored.append((0 if in_title else 1, entry.rank, entry))
    scored.sort(key=lambda item: (item[0], item[1]))
    hits = []
    for title_rank, _rank, entry in scored[:limit]:
        snippet = "" if title_rank == 0 else _snippet(entry.language_texts + entry.texts, words)
        hits.append(SearchHit(entry.kind, entry.plan_slug, entry.key, entry.title, snippet))
    return hits
