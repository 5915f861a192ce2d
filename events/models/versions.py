"""The history rows the `as_of` answers read, with their end (events/history_end.py keeps it)."""

from django.db import models
from simple_history.models import HistoricalRecords


class VersionEnd(models.Model):
    """A history row's end: when its version was superseded by the next row of the same id."""

    history_end = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When this version was superseded (the next version's history_date); empty for the latest.",
    )

    class Meta:
        abstract = True


class VersionedHistory(HistoricalRecords):
    """simple-history's records with `history_end` and the index (id, history_date): the versions of
    one row in order, which the triggers of `history_end` read and "the version of this row at T" finds
    as one index range."""

    def __init__(self, indexes=(), **options):
        """`indexes`: the history model's own, besides (id, history_date)."""
        super().__init__(bases=[VersionEnd], **options)
        self.indexes = tuple(indexes)

    def get_meta_options(self, model):
        meta = super().get_meta_options(model)
        name = f"hist_{model._meta.model_name}_id_date_idx"
        versions = models.Index(fields=["id", "history_date"], name=name)
        meta["indexes"] = (*meta.get("indexes", ()), versions, *self.indexes)
        return meta
