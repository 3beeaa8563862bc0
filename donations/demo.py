"""Designations for the demo site: where a donor's gift may go. No donations are made."""

from .models import Designation

DESIGNATIONS = [
    {
        "name": "General fund",
        "description": "Where it is most needed: events, exchanges and the association's work.",
    },
    {
        "name": "Youth exchange",
        "description": "Helps students travel to and host visitors from our sister cities.",
    },
]


def load(*, stdout):
    for position, fields in enumerate(DESIGNATIONS):
        Designation.objects.get_or_create(
            name=fields["name"],
            defaults={"description": fields["description"], "ordering": position},
        )
    stdout.write(f"Donation designations: {Designation.objects.count()}.")
