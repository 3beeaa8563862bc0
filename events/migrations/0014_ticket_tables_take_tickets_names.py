"""The ticket models move to the `tickets` app, keeping their rows: first their tables take
the names Django gives them there (a rename, nothing rebuilt; the foreign keys to them, and
news' mailing-to-ticket-types table, follow the renamed tables).

tickets' migration 0001 then adds the models to tickets' state as they are, other apps'
relations are pointed at them there, and events' 0015 takes them out of events' state and
hands their content types (and so the permissions staff were given) to tickets.
"""

from django.db import migrations

MOVED_MODELS = ("tickettype", "order", "ticket", "refundedticket", "waitlistentry")


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0013_refunded_ticket_codes"),
    ]

    operations = [
        migrations.AlterModelTable(name=model, table=f"tickets_{model}") for model in MOVED_MODELS
    ]
