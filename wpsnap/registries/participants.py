"""Checking participant rows against the plan's vocabulary (sex, age bands, population groups,
districts). Pure: no database. Every problem names its row and column, as its field ``rows[N].column``
(N: the row's number as its source counts it, the line of a file or the index of the API's records),
or a column of the header as ``columns[N]``; the caller decides that a file with any problem saves
nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from operator import itemgetter

from django.utils.translation import gettext as _

from wpsnap.core.errors import Problem

# The template's columns, in order. Headers are matched without regard to case, spaces or dashes.
COLUMNS = (
    "sex",
    "age",
    "age_band",
    "population_group",
    "district",
    "organisation_or_position",
    "name",
    "consent",
)
MAX_AGE = 120
MAX_TEXT = 200
# Problems listed in full; beyond this the report says how many more rows have problems.
MAX_PROBLEMS = 200

YES = frozenset({"yes", "y", "true", "1", "x", "bəli", "hə", "да", "д"})
NO = frozenset({"", "no", "n", "false", "0", "xeyr", "yox", "нет", "н"})

# (sex, age, age_band, population_group, district, affiliation, name, consent)
Row = tuple[str, int | None, str, str, str, str, str, bool]


def normalise(text: str) -> str:
    """A spelling as it is matched: lower case, spaces, underscores and dashes as one "_". Dotted and
    dotless i are one letter: "İ".lower() is "i" with a combining dot and "I".lower() is "i", so
    Azerbaijani words typed in capitals ("KİŞİ", "QADIN") would otherwise miss their spelling."""
    lowered = text.strip().lower().replace("i\u0307", "i").replace("\u0131", "i")
    return re.sub(r"[\s_\-]+", "_", lowered).strip("_")


@dataclass(frozen=True)
class AgeBand:
    code: str
    low: int
    high: int | None  # None: open-ended ("60 and over")


_BAND = re.compile(r"^(\d+)-(\d+|plus)$")


def age_band(code: str) -> AgeBand | None:
    """The ages an age-band option code stands for: "18-24", "60-plus"; None if it says no range."""
    match = _BAND.match(code)
    if match is None:
        return None
    low, high = match.groups()
    return AgeBand(code, int(low), None if high == "plus" else int(high))


@dataclass(frozen=True)
class Vocabulary:
    """What a participant row may say: {accepted spelling (normalised): option code} per column, built
    from the plan's dimensions (codes and labels in every language)."""

    sexes: dict[str, str]
    bands: tuple[AgeBand, ...]
    band_names: dict[str, str]
    groups: dict[str, str]
    districts: dict[str, str]

    def band_for(self, age: int) -> str | None:
        for band in self.bands:
            if age >= band.low and (band.high is None or age <= band.high):
                return band.code
        return None

    @staticmethod
    def choices(names: dict[str, str]) -> str:
        return ", ".join(sorted(set(names.values())))


@dataclass
class Checked:
    """The outcome of checking rows: how many rows were read and which problems were found."""

    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    problem_rows: int = 0
    listed_rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, problem: Problem) -> None:
        """A problem of the whole file (a column, the encoding)."""
        self.problems.append(problem)

    def add_row(self, number: int, problems: list[Problem]) -> None:
        """A row's problems, each named by its column: named ``rows[number].column`` here."""
        self.problem_rows += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.listed_rows += 1
            self.problems.extend(
                Problem(f"rows[{number}].{problem.field}", problem.code, problem.message)
                for problem in problems
            )

    def summary(self) -> list[Problem]:
        """The problems to show, with a last one for the rows not listed."""
        hidden = self.problem_rows - self.listed_rows
        if hidden > 0:
            more = _("… and problems in %(n)d more rows.") % {"n": hidden}
            return [*self.problems, Problem("rows", "more_rows", more)]
        return list(self.problems)


def columns_of(header: list[str]) -> tuple[dict[str, int], list[Problem]]:
    """Map the header to the template's columns: ({column: index}, problems)."""
    problems: list[Problem] = []
    index: dict[str, int] = {}
    for position, raw in enumerate(header):
        name = normalise(raw)
        if not name:
            continue
        if name not in COLUMNS:
            problems.append(
                Problem(
                    f"columns[{position + 1}]",
                    "unknown_column",
                    _("“%(name)s” is not a column of the template (%(columns)s).")
                    % {"name": raw.strip(), "columns": ", ".join(COLUMNS)},
                )
            )
        elif name in index:
            problems.append(
                Problem(
                    f"columns[{position + 1}]", "duplicate", _("“%(name)s” appears twice.") % {"name": name}
                )
            )
        else:
            index[name] = position
    if "sex" not in index:
        problems.append(Problem("columns", "required", _("The column sex is missing.")))
    if "age" not in index and "age_band" not in index:
        problems.append(
            Problem(
                "columns", "required", _("The column age or age_band is missing (one of them is needed).")
            )
        )
    return index, problems


