"""The events app's forms: the checkout (quantities per ticket type, attendee details, buyer,
payment), joining a waiting list, and the door's code and name searches."""

import re
import secrets
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from association.formats import format_event_time, format_money
from payments.methods import available_methods

from .checkout import PAY_LATER
from .pricing import may_buy, member_places, ticket_prices
from .waitlist import most_places_to_ask_for

URLSAFE_TOKEN = re.compile(r"\A[A-Za-z0-9_-]{16,64}\Z")
"""What `secrets.token_urlsafe` makes: order links, waiting-list offers, submission keys."""
MAX_TICKETS_PER_ORDER = 50


def is_token(value) -> bool:
    """Could this be one of our tokens? Asked before a token from a URL reaches a query:
    anything else cannot match a row, and a NUL byte in it would make PostgreSQL refuse
    the query (psycopg raises DataError, a 500)."""
    return isinstance(value, str) and URLSAFE_TOKEN.match(value) is not None


class OfferTokenField(forms.CharField):
    """The hidden waiting-list offer token: a malformed one is no offer, not a form error
    (the checkout goes on as an ordinary purchase)."""

    widget = forms.HiddenInput

    def clean(self, value):
        value = self.to_python(value)
        return value if is_token(value) else ""


def new_submission_key() -> str:
    return secrets.token_urlsafe(24)


def quantity_label(ticket_type) -> str:
    price = format_money(ticket_type.price) if ticket_type.price else _("free")
    if ticket_type.has_member_discount:
        member = format_money(ticket_type.member_price)
        return _("%(name)s: %(price)s, members %(member)s") % {
            "name": ticket_type.name,
            "price": price,
            "member": member,
        }
    return f"{ticket_type.name}: {price}"


