from io import StringIO

import pytest
from django.core.management import call_command

from news.models import Mailing, Subscriber


@pytest.mark.postgresql
@pytest.mark.django_db
def test_bench_mailing_sends_to_everyone_and_leaves_nothing(association):
    out = StringIO()
    call_command("bench_mailing", count=30, compare=10, stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("10 addresses:") and "10 sent" in lines[0]
    assert lines[1].startswith("30 addresses:") and "30 sent" in lines[1]
    assert "ms/message" in lines[1] and "KiB" in lines[1]
    assert not Subscriber.objects.exists() and not Mailing.objects.exists()
