"""The financing rollup, then every rollup filled from the data already stored (``rollups_rebuild``, as
0002 does): the financing sums, and the events' figures of 0004 with their set-up's digests. On a database
with no reports or events yet the live code is not called."""

import django.db.models.deletion
from django.db import migrations, models


def fill(apps, schema_editor):
    reports = apps.get_model("reporting", "ProgressReport")
    events = apps.get_model("registries", "Event")
    if not (reports.objects.exists() or events.objects.exists()):
        return
    from wpsnap.analytics.rollups import rollups_rebuild

    rollups_rebuild()


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0004_event_figures"),
        ("plan", "0002_indicator_counts_people_public_statistics"),
        ("reporting", "0004_report_keyset_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="FinancingRollup",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("source", models.CharField(max_length=40, verbose_name="source")),
                ("status", models.CharField(max_length=20, verbose_name="review status")),
                (
                    "planned",
                    models.DecimalField(
                        blank=True, decimal_places=2, max_digits=24, null=True, verbose_name="planned"
                    ),
                ),
                (
                    "spent",
                    models.DecimalField(
                        blank=True, decimal_places=2, max_digits=24, null=True, verbose_name="spent"
                    ),
                ),
                ("lines", models.PositiveIntegerField(verbose_name="lines")),
                (
                    "activity",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="plan.activity"
                    ),
                ),
                (
                    "period",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="reporting.reportingperiod",
                    ),
                ),
                (
                    "plan",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="plan.plan"
                    ),
                ),
            ],
            options={
                "verbose_name": "financing rollup",
                "verbose_name_plural": "financing rollups",
                "indexes": [models.Index(fields=["plan", "status"], name="rollup_financing_plan_idx")],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("activity", "period", "source", "status"), name="rollup_financing_one_per_key"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("status__in", ["approved", "published"])),
                        name="rollup_financing_status_counted",
                    ),
                ],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