def check_rows(
    header: list[str],
    rows: Iterable[tuple[int, list[str]]],
    vocabulary: Vocabulary,
    *,
    accept: Callable[[Row], None],
    checked: Checked | None = None,
) -> Checked:
    """Check every row; hand each good one to ``accept`` (until the first problem: after that the file
    is refused anyway, so rows are only checked). ``rows`` yields (row number, cells); rows whose
    cells are all blank are skipped and not counted.

    Built for a million rows: each cell's text is looked up in a table of the spellings already
    seen in this file (:class:`_Spellings`), so a good row costs a few dictionary lookups, and only a
    row with a problem goes through :func:`_row`, which says what is wrong with it."""
    checked = checked or Checked()
    index, header_problems = columns_of(header)
    if header_problems:
        for problem in header_problems:
            checked.add(problem)
        return checked
    spellings = _Spellings(vocabulary)
    sexes, ages, groups, districts, consents = (
        spellings.sexes,
        spellings.ages,
        spellings.groups,
        spellings.districts,
        spellings.consents,
    )
    # A column the file lacks reads as "": its index points at a blank cell appended to each row.
    absent = any(column not in index for column in COLUMNS)
    cells_of = itemgetter(*(index.get(column, -1) for column in COLUMNS))
    width = max(index.values()) + 1
    writing = checked.ok
    counted = 0
    for number, cells in rows:
        if len(cells) < width:
            cells = [*cells, *([""] * (width - len(cells)))]
        if absent:
            cells = [*cells, ""]
        sex_text, age_text, band_text, group_text, district_text, affiliation, name, consent_text = cells_of(
            cells
        )
        try:
            affiliation = affiliation.strip()
            name = name.strip()
            consent = consents[consent_text]
            if len(affiliation) > MAX_TEXT or len(name) > MAX_TEXT or (name and not consent):
                raise LookupError
            age, band = ages[age_text, band_text]
            row = (
                sexes[sex_text],
                age,
                band,
                groups[group_text],
                districts[district_text],
                affiliation,
                name,
                consent,
            )
        except LookupError:
            # Not a good row, or a blank one: say why (the slow way, with the messages).
            if not any(cell.strip() for cell in cells):
                continue
            counted += 1
            checked_row = _row(number, cells, index, vocabulary, checked)
            if checked_row is None:
                writing = False
            elif writing:
                accept(checked_row)
            continue
        counted += 1
        if writing:
            accept(row)
    checked.rows += counted
    return checked


