from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("plan", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="indicator",
            name="counts_people",
            field=models.BooleanField(default=True, verbose_name="counts people"),
        ),
        migrations.AddField(
            model_name="indicator",
            name="public_statistics",
            field=models.BooleanField(default=False, verbose_name="public statistics"),
        ),
        migrations.AddField(
            model_name="historicalindicator",
            name="counts_people",
            field=models.BooleanField(default=True, verbose_name="counts people"),
        ),
        migrations.AddField(
            model_name="historicalindicator",
            name="public_statistics",
            field=models.BooleanField(default=False, verbose_name="public statistics"),
        ),
    ]
