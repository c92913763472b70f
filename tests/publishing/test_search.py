"""Public search (``wpsnap.publishing.search``, issue 13): Azerbaijani and Cyrillic words found whatever
their case (the Turkic i's, ə/Ə, ё/е), in every language of the plan; drafts and unpublished reports never;
titles in the language asked for; a pinned number of queries. Runs on SQLite and PostgreSQL alike (the
folding is Python's, not the database's)."""

# ruff: noqa: RUF001, RUF002 - Azerbaijani and Cyrillic letters on purpose

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wpsnap.accounts.models import Organisation
from wpsnap.plan.models import Activity, Pillar, Plan, PlanStatus
from wpsnap.publishing.search import fold, public_search, query_words
from wpsnap.reporting.workflow import Status

AZ_TITLE = "Qadınların İştirakı: İSTİFADƏ olunan Əməkdaşlıq mexanizmləri"
RU_TITLE = "Участие женщин в объединённых миротворческих силах"


def turkic_upper(text: str) -> str:
    return "".join("İ" if c == "i" else "I" if c == "ı" else c.upper() for c in text)


def turkic_lower(text: str) -> str:
    return "".join("ı" if c == "I" else "i" if c == "İ" else c.lower() for c in text)


CASINGS = (str, str.upper, str.lower, turkic_upper, turkic_lower, str.title, str.casefold)


def test_fold_makes_the_turkic_is_one_letter_and_yo_ye() -> None:
    assert fold("ISTIFADƏ") == fold("istifadə") == fold("İstifadə") == fold("ıstıfadə") == "istifadə"
    assert fold("ƏMƏKDAŞLIQ") == fold("əməkdaşlıq")
    assert fold("ОБЪЕДИНЁННЫХ") == fold("объединенных") == fold("Объединённых")
    assert fold("Әмәкдашлыг") == fold("Əmək")[:0] + "əмəкдашлыг"  # the Cyrillic schwa is the Latin one
    assert fold("i\u0307stifadə") == "istifadə"  # "İ" lowercased by Python keeps a combining dot
    assert query_words("  İştirakı, İSTİFADƏ!  istifadə ") == ["iştiraki", "istifadə"]


@pytest.fixture
def translated(az_plan) -> tuple[Plan, Pillar, Activity]:
    """A pillar with an Azerbaijani and a Russian title, an activity with a Russian text."""
    pillar = az_plan.pillars.order_by("position").first()
    pillar.translations = {"az": {"title": AZ_TITLE}, "ru": {"title": RU_TITLE}}
    pillar.save(update_fields=["translations"])
    activity = az_plan.activities.order_by("position").first()
    activity.translations = {"ru": {"text": "Проведение учёбы для сотрудников"}}
    activity.save(update_fields=["translations"])
    return az_plan, pillar, activity


def _found(query: str, kind: str, key: str, language: str = "en") -> bool:
    return any(hit.kind == kind and hit.key == key for hit in public_search(query, language=language))


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    word=st.sampled_from([w for w in (AZ_TITLE + " " + RU_TITLE).replace(":", " ").split() if len(w) > 2]),
    casings=st.lists(st.sampled_from(CASINGS), min_size=1, max_size=40),
)
def test_any_casing_of_a_word_in_the_plan_finds_it(translated, word: str, casings) -> None:
    """Each letter of the word cased by any rule (Python's, Azerbaijani's, title, casefold) finds the pillar."""
    _plan, pillar, _activity = translated
    variant = "".join(casings[n % len(casings)](char) for n, char in enumerate(word))
    assert _found(variant, "pillar", pillar.key), variant


@pytest.mark.django_db
def test_yo_and_ye_find_each_other(translated) -> None:
    _plan, pillar, activity = translated
    assert _found("объединенных", "pillar", pillar.key)
    assert _found("ОБЪЕДИНЁННЫХ", "pillar", pillar.key)
    assert _found("учебы", "activity", activity.key)
    assert _found("УЧЁБЫ", "activity", activity.key)


@pytest.mark.django_db
def test_every_word_must_match_and_parts_of_words_do(translated) -> None:
    _plan, pillar, _activity = translated
    assert _found("qadın əməkdaş", "pillar", pillar.key)  # beginnings of longer words
    assert not _found("qadın zzzqqq", "pillar", pillar.key)
    assert public_search("   ,;!  ", language="en") == []


@pytest.mark.django_db
def test_titles_and_snippets_in_the_language_asked_for(translated) -> None:
    _plan, pillar, activity = translated
    az = next(h for h in public_search("İSTİFADƏ", language="az") if h.key == pillar.key)
    assert (
        az.kind == "pillar" and az.plan_slug == "az-2020-2023" and az.title == AZ_TITLE and az.snippet == ""
    )
    en = next(h for h in public_search("İSTİFADƏ", language="en") if h.key == pillar.key)
    assert en.title == pillar.title  # English (the default text) when asked in English
    assert "İSTİFADƏ" in en.snippet  # where the match is: the Azerbaijani title
    ru = next(h for h in public_search("учебы", language="ru") if h.key == activity.key)
    assert ru.title == "Проведение учёбы для сотрудников"


@pytest.mark.django_db
def test_english_text_and_the_limit(az_plan) -> None:
    hits = public_search("women", language="en", limit=5)
    assert len(hits) == 5
    assert {h.kind for h in public_search("women", language="en", limit=500)} >= {"plan", "activity"}
    assert public_search("women", language="en", limit=0) == []


@pytest.mark.django_db
def test_a_draft_plan_is_never_searched(translated) -> None:
    plan, _pillar, _activity = translated
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.DRAFT)
    assert public_search("İSTİFADƏ", language="az") == []
    assert public_search("women", language="en") == []


@pytest.mark.django_db
def test_query_count_is_pinned(translated, django_assert_num_queries) -> None:
    with django_assert_num_queries(8):
        assert public_search("İSTİFADƏ", language="az")


# --- published reports ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_published_reports_are_found_by_their_agency_and_unpublished_ones_not(world, people) -> None:
    """The world's reports: MoD's published ones are found by MoD's name (in Azerbaijani too), never a
    draft or an approved one, and one unpublished leaves the hits."""
    from wpsnap.reporting import services

    mod = Organisation.objects.get(country="AZ", key="mod")
    Organisation.objects.filter(pk=mod.pk).update(translations={"az": {"name": "Müdafiə Nazirliyi"}})
    published = {
        str(r.pk)
        for r, w in zip(world.reports, world.written, strict=True)
        if w.agency == "mod" and w.status == Status.PUBLISHED
    }
    others = {
        str(r.pk) for r, w in zip(world.reports, world.written, strict=True) if w.status != Status.PUBLISHED
    }
    assert published and others

    def reports(query: str) -> set[str]:
        return {h.key for h in public_search(query, language="az", limit=500) if h.kind == "report"}

    assert reports("MÜDAFİƏ NAZİRLİYİ") == published
    assert reports(mod.name) >= published
    assert not reports(mod.name) & others
    first = next(r for r in world.reports if str(r.pk) in published)
    services.report_unpublish(actor=people["coordinator"], report=first, reason="A wrong figure.")
    assert reports("müdafiə") == published - {str(first.pk)}
    hit = next(h for h in public_search("müdafiə", language="az") if h.kind == "report")
    assert "Müdafiə Nazirliyi" in hit.title
