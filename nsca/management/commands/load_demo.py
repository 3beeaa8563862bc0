"""Load the association's own content and clearly marked sample data.

Idempotent: running it twice leaves the same rows. Each project app contributes its part
through `<app>/demo.py` (`load(*, stdout)`), visited in dependency order. It creates no
account with a known password.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from nsca.discovery import project_app_modules


class Command(BaseCommand):
    help = "Load the association's content and sample upcoming events (idempotent)."

    def handle(self, *args, **options):
        for module in project_app_modules("demo"):
            with transaction.atomic():
                module.load(stdout=self.stdout)
            self.stdout.write(f"Loaded {module.__name__}.")
        self.stdout.write(self.style.SUCCESS("Demo content is loaded."))
