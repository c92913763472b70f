"""Parse the published English text of Azerbaijan's National Action Plan on UNSCR 1325 (2020-2023).

The source (``plans/source/az-nap-1325-2020-2023.txt``) is the document as published: a title in
capitals, numbered prose sections 1-4, and section 5, the plan of activities, as four tab-separated
tables (one per pillar). Rows that cross a page break come as cells of ``<p>...</p>`` fragments, and a
row whose first cell does not open with a priority-area number continues the row before it.

:func:`parse_source` turns that text into a :class:`~wpsnap.plan.schema.PlanFile`. It keeps the
document's words verbatim (only whitespace runs are collapsed and HTML tags removed) and keeps its
defects too (repeated or misplaced activity numbers), noting each one rather than fixing it.

Pure Python: no Django imports, so the linter and the command line can use it alike.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass, field
from typing import Final

from wpsnap.plan.schema import (
    Activity,
    Agency,
    AgencyKind,
    Assignment,
    Dimension,
    ExpectedResult,
    Indicator,
    IndicatorKind,
    Objective,
    Period,
    Pillar,
    PlanFile,
    PriorityArea,
    Role,
    Section,
    Source,
)
from wpsnap.plan.shipped_translations import with_shipped_translations

# --- what the document does not say in a parseable form -----------------------------------------

# The document prints its title in capitals; this is the same title in normal capitalisation.
# parse_source checks that the two agree, so a different document cannot pass under this title.
TITLE = (
    "National Action Plan on the implementation in the Republic of Azerbaijan of United Nations "
    "Security Council Resolution 1325 on Women, Peace and Security in 2020-2023"
)
SHORT_TITLE = "Azerbaijan NAP 1325, 2020-2023"
SLUG = "az-2020-2023"
COUNTRY = "AZ"
STATUS: Final = "adopted"
DEFAULT_LANGUAGE = "en"
LANGUAGES = ["az", "en", "ru"]
COORDINATOR = "scfwca"


@dataclass(frozen=True)
class AgencyEntry:
    """An agency the plan may name, with the spellings the document uses for it."""

    key: str
    name: str
    kind: AgencyKind
    aliases: tuple[str, ...]
    short_name: str | None = None
    name_az: str | None = None
    member_kinds: tuple[AgencyKind, ...] = ()


# The Implementing-agencies cells name agencies by these aliases (exact spellings from the document).
# The Azerbaijani names use the dotless i on purpose, hence the RUF001 exemptions.
AGENCIES: tuple[AgencyEntry, ...] = (
    AgencyEntry(
        "scfwca",
        "State Committee for Family, Women and Children Affairs",
        AgencyKind.STATE_COMMITTEE,
        ("SCFWCA",),
        "SCFWCA",
        "Ailə, Qadın və Uşaq Problemləri üzrə Dövlət Komitəsi",  # noqa: RUF001
    ),
    AgencyEntry(
        "scridp",
        "State Committee for Affairs of Refugees and Internally Displaced Persons",
        AgencyKind.STATE_COMMITTEE,
        ("State Committee for Affairs of Refugees and Internally Displaced Persons",),
        "SCRIDP",
        "Qaçqınların və Məcburi Köçkünlərin İşləri üzrə Dövlət Komitəsi",  # noqa: RUF001
    ),
    AgencyEntry(
        "mod",
        "Ministry of Defense",
        AgencyKind.MINISTRY,
        ("Ministry of Defense",),
        "MoD",
        "Müdafiə Nazirliyi",
    ),
    AgencyEntry(
        "mia",
        "Ministry of Internal Affairs",
        AgencyKind.MINISTRY,
        ("Ministry of Internal Affairs",),
        "MIA",
        "Daxili İşlər Nazirliyi",
    ),
    AgencyEntry(
        "moe",
        "Ministry of Education",
        AgencyKind.MINISTRY,
        ("Ministry of Education",),
        "MoE",
        "Təhsil Nazirliyi",
    ),
    AgencyEntry(
        "moj",
        "Ministry of Justice",
        AgencyKind.MINISTRY,
        ("Ministry of Justice",),
        "MoJ",
        "Ədliyyə Nazirliyi",
    ),
    AgencyEntry(
        "moh",
        "Ministry of Health",
        AgencyKind.MINISTRY,
        ("Ministry of Health",),
        "MoH",
        "Səhiyyə Nazirliyi",
    ),
    AgencyEntry(
        "mlspp",
        "Ministry of Labor and Social Protection of Population",
        AgencyKind.MINISTRY,
        ("Ministry of Labor and Social Protection of Population",),
        "MLSPP",
        "Əmək və Əhalinin Sosial Müdafiəsi Nazirliyi",
    ),
    AgencyEntry(
        "moec",
        "Ministry of Economy",
        AgencyKind.MINISTRY,
        ("Ministry of Economy",),
        "MoEc",
        "İqtisadiyyat Nazirliyi",
    ),
    AgencyEntry(
        "mof",
        "Ministry of Finance",
        AgencyKind.MINISTRY,
        ("Ministry of Finance",),
        "MoF",
        "Maliyyə Nazirliyi",
    ),
    AgencyEntry(
        "scwd",
        "State Committee on Work with Diaspora",
        AgencyKind.STATE_COMMITTEE,
        ("State Committee on Work with Diaspora",),
        "SCWD",
        "Diaspora ilə İş üzrə Dövlət Komitəsi",
    ),
    AgencyEntry(
        "ombudsman",
        "Commissioner for Human Rights (Ombudsman) of the Republic of Azerbaijan",
        AgencyKind.OMBUDSMAN,
        ("Commissioner for Human Rights (Ombudsman) of the Republic of Azerbaijan",),
        "Ombudsman",
        "Azərbaycan Respublikasının İnsan Hüquqları üzrə Müvəkkili (Ombudsman)",  # noqa: RUF001
    ),
    AgencyEntry(
        "asan",
        "ASAN Service",
        AgencyKind.STATE_AGENCY,
        ("ASAN Service",),
        "ASAN",
        "ASAN xidmət",
    ),
    AgencyEntry(
        "all-ministries-and-state-committees",
        "All ministries and state committees",
        AgencyKind.COLLECTIVE,
        ("all ministries and state committees",),
        member_kinds=(AgencyKind.MINISTRY, AgencyKind.STATE_COMMITTEE),
    ),
    AgencyEntry(
        "local-executive-authorities",
        "Relevant local executive authorities",
        AgencyKind.COLLECTIVE,
        ("relevant local executive authorities",),
        member_kinds=(AgencyKind.LOCAL_EXECUTIVE,),
    ),
    AgencyEntry(
        "ngos",
        "Non-governmental organisations",
        AgencyKind.COLLECTIVE,
        ("NGOs",),
        "NGOs",
        member_kinds=(AgencyKind.NGO,),
    ),
)

# Longest alias first, so that a long name is never read as a shorter name plus leftovers.
_ALIASES: tuple[tuple[str, str], ...] = tuple(
    sorted(((alias, a.key) for a in AGENCIES for alias in a.aliases), key=lambda pair: -len(pair[0]))
)
_AGENCIES_BY_KEY = {a.key: a for a in AGENCIES}

# In an Implementing-agencies cell, the agencies after this marker are only recommended.
_RECOMMENDED_MARKER = "To be recommended:"


class SourceFormatError(ValueError):
    """The source text does not have the shape this parser reads; the message names the place."""


# --- text helpers --------------------------------------------------------------------------------


def _clean(text: str) -> str:
    """Strip HTML tags, decode entities and collapse whitespace runs; everything else stays verbatim."""
    text = re.sub(r"<[^>]*>", " ", text)
    return " ".join(html.unescape(text).split())


def _join(before: str, after: str) -> str:
    """Join two fragments of one text broken across a page: a trailing hyphen means a word was split."""
    if not before:
        return after
    if not after:
        return before
    return before + after if before.endswith("-") else f"{before} {after}"


def _join_all(fragments: list[str]) -> str:
    joined = ""
    for fragment in fragments:
        joined = _join(joined, fragment)
    return joined


def _fragments(cell: str) -> list[str]:
    """A table cell as its fragments: one per ``<p>`` paragraph, or the whole cell when it has none."""
    pieces = re.split(r"</?p\s*>", cell, flags=re.IGNORECASE)
    return [text for text in (_clean(piece) for piece in pieces) if text]


def _strip_end(text: str) -> str:
    """A list item without the ";" or "." that ends it in the document's enumeration."""
    return text.rstrip(";.").rstrip()


