"""Every email, transactional or bulk, has the association's layout (emails/base.html):
its name at the top, a footer saying who sent it and why, inline styles only, images with
alt text, and a plain-text twin."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.news.emails_of_each_kind import emails_of_each_kind

pytestmark = pytest.mark.django_db


def test_every_kind_of_email_shares_the_layout(association, now):
    for kind, message in emails_of_each_kind(now=now).items():
        html = message.alternatives[0][0]
        assert html.count("<!doctype html>") == 1, kind
        assert association.name in html.split("<h1", 1)[0].split("<p>", 1)[0], kind
        assert "Sent by" in html and "You receive this" in html, kind
        assert "<style" not in html and "<link" not in html, kind
        assert all('alt="' in tag for tag in re.findall(r"<img[^>]*>", html)), kind
        assert message.body.strip() and "<p>" not in message.body, kind


def test_every_html_email_template_extends_the_layout():
    folder = Path(settings.BASE_DIR) / "templates" / "emails"
    alone = [
        path.name
        for path in sorted(folder.glob("*.html"))
        if path.name != "base.html"
        and not path.read_text().startswith('{% extends "emails/base.html" %}')
    ]
    assert alone == []
