"""The registries' generic pages (issue 14), walked as each role would: the index, a kind's list with its
filters and its numbers-only view, a record's page, recording, changing (a stale form refused with both
values shown) and deleting a record. Real database, real services; query counts pinned."""

from __future__ import annotations

import re
from random import Random

import pytest
from django.urls import reverse

from .conftest import add_records, kind, sign_in

pytestmark = pytest.mark.django_db


def page(name: str, kind_name: str, ref=None) -> str:
    kwargs = {"kind": kind_name} | ({"ref": ref} if ref is not None else {})
    return reverse(f"registry_kinds:{name}", kwargs=kwargs)


# --- who sees what ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("focal", {"list": 200, "create": 200, "import": 200}),
        ("approver", {"list": 200, "create": 403, "import": 403}),
        ("coordinator", {"list": 200, "create": 200, "import": 200}),
        ("evaluator", {"list": 200, "create": 403, "import": 403}),
        ("other_focal", {"list": 200, "create": 200, "import": 200}),
    ],
)
def test_a_staff_registry_answers_each_role(client, people, publications, role, expected) -> None:
    sign_in(client, people[role])
    for name, status in expected.items():
        assert client.get(page(name, "publications")).status_code == status, name
    record = publications[0]
    assert client.get(page("detail", "publications", record.ref)).status_code == 200
    edit = client.get(page("edit", "publications", record.ref)).status_code
    # Only the owner's writers and coordinators change a record: MIA's focal point sees it, may not change it.
    assert edit == (200 if role in ("focal", "coordinator") else 403)


