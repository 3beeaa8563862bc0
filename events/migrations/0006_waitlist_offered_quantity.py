"""A waiting-list offer records how many places it keeps (`offered_quantity`), no longer
the number the person asked for.

Offers made before this migration kept `quantity` places; they keep that number until
they expire or are used, since nobody knows now how many places their email named.
"""

from django.db import migrations, models
from django.db.models import F


def record_what_open_offers_keep(apps, schema_editor):
    WaitlistEntry = apps.get_model("events", "WaitlistEntry")
    offered = WaitlistEntry.objects.filter(offered_at__isnull=False)
    # An offered entry wanting no place (never made by the join form) keeps one.
    offered.filter(quantity=0).update(quantity=1)
    offered.update(offered_quantity=F("quantity"))


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0005_event_image_sanitized"),
    ]

    operations = [
        migrations.AddField(
            model_name="waitlistentry",
            name="offered_quantity",
            field=models.PositiveSmallIntegerField(
                blank=True,
                help_text=(
                    "How many places the offer keeps for this person: what had come back "
                    "when it was made, at most the number wanted."
                ),
                null=True,
                verbose_name="places offered",
            ),
        ),
        migrations.RunPython(record_what_open_offers_keep, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="waitlistentry",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("offered_at__isnull", True), ("offered_quantity__isnull", True)),
                    models.Q(
                        ("offered_at__isnull", False),
                        ("offered_quantity__gte", 1),
                        ("offered_quantity__lte", models.F("quantity")),
                    ),
                    _connector="OR",
                ),
                name="waitlist_offer_keeps_between_one_and_the_places_wanted",
            ),
        ),
    ]
