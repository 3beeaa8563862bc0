from django.core.management.base import BaseCommand

from exchanges.demo import load_sample_applicants


class Command(BaseCommand):
    help = "Add sample applicants (no usable passwords) to the sample youth exchange (idempotent)."

    def handle(self, *args, **options):
        self.stdout.write(f"{load_sample_applicants()} sample application(s) added.")
