"""Property tests of the setup files' readers: the districts (``read_districts``, plans/az-districts.yaml,
``wpsnap events setup``) and the registry rules (``read_registry_rules``, plans/az-registry-rules.yaml,
``wpsnap registries setup``). Over wrong types, keys given twice, cut and garbled text and any bytes, each
file either reads or is refused with ``InvalidInput`` naming the field; what reads is set up or refused
the same way, and a refused setup writes no row."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from wpsnap.core.errors import InvalidInput
from wpsnap.registries.models import DerivationRule, RegistryRule
from wpsnap.registries.services.registry_setup import read_registry_rules, registry_rules_setup
from wpsnap.registries.services.setup import events_setup, read_districts
from wpsnap.reporting.models import DimensionOption

PLANS = Path(__file__).resolve().parents[2] / "plans"
DISTRICTS_TEXT = (PLANS / "az-districts.yaml").read_text(encoding="utf-8")
RULES_TEXT = (PLANS / "az-registry-rules.yaml").read_text(encoding="utf-8")
DISTRICTS: dict[str, Any] = yaml.safe_load(DISTRICTS_TEXT)
# A few districts are enough to vary; the whole list makes each example slower, not harder.
DISTRICTS["districts"] = DISTRICTS["districts"][:4]
RULES: dict[str, Any] = yaml.safe_load(RULES_TEXT)
FIXTURES = [HealthCheck.function_scoped_fixture]

odd_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]) | st.sampled_from("\x00\u202e:-,{}[]"),
    max_size=60,
)
wrong_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(),
    odd_text,
    st.text(min_size=41, max_size=300),
    st.lists(st.integers() | odd_text, max_size=3),
    st.dictionaries(odd_text, odd_text, max_size=3),
)


def _places(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found: list[tuple[Any, ...]] = []
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else []
    for key, value in items:
        found.append((*prefix, key))
        found += _places(value, (*prefix, key))
    return found


def mutated(base: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    places = _places(base)

    @st.composite
    def strategy(draw: st.DrawFn) -> dict[str, Any]:
        data = copy.deepcopy(base)
        for _ in range(draw(st.integers(1, 3))):
            path = draw(st.sampled_from(places))
            parent: Any = data
            try:
                for part in path[:-1]:
                    parent = parent[part]
                parent[path[-1]]
            except (KeyError, IndexError, TypeError):
                continue
            action = draw(st.sampled_from(["replace", "remove", "add"]))
            if action == "replace":
                parent[path[-1]] = draw(wrong_values)
            elif action == "remove":
                del parent[path[-1]]
            elif isinstance(parent, dict):
                parent[draw(odd_text)] = draw(wrong_values)
            else:
                parent.append(draw(wrong_values))
        return data

    return strategy()


@st.composite
def garbled(draw: st.DrawFn, text: str) -> str:
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, max(0, len(text) - 1)))
        action = draw(st.sampled_from(["truncate", "delete", "insert", "repeat"]))
        if action == "truncate":
            text = text[:at]
        elif action == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 30)) :]
        elif action == "insert":
            text = text[:at] + draw(odd_text) + text[at:]
        else:
            end = text.find("\n", at) + 1 or len(text)
            start = text.rfind("\n", 0, at) + 1
            text = text[:end] + text[start:end] + text[end:]
    return text


def _file(tmp_path: Path, content: str | bytes) -> Path:
    path = tmp_path / "file.yaml"
    if isinstance(content, str):
        content = content.encode("utf-8", "surrogatepass")
    path.write_bytes(content)
    return path


def _refused_by_field(refused: InvalidInput) -> None:
    assert refused.problems
    for problem in refused.problems:
        assert problem.code and problem.message
        assert problem.field or problem.code == "unreadable", problem


def _districts_contents() -> st.SearchStrategy[str | bytes]:
    return st.one_of(
        mutated(DISTRICTS).map(lambda d: yaml.safe_dump(d, allow_unicode=True, sort_keys=False)),
        garbled(DISTRICTS_TEXT),
        st.binary(max_size=200),
    )


def _rules_contents() -> st.SearchStrategy[str | bytes]:
    return st.one_of(
        mutated(RULES).map(lambda d: yaml.safe_dump(d, allow_unicode=True, sort_keys=False)),
        garbled(RULES_TEXT),
        st.binary(max_size=200),
    )


@pytest.mark.django_db
@settings(max_examples=50, deadline=None, suppress_health_check=FIXTURES)
@given(content=_districts_contents())
def test_a_districts_file_is_set_up_or_refused_by_field_with_nothing_written(events_plan, tmp_path, content):
    path = _file(tmp_path, content)
    with transaction.atomic():
        before = (DimensionOption.objects.count(), DerivationRule.objects.count())
        try:
            districts = read_districts(path)
            events_setup(plan=events_plan, districts=districts)
            event("set up")
        except InvalidInput as refused:
            event("refused")
            _refused_by_field(refused)
            assert (DimensionOption.objects.count(), DerivationRule.objects.count()) == before
        transaction.set_rollback(True)


@pytest.mark.django_db
@settings(max_examples=50, deadline=None, suppress_health_check=FIXTURES)
@given(content=_rules_contents())
def test_a_rules_file_is_set_up_or_refused_by_field_with_nothing_written(events_plan, tmp_path, content):
    path = _file(tmp_path, content)
    with transaction.atomic():
        before = RegistryRule.objects.count()
        try:
            data = read_registry_rules(path)
            registry_rules_setup(plan=events_plan, rules=data["rules"])
            event("set up")
        except InvalidInput as refused:
            event("refused")
            _refused_by_field(refused)
            assert RegistryRule.objects.count() == before
        transaction.set_rollback(True)


@settings(max_examples=20, deadline=None, suppress_health_check=FIXTURES)
@given(
    key=st.sampled_from(list(RULES["rules"])),
    target=st.from_regex(r"[a-z-]{1,20}:[a-z_]{1,20}", fullmatch=True),
)
def test_an_indicator_given_twice_in_the_rules_is_refused_naming_it(tmp_path, key, target) -> None:
    """YAML keeps the last of two equal keys: a rule written twice would be bound silently to one of
    them, so the file is refused naming the key."""
    text = RULES_TEXT + f"  {key}: {target}\n"
    with pytest.raises(InvalidInput) as refused:
        read_registry_rules(_file(tmp_path, text))
    assert [p.field for p in refused.value.problems] == [f"rules.{key}"]
    assert refused.value.problems[0].code == "duplicate"


def test_a_district_given_twice_is_refused_naming_it(tmp_path) -> None:
    text = DISTRICTS_TEXT + "  - {code: baku, name: Baku again}\n"
    with pytest.raises(InvalidInput) as refused:
        read_districts(_file(tmp_path, text))
    assert [(p.field, p.code) for p in refused.value.problems] == [
        (f"districts[{len(yaml.safe_load(DISTRICTS_TEXT)['districts'])}]", "duplicate")
    ]


@pytest.mark.parametrize(
    ("districts", "field", "code"),
    [
        (5, "districts", "invalid"),
        ("baku", "districts", "invalid"),
        ([{"code": "x" * 41, "name": "Long"}], "districts[0].code", "invalid"),
        ([{"code": "two words", "name": "Spaced"}], "districts[0].code", "invalid"),
        ([{"code": "ok", "name": "n" * 101}], "districts[0].name", "invalid"),
        ([{"code": "ok", "name": "Nul\x00"}], "districts[0].name", "invalid"),
        ([{"code": "ok", "name": "Fine", "az": ["a", "list"]}], "districts[0].az", "invalid"),
    ],
)
def test_districts_the_database_could_not_hold_are_refused_naming_the_field(tmp_path, districts, field, code):
    """Found by the property above: a list that is a number crashed the reader (TypeError), and codes and
    names longer than their columns, or holding NUL, failed only when written (on PostgreSQL)."""
    text = yaml.safe_dump({"format": "wpsnap-districts/1", "districts": districts}, allow_unicode=True)
    with pytest.raises(InvalidInput) as refused:
        read_districts(_file(tmp_path, text))
    assert [(p.field, p.code) for p in refused.value.problems] == [(field, code)]
