from django.apps import AppConfig
from django.db.backends.signals import connection_created


def add_sqlite_functions(sender, connection, **kwargs):
    """Unicode case folding for SQLite, whose own LOWER/UPPER/LIKE know only A-Z."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "casefold", 1, lambda text: text.casefold() if isinstance(text, str) else text, deterministic=True
        )


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = "Diplomatic events"

    def ready(self):
        connection_created.connect(add_sqlite_functions)
