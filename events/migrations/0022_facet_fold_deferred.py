"""A writer of many events may put off folding the facet summary's deltas until its last statement (PostgreSQL only).

Migration 0018's statement triggers fold the deltas into the summary whenever a statement leaves
FOLD_AT or more of them. A dataset import writes its events a chunk at a time, and each chunk leaves
tens of thousands of deltas (an event counts in its scopes, its actors', countries' and pairs', times
its facet values): each chunk's statement folded them, an upsert into the summary's millions of rows,
most of an import's database time at a million events (92 of 291 s for 100,000 new events). Now a
transaction that sets `chancery.facet_fold` to `deferred` (`set_config(..., true)`: until its end, or
until it sets it back) appends its deltas without folding; it folds them itself, once, at its end
(events/dataset/importer.py `save_dataset`), where the chunks' deltas of the same values are summed
first. Readers sum the pending deltas meanwhile, as they do with any writer's, so every answer stays exact.
"""

from importlib import import_module

from django.db import migrations

SCOPED = import_module("events.migrations.0018_scoped_summaries")

FOLDS = "    IF appended > 0 AND current_setting('transaction_isolation') = 'read committed'\n"
DEFERRED = FOLDS + "       AND current_setting('chancery.facet_fold', true) IS DISTINCT FROM 'deferred'\n"


def _apply_function(deferrable):
    """0018's `events_facet_summary_apply`, folding unless the writer deferred it (`deferrable`)."""
    text = SCOPED._functions(SCOPED.FUNCTIONS)
    text = text[text.index("CREATE OR REPLACE FUNCTION events_facet_summary_apply()") :]
    assert text.count(FOLDS) == 1, "0018's fold condition is not where this migration expects it"
    return text.replace(FOLDS, DEFERRED) if deferrable else text


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_apply_function(deferrable=True))


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_apply_function(deferrable=False))


class Migration(migrations.Migration):
    dependencies = [("events", "0021_changed_versions")]

    operations = [migrations.RunPython(create, drop)]
