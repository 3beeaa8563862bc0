"""Load the association's own content and clearly marked sample data.

Idempotent: running it twice leaves the same rows. Each project app contributes its part
from `<app>/demo.py` (a `load(*, stdout)` registered in `demo_loaders`), visited in
dependency order (association/registry.py). It creates no account with a known password.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from association.registry import demo_loaders


class Command(BaseCommand):
    help = "Load the association's content and sample upcoming events (idempotent)."

    def handle(self, *args, **options):
        for load in demo_loaders:
            with transaction.atomic():
                load(stdout=self.stdout)
            self.stdout.write(f"Loaded {load.__module__}.")
        self.stdout.write(self.style.SUCCESS("Demo content is loaded."))