# --- sections 1-4: the prose ---------------------------------------------------------------------

_SECTION_HEADING = re.compile(r"^(\d+)\.\s+\S")
_PILLAR_DEFINITION = re.compile(r"^-\s*[a-z]\)\s*([^:]+):\s*(.+)$")
_NUMBERED_ITEM = re.compile(r"^-\s*(\d+(?:\.\d+)*)\.\s+(.+)$")


@dataclass
class _Document:
    title_lines: list[str]
    # Section number ("1".."5") -> its lines after the heading, raw (tabs kept for the tables).
    sections: dict[str, list[str]]


def _split_sections(text: str) -> _Document:
    title_lines: list[str] = []
    sections: dict[str, list[str]] = {}
    current: list[str] = title_lines
    for line in text.splitlines():
        match = _SECTION_HEADING.match(line)
        # Only "N. Heading" opens a section; table rows ("5.1.1. ...") have a digit after the dot.
        if match and "\t" not in line:
            current = sections.setdefault(match.group(1), [])
            continue
        current.append(line)
    for number in "12345":
        if number not in sections:
            raise SourceFormatError(f"the document has no section {number}")
    return _Document([_clean(line) for line in title_lines if line.strip()], sections)


def _prose_lines(lines: list[str]) -> list[str]:
    return [cleaned for cleaned in (_clean(line) for line in lines) if cleaned]


