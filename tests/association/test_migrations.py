"""The association's rows survive its move out of nsca: a database made by the old code
keeps its association, social links and the permissions staff were given on them."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate(*, before_the_move: bool):
    """Migrate the test database to just before the move or to the latest migrations, and
    return the models as they are at that point."""
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    if before_the_move:
        # Migrating nsca back also takes back the association app's migrations built on it.
        executor.migrate([("nsca", "0001_initial")])
        state = [n for n in leaves if n[0] not in {"nsca", "association"}]
        state.append(("nsca", "0001_initial"))
    else:
        executor.migrate(leaves)
        state = leaves
    executor.loader.build_graph()
    return executor.loader.project_state(state).apps


@pytest.mark.django_db(transaction=True)
def test_rows_made_before_the_move_survive_it():
    old = migrate(before_the_move=True)
    try:
        OldAssociation = old.get_model("nsca", "Association")
        OldSocialLink = old.get_model("nsca", "SocialLink")
        ContentType = old.get_model("contenttypes", "ContentType")
        Permission = old.get_model("auth", "Permission")
        Group = old.get_model("auth", "Group")
        association = OldAssociation.objects.create(
            pk=1, name="Example Sister City Association", home_city="Exampleton, Virginia"
        )
        OldSocialLink.objects.create(
            association=association, label="Mastodon", url="https://x.example"
        )
        content_type, _ = ContentType.objects.get_or_create(app_label="nsca", model="association")
        permission, _ = Permission.objects.get_or_create(
            content_type=content_type, codename="change_association", defaults={"name": "x"}
        )
        Group.objects.create(name="Site editors").permissions.add(permission)
    finally:
        new = migrate(before_the_move=False)

    Association = new.get_model("association", "Association")
    moved = Association.objects.get()
    assert (moved.pk, moved.name) == (1, "Example Sister City Association")
    assert [link.label for link in moved.social_links.all()] == ["Mastodon"]
    assert not hasattr(moved, "home_city")
    editors = new.get_model("auth", "Group").objects.get(name="Site editors")
    assert list(editors.permissions.values_list("content_type__app_label", "codename")) == [
        ("association", "change_association")
    ]
