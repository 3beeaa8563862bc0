"""Consent: who may be sent a newsletter or a mailing. This module is the ONE place asked,
at queueing and again at the moment of sending (so an unsubscribe takes effect for
deliveries still queued).

- Newsletter subscribers: only addresses that confirmed (double opt-in, or a member's
  consent from their verified account) and have not unsubscribed
  (`Subscriber.objects.may_receive_marketing()`).
- Members and ticket holders: their address is known to us from their membership or order,
  but an address that unsubscribed (one click in any mailing) is never mailed again.
- Transactional email (tickets, venue notices, receipts, renewal reminders) never asks.
"""

from .models import Mailing, Subscriber


def may_be_mailed(*, email: str, audience: str) -> bool:
    subscribers = Subscriber.objects.for_email(email)
    if audience == Mailing.Audience.SUBSCRIBERS:
        return subscribers.may_receive_marketing().exists()
    return not subscribers.opted_out().exists()
