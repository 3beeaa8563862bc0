"""The ticket form shows the total before anything is paid: live with JavaScript, on a review
step without it; each guest's section names its ticket type; pay later's deadline stands
beside pay later only; on a phone the way to the tickets starts by the title."""

import re
from decimal import Decimal
from html import unescape

import pytest

from tickets.models import Order

from .test_checkout import KEY, dinner_post, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def dinner(secret_event):
    return secret_event.ticket_types.get()


def hidden_fields(page: str) -> dict:
    """The review form's hidden fields, as the browser would send them back."""
    form = page[page.index('<form method="post"') :]
    return {
        name: unescape(value)
        for name, value in re.findall(
            r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form[: form.index("</form>")]
        )
        if name != "csrfmiddlewaretoken"
    }


def test_without_javascript_the_order_and_its_total_are_shown_before_it_is_placed(
    client, secret_event, dinner
):
    response = client.post(url(secret_event), dinner_post(dinner, 2, review="1"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Review your order" in page
    assert re.search(r"<td>Dinner</td><td[^>]*>2</td><td[^>]*>\$65.00</td>", page)
    assert "<strong>$130.00</strong>" in page
    assert "Guest 2 — Dinner</strong>: Guest 2, Vegetarian (No nuts)" in page
    assert not Order.objects.exists()

    sent_back = hidden_fields(page)
    assert "review" not in sent_back and sent_back["submission"] == KEY
    response = client.post(url(secret_event), sent_back)
    assert response.status_code == 303
    order = Order.objects.get()
    assert order.total == Decimal("130.00")
    assert [t.attendee_name for t in order.tickets.order_by("pk")] == ["Guest 1", "Guest 2"]


def test_the_review_charges_a_member_as_the_order_will(client, secret_event, dinner, member):
    client.force_login(member)
    page = client.post(url(secret_event), dinner_post(dinner, 2, review="1")).content.decode()
    # One membership covers one person: one ticket at the member price, one at the full.
    assert re.search(r"<td>Dinner</td><td[^>]*>1</td><td[^>]*>\$55.00</td>", page)
    assert re.search(r"<td>Dinner</td><td[^>]*>1</td><td[^>]*>\$65.00</td>", page)
    assert "<strong>$120.00</strong>" in page
    client.post(url(secret_event), hidden_fields(page))
    assert Order.objects.get().total == Decimal("120.00")


def test_changing_the_order_from_the_review_places_nothing(client, secret_event, dinner):
    review = client.post(url(secret_event), dinner_post(dinner, 1, review="1")).content.decode()
    response = client.post(url(secret_event), {**hidden_fields(review), "change": "1"})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="Guest 1"' in page and 'name="review"' in page
    assert "Review my order" in page
    assert not Order.objects.exists()


def test_a_review_of_a_form_with_errors_shows_the_errors(client, secret_event, dinner):
    response = client.post(url(secret_event), dinner_post(dinner, 1, review="1", email="nope"))
    assert response.status_code == 422
    assert "Review your order" not in response.content.decode()


def test_the_form_carries_what_the_script_needs_to_show_the_total_live(
    client, secret_event, dinner, member
):
    page = client.get(url(secret_event), {f"qty_{dinner.pk}": 2}).content.decode()
    assert 'data-price="65.00"' in page and "data-member-price" not in page
    assert 'data-member-places="0"' in page
    assert 'name="review" value="1"' in page
    assert "js/events-checkout" in page and "data-checkout-total" in page
    client.force_login(member)
    page = client.get(url(secret_event), {f"qty_{dinner.pk}": 2}).content.decode()
    assert 'data-member-price="55.00"' in page and 'data-member-places="1"' in page


def test_a_free_registration_needs_no_total_and_no_review(client, make_event, make_ticket_type):
    event = make_event(title="Free talk", slug="free-talk")
    make_ticket_type(event, name="Free entry", price=Decimal("0"))
    page = client.get(url(event)).content.decode()
    assert 'name="review"' not in page and "data-checkout-total" not in page


def test_each_guest_section_names_its_ticket_type(client, secret_event, dinner, make_ticket_type):
    child = make_ticket_type(secret_event, name="Child", price=Decimal("20.00"))
    page = client.get(url(secret_event), {f"qty_{dinner.pk}": 2, f"qty_{child.pk}": 1})
    legends = re.findall(r"<legend>(Guest [^<]+)</legend>", page.content.decode())
    assert legends == ["Guest 1 — Child", "Guest 2 — Dinner", "Guest 3 — Dinner"]
    # The ticket each section names is the ticket its guest gets.
    data = dinner_post(dinner, 2, **{f"qty_{child.pk}": "1"})
    data.update(attendee_2_name="Guest 3", attendee_2_meal="Chicken")
    assert client.post(url(secret_event), data).status_code == 303
    tickets = Order.objects.get().tickets.select_related("ticket_type")
    assert {t.attendee_name: t.ticket_type.name for t in tickets} == {
        "Guest 1": "Child",
        "Guest 2": "Dinner",
        "Guest 3": "Dinner",
    }


def test_the_pay_later_deadline_shows_only_beside_pay_later(client, secret_event, dinner):
    page = client.get(url(secret_event), {f"qty_{dinner.pk}": 1}).content.decode()
    assert page.count("Paying later reserves your places until") == 1
    pay_later = re.search(r'<input type="radio" name="payment_method" value="offline"[^>]*>', page)
    assert 'aria-describedby="pay-later-note"' in pay_later.group(0)
    option = page[pay_later.start() : page.index("</div>", pay_later.start())]
    assert 'id="pay-later-note"' in option and "Paying later reserves" in option
    for radio in re.findall(
        r'<input type="radio" name="payment_method" value="(?!offline)[^>]*>', page
    ):
        assert "aria-describedby" not in radio


def test_buy_tickets_is_reachable_from_the_top_of_the_event_page(client, secret_event):
    page = client.get(secret_event.get_absolute_url()).content.decode()
    header = page[
        page.index('<header class="event-header">') : page.index(
            "</header>", page.index('<header class="event-header">')
        )
    ]
    assert f'href="/events/{secret_event.slug}/tickets/">Buy tickets</a>' in header


def test_no_buy_tickets_by_the_title_when_nothing_is_on_sale(client, secret_event, dinner):
    dinner.quantity = 0
    dinner.save(update_fields=["quantity"])
    page = client.get(secret_event.get_absolute_url()).content.decode()
    assert "tickets-jump" not in page
