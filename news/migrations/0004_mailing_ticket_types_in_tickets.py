"""A mailing's ticket types are tickets' now (tickets migration 0001): the relation points at
them there. Its table and column keep their names (the table it joins was renamed by
events' 0014), so nothing changes in the database."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("news", "0003_post_status"),
        ("tickets", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="mailing",
                    name="ticket_types",
                    field=models.ManyToManyField(
                        blank=True,
                        help_text=(
                            "Only holders of these ticket types (none chosen: every ticket "
                            "holder)."
                        ),
                        to="tickets.tickettype",
                        verbose_name="ticket types",
                    ),
                ),
            ],
        ),
    ]
