"""The export formats, on every database's road."""
