"""The maps: events, people reached and reported figures by district (``/plans/<slug>/dashboard/districts/``),
and the district boundaries they are drawn on (``/geo/districts.geojson``).

The boundaries are a GeoJSON FeatureCollection whose features carry the district's code in the plan
(``properties.plan_code``; a city and the rayon of its name may share one). The file shipped is
``geo/az-adm2.geojson`` (geoBoundaries, CC BY-SA 3.0: see ``geo/README.md``); an installation points
``WPSNAP_DISTRICT_BOUNDARIES`` at its own. Pages fetch it once from ``/geo/districts.geojson`` (cached by
the browser: the address carries the file's fingerprint); print inlines it in the spec (``inline=True``),
since vl-convert draws without fetching.

Every map says under it where the boundaries come from and that they are not an official source
(``ATTRIBUTION``), and has its table beside it: each district's figure, the district's name leading to
the events held there.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import condition, require_safe

from wpsnap.accounts.permissions import gate
from wpsnap.analytics.districts import DistrictFigures, by_district
from wpsnap.core import charts
from wpsnap.core.charts import Chart, Link
from wpsnap.plan.models import Plan
from wpsnap.registries.selectors import district_names

from . import links
from .filters import FilterBar
from .selectors import _options, _with_unknown, whose
from .views import _context, _page

ATTRIBUTION = gettext_lazy(
    "District boundaries: geoBoundaries (www.geoboundaries.org), Azerbaijan ADM2 (AZE-ADM2-54616110), derived "
    "from a 2020 map on Wikipedia (“Administrative divisions of Azerbaijan”), licensed CC BY-SA 3.0. "
    "Not an official source: the boundaries are approximate and imply no position on any border."
)


# --- the boundaries ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Boundaries:
    path: Path
    content: bytes
    etag: str  # the file's fingerprint (sha256, 16 hex digits)
    geojson: dict[str, Any]
    codes: frozenset[str]  # the plan codes the features carry


_loaded: dict[tuple[str, int, int], Boundaries] = {}
_lock = threading.Lock()


def boundaries() -> Boundaries:
    """The district boundaries ``WPSNAP_DISTRICT_BOUNDARIES`` names, read once per version of the file (its
    modification time and size). Raises ImproperlyConfigured naming the file when it is missing, not
    GeoJSON, or has a feature without ``properties.plan_code``."""
    path = Path(settings.WPSNAP_DISTRICT_BOUNDARIES)
    try:
        stat = path.stat()
    except OSError as error:
        raise ImproperlyConfigured(f"WPSNAP_DISTRICT_BOUNDARIES: cannot read {path}: {error}") from None
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    with _lock:
        if key not in _loaded:
            _loaded.clear()
            _loaded[key] = _read(path)
        return _loaded[key]


def _read(path: Path) -> Boundaries:
    content = path.read_bytes()
    try:
        geojson = json.loads(content)
        features = geojson["features"]
        codes = frozenset(str(f["properties"]["plan_code"]) for f in features)
    except (ValueError, KeyError, TypeError) as error:
        raise ImproperlyConfigured(
            f"WPSNAP_DISTRICT_BOUNDARIES: {path} is not a GeoJSON FeatureCollection whose every feature has "
            f"properties.plan_code ({error!r})"
        ) from None
    etag = hashlib.sha256(content).hexdigest()[:16]
    return Boundaries(path, content, etag, geojson, codes)


def _etag(request: HttpRequest) -> str:
    return boundaries().etag


@gate("districts.boundaries")
@require_safe
@condition(etag_func=_etag)
def district_boundaries(request: HttpRequest) -> HttpResponse:
    """The district boundaries as GeoJSON, for the maps: public geometry, open to all like /healthz, and
    cached (a day; the pages ask for it with its fingerprint in the address, so a new file is a new
    address)."""
    found = boundaries()
    response = HttpResponse(found.content, content_type="application/geo+json")
    patch_cache_control(response, public=True, max_age=86400)
    return response


def boundaries_url() -> str:
    return f"{reverse('dashboards:district_boundaries')}?v={boundaries().etag}"


# --- the page ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DistrictsPage:
    whose: str
    charts: tuple[Chart, ...]
    notes: tuple[str, ...]


def _number(value: Decimal | int) -> str:
    if isinstance(value, Decimal):
        value = value.normalize()
        if value == value.to_integral_value():
            value = value.quantize(Decimal(1))
    return number_format(value, use_l10n=True, force_grouping=True)


def district_maps(viewer: Any, plan: Plan, bar: FilterBar, *, inline: bool = False) -> DistrictsPage:
    """The three maps of ``plan`` for ``viewer`` and the filters of ``bar``: events, people reached
    (participants of events held in the district, by sex) and counted reports' figures in district
    cells. ``inline`` puts the boundaries in the specs (print) instead of their address (pages)."""
    f = bar.filters
    found = by_district(
        viewer,
        plan=plan,
        period=f.period.pk if f.period is not None else None,
        pillar=f.pillar.pk if f.pillar is not None else None,
        agency=f.agency.pk if f.agency is not None else None,
    )
    names = district_names(plan)
    shapes = boundaries()
    geo: str | dict[str, Any] = shapes.geojson if inline else boundaries_url()
    drill = {
        "period": f.period.pk if f.period is not None else None,
        "pillar": f.pillar.pk if f.pillar is not None else None,
        "agency": f.agency.pk if f.agency is not None else None,
    }

    def name(code: str) -> Any:
        if code == "":
            return _("No district (national or online events)")
        return Link(names.get(code, code), links.events(district=code, **drill))

    placed = [r for r in found if r.district]
    elsewhere = next((r for r in found if not r.district), None)
    off_map = sorted(names.get(r.district, r.district) for r in placed if r.district not in shapes.codes)
    notes: list[str] = []
    if off_map:
        notes.append(
            _("Not on the map (the boundaries have no shape for them), in the tables only: %(names)s.")
            % {"names": ", ".join(off_map)}
        )
    every = len(names) or len(shapes.codes)
    sexes, _ages = _options(plan)
    sexes = _with_unknown(sexes, {sex for r in found for sex, _n in r.participants_by_sex})
    maps = (
        _events_map(placed, elsewhere, name, names, every, geo),
        _people_map(placed, elsewhere, name, names, sexes, geo),
        _reported_map(placed, name, names, geo),
    )
    page_notes = (
        _(
            "Events and people are placed by the district the event took place in; reported figures by the "
            "district cells of count indicators in approved and published reports."
        ),
        *notes,
    )
    return DistrictsPage(whose=whose(viewer, bar), charts=maps, notes=page_notes)


def _by_value(rows: list[DistrictFigures], value: Any, names: dict[str, str]) -> list[DistrictFigures]:
    """The largest figure first; on a tie, by name."""
    return sorted(rows, key=lambda r: (-value(r), names.get(r.district, r.district).casefold()))


def _events_map(
    placed: list[DistrictFigures],
    elsewhere: DistrictFigures | None,
    name: Any,
    names: dict[str, str],
    every: int,
    geo: str | dict[str, Any],
) -> Chart:
    held = _by_value([r for r in placed if r.events], lambda r: r.events, names)
    rows: list[tuple[Any, ...]] = [(r.district, name(r.district), r.events) for r in held]
    if elsewhere is not None and elsewhere.events:
        rows.append(("", name(""), elsewhere.events))
    total = sum(r.events for r in held)
    if held:
        top, most = names.get(held[0].district, held[0].district), held[0].events
        summary = ngettext(
            "%(events)s event took place in %(districts)s of %(every)s districts; the most in %(top)s (%(most)s).",
            "%(events)s events took place in %(districts)s of %(every)s districts; the most in %(top)s (%(most)s).",
            total,
        ) % {
            "events": _number(total),
            "districts": _number(len(held)),
            "every": _number(every),
            "top": top,
            "most": _number(most),
        }
    else:
        summary = _("No event of these filters took place in a district.")
    return charts.district_map(
        key="districts-events",
        title=_("Events by district"),
        summary=summary,
        rows=rows,
        boundaries=geo,
        district_label=_("District"),
        value_label=_("Events"),
        attribution=str(ATTRIBUTION),
    )


def _people_map(
    placed: list[DistrictFigures],
    elsewhere: DistrictFigures | None,
    name: Any,
    names: dict[str, str],
    sexes: list[tuple[str, str]],
    geo: str | dict[str, Any],
) -> Chart:
    reached = _by_value([r for r in placed if r.participants], lambda r: r.participants, names)
    listed = reached + ([elsewhere] if elsewhere is not None and elsewhere.participants else [])
    rows = [
        (
            r.district,
            name(r.district),
            r.participants,
            *(dict(r.participants_by_sex).get(code) for code, _l in sexes),
        )
        for r in listed
    ]
    total = sum(r.participants for r in reached)
    if reached:
        top, most = names.get(reached[0].district, reached[0].district), reached[0].participants
        summary = ngettext(
            "%(people)s person took part in events in %(districts)s districts; the most in %(top)s (%(most)s).",
            "%(people)s people took part in events in %(districts)s districts; the most in %(top)s (%(most)s).",
            total,
        ) % {"people": _number(total), "districts": _number(len(reached)), "top": top, "most": _number(most)}
    else:
        summary = _("No participant of these filters' events is recorded in a district.")
    return charts.district_map(
        key="districts-people",
        title=_("People reached by district"),
        summary=summary,
        rows=rows,
        boundaries=geo,
        district_label=_("District"),
        value_label=_("People reached"),
        extra_columns=tuple(label for _code, label in sexes),
        attribution=str(ATTRIBUTION),
        notes=(_("Participants listed one by one and participants counted, by the event's district."),),
    )


def _reported_map(
    placed: list[DistrictFigures], name: Any, names: dict[str, str], geo: str | dict[str, Any]
) -> Chart:
    given = _by_value([r for r in placed if r.reported], lambda r: r.reported, names)
    rows = [(r.district, name(r.district), r.reported, r.figures) for r in given]
    if given:
        top, most = names.get(given[0].district, given[0].district), given[0].reported or Decimal(0)
        summary = _(
            "Approved and published reports give figures by district for %(districts)s districts; the largest "
            "sum is for %(top)s (%(most)s)."
        ) % {"districts": _number(len(given)), "top": top, "most": _number(most)}
    else:
        summary = _("No approved or published report of these filters gives a figure by district.")
    return charts.district_map(
        key="districts-reported",
        title=_("Reported figures by district"),
        summary=summary,
        rows=rows,
        boundaries=geo,
        district_label=_("District"),
        value_label=_("Sum of the figures"),
        extra_columns=(_("Figures summed"),),
        attribution=str(ATTRIBUTION),
        notes=(
            _(
                "The sum of count indicators' figures in district cells: two indicators may count the same "
                "person."
            ),
        ),
    )


@gate("dashboard.view", authenticated=True)
@require_safe
def districts(request: HttpRequest, slug: str) -> HttpResponse:
    """Events, people reached and reported figures by district, each on a map with its table."""
    plan, bar = _page(request, slug)
    page = district_maps(request.user, plan, bar)
    return render(request, "dashboards/districts.html", _context(plan, bar, _("Districts"), page=page))
