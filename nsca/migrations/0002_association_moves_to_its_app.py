"""The association and its social links move to the `association` app, keeping their rows.

The tables are renamed to the new app's names here; the models leave nsca's state and
enter association's in `association/migrations/0001_initial.py`, which runs after this.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("nsca", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable(name="sociallink", table="association_sociallink"),
                migrations.AlterModelTable(name="association", table="association_association"),
            ],
            state_operations=[
                migrations.DeleteModel(name="SocialLink"),
                migrations.DeleteModel(name="Association"),
            ],
        ),
    ]
