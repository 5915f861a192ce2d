"""Events of the machine-coded datasets (GDELT 2.0, POLECAT's PLOVER JSON, ACLED) as drafts to review.

`formats.py` reads each dataset's public file format, a row at a time; `codes.py` maps their event
codes to Chancery's types (docs/taxonomy.md); `drafts.py` finds the actors in the gazetteer, keeps
the dyad asked for, names the stored events each draft may repeat (`events.matching`, as for an
article's proposals) and saves the drafts through the dataset import. docs/imports.md.
"""

from .drafts import Outcome, collect, event_id, save
from .formats import ORIGINS, BadRow, Coded, FormatError, read

__all__ = ["ORIGINS", "BadRow", "Coded", "FormatError", "Outcome", "collect", "event_id", "read", "save"]
