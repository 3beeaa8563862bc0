"""The home city is stored once, as `City.is_home` in the cities app: the association's own
text copy could disagree with it, so it goes."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("association", "0001_initial"),
    ]

    operations = [
        migrations.RemoveField(model_name="association", name="home_city"),
    ]
