"""The report pages: the list of a plan's reports, the coordinator's text, and building a report."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from wpsnap.exports.models import ReportNarrative
from wpsnap.exports.services import narrative_save

from ..conftest import sign_in

pytestmark = pytest.mark.django_db

SLUG = "az-2020-2023"


def _client(make_user, role: str, org: str | None = None, name: str | None = None) -> Client:
    return sign_in(Client(), make_user(role, org, name))


def _list() -> str:
    return reverse("exports:reports", args=[SLUG])


def _write(first: int = 2020, last: int = 2023) -> str:
    return reverse("exports:report_write", args=[SLUG, first, last])


def _build(first: int = 2020, last: int = 2023) -> str:
    return reverse("exports:report_build", args=[SLUG, first, last])


@pytest.mark.parametrize(
    ("role", "internal", "writes"),
    [
        ("coordinator", True, True),
        ("evaluator", True, False),
        ("approver", False, False),
        ("focal_point", False, False),
        ("ngo_contributor", False, False),
    ],
)
def test_list_for_each_role(make_user, role, internal, writes):
    """Everyone signed in sees the plan's four annual reports and its review, each with a form to build
    it; the internal version is offered to coordinators and evaluators only, the link to write the text
    to coordinators only."""
    page = _client(make_user, role).get(_list())
    assert page.status_code == 200
    html = page.content.decode()
    for span in ["2020-2020", "2021-2021", "2022-2022", "2023-2023", "2020-2023"]:
        assert f'data-report="{span}"' in html
        assert f'action="{_build(*map(int, span.split("-")))}"' in html
    assert "End-of-plan review 2020–2023" in html  # noqa: RUF001 - the en dash the page shows
    assert ('value="internal"' in html) is internal
    assert 'value="public"' in html
    assert (f'href="{_write()}"' in html) is writes


def test_list_counts_written_sections(az_plan, make_user):
    """The list says how many sections of each report are written in each language."""
    coordinator = make_user("coordinator")
    for section in ("summary", "conclusions"):
        narrative_save(
            viewer=coordinator,
            plan=az_plan,
            first_year=2021,
            last_year=2021,
            section=section,
            language="ru",
            text="Текст.",
            base_version=0,
        )
    html = sign_in(Client(), coordinator).get(_list()).content.decode()
    card = html.split('data-report="2021-2021"')[1].split("</li>")[0]
    assert "2 sections" in card


def test_query_counts(az_plan, make_user, django_assert_num_queries):
    """The list and the writing page read in a fixed number of queries, however much is written: the
    session, the person, their second factor, the plan, then the counts of what is written (list), or the
    pillars and the texts with their authors (writing page)."""
    coordinator = make_user("coordinator")
    client = sign_in(Client(), coordinator)
    client.get(_list())  # the first request after signing in also stamps the session
    for written in (False, True):
        if written:
            for section in ("summary", "conclusions", "challenges"):
                narrative_save(
                    viewer=coordinator,
                    plan=az_plan,
                    first_year=2020,
                    last_year=2023,
                    section=section,
                    language="en",
                    text="Text.",
                    base_version=0,
                )
        # ...and the report files on the public portal, and the coordinator's own builds to put there.
        with django_assert_num_queries(7):
            assert client.get(_list()).status_code == 200
        with django_assert_num_queries(7):
            assert client.get(_write(), {"lang": "en"}).status_code == 200


def test_anonymous_sent_to_sign_in():
    """Signed-out visitors are sent to sign in."""
    for url in (_list(), _write()):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_unknown_plan_and_report_are_404(make_user):
    """A plan that does not exist and a report that is not one of the plan's answer 404."""
    client = _client(make_user, "coordinator")
    assert client.get(reverse("exports:reports", args=["no-such-plan"])).status_code == 404
    assert client.get(_write(2020, 2021)).status_code == 404
    assert client.get(_write(2019, 2019)).status_code == 404


@pytest.mark.parametrize("role", ["evaluator", "approver", "focal_point", "ngo_contributor"])
def test_only_coordinators_write(make_user, role):
    """Everyone but coordinators is refused the writing page (403), reading it or saving."""
    client = _client(make_user, role)
    assert client.get(_write()).status_code == 403
    assert client.post(_write(), {"lang": "en", "summary": "x"}).status_code == 403
    assert not ReportNarrative.objects.exists()


def _form(page) -> dict[str, str]:
    """The hidden fields and texts of the writing page as rendered."""
    data = {"lang": page.context["language"], "base": page.context["base"]}
    for item in page.context["fields"]:
        data[item["version_name"]] = str(item["version"])
        data[item["field"].name] = item["field"].value() or ""
    return data


