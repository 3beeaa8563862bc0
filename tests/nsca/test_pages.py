import pytest
from django.db import OperationalError, connection

pytestmark = pytest.mark.django_db


def test_home_page_shows_the_association_mission_and_join_call(client, demo):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Norfolk Sister City Association" in html
    assert "people-to-people exchanges" in html
    assert 'href="/membership/"' in html


def test_about_page_has_history_mission_and_aims(client, demo):
    html = client.get("/about/").content.decode()
    assert "founded in 1976" in html
    assert "Sister Cities International" in html
    assert "Mission statement" in html
    assert "We partner with businesses and organizations in Hampton Roads" in html


def test_about_page_follows_staff_edits(client, demo):
    from nsca.models import Page

    Page.objects.filter(slug="about").update(title="Our story", body="Edited by staff.")
    html = client.get("/about/").content.decode()
    assert "Our story" in html
    assert "Edited by staff." in html


def test_association_name_is_data_not_code(client, association):
    html = client.get("/").content.decode()
    assert "Example Sister City Association" in html
    assert "Norfolk" not in html


def test_footer_names_the_home_city_the_cities_app_marks(client, association):
    from cities.models import City

    assert "Founded 1976." in client.get("/").content.decode()
    home = City.objects.create(
        name="Exampleton", slug="exampleton", region="Virginia", country="US"
    )
    home.is_home = True
    home.save()
    assert "Founded 1976 in Exampleton, Virginia." in client.get("/").content.decode()
    # Stored once: moving the mark moves the footer.
    City.objects.filter(pk=home.pk).update(is_home=False)
    City.objects.create(name="Lakeside", slug="lakeside", country="US", is_home=True)
    assert "Founded 1976 in Lakeside." in client.get("/").content.decode()


def test_demo_footer_says_where_the_association_was_founded(client, demo):
    assert "Founded 1976 in Norfolk, Virginia." in client.get("/").content.decode()


def test_every_page_has_title_description_and_open_graph(client, demo):
    for url in ["/", "/about/"]:
        html = client.get(url).content.decode()
        assert "<title>" in html and "</title>" in html
        assert '<meta name="description" content="' in html
        assert 'property="og:title"' in html
        assert 'property="og:description"' in html
        assert 'property="og:image"' in html


def test_unknown_page_is_a_friendly_404(client, demo):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "couldn't find that page" in response.content.decode()


def test_unpublished_page_is_404(client, demo):
    from nsca.models import Page

    Page.objects.create(slug="draft", title="Draft", body="x", is_published=False)
    assert client.get("/pages/draft/").status_code == 404


def test_server_error_page_is_friendly(client, demo, settings):
    from nsca.views import server_error

    response = server_error(None)
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


@pytest.mark.urls("tests.nsca.urls_with_failing_view")
def test_a_view_that_raises_gets_the_friendly_500_page(client, demo):
    from django.urls import get_resolver

    from nsca.views import server_error

    assert get_resolver().resolve_error_handler(500) is server_error
    client.raise_request_exception = False
    response = client.get("/test-only/fail/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    assert "A bug in a view" not in html


def test_an_association_edit_shows_on_the_next_request(client, demo):
    from association.models import Association, SocialLink

    assert "Norfolk Sister City Association" in client.get("/").content.decode()
    # As another server process would: no save() in this one to clear a local cache.
    Association.objects.filter(pk=1).update(name="Renamed Sister City Association")
    SocialLink.objects.bulk_create(
        [SocialLink(association_id=1, label="Mastodon", url="https://social.example.org/@nsca")]
    )
    html = client.get("/").content.decode()
    assert "Renamed Sister City Association" in html
    assert "https://social.example.org/@nsca" in html


def test_healthz_answers_200_when_database_is_reachable(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_healthz_answers_503_when_database_is_unreachable(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


def test_robots_txt_points_to_sitemap_and_hides_private_paths(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in body
    assert "Disallow: /admin/" in body
    assert "Disallow: /orders/" in body
    assert "Disallow: /ja/admin/" in body and "Disallow: /de/orders/" in body


def test_sitemap_lists_home_and_about(client, demo):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<loc>http://testserver/</loc>" in body
    assert "<loc>http://testserver/about/</loc>" in body


def test_security_headers_are_sent(client, demo):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"


def test_page_makes_no_request_to_another_host(client, demo):
    html = client.get("/").content.decode()
    for attribute in ('src="http', "src='http", 'href="//', 'src="//'):
        assert attribute not in html
    assert 'rel="stylesheet" href="/static/' in html


def test_admin_requires_staff(client, staff_user, django_user_model):
    assert client.get("/admin/").status_code == 302
    django_user_model.objects.create_user(email="member@example.org", password="pw-123-long")
    client.login(email="member@example.org", password="pw-123-long")
    assert client.get("/admin/").status_code == 302
    client.force_login(staff_user)
    assert client.get("/admin/").status_code == 200
    for url in ["/admin/association/association/", "/admin/nsca/page/", "/admin/membership/user/"]:
        assert client.get(url).status_code == 200, url


def test_favicon_ico_redirects_to_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith(".svg")


def test_the_phone_menu_opens_without_javascript(client, demo):
    html = client.get("/about/").content.decode()
    header = html[html.index('<header class="site-header">') : html.index("</header>")]
    assert '<details class="nav-menu">' in header and "<summary>Menu</summary>" in header
    assert "<script" not in header
    # The same links in the phone menu and in the row shown on wider screens.
    assert header.count('href="/about/" aria-current="page"') == 2


def test_the_home_page_names_the_association_once_under_the_header(client, demo):
    html = client.get("/").content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    assert '<h1 class="visually-hidden">Norfolk Sister City Association</h1>' in main
    assert '<p class="lead hero-tagline">' in main  # shown on a phone only (site.css)
