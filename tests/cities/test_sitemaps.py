import pytest

pytestmark = pytest.mark.django_db


def test_sitemap_lists_the_cities_pages_and_every_public_partnership(client, make_partnership):
    make_partnership("Toulon")
    make_partnership("Kaliningrad", country="RU", status="paused")
    xml = client.get("/sitemap.xml").content.decode()
    for path in ["/cities/", "/cities/virginia/", "/cities/toulon/", "/cities/kaliningrad/"]:
        assert f"<loc>http://testserver{path}</loc>" in xml


def test_sitemap_leaves_out_other_home_cities_partnerships(client, make_partnership, make_city):
    make_partnership("Zhengzhou", home_city=make_city("Richmond", country="US"), country="CN")
    assert "/cities/zhengzhou/" not in client.get("/sitemap.xml").content.decode()
