"""The home city is stored once, as `City.is_home` in the cities app: the association's own
text copy could disagree with it, so it goes."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("association", "0001_initial"),
    ]

    operations = [
        # A default first, so that migrating back can add the column again to existing rows.
        migrations.AlterField(
            model_name="association",
            name="home_city",
            field=models.CharField(blank=True, default="", max_length=120, verbose_name="home city"),
        ),
        migrations.RemoveField(model_name="association", name="home_city"),
    ]
