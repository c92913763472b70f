"""Property tests of the plan document's parser (``parsing.parse_source``, ``wpsnap plan parse``) over the
published text cut short, garbled and shuffled: it either gives a plan file, which is written as YAML that
reads back equal, or refuses with ``SourceFormatError`` naming the section, line, pillar or area (or the
schema's ``ValidationError`` for a plan that breaks the plan file's rules), both ``ValueError``, which the
command reports as a ``CommandError``; never another exception."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from wpsnap.plan.parsing import SourceFormatError, parse_source
from wpsnap.plan.schema import PlanFile, dump_plan_yaml, parse_plan_text

SOURCE = Path(__file__).resolve().parents[2] / "plans" / "source" / "az-nap-1325-2020-2023.txt"

odd_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]) | st.sampled_from("\t\n\x00<>&;:-.)"),
    max_size=20,
)


@cache
def source() -> str:
    return SOURCE.read_text(encoding="utf-8")


@st.composite
def garbled_sources(draw: st.DrawFn) -> str:
    """The published text with one to four changes: cut short, characters deleted or inserted, a line
    dropped, repeated, moved, or its cells (tabs) added or removed."""
    text = source()
    for _ in range(draw(st.integers(1, 4))):
        lines = text.splitlines(keepends=True) or [""]
        action = draw(
            st.sampled_from(["truncate", "delete", "insert", "drop", "repeat", "move", "tab", "untab"])
        )
        at = draw(st.integers(0, max(0, len(text) - 1)))
        index = draw(st.integers(0, len(lines) - 1))
        if action == "truncate":
            text = text[:at]
            continue
        if action == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 40)) :]
            continue
        if action == "insert":
            text = text[:at] + draw(odd_text) + text[at:]
            continue
        if action == "drop":
            del lines[index]
        elif action == "repeat":
            lines.insert(index, lines[index])
        elif action == "move":
            lines.insert(draw(st.integers(0, len(lines))), lines.pop(index))
        elif action == "tab":
            lines[index] = "\t" + lines[index]
        else:
            lines[index] = lines[index].replace("\t", " ", 1)
        text = "".join(lines)
    return text


def _parsed_or_refused(text: str) -> PlanFile | None:
    try:
        plan = parse_source(text)
    except SourceFormatError as refused:
        event("refused: " + str(refused).split(" ")[0])
        assert str(refused)
        return None
    except ValidationError as refused:
        event("refused by the schema")
        assert refused.errors()
        return None
    event("parsed")
    return plan


@settings(max_examples=50, deadline=None)
@given(garbled_sources())
def test_a_garbled_document_parses_or_is_refused_naming_the_place(text) -> None:
    plan = _parsed_or_refused(text)
    if plan is not None:
        # What the file would hold reads back equal (as YAML in the test below: 0.5 s a plan is too slow
        # to run for every example).
        assert PlanFile.model_validate(plan.model_dump(mode="json", exclude_defaults=True)) == plan


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=400))
def test_any_text_is_refused_as_not_this_document(text) -> None:
    with pytest.raises(SourceFormatError):
        parse_source(text)


def test_the_published_document_parses_to_the_shipped_plan_file() -> None:
    """The round trip the repository keeps: parse, write, and the shipped file is what is written."""
    shipped = (SOURCE.parents[1] / "az-2020-2023.yaml").read_text(encoding="utf-8")
    plan = parse_source(source())
    assert dump_plan_yaml(plan) == shipped
    assert parse_plan_text(shipped) == plan


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.binary(max_size=300) | garbled_sources().map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_the_parse_command_prints_a_plan_or_says_why(tmp_path, content) -> None:
    path = Path(tmp_path) / "document.txt"
    path.write_bytes(content)
    try:
        call_command("plan", "parse", str(path), stdout=_Sink())
    except CommandError as refused:
        assert str(path) in str(refused)


class _Sink:
    def write(self, text: str, *args: object, **kwargs: object) -> None:
        pass

    def flush(self) -> None:
        pass
