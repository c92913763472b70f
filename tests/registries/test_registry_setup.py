"""Binding the plan's indicators to the registries' counts from the plan's rules file
(``plans/az-registry-rules.yaml``, ``wpsnap registries setup``): every line names a real count indicator
and a real registry count, a second run changes nothing, an indicator counted from events or rebound by a
coordinator is left alone, a bad file binds nothing and names each problem by its key."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from wpsnap.core.errors import InvalidInput
from wpsnap.plan.models import Indicator, IndicatorKind
from wpsnap.registries.kinds import catalogue
from wpsnap.registries.kinds.figures import count_named
from wpsnap.registries.models import DerivationRule, Measure, RegistryRule
from wpsnap.registries.services.registry_setup import read_registry_rules, registry_rules_setup

pytestmark = pytest.mark.django_db

RULES = settings.WPSNAP_PLANS_DIR / "az-registry-rules.yaml"


def test_the_shipped_file_names_count_indicators_of_the_plan_and_counts_of_the_registries(az_plan):
    data = read_registry_rules(RULES)
    assert data["plan"] == az_plan.slug
    indicators = {i.key: i for i in Indicator.objects.filter(plan=az_plan)}
    assert len(data["rules"]) >= 9
    for key, target in data["rules"].items():
        assert indicators[key].kind == IndicatorKind.COUNT, key
        name, _sep, count = target.partition(":")
        kind = catalogue.kind_named(name)
        assert kind is not None and count_named(kind, count) is not None, target
        # The registry serves the indicator's activity (the indicator is reachable from its registry).
        assert indicators[key].activity is None or indicators[key].activity.code in kind.activity_codes, key


def test_setup_binds_each_indicator_once_and_a_second_run_changes_nothing(az_plan):
    rules = read_registry_rules(RULES)["rules"]
    first = registry_rules_setup(plan=az_plan, rules=rules)
    assert sorted(first.bound) == sorted(rules)
    bound = {r.indicator.key: f"{r.kind}:{r.count}" for r in RegistryRule.objects.select_related("indicator")}
    assert bound == rules
    second = registry_rules_setup(plan=az_plan, rules=rules)
    assert second.bound == [] and sorted(second.kept) == sorted(rules)
    assert RegistryRule.objects.count() == len(rules)


def test_an_indicator_counted_from_events_or_rebound_by_a_coordinator_is_left_alone(az_plan):
    rules = read_registry_rules(RULES)["rules"]
    events_key, rebound_key = sorted(rules)[:2]
    DerivationRule.objects.create(
        indicator=Indicator.objects.get(plan=az_plan, key=events_key), measure=Measure.EVENTS
    )
    RegistryRule.objects.create(
        indicator=Indicator.objects.get(plan=az_plan, key=rebound_key),
        kind="publications",
        count="publications",
    )
    result = registry_rules_setup(plan=az_plan, rules=rules)
    assert result.from_events == [events_key]
    assert result.kept == [rebound_key]
    assert not RegistryRule.objects.filter(indicator__key=events_key).exists()
    assert RegistryRule.objects.get(indicator__key=rebound_key).kind == "publications"


def test_a_bad_file_binds_nothing_and_names_every_problem_by_its_key(az_plan):
    rules = {
        "5.2.3-1-i1": "peacebuilding-actors:actors",
        "no-such-indicator": "media-items:articles",
        "5.4.1-3-i1": "media-items:no-such-count",
        "5.2.6-4-i1": "publications:publications",  # a document indicator, not a count
    }
    with pytest.raises(InvalidInput) as caught:
        registry_rules_setup(plan=az_plan, rules=rules)
    fields = {problem.field for problem in caught.value.problems}
    assert fields == {"rules.no-such-indicator", "rules.5.4.1-3-i1", "rules.5.2.6-4-i1"}
    assert not RegistryRule.objects.exists()


def test_a_file_of_another_format_is_refused_by_its_field(tmp_path: Path):
    path = tmp_path / "rules.yaml"
    path.write_text("format: something-else\nrules: {}\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        read_registry_rules(path)
    assert [p.field for p in caught.value.problems] == ["format"]
    path.write_text("format: [unclosed\n", encoding="utf-8")
    with pytest.raises(InvalidInput):
        read_registry_rules(path)


def test_the_command_binds_and_says_so_and_refuses_a_file_of_another_plan(az_plan, tmp_path: Path):
    out = StringIO()
    call_command("registries", "setup", az_plan.slug, stdout=out)
    rules = read_registry_rules(RULES)["rules"]
    assert out.getvalue().startswith(f"{len(rules)} ")
    assert RegistryRule.objects.count() == len(rules)
    other = tmp_path / "other.yaml"
    other.write_text("format: wpsnap-registry-rules/1\nplan: another-plan\nrules: {}\n", encoding="utf-8")
    with pytest.raises(CommandError, match="another-plan"):
        call_command("registries", "setup", az_plan.slug, "--rules", str(other), stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("registries", "setup", "no-such-plan", stdout=StringIO())