def _check_title(title_lines: list[str]) -> None:
    printed = " ".join(title_lines)
    if printed != TITLE.upper():
        raise SourceFormatError(f"the document's title {printed!r} is not the title of this plan")


def _plan_period() -> Period:
    match = re.search(r"(\d{4})-(\d{4})$", TITLE)
    assert match is not None  # the title constant ends with the period
    return Period(start=int(match.group(1)), end=int(match.group(2)))


def _introduction(lines: list[str]) -> tuple[list[str], dict[str, str]]:
    """Section 1: its prose paragraphs, and the focus areas a)-d) as {title (lowercase): definition}."""
    paragraphs: list[str] = []
    definitions: dict[str, str] = {}
    for line in _prose_lines(lines):
        match = _PILLAR_DEFINITION.match(line)
        if match:
            definitions[match.group(1).strip().lower()] = match.group(2)
        elif definitions:
            raise SourceFormatError(f"section 1: prose after the list of focus areas: {line[:60]!r}")
        else:
            paragraphs.append(line)
    if not definitions:
        raise SourceFormatError("section 1 does not list the focus areas a)-d)")
    return paragraphs, definitions


def _numbered_items(section: str, lines: list[str]) -> dict[str, str]:
    """The "- N.N. text" items of a section, by code."""
    items: dict[str, str] = {}
    for line in _prose_lines(lines):
        match = _NUMBERED_ITEM.match(line)
        if not match:
            raise SourceFormatError(f"section {section}: expected a numbered item, found {line[:60]!r}")
        items[match.group(1)] = match.group(2)
    return items


def _single_paragraph(section: str, lines: list[str]) -> str:
    paragraphs = _prose_lines(lines)
    if len(paragraphs) != 1:
        raise SourceFormatError(f"section {section} should be one paragraph, found {len(paragraphs)}")
    return paragraphs[0]


def _children(items: dict[str, str], parent: str) -> dict[str, str]:
    """The items one level below ``parent`` ("2.2" -> 2.2.1, 2.2.2, ...), in document order."""
    pattern = re.compile(rf"^{re.escape(parent)}\.\d+$")
    return {code: text for code, text in items.items() if pattern.match(code)}