def test_write_saves_the_sections_changed(az_plan, make_user):
    """The writing page shows the four sections, a note on each pillar and one on each activity; a save stores what was
    changed, in the language of the page, and the page shows it again."""
    client = _client(make_user, "coordinator")
    page = client.get(_write(), {"lang": "ru"})
    assert page.status_code == 200
    names = [item["field"].name for item in page.context["fields"]]
    assert names[:4] == ["summary", "challenges", "conclusions", "recommendations"]
    pillars = [f"pillar:{key}" for key in az_plan.pillars.order_by("position").values_list("key", flat=True)]
    assert names[4 : 4 + len(pillars)] == pillars
    assert sorted(names[4 + len(pillars) :]) == sorted(f"activity:{a.key}" for a in az_plan.activities.all())
    activity = names[-1]
    data = _form(page) | {"conclusions": "Выводы.", names[4]: "Первое направление.", activity: "Заметка."}
    saved = client.post(_write(), data)
    assert saved.status_code == 302
    assert saved["Location"] == f"{_write()}?lang=ru"
    assert dict(ReportNarrative.objects.values_list("section", "text")) == {
        "conclusions": "Выводы.",
        names[4]: "Первое направление.",
        activity: "Заметка.",
    }
    assert set(ReportNarrative.objects.values_list("language", flat=True)) == {"ru"}
    again = client.get(saved["Location"])
    assert "Выводы." in again.content.decode()


def test_stale_save_shows_the_other_text(az_plan, make_user):
    """Two coordinators open the page; the first saves the conclusions; the second's save of other
    conclusions is refused (409) with the first one's text shown beside theirs, which is kept in the form,
    and nothing is saved, not even their summary. Saving that page again keeps theirs."""
    first = _client(make_user, "coordinator")
    second = _client(make_user, "coordinator", "scfwca", "second-coordinator")
    first_page, second_page = first.get(_write(), {"lang": "en"}), second.get(_write(), {"lang": "en"})
    assert (
        first.post(_write(), _form(first_page) | {"conclusions": "First's conclusions."}).status_code == 302
    )
    refused = second.post(
        _write(), _form(second_page) | {"conclusions": "Second's.", "summary": "A summary."}
    )
    assert refused.status_code == 409
    html = refused.content.decode()
    assert "Someone else saved this while you were editing." in html
    assert "First&#x27;s conclusions." in html
    assert refused.context["form"]["conclusions"].value() == "Second's."
    assert dict(ReportNarrative.objects.values_list("section", "text")) == {
        "conclusions": "First's conclusions."
    }
    resaved = second.post(_write(), _form(refused))
    assert resaved.status_code == 302
    assert dict(ReportNarrative.objects.values_list("section", "text")) == {
        "conclusions": "Second's.",
        "summary": "A summary.",
    }


def test_untouched_sections_do_not_conflict(make_user):
    """A section the second person left alone is not sent: the first person's text of it stays and the
    second person's other changes are saved."""
    first = _client(make_user, "coordinator")
    second = _client(make_user, "coordinator", "scfwca", "second-coordinator")
    first_page, second_page = first.get(_write()), second.get(_write())
    first.post(_write(), _form(first_page) | {"conclusions": "First's conclusions."})
    assert second.post(_write(), _form(second_page) | {"summary": "A summary."}).status_code == 302
    assert dict(ReportNarrative.objects.values_list("section", "text")) == {
        "conclusions": "First's conclusions.",
        "summary": "A summary.",
    }


@pytest.mark.parametrize(
    ("methods", "query", "field"),
    [
        (("get", "post"), {"lang": "fr"}, "lang"),
        (("post",), {"lang": "en", "version:summary": "x", "summary": "s"}, "version:summary"),
    ],
    ids=["language", "version"],
)
def test_bad_parameter_is_400_naming_it(make_user, methods, query, field):
    """A language not az/en/ru, a version that is not a whole number: 400, the page naming the parameter,
    nothing saved."""
    client = _client(make_user, "coordinator")
    for method in methods:
        response = getattr(client, method)(_write(), query)
        assert response.status_code == 400
        assert f"<code>{field}</code>" in response.content.decode()
    assert not ReportNarrative.objects.exists()


def test_control_character_is_400_beside_its_field(make_user):
    """A text with a control character (NUL) is refused beside its field."""
    response = _client(make_user, "coordinator").post(_write(), {"lang": "en", "summary": "nul\x00"})
    assert response.status_code == 400
    assert "control character" in " ".join(response.context["form"]["summary"].errors)
    assert not ReportNarrative.objects.exists()


