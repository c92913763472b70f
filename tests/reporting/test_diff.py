"""The difference between two report snapshots: pure, no database."""

from __future__ import annotations

from wpsnap.reporting.diff import Change, Labels, diff, labels_for
from wpsnap.reporting.disaggregation import BreakdownSpec, DimensionSpec, Option

SEX_AGE = BreakdownSpec(
    (
        DimensionSpec("sex", "Sex", (Option("women", "Women"), Option("men", "Men"))),
        DimensionSpec("age", "Age band", (Option("18-24", "18–24"), Option("25-34", "25–34"))),  # noqa: RUF001
    )
)
LABELS = labels_for(
    indicators=[("ind-1", "Number of trained personnel"), ("ind-2", "Content of the standards")],
    specs={"ind-1": SEX_AGE, "ind-2": BreakdownSpec()},
    progress={"in_progress": "In progress", "completed": "Completed"},
    sources={"state_budget": "State budget", "international": "International partners"},
)


def _snapshot(**changes):
    base = {
        "progress": "in_progress",
        "done": "Two trainings.",
        "challenges": "",
        "next_steps": "",
        "started_on": "2020-03-01",
        "finished_on": None,
        "values": {"ind-1": {"": "10", "sex:women|age:18-24": "4", "sex:men|age:25-34": "6"}},
        "answers": {},
        "financing": {"state_budget": {"planned": "1500", "spent": "1200"}},
        "evidence": ["agenda.pdf"],
    }
    base.update(changes)
    return base


def _lines(rows: list[Change]) -> list[str]:
    return [row.describe() for row in rows]


def test_identical_snapshots_have_no_difference() -> None:
    """Nothing changed, nothing listed."""
    assert diff(_snapshot(), _snapshot(), LABELS) == []


def test_a_changed_cell_is_named_by_its_options() -> None:
    """A figure that changed reads "Women 18-24: 4 → 6" (en dash in the label), in the indicator's section."""
    new = _snapshot(values={"ind-1": {"": "12", "sex:women|age:18-24": "6", "sex:men|age:25-34": "6"}})
    rows = diff(_snapshot(), new, LABELS)
    assert [(r.label, r.old, r.new) for r in rows] == [("Total", "10", "12"), ("Women 18–24", "4", "6")]  # noqa: RUF001
    assert {r.section for r in rows} == {"Number of trained personnel"}
    assert _lines(rows) == ["Total: 10 → 12", "Women 18–24: 4 → 6"]  # noqa: RUF001


def test_added_and_cleared_cells_say_none() -> None:
    """A cell typed for the first time and a cell cleared show "(none)" on their empty side."""
    new = _snapshot(values={"ind-1": {"": "10", "sex:women|age:18-24": "4", "sex:men|age:18-24": "6"}})
    assert _lines(diff(_snapshot(), new, LABELS)) == [
        "Men 18–24: (none) → 6",  # noqa: RUF001
        "Men 25–34: 6 → (none)",  # noqa: RUF001
    ]


def test_long_texts_are_summarised_and_short_fields_shown_whole() -> None:
    """What was done changed: "(changed)"; the status and a date show old and new values with labels."""
    new = _snapshot(
        done="Three trainings.", progress="completed", finished_on="2020-11-30", challenges="Snow."
    )
    rows = diff(_snapshot(), new, LABELS)
    assert _lines(rows) == [
        "Implementation status: In progress → Completed",
        "Work finished on: (none) → 2020-11-30",
        "What was done: (changed)",
        "Challenges: (added)",
    ]
    done = next(r for r in rows if r.label == "What was done")
    assert (done.old, done.new, done.text) == ("Two trainings.", "Three trainings.", True)


def test_answers_financing_and_evidence() -> None:
    """An answer, a financing amount and files are compared, each under its own section."""
    new = _snapshot(
        answers={"ind-2": "The standards were adopted."},
        financing={
            "state_budget": {"planned": "1500", "spent": "1400"},
            "international": {"planned": "900", "spent": ""},
        },
        evidence=["agenda.pdf", "photos.pdf"],
    )
    rows = diff(_snapshot(), new, LABELS)
    assert [(r.section, r.describe()) for r in rows] == [
        ("Content of the standards", "Answer: (added)"),
        ("Financing (AZN)", "State budget, spent: 1200 → 1400"),
        ("Financing (AZN)", "International partners, planned: (none) → 900"),
        ("Evidence", "File added: (none) → photos.pdf"),
    ]


def test_removed_files_and_files_of_the_same_name() -> None:
    """Files are counted by name: a second file of the same name is added, a dropped one removed."""
    rows = diff(_snapshot(evidence=["a.pdf", "b.pdf"]), _snapshot(evidence=["a.pdf", "a.pdf"]), LABELS)
    assert [(r.label, r.old, r.new) for r in rows] == [
        ("File added", "", "a.pdf"),
        ("File removed", "b.pdf", ""),
    ]


def test_without_labels_codes_are_shown() -> None:
    """Unknown indicators and cells fall back to their keys and option codes, so no change is hidden."""
    old = {"values": {"x-9": {"district:baku": "1"}}}
    new = {"values": {"x-9": {"district:baku": "2"}}}
    rows = diff(old, new, Labels())
    assert [(r.section, r.label, r.old, r.new) for r in rows] == [("x-9", "baku", "1", "2")]


def test_nothing_before_lists_everything() -> None:
    """Compared with nothing, every figure and text of the snapshot is a change."""
    rows = diff(None, _snapshot(), LABELS)
    assert "Women 18–24: (none) → 4" in _lines(rows)  # noqa: RUF001
    assert "What was done: (added)" in _lines(rows)
    assert "File added: (none) → agenda.pdf" in _lines(rows)


def test_rows_follow_the_report_order() -> None:
    """Indicators in the plan's order, the total first, then cells in the grid's order."""
    old = {
        "values": {
            "ind-2": {"": "1"},
            "ind-1": {"sex:men|age:25-34": "1", "sex:women|age:18-24": "1", "": "2"},
        }
    }
    new = {
        "values": {
            "ind-2": {"": "2"},
            "ind-1": {"sex:men|age:25-34": "2", "sex:women|age:18-24": "2", "": "4"},
        }
    }
    rows = diff(old, new, LABELS)
    assert [(r.section, r.label) for r in rows] == [
        ("Number of trained personnel", "Total"),
        ("Number of trained personnel", "Women 18–24"),  # noqa: RUF001
        ("Number of trained personnel", "Men 25–34"),  # noqa: RUF001
        ("Content of the standards", "Total"),
    ]
