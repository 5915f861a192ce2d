"""Actors: the states, governments, officials, companies and organisations that take part in events."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from .validators import validate_aliases, validate_country, validate_slug_id, validate_wikidata


class Actor(models.Model):
    """A state, government, official, company or organisation that takes part in events."""

    class Kind(models.TextChoices):
        STATE = "state", "state"
        GOVERNMENT = "government", "government"
        PERSON = "person", "person"
        ORGANIZATION = "organization", "organization"
        COMPANY = "company", "company"
        IGO = "igo", "intergovernmental organization"
        OTHER = "other", "other"

    id = models.SlugField(
        primary_key=True,
        max_length=100,
        validators=[validate_slug_id],
        help_text="Stable identifier used by the API and dataset files, e.g. 'russia'. Never changes.",
    )
    name = models.CharField(max_length=200, help_text="The usual English name, e.g. 'Russia', 'Sergey Lavrov'.")
    kind = models.CharField(max_length=20, choices=Kind.choices, help_text="What sort of actor this is.")
    country = models.CharField(
        max_length=3,
        blank=True,
        default="",
        validators=[validate_country],
        help_text="ISO 3166-1 alpha-3 code of the state the actor belongs to (e.g. 'RUS'); empty for none.",
    )
    aliases = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_aliases],
        help_text="Other names the actor goes by in articles ('Moscow', 'Kremlin'): used to find it in text.",
    )
    # PROTECT: a government's ministers and officials must not lose their place in the hierarchy unnoticed.
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text="The actor this one belongs to: a minister's ministry, a ministry's state.",
    )
    wikidata = models.CharField(
        max_length=20,
        blank=True,
        default="",
        validators=[validate_wikidata],
        help_text="Wikidata item id, e.g. 'Q159' for Russia; empty when unknown.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(country="") | Q(country__regex=r"^[A-Z]{3}$"), name="actor_country_is_alpha3"
            ),
            models.CheckConstraint(
                condition=Q(wikidata="") | Q(wikidata__regex=r"^Q[1-9][0-9]*$"), name="actor_wikidata_qid"
            ),
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="actor_is_not_its_own_parent"),
        ]
        indexes = [
            # The country filter joins participants to their actors' country.
            models.Index(fields=["country"], name="actor_country_idx"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        def parent_in_database(actor_id):
            return Actor.objects.filter(pk=actor_id).values_list("parent_id", flat=True).first()

        if parent_chain_loops(self.id, self.parent_id, parent_in_database):
            raise ValidationError({"parent": f"{self.parent_id!r} would make the hierarchy a loop."})


def parent_chain_loops(actor_id, parent_id, parent_of):
    """Whether following parents up from `parent_id` comes back round; `parent_of(id)` gives one step."""
    seen, current = {actor_id}, parent_id
    while current is not None:
        if current in seen:
            return True
        seen.add(current)
        current = parent_of(current)
    return False
