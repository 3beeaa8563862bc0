"""Posts get an explicit status (Draft, Scheduled, Published) instead of "no date means a
draft". Existing rows keep what the public saw: no publication time → Draft, a time to
come → Scheduled, a time that has passed → Published."""

from django.db import migrations, models
from django.db.models.functions import Now


def status_from_publication_time(apps, schema_editor):
    Post = apps.get_model("news", "Post")
    Post.objects.filter(published_at__isnull=True).update(status="draft")
    Post.objects.filter(published_at__gt=Now()).update(status="scheduled")
    Post.objects.filter(published_at__lte=Now()).update(status="published")


class Migration(migrations.Migration):
    dependencies = [
        ("news", "0002_staff_groups_may_mail"),
    ]

    operations = [
        migrations.AddField(
            model_name="post",
            name="status",
            field=models.CharField(
                choices=[
                    ("draft", "Draft"),
                    ("scheduled", "Scheduled"),
                    ("published", "Published"),
                ],
                default="draft",
                help_text=(
                    "Draft: not public. Scheduled: public at the publication time, which must "
                    "be in the future. Published: public now (at the publication time, or now "
                    "if empty)."
                ),
                max_length=20,
                verbose_name="status",
            ),
        ),
        migrations.AlterField(
            model_name="post",
            name="published_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When the post is (or was) published. Optional for a draft.",
                null=True,
                verbose_name="publication time",
            ),
        ),
        migrations.RunPython(status_from_publication_time, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="post",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("status", "draft"), ("published_at__isnull", False), _connector="OR"
                ),
                name="post_not_draft_has_publication_time",
                violation_error_message="A post that is not a draft needs a publication time.",
            ),
        ),
    ]
