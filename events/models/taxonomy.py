"""The event-type taxonomy and the free tags."""

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from .validators import validate_slug_id, validate_type_code


class EventType(models.Model):
    """One code of the taxonomy, with its nearest CAMEO and PLOVER codes."""

    code = models.CharField(
        primary_key=True,
        max_length=60,
        validators=[validate_type_code],
        help_text="Dotted code; a filter on a code includes its sub-codes ('sanctions' matches 'sanctions.imposed').",
    )
    name = models.CharField(max_length=100, help_text="Short name shown to readers.")
    description = models.TextField(blank=True, help_text="What events of this type are, for curators.")
    cameo_code = models.CharField(
        max_length=4,
        blank=True,
        validators=[RegexValidator(r"^[0-9]{2,4}$", "A CAMEO code is 2 to 4 digits, leading zeros kept ('046').")],
        help_text="Nearest CAMEO code (GDELT, ICEWS), kept as a string with its leading zeros.",
    )
    goldstein = models.DecimalField(
        max_digits=3,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(-10), MaxValueValidator(10)],
        help_text="Goldstein score of the CAMEO code: -10 (conflict) to +10 (cooperation).",
    )
    plover_type = models.CharField(max_length=20, blank=True, help_text="Nearest PLOVER event type (POLECAT).")
    plover_mode = models.CharField(max_length=30, blank=True, help_text="PLOVER mode within that type, if any.")
    mapping_note = models.TextField(
        blank=True, help_text="Where the CAMEO/PLOVER mapping is Chancery's judgement rather than the standard's."
    )
    keywords = models.JSONField(
        default=list, blank=True, help_text="Words that suggest this type when proposing events from an article."
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(goldstein__isnull=True) | Q(goldstein__gte=-10, goldstein__lte=10),
                name="eventtype_goldstein_in_range",
            ),
        ]

    def __str__(self):
        return f"{self.code} ({self.name})"

    @property
    def family(self):
        return self.code.split(".")[0]


class Tag(models.Model):
    slug = models.SlugField(primary_key=True, max_length=60, validators=[validate_slug_id])

    class Meta:
        ordering = ["slug"]

    def __str__(self):
        return self.slug
