import pytest

pytestmark = pytest.mark.django_db


def test_csv_rows_become_participants_and_derived_values(training, people, events_plan):
    from wpsnap.registries.selectors import derived_values
    from wpsnap.registries.services.participants import participants_import_file

    csv = "sex,age,district,name,consent\nwomen,23,baku,,no\nmen,40,ganja,A. Name,yes\nqad\u0131n,61,,,\n"
    result = participants_import_file(
        actor=people["focal"], event=training, name="p.csv", content=csv.encode()
    )
    assert result.rows == 3
    indicator = training.activities.get().indicators.get()
    period = events_plan.reporting_periods.get(label="2021")
    derived = derived_values(indicators=[indicator], agency_id=training.organiser_id, period=period)
    assert derived[indicator.pk].cells == {
        "": 3,
        "sex:women|age:18-24": 1,
        "sex:men|age:35-59": 1,
        "sex:women|age:60-plus": 1,
    }
