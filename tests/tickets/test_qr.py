"""A ticket's QR code is made once and shared by the order page and the email, and a real
reader decodes it."""

import io

import segno
import zxingcpp
from PIL import Image

from tests.events.factories import make_event, make_order, make_ticket_type
from tickets import qr
from tickets.qr import ticket_checkin_url, ticket_qr, ticket_qr_png, ticket_qr_svg


def _ticket(db):
    event = make_event()
    order = make_order(event, [(make_ticket_type(event), 1)])
    return order.tickets.get(), event


def _count_makes(monkeypatch) -> list:
    made = []
    real_make = segno.make

    def counting_make(*args, **kwargs):
        made.append(args[0])
        return real_make(*args, **kwargs)

    monkeypatch.setattr(qr.segno, "make", counting_make)
    return made


def test_ticket_qr_code_is_made_once_for_the_page_and_the_email(db, monkeypatch):
    ticket, event = _ticket(db)
    made = _count_makes(monkeypatch)
    ticket_qr_png(ticket, event=event)
    svg = ticket_qr_svg(ticket, event=event)
    assert made == [ticket_checkin_url(ticket, event=event)]
    fresh = qr.make_qr(ticket_checkin_url(ticket, event=event))
    assert ticket_qr(ticket, event=event).matrix == fresh.matrix
    assert 'class="ticket-qr"' in svg


def test_ticket_qr_code_is_still_made_when_the_shared_cache_is_down(db, shared_cache_down):
    ticket, event = _ticket(db)
    url = ticket_checkin_url(ticket, event=event)
    assert ticket_qr(ticket, event=event).matrix == qr.make_qr(url).matrix


def test_a_ticket_qr_code_in_the_one_mask_is_read_back_by_a_real_reader(db):
    """The mask is named instead of scored (tickets/qr.py): the code must still scan, from
    the email's PNG, to exactly the check-in URL."""
    ticket, event = _ticket(db)
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(ticket_qr_png(ticket, event=event))))
    assert [result.text for result in results] == [ticket_checkin_url(ticket, event=event)]
    assert ticket_qr(ticket, event=event).mask == qr.QR_MASK
