import pytest

from association.models import Association

pytestmark = pytest.mark.django_db


def test_current_is_an_unsaved_default_before_the_association_is_entered():
    current = Association.current()
    assert current.pk is None
    assert current.name == "Sister City Association"


def test_current_reads_the_association_afresh(association):
    assert Association.current().name == "Example Sister City Association"
    # As another server process would: no save() in this one.
    Association.objects.filter(pk=1).update(name="Renamed Association")
    assert Association.current().name == "Renamed Association"


def test_there_is_one_association():
    Association(name="First").save()
    Association(name="Second").save()
    assert list(Association.objects.values_list("pk", "name")) == [(1, "Second")]
