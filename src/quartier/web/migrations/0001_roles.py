"""The groups of the roles in `quartier.web.roles`: Planung, Datenpflege, Administration."""

from typing import Any

from django.db import migrations

from quartier.web.roles import ensure_roles


def create_roles(apps: Any, schema_editor: Any) -> None:
    ensure_roles(apps.get_model("auth", "Group"))


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(create_roles, migrations.RunPython.noop),
    ]
