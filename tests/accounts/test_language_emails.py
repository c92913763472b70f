"""E-mails in the recipient's language (issue 13): each message written inside
``translation.override(language of its recipient)``, one message per language when several people hear
of the same thing. Django's locmem backend (``mailoutbox``) keeps what was really sent."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import gettext

from wpsnap.accounts import services as account_services
from wpsnap.accounts.models import Organisation
from wpsnap.reporting import services
from wpsnap.reporting.notifications import after_step
from wpsnap.reporting.services import ReportInput
from wpsnap.reporting.services.reminders import reminders_send
from wpsnap.reporting.workflow import Step

pytestmark = pytest.mark.django_db

RU_NAME = "Министерство обороны"
RU_SHORT = "Минобороны"


@pytest.fixture
def reporting(az_plan):
    from wpsnap.reporting.services import reporting_setup

    reporting_setup(plan=az_plan)
    mod = Organisation.objects.get(country="AZ", key="mod")
    mod.translations = {**mod.translations, "ru": {"name": RU_NAME, "short_name": RU_SHORT}}
    mod.save(update_fields=["translations"])
    return az_plan


def _speaks(user, language: str):
    user.language = language
    user.save(update_fields=["language"])
    return user


def test_a_russian_reader_gets_the_reminder_in_russian(reporting, make_user, mailoutbox) -> None:
    from datetime import date

    russian = _speaks(make_user("focal_point", "mod", "mod-ru"), "ru")
    english = _speaks(make_user("focal_point", "mod", "mod-en"), "en")
    reminders_send(today=date(2021, 2, 5))
    by_to = {message.to[0]: message for message in mailoutbox}
    to_ru, to_en = by_to[russian.email], by_to[english.email]
    count = to_ru.body.count("\n- ")
    with translation.override("ru"):
        assert to_ru.subject == gettext("%(count)d progress reports are overdue") % {"count": count}
        assert (
            gettext("These reports of %(agency)s are past their due date and not yet submitted:")
            % {"agency": RU_NAME}
            in to_ru.body
        )
    assert to_en.subject == f"{count} progress reports are overdue"
    assert "These reports of Ministry of Defense are past their due date" in to_en.body
    assert translation.get_language() == "en"  # the override ends with the message


def test_one_message_per_language_on_a_workflow_step(reporting, make_user, mailoutbox) -> None:
    focal = make_user("focal_point", "mod", "mod-focal")
    ru_approvers = [_speaks(make_user("approver", "mod", f"mod-approver-ru{i}"), "ru") for i in (1, 2)]
    en_approver = make_user("approver", "mod", "mod-approver-default")  # no choice: the site's default
    activity = reporting.activities.get(code="5.1.2.3")
    period = reporting.reporting_periods.get(label="2020")
    report = services.report_start(actor=focal, activity=activity, agency=focal.organisation, period=period)
    indicator = activity.indicators.get()
    services.report_save(
        actor=focal,
        report=report,
        data=ReportInput(progress="completed", done="Trainings.", values={indicator.pk: {"": "3"}}),
    )
    mailoutbox.clear()
    after_step(report.pk, Step.SUBMIT, "")
    assert sorted(sorted(message.to) for message in mailoutbox) == [
        [en_approver.email],
        sorted(u.email for u in ru_approvers),
    ]
    to_ru = next(message for message in mailoutbox if len(message.to) == 2)
    to_en = next(message for message in mailoutbox if message.to == [en_approver.email])
    with translation.override("ru"):
        expected = gettext("A report waits for your endorsement: %(report)s") % {"report": report}
    assert to_ru.subject == expected
    assert RU_SHORT in to_ru.subject
    assert to_en.subject.startswith("A report waits for your endorsement: 5.1.2.3 · MoD")


def test_the_invitation_is_in_the_sites_default_language(
    reporting, make_user, mailoutbox, settings, django_capture_on_commit_callbacks
) -> None:
    settings.LANGUAGE_CODE = "ru"
    coordinator = make_user("coordinator")
    mod = Organisation.objects.get(country="AZ", key="mod")
    with django_capture_on_commit_callbacks(execute=True):
        account_services.user_invite(
            actor=coordinator,
            email="new@example.org",
            first_name="A",
            last_name="B",
            organisation=mod,
            role="focal_point",
        )
    (message,) = mailoutbox
    with translation.override("ru"):
        assert message.subject == gettext("Your wpsnap account")
    assert RU_NAME in message.body
