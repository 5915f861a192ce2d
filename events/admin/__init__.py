"""The curators' admin: every model, with search, filters, autocomplete, history and the review workflow.

base.py holds what every page shares (no silent overwrite, list filters), event.py the event pages
(and the upload's views; upload.py reads and previews the file), others.py the other models' pages.
Importing them registers them with the admin site.
"""

from . import event, others

__all__ = ["event", "others"]