# --- section 5: the tables, as raw rows -----------------------------------------------------------

_PILLAR_HEADING = re.compile(r"^(\d+\.\d+)\.\s+([^\d].*)$")
_OBJECTIVE_LINE = re.compile(r"^Objective\s+\d+\s+\((\d+(?:\.\d+)*)\.?\)\s+(.+)$")
_AREA_START = re.compile(r"^(\d+\.\d+\.\d+)\.\s+(.*)$")
_HEADER_START = "Priority area"
_COLUMNS = 5


@dataclass
class _Segment:
    """One printed row of a priority area: the row that opens it, or a continuation across a page."""

    title: list[str]
    activities: list[str]
    indicators: list[str]
    agencies: list[str]
    period: list[str]


@dataclass
class _RawPillar:
    number: str
    title: str
    objective_code: str | None = None


@dataclass
class _RawArea:
    code: str
    pillar: _RawPillar
    segments: list[_Segment] = field(default_factory=list)


def _is_filler(cells: list[str]) -> bool:
    """A "--" row the converter left between tables."""
    stripped = [cell.strip() for cell in cells]
    return any(stripped) and all(re.fullmatch(r"-*", cell) for cell in stripped)


def _read_tables(lines: list[str]) -> tuple[list[_RawPillar], list[_RawArea]]:
    pillars: list[_RawPillar] = []
    areas: list[_RawArea] = []
    for number, line in enumerate(lines, start=1):
        raw_cells = line.split("\t")
        if not line.strip() or _is_filler(raw_cells):
            continue
        if len(raw_cells) > _COLUMNS:
            raise SourceFormatError(f"section 5, line {number}: {len(raw_cells)} cells, expected {_COLUMNS}")
        cells = [_fragments(cell) for cell in raw_cells] + [[]] * (_COLUMNS - len(raw_cells))
        first = " ".join(cells[0])
        only_first = not any(cells[1:])
        if only_first and (match := _PILLAR_HEADING.match(first)):
            pillars.append(_RawPillar(match.group(1), match.group(2)))
        elif only_first and (match := _OBJECTIVE_LINE.match(first)):
            if not pillars:
                raise SourceFormatError(f"section 5, line {number}: an objective before any pillar heading")
            pillars[-1].objective_code = match.group(1)
        elif first.startswith(_HEADER_START):
            continue
        else:
            _add_row(pillars, areas, cells, number)
    return pillars, areas


def _add_row(pillars: list[_RawPillar], areas: list[_RawArea], cells: list[list[str]], number: int) -> None:
    """A data row: it opens a priority area when its first cell starts with one's number, else continues."""
    title, activities, indicators, agencies, period = cells
    match = _AREA_START.match(title[0]) if title else None
    if match:
        if not pillars:
            raise SourceFormatError(f"section 5, line {number}: a priority area before any pillar heading")
        code = match.group(1)
        if not code.startswith(pillars[-1].number + "."):
            raise SourceFormatError(
                f"section 5, line {number}: priority area {code} under pillar {pillars[-1].number}"
            )
        areas.append(_RawArea(code, pillars[-1]))
        title = [match.group(2), *title[1:]]
    elif not areas:
        raise SourceFormatError(f"section 5, line {number}: a row that continues no priority area")
    areas[-1].segments.append(_Segment(title, activities, indicators, agencies, period))


# --- priority areas: title, period, agencies -------------------------------------------------------

# A hyphen or an en dash between the years.
_PERIOD = re.compile(r"^(\d{4})(?:\s*[-\N{EN DASH}]\s*(\d{4}))?$")


def _period(area_code: str, text: str) -> Period | None:
    if not text:
        return None
    match = _PERIOD.match(text)
    if not match:
        raise SourceFormatError(f"priority area {area_code}: cannot read the implementation period {text!r}")
    start = int(match.group(1))
    return Period(start=start, end=int(match.group(2) or start))


