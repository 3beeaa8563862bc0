"""Designations for the demo site: where a donor's gift may go. No donations are made."""

from association.registry import demo_loaders

from .models import Designation

# No "general fund": a gift with no designation goes where it is most needed, the form's
# first choice, and a designation meaning the same would offer that choice twice.
DESIGNATIONS = [
    {
        "name": "Youth exchange",
        "description": "Helps students travel to and host visitors from our sister cities.",
    },
]


@demo_loaders.register
def load(*, stdout):
    for position, fields in enumerate(DESIGNATIONS):
        Designation.objects.get_or_create(
            name=fields["name"],
            defaults={"description": fields["description"], "ordering": position},
        )
    stdout.write(f"Donation designations: {Designation.objects.count()}.")
