"""The permission to restore deleted events (events/restore.py), given to the reviewer group.

A permission of the event model held in the database only: declaring it in Event.Meta would ask
for a schema migration of the model's options for a row of auth_permission.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def add_permission(apps, schema_editor):
    # Permissions and content types are normally created after all migrations; this one needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    permission, _ = Permission.objects.get_or_create(
        content_type=ContentType.objects.get(app_label="events", model="event"),
        codename="restore_event",
        defaults={"name": "Can restore deleted events"},
    )
    Group.objects.get_or_create(name="reviewer")[0].permissions.add(permission)


def remove_permission(apps, schema_editor):
    apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label="events", codename="restore_event"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("events", "0007_event_search_columns"),
    ]

    operations = [migrations.RunPython(add_permission, remove_permission)]
