"""The site in the partners' languages (issue 24): the language is the path's, every page
says which it is and where its other languages are, the page cache keeps them apart, and
each person's emails are written in the language they used."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.core.cache import caches
from django.test import Client
from django.utils import timezone, translation

from association import formats
from association.page_cache import FragmentCache
from membership.models import User
from news.models import Subscriber
from tests.conftest import emptied_page_store
from tests.events import factories
from tickets.models import Order

LANGUAGES = ["en", "de", "fr", "ja", "zh-hans"]
PREFIX = {"en": "", "de": "/de", "fr": "/fr", "ja": "/ja", "zh-hans": "/zh-hans"}


def html_lang(html: str) -> str:
    return re.search(r"<html lang=\"([^\"]+)\"", html).group(1)


def alternates(html: str) -> dict[str, str]:
    return dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)"', html))


def switcher(html: str) -> dict[str, str]:
    nav = re.search(r'<nav class="language-switcher".*?</nav>', html, re.S).group(0)
    return dict(re.findall(r'<a href="([^"]+)" lang="([^"]+)"', nav))


@pytest.fixture
def event(db, association):
    event = factories.make_event(title="Harbor Supper", slug="harbor-supper")
    factories.make_ticket_type(event, name="Free seat", price=Decimal("0"), quantity=20)
    return event


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_page_in_each_language_says_its_language_and_where_the_others_are(
    client, event, language
):
    response = client.get(f"{PREFIX[language]}/events/harbor-supper/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html_lang(html) == language
    expected = {
        code: f"http://testserver{PREFIX[code]}/events/harbor-supper/" for code in LANGUAGES
    }
    assert alternates(html) == {**expected, "x-default": expected["en"]}
    # The switcher: the same page in every language, each link in its own language.
    assert switcher(html) == {f"{PREFIX[code]}/events/harbor-supper/": code for code in LANGUAGES}
    assert f'aria-current="true" data-language="{language}"' in html


def test_the_root_is_english_whatever_the_browser_prefers(client, association):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9")
    assert response.status_code == 200
    assert html_lang(response.content.decode()) == "en"


def test_a_prefixed_page_links_within_its_language(client, association):
    html = client.get("/ja/").content.decode()
    nav = re.search(r'<ul class="nav-list">.*?</ul>', html, re.S).group(0)
    assert 'href="/ja/events/"' in nav and 'href="/events/"' not in nav


def test_the_browser_suggestion_has_each_language_s_words_on_the_page(client, association):
    html = client.get("/").content.decode()
    assert '<script src="/static/js/languages.js" defer>' in html or "js/languages" in html
    for code in LANGUAGES:
        assert f'data-language="{code}" data-suggestion="' in html


def test_the_sitemap_lists_every_page_in_every_language_with_its_alternates(client, event):
    xml = client.get("/sitemap.xml").content.decode()
    for code in LANGUAGES:
        assert f"<loc>http://testserver{PREFIX[code]}/events/harbor-supper/</loc>" in xml
    assert (
        '<xhtml:link rel="alternate" hreflang="fr" '
        'href="http://testserver/fr/events/harbor-supper/"/>'
    ) in xml
    assert 'hreflang="x-default" href="http://testserver/events/harbor-supper/"' in xml


@pytest.fixture
def page_store(settings):
    settings.PAGE_CACHE_ENABLED = True
    emptied_page_store()
    yield caches["pages"]
    emptied_page_store()


def test_the_page_cache_never_serves_one_language_for_another(page_store, event):
    client = Client()
    first = {code: client.get(f"{PREFIX[code]}/events/") for code in ("en", "de")}
    assert all(response.status_code == 200 for response in first.values())
    stored = [key for key in page_store.local._cache if ".GET." in key]
    assert len(stored) == 2  # one copy per language
    # Served again from the cache, each in its own language, even by a thread that has
    # another language active (the cache middleware runs before the locale middleware).
    for active, code in (("de", "en"), ("en", "de"), ("ja", "de")):
        with translation.override(active):
            again = client.get(f"{PREFIX[code]}/events/")
        assert html_lang(again.content.decode()) == code
        assert again.content == first[code].content


def test_a_fragment_is_kept_per_language(settings):
    settings.PAGE_CACHE_ENABLED = True
    fragments = FragmentCache("test-fragments", {})
    with translation.override("de"):
        fragments.set("footer", "Kontakt")
    with translation.override("en"):
        assert fragments.get("footer") is None
        fragments.set("footer", "Contact")
    with translation.override("de"):
        assert fragments.get("footer") == "Kontakt"


MOMENT = timezone.make_aware(datetime.datetime(2026, 12, 12, 19, 0))


@pytest.mark.parametrize(
    ("language", "event_time", "date", "money"),
    [
        ("en", "Saturday, December 12, 2026, 7:00 PM", "December 12, 2026", "$1,250.50"),
        ("de", "Samstag, 12. Dezember 2026, 19:00 Uhr", "12. Dezember 2026", "1.250,50\u00a0$"),
        ("fr", "samedi 12 décembre 2026 à 19:00", "12 décembre 2026", "1\u202f250,50\u202f$"),
        ("ja", "2026年12月12日（土曜日） 19:00", "2026年12月12日", "$1,250.50"),
        ("zh-hans", "2026年12月12日 星期六 19:00", "2026年12月12日", "US$1,250.50"),
    ],
)
def test_dates_and_dollars_in_each_language_s_way(language, event_time, date, money):
    with translation.override(language):
        assert formats.format_event_time(MOMENT) == event_time
        assert formats.format_date(MOMENT) == date
        assert formats.format_money(Decimal("1250.5")) == money
        assert formats.format_money(Decimal("-20")).startswith("-")


def order_on(client, event, prefix: str, email: str):
    url = f"{prefix}/events/{event.slug}/tickets/"
    page = client.get(url).content.decode()
    ticket_type = event.ticket_types.get()
    response = client.post(
        url,
        {
            f"qty_{ticket_type.pk}": "1",
            "name": "Greta Gast",
            "email": email,
            "payment_method": "free",
            "submission": re.search(r'name="submission" value="([^"]+)"', page).group(1),
        },
    )
    assert response.status_code == 303, response.content.decode()[:2000]
    return Order.objects.get(email=email)


@pytest.mark.django_db(transaction=True)
def test_a_guest_buyer_is_written_to_in_the_language_they_bought_in(client, event, association):
    order = order_on(client, event, "/de", "greta@example.org")
    assert order.language == "de"
    (confirmation,) = [m for m in mail.outbox if m.to == ["greta@example.org"]]
    html = confirmation.alternatives[0][0]
    assert html_lang(html) == "de"
    month = translation.override("de")
    with month:
        german_date = formats.format_date(event.starts_at)
    assert german_date in confirmation.body
    # A job writing to them later (staff's resend, a reminder) still speaks German, whatever
    # language is active where it runs.
    from tickets.notifications import build_order_confirmation  # noqa: PLC0415

    with translation.override("en"):
        again = build_order_confirmation(
            order_pk=order.pk, now=timezone.now().isoformat(), resend=True
        )
    assert german_date in again.body


@pytest.mark.django_db(transaction=True)
def test_a_newsletter_subscriber_keeps_the_language_they_signed_up_in(client, association):
    response = client.post("/ja/newsletter/", {"email": "kenji@example.org", "name": "Kenji"})
    assert response.status_code in (302, 303)
    assert Subscriber.objects.get(email="kenji@example.org").language == "ja"
    (confirmation,) = [m for m in mail.outbox if m.to == ["kenji@example.org"]]
    assert html_lang(confirmation.alternatives[0][0]) == "ja"


def test_an_account_is_written_to_in_the_language_it_signed_in_with(client, association):
    user = User.objects.create_user(email="claire@example.org", password="a-long-password-1")
    assert user.language == "en"
    response = client.post(
        "/fr/account/login/",
        {"username": "claire@example.org", "password": "a-long-password-1"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.language == "fr"
    from membership.emails import send_password_changed_email  # noqa: PLC0415

    mail.outbox.clear()
    with translation.override("en"):
        send_password_changed_email(user, how="changed")
    assert html_lang(mail.outbox[-1].alternatives[0][0]) == "fr"