def _agencies(area_code: str, text: str) -> list[tuple[str, Role, str]]:
    """The Implementing-agencies cell as (agency key, role, alias used), in the order written."""
    implementers, *recommended = text.split(_RECOMMENDED_MARKER)
    found = _match_agencies(area_code, implementers, Role.IMPLEMENTER)
    for part in recommended:
        found += _match_agencies(area_code, part, Role.RECOMMENDED)
    return found


def _skip_separators(text: str, position: int) -> int:
    while position < len(text) and (text[position].isspace() or text[position] in ",;"):
        position += 1
    return position


def _match_agencies(area_code: str, text: str, role: Role) -> list[tuple[str, Role, str]]:
    """Read agency names one after another; commas or plain spaces separate them in the document."""
    found: list[tuple[str, Role, str]] = []
    position = 0
    while True:
        position = _skip_separators(text, position)
        if position >= len(text):
            return found
        for alias, key in _ALIASES:
            end = position + len(alias)
            # The alias must end at a word boundary: "NGOs" is not the start of "NGOsX".
            if text.startswith(alias, position) and (end == len(text) or not text[end].isalnum()):
                found.append((key, role, alias))
                position = end
                break
        else:
            raise SourceFormatError(
                f"priority area {area_code}: no known agency matches {text[position:]!r} "
                "in the Implementing agencies cell"
            )


def _assignments(found: list[tuple[str, Role, str]]) -> list[Assignment]:
    assignments: list[Assignment] = []
    seen: set[str] = set()
    for key, role, _alias in found:
        if key not in seen:  # an agency named twice in one cell is one assignment
            seen.add(key)
            assignments.append(Assignment(agency=key, role=role))
    return assignments


# --- activities and indicators ---------------------------------------------------------------------

_ACTIVITY_NUMBER = re.compile(r"(?:^|(?<=\s))(\d+(?:\.\d+){3})\.\s+")
# A new indicator starts where a word ending in a lowercase letter or ")" meets a capitalised word
# (the cells of plain rows run several indicators together without separators).
_INDICATOR_BREAK = re.compile(r"(?<=[a-z)])\s+(?=([A-Z][a-z]+)\b)")
# Capitalised words that continue a sentence rather than start an indicator. Acronyms (UN, CEDAW,
# IDPs, NGOs) never match the break pattern, which wants a capital followed by lowercase letters.
_PROPER_NOUNS = frozenset(
    {
        "Security",
        "Council",
        "Resolution",
        "Resolutions",
        "Nations",
        "United",
        "Ombudsman",
        "Azerbaijan",
        "Republic",
        "Convention",
        "Elimination",
        "Discrimination",
        "Women",
        "Armed",
        "Forces",
        "Military",
        "Academy",
        "Ministry",
        "State",
        "Committee",
    }
)
_DOCUMENT_INDICATOR = re.compile(r"^(List|Publications|New curriculum|Monitoring results|Assessment tools)\b")
_DISAGGREGATION = re.compile(r"\bdisaggregated by (\w+(?:(?:,\s*|\s+and\s+)\w+)*)", re.IGNORECASE)
_DIMENSION_WORDS = {
    "gender": Dimension.SEX,
    "sex": Dimension.SEX,
    "age": Dimension.AGE,
    "service": Dimension.SERVICE,
}


@dataclass
class _Item:
    """An activity or an indicator as read, with the segment (printed row) it starts in."""

    text: str
    segment: int
    code: str | None = None
    # For an activity the document prints in the Indicators column, without a number.
    misplaced: bool = False


def _split_numbered(fragment: str) -> list[tuple[str | None, str]]:
    """A fragment of the activities column as (number, text) pieces; a leading unnumbered piece has None."""
    parts = _ACTIVITY_NUMBER.split(fragment)
    pieces: list[tuple[str | None, str]] = []
    if parts[0].strip():
        pieces.append((None, parts[0].strip()))
    pieces += [(parts[i], parts[i + 1].strip()) for i in range(1, len(parts), 2)]
    return pieces