class _Spellings:
    """{cell text as written: what it means} per column, filled as the file is read: the plan's
    codes and names to start with, then each other spelling once it has been understood (" Women",
    "QADIN"). A lookup of a text that means nothing raises KeyError. The tables stop growing at
    :data:`SPELLINGS` entries each, so a file of unique oddities cannot fill the memory."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.sexes = _Lookup(vocabulary.sexes, _sex_of(vocabulary))
        self.groups = _Lookup({"": "", **vocabulary.groups}, _code_of(vocabulary.groups))
        self.districts = _Lookup({"": "", **vocabulary.districts}, _code_of(vocabulary.districts))
        self.consents = _Lookup({**dict.fromkeys(NO, False), **dict.fromkeys(YES, True)}, _consent_of)
        self.ages: _Lookup[tuple[str, str], tuple[int | None, str]] = _Lookup({}, _age_band_of(vocabulary))


SPELLINGS = 10_000


class _Lookup[K, V](dict[K, V]):
    """{text: meaning}; a text not seen yet is understood by ``meaning`` (KeyError: it means nothing)."""

    def __init__(self, known: dict[K, V], meaning: Callable[[K], V]) -> None:
        super().__init__(known)
        self.meaning = meaning

    def __missing__(self, key: K) -> V:
        value = self.meaning(key)  # raises KeyError when the text means nothing
        if len(self) < SPELLINGS:
            self[key] = value
        return value


def _sex_of(vocabulary: Vocabulary) -> Callable[[str], str]:
    def meaning(text: str) -> str:
        return vocabulary.sexes[normalise(text)]

    return meaning


def _code_of(names: dict[str, str]) -> Callable[[str], str]:
    def meaning(text: str) -> str:
        text = text.strip()
        return names[normalise(text)] if text else ""

    return meaning


def _consent_of(text: str) -> bool:
    said = normalise(text).replace("_", " ")
    if said in YES:
        return True
    if said in NO:
        return False
    raise KeyError(text)


def _age_band_of(vocabulary: Vocabulary) -> Callable[[tuple[str, str]], tuple[int | None, str]]:
    def meaning(texts: tuple[str, str]) -> tuple[int | None, str]:
        problems: list[Problem] = []
        age, band = _age_and_band(texts[0].strip(), texts[1].strip(), vocabulary, problems)
        if problems:
            raise KeyError(texts)
        return age, band

    return meaning


def _row(
    number: int, cells: list[str], index: dict[str, int], vocabulary: Vocabulary, checked: Checked
) -> Row | None:
    """The row's problems, each named by its column, added to ``checked``; the row if it has none."""
    width = len(cells)
    texts = {
        column: cells[i].strip() if (i := index.get(column)) is not None and i < width else ""
        for column in COLUMNS
    }
    problems: list[Problem] = []
    sex_text = texts["sex"]
    sex = vocabulary.sexes.get(normalise(sex_text))
    if sex is None:
        problems.append(
            Problem(
                "sex",
                "invalid_choice",
                _("“%(value)s” is not one of %(choices)s.")
                % {"value": sex_text, "choices": vocabulary.choices(vocabulary.sexes)},
            )
            if sex_text
            else Problem("sex", "required", _("This is required."))
        )
    age, band = _age_and_band(texts["age"], texts["age_band"], vocabulary, problems)
    group = _coded(texts["population_group"], vocabulary.groups, "population_group", problems)
    district = _coded(texts["district"], vocabulary.districts, "district", problems)
    affiliation = texts["organisation_or_position"]
    name = texts["name"]
    for column, text in (("organisation_or_position", affiliation), ("name", name)):
        if len(text) > MAX_TEXT:
            problems.append(
                Problem(column, "max_length", _("Longer than %(max)d characters.") % {"max": MAX_TEXT})
            )
    consent_text = normalise(texts["consent"]).replace("_", " ")
    consent = consent_text in YES
    if not consent and consent_text not in NO:
        problems.append(Problem("consent", "invalid_choice", _("Write yes or no.")))
    elif name and not consent:
        problems.append(
            Problem("name", "consent", _("A name is kept only with the person's consent (consent: yes)."))
        )
    if problems:
        checked.add_row(number, problems)
        return None
    assert sex is not None
    return (sex, age, band, group, district, affiliation, name, consent)


def _age_and_band(
    age_text: str, band_text: str, vocabulary: Vocabulary, problems: list[Problem]
) -> tuple[int | None, str]:
    """The age and the age band a row gives (either, or both when they agree)."""
    age: int | None = None
    band = ""
    if age_text:
        age = _age(age_text)
        if age is None:
            problems.append(
                Problem(
                    "age",
                    "invalid",
                    _("“%(value)s” is not an age between 0 and %(max)d.")
                    % {"value": age_text, "max": MAX_AGE},
                )
            )
        else:
            band = vocabulary.band_for(age) or ""
            if not band:
                problems.append(
                    Problem(
                        "age", "no_band", _("%(age)d falls in none of the plan's age bands.") % {"age": age}
                    )
                )
    if band_text:
        named = vocabulary.band_names.get(normalise(band_text))
        if named is None:
            problems.append(
                Problem(
                    "age_band",
                    "invalid_choice",
                    _("“%(value)s” is not one of %(choices)s.")
                    % {"value": band_text, "choices": vocabulary.choices(vocabulary.band_names)},
                )
            )
        elif band and named != band:
            problems.append(
                Problem(
                    "age_band",
                    "mismatch",
                    _("“%(value)s” does not match the age %(age)d.") % {"value": band_text, "age": age},
                )
            )
        else:
            band = named
    elif not age_text:
        problems.append(Problem("age", "required", _("Give the age or the age band.")))
    return age, band


def _age(text: str) -> int | None:
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        return None
    if not value.is_integer() or not 0 <= value <= MAX_AGE:
        return None
    return int(value)


def _coded(text: str, names: dict[str, str], column: str, problems: list[Problem]) -> str:
    if not text:
        return ""
    code = names.get(normalise(text))
    if code is None:
        if len(set(names.values())) <= 12:
            problems.append(
                Problem(
                    column,
                    "invalid_choice",
                    _("“%(value)s” is not one of %(choices)s.")
                    % {"value": text, "choices": Vocabulary.choices(names)},
                )
            )
        else:
            problems.append(
                Problem(
                    column,
                    "invalid_choice",
                    _("“%(value)s” is not a known %(column)s (see the template's list).")
                    % {"column": column, "value": text},
                )
            )
        return ""
    return code
