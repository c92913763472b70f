"""The table of the database cache that every worker shares (settings CACHES): the throttles of sign-ins
and refused requests count in it. Made here so that `migrate` is all a new installation needs."""

from typing import Any

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps: Any, schema_editor: Any) -> None:
    # createcachetable makes the table of every DatabaseCache in CACHES, and skips one that exists.
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_historicaluser_user_role_user_user_role_valid_and_more")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop, elidable=False)]