def _split_indicators(fragment: str) -> list[str]:
    pieces: list[str] = []
    start = 0
    for match in _INDICATOR_BREAK.finditer(fragment):
        if match.group(1) not in _PROPER_NOUNS:
            pieces.append(fragment[start : match.start()])
            start = match.end()
    pieces.append(fragment[start:])
    return [piece.strip() for piece in pieces if piece.strip()]


def _first_word(text: str) -> str:
    match = re.match(r"\w+", text)
    return match.group(0) if match else ""


def _activity_verbs(areas: list[_RawArea]) -> frozenset[str]:
    """The words numbered activities begin with (Conduct, Develop, ...): their imperative verbs."""
    return frozenset(
        _first_word(text)
        for area in areas
        for segment in area.segments
        for fragment in segment.activities
        for code, text in _split_numbered(fragment)
        if code is not None
    )


def _read_items(area: _RawArea, verbs: frozenset[str]) -> tuple[list[_Item], list[_Item]]:
    """The area's activities and indicators, each joined across the printed rows it spans."""
    activities: list[_Item] = []
    indicators: list[_Item] = []
    for index, segment in enumerate(area.segments):
        for fragment in segment.activities:
            for code, text in _split_numbered(fragment):
                if code is not None:
                    activities.append(_Item(text, index, code))
                elif activities:  # the rest of an activity broken across a page
                    activities[-1].text = _join(activities[-1].text, text)
                else:
                    raise SourceFormatError(
                        f"priority area {area.code}: an activity without a number: {text[:60]!r}"
                    )
        for fragment in segment.indicators:
            for text in _split_indicators(fragment):
                if text[0].islower() and indicators:  # the rest of an indicator broken across a page
                    indicators[-1].text = _join(indicators[-1].text, text)
                elif _first_word(text) in verbs:  # worded like an activity: the document misplaced it
                    activities.append(_Item(text, index, misplaced=True))
                else:
                    indicators.append(_Item(text, index))
    return activities, indicators


@dataclass
class _Pairing:
    own: dict[int, list[int]]  # activity index -> indexes of its own indicators
    shares: dict[int, int]  # activity index -> index of the activity whose indicators it shares
    unpaired: list[int]  # indicator indexes that pair with no activity


def _pair(activities: list[_Item], indicators: list[_Item]) -> _Pairing:
    """Pair indicators with activities; the document's table pairs them only by position."""
    own: dict[int, list[int]] = {i: [] for i in range(len(activities))}
    leftover: list[int] = []
    # (1) Within each printed row, the n-th indicator that starts there goes with the n-th activity.
    for segment in sorted({item.segment for item in activities + indicators}):
        acts = [i for i, item in enumerate(activities) if item.segment == segment]
        inds = [j for j, item in enumerate(indicators) if item.segment == segment]
        for i, j in zip(acts, inds, strict=False):
            own[i].append(j)
        leftover += inds[len(acts) :]
    # (2) An indicator printed in a later row than its activity: the earliest activity still without one.
    unpaired: list[int] = []
    for j in leftover:
        target = next((i for i in own if not own[i]), None)
        if target is None:
            unpaired.append(j)  # (4)
        else:
            own[target].append(j)
    # (3) An activity left without one shares its predecessor's in the same row: a merged table cell.
    shares: dict[int, int] = {}
    for i in range(1, len(activities)):
        if own[i] or activities[i - 1].segment != activities[i].segment:
            continue
        source = shares.get(i - 1, i - 1)
        if own[source]:
            shares[i] = source
    return _Pairing(own, shares, unpaired)


def _indicator_kind(text: str) -> IndicatorKind:
    if "number" in text.lower():
        return IndicatorKind.COUNT
    if _DOCUMENT_INDICATOR.match(text):
        return IndicatorKind.DOCUMENT
    return IndicatorKind.QUALITATIVE