def test_too_long_text_is_400_beside_its_field(make_user):
    """A text over the limit is refused beside its field, the other texts kept as typed."""
    response = _client(make_user, "coordinator").post(
        _write(), {"lang": "en", "summary": "x" * 20_001, "conclusions": "kept"}
    )
    assert response.status_code == 400
    assert response.context["form"]["summary"].errors
    assert response.context["form"]["conclusions"].value() == "kept"
    assert not ReportNarrative.objects.exists()


# --- building: the job, run by the real worker --------------------------------------------------------


def _build_form(span: str, fmt: str = "html", language: str = "en", version: str = "internal") -> dict:
    return {f"{span}-format": fmt, f"{span}-language": language, f"{span}-version": version}


def test_build_runs_the_job_and_offers_the_file(az_plan, make_user, run_jobs):
    """A coordinator asks for the 2021 annual report as a web page: the answer is the job's page; the
    worker builds the report with the coordinator's own conclusions in it, and the file downloads from the
    job's page under the builder's name."""
    from wpsnap.core.models import Job

    coordinator = make_user("coordinator")
    narrative_save(
        viewer=coordinator,
        plan=az_plan,
        first_year=2021,
        last_year=2021,
        section="conclusions",
        language="en",
        text="Our own conclusions for 2021.",
        base_version=0,
    )
    client = sign_in(Client(), coordinator)
    started = client.post(_build(2021, 2021), _build_form("2021-2021"))
    assert started.status_code == 302
    job = Job.objects.get()
    assert started["Location"] == reverse("jobs:detail", args=[job.pk])
    assert (job.kind, job.action, job.owner) == (
        "exports.annual_report",
        "exports.report.build_internal",
        coordinator,
    )
    assert job.params == {
        "plan": SLUG,
        "first_year": 2021,
        "last_year": 2021,
        "format": "html",
        "language": "en",
        "public": False,
    }
    run_jobs()
    job.refresh_from_db()
    assert (job.status, job.error) == ("done", "")
    assert job.content_type.startswith("text/html")
    download = client.get(reverse("jobs:file", args=[job.pk]))
    assert download.status_code == 200
    html = b"".join(download.streaming_content).decode()
    assert "Our own conclusions for 2021." in html
    assert job.download_name in download["Content-Disposition"]


@pytest.mark.parametrize(
    ("role", "version", "status"),
    [
        ("evaluator", "internal", 302),
        ("focal_point", "public", 302),
        ("focal_point", "internal", 403),
        ("ngo_contributor", "internal", 403),
        ("approver", "internal", 403),
    ],
)
def test_who_may_build_which_version(make_user, role, version, status):
    """The internal version is built by coordinators and evaluators only; the public one by anyone signed
    in; a refusal starts no job."""
    from wpsnap.core.models import Job

    response = _client(make_user, role).post(_build(), _build_form("2020-2023", version=version))
    assert response.status_code == status
    assert Job.objects.count() == (1 if status == 302 else 0)


@pytest.mark.parametrize(
    ("form", "field"),
    [
        (_build_form("2020-2023", fmt="xls"), "format"),
        (_build_form("2020-2023", language="fr"), "language"),
        (_build_form("2020-2023", version="secret"), "version"),
    ],
    ids=["format", "language", "version"],
)
def test_build_bad_choice_is_400_naming_it(make_user, form, field):
    """A format, language or version not offered: 400 naming it, no job."""
    from wpsnap.core.models import Job

    response = _client(make_user, "coordinator").post(_build(), form)
    assert response.status_code == 400
    assert f"<code>{field}</code>" in response.content.decode()
    assert not Job.objects.exists()


def test_build_only_by_post_and_only_a_report_of_the_plan(make_user):
    """Building is a POST; a report that is not one of the plan's is 404."""
    client = _client(make_user, "coordinator")
    assert client.get(_build()).status_code == 405
    assert client.post(_build(2020, 2022), _build_form("2020-2022")).status_code == 404


def test_job_fails_with_its_reason_when_access_is_lost(make_user, run_jobs):
    """An evaluator asks for the internal review, then their role changes before the worker runs it: the
    job fails, saying why, and offers no file."""
    from wpsnap.core.models import Job

    evaluator = make_user("evaluator")
    assert sign_in(Client(), evaluator).post(_build(), _build_form("2020-2023")).status_code == 302
    evaluator.role = "ngo_contributor"
    evaluator.save(update_fields=["role"])
    run_jobs()
    job = Job.objects.get()
    assert job.status == "failed"
    assert "can no longer be built for you" in job.error
    assert not job.file_name
