"""The translation screen and plan_translations_save (issue 13): coordinators translate the plan's content
part by part; only changed fields are written; a stale screen is refused; translations survive
`plan export --plan-file` then `plan load`."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from wpsnap.core.models import AuditEvent
from wpsnap.plan.models import Activity, Indicator, Pillar, Plan
from wpsnap.plan.schema import read_plan_file
from wpsnap.plan.translations import GENERAL, Submitted, TranslationsStale, part_items, plan_translations_save

from ..conftest import sign_in

pytestmark = pytest.mark.django_db

URL = "/plans/az-2020-2023/translations/ru/"


@pytest.fixture
def coordinator(make_user):
    return make_user("coordinator")


@pytest.fixture
def client_c(client, coordinator):
    return sign_in(client, coordinator)


def _pillar(plan: Plan) -> Pillar:
    return plan.pillars.order_by("position").first()  # type: ignore[return-value]


def test_the_general_part_lists_the_plans_texts_beside_inputs(
    client_c, az_plan, django_assert_num_queries
) -> None:
    # Session, user, second factor; the plan, its pillars; the plan's results and agencies.
    client_c.get(URL)  # the session's first writes after sign-in, before the measured request
    with django_assert_num_queries(7):
        response = client_c.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Translate the plan into Russian</h1>" in page
    assert f'id="src-plan-{az_plan.pk}-title">{az_plan.title}</p>' in page
    assert f'name="t-plan-{az_plan.pk}-title" lang="ru"' in page
    mod = az_plan.agencies.get(key="mod")
    assert f'name="t-agency-{mod.pk}-name"' in page


def test_a_pillar_part_costs_the_same_whatever_its_size(client_c, az_plan, django_assert_num_queries) -> None:
    pillars = list(az_plan.pillars.order_by("position"))
    client_c.get(URL)  # the session's first writes after sign-in, before the measured requests
    for pillar in pillars[:2]:
        # Session, user, second factor; the plan, its pillars; the pillar, its areas, activities, indicators.
        with django_assert_num_queries(9):
            response = client_c.get(URL, {"part": pillar.key})
        assert response.status_code == 200
    activity = Activity.objects.filter(priority_area__pillar=pillars[0]).first()
    assert activity is not None
    assert f'name="t-activity-{activity.pk}-text"' in response.content.decode() or pillars[1] != pillars[0]


def test_missing_only_hides_translated_texts(client_c, az_plan) -> None:
    mod = az_plan.agencies.get(key="mod")
    mod.translations = {"ru": {"name": "Министерство обороны"}}
    mod.save(update_fields=["translations"])
    page = client_c.get(URL, {"missing": "1"}).content.decode()
    assert f'name="t-agency-{mod.pk}-name"' not in page
    assert f'name="t-agency-{mod.pk}-short_name"' in page
    assert f'name="t-agency-{mod.pk}-name"' in client_c.get(URL).content.decode()


def _post_data(items, changes: dict[str, str]) -> dict[str, str]:
    data: dict[str, str] = {}
    for item in items:
        data[f"s-{item.prefix}"] = item.stamp
        for field in item.fields:
            data[f"t-{item.prefix}-{field.name}"] = field.text
    data.update(changes)
    return data


def test_saving_writes_only_the_changed_fields(client_c, az_plan, coordinator) -> None:
    pillar = _pillar(az_plan)
    items = part_items(az_plan, pillar.key, "ru")
    activity = next(item.obj for item in items if item.kind == "activity")
    indicator = next(item.obj for item in items if item.kind == "indicator")
    before = Indicator.objects.get(pk=indicator.pk).updated_at
    lines = AuditEvent.objects.count()
    data = _post_data(items, {f"t-activity-{activity.pk}-text": "  Обучение по вопросам гендера  "})
    response = client_c.post(f"{URL}?part={pillar.key}", data)
    assert response.status_code == 302
    assert response["Location"] == f"{URL}?part={pillar.key}"
    activity.refresh_from_db()
    assert activity.translations["ru"]["text"] == "Обучение по вопросам гендера"
    assert activity.translations["az"] == Activity.objects.get(pk=activity.pk).translations["az"]
    assert Indicator.objects.get(pk=indicator.pk).updated_at == before  # untouched
    assert AuditEvent.objects.filter(note=f"translations ru: 1 texts in {pillar.key}").exists()
    assert AuditEvent.objects.count() == lines + 2  # the activity's history line and the plan's
    # Emptying a field removes its translation; the page then marks the English text as a fallback.
    items = part_items(az_plan, pillar.key, "ru")
    response = client_c.post(
        f"{URL}?part={pillar.key}", _post_data(items, {f"t-activity-{activity.pk}-text": ""})
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert "text" not in activity.translations.get("ru", {})
    client_c.post("/i18n/setlang/", {"language": "ru", "next": "/"})
    page = client_c.get(f"/plans/az-2020-2023/activities/{activity.key}/").content.decode()
    assert f'<span lang="en">{activity.text}</span> <small class="fallback-note">' in page


def test_a_stale_screen_is_refused_and_nothing_is_saved(client_c, az_plan) -> None:
    items = part_items(az_plan, GENERAL, "ru")
    mod = az_plan.agencies.get(key="mod")
    # Someone else saves a translation of MoD after the screen was opened.
    mod.translations = {"ru": {"short_name": "Минобороны"}}
    mod.save(update_fields=["translations", "updated_at"])
    data = _post_data(
        items,
        {f"t-agency-{mod.pk}-name": "Министерство обороны", f"t-plan-{az_plan.pk}-short_title": "НПД 1325"},
    )
    before = dict(az_plan.translations)
    response = client_c.post(URL, data)
    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else changed some of these texts since you opened the page." in page
    assert f'id="err-agency-{mod.pk}-name">Changed by someone else since you opened the page.' in page
    assert "Министерство обороны</textarea>" in page  # what was typed is kept
    az_plan.refresh_from_db()
    mod.refresh_from_db()
    assert az_plan.translations == before
    assert mod.translations == {"ru": {"short_name": "Минобороны"}}


def test_bad_input_names_the_field_and_saves_nothing(client_c, az_plan, coordinator) -> None:
    items = part_items(az_plan, GENERAL, "ru")
    data = _post_data(
        items, {f"t-plan-{az_plan.pk}-title": "x" * 5001, f"t-plan-{az_plan.pk}-short_title": "НПД"}
    )
    before = dict(az_plan.translations)
    response = client_c.post(URL, data)
    assert response.status_code == 400
    assert f'id="err-plan-{az_plan.pk}-title">At most 5000 characters.' in response.content.decode()
    az_plan.refresh_from_db()
    assert az_plan.translations == before
    assert client_c.post(URL, {"t-plan-99999999-title": "x", "s-plan-99999999": "x"}).status_code == 400
    assert client_c.post(URL, {"t-nothing-1-title": "x"}).status_code == 400
    assert client_c.get(URL, {"part": "no-such-pillar"}).status_code == 400
    with pytest.raises(TranslationsStale):
        plan_translations_save(
            actor=coordinator,
            plan=az_plan,
            language="ru",
            part=GENERAL,
            submitted=[Submitted("plan", az_plan.pk, "2000-01-01", {"short_title": "НПД"})],
        )


def test_the_plan_page_links_coordinators_to_the_screen(client_c, az_plan) -> None:
    page = client_c.get("/plans/az-2020-2023/").content.decode()
    assert f'<a href="{URL}" hreflang="ru">Russian</a>' in page
    assert "Translate the plan" not in Client().get("/plans/az-2020-2023/").content.decode()


def test_only_coordinators_translate(client, az_plan, make_user) -> None:
    assert client.get(URL).status_code == 302  # to sign in
    for role in ("focal_point", "approver", "evaluator", "ngo_contributor"):
        assert sign_in(Client(), make_user(role)).get(URL).status_code == 403, role
    coordinator = sign_in(Client(), make_user("coordinator"))
    assert coordinator.get("/plans/az-2020-2023/translations/en/").status_code == 404  # the original
    assert coordinator.get("/plans/az-2020-2023/translations/fr/").status_code == 404


def test_translations_survive_plan_export_then_plan_load(az_plan, coordinator, tmp_path: Path) -> None:
    pillar = _pillar(az_plan)
    items = part_items(az_plan, pillar.key, "az")
    activity = next(item for item in items if item.kind == "activity")
    plan_translations_save(
        actor=coordinator,
        plan=az_plan,
        language="az",
        part=pillar.key,
        submitted=[Submitted("activity", activity.obj.pk, activity.stamp, {"text": "Gender üzrə təlimlər"})],
    )
    exported = StringIO()
    call_command("plan", "export", "az-2020-2023", "--plan-file", stdout=exported)
    path = tmp_path / "plan.yaml"
    path.write_text(exported.getvalue(), encoding="utf-8")
    read_plan_file(path)  # a valid plan file (the schema's checks)
    call_command("plan", "load", str(path), stdout=StringIO())
    reloaded = Activity.objects.get(pk=activity.obj.pk)
    assert reloaded.translations["az"]["text"] == "Gender üzrə təlimlər"
    assert az_plan.agencies.get(key="mod").translations["az"]["name"] == "Müdafiə Nazirliyi"
    again = StringIO()
    call_command("plan", "export", "az-2020-2023", "--plan-file", stdout=again)
    assert again.getvalue() == exported.getvalue()
    assert timezone.now() - reloaded.updated_at < dt.timedelta(hours=1)


def test_plan_pages_in_az_show_the_translation_marked_unofficial(client, az_plan) -> None:
    """The shipped Azerbaijani text, with the notice; in English, neither."""
    assert az_plan.unofficial_translations == ["az", "ru"]
    client.post("/i18n/setlang/", {"language": "az", "next": "/"})
    page = client.get("/plans/az-2020-2023/").content.decode()
    assert '<p class="unofficial-translation alert alert-secondary small py-2" role="note">' in page
    assert f'<h1 class="plan-title">{az_plan.translations["az"]["title"]}</h1>' in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/plans/az-2020-2023/").content.decode()
    assert "unofficial-translation" not in page
    assert f'<h1 class="plan-title">{az_plan.title}</h1>' in page
