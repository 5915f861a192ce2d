"""The history rows the `as_of` answers read, with their end (events/history_end.py keeps it), and the
columns of the events' versions that PostgreSQL keeps for the country filter (events/history_countries.py)."""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Expression
from django.db.models.expressions import Col
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


# The columns of the events' history rows that PostgreSQL's triggers keep (migration 0018,
# events/history_countries.py), unknown to the model: SQLite has none.
VERSION_COLUMNS = {
    "history_settled": models.DateTimeField(),
    "history_countries": ArrayField(models.CharField(max_length=3)),
}
for _name, _field in VERSION_COLUMNS.items():
    _field.set_attributes_from_name(_name)


class VersionColumn(Expression):
    """A column of `VERSION_COLUMNS` of the query's history rows of events (PostgreSQL): `history_settled`,
    from when a version's last stretch of participants began; `history_countries`, the countries of that
    stretch (the location's and the participants' actors')."""

    def __init__(self, name):
        super().__init__(output_field=VERSION_COLUMNS[name])
        self.name = name

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False):
        return Col(query.get_initial_alias(), VERSION_COLUMNS[self.name])
