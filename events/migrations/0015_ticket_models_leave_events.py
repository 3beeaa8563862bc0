"""The ticket models leave events' state (tickets' 0001 holds them now, on the same tables),
and their content types go with them, so that what points at a content type keeps
pointing at the model: the permissions staff were given (the "Event managers",
"Treasurer" and door groups keep `view_order`, `change_ticket`... now as `tickets.*`), and
the admin's history of each order.

A twin content type may exist already in the other app (a partly migrated database, where
Django's post_migrate made tickets' own): the permissions given on the old one then move
to the twin's permission of the same codename, and the old one goes. Backwards, the same
the other way round.
"""

from django.conf import settings
from django.db import migrations

MOVED_MODELS = ("tickettype", "order", "ticket", "refundedticket", "waitlistentry")


def hand_over_content_types(apps, schema_editor, *, old, new):
    db = schema_editor.connection.alias
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    User = apps.get_model(settings.AUTH_USER_MODEL)
    LogEntry = apps.get_model("admin", "LogEntry")
    content_types = ContentType.objects.using(db)
    for model in MOVED_MODELS:
        leaving = content_types.filter(app_label=old, model=model).first()
        if leaving is None:
            continue
        twin = content_types.filter(app_label=new, model=model).first()
        if twin is None:
            content_types.filter(pk=leaving.pk).update(app_label=new)
            continue
        for permission in Permission.objects.using(db).filter(content_type=leaving):
            same = (
                Permission.objects.using(db)
                .filter(content_type=twin, codename=permission.codename)
                .first()
            )
            if same is None:
                Permission.objects.using(db).filter(pk=permission.pk).update(content_type=twin)
                continue
            for group in Group.objects.using(db).filter(permissions=permission):
                group.permissions.add(same)
            for user in User.objects.using(db).filter(user_permissions=permission):
                user.user_permissions.add(same)
            permission.delete()
        LogEntry.objects.using(db).filter(content_type=leaving).update(content_type=twin)
        leaving.delete()
    # This process may have cached the content types as they were.
    from django.contrib.contenttypes.models import ContentType as CurrentContentType  # noqa: PLC0415

    CurrentContentType.objects.clear_cache()


def to_tickets(apps, schema_editor):
    hand_over_content_types(apps, schema_editor, old="events", new="tickets")


def to_events(apps, schema_editor):
    hand_over_content_types(apps, schema_editor, old="tickets", new="events")


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0014_ticket_tables_take_tickets_names"),
        ("tickets", "0001_initial"),
        # Nothing may point at events' ticket models when they leave its state.
        ("news", "0004_mailing_ticket_types_in_tickets"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name="RefundedTicket"),
                migrations.DeleteModel(name="Ticket"),
                migrations.DeleteModel(name="WaitlistEntry"),
                migrations.DeleteModel(name="Order"),
                migrations.DeleteModel(name="TicketType"),
            ],
        ),
        migrations.RunPython(to_tickets, to_events),
    ]
