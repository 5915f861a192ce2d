"""The API answers /api/v1/events/facets/ and /api/v1/events/feed/: neither can be an event's id, as
`export` and `deleted` cannot (events/models/validators.py `RESERVED_EVENT_IDS`)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("events", "0011_cache_table")]

    operations = [
        migrations.RemoveConstraint(model_name="event", name="event_id_not_reserved"),
        migrations.AddConstraint(
            model_name="event",
            constraint=models.CheckConstraint(
                condition=models.Q(("id__in", ["deleted", "export", "facets", "feed"]), _negated=True),
                name="event_id_not_reserved",
            ),
        ),
    ]
