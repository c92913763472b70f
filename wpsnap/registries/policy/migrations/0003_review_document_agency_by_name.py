# The agency a reviewed document belongs to, as people name it (text), instead of a link to an organisation.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("registry_policy", "0002_recommendation_addressed_to_reviews_not_unique"),
    ]

    operations = [
        migrations.RemoveField(model_name="policyreview", name="document_agency"),
        migrations.AddField(
            model_name="policyreview",
            name="document_agency",
            field=models.CharField(
                blank=True, max_length=200, verbose_name="agency responsible for the document"
            ),
        ),
    ]
