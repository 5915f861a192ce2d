"""Each history row's end (`history_end`): when its version was superseded, NULL for the latest.

`as_of` finds the version of a row valid at T as `history_date <= T AND (history_end > T OR history_end
IS NULL)`, a test of the row alone, and the index (id, history_date) reads the versions of one row in
order; the events' versions have (start, id) too, walked in order for a chronological page. The
existing rows' ends are filled by one UPDATE with a window function; from then on triggers keep them
whatever writes the history (events/history_end.py).
"""

from django.conf import settings
from django.db import migrations, models

from events import history_end


def create(apps, schema_editor):
    history_end.create(schema_editor.connection)


def drop(apps, schema_editor):
    history_end.drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0013_search_fts_unaccent"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalcitation",
            name="history_end",
            field=models.DateTimeField(
                blank=True,
                editable=False,
                help_text="When this version was superseded (the next version's history_date); empty for the latest.",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="historicalevent",
            name="history_end",
            field=models.DateTimeField(
                blank=True,
                editable=False,
                help_text="When this version was superseded (the next version's history_date); empty for the latest.",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="historicaleventrelation",
            name="history_end",
            field=models.DateTimeField(
                blank=True,
                editable=False,
                help_text="When this version was superseded (the next version's history_date); empty for the latest.",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="historicalparticipant",
            name="history_end",
            field=models.DateTimeField(
                blank=True,
                editable=False,
                help_text="When this version was superseded (the next version's history_date); empty for the latest.",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="historicalsource",
            name="history_end",
            field=models.DateTimeField(
                blank=True,
                editable=False,
                help_text="When this version was superseded (the next version's history_date); empty for the latest.",
                null=True,
            ),
        ),
        migrations.AddIndex(
            model_name="historicalcitation",
            index=models.Index(fields=["id", "history_date"], name="hist_citation_id_date_idx"),
        ),
        migrations.AddIndex(
            model_name="historicalevent",
            index=models.Index(fields=["id", "history_date"], name="hist_event_id_date_idx"),
        ),
        migrations.AddIndex(
            model_name="historicaleventrelation",
            index=models.Index(fields=["id", "history_date"], name="hist_eventrelation_id_date_idx"),
        ),
        migrations.AddIndex(
            model_name="historicalparticipant",
            index=models.Index(fields=["id", "history_date"], name="hist_participant_id_date_idx"),
        ),
        migrations.AddIndex(
            model_name="historicalsource",
            index=models.Index(fields=["id", "history_date"], name="hist_source_id_date_idx"),
        ),
        migrations.AddIndex(
            model_name="historicalevent",
            index=models.Index(fields=["start", "id"], name="hist_event_chrono_idx"),
        ),
        migrations.RunPython(create, drop),
    ]
