"""The events suite's fixtures (an event, its ticket types, a buyer, members), shared:
every ticket test starts from an event."""

from tests.events.conftest import (  # noqa: F401 - fixtures, found by name
    buy,
    make_event,
    make_ticket_type,
    member,
    non_member,
    now,
    public_reveal_event,
    secret_event,
    venue,
)