def test_signed_out_visitors_are_sent_to_sign_in(client, publications) -> None:
    for url in (
        reverse("registry_kinds:index"),
        page("list", "publications"),
        page("detail", "publications", publications[0].ref),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_legal_aid_is_invisible_to_other_agencies_and_numbers_only_for_evaluators(
    client, people, events_plan
) -> None:
    """The most restricted registry: another agency's focal point gets 403 on the list and 404 (audited)
    on a record; an evaluator sees how many, never a record."""
    from wpsnap.core.models import AuditAction, AuditEvent

    records = add_records("legal-aid", people["focal"], events_plan, 2)
    ref = records[0].ref
    sign_in(client, people["other_focal"])
    response = client.get(page("list", "legal-aid"))
    # MIA's focal point may count its own (none) but never reads MoD's.
    assert response.status_code == 200
    assert str(ref) not in response.content.decode()
    assert client.get(page("detail", "legal-aid", ref)).status_code == 404
    refused = AuditEvent.objects.filter(action=AuditAction.ACCESS_REFUSED, object_id=str(records[0].pk))
    assert refused.filter(actor=people["other_focal"]).exists()

    client.logout()
    sign_in(client, people["evaluator"])
    response = client.get(page("list", "legal-aid"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="counts-only"' in body and "2 records in this plan." in body
    assert str(ref) not in body and records[0].beneficiary_code not in body
    # An evaluator may read no record of it at all: refused before any record is looked for (403 for
    # any id, so nothing is learnt).
    assert client.get(page("detail", "legal-aid", ref)).status_code == 403


def test_the_index_lists_the_registries_the_viewer_may_see(client, people, publications) -> None:
    sign_in(client, people["focal"])
    response = client.get(reverse("registry_kinds:index"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-kind="publications"' in body
    assert re.search(r'data-kind="publications".*?data-records>3<', body, re.S)
    # The staff menu links to it.
    assert 'href="/registries/"' in body


def test_an_unknown_kind_or_record_is_404(client, people, publications) -> None:
    import uuid

    sign_in(client, people["focal"])
    assert client.get("/registries/no-such-registry/").status_code == 404
    assert client.get(page("detail", "publications", uuid.uuid4())).status_code == 404


# --- the list -----------------------------------------------------------------------------------------


def test_the_list_filters_by_owner_activity_year_and_words(client, people, events_plan, publications) -> None:
    coordinator_made = add_records(
        "publications",
        people["coordinator"],
        events_plan,
        1,
        seed=9,
        title="Gender budgeting in ministries",
        published_on="2022-05-01",
    )
    sign_in(client, people["focal"])
    url = page("list", "publications")
    everything = client.get(url).content.decode()
    assert everything.count("data-record=") == 4
    mine = client.get(url, {"owner": "mod"}).content.decode()
    assert mine.count("data-record=") == 3
    found = client.get(url, {"q": "budgeting in ministries"}).content.decode()
    assert found.count("data-record=") == 1 and str(coordinator_made[0].ref) in found
    in_2022 = client.get(url, {"year": "2022"}).content.decode()
    assert str(coordinator_made[0].ref) in in_2022
    by_activity = client.get(url, {"activity": "5.2.6.4"}).content.decode()
    assert by_activity.count("data-record=") == 3
    # An activity the registry is not declared for, but a record is linked to (an activity page links so).
    linked = add_records("publications", people["focal"], events_plan, 1, seed=11, activities="5.2.6.1")
    elsewhere = client.get(url, {"activity": "5.2.6.1"})
    assert elsewhere.status_code == 200
    assert (
        elsewhere.content.decode().count("data-record=") == 1
        and str(linked[0].ref) in elsewhere.content.decode()
    )
    bad = client.get(url, {"owner": "nobody"})
    assert bad.status_code == 400
    assert "is not in the list" in bad.content.decode()


def test_the_list_costs_the_same_queries_for_3_and_30_records(
    client, people, events_plan, django_assert_num_queries
) -> None:
    sign_in(client, people["focal"])
    url = page("list", "publications")
    add_records("publications", people["focal"], events_plan, 3, activities="5.2.6.4")
    client.get(url)
    with django_assert_num_queries(QUERIES["list"]):
        assert client.get(url).status_code == 200
    add_records("publications", people["focal"], events_plan, 27, seed=2, activities="5.2.6.4")
    with django_assert_num_queries(QUERIES["list"]):
        assert client.get(url).content.decode().count("data-record=") == 30


# Queries of each page, pinned: a change that adds one per row shows here.
QUERIES = {"list": 9, "detail": 5, "edit": 8, "index": 19}


def test_the_record_pages_cost_a_fixed_number_of_queries(
    client, people, publications, django_assert_num_queries
) -> None:
    sign_in(client, people["focal"])
    ref = publications[0].ref
    client.get(page("detail", "publications", ref))
    with django_assert_num_queries(QUERIES["detail"]):
        assert client.get(page("detail", "publications", ref)).status_code == 200
    with django_assert_num_queries(QUERIES["edit"]):
        assert client.get(page("edit", "publications", ref)).status_code == 200


def test_the_index_costs_the_same_queries_for_any_number_of_records(client, people, events_plan) -> None:
    """The index counts each registry once: its queries grow with the registries installed (and their
    visibility rules), never with their records."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sign_in(client, people["focal"])
    url = reverse("registry_kinds:index")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    add_records("publications", people["focal"], events_plan, 20, activities="5.2.6.4")
    add_records("legal-aid", people["focal"], events_plan, 5)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few) == QUERIES["index"]


# --- recording, changing, deleting ---------------------------------------------------------------------


def _post_data(**values):
    data = {
        "activities": ["5.2.6.4"],
        "title": "Handbook for gender officers",
        "material_type": "",
        "published_on": "2021-06-01",
        "audience": [],
        "languages": [],
        "summary": "",
        "produced_by": "",
        "link": "",
        "copies": "",
    }
    data.update(values)
    return {k: v for k, v in data.items() if v not in ([],)}


def test_a_focal_point_records_a_publication_through_the_form(client, people, events_plan) -> None:
    from wpsnap.registries.publications.models import Publication

    sign_in(client, people["focal"])
    url = page("create", "publications") + f"?plan={events_plan.slug}"
    form = client.get(url)
    assert form.status_code == 200
    body = form.content.decode()
    assert 'name="published_on"' in body and 'type="date"' in body
    # A focal point does not choose the owner: the record is their agency's.
    assert 'name="owner"' not in body
    response = client.post(url, _post_data(material_type="guide", audience=["gender_officers"]))
    assert response.status_code == 302, re.findall(r"<li><a href=\"#[^<]*</a>", response.content.decode())
    record = Publication.objects.get(title="Handbook for gender officers")
    assert record.owner.key == "mod" and record.audience == ["gender_officers"]
    assert [a.code for a in record.activities.all()] == ["5.2.6.4"]
    assert response["Location"] == page("detail", "publications", record.ref)


def test_bad_input_is_named_next_to_its_field_and_nothing_is_saved(client, people, events_plan) -> None:
    from wpsnap.registries.publications.models import Publication

    sign_in(client, people["focal"])
    url = page("create", "publications") + f"?plan={events_plan.slug}"
    response = client.post(
        url,
        _post_data(
            title="",
            published_on="31 February",
            copies="many",
            material_type="guide",
            audience=["gender_officers"],
        ),
    )
    assert response.status_code == 400
    body = response.content.decode()
    for field in ("title", "published_on", "copies"):
        assert f'id="id_{field}"' in body
        assert re.search(rf'<a href="#id_{field}">[^<]+: ', body), field
    assert 'aria-invalid="true"' in body
    assert "is not a date" in body and "is not a whole number" in body
    assert Publication.objects.count() == 0


def test_a_stale_edit_is_refused_with_both_values_and_a_merge_goes_through(
    client, people, publications
) -> None:
    from wpsnap.registries.kinds.services import record_update

    record = publications[0]
    sign_in(client, people["focal"])
    url = page("edit", "publications", record.ref)
    form = client.get(url).content.decode()
    version = re.search(r'name="version" id="form-version" value="(\d+)"', form)[1]
    base = re.search(r'name="base" id="form-base" value="([^"]*)"', form)[1]
    import html
    import json

    shown = json.loads(html.unescape(base))
    # Meanwhile the coordinator changes the title.
    record_update(
        kind=kind("publications"),
        actor=people["coordinator"],
        record=record,
        values={"title": "Their title"},
        version=None,
    )
    posted = {k: v for k, v in shown.items() if k not in ("activities", "audience", "languages")}
    posted.update(version=version, base=html.unescape(base), title="My title")
    posted["activities"] = shown["activities"].split(";") if shown["activities"] else []
    posted["audience"] = shown["audience"].split(";") if shown["audience"] else []
    posted["languages"] = shown["languages"].split(";") if shown["languages"] else []
    response = client.post(url, posted)
    assert response.status_code == 409
    body = response.content.decode()
    assert 'id="form-conflicts"' in body
    assert "Their title" in body and "My title" in body
    record.refresh_from_db()
    assert record.title == "Their title"
    # Another field only: merged with theirs, saved.
    posted["title"] = "Their title"
    posted["version"] = version
    posted["summary"] = "A new summary"
    response = client.post(url, posted)
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.title, record.summary) == ("Their title", "A new summary")


def test_deleting_a_record_asks_first_then_deletes(client, people, publications) -> None:
    from wpsnap.registries.publications.models import Publication

    record = publications[0]
    sign_in(client, people["focal"])
    url = page("delete", "publications", record.ref)
    confirm = client.get(url)
    assert confirm.status_code == 200 and "Delete the record" in confirm.content.decode()
    response = client.post(url, {"version": record.version})
    assert response.status_code == 302
    assert not Publication.objects.filter(pk=record.pk).exists()
    # Another agency's focal point may not delete (403, nothing deleted).
    other = publications[1]
    client.logout()
    sign_in(client, people["other_focal"])
    assert (
        client.post(page("delete", "publications", other.ref), {"version": other.version}).status_code == 403
    )
    assert Publication.objects.filter(pk=other.pk).exists()


def test_a_coordinator_chooses_the_owner(client, people, events_plan) -> None:
    from wpsnap.registries.publications.models import Publication

    sign_in(client, people["coordinator"])
    url = page("create", "publications") + f"?plan={events_plan.slug}"
    assert 'name="owner"' in client.get(url).content.decode()
    response = client.post(url, _post_data(owner="mia", material_type="guide", audience=["gender_officers"]))
    assert response.status_code == 302
    assert Publication.objects.get().owner.key == "mia"


# --- a record's files ---------------------------------------------------------------------------------


def test_a_record_carries_files_added_downloaded_and_removed_through_the_gate(
    client, people, publications, settings, tmp_path
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from wpsnap.registries.models import RecordFile

    settings.MEDIA_ROOT = str(tmp_path)
    record = publications[0]
    sign_in(client, people["focal"])
    add = reverse("registry_kinds:file_add", kwargs={"kind": "publications", "ref": record.ref})
    pdf = b"%PDF-1.4\n%%EOF\n"
    response = client.post(add, {"file": SimpleUploadedFile("handbook.pdf", pdf, "application/pdf")})
    assert response.status_code == 302
    stored = RecordFile.objects.get(registry="publications", record_ref=record.ref)
    detail = client.get(page("detail", "publications", record.ref)).content.decode()
    assert "handbook.pdf" in detail and 'id="files"' in detail
    # Not a document: named next to the field, nothing kept.
    bad = client.post(
        add, {"file": SimpleUploadedFile("page.pdf", b"<html><script>x</script></html>", "application/pdf")}
    )
    assert bad.status_code == 400 and 'id="id_file_error"' in bad.content.decode()
    assert RecordFile.objects.count() == 1
    download = reverse(
        "registry_kinds:file", kwargs={"kind": "publications", "ref": record.ref, "file_pk": stored.pk}
    )
    # Whoever sees the record downloads it (MIA's focal point), nobody else removes it.
    client.logout()
    sign_in(client, people["other_focal"])
    response = client.get(download)
    assert response.status_code == 200 and b"".join(response.streaming_content) == pdf
    remove = reverse(
        "registry_kinds:file_delete", kwargs={"kind": "publications", "ref": record.ref, "file_pk": stored.pk}
    )
    assert client.post(remove).status_code == 403
    client.logout()
    sign_in(client, people["focal"])
    assert client.post(remove).status_code == 302
    assert not RecordFile.objects.exists()


# --- a record pointing at another registry's --------------------------------------------------------


def test_an_item_names_its_outlet_from_a_list_and_the_outlet_is_kept_while_items_point_at_it(
    client, people, events_plan
) -> None:
    from wpsnap.registries.media.models import MediaItem, MediaOutlet

    outlet = add_records("media-outlets", people["focal"], events_plan, 1, name="Baku Daily")[0]
    sign_in(client, people["focal"])
    url = page("create", "media-items") + f"?plan={events_plan.slug}"
    form = client.get(url).content.decode()
    assert f'<option value="{outlet.ref}">Baku Daily</option>' in form
    values = {**kind("media-items").examples(Random(2)), "outlet": str(outlet.ref)}
    response = client.post(url, {k: v for k, v in values.items() if v})
    assert response.status_code == 302, re.findall(r'<li><a href="#[^<]*</a>', response.content.decode())
    item = MediaItem.objects.get()
    assert item.outlet == outlet
    # The item's page names the outlet by its name.
    detail = client.get(page("detail", "media-items", item.ref)).content.decode()
    assert "Baku Daily" in detail and f"[{outlet.ref}]" not in detail
    # The outlet cannot go while an item points at it: said, nothing deleted.
    refused = client.post(page("delete", "media-outlets", outlet.ref), {"version": outlet.version})
    assert refused.status_code == 409
    assert "points at this one" in refused.content.decode()
    assert MediaOutlet.objects.filter(pk=outlet.pk).exists()
