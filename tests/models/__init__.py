"""The models and their queries: constraints, search columns, partial dates, date_from pages."""
