import pytest

pytestmark = pytest.mark.django_db


def test_sitemap_lists_the_donation_page_and_no_thank_you_page(client):
    client.post(
        "/donate/",
        {
            "amount_choice": "25",
            "donor_name": "Grace",
            "donor_email": "grace@example.org",
            "payment_method": "offline",
        },
    )
    xml = client.get("/sitemap.xml").content.decode()
    assert "/donate/</loc>" in xml
    assert "/donate/thanks/" not in xml
