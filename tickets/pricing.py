"""Pricing: what a person pays for a ticket, and who may buy members-only tickets.

One question, one place: "what does this person pay for this ticket type now?", answered by
`ticket_prices` for every ticket of an order (the checkout's total, the order itself). A
member in good standing (membership's own rule, `membership.standing`) pays the member
price when the ticket type has a member discount (`TicketType.has_member_discount`);
everyone else pays the price. A membership covers `plan.people_covered` people, so one
order gets at most that many tickets at the member price; the rest are at the full price.
Pages show each type's price and member price as they stand; what a person pays is only
ever worked out here.
"""

import datetime
from decimal import Decimal

from membership.standing import is_member_in_good_standing, membership_in_good_standing


def may_buy(ticket_type, *, user, on: datetime.date) -> bool:
    """Members-only ticket types and events are for members in good standing."""
    if not (ticket_type.members_only or ticket_type.event.members_only):
        return True
    return is_member_in_good_standing(user, on=on)


def member_places(user, *, on: datetime.date) -> int:
    """How many tickets in one order may be at the member price (0 for a non-member)."""
    membership = membership_in_good_standing(user, on=on)
    return membership.plan.people_covered if membership is not None else 0


def ticket_prices(lines, *, user, on: datetime.date) -> list[list[Decimal]]:
    """The price of each ticket in an order: for each (ticket_type, quantity) line, a list
    of `quantity` prices. Member prices go to the first `people_covered` tickets, the
    ticket types with the biggest saving first."""
    places = member_places(user, on=on)
    prices = [[ticket_type.price] * quantity for ticket_type, quantity in lines]
    savings = sorted(
        (
            (ticket_type.price - ticket_type.member_price, index)
            for index, (ticket_type, _quantity) in enumerate(lines)
            if ticket_type.has_member_discount
        ),
        reverse=True,
    )
    for _saving, index in savings:
        ticket_type, quantity = lines[index]
        for position in range(quantity):
            if places <= 0:
                break
            prices[index][position] = ticket_type.member_price
            places -= 1
    return prices


def split_among_seats(price: Decimal, seats: int) -> list[Decimal]:
    """A table's price shared among its seats, to the cent, adding up to the price (the
    first seats take the odd cents): what each seat cost, so cancelling or refunding one
    seat of a table gives back its share."""
    cents = int((Decimal(price) * 100).to_integral_value())
    share, odd = divmod(cents, seats)
    return [Decimal(share + (1 if seat < odd else 0)).scaleb(-2) for seat in range(seats)]