def parse_quantity(value, *, maximum: int) -> int | None:
    """A quantity from a request parameter, or None when it is not 0..maximum."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    if number < 0 or number > maximum:
        return None
    return number


class PaymentChoiceWidget(forms.RadioSelect):
    """Radio buttons where one choice may carry a note of its own, shown beside it and read
    with it (`aria-describedby`): pay later's deadline concerns pay later only."""

    def __init__(self, *args, notes_by_value=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.notes_by_value = notes_by_value or {}

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        note_id = self.notes_by_value.get(str(value))
        if note_id:
            option["attrs"] = {**option["attrs"], "aria-describedby": note_id}
        return option


@dataclass(frozen=True)
class AttendeeRow:
    """One guest's section of the checkout: which ticket it is, and its fields."""

    number: int
    ticket_type: object
    fields: list

    @property
    def legend(self) -> str:
        return _("Guest %(n)s — %(ticket_type)s") % {
            "n": self.number,
            "ticket_type": self.ticket_type.name,
        }


@dataclass(frozen=True)
class SummaryLine:
    name: str
    quantity: int
    unit_price: Decimal

    @property
    def amount(self) -> Decimal:
        return self.unit_price * self.quantity


PAY_LATER_NOTE_ID = "pay-later-note"


class CheckoutForm(forms.Form):
    """Built for one event: a quantity field per ticket type on sale, then, when the event
    serves meals, an attendee name, meal and dietary notes per ticket chosen."""

    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(label=_("Email"), help_text=_("Your tickets are sent here."))
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    submission = forms.CharField(widget=forms.HiddenInput, required=False)
    offer = OfferTokenField(required=False)

    def __init__(self, *args, event, ticket_types, user, now, quantities=None, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.event = event
        self.user = user
        self.now = now
        self.ticket_types = [t for t in ticket_types if may_buy(t, user=user, on=now)]
        self.quantity_fields = []
        # For the page's script that shows the total as quantities change
        # (static/js/events-checkout.js, which follows `pricing.ticket_prices`): each type's
        # price, its member price when this buyer gets it, and how many tickets may be at it.
        discounted = any(t.has_member_discount for t in self.ticket_types)
        self.member_places = member_places(user, on=now) if discounted else 0
        for ticket_type in self.ticket_types:
            name = f"qty_{ticket_type.pk}"
            prices = {"data-price": str(ticket_type.price)}
            if self.member_places and ticket_type.has_member_discount:
                prices["data-member-price"] = str(ticket_type.member_price)
            self.fields[name] = forms.IntegerField(
                label=quantity_label(ticket_type),
                min_value=0,
                max_value=ticket_type.max_per_order,
                initial=(quantities or {}).get(ticket_type.pk, 0),
                required=False,
                help_text=_("Up to %(n)s.") % {"n": ticket_type.max_per_order},
                widget=forms.NumberInput(
                    attrs={"inputmode": "numeric", "class": "qty-input", **prices}
                ),
            )
            self.quantity_fields.append((ticket_type, name))

        if event.collects_shipping_address:
            self.fields["address_line1"] = forms.CharField(
                label=_("Address line 1"), max_length=200, help_text=_("Materials come by post.")
            )
            self.fields["address_line2"] = forms.CharField(
                label=_("Address line 2"), max_length=200, required=False
            )
            self.fields["city"] = forms.CharField(label=_("City"), max_length=100)
            self.fields["region"] = forms.CharField(label=_("State"), max_length=100)
            self.fields["postal_code"] = forms.CharField(label=_("ZIP code"), max_length=20)
            self.fields["country"] = forms.CharField(
                label=_("Country (two-letter code)"), max_length=2, min_length=2, initial="US"
            )

        self.attendee_rows = []
        if event.meal_choices:
            meals = [("", _("Choose a meal"))] + [(m, m) for m in event.meal_choices]
            # In the order the tickets are made (orders.reserve_tickets): type by type.
            for index, ticket_type in enumerate(self._ticket_type_of_each_ticket(quantities)):
                number = index + 1
                self.fields[f"attendee_{index}_name"] = forms.CharField(
                    label=_("Name on ticket %(n)s") % {"n": number}, max_length=200
                )
                self.fields[f"attendee_{index}_meal"] = forms.ChoiceField(
                    label=_("Meal for ticket %(n)s") % {"n": number}, choices=meals
                )
                self.fields[f"attendee_{index}_diet"] = forms.CharField(
                    label=_("Dietary notes for ticket %(n)s") % {"n": number},
                    max_length=300,
                    required=False,
                    help_text=_("Allergies or needs the caterer should know about."),
                )
                self.attendee_rows.append(
                    AttendeeRow(
                        number=number,
                        ticket_type=ticket_type,
                        fields=[
                            self[f"attendee_{index}_name"],
                            self[f"attendee_{index}_meal"],
                            self[f"attendee_{index}_diet"],
                        ],
                    )
                )

        # How a paid order may be paid (a free one needs no choice: it is free).
        self.paid_tickets = any(t.price > 0 for t in self.ticket_types)
        methods = [
            (method.code, method.label)
            for method in self._methods(amount=Decimal("1") if self.paid_tickets else 0)
        ]
        # Pay later's deadline is said beside pay later, not under every way to pay.
        self.pay_later_note = self._pay_later_help(methods)
        self.pay_later_code = PAY_LATER
        self.pay_later_note_id = PAY_LATER_NOTE_ID
        self.fields["payment_method"] = forms.ChoiceField(
            label=_("Payment"),
            choices=methods,
            widget=PaymentChoiceWidget(
                notes_by_value={PAY_LATER: PAY_LATER_NOTE_ID} if self.pay_later_note else {}
            ),
            required=False,
            initial=methods[0][0] if len(methods) == 1 else None,
            error_messages={
                "invalid_choice": _(
                    "That way of paying is not offered for this event now; please choose another."
                )
            },
        )
        self.show_payment_choice = self.paid_tickets

    def _pay_later_help(self, methods) -> str:
        """Say up front that a reservation to pay later does not last for ever."""
        if PAY_LATER not in (code for code, _label in methods):
            return ""
        return _(
            "Paying later reserves your places until %(when)s; if the payment has not "
            "reached us by then, they are released."
        ) % {"when": format_event_time(self.event.pay_by_for(self.now))}

    def _methods(self, *, amount):
        """The payment methods for this amount, pay later only while the event offers it."""
        return [
            method
            for method in available_methods(amount=amount)
            if method.code != PAY_LATER or self.event.pay_later_is_offered(self.now)
        ]

    def _ticket_type_of_each_ticket(self, quantities) -> list:
        """The ticket type of each ticket asked for, type by type: the quantities
        submitted, else those asked for in the address (step one), capped so a tampered
        request cannot blow up the form."""
        types = []
        for ticket_type in self.ticket_types:
            if self.is_bound:
                value = parse_quantity(
                    self.data.get(f"qty_{ticket_type.pk}", 0) or 0,
                    maximum=ticket_type.max_per_order,
                )
            else:
                value = (quantities or {}).get(ticket_type.pk, 0)
            if ticket_type.is_table:
                continue  # its guests are named later, on the order page
            types += [ticket_type] * (value or 0)
        return types[:MAX_TICKETS_PER_ORDER]

    def chosen_payment_label(self) -> str:
        code = self.cleaned_data.get("payment_method", "")
        return str(dict(self.fields["payment_method"].choices).get(code, ""))

    def summary_lines(self) -> list[SummaryLine]:
        """After a valid form: one line per ticket type and price the buyer pays (a member
        price and a full one are two lines), as the order and the card payment list them."""
        counts = Counter()
        for (ticket_type, _quantity), line_prices in zip(self.lines, self.prices, strict=True):
            for price in line_prices:
                counts[(ticket_type.name, price)] += 1
        return [
            SummaryLine(name=name, quantity=quantity, unit_price=price)
            for (name, price), quantity in counts.items()
        ]

    def clean_submission(self):
        key = self.cleaned_data.get("submission", "")
        if not is_token(key):
            raise ValidationError(
                _("This form has expired or was altered. Please check it and submit it again.")
            )
        return key

    def clean(self):
        data = super().clean()
        lines = []
        for ticket_type, name in self.quantity_fields:
            quantity = data.get(name) or 0
            if quantity:
                lines.append((ticket_type, quantity))
        if not lines and not any(self.errors.get(n) for _t, n in self.quantity_fields):
            raise ValidationError(_("Please choose at least one ticket."))
        self.lines = lines
        count = sum(q for t, q in lines if not t.is_table)
        if self.event.meal_choices and count != len(self.attendee_rows):
            raise ValidationError(
                _("The number of tickets changed; please give the details of each ticket.")
            )
        prices = ticket_prices(lines, user=self.user, on=self.now) if lines else []
        self.prices = prices
        self.total = sum(sum(row) for row in prices)
        codes = [method.code for method in self._methods(amount=self.total)]
        chosen = data.get("payment_method") or ""
        if chosen not in codes:
            if len(codes) == 1:
                chosen = codes[0]
            elif lines and not codes:
                self.add_error(
                    None,
                    _(
                        "Tickets for this event cannot be paid for online right now; please "
                        "contact the association."
                    ),
                )
            elif lines and not self.has_error("payment_method"):
                self.add_error("payment_method", _("Please choose how you will pay."))
        data["payment_method"] = chosen
        return data

    def buyer(self) -> dict:
        fields = ["name", "email", "phone", "address_line1", "address_line2", "city"]
        fields += ["region", "postal_code", "country"]
        buyer = {f: self.cleaned_data.get(f, "") or "" for f in fields}
        buyer["country"] = buyer["country"].upper()
        return buyer

    def attendees(self) -> list[dict]:
        return [
            {
                "attendee_name": self.cleaned_data[f"attendee_{i}_name"],
                "meal_choice": self.cleaned_data[f"attendee_{i}_meal"],
                "dietary_notes": self.cleaned_data.get(f"attendee_{i}_diet", ""),
            }
            for i in range(len(self.attendee_rows))
        ]


MAX_WANTED = 10


class WaitlistJoinForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(
        label=_("Email"),
        help_text=_("We write to this address if places come back."),
    )
    quantity = forms.IntegerField(
        label=_("How many tickets you would like"),
        min_value=1,
        max_value=MAX_WANTED,
        initial=1,
    )
    ticket_type = forms.ModelChoiceField(
        label=_("Ticket type"),
        queryset=None,
        required=False,
        empty_label=_("Any ticket type"),
    )

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        # A place a table gives back is a seat: the list offers places, one seat each
        # (tables: someone wanting a table asks for ten places of any type).
        ticket_types = event.ticket_types.filter(seats=1)
        self.fields["ticket_type"].queryset = ticket_types
        if len(ticket_types) < 2:
            # One kind of ticket: nothing to choose.
            del self.fields["ticket_type"]
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Please give your name."))
        return name

    def clean(self):
        cleaned = super().clean()
        quantity = cleaned.get("quantity")
        ticket_type = cleaned.get("ticket_type")
        if quantity is not None and "ticket_type" not in self.errors:
            most = most_places_to_ask_for(event=self.event, ticket_type=ticket_type)
            if quantity > most:
                self.add_error(
                    "quantity",
                    ngettext(
                        "One order holds at most %(n)s ticket; please ask for %(n)s or fewer.",
                        "One order holds at most %(n)s tickets; please ask for %(n)s or fewer.",
                        most,
                    )
                    % {"n": most},
                )
        return cleaned


class CodeForm(forms.Form):
    """A ticket code at the door, typed or scanned."""

    code = forms.CharField(
        label=_("Ticket code"),
        # Room for a scanned check-in URL (a long event slug and all), not only the code.
        max_length=500,
        help_text=_("Type the code printed under the QR code, or scan it."),
    )


class NameSearchForm(forms.Form):
    q = forms.CharField(label=_("Name or order reference"), max_length=200)


# tables: the order page's forms (self-service until the change deadline)


class TicketDetailsForm(forms.Form):
    """The names, meals, dietary notes and emails of an order's tickets (a table's guests
    among them), one group of fields per ticket, and the postal address when the event
    sends materials by post. Built for the tickets given; `details()` is what
    `self_service.update_tickets` takes."""

    def __init__(self, *args, event, tickets, order=None, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.tickets = list(tickets)
        self.groups = []
        meals = [("", _("No choice yet"))] + [(m, m) for m in event.meal_choices]
        for ticket in self.tickets:
            pk = ticket.pk
            who = ticket.seat_label or _("ticket %(code)s") % {"code": ticket.code}
            self.fields[f"name_{pk}"] = forms.CharField(
                label=_("Name"), max_length=200, required=False, initial=ticket.attendee_name
            )
            names = [f"name_{pk}"]
            if event.meal_choices:
                self.fields[f"meal_{pk}"] = forms.ChoiceField(
                    label=_("Meal"), choices=meals, required=False, initial=ticket.meal_choice
                )
                names.append(f"meal_{pk}")
            self.fields[f"diet_{pk}"] = forms.CharField(
                label=_("Dietary notes"),
                max_length=300,
                required=False,
                initial=ticket.dietary_notes,
                help_text=_("Allergies or needs the caterer should know about."),
            )
            self.fields[f"email_{pk}"] = forms.EmailField(
                label=_("Email (optional)"), required=False, initial=ticket.attendee_email
            )
            names += [f"diet_{pk}", f"email_{pk}"]
            self.groups.append((ticket, who, [self[name] for name in names]))
        self.address_fields = []
        if order is not None and event.collects_shipping_address:
            for name, label, required in (
                ("address_line1", _("Address line 1"), True),
                ("address_line2", _("Address line 2"), False),
                ("city", _("City"), True),
                ("region", _("State"), True),
                ("postal_code", _("ZIP code"), True),
                ("country", _("Country (two-letter code)"), True),
            ):
                self.fields[name] = forms.CharField(
                    label=label,
                    max_length=2 if name == "country" else 200,
                    required=required,
                    initial=getattr(order, name),
                )
                self.address_fields.append(self[name])

    def details(self) -> dict[int, dict[str, str]]:
        data = self.cleaned_data
        return {
            ticket.pk: {
                "attendee_name": data.get(f"name_{ticket.pk}", ""),
                "meal_choice": data.get(f"meal_{ticket.pk}", ticket.meal_choice),
                "dietary_notes": data.get(f"diet_{ticket.pk}", ""),
                "attendee_email": data.get(f"email_{ticket.pk}", ""),
            }
            for ticket in self.tickets
        }

    def address(self) -> dict[str, str] | None:
        if not self.address_fields:
            return None
        return {field.name: self.cleaned_data.get(field.name, "") for field in self.address_fields}


class TransferForm(forms.Form):
    """To whom a ticket is given: their name and email (where their ticket goes), and
    their meal when the event serves one."""

    name = forms.CharField(label=_("Their name"), max_length=200)
    email = forms.EmailField(
        label=_("Their email"), help_text=_("Their ticket, with its new QR code, is sent here.")
    )

    def __init__(self, *args, event, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        if event.meal_choices:
            self.fields["meal_choice"] = forms.ChoiceField(
                label=_("Their meal"),
                choices=[("", _("No choice yet"))] + [(m, m) for m in event.meal_choices],
                required=False,
            )
            self.fields["dietary_notes"] = forms.CharField(
                label=_("Their dietary notes"), max_length=300, required=False
            )