def _disaggregation(text: str) -> list[Dimension]:
    """The dimensions a "disaggregated by gender and age" phrase asks for, in the schema's order."""
    wanted: set[Dimension] = set()
    for match in _DISAGGREGATION.finditer(text):
        for word in re.findall(r"\w+", match.group(1).lower()):
            if word == "and":
                continue
            if word not in _DIMENSION_WORDS:
                break  # the phrase is over: "... by age and number of ..."
            wanted.add(_DIMENSION_WORDS[word])
    return [dimension for dimension in Dimension if dimension in wanted]


def _indicator(key: str, text: str, note: str | None = None) -> Indicator:
    return Indicator(
        key=key, text=text, kind=_indicator_kind(text), disaggregation=_disaggregation(text), note=note
    )


def _label(item: _Item, key: str) -> str:
    """How a note names an activity: its published number, or its key when it has none."""
    return item.code or key


def _defect_note(area_code: str, item: _Item, first_use: str | None, previous: str | None) -> str | None:
    """One plain sentence on what is wrong with the activity's number, or None when nothing is."""
    if item.misplaced:
        after = f" after activity {previous}" if previous else ""
        return (
            f"The document prints this activity without a number in the Indicators column of priority area "
            f"{area_code}, in a row continuing the area{after}."
        )
    assert item.code is not None
    owner = item.code.rsplit(".", 1)[0]
    if owner != area_code and first_use:
        return (
            f"The document numbers this activity {item.code}, a number of priority area {owner} that it "
            f"already gave the activity with key {first_use}, though the activity stands under priority area "
            f"{area_code}."
        )
    if owner != area_code:
        return (
            f"The document numbers this activity {item.code}, a number of priority area {owner}, "
            f"though the activity stands under priority area {area_code}."
        )
    if first_use:
        return f"The document numbers this activity {item.code}, the number it already gave the activity with key {first_use}."
    return None


def _activities(
    area: _RawArea, verbs: frozenset[str], first_uses: dict[str, str]
) -> tuple[list[Activity], list[Indicator]]:
    """The area's activities with their indicators, and the indicators that pair with none."""
    items, indicator_items = _read_items(area, verbs)
    pairing = _pair(items, indicator_items)
    # Keys count positions, not published numbers: the document repeats and misplaces numbers.
    keys = [f"{area.code}-{position}" for position in range(1, len(items) + 1)]
    activities: list[Activity] = []
    for i, (item, key) in enumerate(zip(items, keys, strict=True)):
        first_use = first_uses.get(item.code) if item.code else None
        if item.code and not first_use:
            first_uses[item.code] = key
        if i in pairing.shares:
            source = pairing.shares[i]
            note = (
                f"Shares the indicator of activity {_label(items[source], keys[source])} "
                "in the document's table (a merged cell)."
            )
            texts = [indicator_items[j].text for j in pairing.own[source]]
        else:
            note = None
            texts = [indicator_items[j].text for j in pairing.own[i]]
        previous = _label(items[i - 1], keys[i - 1]) if i else None
        activities.append(
            Activity(
                key=key,
                code=item.code,
                text=item.text,
                indicators=[_indicator(f"{key}-i{n}", text, note) for n, text in enumerate(texts, 1)],
                note=_defect_note(area.code, item, first_use, previous),
            )
        )
    unpaired = [
        _indicator(f"{area.code}-u{n}", indicator_items[j].text) for n, j in enumerate(pairing.unpaired, 1)
    ]
    return activities, unpaired


# --- assembling the plan ---------------------------------------------------------------------------


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def _pillars(raw: list[_RawPillar], definitions: dict[str, str], objectives: dict[str, str]) -> list[Pillar]:
    pillars: list[Pillar] = []
    for pillar in raw:
        definition = definitions.get(pillar.title.lower())
        if definition is None:
            raise SourceFormatError(
                f"pillar {pillar.number} {pillar.title!r} is not among the focus areas of section 1"
            )
        code = pillar.objective_code.rstrip(".") if pillar.objective_code else None
        if code is None or code not in objectives:
            raise SourceFormatError(f"pillar {pillar.number}: its objective {code!r} is not in section 2.2")
        objective = Objective(code=code, text=objectives[code])
        pillars.append(
            Pillar(
                key=_slug(pillar.title),
                number=pillar.number,
                title=pillar.title,
                definition=definition,
                objective=objective,
            )
        )
    return pillars


