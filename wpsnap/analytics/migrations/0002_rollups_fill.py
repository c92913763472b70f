"""Fill the rollups from the reports, events and participants already stored (``rollups_rebuild``).

Runs the live rebuild rather than a copy on historical models: the rollups are a cache whose meaning is
the current code's. On a database with no figures or participants yet (a fresh install, the test
database) there is nothing to fill and the live code is not called."""

from django.db import migrations


def fill(apps, schema_editor):
    values = apps.get_model("reporting", "IndicatorValue")
    participants = apps.get_model("registries", "Participant")
    counts = apps.get_model("registries", "ParticipantCount")
    if not (values.objects.exists() or participants.objects.exists() or counts.objects.exists()):
        return
    from wpsnap.analytics.rollups import rollups_rebuild

    rollups_rebuild()


class Migration(migrations.Migration):
    dependencies = [("analytics", "0001_rollups")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
