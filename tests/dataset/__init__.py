"""The dataset: reading, importing, refusing unreadable input, restoring, the demo data."""
