import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Say how to log in to /admin/. On a database with no superuser, create 'admin' with a random "
        "password and print it once; Chancery keeps no fixed password."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument("--url", default="http://127.0.0.1:8000/admin/")

    def handle(self, *args, username, url, **options):
        User = get_user_model()
        existing = User.objects.filter(is_superuser=True).order_by("pk").values_list("username", flat=True).first()
        if existing:
            self.stdout.write(
                f"Log in at {url} as {existing!r} (or another superuser). Forgot the password? "
                f".venv/bin/python manage.py changepassword {existing}"
            )
            return
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email="", password=password)
        self.stdout.write(
            self.style.SUCCESS(f"Created the superuser {username!r}. Log in at {url} with password: {password}")
            + f"\n(shown once; change it with .venv/bin/python manage.py changepassword {username})"
        )