def _priority_area(
    raw: _RawArea, verbs: frozenset[str], first_uses: dict[str, str]
) -> tuple[PriorityArea, list[tuple[str, Role, str]]]:
    """One priority area, and the agency names its cell uses (for the plan's agency list)."""
    title = _join_all([f for segment in raw.segments for f in segment.title])
    period = _period(raw.code, _join_all([f for segment in raw.segments for f in segment.period]))
    found = _agencies(raw.code, _join_all([f for segment in raw.segments for f in segment.agencies]))
    activities, unpaired = _activities(raw, verbs, first_uses)
    area = PriorityArea(
        code=raw.code,
        pillar=_slug(raw.pillar.title),
        title=title,
        period=period,
        agencies=_assignments(found),
        activities=activities,
        unpaired_indicators=unpaired,
    )
    return area, found


def _plan_agencies(found: list[tuple[str, Role, str]]) -> list[Agency]:
    """The agencies the document names, coordinator first, then in order of first appearance."""
    order = [COORDINATOR] + [key for key, _role, _alias in found]
    aliases_used = {alias for _key, _role, alias in found}
    agencies: list[Agency] = []
    for key in dict.fromkeys(order):
        entry = _AGENCIES_BY_KEY[key]
        agencies.append(
            Agency(
                key=entry.key,
                name=entry.name,
                short_name=entry.short_name,
                kind=entry.kind,
                member_kinds=list(entry.member_kinds),
                aliases=[alias for alias in entry.aliases if alias in aliases_used],
                translations={"az": {"name": entry.name_az}} if entry.name_az else {},
            )
        )
    return agencies


def parse_source(text: str, *, source_name: str = "az-nap-1325-2020-2023.txt") -> PlanFile:
    """The plan file for the published text of Azerbaijan's NAP 1325 for 2020-2023."""
    document = _split_sections(text)
    _check_title(document.title_lines)
    introduction, definitions = _introduction(document.sections["1"])
    section2 = _numbered_items("2", document.sections["2"])
    section4 = _numbered_items("4", document.sections["4"])
    if "2.1" not in section2:
        raise SourceFormatError("section 2 has no purpose (2.1)")
    objectives = {code: _strip_end(t) for code, t in _children(section2, "2.2").items()}
    expected = [
        ExpectedResult(code=code, text=_strip_end(t)) for code, t in _children(section4, "4.1").items()
    ]

    raw_pillars, raw_areas = _read_tables(document.sections["5"])
    verbs = _activity_verbs(raw_areas)
    first_uses: dict[str, str] = {}  # activity number -> key of the first activity bearing it
    areas: list[PriorityArea] = []
    found: list[tuple[str, Role, str]] = []
    for raw in raw_areas:
        area, names = _priority_area(raw, verbs, first_uses)
        areas.append(area)
        found += names

    # The shipped unofficial az and ru translations (shipped_translations.py): the file is the parse.
    return with_shipped_translations(
        PlanFile(
            format="wpsnap-plan/1",
            slug=SLUG,
            country=COUNTRY,
            title=TITLE,
            short_title=SHORT_TITLE,
            period=_plan_period(),
            status=STATUS,
            default_language=DEFAULT_LANGUAGE,
            languages=list(LANGUAGES),
            source=Source(
                title=f"{TITLE} (English text)",
                file=source_name,
                sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
            ),
            coordinator=COORDINATOR,
            introduction=introduction,
            purpose=Section(code="2.1", text=section2["2.1"]),
            financing=Section(code="3", text=_single_paragraph("3", document.sections["3"])),
            pillars=_pillars(raw_pillars, definitions, objectives),
            expected_results=expected,
            agencies=_plan_agencies(found),
            priority_areas=areas,
        )
    )
