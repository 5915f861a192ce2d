"""A gazetteer of the world's actors, shipped with Chancery (docs/gazetteer.md).

- `actors.json`: every state and territory of ISO 3166-1 (and Kosovo), its
  government and foreign ministry, and the main intergovernmental bodies, as a
  dataset file; `manage.py load_gazetteer` (`events.gazetteer.load`) adds them
  to the database without touching what curators entered.
- `lexicon.json`: how articles name them, in English and Russian, for the
  article extractor (`events.gazetteer.lexicon`).

Both are written by `build.py` (`make gazetteer`) from pycountry and the
hand-written `table.py`; reading them needs neither.
"""

import functools
import json
from pathlib import Path

from .lexicon import CASES, PARTS, Country, Hit, Lexicon, Organization, RussianWord, fold, lexicon

ACTORS_FILE = Path(__file__).resolve().parent / "actors.json"

__all__ = [
    "ACTORS_FILE",
    "CASES",
    "PARTS",
    "Country",
    "Hit",
    "Lexicon",
    "Organization",
    "RussianWord",
    "actors",
    "fold",
    "lexicon",
]


@functools.cache
def _actors():
    return tuple(json.loads(ACTORS_FILE.read_text(encoding="utf-8"))["actors"])


def actors():
    """The gazetteer's actors in the dataset shape (docs/dataset.md), ordered by id; fresh dicts each call."""
    return [dict(actor, aliases=list(actor["aliases"])) for actor in _actors()]
